//! Addresses known from elsewhere on a simulated link: a searched device's last-known ones
//! go before anything else; those pushed into a running worker's inbox are solicited at
//! once, reported only when they answer, and an early end waits for them.

use super::*;
use crate::model::Ipv6Prefix;
use crate::probe::packet;
use crate::probe::packet::ProbeTag;
use crate::probe::sim::{SimHost, SimLink};
use crate::probe::{Probe, Received};

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const TAG: ProbeTag = ProbeTag {
    id: 0x1b0c,
    cookie: *b"inbox..!",
};

/// A window far longer than any of these scans needs, so reaching its end is the failure.
const LONG: Duration = Duration::from_secs(10);

fn cfg(inbox: &Inbox) -> WorkerConfig {
    WorkerConfig {
        prefixes: vec![Ipv6Prefix::new(a("fe80::"), 64)],
        early_end: true,
        inbox: Some(inbox.clone()),
        ..super::tests::base_config(TAG, LONG, 3)
    }
}

/// The simulated link, noting when each Neighbour Solicitation for a target went out,
/// and when each round's first multicast probe did.
struct Timed {
    inner: SimLink,
    ns: Vec<(Instant, Ipv6Addr)>,
    rounds: Vec<(Instant, u16)>,
}

impl Link for Timed {
    fn send(&mut self, probe: &Probe<'_>) -> std::io::Result<()> {
        let m = probe.message;
        if m.first() == Some(&packet::TYPE_NEIGHBOUR_SOLICIT) && m.len() >= 24 {
            let target: [u8; 16] = m[8..24].try_into().unwrap();
            self.ns.push((Instant::now(), Ipv6Addr::from(target)));
        }
        let round_probe = matches!(
            m.first(),
            Some(&(packet::TYPE_ECHO_REQUEST | packet::TYPE_UNKNOWN_PROBE))
        ) && probe.dst.is_multicast();
        if round_probe && m.len() >= 8 {
            let round = (u16::from_be_bytes([m[6], m[7]]) >> 8) & 0x1f;
            if !self.rounds.iter().any(|(_, r)| *r == round) {
                self.rounds.push((Instant::now(), round));
            }
        }
        self.inner.send(probe)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<Option<Received>> {
        self.inner.recv(buf, timeout)
    }
}

/// What a fed window did: its stats, the addresses reported with a MAC, the
/// solicitations, when each round started, and when the feeder said it pushed.
struct Fed {
    stats: WorkerStats,
    found: Vec<Ipv6Addr>,
    ns: Vec<(Instant, Ipv6Addr)>,
    rounds: Vec<(Instant, u16)>,
    pushed: Instant,
}

/// Runs the worker on `hosts` while `feed` pushes into its inbox from another thread.
fn run_fed(hosts: Vec<SimHost>, feed: impl FnOnce(Inbox) -> Instant + Send) -> Fed {
    let inbox = Inbox::new();
    let c = cfg(&inbox);
    let mut link = Timed {
        inner: SimLink::new(hosts),
        ns: Vec::new(),
        rounds: Vec::new(),
    };
    let mut with_mac = Vec::new();
    let (stats, pushed) = std::thread::scope(|s| {
        let feeder = s.spawn(move || feed(inbox));
        let (stats, failed) = run(&mut link, &c, &mut |o| {
            if let Observation::Address {
                addr, mac: Some(_), ..
            } = o
            {
                with_mac.push(addr);
            }
        });
        assert!(failed.is_none());
        (stats, feeder.join().unwrap())
    });
    Fed {
        stats,
        found: with_mac,
        ns: link.ns,
        rounds: link.rounds,
        pushed,
    }
}

#[test]
fn pushed_addresses_are_solicited_at_once_and_reported_when_they_answer() {
    let Fed {
        stats,
        found,
        ns,
        rounds,
        pushed,
    } = run_fed(
        vec![SimHost::dozing_phone(1), SimHost::dozing_phone(2)],
        |inbox| {
            std::thread::sleep(Duration::from_millis(40));
            inbox.push([a("fe80::1"), a("fe80::dead"), a("fe80::100"), a("ff02::1")]);
            Instant::now()
        },
    );
    assert!(found.contains(&a("fe80::1")), "{found:?}");
    assert!(
        !found.contains(&a("fe80::2")),
        "nobody named the other phone"
    );
    assert!(!found.contains(&a("fe80::dead")), "pushed is not found");
    // At once: before any round that starts after the push.
    let first = ns.iter().find(|(_, t)| *t == a("fe80::1")).unwrap().0;
    assert!(first >= pushed, "solicited before it was pushed");
    for (started, round) in rounds.iter().filter(|(t, _)| *t > pushed) {
        assert!(
            first < *started,
            "round {round} went out before the pushed address"
        );
    }
    // The address nobody has is asked its three times and no more; ours and a
    // multicast address are never asked.
    let asked = |x: Ipv6Addr| ns.iter().filter(|(_, t)| *t == x).count();
    assert_eq!(asked(a("fe80::dead")), 3);
    assert_eq!(asked(a("fe80::100")) + asked(a("ff02::1")), 0);
    assert!(stats.ended_early, "{stats:?}");
}

#[test]
fn an_early_end_waits_for_promised_addresses() {
    // Without the promise the quiet link ends the window about 300 ms in.
    let late = Duration::from_millis(700);
    let Fed { stats, found, .. } = run_fed(vec![SimHost::dozing_phone(1)], move |inbox| {
        let word = inbox.expect();
        std::thread::sleep(late);
        inbox.push([a("fe80::1")]);
        drop(word);
        Instant::now()
    });
    assert!(found.contains(&a("fe80::1")), "{found:?} {stats:?}");
    assert!(stats.ended_early && stats.window < LONG, "{stats:?}");
    assert!(stats.window >= late, "{stats:?}");
}

#[test]
fn an_early_end_waits_until_a_pushed_address_is_out_of_tries() {
    let Fed { stats, ns, .. } = run_fed(vec![SimHost::dozing_phone(1)], |inbox| {
        let word = inbox.expect();
        std::thread::sleep(Duration::from_millis(350));
        inbox.push([a("fe80::dead")]);
        drop(word);
        Instant::now()
    });
    let tries: Vec<Instant> = ns
        .iter()
        .filter(|(_, t)| *t == a("fe80::dead"))
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(tries.len(), 3, "{stats:?}");
    assert!(stats.ended_early, "{stats:?}");
}

/// A ping socket: echo only, so nothing it is handed can be solicited.
struct EchoOnly(SimLink);

impl Link for EchoOnly {
    fn mode(&self) -> crate::probe::LinkMode {
        crate::probe::LinkMode::Ping { echo_id: TAG.id }
    }
    fn send(&mut self, probe: &Probe<'_>) -> std::io::Result<()> {
        assert_ne!(probe.message[0], packet::TYPE_NEIGHBOUR_SOLICIT);
        self.0.send(probe)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<Option<Received>> {
        self.0.recv(buf, timeout)
    }
}

#[test]
fn an_echo_only_link_drops_what_arrives_and_ends_as_usual() {
    let inbox = Inbox::new();
    inbox.push([a("fe80::1")]);
    let mut link = EchoOnly(SimLink::new(vec![SimHost::dozing_phone(1)]));
    let (stats, _) = run(&mut link, &cfg(&inbox), &mut |_| {});
    assert!(stats.ended_early, "{stats:?}");
    assert!(inbox.is_closed(), "the closed window takes no more");
}

#[test]
fn a_searched_devices_last_known_addresses_go_before_the_first_round() {
    let inbox = Inbox::new();
    let mut c = cfg(&inbox);
    c.recall = vec![a("fe80::1"), a("fe80::dead")];
    let mut link = SimLink::new(vec![SimHost::dozing_phone(1)]);
    let mut seen = Vec::new();
    run(&mut link, &c, &mut |o| seen.push(o));
    let kinds: Vec<(u8, Ipv6Addr)> = link.sent.iter().map(|s| (s.2[0], s.0)).collect();
    let ns = packet::TYPE_NEIGHBOUR_SOLICIT;
    assert_eq!(
        kinds[..2],
        [
            (ns, packet::solicited_node(a("fe80::1"))),
            (ns, packet::solicited_node(a("fe80::dead")))
        ],
        "{kinds:?}"
    );
    assert!(seen.iter().any(
        |o| matches!(o, Observation::Address { addr, mac: Some(_), .. } if *addr == a("fe80::1"))
    ));
}
