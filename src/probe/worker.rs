//! The per-interface probe loop: sends the probe rounds, matches answers to our own
//! probes, and reports what it learned as [`Observation`]s.

use super::Link;
use crate::mac::Mac;
use crate::model::{Observation, SeenBy};
use std::net::Ipv6Addr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

mod bounds;
mod candidates;
mod config;
mod inbox;
mod learned;
mod mld;
mod ndp;
mod nodeinfo;
pub mod quiet;
mod receive;
mod routers;
mod send;
mod solicit;
use bounds::Bounds;
use candidates::KnownIds;
pub use config::{WorkerConfig, WorkerStats};
pub use inbox::{Expected, Inbox, MAX_INBOX};
use learned::Learned;
use mld::Listeners;
use nodeinfo::NodeInfo;
use quiet::Quiet;
use routers::RouterWait;
use send::{Port, Rounds};
use solicit::{Asks, Track};
pub use solicit::{UNICAST_BURST, UNICAST_PER_SECOND};

/// How far apart rounds are at least (when the window allows): a Wi-Fi station in power
/// save gets multicast only after a DTIM beacon, every 100–300 ms, so rounds this far
/// apart reach it in different beacon periods — each probe kind at least twice in the
/// default window even when a beacon's multicast is lost.
const DTIM_SPACING: Duration = Duration::from_millis(300);

/// Runs the probe window on `link`, reporting each finding through `emit`.
/// Returns when the window closes, with the counters and — when every send failed — the
/// first send error, so the caller can warn about this interface and still count what
/// arrived.
pub fn run<L: Link>(
    link: &mut L,
    cfg: &WorkerConfig,
    emit: &mut dyn FnMut(Observation),
) -> (WorkerStats, Option<std::io::Error>) {
    let start = link.now();
    let mut w = Worker::new(Port::new(link, cfg, emit), cfg, start);
    w.run(start);
    w.port.finish()
}

/// One interface's probe window: the round schedule and one state value per protocol,
/// each owned by its own file.
struct Worker<'a, L: Link> {
    /// The link, the scan's identity on it, where findings go, and the counters.
    port: Port<'a, L>,
    cfg: &'a WorkerConfig,
    /// The multicast rounds: when each goes out, and their probes still queued.
    rounds: Rounds,
    /// What decides when the window may end.
    quiet: Quiet,
    /// Every address asked about, and the solicitations still due.
    asks: Asks,
    /// The bounds on routers and hosts nobody asked for.
    bounds: Bounds,
    /// Routers whose advertisement the window waits for.
    routers: RouterWait,
    /// MLD reporters and their candidates.
    mld: Listeners,
    /// Known interface IDs tried in other prefixes.
    ids: KnownIds,
    /// Node Information queries, claims and names.
    ni: NodeInfo,
    /// MACs advertisements named, and the link's prefixes.
    learned: Learned,
}

/// One sighting of an address, as the worker reports it: how it was seen, the MAC a
/// link-layer option gave and the one its frame came from, the round-trip time of its
/// answer, and whether it said it is a router.
#[derive(Clone, Copy, Debug)]
struct Sighting {
    addr: Ipv6Addr,
    via: SeenBy,
    mac: Option<Mac>,
    frame_mac: Option<Mac>,
    rtt: Option<Duration>,
    router: bool,
}

impl Sighting {
    /// `addr` seen `via`, in a frame from `frame_mac`.
    fn new(addr: Ipv6Addr, via: SeenBy, frame_mac: Option<Mac>) -> Self {
        Sighting {
            addr,
            via,
            mac: None,
            frame_mac,
            rtt: None,
            router: false,
        }
    }

    /// With the MAC a link-layer option gave.
    fn mac(self, mac: Option<Mac>) -> Self {
        Sighting { mac, ..self }
    }

    /// With its answer's round-trip time.
    fn rtt(self, rtt: Option<Duration>) -> Self {
        Sighting { rtt, ..self }
    }

    /// Saying whether it is a router.
    fn router(self, router: bool) -> Self {
        Sighting { router, ..self }
    }
}

impl<'a, L: Link> Worker<'a, L> {
    fn new(port: Port<'a, L>, cfg: &'a WorkerConfig, start: Instant) -> Self {
        let deadline = start + cfg.wait;
        let rounds = Rounds::new(cfg, start);
        // A station in power save hears the first round only after its next DTIM beacon:
        // the window stays open that long, so its late answer can stretch the window before
        // the link looks quiet. MLD reports are spread over the query's response delay.
        let mut not_before = start + DTIM_SPACING;
        if cfg.mld && port.full() {
            not_before = not_before.max(start + mld_response_delay(cfg.wait));
        }
        let bounds = Bounds::new(cfg.max_hosts);
        Worker {
            port,
            cfg,
            rounds,
            quiet: Quiet::new(cfg.early_end, deadline, not_before),
            asks: Asks::new(cfg.wait, cfg.max_answers),
            routers: RouterWait::new(bounds.limit()),
            bounds,
            mld: Listeners::default(),
            ids: KnownIds::new(cfg.max_answers),
            ni: NodeInfo::default(),
            learned: Learned::new(cfg.prefixes.clone(), cfg.max_answers),
        }
    }

    fn run(&mut self, start: Instant) {
        let deadline = start + self.cfg.wait;
        let mut buf = vec![0u8; 2048];
        // A searched device where it was answers these within milliseconds, before the
        // first round's answers crowd the link.
        self.recall_known(start);
        let ended_early = loop {
            let now = self.now();
            if now >= deadline {
                break false;
            }
            // The first round always goes out whole: it is what every answer comes from.
            if self.rounds.started() && self.rounds.idle() && self.stopped() {
                break true;
            }
            // Addresses handed in go before the next round, like remembered ones.
            self.take_inbox(now);
            if self.rounds.due(now, &self.quiet) {
                self.send_round();
            }
            self.send_queued();
            self.send_due_solicitations(now);
            let end = self.quiet.end_at(self.settled());
            if now >= end {
                break true;
            }
            let timeout = self.wait_for(end);
            self.receive(&mut buf, timeout);
        };
        if let Some(inbox) = &self.cfg.inbox {
            inbox.close();
        }
        let window = self.now().saturating_duration_since(start);
        self.port.window_closed(window, ended_early);
    }

    /// Whether nothing more is planned: every round out, every question answered or out
    /// of tries, nothing on its way through the inbox.
    fn settled(&self) -> bool {
        self.rounds.all_out() && !self.asks.still_asking() && !self.inbox_awaiting()
    }

    /// How long to wait for an answer before something else is due, the window's `end`
    /// at the latest.
    fn wait_for(&self, end: Instant) -> Duration {
        let mut next = self.rounds.next_at(&self.quiet).map_or(end, |t| t.min(end));
        if let Some(due) = self.asks.next_due() {
            next = next.min(due);
        }
        let mut timeout = next.saturating_duration_since(self.now());
        if self.cfg.stop.is_some() {
            timeout = timeout.min(STOP_POLL);
        }
        if self.cfg.inbox.is_some() {
            timeout = timeout.min(inbox::POLL);
        }
        timeout
    }

    /// Waits at most `timeout` for one message and handles it.
    fn receive(&mut self, buf: &mut [u8], timeout: Duration) {
        match self.port.recv(buf, timeout) {
            Ok(Some(rx)) => {
                let len = rx.len.min(buf.len());
                self.handle(&rx, &buf[..len], self.now());
            }
            Ok(None) => {}
            // A failing receive must not spin the loop hot until the deadline.
            Err(_) => std::thread::sleep(timeout.min(Duration::from_millis(10))),
        }
    }

    /// The time now on the link's clock.
    fn now(&self) -> Instant {
        self.port.now()
    }

    /// Whether the caller has what it needs.
    fn stopped(&self) -> bool {
        self.cfg
            .stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Starts confirming the addresses known from before: each gets the solicitations of
    /// any new address, and only an answer reports it. They do not take the room of
    /// answering hosts (the cache may hold forged neighbours): an address is tracked only
    /// once it answers.
    fn recall_known(&mut self, now: Instant) {
        if !self.port.full() {
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
        if !self.asks.recall(addr) {
            return false;
        }
        self.send_ns(addr);
        self.asks.first_sent(addr, now);
        true
    }

    /// Notes a newly seen address (in a frame from `mac`, when the link shows frames) and
    /// solicits its MAC once; false when there is no room.
    fn track(&mut self, addr: Ipv6Addr, mac: Option<Mac>) -> bool {
        match self.asks.track(addr, mac) {
            Track::Known => true,
            Track::Full => {
                self.port.stats.dropped_over_memory += 1;
                false
            }
            Track::New => {
                let now = self.now();
                self.quiet.found(now);
                self.send_ns(addr);
                self.asks.first_sent(addr, now);
                true
            }
        }
    }

    /// Solicits each candidate the known interface IDs give, not asked about yet.
    fn try_ids(&mut self, tries: Vec<Ipv6Addr>) {
        let now = self.now();
        for c in tries {
            if self.asks.is_tracked(c) || self.cfg.own.contains(&c) {
                continue;
            }
            if !self.asks.asked(c) && !self.ids.take_try() {
                return;
            }
            self.confirm(c, now);
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
