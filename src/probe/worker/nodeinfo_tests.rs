use super::*;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const REPLIER: Mac = Mac([2, 0, 0, 0, 0, 1]);
const OTHER: Mac = Mac([2, 0, 0, 0, 0, 2]);

#[test]
fn only_link_local_answerers_are_asked_once() {
    let mut ni = NodeInfo::default();
    assert!(ni.ask(a("fe80::1"), SeenBy::Echo));
    assert!(!ni.ask(a("fe80::1"), SeenBy::ParamProblem));
    assert!(!ni.ask(a("2001:db8::1"), SeenBy::Echo));
    assert!(!ni.ask(a("fe80::2"), SeenBy::Heard));
}

#[test]
fn a_listed_address_is_credited_once_and_only_for_the_repliers_mac() {
    let mut ni = NodeInfo::default();
    assert!(ni.listed(a("2001:db8::7"), Some(REPLIER)));
    assert!(!ni.listed(a("2001:db8::7"), Some(OTHER)), "claimed already");
    assert!(!ni.credit(a("2001:db8::7"), OTHER));
    assert!(ni.credit(a("2001:db8::7"), REPLIER));
    assert!(!ni.credit(a("2001:db8::7"), REPLIER), "once");
    assert!(!ni.credit(a("2001:db8::8"), REPLIER), "never listed");
}
