//! What the cache and the inventory know, fed into running workers on simulated links:
//! the first probe never waits for them, and the window waits for what they name.

use super::*;
use crate::mac::Mac;
use crate::neigh::{NeighEntry, NeighState};
use crate::probe::sim::{SimHost, SimLink};
use crate::probe::{Probe, Received};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A simulated link noting when its first probe went out.
struct Timed {
    inner: SimLink,
    first: std::sync::Arc<Mutex<Option<Instant>>>,
}

impl Link for Timed {
    fn send(&mut self, probe: &Probe<'_>) -> std::io::Result<()> {
        self.first.lock().unwrap().get_or_insert_with(Instant::now);
        self.inner.send(probe)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<Option<Received>> {
        self.inner.recv(buf, timeout)
    }
}

/// Holds a slow source until the first probe is out (at most `LIMIT`, so a scan that waits
/// for its sources before probing still ends), and says whether it was.
fn until_first_probe(first: &Mutex<Option<Instant>>) -> bool {
    const LIMIT: Duration = Duration::from_secs(30);
    let t0 = Instant::now();
    while first.lock().unwrap().is_none() {
        if t0.elapsed() > LIMIT {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    true
}

/// A neighbour cache that answers only after the first probe (a big table, a busy
/// kernel), noting whether the probe had gone first.
struct SlowCache {
    first: std::sync::Arc<Mutex<Option<Instant>>>,
    probe_went_first: std::sync::Arc<std::sync::atomic::AtomicBool>,
    entries: Vec<NeighEntry>,
}

impl NeighSource for SlowCache {
    fn dump(&self) -> std::io::Result<Vec<NeighEntry>> {
        let went = until_first_probe(&self.first);
        self.probe_went_first
            .store(went, std::sync::atomic::Ordering::Relaxed);
        Ok(self.entries.clone())
    }
}

#[test]
fn the_first_probe_waits_for_neither_the_cache_nor_the_inventory() {
    let first = std::sync::Arc::new(Mutex::new(None));
    let mut links = vec![(
        iface("eth0", 2, &["fe80::ffff"]),
        Timed {
            inner: SimLink::new(vec![
                SimHost::dozing_phone(1),
                SimHost::dozing_phone(2),
                SimHost::dozing_phone(3),
            ]),
            first: first.clone(),
        },
    )];
    let cache_waited = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cache = SlowCache {
        first: first.clone(),
        probe_went_first: cache_waited.clone(),
        entries: vec![NeighEntry {
            ifindex: 2,
            addr: a("fe80::1"),
            mac: None,
            state: NeighState::Stale,
            router: false,
        }],
    };
    let recall_waited = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (first_seen, went) = (first.clone(), recall_waited.clone());
    let hooks = ScanHooks {
        recall: Some(Box::new(move || {
            let w = until_first_probe(&first_seen);
            went.store(w, std::sync::atomic::Ordering::Relaxed);
            (HashMap::from([(2, vec![a("fe80::2")])]), Vec::new())
        })),
        ..ScanHooks::default()
    };
    let opts = ScanConfig {
        wait: Duration::from_secs(3),
        ..ScanConfig::default()
    };
    let report = scan_links_with(&mut links, &opts, Some(&cache), hooks, &mut |w| {
        panic!("{w}")
    });
    assert!(first.lock().unwrap().is_some(), "probes were sent");
    // Each slow source answered only after the first probe was out, so the probe did not
    // wait for it.
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    assert!(
        cache_waited.load(relaxed),
        "the first probe waited for the cache"
    );
    assert!(
        recall_waited.load(relaxed),
        "the first probe waited for the inventory"
    );
    let found: Vec<Ipv6Addr> = report.interfaces[0]
        .prefixes
        .iter()
        .flat_map(|p| p.hosts.iter().map(|h| h.address))
        .collect();
    // Both slow sources' phones are in: the window waited for them, and no longer than
    // its quiet end (the unnamed phone stays hidden).
    assert!(found.contains(&a("fe80::1")), "{found:?}");
    assert!(found.contains(&a("fe80::2")), "{found:?}");
    assert!(!found.contains(&a("fe80::3")), "{found:?}");
    assert!(report.stats.ended_early, "{:?}", report.stats);
}

#[test]
fn a_failed_inventory_read_is_its_warnings_and_the_scan_goes_on() {
    let mut links = vec![(
        iface("eth0", 2, &["fe80::ffff"]),
        SimLink::new(vec![SimHost::dozing_phone(1)]),
    )];
    let hooks = ScanHooks {
        recall: Some(Box::new(|| {
            let why = "database disk image is malformed".to_string();
            (HashMap::new(), vec![Warning::Inventory { why }])
        })),
        ..ScanHooks::default()
    };
    let opts = ScanConfig {
        wait: Duration::from_millis(500),
        ..ScanConfig::default()
    };
    let mut warnings = Vec::new();
    let report = scan_links_with(&mut links, &opts, None, hooks, &mut |w| warnings.push(w));
    assert_eq!(report.host_count(), 0);
    assert!(
        matches!(warnings.as_slice(), [Warning::Inventory { .. }]),
        "{warnings:?}"
    );
}

#[test]
fn a_search_solicits_where_its_device_was_before_anything_else() {
    let phone = SimHost::dozing_phone(7);
    let mut links = vec![(
        iface("eth0", 2, &["fe80::ffff"]),
        Timed {
            inner: SimLink::new(vec![SimHost::dozing_phone(1), phone.clone()]),
            first: Default::default(),
        },
    )];
    // The inventory remembers many devices; the searched one is where it was.
    let others: Vec<Ipv6Addr> = (0x100..0x200u16)
        .map(|i| Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, i))
        .collect();
    let first = HashMap::from([(2, phone.addrs.clone())]);
    let hooks = ScanHooks {
        recall: Some(Box::new(move || (HashMap::from([(2, others)]), Vec::new()))),
        first: Some(&first),
        sure: SureAnswer::for_queries(&[crate::query::Query::Mac(phone.mac)]),
        ..ScanHooks::default()
    };
    let opts = ScanConfig {
        wait: Duration::from_secs(3),
        ..ScanConfig::default()
    };
    let report = scan_links_with(&mut links, &opts, None, hooks, &mut |w| panic!("{w}"));
    let sent = &links[0].1.inner.sent;
    assert_eq!(sent[0].2[0], crate::probe::packet::TYPE_NEIGHBOUR_SOLICIT);
    assert_eq!(sent[0].2[8..24], phone.addrs[0].octets());
    let hosts: Vec<Option<Mac>> = report.interfaces[0]
        .prefixes
        .iter()
        .flat_map(|p| p.hosts.iter().map(|h| h.mac))
        .collect();
    assert_eq!(hosts, [Some(phone.mac)], "only the phone answers");
    // The search stops at its answer: one round of the window's three went out.
    let echo_rounds = sent
        .iter()
        .filter(|s| {
            s.0 == a("ff02::1") && s.2[0] == crate::probe::packet::TYPE_ECHO_REQUEST && !s.3
        })
        .count();
    assert_eq!(echo_rounds, 1, "{sent:?}");
    assert!(report.stats.ended_early, "{:?}", report.stats);
}
