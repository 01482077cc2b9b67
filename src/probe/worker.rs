//! The per-interface probe loop: sends the probe rounds, matches answers to our own
//! probes, and reports what it learned as [`Observation`]s.

use super::packet::{self, Icmp, ProbeTag};
use super::{Link, Probe, Received};
use crate::mac::Mac;
use crate::model::{is_host_address, is_link_local, Ipv6Prefix, Observation, SeenBy};
use std::collections::{HashMap, VecDeque};
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
/// Sequence-number bit marking the echo that carries the unknown destination option.
const SEQ_DEST_OPTS: u16 = 0x8000;
/// Spacing of the multicast probes inside a round. Each one makes every host on the link
/// answer at once; back to back, their answers pile up faster than they drain. In the
/// namespace lab all hosts share the kernel's per-CPU ICMPv6 reply sockets, whose send
/// buffer then overflows (hosts' Icmp6OutErrors; at 150 hosts, silent hosts were missed
/// in 7 of 12 cold scans) — 5 ms apart, none in 17 (bench/README.md). On real links it
/// spares Wi-Fi access points a burst of multicast.
const PROBE_GAP: Duration = Duration::from_millis(5);

/// What one worker needs to know about its interface and the scan.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Interface index.
    pub ifindex: u32,
    /// Our MAC on it, for the link-layer options of NS and RS.
    pub mac: Option<Mac>,
    /// Source addresses to probe from: the link-local one first, then each global/ULA one.
    pub sources: Vec<Ipv6Addr>,
    /// Every address of ours on this interface: answers from them are ignored.
    pub own: Vec<Ipv6Addr>,
    /// The whole probe window.
    pub wait: Duration,
    /// Probe rounds inside the window (at least one).
    pub rounds: u32,
    /// This scan's probe identity.
    pub tag: ProbeTag,
    /// Most addresses tracked; more are dropped and counted.
    pub max_hosts: usize,
}

/// Counters of one worker's run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkerStats {
    /// Messages sent.
    pub probes_sent: u64,
    /// Messages that failed to send.
    pub send_errors: u64,
    /// Answers to our probes that were used.
    pub replies: u64,
    /// Messages that did not parse or broke a protocol rule (bad hop limit, bad source).
    pub malformed: u64,
    /// Well-formed messages that were not answers to this scan (other programs' pings…).
    pub foreign: u64,
    /// New addresses ignored because `max_hosts` was reached.
    pub dropped_over_limit: u64,
}

impl WorkerStats {
    /// Adds another worker's counters to these.
    pub fn add(&mut self, o: &WorkerStats) {
        self.probes_sent += o.probes_sent;
        self.send_errors += o.send_errors;
        self.replies += o.replies;
        self.malformed += o.malformed;
        self.foreign += o.foreign;
        self.dropped_over_limit += o.dropped_over_limit;
    }
}

/// Runs the probe window on `link`, reporting each finding through `emit`.
/// Returns when the window closes; the first send error, if every send failed, is returned
/// as `Err` so the caller can warn about this interface.
pub fn run<L: Link>(
    link: &mut L,
    cfg: &WorkerConfig,
    emit: &mut dyn FnMut(Observation),
) -> Result<WorkerStats, std::io::Error> {
    let mut w = Worker {
        link,
        cfg,
        emit,
        stats: WorkerStats::default(),
        queued: VecDeque::new(),
        gap: PROBE_GAP,
        next_send: Instant::now(),
        sent_at: HashMap::new(),
        solicited: HashMap::new(),
        first_send_error: None,
    };
    w.run();
    if w.stats.probes_sent == 0 {
        if let Some(e) = w.first_send_error {
            return Err(e);
        }
    }
    Ok(w.stats)
}

struct Worker<'a, L: Link> {
    link: &'a mut L,
    cfg: &'a WorkerConfig,
    emit: &'a mut dyn FnMut(Observation),
    stats: WorkerStats,
    /// Multicast echoes of the current round not sent yet: (sequence number, source,
    /// with the unknown destination option).
    queued: VecDeque<(u16, Ipv6Addr, bool)>,
    /// Spacing of the queued echoes.
    gap: Duration,
    /// When the next queued echo may go.
    next_send: Instant,
    /// When each echo sequence number went out, for round-trip times.
    sent_at: HashMap<u16, Instant>,
    /// Addresses we solicited, and whether their NA (with MAC) came back.
    solicited: HashMap<Ipv6Addr, bool>,
    first_send_error: Option<std::io::Error>,
}

impl<L: Link> Worker<'_, L> {
    fn run(&mut self) {
        let start = Instant::now();
        let deadline = start + self.cfg.wait;
        let rounds = self.cfg.rounds.max(1);
        // Rounds are spread so the last leaves as much time for answers as the gaps between.
        let interval = self.cfg.wait / (rounds + 1);
        // A round's echoes must fit in its share of the window, even a very short one.
        let per_round = 2 * self.cfg.sources.len() as u32 + 1;
        self.gap = PROBE_GAP.min(interval / per_round);
        let mut round = 0;
        let mut buf = vec![0u8; 2048];
        loop {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            if round < rounds && now >= start + interval * round {
                self.send_round(round);
                round += 1;
            }
            self.send_queued();
            let mut next = if round < rounds {
                (start + interval * round).min(deadline)
            } else {
                deadline
            };
            if !self.queued.is_empty() {
                next = next.min(self.next_send);
            }
            let timeout = next.saturating_duration_since(Instant::now());
            match self.link.recv(&mut buf, timeout) {
                Ok(Some(rx)) => {
                    let len = rx.len.min(buf.len());
                    self.handle(&rx, &buf[..len], Instant::now());
                }
                Ok(None) => {}
                // A failing receive must not spin the loop hot until the deadline.
                Err(_) => std::thread::sleep(timeout.min(Duration::from_millis(10))),
            }
        }
    }

    fn send(&mut self, probe: Probe<'_>) {
        match self.link.send(&probe) {
            Ok(()) => self.stats.probes_sent += 1,
            Err(e) => {
                self.stats.send_errors += 1;
                self.first_send_error.get_or_insert(e);
            }
        }
    }

    fn send_round(&mut self, round: u32) {
        let link_local = self.cfg.sources.first().copied();
        if round == 0 {
            let rs = packet::router_solicitation(self.cfg.mac);
            self.send(Probe {
                dst: ALL_ROUTERS,
                src: link_local,
                message: &rs,
                dest_opts: None,
            });
        }
        for (i, src) in self.cfg.sources.iter().enumerate() {
            let seq = ((round as u16 & 0x7f) << 8) | (i as u16 & 0xff);
            self.queued.push_back((seq, *src, false));
            self.queued.push_back((seq | SEQ_DEST_OPTS, *src, true));
        }
        self.send_queued();
        // Answers whose NA never came are asked again: NDP packets get lost on busy links.
        let unresolved: Vec<Ipv6Addr> = self
            .solicited
            .iter()
            .filter(|(_, done)| !**done)
            .map(|(a, _)| *a)
            .collect();
        for addr in unresolved {
            self.send_ns(addr);
        }
    }

    /// Sends the queued multicast echoes that are due, `gap` apart.
    fn send_queued(&mut self) {
        let opts = packet::unknown_option_dest_opts();
        while !self.queued.is_empty() {
            let now = Instant::now();
            if now < self.next_send {
                return;
            }
            let Some((seq, src, with_opts)) = self.queued.pop_front() else {
                return;
            };
            let echo = packet::echo_request(&self.cfg.tag, seq);
            self.sent_at.insert(seq, now);
            self.send(Probe {
                dst: ALL_NODES,
                src: Some(src),
                message: &echo,
                dest_opts: with_opts.then_some(&opts[..]),
            });
            self.next_send = now + self.gap;
        }
    }

    /// Asks `addr` for its MAC. The NS goes to its solicited-node group rather than to the
    /// address itself: Linux puts the target link-layer option in the NA only when the
    /// solicitation was multicast, and a switch delivers that group to the owner alone.
    fn send_ns(&mut self, addr: Ipv6Addr) {
        let Some(mac) = self.cfg.mac else { return };
        let ns = packet::neighbour_solicitation(addr, mac);
        self.send(Probe {
            dst: packet::solicited_node(addr),
            src: self.cfg.sources.first().copied(),
            message: &ns,
            dest_opts: None,
        });
    }

    /// Notes a newly seen address and solicits its MAC once.
    fn track(&mut self, addr: Ipv6Addr) -> bool {
        if self.solicited.contains_key(&addr) {
            return true;
        }
        if self.solicited.len() >= self.cfg.max_hosts {
            self.stats.dropped_over_limit += 1;
            return false;
        }
        self.solicited.insert(addr, false);
        self.send_ns(addr);
        true
    }

    fn observe(
        &mut self,
        addr: Ipv6Addr,
        via: SeenBy,
        mac: Option<Mac>,
        rtt: Option<Duration>,
        router: bool,
    ) {
        self.stats.replies += 1;
        (self.emit)(Observation::Address {
            ifindex: self.cfg.ifindex,
            addr,
            via,
            mac,
            rtt,
            router,
        });
    }

    fn handle(&mut self, rx: &Received, bytes: &[u8], now: Instant) {
        let msg = match packet::parse(bytes) {
            Ok(m) => m,
            Err(_) => {
                self.stats.malformed += 1;
                return;
            }
        };
        if !is_host_address(rx.src) {
            self.stats.malformed += 1;
            return;
        }
        if self.cfg.own.contains(&rx.src) {
            self.stats.foreign += 1;
            return;
        }
        // RFC 4861 §6.1, §7.1: NDP from off-link (hop limit below 255) is forged.
        let ndp_ok = rx.hop_limit.is_none_or(|h| h == 255);
        match msg {
            Icmp::EchoReply { seq, .. } if msg.matches(&self.cfg.tag) => {
                if self.track(rx.src) {
                    let rtt = self
                        .sent_at
                        .get(&seq)
                        .map(|t| now.saturating_duration_since(*t));
                    self.observe(rx.src, SeenBy::Echo, None, rtt, false);
                }
            }
            Icmp::ParamProblem {
                code: 2,
                invoking: Some(inv),
                ..
            } if msg.matches(&self.cfg.tag) => {
                if self.track(rx.src) {
                    let rtt = self
                        .sent_at
                        .get(&inv.seq)
                        .map(|t| now.saturating_duration_since(*t));
                    self.observe(rx.src, SeenBy::ParamProblem, None, rtt, false);
                }
            }
            Icmp::NeighbourAdvert {
                target,
                router,
                target_mac,
                ..
            } if ndp_ok && self.solicited.contains_key(&target) => {
                if let Some(mac) = target_mac.filter(|m| !m.is_multicast() && !m.is_zero()) {
                    self.solicited.insert(target, true);
                    self.observe(target, SeenBy::Ndp, Some(mac), None, router);
                } else {
                    self.stats.malformed += 1;
                }
            }
            Icmp::NeighbourSolicit {
                target,
                source_mac: Some(mac),
            } if ndp_ok && self.cfg.own.contains(&target) && !mac.is_multicast() => {
                (self.emit)(Observation::MacHint {
                    ifindex: self.cfg.ifindex,
                    addr: rx.src,
                    mac,
                });
            }
            Icmp::RouterAdvert {
                router_lifetime,
                source_mac,
                ref prefixes,
                ..
            } if ndp_ok && is_link_local(rx.src) => {
                let prefixes: Vec<Ipv6Prefix> = prefixes
                    .iter()
                    .filter(|p| p.on_link && !is_link_local(p.prefix) && !p.prefix.is_multicast())
                    .map(|p| Ipv6Prefix::new(p.prefix, p.len))
                    .collect();
                if self.track(rx.src) {
                    let mac = source_mac.filter(|m| !m.is_multicast() && !m.is_zero());
                    self.observe(rx.src, SeenBy::Ra, mac, None, router_lifetime > 0);
                    for prefix in prefixes {
                        (self.emit)(Observation::Prefix {
                            ifindex: self.cfg.ifindex,
                            prefix,
                        });
                    }
                }
            }
            Icmp::Other { .. } => {}
            Icmp::NeighbourAdvert { .. }
            | Icmp::NeighbourSolicit { .. }
            | Icmp::RouterAdvert { .. }
                if !ndp_ok =>
            {
                self.stats.malformed += 1
            }
            _ => self.stats.foreign += 1,
        }
    }
}

#[cfg(test)]
#[path = "worker_tests.rs"]
mod tests;
