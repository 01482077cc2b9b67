use super::*;
use crate::model::SeenBy;

const M: Mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);

fn seen(addr: &str, mac: Option<Mac>, frame_mac: Option<Mac>) -> Observation {
    Observation::Address {
        ifindex: 2,
        addr: addr.parse().unwrap(),
        via: SeenBy::Echo,
        mac,
        frame_mac,
        rtt: None,
        router: false,
    }
}

#[test]
fn a_mac_query_is_answered_by_that_mac_then_a_grace() {
    let mut s = SureAnswer::for_queries(&[Query::Mac(M)]).unwrap();
    let t0 = Instant::now();
    s.see(&seen("fe80::2", Some(Mac([2, 0, 0, 0, 0, 2])), None), t0);
    assert_eq!(s.stop_at(), None, "another device");
    s.see(&seen("fe80::1", None, None), t0);
    assert_eq!(s.stop_at(), None, "no MAC yet");
    s.see(
        &seen("fe80::1", None, Some(M)),
        t0 + Duration::from_millis(3),
    );
    assert_eq!(s.stop_at(), Some(t0 + Duration::from_millis(3) + GRACE));
    s.see(
        &seen("2001:db8::1", Some(M), None),
        t0 + Duration::from_millis(9),
    );
    assert_eq!(s.stop_at(), Some(t0 + Duration::from_millis(3) + GRACE));
}

#[test]
fn an_address_query_needs_the_address_with_a_mac() {
    let q = Query::Address("2001:db8::7".parse().unwrap(), None);
    let mut s = SureAnswer::for_queries(&[q]).unwrap();
    let t0 = Instant::now();
    s.see(&seen("2001:db8::7", None, None), t0);
    assert_eq!(s.stop_at(), None);
    s.see(&seen("2001:db8::7", Some(M), None), t0);
    assert_eq!(s.stop_at(), Some(t0 + GRACE));
}

#[test]
fn it_names_the_macs_and_addresses_it_waits_for() {
    let q = Query::Address("2001:db8::7".parse().unwrap(), None);
    let s = SureAnswer::for_queries(&[Query::Mac(M), q]).unwrap();
    assert_eq!(s.macs(), [M]);
    assert_eq!(s.addresses(), ["2001:db8::7".parse::<Ipv6Addr>().unwrap()]);
}

#[test]
fn it_looks_first_at_the_queried_address_then_where_the_device_was() {
    let a = |s: &str| s.parse::<Ipv6Addr>().unwrap();
    let q = Query::Address(a("fe80::7"), None);
    let s = SureAnswer::for_queries(&[q, Query::Mac(M)]).unwrap();
    let remembered = HashMap::from([(2, vec![a("fe80::9"), a("fe80::7")]), (9, vec![])]);
    let first = s.look_first(remembered, [2, 3]);
    assert_eq!(first[&2], [a("fe80::7"), a("fe80::9")]);
    assert_eq!(first[&3], [a("fe80::7")]);
    assert!(!first.contains_key(&9), "an interface not scanned");
}

#[test]
fn queries_that_need_the_whole_link_have_no_sure_answer() {
    assert!(SureAnswer::for_queries(&[Query::Word("raspberry".into())]).is_none());
    assert!(SureAnswer::for_queries(&[Query::MacPrefix(vec![0xb, 8, 2, 7, 0xe, 0xb])]).is_none());
    assert!(SureAnswer::for_queries(&[]).is_none());
    // An IPv4 query and the MACs the inventory saw holding it: the IPv4 needs ARP.
    let v4 = Query::Ipv4("192.0.2.7".parse().unwrap());
    assert!(SureAnswer::for_queries(&[v4, Query::Mac(M)]).is_none());
}
