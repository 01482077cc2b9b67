use super::*;

fn a(i: u16) -> Ipv6Addr {
    Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0xf, i)
}

#[test]
fn an_eighth_of_max_hosts_at_least_8_at_most_all() {
    assert_eq!(unsolicited_limit(4096), 512);
    assert_eq!(unsolicited_limit(64), 8);
    assert_eq!(unsolicited_limit(20), 8);
    assert_eq!(unsolicited_limit(5), 5);
}

/// Admits `addr` as heard if there is room, as the worker does.
fn hear(b: &mut Bounds, addr: Ipv6Addr) -> bool {
    if b.heard.contains(&addr) {
        return true;
    }
    if !b.room_for_heard() {
        return false;
    }
    b.note_heard(addr);
    true
}

/// Admits `addr` as a router if there is room, as the worker does.
fn advertise(b: &mut Bounds, addr: Ipv6Addr, tracked: bool) -> bool {
    if !b.router_room(addr, tracked) {
        return false;
    }
    b.note_router(addr, tracked);
    true
}

#[test]
fn heard_hosts_and_routers_each_fill_their_own_room() {
    let mut b = Bounds::new(64);
    assert!((0..8).all(|i| hear(&mut b, a(i))));
    assert!(!hear(&mut b, a(8)), "the ninth heard host");
    assert!(hear(&mut b, a(3)), "one already admitted stays");
    assert!((100..108).all(|i| advertise(&mut b, a(i), false)));
    assert!(!advertise(&mut b, a(108), false), "the ninth router");
    assert!(advertise(&mut b, a(100), true), "an admitted router stays");
}

#[test]
fn an_address_first_heard_then_advertising_takes_a_routers_room() {
    let mut b = Bounds::new(64);
    for i in 0..8 {
        assert!(hear(&mut b, a(i)));
        assert!(advertise(&mut b, a(i), true), "tracked, but only heard");
    }
    assert!(!advertise(&mut b, a(9), false), "the routers' room is full");
    assert!(
        advertise(&mut b, a(50), true),
        "tracked from an answer: not bounded"
    );
}

#[test]
fn the_router_flag_of_a_heard_address_is_a_routers_claim() {
    let mut b = Bounds::new(64);
    for i in 0..8 {
        assert!(advertise(&mut b, a(100 + i), false));
    }
    assert!(hear(&mut b, a(1)));
    assert!(!b.router_flag(a(1)), "no room left for its claim");
    assert!(
        b.router_flag(a(50)),
        "a host found otherwise speaks for itself"
    );
    b.answered(a(1));
    assert!(b.router_flag(a(1)), "it answered our probes since");
    assert!(advertise(&mut b, a(1), true));
}
