use super::*;
use crate::mac::Mac;
use crate::oui::Vendor;
use std::net::Ipv6Addr;
use std::time::{Duration, UNIX_EPOCH};

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);
const RTR: Mac = Mac([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca]);

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn event(kind: EventKind) -> Event {
    Event {
        kind,
        time: UNIX_EPOCH + Duration::from_millis(1_795_000_000_250),
        interface: "eth0".into(),
        mac: Some(PI),
        vendor: Vendor::Known("Raspberry Pi Trading Ltd"),
        router: false,
        addresses: vec![a("2001:db8:1::5"), a("fe80::ba27:ebff:fe5a:1")],
        last_seen: None,
        remembered: false,
        known: false,
        message: None,
    }
}

#[test]
fn human_lines() {
    let e = event(EventKind::Appeared { returning: false });
    assert_eq!(
        human_line(&e, "12:03:04"),
        "+ 12:03:04 eth0 b8:27:eb:5a:00:01 Raspberry Pi Trading Ltd  \
         2001:db8:1::5 fe80::ba27:ebff:fe5a:1%eth0"
    );
    let back = human_line(&event(EventKind::Appeared { returning: true }), "t");
    assert!(
        back.starts_with("+ t eth0 ") && back.ends_with("%eth0  (back)"),
        "{back}"
    );
    assert!(human_line(&event(EventKind::Present), "t").starts_with("= t eth0 b8:27"));
    assert!(human_line(&event(EventKind::Gone), "t").starts_with("- t eth0 b8:27"));
    assert!(
        human_line(&event(EventKind::AddressAdded(a("2001:db8:1::5"))), "t")
            .ends_with("Ltd  +2001:db8:1::5")
    );
    assert!(
        human_line(&event(EventKind::AddressRemoved(a("fe80::1"))), "t")
            .ends_with("Ltd  -fe80::1%eth0")
    );
    let m = human_line(
        &event(EventKind::MacChanged {
            address: a("2001:db8:1::1"),
            previous: RTR,
        }),
        "t",
    );
    assert!(m.starts_with("! t eth0 b8:27:eb:5a:00:01 "), "{m}");
    assert!(
        m.contains("2001:db8:1::1 had MAC 00:24:a5:f1:07:ca ("),
        "{m}"
    );
    assert!(m.ends_with("possible spoofing or replaced device"), "{m}");

    let anon = Event {
        mac: None,
        vendor: Vendor::Unknown,
        router: true,
        ..event(EventKind::Gone)
    };
    assert!(human_line(&anon, "t").starts_with("- t eth0 (no MAC) [router]  2001"));
}

#[test]
fn json_lines() {
    let v: serde_json::Value =
        serde_json::from_str(&json_line(&event(EventKind::Appeared { returning: false }))).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "type": "appeared", "time": "2026-11-18T11:06:40.250Z", "interface": "eth0",
            "mac": "b8:27:eb:5a:00:01", "vendor": "Raspberry Pi Trading Ltd",
            "private_mac": false, "router": false,
            "addresses": ["2001:db8:1::5", "fe80::ba27:ebff:fe5a:1"], "returning": false
        })
    );
    let line = json_line(&event(EventKind::MacChanged {
        address: a("2001:db8:1::1"),
        previous: Mac([0x4a, 0, 0, 0, 0, 1]),
    }));
    assert!(!line.contains('\n'));
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["type"], "mac-changed");
    assert_eq!(v["address"], "2001:db8:1::1");
    assert_eq!(v["previous_mac"], "4a:00:00:00:00:01");
    assert!(v["previous_vendor"].is_null() && v.get("previous_vendor").is_some());
    assert!(v.get("returning").is_none());
    for (k, name) in [
        (EventKind::Present, "present"),
        (EventKind::Gone, "gone"),
        (EventKind::AddressAdded(a("::1")), "address-added"),
        (EventKind::AddressRemoved(a("::1")), "address-removed"),
    ] {
        let v: serde_json::Value = serde_json::from_str(&json_line(&event(k))).unwrap();
        assert_eq!(v["type"], name);
    }
}

#[test]
fn exec_environment_has_every_variable() {
    let env = env_vars(&event(EventKind::AddressAdded(a("2001:db8:1::5"))));
    let get = |k: &str| {
        env.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.as_str())
            .unwrap()
    };
    assert_eq!(get("V6SCOUT_EVENT"), "address-added");
    assert_eq!(get("V6SCOUT_INTERFACE"), "eth0");
    assert_eq!(get("V6SCOUT_MAC"), "b8:27:eb:5a:00:01");
    assert_eq!(get("V6SCOUT_VENDOR"), "Raspberry Pi Trading Ltd");
    assert_eq!(
        get("V6SCOUT_ADDRESSES"),
        "2001:db8:1::5 fe80::ba27:ebff:fe5a:1"
    );
    assert_eq!(
        get("V6SCOUT_SCOPED_ADDRESSES"),
        "2001:db8:1::5 fe80::ba27:ebff:fe5a:1%eth0"
    );
    assert_eq!(get("V6SCOUT_ADDRESS"), "2001:db8:1::5");
    assert_eq!(get("V6SCOUT_PREVIOUS_MAC"), "");
    assert_eq!(get("V6SCOUT_RETURNING"), "0");
    assert_eq!(get("V6SCOUT_ROUTER"), "0");
    assert!(get("V6SCOUT_JSON").starts_with("{\"type\":\"address-added\""));
    assert_eq!(get("V6SCOUT_TIME"), "2026-11-18T11:06:40.250Z");
}

#[test]
fn the_inventory_says_new_or_when_last_seen() {
    let new = Event {
        remembered: true,
        ..event(EventKind::Appeared { returning: false })
    };
    assert!(
        human_line(&new, "t").ends_with("  (new)"),
        "{}",
        human_line(&new, "t")
    );
    let v: serde_json::Value = serde_json::from_str(&json_line(&new)).unwrap();
    assert_eq!(
        (v["new"].as_bool(), v["last_seen"].is_null()),
        (Some(true), true)
    );
    let back = Event {
        remembered: true,
        last_seen: Some(new.time - Duration::from_secs(3 * 86_400)),
        ..event(EventKind::Appeared { returning: false })
    };
    assert!(
        human_line(&back, "t").ends_with("  (last seen 3 days ago)"),
        "{}",
        human_line(&back, "t")
    );
    let v: serde_json::Value = serde_json::from_str(&json_line(&back)).unwrap();
    assert_eq!(v["new"], false);
    assert_eq!(v["last_seen"], "2026-11-15T11:06:40Z");
    let env: std::collections::HashMap<_, _> = env_vars(&back).into_iter().collect();
    assert_eq!(env["V6SCOUT_NEW"], "0");
    assert_eq!(env["V6SCOUT_LAST_SEEN"], "2026-11-15T11:06:40Z");
    // Without an inventory nothing is claimed.
    let plain = event(EventKind::Appeared { returning: false });
    let v: serde_json::Value = serde_json::from_str(&json_line(&plain)).unwrap();
    assert!(v.get("new").is_none() && v.get("last_seen").is_none());
    assert_eq!(
        env_vars(&plain)
            .iter()
            .find(|(k, _)| *k == "V6SCOUT_NEW")
            .unwrap()
            .1,
        "0"
    );
}

#[test]
fn interface_events_are_lines_of_their_own() {
    let t = UNIX_EPOCH + Duration::from_millis(1_795_000_000_250);
    let watched = Event::interface(
        EventKind::InterfaceAppeared { watched: true },
        "usb0",
        t,
        None,
    );
    assert_eq!(
        human_line(&watched, "12:03:04"),
        "+ 12:03:04 usb0 (interface appeared; watched)"
    );
    assert_eq!(
        json_line(&watched),
        r#"{"type":"interface-appeared","time":"2026-11-18T11:06:40.250Z","interface":"usb0","mac":null,"vendor":null,"private_mac":false,"router":false,"addresses":[],"watched":true}"#
    );
    let not = Event::interface(
        EventKind::InterfaceAppeared { watched: false },
        "usb0",
        t,
        Some("binding: refused".into()),
    );
    assert_eq!(
        human_line(&not, "t"),
        "+ t usb0 (interface appeared; not watched: binding: refused)"
    );
    let j = json_line(&not);
    assert!(
        j.contains(r#""watched":false,"message":"binding: refused""#),
        "{j}"
    );
    let gone = Event::interface(EventKind::InterfaceGone, "eth1", t, None);
    assert_eq!(
        human_line(&gone, "t"),
        "- t eth1 (interface gone; its hosts go as they are missed)"
    );
    let j = json_line(&gone);
    assert!(j.starts_with(r#"{"type":"interface-gone","#), "{j}");
    assert!(!j.contains("watched") && !j.contains("message"), "{j}");
    let env = env_vars(&gone);
    assert!(env.contains(&("V6SCOUT_EVENT", "interface-gone".into())));
    assert!(env.contains(&("V6SCOUT_INTERFACE", "eth1".into())));
}
