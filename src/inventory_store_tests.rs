use super::fixture::*;
use super::schema::{self, Found, Migration};
use super::*;
use crate::model::{IidKind, SeenBy};
use rusqlite::Connection;
use std::net::Ipv4Addr;
use std::os::unix::fs::PermissionsExt;

fn count(inv: &Inventory, table: &str) -> i64 {
    inv.conn
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn creates_the_schema_with_its_version_and_private_modes() {
    let (_dir, path) = temp();
    let inv = open(&path);
    assert!(!inv.is_read_only());
    assert_eq!(inv.path(), path);
    assert_eq!(schema::user_version(&inv.conn).unwrap(), SCHEMA_VERSION);
    let mode: String = inv
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    for table in ["interface", "device", "address", "ipv4", "advert", "label"] {
        assert_eq!(count(&inv, table), 0);
    }
    let file = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(file, 0o600, "file mode {file:o}");
    let dir = std::fs::metadata(path.parent().unwrap()).unwrap();
    assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    // SQLite gives the -wal file the database's mode.
    let wal = path.with_extension("sqlite3-wal");
    assert_eq!(
        std::fs::metadata(wal).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn leaves_an_existing_directory_alone() {
    let (dir, _) = temp();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let inv = open(&dir.path().join("inv.sqlite3"));
    drop(inv);
    let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755);
}

#[test]
fn migrates_an_empty_file_and_reopens_without_migrating() {
    let (dir, _) = temp();
    let path = dir.path().join("empty.sqlite3");
    std::fs::write(&path, b"").unwrap();
    let mut inv = open(&path);
    assert_eq!(schema::user_version(&inv.conn).unwrap(), SCHEMA_VERSION);
    let key = iface("eth0", Some(1));
    inv.record(&[sighting(&key, 1, &[1])], t(0), roomy())
        .unwrap();
    drop(inv);
    let inv = open(&path);
    assert_eq!(inv.devices(None).unwrap().len(), 1);
}

#[test]
fn a_next_version_is_one_more_function() {
    fn next(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
        tx.execute_batch("ALTER TABLE device ADD COLUMN note TEXT")
    }
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let mut steps: Vec<Migration> = schema::MIGRATIONS.to_vec();
    steps.push(next);
    let newer = SCHEMA_VERSION + 1;
    assert_eq!(
        schema::migrate(&mut inv.conn, &steps).unwrap(),
        Found::Current
    );
    assert_eq!(schema::user_version(&inv.conn).unwrap(), newer);
    inv.conn
        .execute_batch("SELECT note FROM device")
        .expect("the new column");
    // And this build, which does not know that step, sees the file as newer.
    assert_eq!(
        schema::migrate(&mut inv.conn, schema::MIGRATIONS).unwrap(),
        Found::Newer(newer)
    );
    // From version 0 every step runs in one go.
    let mut fresh = Connection::open_in_memory().unwrap();
    schema::migrate(&mut fresh, &steps).unwrap();
    assert_eq!(schema::user_version(&fresh).unwrap(), newer);
}

#[test]
fn a_version_1_file_gains_the_advert_table_and_keeps_its_devices() {
    let (dir, _) = temp();
    let path = dir.path().join("v1.sqlite3");
    {
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate(&mut conn, &schema::MIGRATIONS[..1]).unwrap();
        conn.execute(
            "INSERT INTO interface (name, mac, first_seen, last_seen) VALUES ('eth0', NULL, 0, 0)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO device (interface_id, mac, router, first_seen, last_seen)
             VALUES (1, x'0024a5000001', 1, 0, 0)",
            [],
        )
        .unwrap();
    }
    let inv = open(&path);
    assert_eq!(schema::user_version(&inv.conn).unwrap(), SCHEMA_VERSION);
    let k = inv.known(&iface("eth0", None)).unwrap();
    assert!(k.seen_before);
    // A router from before version 2: known, what it advertised not.
    assert_eq!(k.routers.len(), 1);
    assert_eq!(k.routers[0].advert, None);
}

#[test]
fn records_and_reads_back_with_times() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let eth = iface("eth0", Some(1));
    let mut a = sighting(&eth, 1, &[1, 2]);
    a.names = vec!["pi.local".into()];
    a.router = true;
    a.ipv4 = vec![Ipv4Addr::new(192, 168, 1, 10)];
    let b = sighting(&eth, 2, &[1]);
    let r = inv.record(&[a.clone(), b], t(10), roomy()).unwrap();
    assert_eq!(
        r,
        Recorded {
            new_devices: 2,
            updated: 0,
            dropped_over_limit: 0
        }
    );
    // The next scan: device 1 again, one old address (now seen by ndp too), one new,
    // another name, no router flag, a new IPv4 address.
    let mut a2 = sighting(&eth, 1, &[2, 3]);
    a2.addresses[0].seen_by = vec![SeenBy::Ndp];
    a2.addresses[1].iid = IidKind::Eui64;
    a2.names = vec!["raspberrypi".into(), "PI.local".into()];
    a2.vendor = None;
    a2.ipv4 = vec![Ipv4Addr::new(192, 168, 1, 11)];
    let r = inv.record(&[a2], t(20), roomy()).unwrap();
    assert_eq!((r.new_devices, r.updated), (0, 1));

    let devices = inv.devices(None).unwrap();
    assert_eq!(devices.len(), 2);
    let d = &devices[0];
    assert_eq!((d.mac, d.first_seen, d.last_seen), (mac(1), t(10), t(20)));
    assert_eq!(d.iface, eth);
    assert_eq!(d.vendor.as_deref(), Some("Acme Corp"), "kept when unknown");
    assert_eq!(
        d.names,
        ["raspberrypi", "PI.local"],
        "newest first, no twins"
    );
    assert!(d.router, "the router flag sticks");
    let addrs: Vec<_> = d.addresses.iter().map(|k| k.address).collect();
    assert_eq!(addrs, [addr(1, 2), addr(1, 3), addr(1, 1)], "newest first");
    let two = &d.addresses[0];
    assert_eq!((two.first_seen, two.last_seen), (t(10), t(20)));
    assert_eq!(two.seen_by, [SeenBy::Echo, SeenBy::Ndp]);
    assert_eq!(d.addresses[1].iid, IidKind::Eui64);
    assert_eq!(d.addresses[2].last_seen, t(10));
    assert_eq!(
        d.ipv4,
        [
            (Ipv4Addr::new(192, 168, 1, 11), t(20)),
            (Ipv4Addr::new(192, 168, 1, 10), t(10))
        ]
    );
    assert_eq!(devices[1].mac, mac(2));
    assert_eq!(inv.devices(Some(t(15))).unwrap().len(), 1);

    assert_eq!(
        inv.recall(&eth, t(0), 10).unwrap(),
        [addr(1, 2), addr(1, 3), addr(1, 1), addr(2, 1)]
    );
    assert_eq!(inv.recall(&eth, t(15), 10).unwrap().len(), 2);
    assert_eq!(inv.recall(&eth, t(0), 1).unwrap(), [addr(1, 2)]);
    assert!(inv
        .recall(&iface("wlan0", None), t(0), 10)
        .unwrap()
        .is_empty());

    // One device's addresses: its own, newest first, none of another's.
    assert_eq!(
        inv.device_recall(&eth, mac(1), 10).unwrap(),
        [addr(1, 2), addr(1, 3), addr(1, 1)]
    );
    assert_eq!(inv.device_recall(&eth, mac(1), 1).unwrap(), [addr(1, 2)]);
    assert!(inv.device_recall(&eth, mac(3), 10).unwrap().is_empty());
    assert!(inv
        .device_recall(&iface("wlan0", None), mac(1), 10)
        .unwrap()
        .is_empty());

    assert_eq!(inv.last_seen(&eth, mac(1)).unwrap(), Some(t(20)));
    assert_eq!(inv.last_seen(&eth, mac(2)).unwrap(), Some(t(10)));
    assert_eq!(inv.last_seen(&eth, mac(3)).unwrap(), None);
    assert_eq!(
        inv.last_seen(&iface("eth9", Some(9)), mac(1)).unwrap(),
        None
    );

    let by = inv.by_ipv4(Ipv4Addr::new(192, 168, 1, 10)).unwrap();
    assert_eq!(by.len(), 1);
    assert_eq!(by[0].mac, mac(1));
    assert!(inv.by_ipv4(Ipv4Addr::new(10, 0, 0, 1)).unwrap().is_empty());
}

#[test]
fn by_ipv4_lists_the_latest_holder_first() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let eth = iface("eth0", None);
    let v4 = Ipv4Addr::new(10, 0, 0, 7);
    for (d, at) in [(1, 5), (2, 9), (3, 7)] {
        let mut s = sighting(&eth, d, &[]);
        s.ipv4 = vec![v4];
        inv.record(&[s], t(at), roomy()).unwrap();
    }
    let macs: Vec<_> = inv.by_ipv4(v4).unwrap().iter().map(|d| d.mac).collect();
    assert_eq!(macs, [mac(2), mac(3), mac(1)]);
}

#[test]
fn a_clock_set_back_never_moves_last_seen_back() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let eth = iface("eth0", None);
    inv.record(&[sighting(&eth, 1, &[1])], t(100), roomy())
        .unwrap();
    inv.record(&[sighting(&eth, 1, &[1])], t(50), roomy())
        .unwrap();
    let d = &inv.devices(None).unwrap()[0];
    assert_eq!((d.first_seen, d.last_seen), (t(50), t(100)));
}

#[test]
fn bounds_new_devices_per_interface_and_addresses_per_device() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let (eth, wlan) = (iface("eth0", Some(1)), iface("wlan0", Some(2)));
    let limits = Limits {
        max_new_devices_per_iface: 3,
        max_addresses_per_device: 4,
    };
    let first: Vec<Sighting> = (0..2).map(|d| sighting(&eth, d, &[1])).collect();
    inv.record(&first, t(0), limits).unwrap();
    // A flood: 10 new MACs on eth0 and 5 on wlan0, plus the two known ones.
    let mut flood: Vec<Sighting> = (0..12).map(|d| sighting(&eth, d, &[1, 2])).collect();
    flood.extend((100..105).map(|d| sighting(&wlan, d, &[1])));
    let r = inv.record(&flood, t(10), limits).unwrap();
    assert_eq!(
        r,
        Recorded {
            new_devices: 6,
            updated: 2,
            dropped_over_limit: 9
        }
    );
    assert_eq!(count(&inv, "device"), 8);
    assert_eq!(inv.last_seen(&eth, mac(0)).unwrap(), Some(t(10)));
    // One device claiming 10 addresses keeps the 4 seen last.
    inv.record(&[sighting(&eth, 0, &[1, 2, 3, 4, 5])], t(20), limits)
        .unwrap();
    inv.record(&[sighting(&eth, 0, &[6, 7, 8])], t(30), limits)
        .unwrap();
    let d = inv.devices(None).unwrap().remove(0);
    assert_eq!(d.mac, mac(0));
    let kept: Vec<_> = d.addresses.iter().map(|a| a.address).collect();
    assert_eq!(kept.len(), 4);
    assert!(kept[..3]
        .iter()
        .all(|a| [6, 7, 8].map(|n| addr(0, n)).contains(a)));
}

#[test]
fn prune_forgets_old_devices_and_old_addresses() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let eth = iface("eth0", None);
    let old_iface = iface("usb0", Some(7));
    let mut gone = sighting(&eth, 1, &[1, 2]);
    gone.ipv4 = vec![Ipv4Addr::new(10, 0, 0, 1)];
    inv.record(
        &[gone, sighting(&eth, 2, &[1]), sighting(&old_iface, 3, &[1])],
        t(0),
        roomy(),
    )
    .unwrap();
    inv.record(&[sighting(&eth, 2, &[2])], t(100), roomy())
        .unwrap();
    assert_eq!(inv.prune(t(50)).unwrap(), 2);
    let devices = inv.devices(None).unwrap();
    assert_eq!(devices.len(), 1);
    let kept: Vec<_> = devices[0].addresses.iter().map(|a| a.address).collect();
    assert_eq!(kept, [addr(2, 2)], "its old address went too");
    assert_eq!(count(&inv, "address"), 1);
    assert_eq!(count(&inv, "ipv4"), 0);
    assert_eq!(count(&inv, "interface"), 1, "usb0 had nothing left");
    assert_eq!(inv.prune(t(50)).unwrap(), 0);
}

#[test]
fn a_renamed_interface_keeps_its_history_by_mac() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let before = iface("usb0", Some(5));
    inv.record(&[sighting(&before, 1, &[1])], t(0), roomy())
        .unwrap();
    let after = iface("enx02ee00000005", Some(5));
    assert_eq!(inv.last_seen(&after, mac(1)).unwrap(), Some(t(0)));
    inv.record(&[sighting(&after, 1, &[2])], t(10), roomy())
        .unwrap();
    let d = inv.devices(None).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].iface, after, "the new name is stored");
    assert_eq!((d[0].first_seen, d[0].addresses.len()), (t(0), 2));
    // Another adapter now called usb0 is another interface; one without a MAC is known
    // by name.
    let other = iface("usb0", Some(6));
    assert_eq!(inv.last_seen(&other, mac(1)).unwrap(), None);
    let tun = iface("tun0", None);
    inv.record(&[sighting(&tun, 9, &[1])], t(20), roomy())
        .unwrap();
    assert_eq!(inv.last_seen(&tun, mac(9)).unwrap(), Some(t(20)));
    assert_eq!(count(&inv, "interface"), 2);
}

#[test]
fn two_threads_with_their_own_inventories_write_concurrently() {
    let (_dir, path) = temp();
    drop(open(&path));
    let eth = iface("eth0", Some(1));
    let threads: Vec<_> = (0..2u32)
        .map(|n| {
            let (path, eth) = (path.clone(), eth.clone());
            std::thread::spawn(move || {
                let mut inv = open(&path);
                for i in 0..200u32 {
                    let d = n * 1000 + i;
                    // A shared device too, so both write the same rows.
                    let s = [sighting(&eth, d, &[1]), sighting(&eth, 99_999, &[n])];
                    inv.record(&s, t(u64::from(i)), roomy())
                        .unwrap_or_else(|e| panic!("thread {n}, write {i}: {e}"));
                    // Reads interleave with the other thread's writes.
                    inv.last_seen(&eth, mac(d)).unwrap().expect("just written");
                }
            })
        })
        .collect();
    for th in threads {
        th.join().expect("writer thread");
    }
    let inv = open(&path);
    assert_eq!(inv.devices(None).unwrap().len(), 401);
    assert_eq!(count(&inv, "address"), 402);
}

/// The inventory's cost on a churning link, printed: `cargo test --release --lib -- --ignored --nocapture
/// inventory_figures`. A churning link (50 devices, a new temporary address each round,
/// a fifth of them away every other round) for 1,000 watch rounds; then record() of a
/// 150-device scan.
#[test]
#[ignore]
fn inventory_figures() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let key = iface("eth0", Some(1));
    for round in 0..1000u32 {
        let s: Vec<_> = (0..50u32)
            .filter(|d| round % 2 == 0 || d % 5 != 0)
            .map(|d| sighting(&key, d, &[1, 1000 + round]))
            .collect();
        inv.record(&s, t(u64::from(round) * 5), Limits::default())
            .unwrap();
    }
    let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let wal = path.with_extension("sqlite3-wal");
    println!(
        "after 1000 rounds: file {} KiB (+ WAL {} KiB)",
        size(&path) / 1024,
        size(&wal) / 1024
    );
    let scan: Vec<_> = (0..150u32)
        .map(|d| sighting(&key, 10_000 + d, &[1, 2]))
        .collect();
    let mut times = Vec::new();
    for i in 0..21u64 {
        let t0 = std::time::Instant::now();
        inv.record(&scan, t(10_000 + i), Limits::default()).unwrap();
        times.push(t0.elapsed());
    }
    times.sort();
    println!(
        "record() of 150 devices: median {:?}, max {:?}",
        times[10], times[20]
    );
}

#[test]
fn known_gives_routers_with_their_adverts_and_the_last_mac_of_each_address() {
    use crate::health::KnownAdvert;
    use crate::model::Ipv6Prefix;
    use crate::router::Preference;
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let key = iface("eth0", Some(1));
    assert_eq!(inv.known(&key).unwrap(), crate::health::Known::default());
    let mut router = sighting(&key, 1, &[1]);
    router.router = true;
    let advert = KnownAdvert {
        lifetime: 1800,
        preference: Preference::High,
        prefixes: vec![
            Ipv6Prefix::new("2001:db8:1::".parse().unwrap(), 64),
            Ipv6Prefix::new("fd00:1::".parse().unwrap(), 48),
        ],
    };
    router.advert = Some(advert.clone());
    inv.record(&[router, sighting(&key, 2, &[2])], t(10), roomy())
        .unwrap();
    // Later, device 3 answers for device 2's address.
    let mut taken = sighting(&key, 3, &[]);
    taken.addresses = sighting(&key, 2, &[2]).addresses;
    inv.record(&[taken], t(20), roomy()).unwrap();
    let k = inv.known(&key).unwrap();
    assert!(k.seen_before);
    assert_eq!(k.routers.len(), 1);
    assert_eq!(k.routers[0].mac, mac(1));
    assert_eq!(k.routers[0].advert, Some(advert));
    assert_eq!(k.macs[&addr(1, 1)], mac(1));
    assert_eq!(k.macs[&addr(2, 2)], mac(3));
    // Another interface knows nothing of these.
    assert!(!inv.known(&iface("eth1", Some(9))).unwrap().seen_before);
}
