//! When a probe window may end early: the link tells how long to wait. Every planned
//! round must have gone out, and the link must have been quiet — no new address, no new
//! MAC, no probe sent — for a period that is long compared with the slowest answer seen.
//! On a wired link answering within milliseconds that is [`MIN_QUIET`]; one late answer
//! (a dozing Wi-Fi station answering after a DTIM beacon) stretches it, and the window
//! stays open as long as such a station needs, up to the fixed deadline. Retry rounds
//! follow the same rule with a shorter pause, never later than the fixed schedule.
//! Pure: the worker feeds it times, it answers with times.

use std::time::{Duration, Instant};

/// The shortest quiet period that ends a window: long against a wired link's answers
/// (p90 2 ms, max 2.6 ms on the 150-host lab), short against a login.
pub const MIN_QUIET: Duration = Duration::from_millis(100);
/// The quiet period is at least this many times the slowest answer seen.
const QUIET_FACTOR: u32 = 3;
/// The shortest pause before a retry round (after the previous round and the last new
/// finding): answers to the previous round are in by then on a wired link.
const MIN_ROUND_PAUSE: Duration = Duration::from_millis(50);
/// The pause before a retry round is at least this many times the slowest answer.
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
    /// The slowest answer so far.
    slowest: Duration,
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
            slowest: Duration::ZERO,
            hold: None,
        }
    }

    /// A new address or a new MAC arrived at `now`.
    pub fn found(&mut self, now: Instant) {
        self.last_new = Some(self.last_new.map_or(now, |t| t.max(now)));
    }

    /// A probe went out at `now`.
    pub fn sent(&mut self, now: Instant) {
        self.last_sent = Some(self.last_sent.map_or(now, |t| t.max(now)));
    }

    /// An answer came `latency` after the probe it answers.
    pub fn answered(&mut self, latency: Duration) {
        self.slowest = self.slowest.max(latency);
    }

    /// The slowest answer seen so far.
    pub fn slowest(&self) -> Duration {
        self.slowest
    }

    /// How long the link must stay quiet before the window ends.
    pub fn quiet_period(&self) -> Duration {
        MIN_QUIET.max(self.slowest * QUIET_FACTOR)
    }

    /// The latest of the last probe sent and the last new finding.
    fn last_activity(&self) -> Option<Instant> {
        match (self.last_new, self.last_sent) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
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
    /// pause long against the slowest answer, never after the fixed time.
    pub fn next_round_at(&self, fixed: Instant) -> Instant {
        if !self.early {
            return fixed;
        }
        let Some(last) = self.last_activity() else {
            return fixed;
        };
        let pause = MIN_ROUND_PAUSE.max(self.slowest * ROUND_FACTOR);
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

#[cfg(test)]
#[path = "quiet_tests.rs"]
mod tests;
