use super::*;

fn iface(name: &str, index: u32, addrs: &[&str]) -> Interface {
    Interface {
        name: name.into(),
        index,
        mac: Some(Mac([2, 0, 0, 0, 0, index as u8])),
        up: true,
        multicast: true,
        loopback: false,
        addrs: addrs
            .iter()
            .map(|a| IfAddr {
                addr: a.parse().unwrap(),
                prefix_len: 64,
            })
            .collect(),
    }
}

#[test]
fn interfaces_that_appear_and_vanish() {
    let before = usable_ids(&system());
    assert_eq!(
        before,
        [("eth0".into(), 2), ("eth1".into(), 3)],
        "loopback and down ones are not usable"
    );
    let mut later = system();
    later.retain(|i| i.name != "eth1");
    later.push(iface("usb0", 9, &["fe80::9"]));
    // A new interface still without its link-local address is not usable yet.
    later.push(iface("dock0", 10, &[]));
    let c = changes(&before, &usable_ids(&later));
    assert_eq!(c.appeared, ["usb0"]);
    assert_eq!(c.vanished, ["eth1"]);
    assert_eq!(changes(&before, &before), Changes::default());
    // Plugged back in between two listings: same name, new index.
    let mut replugged = system();
    replugged[2].index = 12;
    let c = changes(&before, &usable_ids(&replugged));
    assert_eq!(
        (c.appeared, c.vanished),
        (vec!["eth1".into()], vec!["eth1".into()])
    );
}

fn system() -> Vec<Interface> {
    let mut lo = iface("lo", 1, &["::1"]);
    lo.loopback = true;
    let mut down = iface("eth2", 4, &["fe80::3"]);
    down.up = false;
    vec![
        lo,
        iface("eth0", 2, &["fe80::1", "2001:db8::1"]),
        iface("eth1", 3, &["fe80::2"]),
        down,
        iface("tun0", 5, &["2001:db8:5::1"]),
    ]
}

fn names(s: &Selection) -> Vec<&str> {
    s.scan.iter().map(|i| i.name.as_str()).collect()
}

#[test]
fn default_takes_every_usable_interface() {
    let s = select(&system(), &[]).unwrap();
    assert_eq!(names(&s), ["eth0", "eth1"]);
    assert!(s.skipped.is_empty());
}

#[test]
fn requested_interfaces_restrict_and_dedupe() {
    let req = ["eth1".to_string(), "eth1".to_string()];
    assert_eq!(names(&select(&system(), &req).unwrap()), ["eth1"]);
}

#[test]
fn unknown_name_lists_valid_ones() {
    let err = select(&system(), &["wlan9".to_string()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no interface named 'wlan9'; interfaces that can be scanned: eth0, eth1"
    );
}

#[test]
fn unusable_requested_interface_is_skipped_with_reason() {
    let req = ["eth2".to_string(), "eth0".to_string(), "tun0".to_string()];
    let s = select(&system(), &req).unwrap();
    assert_eq!(names(&s), ["eth0"]);
    assert_eq!(
        s.skipped,
        vec![
            ("eth2".to_string(), Unusable::Down),
            ("tun0".to_string(), Unusable::NoLinkLocal)
        ]
    );
}

#[test]
fn all_unusable_is_an_error_with_every_reason() {
    let err = select(&system(), &["eth2".to_string(), "lo".to_string()]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("eth2: it is down"), "{text}");
    assert!(text.contains("lo: it is a loopback"), "{text}");
}
