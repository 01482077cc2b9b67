//! The probe loop on a simulated link: what it sends, what it accepts, what it drops.

use super::*;
use crate::probe::sim::{self, SimHost, SimLink};

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const TAG: ProbeTag = ProbeTag {
    id: 0x5c07,
    cookie: *b"v6scout!",
};
const OURS: Mac = Mac([2, 0, 0x5e, 0x10, 0, 1]);

fn cfg() -> WorkerConfig {
    WorkerConfig {
        ifindex: 2,
        mac: Some(OURS),
        sources: vec![a("fe80::100"), a("2001:db8:1::100")],
        own: vec![a("fe80::100"), a("2001:db8:1::100")],
        wait: Duration::from_millis(120),
        rounds: 3,
        tag: TAG,
        max_hosts: 4096,
    }
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
    }
}

fn run_on(link: &mut SimLink, cfg: &WorkerConfig) -> (WorkerStats, Vec<Observation>) {
    let mut seen = Vec::new();
    let stats = run(link, cfg, &mut |o| seen.push(o)).unwrap();
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
    let mut link = SimLink::new(vec![]);
    let (stats, _) = run_on(&mut link, &cfg());
    // RS once; per round: 2 sources x (echo + option echo).
    assert_eq!(stats.probes_sent, 1 + 3 * 4);
    let rs = link.sent.iter().filter(|s| s.2[0] == 133).count();
    assert_eq!(rs, 1);
    let opt = link.sent.iter().filter(|s| s.3).count();
    assert_eq!(opt, 6);
    assert!(link
        .sent
        .iter()
        .filter(|s| s.2[0] == 128)
        .all(|s| s.0 == a("ff02::1")));
    let from_global = link
        .sent
        .iter()
        .filter(|s| s.1 == Some(a("2001:db8:1::100")))
        .count();
    assert_eq!(from_global, 6);
}

/// A link that notes when each multicast echo went out.
struct Timed(SimLink, Vec<Instant>);
impl Link for Timed {
    fn send(&mut self, probe: &Probe<'_>) -> std::io::Result<()> {
        if probe.message.first() == Some(&128) {
            self.1.push(Instant::now());
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
        SimLink::new((1..=20).map(|i| pi(i, i % 4 == 0)).collect()),
        vec![],
    );
    let stats = run(&mut link, &cfg(), &mut |_| {}).unwrap();
    assert_eq!(link.1.len(), 3 * 4);
    for w in link.1.windows(2) {
        assert!(w[1] - w[0] >= PROBE_GAP, "echoes {:?} apart", w[1] - w[0]);
    }
    assert_eq!(stats.send_errors, 0);

    // In a window too short for PROBE_GAP, they are squeezed into each round's share.
    let mut c = cfg();
    c.wait = Duration::from_millis(8);
    c.rounds = 1;
    let mut link = Timed(SimLink::new(vec![pi(1, false)]), vec![]);
    run(&mut link, &c, &mut |_| {}).unwrap();
    assert_eq!(link.1.len(), 4, "every echo of the round sent");
}

#[test]
fn finds_echoing_and_silent_hosts_and_their_macs() {
    let mut link = SimLink::new(vec![pi(1, false), pi(2, true)]);
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
        .filter(|s| s.2[0] == 135)
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
    let mut link = SimLink::new(vec![rtr]);
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
}

#[test]
fn drops_foreign_forged_and_malformed_packets() {
    let mut link = SimLink::new(vec![]);
    let other = ProbeTag {
        id: 1,
        cookie: [0; 8],
    };
    let mut foreign_echo = packet::echo_request(&other, 1);
    foreign_echo[0] = 129;
    link.inject(a("fe80::66"), 64, foreign_echo);
    // Right id, wrong cookie.
    let mut forged = packet::echo_request(
        &ProbeTag {
            id: TAG.id,
            cookie: [9; 8],
        },
        1,
    );
    forged[0] = 129;
    link.inject(a("fe80::67"), 64, forged);
    // An NA nobody asked for, an RA from off-link (hop limit 64), junk.
    link.inject(
        a("fe80::68"),
        255,
        sim::neighbour_advert(a("fe80::68"), Mac([0, 1, 2, 3, 4, 5]), false),
    );
    link.inject(
        a("fe80::69"),
        64,
        sim::router_advert(Mac([0, 1, 2, 3, 4, 6]), &[(a("2001:db8:bad::"), 64)]),
    );
    link.inject(a("fe80::70"), 64, vec![136, 0, 0]);
    // Our own echo looping back, and an answer from a multicast source.
    let mut own = packet::echo_request(&TAG, 0);
    own[0] = 129;
    link.inject(a("fe80::100"), 64, own.clone());
    link.inject(a("ff02::1"), 64, own);
    let (stats, seen) = run_on(&mut link, &cfg());
    assert!(seen.is_empty(), "{seen:?}");
    assert_eq!(stats.replies, 0);
    assert_eq!(
        stats.malformed, 3,
        "off-link RA, truncated NA, multicast source"
    );
    assert_eq!(
        stats.foreign, 4,
        "foreign echo, forged cookie, unsolicited NA, own echo"
    );
}

#[test]
fn host_limit_bounds_tracking() {
    let hosts: Vec<SimHost> = (1..=50).map(|i| pi(i, false)).collect();
    let mut link = SimLink::new(hosts);
    let mut c = cfg();
    c.max_hosts = 10;
    let (stats, seen) = run_on(&mut link, &c);
    let distinct: std::collections::HashSet<Ipv6Addr> = seen
        .iter()
        .filter_map(|o| match o {
            Observation::Address { addr, .. } => Some(*addr),
            _ => None,
        })
        .collect();
    assert_eq!(distinct.len(), 10);
    assert!(stats.dropped_over_limit > 0);
}
