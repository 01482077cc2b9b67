//! The early end of the probe window on simulated links: a quiet link ends it, a late
//! answer keeps it open, a caller's stop flag cuts it short.

use super::*;
use crate::model::Ipv6Prefix;
use crate::probe::packet::ProbeTag;
use crate::probe::sim::{SimHost, SimLink};
use crate::probe::{Probe, Received};
use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const TAG: ProbeTag = ProbeTag {
    id: 0xea51,
    cookie: *b"quiet..!",
};

/// A window far longer than any of these scans needs, so reaching its end is the failure.
const LONG: Duration = Duration::from_secs(20);

fn cfg(early_end: bool) -> WorkerConfig {
    WorkerConfig {
        prefixes: vec![Ipv6Prefix::new(a("fe80::"), 64)],
        early_end,
        ..super::tests::base_config(TAG, LONG, 3)
    }
}

fn hosts(n: u8) -> Vec<SimHost> {
    (1..=n)
        .map(|i| SimHost {
            mac: Mac([0xb8, 0x27, 0xeb, 0, 0, i]),
            addrs: vec![
                Ipv6Addr::from(0xfe80u128 << 112 | u128::from(i)),
                Ipv6Addr::from(0x2001_0db8_0001u128 << 80 | u128::from(i)),
            ],
            ignores_multicast_echo: i % 4 == 0,
            router_prefixes: None,
            quirks: Default::default(),
        })
        .collect()
}

/// Every address listed with a MAC.
fn with_mac(seen: &[Observation]) -> BTreeSet<Ipv6Addr> {
    seen.iter()
        .filter_map(|o| match o {
            Observation::Address {
                addr, mac: Some(_), ..
            } => Some(*addr),
            _ => None,
        })
        .collect()
}

/// The Node Information query (type 139) to ff02::1 is not one of the rounds' probes.
fn is_ni_query(message: &[u8]) -> bool {
    message.first() == Some(&139)
}

fn every_address(hosts: &[SimHost]) -> BTreeSet<Ipv6Addr> {
    hosts.iter().flat_map(|h| h.addrs.iter().copied()).collect()
}

#[test]
fn a_quiet_link_ends_the_window_with_every_host_found() {
    let hs = hosts(20);
    let mut link = SimLink::new(hs.clone());
    let mut seen = Vec::new();
    let (stats, failed) = run(&mut link, &cfg(true), &mut |o| seen.push(o));
    assert!(failed.is_none());
    assert!(stats.ended_early, "{stats:?}");
    assert!(stats.window < LONG, "{stats:?}");
    assert_eq!(with_mac(&seen), every_address(&hs));
    // Every planned round went out: 3 rounds of 2 sources x 3 probes, and the RS.
    let multicast = link
        .sent
        .iter()
        .filter(|s| s.0 == a("ff02::1") && !is_ni_query(&s.2))
        .count();
    assert_eq!(multicast, 18);
    assert!(link.sent.iter().any(|s| s.0 == a("ff02::2")));
}

#[test]
fn fixed_windows_last_the_whole_wait() {
    let mut c = cfg(false);
    c.wait = Duration::from_millis(200);
    let mut link = SimLink::new(hosts(3));
    let (stats, _) = run(&mut link, &c, &mut |_| {});
    assert!(!stats.ended_early);
    assert!(stats.window >= c.wait, "{stats:?}");
}

/// A link whose every answer comes `delay` late: stations in power save answering after a
/// DTIM beacon.
struct Late {
    inner: SimLink,
    delay: Duration,
    held: VecDeque<(Instant, Vec<u8>, Received)>,
}

impl Link for Late {
    fn send(&mut self, probe: &Probe<'_>) -> std::io::Result<()> {
        self.inner.send(probe)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<Option<Received>> {
        let mut b = [0u8; 2048];
        while let Some(rx) = self.inner.recv(&mut b, Duration::ZERO)? {
            let due = Instant::now() + self.delay;
            self.held.push_back((due, b[..rx.len].to_vec(), rx));
        }
        let until = Instant::now() + timeout;
        let Some((due, _, _)) = self.held.front() else {
            std::thread::sleep(timeout);
            return Ok(None);
        };
        if *due > until {
            std::thread::sleep(timeout);
            return Ok(None);
        }
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let Some((_, bytes, rx)) = self.held.pop_front() else {
            return Ok(None);
        };
        buf[..bytes.len()].copy_from_slice(&bytes);
        Ok(Some(rx))
    }
}

#[test]
fn late_answers_keep_the_window_open_until_they_are_in() {
    // Every answer comes 250 ms late: inside the first DTIM period, so the window is still
    // open for it; then the quiet period must grow with it, or the answers to the later
    // rounds (and the MACs of hosts only they reach) would come after the window closed.
    let delay = Duration::from_millis(250);
    let hs = hosts(4);
    let mut link = Late {
        inner: SimLink::new(hs.clone()),
        delay,
        held: VecDeque::new(),
    };
    let mut seen = Vec::new();
    let (stats, _) = run(&mut link, &cfg(true), &mut |o| seen.push(o));
    assert_eq!(with_mac(&seen), every_address(&hs), "{stats:?}");
    assert!(
        stats.window >= delay * 3,
        "closed before the late answers: {stats:?}"
    );
    assert!(stats.window < LONG, "{stats:?}");
    assert!(
        link.held.is_empty(),
        "answers left unread when the window closed"
    );
}

#[test]
fn a_stop_flag_ends_the_window_at_once() {
    let stop = Arc::new(AtomicBool::new(false));
    let mut c = cfg(false);
    c.stop = Some(stop.clone());
    let mut link = SimLink::new(hosts(5));
    let target = a("2001:db8:1::3");
    let (stats, _) = run(&mut link, &c, &mut |o| {
        if matches!(o, Observation::Address { addr, mac: Some(_), .. } if addr == target) {
            stop.store(true, Ordering::Relaxed);
        }
    });
    assert!(stats.ended_early, "{stats:?}");
    assert!(stats.window < LONG, "{stats:?}");
    // Stopped after the first round: later rounds never went out.
    let multicast = link
        .sent
        .iter()
        .filter(|s| s.0 == a("ff02::1") && !is_ni_query(&s.2))
        .count();
    assert!(multicast <= 6, "{multicast} multicast probes");
}
