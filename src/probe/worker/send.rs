//! The sending half of the probe loop: the link and the scan's identity on it ([`Port`]),
//! the multicast rounds (echo, the echoes behind the unknown destination option, RS, Node
//! Information and MLD queries), paced apart ([`Rounds`]), and the solicitations.

use super::solicit::ATTEMPTS;
use super::{mld_response_delay, round_interval, Worker, WorkerConfig, WorkerStats};
use crate::model::Observation;
use crate::probe::packet::{self, mld, nodeinfo, ProbeTag};
use crate::probe::{Link, LinkMode, Probe, Received};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
/// Sequence-number bit marking the echo that carries the unknown destination option.
const SEQ_DEST_OPTS: u16 = 0x8000;
/// Sequence-number bit marking the unknown-type probe (behind the same option).
const SEQ_UNKNOWN_TYPE: u16 = 0x4000;
/// Sequence-number bit of a unicast echo (a solicitation's last attempt).
const SEQ_UNICAST: u16 = 0x2000;
/// Spacing of the multicast probes inside a round. Each one makes every host on the link
/// answer at once; back to back, their answers pile up faster than they drain. In the
/// namespace lab all hosts share the kernel's per-CPU ICMPv6 reply sockets, whose send
/// buffer then overflows (hosts' Icmp6OutErrors; at 150 hosts, silent hosts were missed
/// in 7 of 12 cold scans) — 5 ms apart, none in 17 (docs/benchmarks.md). On real links it
/// spares Wi-Fi access points a burst of multicast.
pub(super) const PROBE_GAP: Duration = Duration::from_millis(5);

/// The link as the worker sees it: what it can send, the identity answers must carry,
/// where findings go, and the counters.
pub(super) struct Port<'a, L: Link> {
    link: &'a mut L,
    emit: &'a mut dyn FnMut(Observation),
    ifindex: u32,
    /// The identity answers must carry on this link.
    tag: ProbeTag,
    /// The link sends every kind of probe (raw socket), not only echo.
    full: bool,
    /// The counters of this window.
    pub(super) stats: WorkerStats,
    first_send_error: Option<io::Error>,
}

impl<'a, L: Link> Port<'a, L> {
    /// The port of `link` for the scan `cfg` describes.
    pub(super) fn new(
        link: &'a mut L,
        cfg: &WorkerConfig,
        emit: &'a mut dyn FnMut(Observation),
    ) -> Self {
        // A ping socket's echoes carry the kernel's identifier, not ours; the cookie still
        // makes them ours. Only a raw socket can send NDP, MLD and destination options.
        let (tag, full) = match link.mode() {
            LinkMode::Raw => (cfg.tag, true),
            LinkMode::Ping { echo_id } => (
                ProbeTag {
                    id: echo_id,
                    ..cfg.tag
                },
                false,
            ),
        };
        Port {
            link,
            emit,
            ifindex: cfg.ifindex,
            tag,
            full,
            stats: WorkerStats::default(),
            first_send_error: None,
        }
    }

    /// Whether the link sends every kind of probe.
    pub(super) fn full(&self) -> bool {
        self.full
    }

    /// The identity answers must carry.
    pub(super) fn tag(&self) -> &ProbeTag {
        &self.tag
    }

    /// The interface's index, for observations.
    pub(super) fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// The time now on the link's clock.
    pub(super) fn now(&self) -> Instant {
        self.link.now()
    }

    /// Sends one message; true when it went out (counted either way).
    fn send(&mut self, probe: &Probe<'_>) -> bool {
        match self.link.send(probe) {
            Ok(()) => {
                self.stats.probes_sent += 1;
                true
            }
            Err(e) => {
                self.stats.send_errors += 1;
                self.first_send_error.get_or_insert(e);
                false
            }
        }
    }

    /// Waits at most `timeout` for one message.
    pub(super) fn recv(
        &mut self,
        buf: &mut [u8],
        timeout: Duration,
    ) -> io::Result<Option<Received>> {
        self.link.recv(buf, timeout)
    }

    /// Reports a finding.
    pub(super) fn emit(&mut self, o: Observation) {
        (self.emit)(o);
    }

    /// The window closed after `window`, early or not.
    pub(super) fn window_closed(&mut self, window: Duration, ended_early: bool) {
        self.stats.window = window;
        self.stats.ended_early = ended_early;
    }

    /// The counters, and the first send error when every send failed.
    pub(super) fn finish(mut self) -> (WorkerStats, Option<io::Error>) {
        let drops = self.link.take_drops();
        self.stats.ring_drops = drops.ring;
        self.stats.malformed += drops.malformed;
        let failed = (self.stats.probes_sent == 0)
            .then_some(self.first_send_error)
            .flatten();
        (self.stats, failed)
    }
}

/// A multicast probe of a round waiting for its turn.
#[derive(Clone, Copy, Debug)]
struct Queued {
    seq: u16,
    src: Ipv6Addr,
    kind: ProbeKind,
}

/// The three multicast probes of a round, from each source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProbeKind {
    /// A plain echo request.
    Echo,
    /// The echo behind the unknown destination option.
    OptionEcho,
    /// The unknown ICMPv6 type behind the unknown destination option.
    OptionUnknownType,
}

impl ProbeKind {
    const ALL: [ProbeKind; 3] = [
        ProbeKind::Echo,
        ProbeKind::OptionEcho,
        ProbeKind::OptionUnknownType,
    ];

    /// The sequence-number bits of this kind.
    fn bits(self) -> u16 {
        match self {
            ProbeKind::Echo => 0,
            ProbeKind::OptionEcho => SEQ_DEST_OPTS,
            ProbeKind::OptionUnknownType => SEQ_DEST_OPTS | SEQ_UNKNOWN_TYPE,
        }
    }

    /// The kind of round probe `seq` was; `None` for a unicast echo.
    fn of_seq(seq: u16) -> Option<ProbeKind> {
        if seq & SEQ_UNICAST != 0 {
            return None;
        }
        Some(
            match (seq & SEQ_DEST_OPTS != 0, seq & SEQ_UNKNOWN_TYPE != 0) {
                (false, _) => ProbeKind::Echo,
                (true, false) => ProbeKind::OptionEcho,
                (true, true) => ProbeKind::OptionUnknownType,
            },
        )
    }

    /// This kind's bit in a mask of kinds.
    fn flag(self) -> u8 {
        1 << self as u8
    }
}

/// From how many answering addresses on a link the retry rounds ask again only with the
/// probe kinds that found someone no other kind found: below it every round sends all
/// three (a lost answer is then as likely to be any kind's), above it a link where every
/// host answers every kind costs one answer per host a retry round instead of three.
const SCALE_LINK: usize = 256;

/// The round schedule: when each round goes out, its probes paced apart, and when each
/// echo left (for round-trip times).
#[derive(Debug)]
pub(super) struct Rounds {
    start: Instant,
    /// Rounds planned.
    planned: u32,
    /// Rounds sent so far.
    sent: u32,
    /// Time between rounds on the fixed schedule.
    interval: Duration,
    /// Multicast probes of the current round not sent yet.
    queued: VecDeque<Queued>,
    /// Spacing of the queued echoes.
    gap: Duration,
    /// When the next queued echo may go.
    next_send: Instant,
    /// When each echo sequence number went out.
    sent_at: HashMap<u16, Instant>,
    /// Counter of the unicast echoes' sequence numbers.
    unicast_seq: u16,
    /// Which kinds of round probe each tracked address answered (a mask of
    /// [`ProbeKind::flag`]s).
    answered_by: HashMap<Ipv6Addr, u8>,
}

impl Rounds {
    /// The schedule of a window starting at `start`.
    pub(super) fn new(cfg: &WorkerConfig, start: Instant) -> Self {
        let planned = cfg.rounds.max(1);
        let interval = round_interval(cfg.wait, planned);
        // A round's probes must fit in its share of the window, even a very short one.
        // (RS and Node Information query in the first round; the Node Name query beside
        // it leaves the echoes' spacing as it was.)
        let per_round = 3 * cfg.sources.len() as u32 + 2;
        Rounds {
            start,
            planned,
            sent: 0,
            interval,
            queued: VecDeque::new(),
            gap: PROBE_GAP.min(interval / per_round),
            next_send: start,
            sent_at: HashMap::new(),
            unicast_seq: 0,
            answered_by: HashMap::new(),
        }
    }

    /// `addr`, tracked, answered probe `seq`.
    pub(super) fn answered(&mut self, addr: Ipv6Addr, seq: u16) {
        if let Some(kind) = ProbeKind::of_seq(seq) {
            *self.answered_by.entry(addr).or_default() |= kind.flag();
        }
    }

    /// The kinds of probe a round sends: all three, except in the retry rounds of a large
    /// link ([`SCALE_LINK`]), which send only the kinds that found an address no other
    /// kind found — or, where every kind found the same, the option echo, which every
    /// host answers (with an echo reply or a Parameter Problem).
    fn kinds(&self, round: u32) -> Vec<ProbeKind> {
        if round == 0 || self.answered_by.len() < SCALE_LINK {
            return ProbeKind::ALL.to_vec();
        }
        let unique: Vec<ProbeKind> = ProbeKind::ALL
            .into_iter()
            .filter(|k| self.answered_by.values().any(|m| *m == k.flag()))
            .collect();
        if unique.is_empty() {
            vec![ProbeKind::OptionEcho]
        } else {
            unique
        }
    }

    /// Whether the first round went out.
    pub(super) fn started(&self) -> bool {
        self.sent > 0
    }

    /// Whether no probe of a round waits for its turn.
    pub(super) fn idle(&self) -> bool {
        self.queued.is_empty()
    }

    /// Whether every round went out whole.
    pub(super) fn all_out(&self) -> bool {
        self.sent >= self.planned && self.queued.is_empty()
    }

    /// When the next round goes: on the fixed schedule, or earlier when the link allows.
    fn next_round_at(&self, quiet: &super::Quiet) -> Option<Instant> {
        match self.sent {
            n if n >= self.planned => None,
            0 => Some(self.start),
            n => Some(quiet.next_round_at(self.start + self.interval * n)),
        }
    }

    /// Whether the next round is due at `now`.
    pub(super) fn due(&self, now: Instant, quiet: &super::Quiet) -> bool {
        self.next_round_at(quiet).is_some_and(|t| now >= t)
    }

    /// When something is due next: a round, or a queued probe's turn.
    pub(super) fn next_at(&self, quiet: &super::Quiet) -> Option<Instant> {
        let round = self.next_round_at(quiet);
        let queued = (!self.queued.is_empty()).then_some(self.next_send);
        match (round, queued) {
            (Some(r), Some(q)) => Some(r.min(q)),
            (r, q) => r.or(q),
        }
    }

    /// The round-trip time of the answer to probe `seq`, arriving at `now`.
    pub(super) fn rtt(&self, seq: u16, now: Instant) -> Option<Duration> {
        self.sent_at
            .get(&seq)
            .map(|t| now.saturating_duration_since(*t))
    }

    /// The next sequence number of a unicast echo, noted as sent at `now`.
    fn unicast_seq(&mut self, now: Instant) -> u16 {
        let seq = SEQ_UNICAST | (self.unicast_seq & 0x1fff);
        self.unicast_seq = self.unicast_seq.wrapping_add(1);
        self.sent_at.insert(seq, now);
        seq
    }

    /// The queued probe whose turn it is at `now`, if any.
    fn next_queued(&mut self, now: Instant) -> Option<Queued> {
        if now < self.next_send {
            return None;
        }
        let q = self.queued.pop_front()?;
        self.sent_at.insert(q.seq, now);
        Some(q)
    }
}

impl<L: Link> Worker<'_, L> {
    /// Sends one message; a sent one counts as activity on the link.
    pub(super) fn send(&mut self, probe: Probe<'_>) {
        if self.port.send(&probe) {
            self.quiet.sent(self.now());
        }
    }

    /// Sends the next round: its multicast probes are queued and paced.
    pub(super) fn send_round(&mut self) {
        let round = self.rounds.sent;
        self.rounds.sent += 1;
        if !self.port.full() {
            self.send_echo_only(round);
            return;
        }
        if round == 0 {
            self.send_first_round_queries();
        }
        let kinds = self.rounds.kinds(round);
        for (i, src) in self.cfg.sources.iter().enumerate() {
            let seq = round_seq(round, i);
            for kind in &kinds {
                self.rounds.queued.push_back(Queued {
                    seq: seq | kind.bits(),
                    src: *src,
                    kind: *kind,
                });
            }
        }
        self.send_queued();
    }

    /// The first round's queries: RS, Node Information (and Node Name), MLD.
    fn send_first_round_queries(&mut self) {
        let link_local = self.cfg.sources.first().copied();
        let rs = packet::router_solicitation(self.cfg.mac);
        self.send(Probe {
            dst: ALL_ROUTERS,
            src: link_local,
            message: &rs,
            dest_opts: None,
            hop_opts: None,
            hop_limit: None,
        });
        self.routers.solicited(self.now());
        self.send_ni_query(ALL_NODES);
        if self.cfg.node_name {
            self.send_ni_name_query(ALL_NODES);
        }
        if self.cfg.mld {
            self.send_mld_query(link_local);
        }
    }

    /// A round on an echo-only link: one plain echo from each source (paced like the
    /// full rounds); the destination-options echo, RS, NS and MLD need a raw socket and
    /// are counted as skipped.
    fn send_echo_only(&mut self, round: u32) {
        for (i, src) in self.cfg.sources.iter().enumerate() {
            self.rounds.queued.push_back(Queued {
                seq: round_seq(round, i),
                src: *src,
                kind: ProbeKind::Echo,
            });
            self.port.stats.skipped += 2;
        }
        if round == 0 {
            // The RS, the Node Information queries and the MLD query.
            self.port.stats.skipped += 2 + u64::from(self.cfg.node_name) + u64::from(self.cfg.mld);
        }
        self.send_queued();
    }

    /// Sends the queued multicast probes that are due, `gap` apart.
    pub(super) fn send_queued(&mut self) {
        let opts = packet::unknown_option_dest_opts();
        while let Some(q) = self.rounds.next_queued(self.now()) {
            let tag = *self.port.tag();
            let message = match q.kind {
                ProbeKind::Echo | ProbeKind::OptionEcho => packet::echo_request(&tag, q.seq),
                ProbeKind::OptionUnknownType => packet::unknown_type_probe(&tag, q.seq),
            };
            self.send(Probe {
                dst: ALL_NODES,
                src: Some(q.src),
                message: &message,
                dest_opts: (q.kind != ProbeKind::Echo).then_some(&opts[..]),
                hop_opts: None,
                hop_limit: None,
            });
            // From the end of this send: a send delayed after `now` (the thread preempted)
            // must not bring the next one closer than the gap.
            self.rounds.next_send = self.now() + self.rounds.gap;
        }
    }

    /// Asks `addr` for its MAC. The NS goes to its solicited-node group rather than to the
    /// address itself: Linux puts the target link-layer option in the NA only when the
    /// solicitation was multicast, and a switch delivers that group to the owner alone.
    pub(super) fn send_ns(&mut self, addr: Ipv6Addr) {
        let Some(mac) = self.cfg.mac.filter(|_| self.port.full()) else {
            return;
        };
        let ns = packet::neighbour_solicitation(addr, mac);
        self.asks.sent(addr, self.now());
        self.send(Probe {
            dst: packet::solicited_node(addr),
            src: self.cfg.sources.first().copied(),
            message: &ns,
            dest_opts: None,
            hop_opts: None,
            hop_limit: None,
        });
    }

    /// Sends the attempts that are due for addresses whose MAC is still unknown.
    pub(super) fn send_due_solicitations(&mut self, now: Instant) {
        for (addr, attempt) in self.asks.due(now) {
            if attempt < ATTEMPTS {
                self.send_ns(addr);
            } else if self.asks.take_unicast_pair(now) {
                self.send_unicast(addr);
            } else {
                self.port.stats.skipped += 2;
            }
        }
    }

    /// The last attempt: a unicast NS and a unicast echo to `addr` itself.
    fn send_unicast(&mut self, addr: Ipv6Addr) {
        let Some(mac) = self.cfg.mac else {
            return;
        };
        let link_local = self.cfg.sources.first().copied();
        let src = if crate::model::is_link_local(addr) {
            link_local
        } else {
            // The global/ULA source of the same kind, so the answer comes back on-link.
            let kind = crate::model::PrefixKind::of(addr);
            self.cfg
                .sources
                .iter()
                .copied()
                .find(|s| crate::model::PrefixKind::of(*s) == kind)
                .or(link_local)
        };
        let ns = packet::neighbour_solicitation(addr, mac);
        self.send(Probe {
            dst: addr,
            src: link_local,
            message: &ns,
            dest_opts: None,
            hop_opts: None,
            hop_limit: None,
        });
        let seq = self.rounds.unicast_seq(self.now());
        let echo = packet::echo_request(self.port.tag(), seq);
        self.send(Probe {
            dst: addr,
            src,
            message: &echo,
            dest_opts: None,
            hop_opts: None,
            hop_limit: None,
        });
    }

    /// An MLDv2 general query to ff02::1: every listener reports its groups, and a host's
    /// solicited-node groups reveal the low 24 bits of each of its addresses. Hosts answer
    /// within half the window so the candidates can still be confirmed inside it.
    fn send_mld_query(&mut self, link_local: Option<Ipv6Addr>) {
        let query = mld::general_query(mld_response_delay(self.cfg.wait));
        let alert = mld::router_alert_hop_by_hop();
        self.send(Probe {
            dst: ALL_NODES,
            src: link_local,
            message: &query,
            dest_opts: None,
            hop_opts: Some(&alert),
            hop_limit: Some(1),
        });
    }

    /// The Node Addresses query, to `dst` about `dst`, from our link-local address.
    pub(super) fn send_ni_query(&mut self, dst: Ipv6Addr) {
        let query = nodeinfo::node_addresses_query(self.port.tag().cookie, dst);
        self.send_ni(dst, &query);
    }

    /// The Node Name query, to `dst` about `dst`, when the scan looks up names.
    pub(super) fn send_ni_name_query(&mut self, dst: Ipv6Addr) {
        let query = nodeinfo::node_name_query(self.port.tag().cookie, dst);
        self.send_ni(dst, &query);
    }

    fn send_ni(&mut self, dst: Ipv6Addr, query: &[u8]) {
        self.send(Probe {
            dst,
            src: self.cfg.sources.first().copied(),
            message: query,
            dest_opts: None,
            hop_opts: None,
            hop_limit: None,
        });
    }
}

/// The sequence number of source `i`'s probes in `round` (the kind bits added on top).
fn round_seq(round: u32, i: usize) -> u16 {
    ((round as u16 & 0x1f) << 8) | (i as u16 & 0xff)
}
