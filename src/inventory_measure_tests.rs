//! Figures, not checks (ignored by default):
//! `cargo test --release --lib inventory::measure -- --ignored --nocapture`.

use super::fixture::*;
use super::*;
use crate::model::{IidKind, SeenBy};
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift), so every run simulates the same link.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Device `d` in one scan: its EUI-64 link-local and global addresses, and a
/// temporary address that changes every scan.
fn churning(key: &IfaceKey, d: u32, rng: &mut Rng) -> Sighting {
    let mut s = sighting(key, d, &[]);
    let eui = u128::from(u64::from_be_bytes(mac(d).eui64_interface_id()));
    let ll = Ipv6Addr::from((0xfe80u128 << 112) | eui);
    let global = Ipv6Addr::from((0x2001_0db8u128 << 96) | eui);
    let temp = Ipv6Addr::from((0x2001_0db8u128 << 96) | u128::from(rng.next() | 1 << 63));
    for (address, iid) in [
        (ll, IidKind::Eui64),
        (global, IidKind::Eui64),
        (temp, IidKind::Temporary),
    ] {
        s.addresses.push(AddrSighting {
            address,
            seen_by: vec![SeenBy::Echo, SeenBy::Ndp],
            iid,
        });
    }
    s.names = vec![format!("host-{d}.local")];
    s.ipv4 = vec![std::net::Ipv4Addr::new(192, 168, 1, (d % 250) as u8)];
    s
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture (and --release)"]
fn measure_size_and_record_time() {
    let (_dir, path) = temp();
    let eth = iface("eth0", Some(1));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut inv = open(&path);
    // 1,000 scans ten minutes apart (about a week): 50 resident devices, each answering
    // 90 % of scans, and a visitor (a phone with a fresh MAC) in a third of them.
    let start = Instant::now();
    let mut visitor = 10_000;
    for scan in 0..1_000u32 {
        let mut s = Vec::new();
        for d in 0..50 {
            if rng.chance(90) {
                s.push(churning(&eth, d, &mut rng));
            }
        }
        if rng.chance(33) {
            visitor += 1;
            s.push(churning(&eth, visitor, &mut rng));
        }
        let now = t(u64::from(scan) * 600);
        inv.record(&s, now, Limits::default()).unwrap();
        // What a scan would do daily: forget what was not seen for 30 days.
        if scan % 144 == 0 {
            inv.prune(now - Duration::from_secs(30 * 86_400)).unwrap();
        }
    }
    let devices = inv.devices(None).unwrap().len();
    drop(inv);
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "1,000 churning scans: {devices} devices, file {size} bytes ({} KiB), {:?} in all",
        size / 1024,
        start.elapsed()
    );

    // One record() of a 150-device report (3 addresses each, one new per scan), on a
    // file that already knows them.
    let (_dir2, path2) = temp();
    let mut inv = open(&path2);
    let mut times = Vec::new();
    for scan in 0..101u32 {
        let s: Vec<Sighting> = (0..150).map(|d| churning(&eth, d, &mut rng)).collect();
        let t0 = Instant::now();
        inv.record(&s, t(u64::from(scan) * 600), Limits::default())
            .unwrap();
        if scan > 0 {
            times.push(t0.elapsed());
        }
    }
    times.sort();
    println!(
        "record() of 150 devices: median {:?}, min {:?}, max {:?} (100 calls)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}

/// Not a check but a tool for `bench/run.sh --seed N`: adds `$V6SCOUT_SEED_DEVICES`
/// (default 5,000) devices nobody has — two link-local addresses each, seen now — to every
/// interface the inventory at `$V6SCOUT_SEED_INVENTORY` knows: a large inventory.
#[test]
#[ignore = "a tool for bench/run.sh --seed: V6SCOUT_SEED_INVENTORY=PATH"]
fn seed_from_env() {
    let Some(path) = std::env::var_os("V6SCOUT_SEED_INVENTORY") else {
        return;
    };
    let n: u32 = std::env::var("V6SCOUT_SEED_DEVICES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000);
    let mut inv = open(std::path::Path::new(&path));
    let mut keys: Vec<IfaceKey> = Vec::new();
    for d in inv.devices(None).unwrap() {
        if !keys.contains(&d.iface) {
            keys.push(d.iface);
        }
    }
    assert!(!keys.is_empty(), "scan once with --inventory first");
    let sightings: Vec<Sighting> = keys
        .iter()
        .flat_map(|k| (1..=n).map(move |d| sighting(k, 0x5eed_0000 + d, &[1, 2])))
        .collect();
    let start = Instant::now();
    inv.record(&sightings, std::time::SystemTime::now(), roomy())
        .unwrap();
    println!(
        "seeded {} devices on {} interfaces in {:?}",
        sightings.len(),
        keys.len(),
        start.elapsed()
    );
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture (and --release)"]
fn measure_reading_the_labels_before_a_scan() {
    let (_dir, path) = temp();
    let eth = iface("eth0", Some(1));
    let mut inv = open(&path);
    let devices: Vec<Sighting> = (0..10_000).map(|d| sighting(&eth, d, &[1, 2])).collect();
    inv.record(&devices, t(0), roomy()).unwrap();
    for d in 0..100 {
        inv.set_label(mac(d), &format!("device-{d}"), t(1)).unwrap();
    }
    drop(inv);
    // As a scan does: a fresh open, then the one read before the first probe.
    let inv = open(&path);
    let mut times: Vec<Duration> = (0..101)
        .map(|_| {
            let t0 = Instant::now();
            assert_eq!(inv.labels().unwrap().holder("device-7"), Some(mac(7)));
            t0.elapsed()
        })
        .collect();
    let first = times[0];
    times.sort();
    eprintln!(
        "labels(): 100 labels among 10,000 devices: first read {first:?}, then median {:?}, max {:?}",
        times[50], times[100]
    );
}
