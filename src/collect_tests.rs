use super::*;
use crate::neigh::NeighState;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}
const M1: Mac = Mac([0xb8, 0x27, 0xeb, 1, 2, 3]);
const M2: Mac = Mac([0x02, 0, 0, 0, 0, 2]);

fn seen(addr: &str, via: SeenBy, mac: Option<Mac>, rtt_ms: Option<u64>) -> Observation {
    Observation::Address {
        ifindex: 2,
        addr: a(addr),
        via,
        mac,
        frame_mac: None,
        rtt: rtt_ms.map(Duration::from_millis),
        router: false,
    }
}

fn neigh(addr: &str, mac: Mac) -> NeighEntry {
    NeighEntry {
        ifindex: 2,
        addr: a(addr),
        mac: Some(mac),
        state: NeighState::Stale,
        router: false,
    }
}

#[test]
fn duplicates_merge_keeping_best_rtt_and_every_way_seen() {
    let mut t = HostTable::new(10);
    t.add(seen("fe80::1", SeenBy::Echo, None, Some(5)));
    t.add(seen("fe80::1", SeenBy::Echo, None, Some(2)));
    t.add(seen("fe80::1", SeenBy::Ndp, Some(M1), None));
    let e = &t.ifaces[&2].addrs[&a("fe80::1")];
    assert_eq!(e.rtt, Some(Duration::from_millis(2)));
    assert_eq!(e.mac, Some(M1));
    assert_eq!(e.seen_by, [SeenBy::Echo, SeenBy::Ndp].into());
    assert_eq!(t.live_count(), 1);
}

#[test]
fn a_link_layer_option_beats_the_frame_source_whatever_the_order() {
    let frame = |addr, via, mac, frame_mac| Observation::Address {
        ifindex: 2,
        addr: a(addr),
        via,
        mac,
        frame_mac,
        rtt: None,
        router: false,
    };
    let mut t = HostTable::new(10);
    t.add(frame("fe80::1", SeenBy::Echo, None, Some(M2)));
    assert_eq!(
        t.ifaces[&2].addrs[&a("fe80::1")].mac,
        Some(M2),
        "frame fills it"
    );
    t.add(frame("fe80::1", SeenBy::Ndp, Some(M1), Some(M2)));
    t.add(frame("fe80::1", SeenBy::Echo, None, Some(M2)));
    let e = &t.ifaces[&2].addrs[&a("fe80::1")];
    assert_eq!(
        (e.mac, e.frame_mac),
        (Some(M1), Some(M2)),
        "NA wins, frame kept"
    );
    t.merge_cache(&[neigh("fe80::1", M2)], false);
    assert_eq!(t.ifaces[&2].addrs[&a("fe80::1")].mac, Some(M1));
}

#[test]
fn cache_fills_missing_macs_but_never_adds_live_hosts() {
    let mut t = HostTable::new(10);
    t.add(seen("fe80::1", SeenBy::Echo, None, None));
    t.add(seen("fe80::2", SeenBy::Ndp, Some(M1), None));
    t.merge_cache(
        &[
            neigh("fe80::1", M2),
            neigh("fe80::2", M2),
            neigh("fe80::dead", M2),
        ],
        false,
    );
    let addrs = &t.ifaces[&2].addrs;
    assert_eq!(addrs[&a("fe80::1")].mac, Some(M2));
    assert_eq!(addrs[&a("fe80::2")].mac, Some(M1), "NA beats cache");
    assert!(!addrs.contains_key(&a("fe80::dead")));
}

#[test]
fn stale_cache_entries_only_on_request_and_marked() {
    let mut t = HostTable::new(10);
    t.add(seen("fe80::1", SeenBy::Echo, None, None));
    t.merge_cache(&[neigh("fe80::dead", M2), neigh("ff02::1", M2)], true);
    let e = &t.ifaces[&2].addrs[&a("fe80::dead")];
    assert!(e.stale && e.seen_by.contains(&SeenBy::Cache));
    assert!(!t.ifaces[&2].addrs.contains_key(&a("ff02::1")));
    assert_eq!(t.live_count(), 1);
}

#[test]
fn hints_give_macs_only_to_live_addresses() {
    let mut t = HostTable::new(10);
    t.add(Observation::MacHint {
        ifindex: 2,
        addr: a("fe80::1"),
        mac: M1,
    });
    t.add(Observation::MacHint {
        ifindex: 2,
        addr: a("fe80::9"),
        mac: M2,
    });
    t.add(seen("fe80::1", SeenBy::ParamProblem, None, None));
    t.merge_cache(&[], false);
    assert_eq!(t.ifaces[&2].addrs[&a("fe80::1")].mac, Some(M1));
    assert_eq!(t.ifaces[&2].addrs.len(), 1);
}

#[test]
fn flood_is_bounded_and_counted() {
    let mut t = HostTable::new(100);
    for i in 0..10_000u32 {
        let addr = Ipv6Addr::from(0xfe80u128 << 112 | u128::from(i));
        t.add(Observation::Address {
            ifindex: 2,
            addr,
            via: SeenBy::Echo,
            mac: None,
            frame_mac: None,
            rtt: None,
            router: false,
        });
        t.add(Observation::MacHint {
            ifindex: 2,
            addr,
            mac: M2,
        });
    }
    assert_eq!(t.ifaces[&2].addrs.len(), 100);
    assert_eq!(t.dropped_over_limit, 2 * 9_900);
}
