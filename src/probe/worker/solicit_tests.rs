use super::*;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

#[test]
fn three_attempts_spaced_over_the_window() {
    let t0 = Instant::now();
    let mut s = Solicitations::new(Duration::from_millis(400));
    s.schedule(a("fe80::1"), t0);
    s.schedule(a("fe80::1"), t0);
    assert_eq!(s.next_due(), Some(t0 + Duration::from_millis(100)));
    assert!(s.take_due(t0 + Duration::from_millis(99)).is_empty());
    let t1 = t0 + Duration::from_millis(100);
    assert_eq!(s.take_due(t1), [(a("fe80::1"), 2)]);
    let t2 = t1 + Duration::from_millis(100);
    assert_eq!(s.take_due(t2), [(a("fe80::1"), 3)]);
    assert_eq!(s.next_due(), None, "three attempts in all");
    assert!(s.take_due(t2 + Duration::from_secs(1)).is_empty());
}

#[test]
fn spacing_stays_between_20_and_150_ms() {
    assert_eq!(
        Solicitations::new(Duration::from_millis(10)).spacing,
        Duration::from_millis(20)
    );
    assert_eq!(
        Solicitations::new(Duration::from_secs(1)).spacing,
        Duration::from_millis(150)
    );
}

#[test]
fn the_unicast_budget_refills_at_its_rate() {
    let t0 = Instant::now();
    let mut s = Solicitations::new(Duration::from_secs(1));
    let mut sent = 0;
    while s.take_unicast(2, t0) {
        sent += 2;
    }
    assert_eq!(sent, UNICAST_BURST);
    // 100 ms later: 20 more tokens at 200 a second.
    let later = t0 + Duration::from_millis(100);
    let mut more = 0;
    while s.take_unicast(2, later) {
        more += 2;
    }
    assert_eq!(more, 20);
}

#[test]
fn spare_probes_leave_half_the_burst_to_solicitations() {
    let t0 = Instant::now();
    let mut s = Solicitations::new(Duration::from_secs(1));
    let mut spare = 0;
    while s.take_spare_unicast(t0) {
        spare += 1;
    }
    assert_eq!(spare, UNICAST_BURST - UNICAST_BURST / 2);
    let mut left = 0;
    while s.take_unicast(1, t0) {
        left += 1;
    }
    assert_eq!(left, UNICAST_BURST / 2);
}

#[test]
fn an_address_whose_mac_is_known_leaves_the_schedule() {
    let t0 = Instant::now();
    let mut asks = Asks::new(Duration::from_millis(400), 16);
    assert_eq!(asks.track(a("fe80::1"), None), Track::New);
    asks.first_sent(a("fe80::1"), t0);
    assert!(asks.still_asking());
    assert!(asks.mac_known(a("fe80::1")));
    assert!(!asks.still_asking());
    assert_eq!(asks.next_due(), None, "nothing left to ask");
    assert!(asks.due(t0 + Duration::from_secs(1)).is_empty());
}
