//! Asking again until answered: every address whose MAC is not known yet gets up to three
//! solicitations spread over the window — two to its solicited-node group (a switch
//! delivers that to the owner alone; a dozing phone still lets it in), the last one
//! unicast (Wi-Fi retries unicast, and drops multicast), with a unicast echo beside it.
//! Unicast probes are budgeted per interface.
//!
//! [`Asks`] is the whole state of asking: which addresses the scan tracks (and whether
//! their MAC is known), which remembered addresses it asked about, when each was last
//! solicited, and the schedule of the attempts still to come.

use crate::mac::Mac;
use crate::model::is_link_local;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

/// Whether an address could be tracked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Track {
    /// Tracked already.
    Known,
    /// Newly tracked: solicit it.
    New,
    /// Not tracked: the interface holds as many answering addresses as its memory allows
    /// (or, near that, the address is its host's second).
    Full,
}

/// Every address the scan asks about, and the attempts still to come.
#[derive(Debug)]
pub(super) struct Asks {
    /// Most addresses tracked.
    max: usize,
    /// The MACs of the hosts tracked addresses came from: near `max`, each host keeps one
    /// address before any host gets a second.
    hosts: HashSet<Mac>,
    /// Addresses tracked (they take room among the hosts), and whether their MAC is known
    /// (an NA with its link-layer option, or the frame of one of its answers).
    tracked: HashMap<Ipv6Addr, bool>,
    /// Addresses known from elsewhere (remembered, a known ID in another prefix, listed by
    /// a Node Information reply) that were asked about: they take no room until they answer.
    recalled: HashSet<Ipv6Addr>,
    /// When each address was last solicited, for the latency of its advertisement.
    ns_sent: HashMap<Ipv6Addr, Instant>,
    /// The attempts still to come, and the unicast budget.
    schedule: Solicitations,
    /// Addresses from the inbox that were asked about.
    fed: usize,
}

impl Asks {
    /// Nothing asked yet, in a window of `wait`, tracking at most `max` addresses.
    pub(super) fn new(wait: Duration, max: usize) -> Self {
        Asks {
            max,
            hosts: HashSet::new(),
            tracked: HashMap::new(),
            recalled: HashSet::new(),
            ns_sent: HashMap::new(),
            schedule: Solicitations::new(wait),
            fed: 0,
        }
    }

    /// How many addresses from the inbox were asked about.
    pub(super) fn fed(&self) -> usize {
        self.fed
    }

    /// One more address from the inbox was asked about.
    pub(super) fn note_fed(&mut self) {
        self.fed += 1;
    }

    /// Whether `addr` takes room among the hosts.
    pub(super) fn is_tracked(&self, addr: Ipv6Addr) -> bool {
        self.tracked.contains_key(&addr)
    }

    /// Whether `addr` was asked about, tracked or recalled: its advertisement is an answer.
    pub(super) fn asked(&self, addr: Ipv6Addr) -> bool {
        self.is_tracked(addr) || self.recalled.contains(&addr)
    }

    /// Tracks `addr`, from a frame of `mac` when the link shows frames, if there is room;
    /// the caller solicits it when it is [`Track::New`]. In the last eighth of the room an
    /// address is taken only as its host's first: a new MAC, or — where frames are not
    /// seen — a link-local address (every host has one).
    pub(super) fn track(&mut self, addr: Ipv6Addr, mac: Option<Mac>) -> Track {
        if self.is_tracked(addr) {
            return Track::Known;
        }
        let first_of_host = match mac {
            Some(m) => !self.hosts.contains(&m),
            None => is_link_local(addr),
        };
        let n = self.tracked.len();
        if n >= self.max || (n >= self.max - self.max / 8 && !first_of_host) {
            return Track::Full;
        }
        self.tracked.insert(addr, false);
        if let Some(m) = mac {
            self.hosts.insert(m);
        }
        Track::New
    }

    /// Notes that `addr`, known from elsewhere, is being asked about: false when it was
    /// already.
    pub(super) fn recall(&mut self, addr: Ipv6Addr) -> bool {
        self.recalled.insert(addr)
    }

    /// `addr`'s MAC is known now; true when that is news.
    pub(super) fn mac_known(&mut self, addr: Ipv6Addr) -> bool {
        match self.tracked.get_mut(&addr) {
            Some(known) => {
                self.schedule.cancel(addr);
                !std::mem::replace(known, true)
            }
            None => false,
        }
    }

    /// Whether `addr` is tracked and its MAC still unknown.
    pub(super) fn mac_unknown(&self, addr: Ipv6Addr) -> bool {
        self.tracked.get(&addr) == Some(&false)
    }

    /// Whether `addr` still needs asking for its MAC.
    pub(super) fn wants_mac(&self, addr: Ipv6Addr) -> bool {
        match self.tracked.get(&addr) {
            Some(known) => !known,
            None => self.recalled.contains(&addr),
        }
    }

    /// Whether a solicitation is still due for an address whose MAC is unknown.
    pub(super) fn still_asking(&self) -> bool {
        self.schedule.waiting().any(|a| self.wants_mac(a))
    }

    /// The first solicitation of `addr` went out at `now`: the next ones are planned.
    pub(super) fn first_sent(&mut self, addr: Ipv6Addr, now: Instant) {
        self.schedule.schedule(addr, now);
    }

    /// A solicitation of `addr` went out at `now`.
    pub(super) fn sent(&mut self, addr: Ipv6Addr, now: Instant) {
        self.ns_sent.insert(addr, now);
    }

    /// How long `addr`'s advertisement took since its last solicitation.
    pub(super) fn latency(&self, addr: Ipv6Addr, now: Instant) -> Option<Duration> {
        self.ns_sent
            .get(&addr)
            .map(|t| now.saturating_duration_since(*t))
    }

    /// The attempts due at `now` for addresses whose MAC is still unknown, with their
    /// number (2 or 3).
    pub(super) fn due(&mut self, now: Instant) -> Vec<(Ipv6Addr, u8)> {
        let due = self.schedule.take_due(now);
        due.into_iter()
            .filter(|(a, _)| self.wants_mac(*a))
            .collect()
    }

    /// When the next attempt is due, if any.
    pub(super) fn next_due(&self) -> Option<Instant> {
        self.schedule.next_due()
    }

    /// Takes the two unicast tokens of a last attempt.
    pub(super) fn take_unicast_pair(&mut self, now: Instant) -> bool {
        self.schedule.take_unicast(2, now)
    }

    /// Takes a token for a probe that can wait ([`Solicitations::take_spare_unicast`]).
    pub(super) fn take_spare_unicast(&mut self, now: Instant) -> bool {
        self.schedule.take_spare_unicast(now)
    }
}

/// Solicitations per address at most, the first included.
pub(super) const ATTEMPTS: u8 = 3;
/// Unicast probes (NS and echo) one interface may send a second, on average.
pub const UNICAST_PER_SECOND: u32 = 200;
/// Unicast probes one interface may send at once before the rate applies.
pub const UNICAST_BURST: u32 = 50;

/// The solicitations still due, and the unicast budget.
#[derive(Debug)]
struct Solicitations {
    /// Time between one address's attempts.
    spacing: Duration,
    /// (when, address): the next attempt of each address waiting for one.
    due: BTreeSet<(Instant, Ipv6Addr)>,
    /// The same, by address: an address answered is taken out of `due` at once, so the
    /// schedule holds only what is still asked (on a link of thousands, looking through
    /// answered ones every turn of the loop was the worker's largest cost).
    next: HashMap<Ipv6Addr, Instant>,
    /// Attempts made per address.
    made: HashMap<Ipv6Addr, u8>,
    /// Unicast tokens left, and when they were last refilled.
    tokens: f64,
    refilled: Option<Instant>,
}

impl Solicitations {
    /// A schedule for a probe window of `wait`: attempts a quarter of the window apart
    /// (20 to 150 ms), so all three fit when the first goes out early.
    fn new(wait: Duration) -> Self {
        Solicitations {
            spacing: (wait / 4).clamp(Duration::from_millis(20), Duration::from_millis(150)),
            due: BTreeSet::new(),
            next: HashMap::new(),
            made: HashMap::new(),
            tokens: f64::from(UNICAST_BURST),
            refilled: None,
        }
    }

    /// Notes that the first attempt for `addr` went out at `now`, and plans the next.
    fn schedule(&mut self, addr: Ipv6Addr, now: Instant) {
        if self.made.insert(addr, 1).is_none() {
            self.plan(addr, now + self.spacing);
        }
    }

    /// Plans `addr`'s next attempt at `at`.
    fn plan(&mut self, addr: Ipv6Addr, at: Instant) {
        self.due.insert((at, addr));
        self.next.insert(addr, at);
    }

    /// No more attempts for `addr`: it answered.
    fn cancel(&mut self, addr: Ipv6Addr) {
        if let Some(at) = self.next.remove(&addr) {
            self.due.remove(&(at, addr));
        }
    }

    /// The addresses with an attempt still to come.
    fn waiting(&self) -> impl Iterator<Item = Ipv6Addr> + '_ {
        self.due.iter().map(|(_, a)| *a)
    }

    /// When the next attempt is due, if any.
    fn next_due(&self) -> Option<Instant> {
        self.due.first().map(|(t, _)| *t)
    }

    /// The addresses whose next attempt is due at `now`, with the attempt's number (2 or
    /// 3); plans the attempt after it.
    fn take_due(&mut self, now: Instant) -> Vec<(Ipv6Addr, u8)> {
        let mut out = Vec::new();
        while let Some(&(t, addr)) = self.due.first() {
            if t > now {
                break;
            }
            self.due.remove(&(t, addr));
            self.next.remove(&addr);
            let n = self.made.entry(addr).or_insert(1);
            *n += 1;
            let n = *n;
            out.push((addr, n));
            if n < ATTEMPTS {
                self.plan(addr, now + self.spacing);
            }
        }
        out
    }

    /// Takes one token for a probe that can wait (a unicast Node Information query), only
    /// while more than half the burst would remain: the solicitations' last attempts must
    /// not find the budget spent by it.
    fn take_spare_unicast(&mut self, now: Instant) -> bool {
        self.take_unicast(0, now);
        if self.tokens >= f64::from(UNICAST_BURST / 2 + 1) {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Takes `n` unicast tokens if there are that many (refilled at the budget's rate).
    fn take_unicast(&mut self, n: u32, now: Instant) -> bool {
        if let Some(last) = self.refilled {
            let earned =
                now.saturating_duration_since(last).as_secs_f64() * f64::from(UNICAST_PER_SECOND);
            self.tokens = (self.tokens + earned).min(f64::from(UNICAST_BURST));
        }
        self.refilled = Some(now);
        if self.tokens >= f64::from(n) {
            self.tokens -= f64::from(n);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
#[path = "solicit_tests.rs"]
mod tests;
