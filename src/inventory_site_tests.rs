//! Other sites' devices in one inventory (a hub recording several sites' watchers), and
//! the migration that brought them: a version 3 file is read as it is, then migrated with
//! every row and label intact.

use super::fixture::*;
use super::schema;
use super::*;
use crate::health::Known;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

fn count(inv: &Inventory, table: &str) -> i64 {
    inv.conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// A version 3 file as the build before sites wrote it: the version 2 fixture brought to
/// version 3 by that build's own steps, with device 1 labelled.
fn version_3_file(dir: &Path) -> PathBuf {
    let path = super::label::version_2_file(dir);
    let mut conn = Connection::open(&path).unwrap();
    schema::migrate(&mut conn, &schema::MIGRATIONS[..3]).unwrap();
    conn.execute(
        "INSERT INTO label (mac, label, folded, set_at) VALUES (?1, 'Pi', 'pi', 0)",
        [codec::mac_blob(mac(1))],
    )
    .unwrap();
    assert_eq!(schema::user_version(&conn).unwrap(), 3);
    path
}

/// Every device of the file is this machine's, and device 1 keeps its label.
fn all_local_and_labelled(inv: &Inventory) {
    let devices = inv.devices(None).unwrap();
    assert_eq!(devices.len(), 4);
    assert!(devices.iter().all(|d| d.site.is_none()));
    let labelled: Vec<_> = devices
        .iter()
        .filter(|d| d.label.as_deref() == Some("Pi"))
        .map(|d| d.mac)
        .collect();
    assert_eq!(labelled, [mac(1), mac(1)]);
}

#[test]
fn a_version_3_file_is_read_as_it_is_then_migrates_with_its_rows_and_labels_intact() {
    let (dir, _) = temp();
    let path = version_3_file(dir.path());
    // Read-only (history before any scan of the new build): no sites yet, no write.
    let ro = Inventory::open_read_only(&path).unwrap();
    super::label::holds_the_fixture_rows(&ro);
    all_local_and_labelled(&ro);
    assert_eq!(ro.labels().unwrap().get(mac(1)), Some("Pi"));
    drop(ro);
    let check = Connection::open(&path).unwrap();
    assert_eq!(schema::user_version(&check).unwrap(), 3, "not migrated");
    drop(check);

    let mut inv = open(&path);
    assert!(!inv.is_read_only());
    assert_eq!(schema::user_version(&inv.conn).unwrap(), SCHEMA_VERSION);
    super::label::holds_the_fixture_rows(&inv);
    all_local_and_labelled(&inv);
    // The old interface known by its name alone is still found by it, and a site's
    // interface of that name is another one.
    let wlan = iface("wlan0", None);
    inv.record_site("b", &[sighting(&wlan, 3, &[9])], t(9000), roomy())
        .unwrap();
    inv.record(&[sighting(&wlan, 3, &[1])], t(9000), roomy())
        .unwrap();
    assert_eq!(count(&inv, "interface"), 3);
    assert_eq!(
        inv.recall(&wlan, t(0), 10).unwrap(),
        [addr(3, 1), addr(1, 3)],
        "this machine's wlan0 only"
    );
}

#[test]
fn the_file_refuses_a_second_interface_of_one_name_at_one_place() {
    let (_dir, path) = temp();
    let inv = open(&path);
    let add = |name: &str, site: Option<&str>| {
        inv.conn.execute(
            "INSERT INTO interface (name, mac, site, first_seen, last_seen)
             VALUES (?1, NULL, ?2, 0, 0)",
            rusqlite::params![name, site],
        )
    };
    add("eth0", None).unwrap();
    add("eth0", Some("a")).unwrap();
    add("eth0", Some("b")).unwrap();
    assert!(add("eth0", None).is_err(), "this machine's eth0 twice");
    assert!(add("eth0", Some("a")).is_err(), "site a's eth0 twice");
}

#[test]
fn sites_and_this_machine_keep_their_interfaces_apart() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let eth = iface("eth0", None);
    inv.record(&[sighting(&eth, 1, &[1])], t(0), roomy())
        .unwrap();
    // The same MAC on "eth0" at two sites, and a second device at site a.
    inv.record_site("a", &[sighting(&eth, 1, &[2])], t(10), roomy())
        .unwrap();
    let r = inv
        .record_site(
            "b",
            &[sighting(&eth, 1, &[3]), sighting(&eth, 2, &[1])],
            t(20),
            roomy(),
        )
        .unwrap();
    assert_eq!(
        r,
        Recorded {
            new_devices: 2,
            updated: 0,
            dropped_over_limit: 0
        }
    );
    assert_eq!(count(&inv, "interface"), 3, "eth0 here, at a and at b");
    assert_eq!(count(&inv, "device"), 4);
    let rows: Vec<_> = inv
        .devices(None)
        .unwrap()
        .into_iter()
        .map(|d| (d.site, d.iface.name, d.mac, d.addresses[0].address))
        .collect();
    let b = Some("b".to_string());
    assert_eq!(
        rows,
        [
            (b.clone(), "eth0".into(), mac(1), addr(1, 3)),
            (b, "eth0".into(), mac(2), addr(2, 1)),
            (Some("a".into()), "eth0".into(), mac(1), addr(1, 2)),
            (None, "eth0".into(), mac(1), addr(1, 1)),
        ]
    );
}

#[test]
fn a_site_interface_is_its_name_whatever_mac_the_sighting_gives() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    // This machine's eth0 has a MAC; a site's sightings name the same one.
    let mine = iface("eth0", Some(1));
    inv.record(&[sighting(&mine, 1, &[1])], t(0), roomy())
        .unwrap();
    let s = [
        sighting(&mine, 2, &[1]),
        sighting(&iface("eth0", None), 3, &[1]),
    ];
    inv.record_site("a", &s, t(10), roomy()).unwrap();
    assert_eq!(count(&inv, "interface"), 2);
    let at_a: Vec<_> = inv
        .devices(None)
        .unwrap()
        .into_iter()
        .filter(|d| d.site.is_some())
        .map(|d| (d.iface.mac, d.mac))
        .collect();
    assert_eq!(at_a, [(None, mac(2)), (None, mac(3))]);
}

#[test]
fn this_machines_lookups_never_see_another_sites_devices() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let (eth, own) = (iface("eth0", None), iface("eth1", Some(1)));
    let mut router = sighting(&eth, 1, &[1]);
    router.router = true;
    inv.record_site("a", &[router, sighting(&own, 2, &[1])], t(0), roomy())
        .unwrap();
    for key in [&eth, &own] {
        assert!(inv.recall(key, t(0), 10).unwrap().is_empty());
        assert!(inv.device_recall(key, mac(1), 10).unwrap().is_empty());
        assert_eq!(inv.last_seen(key, mac(1)).unwrap(), None);
        assert_eq!(inv.last_seen(key, mac(2)).unwrap(), None);
        assert_eq!(inv.known(key).unwrap(), Known::default());
    }
    // Seen here too, it is known here from then on, and only from here.
    inv.record(&[sighting(&eth, 1, &[5])], t(100), roomy())
        .unwrap();
    assert_eq!(inv.recall(&eth, t(0), 10).unwrap(), [addr(1, 5)]);
    assert_eq!(inv.device_recall(&eth, mac(1), 10).unwrap(), [addr(1, 5)]);
    assert_eq!(inv.last_seen(&eth, mac(1)).unwrap(), Some(t(100)));
    let known = inv.known(&eth).unwrap();
    assert!(known.seen_before && known.routers.is_empty());
}

#[test]
fn limits_apply_to_each_interface_of_each_site() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let limits = Limits {
        max_new_devices_per_iface: 2,
        max_addresses_per_device: 3,
    };
    let eth = iface("eth0", None);
    // Five new MACs on eth0 of site a (one sighting naming a MAC for it: the same
    // interface), three on eth0 of site b.
    let mut a: Vec<Sighting> = (0..5).map(|d| sighting(&eth, d, &[1])).collect();
    a[1].iface = iface("eth0", Some(9));
    let r = inv.record_site("a", &a, t(0), limits).unwrap();
    assert_eq!((r.new_devices, r.dropped_over_limit), (2, 3));
    let b: Vec<Sighting> = (0..3).map(|d| sighting(&eth, d, &[1])).collect();
    let r = inv.record_site("b", &b, t(0), limits).unwrap();
    assert_eq!((r.new_devices, r.dropped_over_limit), (2, 1));
    // Known devices are updated whatever the limit; addresses are bounded.
    let r = inv
        .record_site("a", &[sighting(&eth, 0, &[1, 2, 3, 4, 5])], t(10), limits)
        .unwrap();
    assert_eq!((r.updated, r.new_devices), (1, 0));
    let d = inv.devices(None).unwrap().remove(0);
    assert_eq!((d.site.as_deref(), d.mac), (Some("a"), mac(0)));
    assert_eq!(d.addresses.len(), 3);
}

#[test]
fn a_file_only_read_refuses_a_sites_record() {
    let (dir, _) = temp();
    let path = version_3_file(dir.path());
    let mut ro = Inventory::open_read_only(&path).unwrap();
    let s = [sighting(&iface("eth0", None), 1, &[1])];
    assert!(matches!(
        ro.record_site("a", &s, t(0), roomy()),
        Err(InventoryError::ReadOnly { .. })
    ));
}

#[test]
fn prune_forgets_a_sites_old_devices_and_interfaces() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let eth = iface("eth0", None);
    inv.record_site("a", &[sighting(&eth, 1, &[1])], t(0), roomy())
        .unwrap();
    inv.record_site("b", &[sighting(&eth, 1, &[1])], t(100), roomy())
        .unwrap();
    assert_eq!(inv.prune(t(50)).unwrap(), 1);
    assert_eq!(count(&inv, "interface"), 1);
    let left = inv.devices(None).unwrap();
    assert_eq!(left[0].site.as_deref(), Some("b"));
}
