//! The probe loop on a simulated link: what it sends, what it accepts, what it drops.

use super::*;
use crate::model::Ipv6Prefix;
use crate::model::SeenBy;
use crate::probe::packet::ProbeTag;
use crate::probe::packet::{
    TYPE_ECHO_REPLY, TYPE_ECHO_REQUEST, TYPE_MLD_REPORT_V2, TYPE_NEIGHBOUR_ADVERT,
    TYPE_NEIGHBOUR_SOLICIT, TYPE_ROUTER_SOLICIT,
};
use crate::probe::sim::{self, SimHost, SimLink};
use crate::probe::Received;
use crate::probe::{packet, Probe};
use std::collections::{HashMap, HashSet};

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const TAG: ProbeTag = ProbeTag {
    id: 0x5c07,
    cookie: *b"v6scout!",
};
const OURS: Mac = Mac([2, 0, 0x5e, 0x10, 0, 1]);

/// What every worker test starts from: interface 2 with our MAC, sources (and own
/// addresses) fe80::100 and 2001:db8:1::100, both their prefixes known, fixed windows.
pub(super) fn base_config(tag: ProbeTag, wait: Duration, rounds: u32) -> WorkerConfig {
    WorkerConfig {
        ifindex: 2,
        mac: Some(OURS),
        sources: vec![a("fe80::100"), a("2001:db8:1::100")],
        own: vec![a("fe80::100"), a("2001:db8:1::100")],
        wait,
        rounds,
        tag,
        max_hosts: 4096,
        max_answers: 65_536,
        mld: false,
        node_name: true,
        prefixes: vec![
            Ipv6Prefix::new(a("fe80::"), 64),
            Ipv6Prefix::new(a("2001:db8:1::"), 64),
        ],
        recall: Vec::new(),
        early_end: false,
        stop: None,
        inbox: None,
    }
}

fn cfg() -> WorkerConfig {
    base_config(TAG, Duration::from_millis(120), 3)
}

fn pi(i: u8, silent: bool) -> SimHost {
    SimHost {
        mac: Mac([0xb8, 0x27, 0xeb, 0, 0, i]),
        addrs: vec![
            Ipv6Addr::from(0xfe80u128 << 112 | u128::from(i)),
            Ipv6Addr::from(0x2001_0db8_0001u128 << 80 | u128::from(i)),
        ],
        ignores_multicast_echo: silent,
        router_prefixes: None,
        quirks: Default::default(),
    }
}

fn run_on(link: &mut SimLink, cfg: &WorkerConfig) -> (WorkerStats, Vec<Observation>) {
    let mut seen = Vec::new();
    let (stats, failed) = run(link, cfg, &mut |o| seen.push(o));
    assert!(failed.is_none(), "{failed:?}");
    (stats, seen)
}

fn addresses(seen: &[Observation], via: SeenBy) -> Vec<Ipv6Addr> {
    let mut v: Vec<Ipv6Addr> = seen
        .iter()
        .filter_map(|o| match o {
            Observation::Address { addr, via: v, .. } if *v == via => Some(*addr),
            _ => None,
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn sends_every_probe_kind_each_round() {
    let mut link = SimLink::new(vec![]).with_virtual_time();
    let (stats, _) = run_on(&mut link, &cfg());
    // RS and Node Information queries (addresses, name) once; per round: 2 sources x
    // (echo, option echo, option + unknown type).
    assert_eq!(stats.probes_sent, 3 + 3 * 6);
    let rs = link
        .sent
        .iter()
        .filter(|s| s.2[0] == TYPE_ROUTER_SOLICIT)
        .count();
    assert_eq!(rs, 1);
    let opt = link.sent.iter().filter(|s| s.3).count();
    assert_eq!(opt, 12);
    let unknown_type = link
        .sent
        .iter()
        .filter(|s| s.2[0] == packet::TYPE_UNKNOWN_PROBE)
        .inspect(|s| {
            assert!(
                s.3 && s.0 == a("ff02::1"),
                "behind the option, to all nodes"
            )
        })
        .count();
    assert_eq!(unknown_type, 6);
    assert!(link
        .sent
        .iter()
        .filter(|s| s.2[0] == TYPE_ECHO_REQUEST)
        .all(|s| s.0 == a("ff02::1")));
    let from_global = link
        .sent
        .iter()
        .filter(|s| s.1 == Some(a("2001:db8:1::100")))
        .count();
    assert_eq!(from_global, 9);
}

/// A link that notes when each multicast echo went out.
struct Timed(SimLink, Vec<Instant>);
impl Link for Timed {
    fn now(&self) -> Instant {
        self.0.now()
    }
    fn send(&mut self, probe: &Probe<'_>) -> std::io::Result<()> {
        if probe.message.first() == Some(&TYPE_ECHO_REQUEST) {
            self.1.push(self.0.now());
        }
        self.0.send(probe)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<Option<Received>> {
        self.0.recv(buf, timeout)
    }
}

#[test]
fn multicast_echoes_are_paced_and_all_sent() {
    // A round's echoes each make every host answer at once: they go PROBE_GAP apart.
    let mut link = Timed(
        SimLink::new((1..=20).map(|i| pi(i, i % 4 == 0)).collect()).with_virtual_time(),
        vec![],
    );
    let (stats, failed) = run(&mut link, &cfg(), &mut |_| {});
    assert!(failed.is_none());
    assert_eq!(link.1.len(), 3 * 4);
    for w in link.1.windows(2) {
        assert!(
            w[1] - w[0] >= send::PROBE_GAP,
            "echoes {:?} apart",
            w[1] - w[0]
        );
    }
    assert_eq!(stats.send_errors, 0);

    // In a window too short for PROBE_GAP, they are squeezed into each round's share.
    let mut c = cfg();
    c.wait = Duration::from_millis(8);
    c.rounds = 1;
    let mut link = Timed(SimLink::new(vec![pi(1, false)]).with_virtual_time(), vec![]);
    assert!(run(&mut link, &c, &mut |_| {}).1.is_none());
    assert_eq!(link.1.len(), 4, "every echo of the round sent");
}

#[test]
fn finds_echoing_and_silent_hosts_and_their_macs() {
    let mut link = SimLink::new(vec![pi(1, false), pi(2, true)]).with_virtual_time();
    let (stats, seen) = run_on(&mut link, &cfg());
    assert_eq!(
        addresses(&seen, SeenBy::Echo),
        [a("2001:db8:1::1"), a("fe80::1")]
    );
    assert_eq!(
        addresses(&seen, SeenBy::ParamProblem),
        [
            a("2001:db8:1::1"),
            a("2001:db8:1::2"),
            a("fe80::1"),
            a("fe80::2")
        ]
    );
    let macs: Vec<(Ipv6Addr, Mac)> = seen
        .iter()
        .filter_map(|o| match o {
            Observation::Address {
                addr,
                via: SeenBy::Ndp,
                mac: Some(m),
                ..
            } => Some((*addr, *m)),
            _ => None,
        })
        .collect();
    assert_eq!(macs.len(), 4, "one NA per address, asked once: {macs:?}");
    assert!(macs.contains(&(a("fe80::2"), Mac([0xb8, 0x27, 0xeb, 0, 0, 2]))));
    // NS went to solicited-node groups, never to ff02::1.
    let ns: Vec<Ipv6Addr> = link
        .sent
        .iter()
        .filter(|s| s.2[0] == TYPE_NEIGHBOUR_SOLICIT)
        .map(|s| s.0)
        .collect();
    assert!(
        ns.iter()
            .all(|d| d.segments()[0] == 0xff02 && d.segments()[6] >> 8 == 0xff),
        "{ns:?}"
    );
    assert_eq!(stats.malformed, 0);
    assert_eq!(stats.foreign, 0);
    assert!(seen.iter().any(|o| matches!(
        o,
        Observation::Address {
            rtt: Some(_),
            via: SeenBy::Echo,
            ..
        }
    )));
}

#[test]
fn router_advert_gives_router_mac_and_prefixes() {
    let mut rtr = pi(1, false);
    rtr.router_prefixes = Some(vec![(a("2001:db8:99::"), 64)]);
    let mut link = SimLink::new(vec![rtr]).with_virtual_time();
    let (_, seen) = run_on(&mut link, &cfg());
    assert!(seen.contains(&Observation::Prefix {
        ifindex: 2,
        prefix: Ipv6Prefix::new(a("2001:db8:99::"), 64)
    }));
    assert!(seen.iter().any(|o| matches!(
        o,
        Observation::Address {
            via: SeenBy::Ra,
            router: true,
            mac: Some(_),
            ..
        }
    )));
    // The whole advertisement is handed on, once per RA heard.
    let adverts: Vec<_> = seen
        .iter()
        .filter_map(|o| match o {
            Observation::Router {
                addr, mac, advert, ..
            } => Some((*addr, *mac, advert)),
            _ => None,
        })
        .collect();
    assert!(!adverts.is_empty());
    let (addr, mac, advert) = &adverts[0];
    assert!(addr.segments()[0] == 0xfe80 && mac.is_some());
    assert_eq!(advert.prefixes.len(), 1);
    assert_eq!(advert.prefixes[0].prefix, a("2001:db8:99::"));
    assert!(advert.is_default_router());
}

#[test]
fn drops_foreign_forged_and_malformed_packets() {
    let mut link = SimLink::new(vec![]).with_virtual_time();
    let other = ProbeTag {
        id: 1,
        cookie: [0; 8],
    };
    let mut foreign_echo = packet::echo_request(&other, 1);
    foreign_echo[0] = TYPE_ECHO_REPLY;
    link.inject(a("fe80::66"), 64, foreign_echo);
    // Right id, wrong cookie.
    let mut forged = packet::echo_request(
        &ProbeTag {
            id: TAG.id,
            cookie: [9; 8],
        },
        1,
    );
    forged[0] = TYPE_ECHO_REPLY;
    link.inject(a("fe80::67"), 64, forged);
    // An NA nobody asked for from off-link (hop limit 64), an RA from off-link, junk.
    link.inject(
        a("fe80::68"),
        64,
        sim::neighbour_advert(a("fe80::68"), Mac([0, 1, 2, 3, 4, 5]), false),
    );
    link.inject(
        a("fe80::69"),
        64,
        sim::router_advert(Mac([0, 1, 2, 3, 4, 6]), &[(a("2001:db8:bad::"), 64)]),
    );
    link.inject(a("fe80::70"), 64, vec![TYPE_NEIGHBOUR_ADVERT, 0, 0]);
    // Our own echo looping back, and an answer from a multicast source.
    let mut own = packet::echo_request(&TAG, 0);
    own[0] = TYPE_ECHO_REPLY;
    link.inject(a("fe80::100"), 64, own.clone());
    link.inject(a("ff02::1"), 64, own);
    let (stats, seen) = run_on(&mut link, &cfg());
    assert!(seen.is_empty(), "{seen:?}");
    assert_eq!(stats.replies, 0);
    assert_eq!(
        stats.malformed, 4,
        "off-link NA and RA, truncated NA, multicast source"
    );
    assert_eq!(stats.foreign, 3, "foreign echo, forged cookie, own echo");
}

#[test]
fn host_limit_bounds_tracking() {
    let hosts: Vec<SimHost> = (1..=50).map(|i| pi(i, false)).collect();
    let mut link = SimLink::new(hosts).with_virtual_time();
    let mut c = cfg();
    c.max_answers = 10;
    let (stats, seen) = run_on(&mut link, &c);
    let distinct: std::collections::HashSet<Ipv6Addr> = seen
        .iter()
        .filter_map(|o| match o {
            Observation::Address { addr, .. } => Some(*addr),
            _ => None,
        })
        .collect();
    assert_eq!(distinct.len(), 10);
    assert!(stats.dropped_over_memory > 0);
}

#[test]
fn near_the_bound_every_host_keeps_one_address_before_any_gets_a_second() {
    // 50 hosts with a link-local and a global address each; room for 40 addresses: the
    // last eighth of the room goes only to hosts not listed yet.
    let hosts: Vec<SimHost> = (1..=50).map(|i| pi(i, false)).collect();
    let mut link = SimLink::new(hosts).with_virtual_time();
    let mut c = cfg();
    c.max_answers = 40;
    let (stats, seen) = run_on(&mut link, &c);
    let mut by_mac: HashMap<Mac, HashSet<Ipv6Addr>> = HashMap::new();
    for o in &seen {
        if let Observation::Address {
            addr,
            frame_mac: Some(m),
            ..
        } = o
        {
            by_mac.entry(*m).or_default().insert(*addr);
        }
    }
    let addrs: usize = by_mac.values().map(HashSet::len).sum();
    assert_eq!(addrs, 40, "the bound is reached");
    let twice = by_mac.values().filter(|a| a.len() > 1).count();
    assert!(
        by_mac.len() >= 40 - 40 / 8 && twice <= 40 - 40 / 8,
        "{} hosts, {twice} with two addresses",
        by_mac.len()
    );
    assert!(stats.dropped_over_memory > 0);
    assert_eq!(stats.dropped_over_limit, 0, "nothing unsolicited here");
}

#[test]
fn forged_routers_cannot_crowd_out_hosts() {
    // 40 hosts answer our probes while 500 forged routers advertise first.
    let hosts: Vec<SimHost> = (1..=40).map(|i| pi(i, false)).collect();
    let mut link = SimLink::new(hosts).with_virtual_time();
    for i in 0..500u16 {
        let src = Ipv6Addr::from(0xfe80u128 << 112 | 0xf000_0000 | u128::from(i));
        link.inject(
            src,
            255,
            sim::router_advert(Mac([2, 0, 0, 0xf0, 0, 1]), &[]),
        );
    }
    let mut c = cfg();
    c.max_hosts = 64;
    c.sources.truncate(1);
    // Only the link-local prefix: the hosts' IDs tried in the global one would be dropped
    // over the limit too, and blur the count of forged routers dropped.
    c.prefixes.retain(|p| crate::model::is_link_local(p.addr()));
    let (stats, seen) = run_on(&mut link, &c);
    let ra = addresses(&seen, SeenBy::Ra);
    let echo = addresses(&seen, SeenBy::Echo);
    assert_eq!(
        ra.len(),
        8,
        "routers known only from RAs: 1/8 of --max-hosts"
    );
    assert_eq!(echo.len(), 40, "every answering host still has room");
    assert_eq!(stats.dropped_over_limit, 500 - 8);
}

#[test]
fn mld_finds_silent_hosts_and_addresses_that_never_answered() {
    // A host that ignores multicast echo, with an EUI-64 address, a manual ::10 and a
    // random one, none of which is the source it would answer echo from.
    let mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 7]);
    let host = SimHost {
        mac,
        addrs: vec![
            a("fe80::ba27:ebff:fe5a:7"),
            a("2001:db8:1:0:ba27:ebff:fe5a:7"),
            a("2001:db8:1::10"),
            a("2001:db8:1:0:1234:5678:9abc:def0"),
            a("2001:db8:77:0:ba27:ebff:fe5a:7"),
        ],
        ignores_multicast_echo: true,
        router_prefixes: None,
        quirks: Default::default(),
    };
    let mut router = pi(1, false);
    router.router_prefixes = Some(vec![(a("2001:db8:77::"), 64)]);
    let confirmed = |mld: bool| {
        let mut link = SimLink::new(vec![host.clone(), router.clone()]).with_virtual_time();
        let mut c = cfg();
        c.mld = mld;
        c.sources.truncate(1);
        let (stats, seen) = run_on(&mut link, &c);
        assert_eq!(stats.malformed, 0);
        let mut found = addresses(&seen, SeenBy::Ndp);
        found.retain(|x| x.segments()[3] != 1 && *x != a("fe80::1") && *x != a("2001:db8:1::1"));
        (found, addresses(&seen, SeenBy::Mld))
    };
    let (without, _) = confirmed(false);
    assert_eq!(
        without,
        [
            a("2001:db8:1:0:ba27:ebff:fe5a:7"),
            a("2001:db8:77:0:ba27:ebff:fe5a:7"),
            a("fe80::ba27:ebff:fe5a:7"),
        ],
        "the link-local address via param-problem, its EUI-64 ID in every prefix"
    );
    let (with, via_mld) = confirmed(true);
    assert_eq!(
        with,
        [
            a("2001:db8:1::10"),
            a("2001:db8:1:0:ba27:ebff:fe5a:7"),
            a("2001:db8:77:0:ba27:ebff:fe5a:7"),
            a("fe80::ba27:ebff:fe5a:7"),
        ],
        "the random ID's upper 40 bits are nowhere to be learned: it stays unknown"
    );
    assert!(
        via_mld.contains(&a("2001:db8:1::10")) && via_mld.contains(&a("fe80::ba27:ebff:fe5a:7"))
    );
}

#[test]
fn mld_reports_are_ignored_without_mld_and_checked_with_it() {
    let report = sim::mldv2_report(&[a("ff02::1:ff00:10")]);
    let mut link = SimLink::new(vec![]).with_virtual_time();
    link.inject(a("fe80::5"), 1, report.clone());
    let (_, seen) = run_on(&mut link, &cfg());
    assert!(seen.is_empty());
    let mut c = cfg();
    c.mld = true;
    let mut link = SimLink::new(vec![]).with_virtual_time();
    link.inject(a("fe80::5"), 64, report.clone());
    link.inject(a("2001:db8:1::5"), 1, report);
    link.inject(
        a("fe80::6"),
        1,
        vec![TYPE_MLD_REPORT_V2, 0, 0, 0, 0, 0, 0, 9],
    );
    let (stats, seen) = run_on(&mut link, &c);
    assert!(seen.is_empty(), "{seen:?}");
    assert_eq!(stats.malformed, 3, "hop limit, global source, truncated");
}

/// A simulated ping socket: echo only, and the kernel's identifier on the wire.
struct PingSim {
    inner: SimLink,
    echo_id: u16,
    refused: usize,
}

impl Link for PingSim {
    fn now(&self) -> Instant {
        self.inner.now()
    }
    fn mode(&self) -> crate::probe::LinkMode {
        crate::probe::LinkMode::Ping {
            echo_id: self.echo_id,
        }
    }
    fn send(&mut self, probe: &Probe<'_>) -> std::io::Result<()> {
        if probe.message[0] != TYPE_ECHO_REQUEST
            || probe.dest_opts.is_some()
            || probe.hop_opts.is_some()
        {
            self.refused += 1;
            return Err(std::io::Error::from(std::io::ErrorKind::Unsupported));
        }
        let mut m = probe.message.to_vec();
        m[4..6].copy_from_slice(&self.echo_id.to_be_bytes());
        self.inner.send(&Probe {
            message: &m,
            ..*probe
        })
    }
    fn recv(&mut self, buf: &mut [u8], t: Duration) -> std::io::Result<Option<Received>> {
        self.inner.recv(buf, t)
    }
}

#[test]
fn ping_link_sends_echo_only_and_matches_the_kernel_id() {
    let mut link = PingSim {
        inner: SimLink::new(vec![pi(1, false), pi(2, true)]).with_virtual_time(),
        echo_id: 0x4242,
        refused: 0,
    };
    // Our real id but the kernel's id is what answers carry: a reply with TAG.id is not ours.
    let mut stray = packet::echo_request(&TAG, 1);
    stray[0] = TYPE_ECHO_REPLY;
    link.inner.inject(a("fe80::99"), 64, stray);
    let mut c = cfg();
    c.mld = true;
    let mut seen = Vec::new();
    let (stats, failed) = run(&mut link, &c, &mut |o| seen.push(o));
    assert!(failed.is_none(), "{failed:?}");
    assert_eq!(
        link.refused, 0,
        "asked a ping socket to send what it cannot"
    );
    assert_eq!(stats.send_errors, 0);
    // Per round: one echo from each of the 2 sources; nothing else.
    assert_eq!(stats.probes_sent, 3 * 2);
    assert!(link
        .inner
        .sent
        .iter()
        .all(|s| s.2[0] == TYPE_ECHO_REQUEST && !s.3));
    // 2 option probes per source a round skipped, plus the RS, the Node Information
    // queries (addresses, name) and the MLD query once.
    assert_eq!(stats.skipped, 3 * 2 * 2 + 4);
    // The silent host is not found (it needed the option echo), the echoing one is.
    assert_eq!(
        addresses(&seen, SeenBy::Echo),
        [a("2001:db8:1::1"), a("fe80::1")]
    );
    assert!(addresses(&seen, SeenBy::Ndp).is_empty());
    assert_eq!(stats.foreign, 1);
}

/// A link that receives like `SimLink` but cannot send anything.
struct Mute(SimLink);

impl Link for Mute {
    fn now(&self) -> Instant {
        self.0.now()
    }
    fn send(&mut self, _: &Probe<'_>) -> std::io::Result<()> {
        Err(std::io::Error::from_raw_os_error(22))
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<Option<Received>> {
        self.0.recv(buf, timeout)
    }
}

#[test]
fn a_link_that_cannot_send_reports_why_and_still_counts_what_arrived() {
    let mut sim = SimLink::new(vec![]).with_virtual_time();
    sim.inject(a("fe80::70"), 64, vec![TYPE_NEIGHBOUR_ADVERT, 0, 0]);
    let mut link = Mute(sim);
    let (stats, failed) = run(&mut link, &cfg(), &mut |_| {});
    assert_eq!(failed.map(|e| e.raw_os_error()), Some(Some(22)));
    assert_eq!((stats.probes_sent, stats.malformed), (0, 1));
    assert!(stats.send_errors > 0);
}

#[path = "worker_links_tests.rs"]
mod links;

#[path = "worker_ids_tests.rs"]
mod ids;

#[path = "worker_ni_tests.rs"]
mod ni;

#[path = "worker_early_tests.rs"]
mod early;

#[path = "worker_inbox_tests.rs"]
mod inbox;

#[test]
fn retry_rounds_of_a_large_link_ask_only_with_the_probe_every_host_answers() {
    // 300 hosts, a fifth ignoring multicast echo: every host answers the option echo, so
    // the retry rounds send it alone, and still every host is found.
    let hosts: Vec<SimHost> = (1..=300u16)
        .map(|i| {
            let mut h = pi((i % 250) as u8, i % 5 == 0);
            h.mac.0[4] = (i >> 8) as u8;
            h.mac.0[5] = i as u8;
            // Clear of our own ::100.
            let id = 0x1000 + u128::from(i);
            h.addrs = vec![
                Ipv6Addr::from(0xfe80u128 << 112 | id),
                Ipv6Addr::from(0x2001_0db8_0001u128 << 80 | id),
            ];
            h
        })
        .collect();
    let mut link = SimLink::new(hosts).with_virtual_time();
    let (stats, seen) = run_on(&mut link, &cfg());
    let multicast = |s: &(Ipv6Addr, Option<Ipv6Addr>, Vec<u8>, bool)| {
        s.0 == a("ff02::1") && matches!(s.2[0], TYPE_ECHO_REQUEST | packet::TYPE_UNKNOWN_PROBE)
    };
    let round_probes = link.sent.iter().filter(|s| multicast(s)).count();
    // The first round: 3 kinds from 2 sources; each retry round: the option echo from each.
    assert_eq!(round_probes, 6 + 2 + 2);
    let found: HashSet<Ipv6Addr> = seen
        .iter()
        .filter_map(|o| match o {
            Observation::Address { addr, .. } => Some(*addr),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 600, "every address of every host");
    assert!(stats.frames_elicited > 0);
}
