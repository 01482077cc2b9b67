//! The per-interface probe loop: sends the probe rounds, matches answers to our own
//! probes, and reports what it learned as [`Observation`]s.

use super::packet::ProbeTag;
use super::{Link, LinkMode};
use crate::mac::Mac;
use crate::model::{Ipv6Prefix, Observation};
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::Ipv6Addr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

mod candidates;
mod nodeinfo;
pub mod quiet;
mod receive;
mod solicit;
use quiet::Quiet;
use solicit::Solicitations;
pub use solicit::{UNICAST_BURST, UNICAST_PER_SECOND};
mod config;
mod inbox;
mod send;
pub use config::{WorkerConfig, WorkerStats};
pub use inbox::{Expected, Inbox, MAX_INBOX};
use send::Queued;

const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);
/// Sequence-number bit marking the echo that carries the unknown destination option.
const SEQ_DEST_OPTS: u16 = 0x8000;
/// Sequence-number bit marking the unknown-type probe (behind the same option).
const SEQ_UNKNOWN_TYPE: u16 = 0x4000;
/// Sequence-number bit of a unicast echo (a solicitation's last attempt).
const SEQ_UNICAST: u16 = 0x2000;
/// How far apart rounds are at least (when the window allows): a Wi-Fi station in power
/// save gets multicast only after a DTIM beacon, every 100–300 ms, so rounds this far
/// apart reach it in different beacon periods — each probe kind at least twice in the
/// default window even when a beacon's multicast is lost.
const DTIM_SPACING: Duration = Duration::from_millis(300);

/// How long a router may wait before it answers a Router Solicitation
/// (MAX_RA_DELAY_TIME, RFC 4861 §10; radvd waits a random time up to it), plus a margin.
/// A window that has heard a host say it is a router stays open that long after the RS,
/// so its advertisement is listed rather than missed (and its Router flag not flagged).
const RA_WAIT: Duration = Duration::from_millis(550);
/// Spacing of the multicast probes inside a round. Each one makes every host on the link
/// answer at once; back to back, their answers pile up faster than they drain. In the
/// namespace lab all hosts share the kernel's per-CPU ICMPv6 reply sockets, whose send
/// buffer then overflows (hosts' Icmp6OutErrors; at 150 hosts, silent hosts were missed
/// in 7 of 12 cold scans) — 5 ms apart, none in 17 (bench/README.md). On real links it
/// spares Wi-Fi access points a burst of multicast.
const PROBE_GAP: Duration = Duration::from_millis(5);

/// Of `max_hosts`, how many may be routers known only from their unsolicited RAs: a link
/// has a handful of routers, and anyone can send RAs from as many sources as they like,
/// so a flood of forged routers must not take the room of hosts answering our probes.
fn router_limit(max_hosts: usize) -> usize {
    (max_hosts / 8).max(8).min(max_hosts)
}

/// Runs the probe window on `link`, reporting each finding through `emit`.
/// Returns when the window closes, with the counters and — when every send failed — the
/// first send error, so the caller can warn about this interface and still count what
/// arrived.
pub fn run<L: Link>(
    link: &mut L,
    cfg: &WorkerConfig,
    emit: &mut dyn FnMut(Observation),
) -> (WorkerStats, Option<std::io::Error>) {
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
    let mut w = Worker {
        link,
        cfg,
        tag,
        full,
        emit,
        stats: WorkerStats::default(),
        queued: VecDeque::new(),
        gap: PROBE_GAP,
        next_send: Instant::now(),
        sent_at: HashMap::new(),
        solicited: HashMap::new(),
        pending: Solicitations::new(cfg.wait),
        recalled: HashSet::new(),
        first_send_error: None,
        macs: HashMap::new(),
        prefixes: cfg.prefixes.clone(),
        mld_hosts: HashMap::new(),
        from_mld: HashSet::new(),
        ids_known: Vec::new(),
        ids_seen: HashSet::new(),
        ni_asked: HashSet::new(),
        ni_claims: HashMap::new(),
        ni_credited: HashSet::new(),
        ni_named: HashSet::new(),
        id_tries: 0,
        routers: 0,
        heard: 0,
        unicast_seq: 0,
        quiet: Quiet::new(false, Instant::now(), Instant::now()),
        ns_sent: HashMap::new(),
        rs_sent: None,
        ra_macs: HashSet::new(),
        awaiting_ra: HashSet::new(),
        fed: 0,
    };
    w.run();
    let failed = (w.stats.probes_sent == 0)
        .then_some(w.first_send_error)
        .flatten();
    (w.stats, failed)
}

struct Worker<'a, L: Link> {
    link: &'a mut L,
    cfg: &'a WorkerConfig,
    /// The identity answers must carry on this link.
    tag: ProbeTag,
    /// The link sends every kind of probe (raw socket), not only echo.
    full: bool,
    emit: &'a mut dyn FnMut(Observation),
    stats: WorkerStats,
    /// Multicast probes of the current round not sent yet.
    queued: VecDeque<Queued>,
    /// Spacing of the queued echoes.
    gap: Duration,
    /// When the next queued echo may go.
    next_send: Instant,
    /// When each echo sequence number went out, for round-trip times.
    sent_at: HashMap<u16, Instant>,
    /// Addresses we solicited, and whether their MAC is known (an NA with its link-layer
    /// option, or the frame of one of its answers).
    solicited: HashMap<Ipv6Addr, bool>,
    /// The solicitations still to send, and the unicast budget.
    pending: Solicitations,
    /// Addresses remembered from before (cache, inventory) that we asked about.
    recalled: HashSet<Ipv6Addr>,
    first_send_error: Option<std::io::Error>,
    /// MACs learned from Neighbour Advertisements, for MLD candidates.
    macs: HashMap<Ipv6Addr, Mac>,
    /// Our prefixes plus those routers advertised.
    prefixes: Vec<Ipv6Prefix>,
    /// Solicited-node bits each MLD reporter listed.
    mld_hosts: HashMap<Ipv6Addr, Vec<u32>>,
    /// Candidates we solicited because of MLD reports.
    from_mld: HashSet<Ipv6Addr>,
    /// Addresses seen whose interface IDs were tried in every other prefix.
    ids_known: Vec<Ipv6Addr>,
    /// The same addresses, to look them up.
    ids_seen: HashSet<Ipv6Addr>,
    /// Hosts sent a unicast Node Information query.
    ni_asked: HashSet<Ipv6Addr>,
    /// Addresses Node Information replies listed, with the replier's MAC when its frame
    /// showed it.
    ni_claims: HashMap<Ipv6Addr, Option<Mac>>,
    /// Listed addresses already reported as seen by Node Information.
    ni_credited: HashSet<Ipv6Addr>,
    /// Repliers whose Node Name reply was passed on.
    ni_named: HashSet<Ipv6Addr>,
    /// Candidates solicited because a known ID was tried in another prefix.
    id_tries: usize,
    /// Addresses tracked only because they sent a Router Advertisement.
    routers: usize,
    /// Addresses tracked only because we heard them (their own NS, RS, NA).
    heard: usize,
    /// Counter of the unicast echoes' sequence numbers.
    unicast_seq: u16,
    /// What decides when the window may end.
    quiet: Quiet,
    /// When each address was last solicited, for the latency of its advertisement.
    ns_sent: HashMap<Ipv6Addr, Instant>,
    /// When our Router Solicitation went out.
    rs_sent: Option<Instant>,
    /// MACs that sent a Router Advertisement (frame or source option), bounded like routers.
    ra_macs: HashSet<Mac>,
    /// MACs that said they are routers and whose RA is awaited.
    awaiting_ra: HashSet<Mac>,
    /// Addresses from the inbox that were asked about.
    fed: usize,
}

impl<L: Link> Worker<'_, L> {
    fn run(&mut self) {
        let start = Instant::now();
        let deadline = start + self.cfg.wait;
        let rounds = self.cfg.rounds.max(1);
        let interval = round_interval(self.cfg.wait, rounds);
        // A round's probes must fit in its share of the window, even a very short one.
        // (RS and Node Information query in the first round; the Node Name query beside
        // it leaves the echoes' spacing as it was.)
        let per_round = 3 * self.cfg.sources.len() as u32 + 2;
        self.gap = PROBE_GAP.min(interval / per_round);
        // A station in power save hears the first round only after its next DTIM beacon:
        // the window stays open that long, so its late answer can stretch the window before
        // the link looks quiet. MLD reports are spread over the query's response delay.
        let mut not_before = start + DTIM_SPACING;
        if self.cfg.mld && self.full {
            not_before = not_before.max(start + mld_response_delay(self.cfg.wait));
        }
        self.quiet = Quiet::new(self.cfg.early_end, deadline, not_before);
        let mut round = 0;
        let mut buf = vec![0u8; 2048];
        let mut ended_early = false;
        loop {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            // The first round always goes out whole: it is what every answer comes from.
            if round > 0 && self.queued.is_empty() && self.stopped() {
                ended_early = true;
                break;
            }
            let round_at = match round {
                0 => start,
                r => self.quiet.next_round_at(start + interval * r),
            };
            if round < rounds && now >= round_at {
                if round == 0 {
                    // A searched device where it was answers these within milliseconds,
                    // before the round's answers crowd the link.
                    self.recall_known(now);
                }
                self.send_round(round);
                round += 1;
            }
            self.take_inbox(now);
            self.send_queued();
            self.send_due_solicitations(now);
            let settled = round >= rounds
                && self.queued.is_empty()
                && !self.still_asking()
                && !self.inbox_awaiting();
            let end = self.quiet.end_at(settled);
            if now >= end {
                ended_early = true;
                break;
            }
            let mut next = if round < rounds {
                self.quiet.next_round_at(start + interval * round).min(end)
            } else {
                end
            };
            if !self.queued.is_empty() {
                next = next.min(self.next_send);
            }
            if let Some(due) = self.pending.next_due() {
                next = next.min(due);
            }
            let mut timeout = next.saturating_duration_since(Instant::now());
            if self.cfg.stop.is_some() {
                timeout = timeout.min(STOP_POLL);
            }
            if self.cfg.inbox.is_some() {
                timeout = timeout.min(inbox::POLL);
            }
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
        if let Some(inbox) = &self.cfg.inbox {
            inbox.close();
        }
        self.stats.window = start.elapsed();
        self.stats.ended_early = ended_early;
    }

    /// Whether the caller has what it needs.
    fn stopped(&self) -> bool {
        self.cfg
            .stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Whether a solicitation is still due for an address whose MAC is unknown.
    fn still_asking(&self) -> bool {
        self.pending.waiting().any(|a| self.wants_mac(a))
    }

    /// Starts confirming the addresses known from before: each gets the solicitations of
    /// any new address, and only an answer reports it. They do not take the room of
    /// answering hosts (the cache may hold forged neighbours): an address is tracked only
    /// once it answers.
    fn recall_known(&mut self, now: Instant) {
        if !self.full {
            return;
        }
        let recall: Vec<Ipv6Addr> = self
            .cfg
            .recall
            .iter()
            .copied()
            .filter(|a| crate::model::is_host_address(*a) && !self.cfg.own.contains(a))
            .take(MAX_RECALL)
            .collect();
        for addr in recall {
            self.confirm(addr, now);
        }
    }

    /// Starts asking for the MAC of `addr`, an address known from elsewhere (remembered,
    /// a known ID in another prefix, listed by a Node Information reply): it takes no
    /// room among the hosts until it answers. False when it is asked about already.
    fn confirm(&mut self, addr: Ipv6Addr, now: Instant) -> bool {
        if !self.recalled.insert(addr) {
            return false;
        }
        self.send_ns(addr);
        self.pending.schedule(addr, now);
        true
    }

    /// Whether `addr` still needs asking for its MAC.
    fn wants_mac(&self, addr: Ipv6Addr) -> bool {
        match self.solicited.get(&addr) {
            Some(known) => !known,
            None => self.recalled.contains(&addr),
        }
    }
}

/// How often a worker with a stop flag looks at it while waiting.
const STOP_POLL: Duration = Duration::from_millis(5);

/// The MLD query's maximum response delay: hosts answer within half the window, so the
/// candidates can still be confirmed inside it.
fn mld_response_delay(wait: Duration) -> Duration {
    (wait / 2).min(Duration::from_secs(1))
}

/// Most remembered addresses one interface confirms per scan: each costs up to two
/// multicast and two unicast probes.
pub const MAX_RECALL: usize = 256;

/// Time between rounds: the window split so the last round leaves as much time for answers
/// as the gaps between, but — when the window is long enough — at least [`DTIM_SPACING`]
/// (and then the last round leaves `wait / rounds`).
fn round_interval(wait: Duration, rounds: u32) -> Duration {
    let rounds = rounds.max(1);
    (wait / (rounds + 1)).max(DTIM_SPACING.min(wait / rounds))
}

#[cfg(test)]
#[path = "worker_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "worker_links_tests.rs"]
mod links_tests;

#[cfg(test)]
#[path = "worker_ids_tests.rs"]
mod ids_tests;

#[cfg(test)]
#[path = "worker_ni_tests.rs"]
mod ni_tests;

#[cfg(test)]
#[path = "worker_early_tests.rs"]
mod early_tests;

#[cfg(test)]
#[path = "worker_inbox_tests.rs"]
mod inbox_tests;
