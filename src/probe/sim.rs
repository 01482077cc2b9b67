//! A simulated link of many hosts behind the [`Link`] trait: it answers our probes the way
//! Linux hosts do — or, with [`Quirks`], the way other stacks, Wi-Fi and dozing phones
//! do — so the whole pipeline runs in tests and benchmarks without root.

mod host;
mod ni_responder;
pub use host::{Quirks, QuoteStyle};

use super::packet::mld::{self, Record, Report};
use super::packet::{
    self, Icmp, Invoking, PrefixInfo, QuoteStart, CODE_UNRECOGNIZED_OPTION, POINTER_UNKNOWN_OPTION,
    TYPE_ECHO_REQUEST, TYPE_MLD_QUERY, TYPE_NEIGHBOUR_SOLICIT, TYPE_ROUTER_SOLICIT,
    TYPE_UNKNOWN_PROBE,
};
use super::{Link, Probe, Received};
use crate::mac::Mac;
use crate::model::PrefixKind;
use crate::router::Advert;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::io;
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

/// One simulated neighbour.
#[derive(Clone, Debug)]
pub struct SimHost {
    /// Its MAC.
    pub mac: Mac,
    /// Its addresses; the first of each kind is the one it answers from.
    pub addrs: Vec<Ipv6Addr>,
    /// Ignores echo sent to multicast (`echo_ignore_multicast=1`, Windows).
    pub ignores_multicast_echo: bool,
    /// Prefixes it advertises when it is a router (answers Router Solicitations).
    pub router_prefixes: Option<Vec<(Ipv6Addr, u8)>>,
    /// How its stack and its link differ from a wired Linux host's.
    pub quirks: Quirks,
}

impl SimHost {
    /// A phone in doze with MAC `2c:cf:67:00:00:i` and link-local `fe80::i`: it ignores
    /// multicast echo and every multicast packet with an options header, so only a
    /// Neighbour Solicitation for its address finds it.
    pub fn dozing_phone(i: u8) -> SimHost {
        SimHost {
            mac: Mac([0x2c, 0xcf, 0x67, 0, 0, i]),
            addrs: vec![Ipv6Addr::from(0xfe80u128 << 112 | u128::from(i))],
            ignores_multicast_echo: true,
            router_prefixes: None,
            quirks: Quirks {
                dozing: true,
                ..Quirks::default()
            },
        }
    }
}

/// A packet as received: IPv6 source, hop limit, ICMPv6 message, the frame's source MAC.
type Packet = (Ipv6Addr, u8, Vec<u8>, Option<Mac>);

/// Hop limit of echo replies and Parameter Problems: Linux's default for unicast.
const HOST_HOP_LIMIT: u8 = 64;
/// Hop limit of NDP messages (RFC 4861 §7.1).
const NDP_HOP_LIMIT: u8 = 255;
/// Hop limit of MLD messages (RFC 3810 §5).
const MLD_HOP_LIMIT: u8 = 1;
/// What the simulated routers advertise: radvd's defaults.
const RA_HOP_LIMIT: u8 = 64;
const RA_ROUTER_LIFETIME: u16 = 1800;
const RA_VALID_LIFETIME: u32 = 86400;
const RA_PREFERRED_LIFETIME: u32 = 14400;

/// A link of simulated hosts. Answers are queued when a probe is sent and handed out by
/// `recv` in order, at once — or, with [`SimLink::with_spread`], each at its own random
/// moment after the probe, as on a real link; `inject` adds arbitrary packets (forgeries,
/// junk) to the queue.
#[derive(Default)]
pub struct SimLink {
    hosts: Vec<SimHost>,
    /// Which host owns each address, so answering a solicitation does not scan every host.
    owner: HashMap<Ipv6Addr, usize>,
    queue: VecDeque<Packet>,
    spread: Option<Spread>,
    /// Answers not yet due (only with a spread), earliest first.
    delayed: BinaryHeap<Delayed>,
    /// Every probe sent, as (destination, source, message, had destination options).
    pub sent: Vec<(Ipv6Addr, Option<Ipv6Addr>, Vec<u8>, bool)>,
    /// When the probe being answered was sent: every answer's delay counts from it, so the
    /// order of answers depends on the seed only, not on how fast they were queued.
    probe_time: Option<Instant>,
    /// xorshift64* state of the loss draws ([`Quirks`]); fixed unless [`SimLink::with_loss_seed`].
    loss_rng: u64,
    /// The link's own clock ([`SimLink::with_virtual_time`]); the system's when `None`.
    clock: Option<Instant>,
}

/// How answers are spread over time.
#[derive(Clone, Copy, Debug)]
struct Spread {
    /// Echo replies, Parameter Problems and RAs arrive uniformly within this after a probe.
    max: Duration,
    /// xorshift64* state.
    rng: u64,
    /// Tie-breaker keeping equal due times in queueing order.
    seq: u64,
}

/// One step of xorshift64*.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

impl Spread {
    fn next(&mut self) -> u64 {
        xorshift(&mut self.rng)
    }

    /// A delay drawn uniformly from `[0, max]`.
    fn delay(&mut self, max: Duration) -> Duration {
        let nanos = max.as_nanos().min(u128::from(u64::MAX)) as u64;
        Duration::from_nanos(self.next() % nanos.saturating_add(1))
    }
}

/// An answer and when it becomes receivable; ordered so the heap pops the earliest first.
struct Delayed {
    due: Instant,
    seq: u64,
    packet: Packet,
}

impl Ord for Delayed {
    fn cmp(&self, o: &Self) -> Ordering {
        (o.due, o.seq).cmp(&(self.due, self.seq))
    }
}
impl PartialOrd for Delayed {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl PartialEq for Delayed {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Delayed {}

impl SimLink {
    /// A link with these hosts.
    pub fn new(hosts: Vec<SimHost>) -> Self {
        let mut owner = HashMap::new();
        for (i, h) in hosts.iter().enumerate() {
            for a in &h.addrs {
                owner.entry(*a).or_insert(i);
            }
        }
        SimLink {
            hosts,
            owner,
            loss_rng: 0x5eed,
            ..Default::default()
        }
    }

    /// Runs the link on a clock of its own: time passes only while a receive waits (as
    /// long as it would block), never while the worker computes, so a window has the same
    /// rounds, answers and ending however busy the machine is. Only for a worker alone on
    /// the link: a thread outside it (an inbox feeder) lives in the system's time.
    pub fn with_virtual_time(mut self) -> Self {
        self.clock = Some(Instant::now());
        self
    }

    /// Lets `d` pass: the link's clock moves on, or the thread sleeps.
    fn pass(&mut self, d: Duration) {
        match &mut self.clock {
            // At least a little, so a worker polling with a zero timeout still moves on.
            Some(t) => *t += d.max(Duration::from_micros(10)),
            None => std::thread::sleep(d),
        }
    }

    /// Draws the losses of [`Quirks`] from `seed` (deterministic per seed).
    pub fn with_loss_seed(mut self, seed: u64) -> Self {
        self.loss_rng = seed | 1;
        self
    }

    /// Spreads answers over time like a real link: each echo reply, Parameter Problem and
    /// Router Advertisement becomes receivable at a moment drawn uniformly from `[0, max]`
    /// after the probe it answers, each Neighbour Advertisement within `max / 10` (hosts
    /// answer a solicitation addressed to them at once). Deterministic for a given `seed`.
    /// `recv` blocks until the next answer is due, like a socket. Packets from `inject`
    /// are never delayed.
    pub fn with_spread(mut self, max: Duration, seed: u64) -> Self {
        self.spread = Some(Spread {
            max,
            // xorshift must not start at zero.
            rng: seed | 1,
            seq: 0,
        });
        self
    }

    /// Queues a packet as if it had arrived from `src` with `hop_limit`, in a frame whose
    /// source MAC is not known.
    pub fn inject(&mut self, src: Ipv6Addr, hop_limit: u8, message: Vec<u8>) {
        self.queue.push_back((src, hop_limit, message, None));
    }

    /// Queues a packet as if a host had sent it on its own, in a frame from `mac`.
    pub fn inject_from(&mut self, src: Ipv6Addr, mac: Mac, hop_limit: u8, message: Vec<u8>) {
        self.queue.push_back((src, hop_limit, message, Some(mac)));
    }

    /// Queues an answer, due now or, with a spread, within `max / divisor`.
    fn answer(&mut self, packet: Packet, divisor: u32) {
        let base = self.probe_time.unwrap_or_else(|| self.now());
        match &mut self.spread {
            None => self.queue.push_back(packet),
            Some(sp) => {
                let due = base + sp.delay(sp.max / divisor.max(1));
                sp.seq += 1;
                let seq = sp.seq;
                self.delayed.push(Delayed { due, seq, packet });
            }
        }
    }

    /// The next receivable packet, if any is due.
    fn pop_due(&mut self) -> Option<Packet> {
        if let Some(p) = self.queue.pop_front() {
            return Some(p);
        }
        let now = self.now();
        if self.delayed.peek().is_some_and(|d| d.due <= now) {
            return self.delayed.pop().map(|d| d.packet);
        }
        None
    }

    fn answer_from(host: &SimHost, src: Option<Ipv6Addr>) -> Option<Ipv6Addr> {
        let kind = src.map_or(PrefixKind::LinkLocal, PrefixKind::of);
        host.addrs
            .iter()
            .copied()
            .find(|a| PrefixKind::of(*a) == kind)
    }

    /// Whether a packet to `host` is lost on the way (multicast or unicast).
    fn lost(&mut self, host: usize, multicast: bool) -> bool {
        let Some(q) = self.hosts.get(host).map(|h| h.quirks) else {
            return true;
        };
        let percent = if multicast {
            q.multicast_loss
        } else {
            q.unicast_loss
        };
        percent > 0 && xorshift(&mut self.loss_rng) % 100 < u64::from(percent.min(100))
    }

    /// The hosts a probe to `dst` reaches: everyone for a multicast group, else the owner.
    fn receivers(&self, dst: Ipv6Addr) -> Vec<usize> {
        if dst.is_multicast() {
            (0..self.hosts.len()).collect()
        } else {
            self.owner.get(&dst).copied().into_iter().collect()
        }
    }

    fn on_echo(&mut self, probe: &Probe<'_>) {
        let Some(to) = probe.src else { return };
        let Some((icmp_type, id, seq, cookie)) = host::probe_fields(probe.message) else {
            return;
        };
        let multicast = probe.dst.is_multicast();
        let mut answers = Vec::new();
        for i in self.receivers(probe.dst) {
            if self.lost(i, multicast) {
                continue;
            }
            let host = &self.hosts[i];
            let q = host.quirks;
            // APF in doze: multicast echo and multicast with extension headers never pass.
            if q.dozing && multicast {
                continue;
            }
            let Some(from) = Self::answer_from(host, probe.src) else {
                continue;
            };
            let option_answered = probe.dest_opts.is_some()
                && (icmp_type == TYPE_UNKNOWN_PROBE || !q.option_needs_unknown_type);
            let reply = if option_answered {
                let start = match q.quote {
                    QuoteStyle::Linux => QuoteStart::Ipv6Header {
                        src: to,
                        dst: probe.dst,
                    },
                    QuoteStyle::FromExtension => QuoteStart::ExtensionHeader,
                    QuoteStyle::FromMessage => QuoteStart::Message,
                };
                let mut pp = Icmp::ParamProblem {
                    code: q.pp_code,
                    pointer: POINTER_UNKNOWN_OPTION,
                    invoking: Some(Invoking {
                        start,
                        icmp_type,
                        id,
                        seq,
                        cookie,
                    }),
                }
                .to_bytes();
                if let Some(n) = q.quote_cut {
                    pp.truncate(8 + n);
                }
                pp
            } else if icmp_type != TYPE_ECHO_REQUEST || (multicast && host.ignores_multicast_echo) {
                continue;
            } else {
                let mut reply = Icmp::EchoReply { id, seq, cookie }.to_bytes();
                if let Some(n) = q.echo_payload_cut {
                    reply.truncate(8 + n);
                }
                reply
            };
            answers.push((from, HOST_HOP_LIMIT, reply, Some(host.mac)));
        }
        for a in answers {
            self.answer(a, 1);
        }
    }

    fn on_ns(&mut self, probe: &Probe<'_>) {
        let Ok(Icmp::NeighbourSolicit { target, .. }) = packet::parse(probe.message) else {
            return;
        };
        let Some(i) = self.owner.get(&target).copied() else {
            return;
        };
        let multicast = probe.dst.is_multicast();
        if self.lost(i, multicast) || self.hosts[i].quirks.na_lost {
            return;
        }
        let host = &self.hosts[i];
        let router = host.router_prefixes.is_some();
        let from = Self::answer_from(host, None).unwrap_or(target);
        // Linux leaves the target link-layer option out of its answer to a unicast NS.
        let na = Icmp::NeighbourAdvert {
            target,
            router,
            solicited: true,
            override_flag: true,
            target_mac: multicast.then_some(host.mac),
        }
        .to_bytes();
        let mac = host.mac;
        self.answer((from, NDP_HOP_LIMIT, na, Some(mac)), 10);
    }

    fn on_mld_query(&mut self) {
        for i in 0..self.hosts.len() {
            // The query carries a hop-by-hop header: a dozing host's filter drops it.
            if self.hosts[i].quirks.dozing || self.lost(i, true) {
                continue;
            }
            let host = &self.hosts[i];
            if let Some(from) = Self::answer_from(host, None) {
                let groups: Vec<Ipv6Addr> = host
                    .addrs
                    .iter()
                    .map(|a| packet::solicited_node(*a))
                    .collect();
                let report = (from, MLD_HOP_LIMIT, mldv2_report(&groups), Some(host.mac));
                self.queue.push_back(report);
            }
        }
    }

    fn on_rs(&mut self) {
        let mut answers = Vec::new();
        for host in &self.hosts {
            if let (Some(prefixes), Some(from)) =
                (&host.router_prefixes, Self::answer_from(host, None))
            {
                let ra = router_advert(host.mac, prefixes);
                answers.push((from, NDP_HOP_LIMIT, ra, Some(host.mac)));
            }
        }
        for a in answers {
            self.answer(a, 1);
        }
    }
}

impl Link for SimLink {
    fn now(&self) -> Instant {
        self.clock.unwrap_or_else(Instant::now)
    }

    fn send(&mut self, probe: &Probe<'_>) -> io::Result<()> {
        self.probe_time = Some(self.now());
        self.sent.push((
            probe.dst,
            probe.src,
            probe.message.to_vec(),
            probe.dest_opts.is_some(),
        ));
        match probe.message.first() {
            Some(&(TYPE_ECHO_REQUEST | TYPE_UNKNOWN_PROBE)) => self.on_echo(probe),
            Some(&TYPE_ROUTER_SOLICIT) => self.on_rs(),
            Some(&TYPE_NEIGHBOUR_SOLICIT) => self.on_ns(probe),
            Some(&TYPE_MLD_QUERY) => self.on_mld_query(),
            Some(&super::packet::nodeinfo::TYPE_NI_QUERY) => self.on_ni_query(probe),
            _ => {}
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Option<Received>> {
        if self.queue.is_empty() {
            if let Some(next) = self.delayed.peek() {
                // Block until the next answer is due, as a socket would, but not past timeout.
                let wait = next.due.saturating_duration_since(self.now());
                if wait > timeout {
                    self.pass(timeout);
                    return Ok(None);
                }
                self.pass(wait);
            }
        }
        match self.pop_due() {
            Some((src, hop_limit, msg, mac)) => {
                let len = msg.len().min(buf.len());
                buf[..len].copy_from_slice(&msg[..len]);
                Ok(Some(Received {
                    len,
                    src,
                    hop_limit: Some(hop_limit),
                    mac,
                }))
            }
            None => {
                match self.clock {
                    // Nothing will come: a socket would block for the whole timeout.
                    Some(_) => self.pass(timeout),
                    None => std::thread::sleep(timeout.min(Duration::from_millis(1))),
                }
                Ok(None)
            }
        }
    }
}

/// A Parameter Problem (code 2, unrecognised option) quoting the echo request `echo` that
/// carried a Destination Options header from `src` to `dst`, as a Linux host sends it.
///
/// Built from its [`Icmp`] repr, so the quote always carries our own unknown-option
/// header; if `echo` is no echo request the Parameter Problem quotes nothing.
pub fn param_problem(src: Ipv6Addr, dst: Ipv6Addr, echo: &[u8]) -> Vec<u8> {
    let invoking = match packet::parse(echo) {
        Ok(Icmp::EchoRequest { id, seq, cookie }) => Some(Invoking {
            start: QuoteStart::Ipv6Header { src, dst },
            icmp_type: TYPE_ECHO_REQUEST,
            id,
            seq,
            cookie,
        }),
        _ => None,
    };
    Icmp::ParamProblem {
        code: CODE_UNRECOGNIZED_OPTION,
        pointer: POINTER_UNKNOWN_OPTION,
        invoking,
    }
    .to_bytes()
}

/// A solicited Neighbour Advertisement for `target` with its target link-layer option,
/// overriding (as Linux answers a multicast solicitation), from a router if `router`.
pub fn neighbour_advert(target: Ipv6Addr, mac: Mac, router: bool) -> Vec<u8> {
    Icmp::NeighbourAdvert {
        target,
        router,
        solicited: true,
        override_flag: true,
        target_mac: Some(mac),
    }
    .to_bytes()
}

/// A Router Advertisement with a source link-layer option and on-link prefixes (not
/// autonomous), with radvd's default hop limit, router lifetime and prefix lifetimes.
pub fn router_advert(mac: Mac, prefixes: &[(Ipv6Addr, u8)]) -> Vec<u8> {
    Icmp::RouterAdvert(Box::new(Advert {
        cur_hop_limit: RA_HOP_LIMIT,
        router_lifetime: RA_ROUTER_LIFETIME,
        source_mac: Some(mac),
        prefixes: prefixes
            .iter()
            .map(|&(prefix, len)| PrefixInfo {
                prefix,
                len,
                on_link: true,
                autonomous: false,
                valid_lifetime: RA_VALID_LIFETIME,
                preferred_lifetime: RA_PREFERRED_LIFETIME,
            })
            .collect(),
        ..Advert::default()
    }))
    .to_bytes()
}

/// An MLDv2 report with one "mode is exclude" record per group, as Linux sends; empty if
/// there are more groups than a report can count (65535).
pub fn mldv2_report(groups: &[Ipv6Addr]) -> Vec<u8> {
    Report::V2 {
        records: groups
            .iter()
            .map(|&group| Record {
                record_type: mld::RECORD_MODE_IS_EXCLUDE,
                group,
                sources: Vec::new(),
                aux_data: Vec::new(),
            })
            .collect(),
    }
    .to_bytes()
    .unwrap_or_default()
}

#[cfg(test)]
#[path = "sim_tests.rs"]
mod tests;
