use super::*;
use std::time::Duration;

#[test]
fn reconnects_wait_longer_each_time_up_to_half_a_minute() {
    let pauses: Vec<u64> = (1..=8).map(|n| reconnect_pause(n).as_secs()).collect();
    assert_eq!(pauses, [1, 2, 4, 8, 16, 30, 30, 30]);
    assert_eq!(reconnect_pause(0), Duration::from_secs(1));
    assert_eq!(reconnect_pause(u32::MAX), Duration::from_secs(30));
}

#[test]
fn retained_and_transient_messages() {
    let r = Message::retained("t".into(), "x");
    assert!(r.retain);
    let t = Message::transient("t".into(), Vec::new());
    assert!(!t.retain && t.payload.is_empty());
}
