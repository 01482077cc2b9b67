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
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn window(early: bool) -> (Instant, Quiet) {
        let t0 = Instant::now();
        (t0, Quiet::new(early, t0 + 1000 * MS, t0))
    }

    #[test]
    fn a_hold_keeps_the_window_open_within_the_deadline() {
        let (t0, mut q) = window(true);
        q.sent(t0 + 10 * MS);
        q.hold_until(t0 + 550 * MS);
        assert_eq!(q.end_at(true), t0 + 550 * MS);
        q.hold_until(t0 + 5000 * MS);
        assert_eq!(q.end_at(true), t0 + 1000 * MS);
        q.release();
        assert_eq!(q.end_at(true), t0 + 110 * MS);
    }

    #[test]
    fn a_fast_link_ends_a_quiet_period_after_the_last_activity() {
        let (t0, mut q) = window(true);
        q.sent(t0 + 30 * MS);
        q.found(t0 + 12 * MS);
        q.answered(3 * MS);
        q.found(t0 + 45 * MS);
        assert_eq!(q.end_at(true), t0 + 45 * MS + MIN_QUIET);
        q.sent(t0 + 200 * MS);
        assert_eq!(q.end_at(true), t0 + 200 * MS + MIN_QUIET);
    }

    #[test]
    fn nothing_ends_before_the_rounds_are_out_and_the_questions_asked() {
        let (t0, mut q) = window(true);
        q.sent(t0);
        assert_eq!(q.end_at(false), t0 + 1000 * MS);
    }

    #[test]
    fn a_late_answer_stretches_the_window() {
        let (t0, mut q) = window(true);
        q.sent(t0 + 30 * MS);
        q.answered(2 * MS);
        q.answered(220 * MS);
        q.found(t0 + 250 * MS);
        assert_eq!(q.quiet_period(), 660 * MS);
        assert_eq!(q.end_at(true), t0 + 910 * MS);
        q.answered(400 * MS);
        assert_eq!(q.end_at(true), t0 + 1000 * MS, "--wait stays the bound");
    }

    #[test]
    fn fixed_windows_ignore_the_link() {
        let (t0, mut q) = window(false);
        q.sent(t0);
        q.found(t0 + MS);
        assert_eq!(q.end_at(true), t0 + 1000 * MS);
        assert_eq!(q.next_round_at(t0 + 300 * MS), t0 + 300 * MS);
    }

    #[test]
    fn retry_rounds_follow_the_link_but_never_lag_the_schedule() {
        let (t0, mut q) = window(true);
        q.sent(t0 + 30 * MS);
        q.found(t0 + 40 * MS);
        q.answered(3 * MS);
        assert_eq!(q.next_round_at(t0 + 300 * MS), t0 + 90 * MS);
        q.answered(200 * MS);
        assert_eq!(q.next_round_at(t0 + 300 * MS), t0 + 300 * MS);
    }

    #[test]
    fn an_mld_query_holds_the_window_open_for_its_reports() {
        let t0 = Instant::now();
        let mut q = Quiet::new(true, t0 + 1000 * MS, t0 + 500 * MS);
        q.sent(t0 + 30 * MS);
        assert_eq!(q.end_at(true), t0 + 500 * MS);
    }

    #[test]
    fn a_window_without_any_probe_waits_for_the_deadline() {
        let (t0, q) = window(true);
        assert_eq!(q.end_at(true), t0 + 1000 * MS);
        assert_eq!(q.next_round_at(t0 + 300 * MS), t0 + 300 * MS);
    }
}
