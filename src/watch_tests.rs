use super::*;
use crate::model::HostKey;
use crate::model::Ipv6Prefix;
use crate::oui;
use crate::report::IfaceReport;
use crate::report::{HostRow, PrefixGroup, PrefixSource, ScanStats};
use std::time::{Duration, UNIX_EPOCH};

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);
const RTR: Mac = Mac([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca]);
const PRIV: Mac = Mac([0x4a, 0x02, 0x12, 0xc2, 0x16, 0xdf]);

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// A row of a fabricated report.
#[derive(Clone)]
struct R {
    addr: &'static str,
    mac: Option<Mac>,
    router: bool,
    is_self: bool,
    stale: bool,
}

fn r(addr: &'static str, mac: Mac) -> R {
    R {
        addr,
        mac: Some(mac),
        router: false,
        is_self: false,
        stale: false,
    }
}

fn nomac(addr: &'static str) -> R {
    R {
        mac: None,
        ..r(addr, PI)
    }
}

fn row(x: &R, iface: &str) -> HostRow {
    let address = a(x.addr);
    HostRow {
        router: x.router,
        is_self: x.is_self,
        stale: x.stale,
        ..HostRow::new(address, iface, x.mac)
    }
}

fn iface_report(name: &str, rows: impl IntoIterator<Item = HostRow>) -> IfaceReport {
    IfaceReport {
        prefixes: vec![PrefixGroup {
            prefix: Ipv6Prefix::new(a("fe80::"), 64),
            source: PrefixSource::Interface,
            hosts: rows.into_iter().collect(),
        }],
        ..IfaceReport::new(name, 2, None)
    }
}

fn report_at(scan: u64, ifaces: Vec<IfaceReport>) -> Report {
    Report {
        started: UNIX_EPOCH + Duration::from_secs(1_795_000_000 + 5 * scan),
        duration: Duration::from_secs(1),
        interfaces: ifaces,
        stats: ScanStats::default(),
        ports_checked: None,
    }
}

/// Feeds the report of `rows` on eth0 and returns (kind, mac, addresses) per event.
fn feed(w: &mut Watcher, rows: &[R]) -> Vec<(EventKind, Option<Mac>, Vec<Ipv6Addr>)> {
    let rep = report_at(
        w.scans(),
        vec![iface_report("eth0", rows.iter().map(|x| row(x, "eth0")))],
    );
    let ev = w.observe(&rep);
    check_invariants(w);
    for e in &ev {
        assert_eq!(e.interface, "eth0");
        assert_eq!(e.time, rep.started);
    }
    ev.into_iter()
        .map(|e| (e.kind, e.mac, e.addresses))
        .collect()
}

fn check_invariants(w: &Watcher) {
    for (name, s) in &w.ifaces {
        assert!(!s.hosts.is_empty(), "{name}: empty interface state kept");
        let mut n = 0;
        for (k, t) in &s.hosts {
            assert!(!t.addrs.is_empty(), "{name}: host {k:?} without address");
            for addr in t.addrs.keys() {
                assert_eq!(s.owner.get(addr), Some(k), "{name}: owner of {addr}");
                n += 1;
            }
            if let HostKey::Mac(m) = k {
                assert_eq!(t.mac, Some(*m));
            }
        }
        assert_eq!(n, s.owner.len(), "{name}: owner map has extra entries");
        assert!(s.owner.len() <= w.cfg.max_tracked, "{name}: over the cap");
    }
}

fn watcher() -> Watcher {
    Watcher::new(WatchConfig::default())
}

#[test]
fn first_scan_lists_hosts_present_one_event_per_mac() {
    let mut w = watcher();
    let ev = feed(
        &mut w,
        &[
            r("fe80::ba27:ebff:fe5a:1", PI),
            r("2001:db8:1::5", PI),
            R {
                router: true,
                ..r("fe80::1", RTR)
            },
        ],
    );
    assert_eq!(
        ev,
        [
            (EventKind::Present, Some(RTR), vec![a("fe80::1")]),
            (
                EventKind::Present,
                Some(PI),
                vec![a("2001:db8:1::5"), a("fe80::ba27:ebff:fe5a:1")]
            ),
        ]
    );
    assert_eq!(w.present(), 2);
    // Nothing changed: nothing to say.
    assert!(feed(
        &mut w,
        &[
            r("fe80::ba27:ebff:fe5a:1", PI),
            r("2001:db8:1::5", PI),
            r("fe80::1", RTR)
        ]
    )
    .is_empty());
}

#[test]
fn appeared_carries_mac_vendor_router_and_time() {
    let mut w = watcher();
    feed(&mut w, &[r("fe80::1", RTR)]);
    let rep = report_at(
        7,
        vec![iface_report(
            "eth0",
            [
                row(&r("fe80::1", RTR), "eth0"),
                row(
                    &R {
                        router: true,
                        ..r("fe80::ba27:ebff:fe5a:1", PI)
                    },
                    "eth0",
                ),
            ],
        )],
    );
    let ev = w.observe(&rep);
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e.kind, EventKind::Appeared { returning: false });
    assert_eq!(e.mac, Some(PI));
    assert_eq!(e.vendor, oui::lookup(PI));
    assert!(e.vendor.name().is_some());
    assert!(e.router);
    assert_eq!(e.time, rep.started);
    assert_eq!(e.addresses, [a("fe80::ba27:ebff:fe5a:1")]);
}

#[test]
fn gone_only_after_the_configured_number_of_misses() {
    let mut w = watcher();
    let both = [r("fe80::1", RTR), r("fe80::2", PI)];
    feed(&mut w, &both);
    assert!(feed(&mut w, &both[..1]).is_empty(), "one miss is not gone");
    assert!(feed(&mut w, &both).is_empty(), "a flap is not an event");
    assert!(feed(&mut w, &both[..1]).is_empty());
    assert_eq!(
        feed(&mut w, &both[..1]),
        [(EventKind::Gone, Some(PI), vec![a("fe80::2")])]
    );
    assert_eq!(w.present(), 1);
    assert!(feed(&mut w, &both[..1]).is_empty(), "gone is said once");

    let mut w1 = Watcher::new(WatchConfig {
        gone_after: 1,
        ..WatchConfig::default()
    });
    feed(&mut w1, &both);
    assert_eq!(feed(&mut w1, &both[..1]).len(), 1);
}

#[test]
fn returning_host_is_flagged() {
    let mut w = watcher();
    feed(&mut w, &[r("fe80::1", RTR)]);
    feed(
        &mut w,
        &[r("fe80::1", RTR), r("fe80::2", PI), r("2001:db8:1::2", PI)],
    );
    feed(&mut w, &[r("fe80::1", RTR)]);
    feed(&mut w, &[r("fe80::1", RTR)]);
    // Back with a new privacy address: the old global one is not carried over.
    let ev = feed(
        &mut w,
        &[r("fe80::1", RTR), r("fe80::2", PI), r("2001:db8:1::77", PI)],
    );
    assert_eq!(
        ev,
        [(
            EventKind::Appeared { returning: true },
            Some(PI),
            vec![a("2001:db8:1::77"), a("fe80::2")]
        )]
    );
}

#[test]
fn address_added_at_once_removed_after_misses() {
    let mut w = watcher();
    feed(&mut w, &[r("fe80::2", PI)]);
    let ev = feed(&mut w, &[r("fe80::2", PI), r("2001:db8:1::9", PI)]);
    assert_eq!(
        ev,
        [(
            EventKind::AddressAdded(a("2001:db8:1::9")),
            Some(PI),
            vec![a("2001:db8:1::9"), a("fe80::2")]
        )]
    );
    assert!(feed(&mut w, &[r("fe80::2", PI)]).is_empty());
    assert_eq!(
        feed(&mut w, &[r("fe80::2", PI)]),
        [(
            EventKind::AddressRemoved(a("2001:db8:1::9")),
            Some(PI),
            vec![a("fe80::2")]
        )]
    );
}

#[test]
fn new_mac_for_a_known_address_is_flagged() {
    let mut w = watcher();
    feed(
        &mut w,
        &[r("fe80::1", RTR), r("2001:db8:1::1", RTR), r("fe80::2", PI)],
    );
    // Another device answers for the router's global address.
    let ev = feed(
        &mut w,
        &[
            r("fe80::1", RTR),
            r("2001:db8:1::1", PRIV),
            r("fe80::2", PI),
        ],
    );
    assert_eq!(
        ev,
        [
            (
                EventKind::Appeared { returning: false },
                Some(PRIV),
                vec![a("2001:db8:1::1")]
            ),
            (
                EventKind::MacChanged {
                    address: a("2001:db8:1::1"),
                    previous: RTR
                },
                Some(PRIV),
                vec![a("2001:db8:1::1")]
            ),
        ]
    );
    // The router keeps its other address and gets no address-removed for the moved one.
    assert!(feed(
        &mut w,
        &[
            r("fe80::1", RTR),
            r("2001:db8:1::1", PRIV),
            r("fe80::2", PI)
        ]
    )
    .is_empty());
    // And back: flagged again, now on the known host (no address-added on top); the
    // impostor, left without an address, is gone.
    let ev = feed(
        &mut w,
        &[r("fe80::1", RTR), r("2001:db8:1::1", RTR), r("fe80::2", PI)],
    );
    assert_eq!(
        ev,
        [
            (EventKind::Gone, Some(PRIV), vec![a("2001:db8:1::1")]),
            (
                EventKind::MacChanged {
                    address: a("2001:db8:1::1"),
                    previous: PRIV
                },
                Some(RTR),
                vec![a("2001:db8:1::1"), a("fe80::1")]
            )
        ]
    );
}

#[test]
fn a_host_whose_only_address_moves_to_a_new_mac_is_gone() {
    let mut w = watcher();
    feed(&mut w, &[r("fe80::2", PI)]);
    // Its MAC changed (or another device took its place): the old MAC is reported gone
    // with the address it had, so scripts tracking devices by MAC can let it go.
    let ev = feed(&mut w, &[r("fe80::2", PRIV)]);
    assert_eq!(
        ev,
        [
            (EventKind::Gone, Some(PI), vec![a("fe80::2")]),
            (
                EventKind::Appeared { returning: false },
                Some(PRIV),
                vec![a("fe80::2")]
            ),
            (
                EventKind::MacChanged {
                    address: a("fe80::2"),
                    previous: PI
                },
                Some(PRIV),
                vec![a("fe80::2")]
            ),
        ]
    );
    assert_eq!(w.tracked_hosts()["eth0"], 1);
}

#[test]
fn replaced_device_is_flagged_even_after_the_old_one_is_gone() {
    let mut w = watcher();
    feed(&mut w, &[r("2001:db8:1::10", PI)]);
    for _ in 0..5 {
        feed(&mut w, &[]);
    }
    let ev = feed(&mut w, &[r("2001:db8:1::10", PRIV)]);
    let kinds: Vec<_> = ev.iter().map(|e| e.0).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Appeared { returning: false },
            EventKind::MacChanged {
                address: a("2001:db8:1::10"),
                previous: PI
            }
        ]
    );
    assert_eq!(
        w.tracked_hosts()["eth0"],
        1,
        "the old host held only that address"
    );
}

#[test]
fn gone_hosts_are_forgotten_after_forget_after_scans() {
    let mut w = Watcher::new(WatchConfig {
        gone_after: 2,
        forget_after: 3,
        max_tracked: 100,
    });
    feed(&mut w, &[r("fe80::2", PI)]);
    feed(&mut w, &[]);
    assert_eq!(feed(&mut w, &[]).len(), 1, "gone");
    feed(&mut w, &[]);
    feed(&mut w, &[]);
    assert_eq!(w.tracked_hosts().get("eth0"), Some(&1));
    feed(&mut w, &[]);
    assert!(
        w.tracked_hosts().is_empty(),
        "forgotten, interface state dropped"
    );
    let ev = feed(&mut w, &[r("fe80::2", PI)]);
    assert_eq!(ev[0].0, EventKind::Appeared { returning: false });
}

#[test]
fn addresses_without_mac_are_hosts_until_a_mac_is_known() {
    let mut w = watcher();
    feed(&mut w, &[r("fe80::1", RTR)]);
    let ev = feed(&mut w, &[r("fe80::1", RTR), nomac("fe80::99")]);
    assert_eq!(
        ev,
        [(
            EventKind::Appeared { returning: false },
            None,
            vec![a("fe80::99")]
        )]
    );
    // Its MAC is learned: the same device, no new appearance.
    assert!(feed(&mut w, &[r("fe80::1", RTR), r("fe80::99", PI)]).is_empty());
    assert_eq!(w.tracked_hosts()["eth0"], 2);
    // A row of a known address that lacks its MAC this time still belongs to its host.
    assert!(feed(&mut w, &[nomac("fe80::1"), r("fe80::99", PI)]).is_empty());
    assert!(feed(&mut w, &[nomac("fe80::1"), nomac("fe80::99")]).is_empty());
    assert_eq!(w.tracked_hosts()["eth0"], 2);
}

#[test]
fn own_and_stale_rows_are_not_hosts() {
    let mut w = watcher();
    let ev = feed(
        &mut w,
        &[
            R {
                is_self: true,
                ..r("fe80::100", PRIV)
            },
            R {
                stale: true,
                ..r("fe80::dead", PI)
            },
            r("fe80::1", RTR),
        ],
    );
    assert_eq!(ev.len(), 1);
    assert_eq!(w.present(), 1);
}

#[test]
fn interfaces_are_separate_and_a_vanished_interface_ages_out() {
    let mut w = watcher();
    let two = |scan| {
        report_at(
            scan,
            vec![
                iface_report("eth0", [row(&r("fe80::2", PI), "eth0")]),
                iface_report("eth1", [row(&r("fe80::2", PI), "eth1")]),
            ],
        )
    };
    assert_eq!(
        w.observe(&two(0)).len(),
        2,
        "same MAC on two links: two hosts"
    );
    let only0 = report_at(
        1,
        vec![iface_report("eth0", [row(&r("fe80::2", PI), "eth0")])],
    );
    assert!(w.observe(&only0).is_empty());
    let ev = w.observe(&only0);
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (ev[0].kind, ev[0].interface.as_str()),
        (EventKind::Gone, "eth1")
    );
    check_invariants(&w);
}

/// A tiny deterministic generator for the churn test.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn memory_stays_bounded_over_thousands_of_churning_scans() {
    const CAP: usize = 64;
    let cfg = WatchConfig {
        gone_after: 2,
        forget_after: 50,
        max_tracked: CAP,
    };
    let mut w = Watcher::new(cfg);
    let mut rng = Lcg(7);
    let mut events = 0usize;
    let mut max_seen = 0;
    for scan in 0..5000u64 {
        // Each scan: a few stable hosts, plus a churning crowd of short-lived devices with
        // random MACs, privacy addresses that rotate, and now and then an address that
        // changes MAC. Sometimes far more than the cap at once.
        let crowd = if scan % 500 == 250 { 300 } else { rng.next(40) };
        let mut rows = Vec::new();
        for i in 0..3u8 {
            let m = Mac([0xb8, 0x27, 0xeb, 0, 0, i]);
            rows.push(HostRow {
                address: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, u16::from(i) + 1),
                ..row(&r("fe80::1", m), "eth0")
            });
            let privacy =
                Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, u16::from(i), (scan / 20) as u16);
            rows.push(HostRow {
                address: privacy,
                ..row(&r("fe80::1", m), "eth0")
            });
        }
        for _ in 0..crowd {
            let id = rng.next(100_000);
            let m = Mac([0x4a, 0, 0, (id >> 16) as u8, (id >> 8) as u8, id as u8]);
            let addr = Ipv6Addr::new(
                0x2001,
                0xdb8,
                2,
                0,
                0,
                0,
                (id >> 16) as u16,
                rng.next(500) as u16,
            );
            rows.push(HostRow {
                address: addr,
                ..row(&r("fe80::1", m), "eth0")
            });
        }
        let rep = report_at(scan, vec![iface_report("eth0", rows)]);
        events += w.observe(&rep).len();
        check_invariants(&w);
        let n = w.tracked_addresses().get("eth0").copied().unwrap_or(0);
        assert!(n <= CAP, "scan {scan}: {n} addresses tracked");
        assert!(w.tracked_hosts().get("eth0").copied().unwrap_or(0) <= CAP);
        max_seen = max_seen.max(n);
    }
    assert!(events > 5000, "the churn produced events ({events})");
    assert_eq!(
        max_seen, CAP,
        "the cap was reached, so it was what bounded the table"
    );
    assert!(w.dropped() > 0, "the 300-device bursts were clipped");
    // The stable hosts are still there.
    assert!(w.present() >= 3);
}

#[test]
fn without_pressure_the_table_holds_present_plus_recently_gone_only() {
    let cfg = WatchConfig {
        gone_after: 2,
        forget_after: 10,
        max_tracked: 10_000,
    };
    let mut w = Watcher::new(cfg);
    for scan in 0..2000u16 {
        // Every scan, one new device; each stays 3 scans.
        let rows: Vec<HostRow> = (scan.saturating_sub(2)..=scan)
            .map(|i| {
                let m = Mac([0x4a, 0, 0, 0, (i >> 8) as u8, i as u8]);
                HostRow {
                    address: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 1, i),
                    ..row(&r("fe80::1", m), "eth0")
                }
            })
            .collect();
        w.observe(&report_at(
            u64::from(scan),
            vec![iface_report("eth0", rows)],
        ));
        check_invariants(&w);
        // 3 present + those missed < gone_after + forget_after scans.
        assert!(w.tracked_hosts().get("eth0").copied().unwrap_or(0) <= 3 + 12);
    }
}

#[test]
fn labelled_devices_are_known_and_their_gone_events_say_so() {
    let mut w = Watcher::new(WatchConfig {
        gone_after: 1,
        ..WatchConfig::default()
    });
    let labels = Labels::from_iter([(PI, "kitchen-pi".to_string())]);
    let round = |w: &mut Watcher, rows: &[R]| {
        let rep = report_at(
            w.scans(),
            vec![iface_report("eth0", rows.iter().map(|x| row(x, "eth0")))],
        );
        let mut ev = w.observe(&rep);
        label_events(&mut ev, &labels);
        ev.into_iter()
            .map(|e| (e.kind, e.mac, e.label, e.known))
            .collect::<Vec<_>>()
    };
    let kitchen = Some("kitchen-pi".to_string());
    assert_eq!(
        round(&mut w, &[r("fe80::1", PI), r("fe80::2", PRIV)]),
        [
            (EventKind::Present, Some(PRIV), None, false),
            (EventKind::Present, Some(PI), kitchen.clone(), true),
        ]
    );
    // Gone: not in the report, still known by its MAC.
    assert_eq!(
        round(&mut w, &[r("fe80::2", PRIV)]),
        [(EventKind::Gone, Some(PI), kitchen, true)]
    );
    let mut iface_event = vec![Event::interface(
        EventKind::InterfaceGone,
        "eth1",
        UNIX_EPOCH,
        None,
    )];
    label_events(&mut iface_event, &labels);
    assert!(!iface_event[0].known && iface_event[0].label.is_none());
}
