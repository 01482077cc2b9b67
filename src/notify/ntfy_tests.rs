use super::*;
use crate::mac::Mac;
use crate::notify::tests::event;
use crate::oui::Vendor;
use crate::report::AlertKind;
use std::net::Ipv6Addr;
use std::time::Duration;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

#[test]
fn device_messages_name_mac_vendor_and_addresses() {
    let e = event(EventKind::Appeared { returning: false });
    assert_eq!(
        message(&e),
        "+ b8:27:eb:90:00:90 (Raspberry Pi Foundation) fe80::ba27:ebff:fe90:90%eth0 appeared"
    );
    assert_eq!(title(&e), "New device on eth0");
    let back = event(EventKind::Appeared { returning: true });
    assert!(
        message(&back).ends_with("%eth0 appeared (back)"),
        "{}",
        message(&back)
    );
    assert_eq!(title(&back), "Device back on eth0");
    let inventory_new = Event {
        remembered: true,
        ..e.clone()
    };
    assert!(message(&inventory_new).ends_with(" appeared (new)"));
    let seen = Event {
        remembered: true,
        last_seen: Some(e.time - Duration::from_secs(60)),
        ..e.clone()
    };
    assert_eq!(title(&seen), "Device appeared on eth0");
    let gone = event(EventKind::Gone);
    assert_eq!(
        message(&gone),
        "- b8:27:eb:90:00:90 (Raspberry Pi Foundation) fe80::ba27:ebff:fe90:90%eth0 gone"
    );
    assert_eq!(title(&gone), "Device gone from eth0");
    assert!(message(&event(EventKind::Present)).starts_with("= b8:27:eb:90:00:90 "));
    // Private MACs, unknown vendors, routers, no MAC at all.
    let private = Event {
        mac: Some(Mac([0x4a, 0, 0, 0, 0, 1])),
        vendor: Vendor::Private,
        router: true,
        addresses: vec![a("2001:db8::1")],
        ..event(EventKind::Gone)
    };
    assert_eq!(
        message(&private),
        "- 4a:00:00:00:00:01 (private MAC) [router] 2001:db8::1 gone"
    );
    let anon = Event {
        mac: None,
        vendor: Vendor::Unknown,
        ..event(EventKind::Gone)
    };
    assert_eq!(
        message(&anon),
        "- (no MAC) fe80::ba27:ebff:fe90:90%eth0 gone"
    );
    // A labelled device is named by its label first.
    let known = Event {
        label: Some("kitchen-pi".into()),
        known: true,
        ..event(EventKind::Gone)
    };
    assert_eq!(
        message(&known),
        "- kitchen-pi b8:27:eb:90:00:90 (Raspberry Pi Foundation) fe80::ba27:ebff:fe90:90%eth0 gone"
    );
}

#[test]
fn many_addresses_are_cut_short() {
    let e = Event {
        addresses: (1..=7).map(|i| a(&format!("2001:db8::{i}"))).collect(),
        ..event(EventKind::Present)
    };
    assert!(
        message(&e).ends_with(" 2001:db8::1 2001:db8::2 2001:db8::3 and 4 more present"),
        "{}",
        message(&e)
    );
}

#[test]
fn changes_alerts_routers_and_interfaces() {
    let added = event(EventKind::AddressAdded(a("fd00:1::ab:cd")));
    assert!(message(&added).ends_with(") gained fd00:1::ab:cd"));
    assert_eq!(title(&added), "Address added on eth0");
    let removed = event(EventKind::AddressRemoved(a("fe80::1")));
    assert!(message(&removed).ends_with(") lost fe80::1%eth0"));
    let moved = event(EventKind::MacChanged {
        address: a("2001:db8::1"),
        previous: Mac([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca]),
    });
    let m = message(&moved);
    assert!(
        m.starts_with("! 2001:db8::1 had MAC 00:24:a5:f1:07:ca ("),
        "{m}"
    );
    assert!(
        m.ends_with(", now b8:27:eb:90:00:90 (Raspberry Pi Foundation): possible spoofing or replaced device"),
        "{m}"
    );
    let alert = Event {
        message: Some("2001:db8::1 answered by 2 MACs".into()),
        ..event(EventKind::Alert(AlertKind::DuplicateAddress))
    };
    assert_eq!(message(&alert), "! 2001:db8::1 answered by 2 MACs");
    assert_eq!(title(&alert), "Alert on eth0: duplicate-address");
    let rtr = Event {
        router: true,
        ..event(EventKind::RouterAppeared)
    };
    assert_eq!(
        message(&rtr),
        "+ router b8:27:eb:90:00:90 (Raspberry Pi Foundation) fe80::ba27:ebff:fe90:90%eth0 appeared"
    );
    let t = event(EventKind::Present).time;
    let usb = Event::interface(
        EventKind::InterfaceAppeared { watched: false },
        "usb0",
        t,
        Some("no link-local address".into()),
    );
    assert_eq!(
        message(&usb),
        "+ interface usb0 appeared (not watched: no link-local address)"
    );
    assert_eq!(title(&usb), "Interface usb0 appeared");
    let gone = Event::interface(EventKind::InterfaceGone, "usb0", t, None);
    assert_eq!(message(&gone), "- interface usb0 gone");
}

#[test]
fn tags_and_priorities() {
    assert_eq!(
        tags(&event(EventKind::Appeared { returning: false })),
        ["heavy_plus_sign", "appeared"]
    );
    assert_eq!(tags(&event(EventKind::Gone)), ["heavy_minus_sign", "gone"]);
    let alert = event(EventKind::Alert(AlertKind::RogueRouter));
    assert_eq!(tags(&alert), ["warning", "rogue-router"]);
    assert_eq!(priority(&alert), 4);
    assert_eq!(priority(&event(EventKind::Present)), 2);
    assert_eq!(priority(&event(EventKind::Gone)), 3);
    assert_eq!(
        headers(&alert),
        [
            ("Title", "Alert on eth0: rogue-router".to_owned()),
            ("Tags", "warning,rogue-router".to_owned()),
            ("Priority", "4".to_owned()),
        ]
    );
}

#[test]
fn header_values_stay_ascii() {
    assert_eq!(header_value("New device on eth0"), "New device on eth0");
    // RFC 2047, as ntfy's documentation shows it: 🇩🇪 is =?UTF-8?B?8J+HqfCfh6o=?=.
    assert_eq!(
        header_value("\u{1f1e9}\u{1f1ea}"),
        "=?UTF-8?B?8J+HqfCfh6o=?="
    );
    assert_eq!(header_value("Äpfel"), "=?UTF-8?B?w4RwZmVs?=");
    // A line break would end the header: encoded too.
    assert_eq!(header_value("a\r\nb"), "=?UTF-8?B?YQ0KYg==?=");
    for (plain, b64) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
    ] {
        assert_eq!(base64(plain.as_bytes()), b64);
    }
}
