//! When a probe window may end early: the link tells how long to wait. Every planned
//! round must have gone out, and the link must have been quiet — no new address, no new
//! MAC, no probe sent, no host asking for our address — for a period that is long
//! compared with the longest silence an answer still came after (since its probe, or
//! since the answer before it). On a wired link answering within milliseconds that is
//! [`MIN_QUIET`]; one late answer (a dozing Wi-Fi station answering after a DTIM beacon,
//! alone on a quiet link) stretches it, and the window stays open as long as such a
//! station needs, up to the fixed deadline. The thousands of answers of a big link,
//! queued one behind another on the wire or in the scanner, arrive late against their
//! probe but after no silence: they do not stretch it. Retry rounds follow the same rule
//! with a shorter pause, never later than the fixed schedule. Pure: the worker feeds it
//! times, it answers with times.

use std::time::{Duration, Instant};

/// The shortest quiet period that ends a window: long against a wired link's answers
/// (p90 2 ms, max 2.6 ms on the 150-host lab), short against a login.
pub const MIN_QUIET: Duration = Duration::from_millis(100);
/// The quiet period is at least this many times the longest silence before an answer.
const QUIET_FACTOR: u32 = 3;
/// The shortest pause before a retry round (after the previous round and the last new
/// finding): answers to the previous round are in by then on a wired link.
const MIN_ROUND_PAUSE: Duration = Duration::from_millis(50);
/// The pause before a retry round is at least this many times that silence.
const ROUND_FACTOR: u32 = 2;

/// What the window has heard so far, and the decisions drawn from it.
#[derive(Clone, Debug)]
pub struct Quiet {
    /// Whether the window may end (and rounds may come) before the fixed schedule.
    early: bool,
    /// The fixed end of the window (`--wait`).
    deadline: Instant,
    /// Nothing ends before this (an MLD query's answers are spread until then).
    not_before: Instant,
    /// The last new address or MAC.
    last_new: Option<Instant>,
    /// The last probe sent.
    last_sent: Option<Instant>,
    /// The longest the link was silent before an answer still came.
    longest_silence: Duration,
    /// When the last answer arrived.
    last_answer: Option<Instant>,
    /// The last solicitation for one of our addresses: a host on its way to answering.
    last_resolving: Option<Instant>,
    /// Held open until then ([`Quiet::hold_until`]).
    hold: Option<Instant>,
}

impl Quiet {
    /// A window starting now-ish that closes at `deadline` at the latest; `early` false
    /// keeps the fixed schedule.
    pub fn new(early: bool, deadline: Instant, not_before: Instant) -> Quiet {
        Quiet {
            early,
            deadline,
            not_before: not_before.min(deadline),
            last_new: None,
            last_sent: None,
            longest_silence: Duration::ZERO,
            last_answer: None,
            last_resolving: None,
            hold: None,
        }
    }

    /// A new address or a new MAC arrived at `now`.
    pub fn found(&mut self, now: Instant) {
        self.last_new = latest(self.last_new, now);
    }

    /// A probe went out at `now`.
    pub fn sent(&mut self, now: Instant) {
        self.last_sent = latest(self.last_sent, now);
    }

    /// An answer arrived at `now`, `latency` after the probe it answers. What counts is
    /// the silence before it: since its probe, or since the answer before it if that
    /// came later.
    pub fn answered(&mut self, now: Instant, latency: Duration) {
        let silence = match self.last_answer {
            Some(t) => latency.min(now.saturating_duration_since(t)),
            None => latency,
        };
        self.longest_silence = self.longest_silence.max(silence);
        self.last_answer = latest(self.last_answer, now);
    }

    /// A host asked for one of our addresses at `now`: the first step of its answer (a
    /// host resolves the prober before it answers). It is activity — the window stays
    /// open while hosts are still on their way to answering (thousands of them on a big
    /// link, each waiting for our advertisement) — and no silence before an answer is
    /// counted across it.
    pub fn resolving(&mut self, now: Instant) {
        self.last_answer = latest(self.last_answer, now);
        self.last_resolving = latest(self.last_resolving, now);
    }

    /// How long the link must stay quiet before the window ends.
    pub fn quiet_period(&self) -> Duration {
        MIN_QUIET.max(self.longest_silence * QUIET_FACTOR)
    }

    /// The latest of the last probe sent, the last new finding and the last host asking
    /// for our address.
    fn last_activity(&self) -> Option<Instant> {
        [self.last_new, self.last_sent, self.last_resolving]
            .into_iter()
            .flatten()
            .max()
    }

    /// Keeps the window open until `t` at least (within the fixed deadline) while
    /// something is known to be on its way, e.g. the RA of a host that says it is a router;
    /// [`Quiet::release`] lifts it when that arrived.
    pub fn hold_until(&mut self, t: Instant) {
        self.hold = Some(self.hold.map_or(t, |h| h.max(t)).min(self.deadline));
    }

    /// What was awaited arrived: no more holding.
    pub fn release(&mut self) {
        self.hold = None;
    }

    /// When the next retry round may go, given when the fixed schedule sends it: after a
    /// pause long against the longest silence before an answer, never after the fixed time.
    pub fn next_round_at(&self, fixed: Instant) -> Instant {
        if !self.early {
            return fixed;
        }
        let Some(last) = self.last_activity() else {
            return fixed;
        };
        let pause = MIN_ROUND_PAUSE.max(self.longest_silence * ROUND_FACTOR);
        (last + pause).min(fixed)
    }

    /// When the window ends, once every round is out and nothing is left to ask
    /// (`settled`): the fixed deadline unless early ends are allowed.
    pub fn end_at(&self, settled: bool) -> Instant {
        if !self.early || !settled {
            return self.deadline;
        }
        let Some(last) = self.last_activity() else {
            return self.deadline;
        };
        (last + self.quiet_period())
            .max(self.not_before)
            .max(self.hold.unwrap_or(self.not_before))
            .min(self.deadline)
    }
}

/// The later of `t` and `now`.
fn latest(t: Option<Instant>, now: Instant) -> Option<Instant> {
    Some(t.map_or(now, |t| t.max(now)))
}

#[cfg(test)]
#[path = "quiet_tests.rs"]
mod tests;
