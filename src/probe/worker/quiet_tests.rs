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
    q.answered(t0 + 33 * MS, 3 * MS);
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
    q.answered(t0 + 32 * MS, 2 * MS);
    q.answered(t0 + 250 * MS, 220 * MS);
    q.found(t0 + 250 * MS);
    assert_eq!(q.quiet_period(), 654 * MS, "the silence before it: 218 ms");
    assert_eq!(q.end_at(true), t0 + 904 * MS);
    q.answered(t0 + 650 * MS, 620 * MS);
    assert_eq!(q.end_at(true), t0 + 1000 * MS, "--wait stays the bound");
}

#[test]
fn answers_queued_one_behind_another_do_not_stretch_the_window() {
    // A big link: one probe, then 10,000 answers 30 µs apart, the last 300 ms after it.
    let (t0, mut q) = window(true);
    q.sent(t0);
    for i in 1..=10_000u32 {
        let now = t0 + Duration::from_micros(30) * i;
        q.answered(now, now - t0);
        q.found(now);
    }
    assert_eq!(q.quiet_period(), MIN_QUIET);
    assert_eq!(q.end_at(true), t0 + 300 * MS + MIN_QUIET);
    // One more answer after 150 ms of silence: a slow host, which does stretch it.
    q.answered(t0 + 450 * MS, 450 * MS);
    assert_eq!(q.quiet_period(), 450 * MS);
}

#[test]
fn hosts_resolving_us_before_they_answer_are_no_silence() {
    // Every host asks for our address first; their answers queue behind the questions.
    let (t0, mut q) = window(true);
    q.sent(t0);
    for i in 1..=100u32 {
        q.resolving(t0 + MS * i);
    }
    q.answered(t0 + 102 * MS, 102 * MS);
    assert_eq!(q.quiet_period(), MIN_QUIET, "2 ms after the last question");
}

#[test]
fn hosts_still_resolving_us_keep_the_window_open() {
    // A link so big that its hosts' questions take longer to answer than a quiet period.
    let (t0, mut q) = window(true);
    q.sent(t0);
    q.found(t0 + 5 * MS);
    for i in 1..=400u32 {
        q.resolving(t0 + MS * i);
    }
    assert_eq!(q.end_at(true), t0 + 400 * MS + MIN_QUIET);
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
    q.answered(t0 + 33 * MS, 3 * MS);
    assert_eq!(q.next_round_at(t0 + 300 * MS), t0 + 90 * MS);
    q.answered(t0 + 230 * MS, 200 * MS);
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
