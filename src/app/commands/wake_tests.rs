use super::*;
use crate::config::{FindAction, InventoryConfig, ScanConfig};
use crate::inventory::IfaceKey;
use crate::mac::Mac;
use crate::query::Prefer;
use std::time::Duration;

fn device() -> Device {
    Device {
        iface: IfaceKey {
            name: "eth0".into(),
            mac: None,
        },
        mac: Mac([0x2c, 0xcf, 0x67, 0x5a, 0x00, 0x03]),
        vendor: Some("Raspberry Pi (Trading) Ltd".into()),
        names: Vec::new(),
        label: None,
        site: None,
        router: false,
        first_seen: SystemTime::now(),
        last_seen: SystemTime::now(),
        addresses: Vec::new(),
        ipv4: Vec::new(),
    }
}

fn eth0() -> Interface {
    Interface {
        name: "eth0".into(),
        index: 2,
        mac: Some(Mac([0x02, 0, 0x5e, 0x10, 0, 1])),
        up: true,
        multicast: true,
        loopback: false,
        addrs: Vec::new(),
    }
}

#[test]
fn says_what_was_sent_and_where() {
    let both = Sent {
        frame: true,
        udp: true,
    };
    assert_eq!(
        sent_line(&device(), &eth0(), both),
        "magic packet for 2c:cf:67:5a:00:03 (Raspberry Pi (Trading) Ltd), last seen just now \
         on eth0, sent as an Ethernet frame (type 0x0842) to ff:ff:ff:ff:ff:ff and as UDP to \
         [ff02::1%eth0]:9"
    );
    let udp = Sent {
        frame: false,
        udp: true,
    };
    assert!(sent_line(&device(), &eth0(), udp).ends_with("sent as UDP to [ff02::1%eth0]:9"));
}

#[test]
fn the_search_after_a_wake_looks_for_its_mac_on_its_interface() {
    let find = FindConfig {
        query: "pi".into(),
        scan: ScanConfig {
            interfaces: vec!["eth0".into(), "wlan0".into()],
            ..ScanConfig::default()
        },
        prefer: Prefer::Global,
        wait_for: Some(Duration::from_secs(60)),
        action: FindAction::Print { all: false },
        inventory: InventoryConfig::default(),
    };
    let f = after_wake(&find, &device(), &eth0());
    assert_eq!(f.query, "2c:cf:67:5a:00:03");
    assert_eq!(f.scan.interfaces, ["eth0"]);
    assert_eq!(
        (f.prefer, f.wait_for, f.action),
        (find.prefer, find.wait_for, find.action)
    );
}
