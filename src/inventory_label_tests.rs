//! Labels in the file, and the migration that brought them: a version 2 file as v6scout
//! wrote it (`inventory/fixture_v2.sql`) is read as it is, migrated with every row intact,
//! and survives a process killed in the middle of that migration.

use super::fixture::*;
use super::schema::{self, Migration};
use super::*;
use crate::report::Labels;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// A version 2 file as the build before labels wrote it.
pub(super) fn version_2_file(dir: &Path) -> PathBuf {
    let path = dir.join("v2.sqlite3");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(include_str!("inventory/fixture_v2.sql"))
        .unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    assert_eq!(schema::user_version(&conn).unwrap(), 2);
    path
}

/// What the fixture holds, checked row by row through the reading API, without a label.
pub(super) fn holds_the_version_2_rows(inv: &Inventory) {
    holds_the_fixture_rows(inv);
    assert!(inv.devices(None).unwrap().iter().all(|d| d.label.is_none()));
}

/// What the fixture holds, checked row by row through the reading API (labels aside).
pub(super) fn holds_the_fixture_rows(inv: &Inventory) {
    let devices = inv.devices(None).unwrap();
    let seen: Vec<(&str, Mac, usize)> = devices
        .iter()
        .map(|d| (d.iface.name.as_str(), d.mac, d.addresses.len()))
        .collect();
    // Newest first: the router (t 7200), then the three of t 3600 by id.
    assert_eq!(
        seen,
        [
            ("eth0", mac(2), 1),
            ("eth0", mac(1), 2),
            ("wlan0", mac(3), 1),
            ("wlan0", mac(1), 1)
        ]
    );
    let pi = &devices[1];
    assert_eq!(pi.vendor.as_deref(), Some("Raspberry Pi Foundation"));
    assert_eq!(pi.names, ["rpi.local"]);
    assert_eq!((pi.first_seen, pi.last_seen), (t(0), t(3600)));
    assert_eq!(pi.ipv4, [("192.0.2.7".parse().unwrap(), t(3600))]);
    assert_eq!(pi.addresses[0].address, addr(1, 1));
    assert_eq!(
        pi.addresses[0].seen_by,
        [crate::model::SeenBy::Echo],
        "how each address was seen"
    );
    let known = inv.known(&iface("eth0", Some(1))).unwrap();
    assert!(known.seen_before);
    let adv = known.routers[0].advert.as_ref().expect("the advert");
    assert_eq!(
        (known.routers[0].mac, adv.lifetime, adv.prefixes.len()),
        (mac(2), 1800, 1)
    );
    assert_eq!(
        inv.recall(&iface("wlan0", None), t(0), 10).unwrap(),
        [addr(1, 3), addr(3, 1)]
    );
    assert!(inv.integrity_ok().unwrap());
}

#[test]
fn a_version_2_file_is_read_as_it_is_then_migrates_with_its_rows_intact() {
    let (dir, _) = temp();
    let path = version_2_file(dir.path());
    // Read-only (history before any scan of the new build): no labels yet, no write.
    let ro = Inventory::open_read_only(&path).unwrap();
    holds_the_version_2_rows(&ro);
    assert_eq!(ro.labels().unwrap(), Labels::default());
    drop(ro);
    let check = Connection::open(&path).unwrap();
    assert_eq!(schema::user_version(&check).unwrap(), 2, "not migrated");
    drop(check);

    let mut inv = open(&path);
    assert!(!inv.is_read_only());
    assert_eq!(schema::user_version(&inv.conn).unwrap(), SCHEMA_VERSION);
    holds_the_version_2_rows(&inv);
    // Labels work on the migrated file, and the old rows take them.
    let set = inv.set_label(mac(1), "kitchen-pi", t(9000)).unwrap();
    assert_eq!(set, LabelSet::Set { previous: None });
    drop(inv);
    let ro = Inventory::open_read_only(&path).unwrap();
    let labelled: Vec<_> = ro
        .devices(None)
        .unwrap()
        .into_iter()
        .filter(|d| d.label.as_deref() == Some("kitchen-pi"))
        .map(|d| d.iface.name)
        .collect();
    assert_eq!(labelled, ["eth0", "wlan0"], "a label belongs to the MAC");
}

#[test]
fn a_label_is_one_per_device_and_one_device_per_label() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let (eth, wlan) = (iface("eth0", Some(1)), iface("wlan0", None));
    let s = [
        sighting(&eth, 1, &[1]),
        sighting(&wlan, 1, &[2]),
        sighting(&eth, 2, &[1]),
    ];
    inv.record(&s, t(0), roomy()).unwrap();
    let set = |inv: &mut Inventory, m: u32, l: &str| inv.set_label(mac(m), l, t(1)).unwrap();
    assert_eq!(set(&mut inv, 1, "pi"), LabelSet::Set { previous: None });
    assert_eq!(
        set(&mut inv, 1, "kitchen-pi"),
        LabelSet::Set {
            previous: Some("pi".into())
        },
        "a new label replaces the old one"
    );
    assert_eq!(
        set(&mut inv, 1, "Kitchen-Pi"),
        LabelSet::Set {
            previous: Some("kitchen-pi".into())
        },
        "its own label in another case"
    );
    assert_eq!(
        set(&mut inv, 2, "KITCHEN-pi"),
        LabelSet::Taken { by: mac(1) },
        "another device's label, whatever its case"
    );
    assert_eq!(set(&mut inv, 2, "pi"), LabelSet::Set { previous: None });
    let labels = inv.labels().unwrap();
    assert_eq!(labels.get(mac(1)), Some("Kitchen-Pi"));
    assert_eq!(labels.get(mac(2)), Some("pi"));
    assert_eq!(labels.holder("kitchen-PI"), Some(mac(1)));
    // The file refuses a second holder even past the check (two processes at once).
    let dup = inv.conn.execute(
        "INSERT INTO label (mac, label, folded, set_at) VALUES (?1, 'x', 'kitchen-pi', 0)",
        [codec::mac_blob(mac(3))],
    );
    assert!(dup.is_err(), "folded is unique");

    assert_eq!(inv.remove_label(mac(2)).unwrap(), Some("pi".into()));
    assert_eq!(
        inv.remove_label(mac(2)).unwrap(),
        None,
        "nothing left to remove"
    );
    assert_eq!(inv.labels().unwrap().get(mac(2)), None);
}

#[test]
fn a_label_goes_with_the_last_device_of_its_mac() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let (eth, wlan) = (iface("eth0", Some(1)), iface("wlan0", None));
    inv.record(
        &[sighting(&eth, 1, &[1]), sighting(&eth, 2, &[1])],
        t(0),
        roomy(),
    )
    .unwrap();
    inv.record(&[sighting(&wlan, 1, &[2])], t(100), roomy())
        .unwrap();
    inv.set_label(mac(1), "pi", t(1)).unwrap();
    inv.set_label(mac(2), "nas", t(1)).unwrap();
    // Device 2 and device 1's eth0 row are forgotten; device 1 lives on wlan0.
    assert_eq!(inv.prune(t(50)).unwrap(), 2);
    let labels = inv.labels().unwrap();
    assert_eq!(labels.get(mac(1)), Some("pi"));
    assert_eq!(labels.get(mac(2)), None);
    assert_eq!(inv.devices(None).unwrap()[0].label.as_deref(), Some("pi"));
}

#[test]
fn labels_are_refused_on_a_file_only_read() {
    let (dir, _) = temp();
    let path = version_2_file(dir.path());
    let mut ro = Inventory::open_read_only(&path).unwrap();
    assert!(matches!(
        ro.set_label(mac(1), "pi", t(0)),
        Err(InventoryError::ReadOnly { .. })
    ));
    assert!(matches!(
        ro.remove_label(mac(1)),
        Err(InventoryError::ReadOnly { .. })
    ));
}

/// The migrations, then a step that never ends: what a process killed mid-migration ran.
/// Once the real steps have run (inside the one transaction) it creates
/// [`stall_marker`] of the file, then waits to be killed.
pub(super) fn stalled_migrations() -> Vec<Migration> {
    fn stall(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
        let file = Path::new(tx.path().expect("a file"));
        std::fs::write(stall_marker(file), b"in the migration").expect("the marker");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
    let mut steps = schema::MIGRATIONS.to_vec();
    steps.push(stall);
    steps
}

/// The file [`stalled_migrations`] creates beside inventory `file` when it stalls.
pub(super) fn stall_marker(file: &Path) -> PathBuf {
    file.with_extension("stalled")
}
