use super::*;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

#[test]
fn prefix_masks_and_contains() {
    let p = Ipv6Prefix::new(a("2001:db8:1::ff"), 64);
    assert_eq!(p.to_string(), "2001:db8:1::/64");
    assert!(p.contains(a("2001:db8:1::1")));
    assert!(!p.contains(a("2001:db8:2::1")));
    assert_eq!(Ipv6Prefix::new(a("2001:db8::1"), 200).len(), 128);
    assert_eq!(Ipv6Prefix::new(a("2001:db8::1"), 0).to_string(), "::/0");
    assert_eq!(
        Ipv6Prefix::new(a("2001:db8:ffff::"), 33).to_string(),
        "2001:db8:8000::/33"
    );
}

#[test]
fn kinds() {
    assert_eq!(PrefixKind::of(a("fe80::1")), PrefixKind::LinkLocal);
    assert_eq!(PrefixKind::of(a("febf::1")), PrefixKind::LinkLocal);
    assert_eq!(PrefixKind::of(a("fd00:1::1")), PrefixKind::Ula);
    assert_eq!(PrefixKind::of(a("fc00::1")), PrefixKind::Ula);
    assert_eq!(PrefixKind::of(a("2001:db8::1")), PrefixKind::Global);
    assert!(is_host_address(a("fe80::1")));
    assert!(!is_host_address(a("ff02::1")));
    assert!(!is_host_address(a("::")));
}

#[test]
fn scoped_and_host_keys() {
    assert_eq!(scoped(a("fe80::1"), "eth0"), "fe80::1%eth0");
    assert_eq!(scoped(a("2001:db8::1"), "eth0"), "2001:db8::1");
    let m = Mac([2, 0, 0, 0, 0, 1]);
    assert_eq!(HostKey::of(Some(m), a("fe80::1")), HostKey::Mac(m));
    assert_eq!(HostKey::of(None, a("fe80::1")), HostKey::Addr(a("fe80::1")));
    assert!(HostKey::Mac(Mac([0xff; 6])) < HostKey::Addr(Ipv6Addr::UNSPECIFIED));
    assert_eq!(HostKey::Addr(a("fe80::1")).mac(), None);
}
