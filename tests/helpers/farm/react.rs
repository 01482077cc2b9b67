//! The hosts at work: what each does with a received frame (by its profile), the answers
//! waiting for their moment on one timer heap, each resolving host's own small neighbour
//! cache, and the counters. Pure: frames come in as bytes with a time, and go out through
//! a [`Sink`]; the clock is the caller's (nanoseconds since the farm started).

use std::collections::{BinaryHeap, HashMap};
use std::net::Ipv6Addr;
use std::rc::Rc;

use super::hosts::{is_link_local, Host, Profile, Quote, Rng};
use super::wire::{self, Exts, Head, Msg, Packet, IP6_LEN};

/// Where built frames go.
pub trait Sink {
    /// Room for the next frame ([`wire::FRAME_MAX`] bytes).
    fn slot(&mut self) -> &mut [u8];
    /// The frame written into the last slot is `len` bytes: send it.
    fn commit(&mut self, len: usize);
}

const MS: u64 = 1_000_000;
/// How late an answer may leave before it counts as late.
const LATE_NS: u64 = 5 * MS;
/// A resolving host's solicitations: this many, this far apart (Linux's mcast_solicit
/// and retrans_timer), then what waited for the answer is dropped.
const SOLICITS: u8 = 3;
const RETRANS_NS: u64 = 1000 * MS;
/// Most answers one host keeps waiting for one neighbour (Linux queues by bytes; about
/// this many small packets).
const PARKED_MAX: usize = 100;
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const ALL_MLDV2_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);

/// The farm's counters: written at exit (and on SIGUSR1) so a run can tell whether the
/// farm, not the scanner, was the bottleneck. One flat JSON object.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Stats {
    /// Frames in and out.
    #[serde(flatten)]
    pub wire: WireStats,
    /// Whether answers left on time.
    #[serde(flatten)]
    pub timing: TimingStats,
    /// What the hosts' profiles did.
    #[serde(flatten)]
    pub hosts: HostStats,
}

/// Frames in and out of the farm's socket.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct WireStats {
    /// Frames received (IPv6 only; the socket filters the rest).
    pub rx_frames: u64,
    /// Frames sent.
    pub tx_frames: u64,
    /// Frames the kernel refused to send.
    pub tx_errors: u64,
    /// Frames the kernel dropped before the farm read them (PACKET_STATISTICS).
    pub kernel_drops: u64,
    /// Time spent building and sending frames, in nanoseconds.
    pub tx_busy_ns: u64,
}

/// Whether answers left when they should.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct TimingStats {
    /// Answers that left more than 5 ms after their scheduled moment.
    pub late: u64,
    /// The latest any answer left after its moment, in microseconds.
    pub max_late_us: u64,
    /// Most answers waiting at once on the timer heap.
    pub max_queue: u64,
    /// Answers and retries still queued when the run ended (SIGUSR1).
    pub abandoned: u64,
}

/// What the hosts' profiles did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct HostStats {
    /// Frames a lossy host dropped on purpose (its profile's loss).
    pub dropped_loss: u64,
    /// Frames a host's profile ignores (multicast echo on Windows, dozing filters, …).
    pub ignored: u64,
    /// Answers dropped because the scanner never answered a host's solicitation (or had
    /// not when the run ended).
    pub unresolved: u64,
    /// Solicitations hosts sent to resolve the scanner.
    pub solicits_sent: u64,
}

/// What one answer carries, beside its addresses.
#[derive(Clone, Debug)]
enum Body {
    /// Echo Reply to the echo at `at` in `probe`.
    Echo { probe: Rc<[u8]>, at: usize },
    /// Parameter Problem quoting `probe` (from its IPv6 header).
    ParamProblem {
        probe: Rc<[u8]>,
        pointer: u32,
        quote: usize,
    },
    /// Solicited Neighbour Advertisement of `target`.
    Na { target: Ipv6Addr },
    /// Neighbour Solicitation for `target` (a resolving host).
    Ns { target: Ipv6Addr },
    /// MLDv2 report of the host's solicited-node groups.
    Mld,
    /// Node Information reply.
    Ni { qtype: u16, nonce: [u8; 8] },
}

/// One frame a host will send.
#[derive(Clone, Debug)]
struct Answer {
    host: u32,
    head: Head,
    body: Body,
}

#[derive(Debug)]
enum Job {
    Send(Answer),
    /// A resolving host's solicitation for `addr` went unanswered so long.
    Retry {
        host: u32,
        addr: Ipv6Addr,
    },
}

/// A job and its moment on the heap (earliest first, then first scheduled).
#[derive(Debug)]
struct Due {
    at: u64,
    seq: u64,
    job: Job,
}

impl PartialEq for Due {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Due {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

/// A resolving host's neighbour cache: who it knows, who it is asking, what waits.
#[derive(Debug, Default)]
struct Neigh {
    known: Vec<(Ipv6Addr, [u8; 6])>,
    asking: Vec<(Ipv6Addr, u8)>,
    parked: Vec<Answer>,
}

/// Timing and loss settings.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Answers leave uniformly within this many nanoseconds of the frame that asked.
    pub jitter_ns: u64,
    /// The `wifi` profile's loss of incoming multicast, in percent.
    pub loss_pct: u32,
}

/// Every host, the answers waiting, and the counters.
pub struct Farm {
    hosts: Vec<Host>,
    by_addr: HashMap<Ipv6Addr, u32>,
    neigh: Vec<Neigh>,
    heap: BinaryHeap<Due>,
    seq: u64,
    rng: Rng,
    timing: Timing,
    /// The counters.
    pub stats: Stats,
}

impl Farm {
    /// A farm of `hosts`, with answers drawn from `seed`.
    pub fn new(hosts: Vec<Host>, seed: u64, timing: Timing) -> Farm {
        let mut by_addr = HashMap::with_capacity(hosts.len() * 2);
        for (i, h) in hosts.iter().enumerate() {
            for a in h.addresses() {
                by_addr.insert(a, i as u32);
            }
        }
        let neigh = hosts.iter().map(|_| Neigh::default()).collect();
        Farm {
            hosts,
            by_addr,
            neigh,
            heap: BinaryHeap::new(),
            seq: 0,
            rng: Rng::new(seed ^ 0xa5a5),
            timing,
            stats: Stats::default(),
        }
    }

    /// Ends a run: what still waited to be sent or resolved is counted and dropped (its
    /// asker is gone), and every host forgets its neighbours, as after a long quiet, so
    /// the next run starts cold.
    pub fn cold(&mut self) {
        self.stats.timing.abandoned += self.heap.len() as u64;
        self.heap.clear();
        for n in &mut self.neigh {
            self.stats.hosts.unresolved += n.parked.len() as u64;
            *n = Neigh::default();
        }
    }

    /// Nanoseconds from `now` to the next job, if any.
    pub fn next_in(&self, now: u64) -> Option<u64> {
        self.heap.peek().map(|d| d.at.saturating_sub(now))
    }

    fn push(&mut self, at: u64, job: Job) {
        self.seq += 1;
        self.heap.push(Due {
            at,
            seq: self.seq,
            job,
        });
        self.stats.timing.max_queue = self.stats.timing.max_queue.max(self.heap.len() as u64);
    }

    /// Takes in one received frame at `now`.
    pub fn on_frame(&mut self, now: u64, frame: &[u8]) {
        self.stats.wire.rx_frames += 1;
        let Some(pkt) = wire::parse(frame) else {
            return;
        };
        let probe: Rc<[u8]> = Rc::from(pkt.ip);
        if pkt.dst == ALL_NODES {
            for i in 0..self.hosts.len() {
                self.deliver(i as u32, &pkt, &probe, now);
            }
        } else if pkt.dst.segments()[0] == 0xff02 {
            // A solicited-node group reaches the hosts whose address it covers.
            if let Some(Msg::Ns { target, .. }) = pkt.msg() {
                if let Some(&i) = self.by_addr.get(&target) {
                    if wire::solicited_node(target) == pkt.dst {
                        self.deliver(i, &pkt, &probe, now);
                    }
                }
            }
        } else if let Some(&i) = self.by_addr.get(&pkt.dst) {
            if self.hosts[i as usize].mac == pkt.eth_dst {
                self.deliver(i, &pkt, &probe, now);
            }
        }
    }

    /// Whether host `i` loses (its Wi-Fi) or ignores (its profile) this frame.
    fn filtered(&mut self, i: u32, pkt: &Packet<'_>) -> bool {
        let p = self.hosts[i as usize].profile;
        let multicast = pkt.dst.is_multicast();
        if p == Profile::Wifi {
            let pct = if multicast {
                self.timing.loss_pct * 100
            } else {
                self.timing.loss_pct * 100 / 6
            };
            if self.rng.below(10_000) < u64::from(pct) {
                self.stats.hosts.dropped_loss += 1;
                return true;
            }
        }
        let has_ext = pkt.ip[6] != 58;
        if multicast && has_ext && p.drops_multicast_extensions() {
            self.stats.hosts.ignored += 1;
            return true;
        }
        false
    }

    /// When host `i` answers a frame received at `now`.
    fn when(&mut self, i: u32, multicast: bool, now: u64) -> u64 {
        let h = &self.hosts[i as usize];
        let dtim = if multicast && h.profile == Profile::Late {
            u64::from(h.dtim_ms) * MS
        } else {
            0
        };
        now + dtim + 100_000 + self.rng.below(self.timing.jitter_ns.max(1))
    }

    /// What host `i` does with `pkt`.
    fn deliver(&mut self, i: u32, pkt: &Packet<'_>, probe: &Rc<[u8]>, now: u64) {
        if self.filtered(i, pkt) {
            return;
        }
        let p = self.hosts[i as usize].profile;
        let multicast = pkt.dst.is_multicast();
        let body = match (pkt.exts, pkt.msg()) {
            (Exts::ParamProblem { pointer }, _) => match p.quote() {
                Quote::None => None,
                q => Some(Body::ParamProblem {
                    probe: probe.clone(),
                    pointer,
                    quote: if q == Quote::Header8 {
                        IP6_LEN + 8
                    } else {
                        usize::MAX
                    },
                }),
            },
            (Exts::Pass { .. }, Some(Msg::Echo)) => {
                let answers = if multicast {
                    p.multicast_echo()
                } else {
                    p.unicast_echo()
                };
                answers.then(|| Body::Echo {
                    probe: probe.clone(),
                    at: pkt.icmp_at.unwrap_or(IP6_LEN),
                })
            }
            (Exts::Pass { .. }, Some(Msg::Ns { target, sllao })) => {
                return self.solicited(i, pkt, target, sllao, now);
            }
            (Exts::Pass { .. }, Some(Msg::Na { target, tllao })) => {
                return self.advertised(i, target, tllao.unwrap_or(pkt.eth_src), now);
            }
            (
                Exts::Pass { .. },
                Some(Msg::MldQuery {
                    general,
                    max_resp_ms,
                }),
            ) => {
                return self.mld_query(i, multicast && general, max_resp_ms, now);
            }
            (Exts::Pass { .. }, Some(Msg::NiQuery { qtype, nonce })) => {
                p.node_info().then_some(Body::Ni { qtype, nonce })
            }
            _ => return,
        };
        match body {
            Some(body) => self.answer(i, pkt, body, now),
            None => self.stats.hosts.ignored += 1,
        }
    }

    /// Host `i` answers `pkt` to its sender with `body`, from the address asked or, for
    /// multicast, its own of the asker's scope (none: it has no route back, so no answer).
    fn answer(&mut self, i: u32, pkt: &Packet<'_>, body: Body, now: u64) {
        let h = &self.hosts[i as usize];
        let multicast = pkt.dst.is_multicast();
        let from = if multicast {
            h.address_for(pkt.src)
        } else {
            Some(pkt.dst)
        };
        let Some(src) = from else {
            self.stats.hosts.ignored += 1;
            return;
        };
        let head = Head {
            eth_dst: pkt.eth_src,
            eth_src: h.mac,
            src,
            dst: pkt.src,
            hops: h.profile.hops(),
        };
        let at = self.when(i, multicast, now);
        self.push(
            at,
            Job::Send(Answer {
                host: i,
                head,
                body,
            }),
        );
    }

    /// Host `i` got an MLD query: a general one to a multicast group gets its report,
    /// within the query's maximum response delay.
    fn mld_query(&mut self, i: u32, general: bool, max_resp_ms: u32, now: u64) {
        if general && self.hosts[i as usize].profile.mld() {
            let at = now + self.rng.below(u64::from(max_resp_ms.max(1)) * MS);
            self.mld_report(i, at);
        } else {
            self.stats.hosts.ignored += 1;
        }
    }

    /// Host `i` got a solicitation for `target` (one of its addresses).
    fn solicited(
        &mut self,
        i: u32,
        pkt: &Packet<'_>,
        target: Ipv6Addr,
        sllao: Option<[u8; 6]>,
        now: u64,
    ) {
        if self.by_addr.get(&target) != Some(&i) || pkt.src.is_unspecified() {
            return;
        }
        if let Some(lla) = sllao {
            self.learn(i, pkt.src, lla);
        }
        let head = Head {
            eth_dst: sllao.unwrap_or(pkt.eth_src),
            eth_src: self.hosts[i as usize].mac,
            src: target,
            dst: pkt.src,
            hops: 255,
        };
        let at = self.when(i, pkt.dst.is_multicast(), now);
        let body = Body::Na { target };
        self.push(
            at,
            Job::Send(Answer {
                host: i,
                head,
                body,
            }),
        );
    }

    /// A resolving host learns (or refreshes) a neighbour's MAC.
    fn learn(&mut self, i: u32, addr: Ipv6Addr, mac: [u8; 6]) {
        if !self.hosts[i as usize].profile.resolves_first() {
            return;
        }
        let n = &mut self.neigh[i as usize];
        match n.known.iter_mut().find(|k| k.0 == addr) {
            Some(k) => k.1 = mac,
            None => n.known.push((addr, mac)),
        }
    }

    /// Host `i` got an advertisement: if it was asking about `target`, what waited leaves.
    fn advertised(&mut self, i: u32, target: Ipv6Addr, mac: [u8; 6], now: u64) {
        let n = &mut self.neigh[i as usize];
        let Some(pos) = n.asking.iter().position(|a| a.0 == target) else {
            return;
        };
        n.asking.swap_remove(pos);
        self.learn(i, target, mac);
        let n = &mut self.neigh[i as usize];
        let (ready, rest): (Vec<Answer>, Vec<Answer>) =
            n.parked.drain(..).partition(|a| a.head.dst == target);
        n.parked = rest;
        for a in ready {
            self.push(now, Job::Send(a));
        }
    }

    fn mld_report(&mut self, i: u32, at: u64) {
        let h = &self.hosts[i as usize];
        let head = Head {
            eth_dst: wire::multicast_mac(ALL_MLDV2_ROUTERS),
            eth_src: h.mac,
            src: h.link_local,
            dst: ALL_MLDV2_ROUTERS,
            hops: 1,
        };
        self.push(
            at,
            Job::Send(Answer {
                host: i,
                head,
                body: Body::Mld,
            }),
        );
    }

    /// Runs every job due by `now`, writing frames into `sink`.
    pub fn run_due(&mut self, now: u64, sink: &mut dyn Sink) {
        while self.heap.peek().is_some_and(|d| d.at <= now) {
            let Some(due) = self.heap.pop() else { break };
            match due.job {
                Job::Send(a) => {
                    let late = now - due.at;
                    if late > LATE_NS {
                        self.stats.timing.late += 1;
                    }
                    self.stats.timing.max_late_us = self.stats.timing.max_late_us.max(late / 1000);
                    self.send(a, now, sink);
                }
                Job::Retry { host, addr } => self.retry(host, addr, now, sink),
            }
        }
    }

    /// Sends `a`, unless its host must first resolve the destination.
    fn send(&mut self, mut a: Answer, now: u64, sink: &mut dyn Sink) {
        let i = a.host as usize;
        if self.hosts[i].profile.resolves_first() && !a.head.dst.is_multicast() {
            let n = &mut self.neigh[i];
            match n.known.iter().find(|k| k.0 == a.head.dst) {
                Some(k) => a.head.eth_dst = k.1,
                None => return self.park(a, now, sink),
            }
        }
        self.emit(&a, sink);
    }

    /// Keeps `a` until its host has resolved its destination; starts resolving it.
    fn park(&mut self, a: Answer, now: u64, sink: &mut dyn Sink) {
        let (host, dst, src) = (a.host, a.head.dst, a.head.src);
        let n = &mut self.neigh[host as usize];
        if n.parked.len() < PARKED_MAX {
            n.parked.push(a);
        } else {
            self.stats.hosts.unresolved += 1;
        }
        if n.asking.iter().any(|x| x.0 == dst) {
            return;
        }
        n.asking.push((dst, 1));
        self.solicit(host, src, dst, sink);
        self.push(now + RETRANS_NS, Job::Retry { host, addr: dst });
    }

    fn solicit(&mut self, host: u32, src: Ipv6Addr, target: Ipv6Addr, sink: &mut dyn Sink) {
        let group = wire::solicited_node(target);
        let head = Head {
            eth_dst: wire::multicast_mac(group),
            eth_src: self.hosts[host as usize].mac,
            src,
            dst: group,
            hops: 255,
        };
        self.stats.hosts.solicits_sent += 1;
        let body = Body::Ns { target };
        self.emit(&Answer { host, head, body }, sink);
    }

    /// A solicitation went unanswered: ask again, or give up what waited.
    fn retry(&mut self, host: u32, addr: Ipv6Addr, now: u64, sink: &mut dyn Sink) {
        let n = &mut self.neigh[host as usize];
        let Some(pos) = n.asking.iter().position(|x| x.0 == addr) else {
            return;
        };
        if n.asking[pos].1 >= SOLICITS {
            n.asking.swap_remove(pos);
            let before = n.parked.len();
            n.parked.retain(|a| a.head.dst != addr);
            self.stats.hosts.unresolved += (before - n.parked.len()) as u64;
            return;
        }
        n.asking[pos].1 += 1;
        let src = n
            .parked
            .iter()
            .find(|a| a.head.dst == addr)
            .map(|a| a.head.src);
        let h = &self.hosts[host as usize];
        let src = src.unwrap_or(if is_link_local(addr) {
            h.link_local
        } else {
            h.global.unwrap_or(h.link_local)
        });
        self.solicit(host, src, addr, sink);
        self.push(now + RETRANS_NS, Job::Retry { host, addr });
    }

    /// Writes `a` as a frame into `sink`.
    fn emit(&mut self, a: &Answer, sink: &mut dyn Sink) {
        let h = &self.hosts[a.host as usize];
        let buf = sink.slot();
        let len = match &a.body {
            Body::Echo { probe, at } => {
                wire::frame(buf, &a.head, false, |b| wire::echo_reply(b, &probe[*at..]))
            }
            Body::ParamProblem {
                probe,
                pointer,
                quote,
            } => wire::frame(buf, &a.head, false, |b| {
                wire::param_problem(b, *pointer, probe, *quote)
            }),
            Body::Na { target } => wire::frame(buf, &a.head, false, |b| {
                wire::neighbor_advert(b, *target, h.mac, true)
            }),
            Body::Ns { target } => wire::frame(buf, &a.head, false, |b| {
                wire::neighbor_solicit(b, *target, h.mac)
            }),
            Body::Mld => {
                let mut groups: Vec<Ipv6Addr> = h.addresses().map(wire::solicited_node).collect();
                groups.dedup();
                wire::frame(buf, &a.head, true, |b| wire::mld2_report(b, &groups))
            }
            Body::Ni { qtype, nonce } => {
                let addrs: Vec<Ipv6Addr> = h.addresses().collect();
                let name = h.name();
                wire::frame(buf, &a.head, false, |b| {
                    wire::ni_reply(b, *qtype, *nonce, &addrs, &name)
                })
            }
        };
        sink.commit(len);
    }
}

/// A sink that keeps every frame, for the tests.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct Frames {
    buf: Vec<u8>,
    /// The frames committed, in order.
    pub(crate) sent: Vec<Vec<u8>>,
}

#[cfg(test)]
impl Sink for Frames {
    fn slot(&mut self) -> &mut [u8] {
        self.buf.resize(crate::wire::FRAME_MAX, 0);
        &mut self.buf
    }
    fn commit(&mut self, len: usize) {
        self.sent.push(self.buf[..len].to_vec());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::hosts::{eui64, Profile};
    use crate::wire::{icmp, FRAME_MAX};

    const SCANNER_MAC: [u8; 6] = [0x02, 0, 0x5e, 0, 0, 1];

    fn host(profile: Profile, last: u8) -> Host {
        let mac = [0x3c, 0x22, 0xfb, 0, 0, last];
        Host {
            mac,
            profile,
            link_local: eui64([0xfe, 0x80, 0, 0, 0, 0, 0, 0], mac),
            global: None,
            dtim_ms: 150,
        }
    }

    fn scanner_ll() -> Ipv6Addr {
        "fe80::1".parse().unwrap()
    }

    /// An echo request from the scanner to `dst`.
    fn echo(dst: Ipv6Addr, eth_dst: [u8; 6]) -> Vec<u8> {
        let mut f = vec![0u8; FRAME_MAX];
        let head = Head {
            eth_dst,
            eth_src: SCANNER_MAC,
            src: scanner_ll(),
            dst,
            hops: 255,
        };
        let n = wire::frame(&mut f, &head, false, |b| {
            b[..12].copy_from_slice(&[128, 0, 0, 0, 0xab, 0xcd, 0, 1, 1, 2, 3, 4]);
            12
        });
        f.truncate(n);
        f
    }

    fn farm(hosts: Vec<Host>) -> Farm {
        let timing = Timing {
            jitter_ns: 3 * MS,
            loss_pct: 0,
        };
        Farm::new(hosts, 1, timing)
    }

    fn types(frames: &[Vec<u8>]) -> Vec<u8> {
        frames
            .iter()
            .map(|f| wire::parse(f).unwrap().icmp().unwrap()[0])
            .collect()
    }

    #[test]
    fn multicast_echo_by_profile() {
        let mut f = farm(vec![host(Profile::Smoltcp, 1), host(Profile::Windows, 2)]);
        let all = echo(ALL_NODES, wire::multicast_mac(ALL_NODES));
        f.on_frame(0, &all);
        let mut out = Frames::default();
        f.run_due(0, &mut out);
        assert!(out.sent.is_empty(), "answers wait for their jitter");
        f.run_due(10 * MS, &mut out);
        assert_eq!(types(&out.sent), vec![icmp::ECHO_REPLY]);
        let p = wire::parse(&out.sent[0]).unwrap();
        assert_eq!(p.eth_dst, SCANNER_MAC);
        assert_eq!(p.src, f.hosts[0].link_local);
        assert_eq!(p.dst, scanner_ll());
        assert_eq!(wire::checksum(p.src, p.dst, p.icmp().unwrap()), 0);
        assert_eq!(&p.icmp().unwrap()[4..], &[0xab, 0xcd, 0, 1, 1, 2, 3, 4]);
    }

    #[test]
    fn a_linux_host_resolves_the_scanner_first() {
        let mut f = farm(vec![host(Profile::Linux, 1)]);
        let all = echo(ALL_NODES, wire::multicast_mac(ALL_NODES));
        f.on_frame(0, &all);
        let mut out = Frames::default();
        f.run_due(10 * MS, &mut out);
        assert_eq!(types(&out.sent), vec![icmp::NEIGHBOR_SOLICIT]);
        let ns = wire::parse(&out.sent[0]).unwrap();
        assert_eq!(ns.dst, wire::solicited_node(scanner_ll()));
        // The scanner's advertisement releases the echo reply.
        let mut na = vec![0u8; FRAME_MAX];
        let head = Head {
            eth_dst: f.hosts[0].mac,
            eth_src: SCANNER_MAC,
            src: scanner_ll(),
            dst: f.hosts[0].link_local,
            hops: 255,
        };
        let n = wire::frame(&mut na, &head, false, |b| {
            wire::neighbor_advert(b, scanner_ll(), SCANNER_MAC, true)
        });
        f.on_frame(11 * MS, &na[..n]);
        f.run_due(11 * MS, &mut out);
        assert_eq!(
            types(&out.sent),
            vec![icmp::NEIGHBOR_SOLICIT, icmp::ECHO_REPLY]
        );
        // Known now: the next echo is answered without asking.
        f.on_frame(20 * MS, &all);
        f.run_due(40 * MS, &mut out);
        assert_eq!(out.sent.len(), 3);
        // Forgotten, and the scanner never answers: three solicitations, then nothing.
        f.cold();
        f.on_frame(50 * MS, &all);
        for t in 1..5 {
            f.run_due(50 * MS + t * RETRANS_NS, &mut out);
        }
        assert_eq!(
            types(&out.sent[3..]),
            vec![icmp::NEIGHBOR_SOLICIT; SOLICITS as usize]
        );
        assert_eq!(f.stats.hosts.unresolved, 1);
    }

    #[test]
    fn solicitations_for_a_hosts_address_get_an_advertisement() {
        let mut f = farm(vec![host(Profile::Silent, 1), host(Profile::Silent, 2)]);
        let target = f.hosts[1].link_local;
        let group = wire::solicited_node(target);
        let mut ns = vec![0u8; FRAME_MAX];
        let head = Head {
            eth_dst: wire::multicast_mac(group),
            eth_src: SCANNER_MAC,
            src: scanner_ll(),
            dst: group,
            hops: 255,
        };
        let n = wire::frame(&mut ns, &head, false, |b| {
            wire::neighbor_solicit(b, target, SCANNER_MAC)
        });
        f.on_frame(0, &ns[..n]);
        // A silent host ignores echo, but still advertises.
        f.on_frame(0, &echo(ALL_NODES, wire::multicast_mac(ALL_NODES)));
        let mut out = Frames::default();
        f.run_due(10 * MS, &mut out);
        assert_eq!(types(&out.sent), vec![icmp::NEIGHBOR_ADVERT]);
        let na = wire::parse(&out.sent[0]).unwrap();
        assert_eq!(
            na.msg(),
            Some(Msg::Na {
                target,
                tllao: Some(f.hosts[1].mac)
            })
        );
        assert_eq!(na.eth_dst, SCANNER_MAC);
    }

    #[test]
    fn late_hosts_answer_after_their_beacon() {
        let mut f = farm(vec![host(Profile::Late, 1)]);
        f.on_frame(0, &echo(ALL_NODES, wire::multicast_mac(ALL_NODES)));
        let mut out = Frames::default();
        f.run_due(140 * MS, &mut out);
        assert!(out.sent.is_empty());
        f.run_due(160 * MS, &mut out);
        assert_eq!(out.sent.len(), 1);
        assert_eq!(
            f.stats.timing.late, 1,
            "run 10 ms after its moment: counted late"
        );
    }
}
