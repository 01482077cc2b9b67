use super::*;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn prefixes() -> Vec<Ipv6Prefix> {
    vec![
        Ipv6Prefix::new(a("fe80::"), 64),
        Ipv6Prefix::new(a("2001:db8:1::"), 64),
        Ipv6Prefix::new(a("fd00:1::"), 64),
    ]
}

#[test]
fn a_link_local_id_is_tried_in_every_other_prefix() {
    let got = for_address(a("fe80::1c2b:3a4d:5e6f:7081"), &prefixes());
    assert_eq!(
        got,
        [
            a("2001:db8:1::1c2b:3a4d:5e6f:7081"),
            a("fd00:1::1c2b:3a4d:5e6f:7081")
        ]
    );
}

#[test]
fn eui64_and_manual_ids_travel_from_any_prefix() {
    let eui = for_address(a("2001:db8:1::2ccf:67ff:fe00:1"), &prefixes());
    assert_eq!(
        eui,
        [a("fe80::2ccf:67ff:fe00:1"), a("fd00:1::2ccf:67ff:fe00:1")]
    );
    let manual = for_address(a("fd00:1::10"), &prefixes());
    assert_eq!(manual, [a("fe80::10"), a("2001:db8:1::10")]);
}

#[test]
fn random_global_ids_and_the_anycast_id_stay_where_they_are() {
    assert!(for_address(a("2001:db8:1::1c2b:3a4d:5e6f:7081"), &prefixes()).is_empty());
    assert!(for_address(a("2001:db8:1::"), &prefixes()).is_empty());
}

#[test]
fn prefixes_longer_than_64_bits_leave_no_room_for_an_id() {
    let p = [Ipv6Prefix::new(a("2001:db8:9::"), 96)];
    assert!(for_address(a("fe80::10"), &p).is_empty());
}

#[test]
fn a_new_prefix_gets_every_known_id_worth_trying() {
    let known = [
        a("fe80::10"),
        a("2001:db8:1::1c2b:3a4d:5e6f:7081"),
        a("2001:db8:1::2ccf:67ff:fe00:1"),
        a("2001:db8:7::10"),
    ];
    let got = for_prefix(&Ipv6Prefix::new(a("2001:db8:7::"), 64), &known);
    assert_eq!(
        got,
        [a("2001:db8:7::10"), a("2001:db8:7::2ccf:67ff:fe00:1")],
        "the random global ID stays, and ::10 is not tried in place of itself"
    );
}
