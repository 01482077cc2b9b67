//! The rule that keeps a flood of forged neighbour discovery bounded, checked on the
//! simulated link without root: of `--max-hosts`, at most one eighth of the listed
//! addresses are routers known only from their unsolicited Router Advertisements, and at
//! most one eighth are hosts only heard (their own unsolicited NA, NS, RS or DAD probe) —
//! whatever order the forgeries arrive in, and however a forger mixes them (one MAC
//! behind an RA source and a heard address, the Router flag on an advertisement, an RA
//! from an address first heard).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::net::Ipv6Addr;
use std::time::Duration;
use v6scout::collect::HostTable;
use v6scout::group::{group_interface, GroupOptions};
use v6scout::iface::{IfAddr, Interface};
use v6scout::mac::Mac;
use v6scout::model::{Ipv6Prefix, SeenBy};
use v6scout::probe::packet::{Icmp, ProbeTag};
use v6scout::probe::sim::{self, SimHost, SimLink};
use v6scout::probe::worker::{run, WorkerConfig};
use v6scout::report::HostRow;

/// The scan's `--max-hosts`: one eighth of it is 8.
const MAX_HOSTS: usize = 64;
/// Each bound: one eighth of [`MAX_HOSTS`].
const BOUND: usize = 8;
/// Distinct forgers: three times the bound, so every bound is reached.
const FORGERS: u8 = 24;
const OURS: Mac = Mac([2, 0, 0x5e, 0x10, 0, 1]);

fn ours() -> Ipv6Addr {
    "fe80::100".parse().unwrap()
}

/// One forger's MAC: locally administered, like the flood's.
fn forger_mac(k: u8) -> Mac {
    Mac([0x02, 0xf0, 0, 0, 0x10, k])
}

/// The address a forger sends Router Advertisements from.
fn ra_addr(k: u8) -> Ipv6Addr {
    Ipv6Addr::from(0xfe80u128 << 112 | 0xf_0000 | u128::from(k))
}

/// The address a forger announces as a host.
fn host_addr(k: u8) -> Ipv6Addr {
    Ipv6Addr::from(0xfe80u128 << 112 | 0xe_0000 | u128::from(k))
}

/// What one forger sends next.
#[derive(Clone, Copy, Debug)]
enum Forgery {
    /// An RA from its router address.
    Ra,
    /// An RA from its host address (a source first heard, then a router).
    RaFromHost,
    /// An unsolicited NA for its host address, with or without the Router flag.
    Na { router: bool },
    /// An NA for its router address.
    NaForRouter,
    /// An NS from its host address, resolving ours.
    Ns,
    /// An RS from its host address.
    Rs,
    /// Duplicate address detection for its host address.
    Dad,
    /// An MLD report from its host address (it carries no nonce of ours).
    Mld,
}

fn forgery() -> impl Strategy<Value = Forgery> {
    prop_oneof![
        Just(Forgery::Ra),
        Just(Forgery::RaFromHost),
        any::<bool>().prop_map(|router| Forgery::Na { router }),
        Just(Forgery::NaForRouter),
        Just(Forgery::Ns),
        Just(Forgery::Rs),
        Just(Forgery::Dad),
        Just(Forgery::Mld),
    ]
}

fn na(target: Ipv6Addr, mac: Mac, router: bool) -> Vec<u8> {
    Icmp::NeighbourAdvert {
        target,
        router,
        solicited: false,
        override_flag: true,
        target_mac: Some(mac),
    }
    .to_bytes()
}

/// Queues forger `k`'s `f` on the link, in a frame from its MAC.
fn inject(link: &mut SimLink, k: u8, f: Forgery) {
    let mac = forger_mac(k);
    if let Forgery::Mld = f {
        // Reports come with hop limit 1 (RFC 3810 §5.2.13), or they are dropped anyway.
        let groups = [v6scout::probe::packet::solicited_node(host_addr(k))];
        link.inject_from(host_addr(k), mac, 1, sim::mldv2_report(&groups));
        return;
    }
    let (src, msg) = match f {
        Forgery::Ra => (ra_addr(k), sim::router_advert(mac, &[])),
        Forgery::RaFromHost => (host_addr(k), sim::router_advert(mac, &[])),
        Forgery::Na { router } => (host_addr(k), na(host_addr(k), mac, router)),
        Forgery::NaForRouter => (ra_addr(k), na(ra_addr(k), mac, false)),
        Forgery::Ns => (
            host_addr(k),
            Icmp::NeighbourSolicit {
                target: ours(),
                source_mac: Some(mac),
            }
            .to_bytes(),
        ),
        Forgery::Rs => (
            host_addr(k),
            Icmp::RouterSolicit {
                source_mac: Some(mac),
            }
            .to_bytes(),
        ),
        Forgery::Dad => (
            Ipv6Addr::UNSPECIFIED,
            Icmp::NeighbourSolicit {
                target: host_addr(k),
                source_mac: None,
            }
            .to_bytes(),
        ),
        Forgery::Mld => return,
    };
    link.inject_from(src, mac, 255, msg);
}

/// Two real hosts answering our echo.
fn real(i: u8) -> SimHost {
    SimHost {
        mac: Mac([0xb8, 0x27, 0xeb, 0, 0, i]),
        addrs: vec![Ipv6Addr::from(0xfe80u128 << 112 | u128::from(i))],
        ignores_multicast_echo: false,
        router_prefixes: None,
        quirks: Default::default(),
    }
}

fn config() -> WorkerConfig {
    WorkerConfig {
        ifindex: 2,
        mac: Some(OURS),
        sources: vec![ours()],
        own: vec![ours()],
        wait: Duration::from_millis(60),
        rounds: 1,
        tag: ProbeTag {
            id: 0x5c07,
            cookie: *b"v6scout!",
        },
        max_hosts: MAX_HOSTS,
        max_answers: 65_536,
        // Reports are read: a forged one must not make its source a host.
        mld: true,
        node_name: false,
        prefixes: vec![Ipv6Prefix::new("fe80::".parse().unwrap(), 64)],
        recall: Vec::new(),
        early_end: false,
        stop: None,
        inbox: None,
    }
}

fn eth0() -> Interface {
    Interface {
        name: "eth0".into(),
        index: 2,
        mac: Some(OURS),
        up: true,
        multicast: true,
        loopback: false,
        addrs: vec![IfAddr {
            addr: ours(),
            prefix_len: 64,
        }],
    }
}

/// The rows the user would see after the forgeries, as the scan groups them.
fn scan(forgeries: &[(u8, Forgery)]) -> Vec<HostRow> {
    let mut link = SimLink::new(vec![real(1), real(2)]).with_virtual_time();
    for (k, f) in forgeries {
        inject(&mut link, *k, *f);
    }
    let mut table = HostTable::new(MAX_HOSTS);
    let _ = run(&mut link, &config(), &mut |o| table.add(o));
    let report = group_interface(&eth0(), table.ifaces.get(&2), GroupOptions::default());
    report.prefixes.into_iter().flat_map(|g| g.hosts).collect()
}

/// Checks the rule on the rows of one scan.
fn assert_bounded(rows: &[HostRow]) {
    let forged: Vec<&HostRow> = rows
        .iter()
        .filter(|r| r.mac.is_some_and(|m| m.0[..4] == [0x02, 0xf0, 0, 0]))
        .collect();
    let (routers, heard): (Vec<&HostRow>, Vec<&HostRow>) = forged.iter().partition(|r| r.router);
    let list = |v: &[&HostRow]| v.iter().map(|r| r.address).collect::<Vec<_>>();
    assert!(
        routers.len() <= BOUND,
        "{} forged routers kept: {:?}",
        routers.len(),
        list(&routers)
    );
    assert!(
        heard.len() <= BOUND,
        "{} forged heard hosts kept: {:?}",
        heard.len(),
        list(&heard)
    );
    assert!(
        heard.iter().all(|r| r
            .seen_by
            .iter()
            .all(|s| matches!(s, SeenBy::Heard | SeenBy::Ndp | SeenBy::Mld))),
        "a forgery counted as an answer: {heard:?}"
    );
    let real: Vec<Ipv6Addr> = (1..=2).flat_map(|i| real(i).addrs).collect();
    for r in rows.iter().filter(|r| real.contains(&r.address)) {
        assert_eq!(r.mac.map(|m| m.0[0]), Some(0xb8), "{r:?}");
    }
}

#[test]
fn one_mac_behind_a_router_and_a_heard_host_is_one_forger_in_each_bound() {
    // As the lab's flood sends them: each forger an RA and an NA, its MAC in both.
    let seq: Vec<(u8, Forgery)> = (0..FORGERS)
        .flat_map(|k| [(k, Forgery::Na { router: false }), (k, Forgery::Ra)])
        .collect();
    let rows = scan(&seq);
    assert_bounded(&rows);
    let routers = rows.iter().filter(|r| r.router).count();
    eprintln!("{routers} forged routers kept of {FORGERS}");
    assert_eq!(routers, BOUND, "the bound is reached, not undershot");
}

#[test]
fn a_forged_mld_report_does_not_make_its_source_a_host_for_its_advertisement() {
    let mut seq: Vec<(u8, Forgery)> = (0..FORGERS).map(|k| (k, Forgery::Mld)).collect();
    seq.extend((0..FORGERS).map(|k| (k, Forgery::RaFromHost)));
    assert_bounded(&scan(&seq));
}

#[test]
fn an_address_first_heard_then_advertising_counts_as_a_router() {
    let mut seq: Vec<(u8, Forgery)> = (0..FORGERS).map(|k| (k, Forgery::Ns)).collect();
    seq.extend((0..FORGERS).map(|k| (k, Forgery::RaFromHost)));
    seq.extend((0..FORGERS).map(|k| (k, Forgery::Na { router: true })));
    assert_bounded(&scan(&seq));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn forgeries_in_any_order_stay_within_their_bounds(
        seq in proptest::collection::vec((0..FORGERS, forgery()), 1..160)
    ) {
        assert_bounded(&scan(&seq));
    }
}
