use super::*;
use crate::inventory::AddrSighting;
use std::time::{Duration, UNIX_EPOCH};

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);

fn sighting(addresses: usize) -> Sighting {
    Sighting {
        iface: IfaceKey {
            name: "eth0".into(),
            mac: None,
        },
        mac: PI,
        vendor: Some("Raspberry Pi Trading Ltd".into()),
        names: (0..20).map(|i| format!("n{i}")).collect(),
        router: false,
        addresses: (0..addresses)
            .map(|i| AddrSighting {
                address: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, i as u16 + 1),
                seen_by: vec![SeenBy::Echo],
                iid: IidKind::Manual,
            })
            .collect(),
        ipv4: vec![],
        advert: None,
    }
}

#[test]
fn a_state_is_bounded_and_round_trips_through_json() {
    let t = UNIX_EPOCH + Duration::from_millis(1_795_000_000_123);
    let s = DeviceState::present("lab-a", &sighting(100), Some("pi"), t);
    assert_eq!(s.addresses.len(), MAX_ADDRESSES);
    assert_eq!(s.names.len(), MAX_NAMES);
    assert_eq!(s.last_seen, "2026-11-18T11:06:40.123Z");
    let back: DeviceState = serde_json::from_str(&s.to_json()).unwrap();
    assert_eq!(back, s);
    // The largest state stays well under what a hub reads.
    assert!(
        s.to_json().len() < crate::mqtt::inbound::MAX_PAYLOAD,
        "{}",
        s.to_json().len()
    );
}

#[test]
fn the_time_and_how_addresses_were_seen_are_not_a_change() {
    let t = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let a = DeviceState::present("lab-a", &sighting(1), None, t);
    let mut b = DeviceState::present("lab-a", &sighting(1), None, t + Duration::from_secs(5));
    b.addresses[0].seen_by = vec!["ndp".into()];
    assert!(a.same_facts(&b));
    let c = DeviceState::present("lab-a", &sighting(2), None, t);
    assert!(!a.same_facts(&c));
    let gone = DeviceState {
        present: false,
        ..a.clone()
    };
    assert!(!a.same_facts(&gone));
    let labelled = DeviceState::present("lab-a", &sighting(1), Some("pi"), t);
    assert!(!a.same_facts(&labelled));
}

#[test]
fn the_addresses_are_the_tracked_ones_seen_now_or_before() {
    let t = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let before = DeviceState::present("lab-a", &sighting(2), None, t);
    let mut now = DeviceState::present("lab-a", &sighting(1), None, t);
    let extra: Ipv6Addr = "fe80::1".parse().unwrap();
    let tracked = [
        before.addresses[0].address,
        before.addresses[1].address,
        extra,
    ];
    now.keep_addresses(&tracked, "eth0", Some(&before));
    let seen: Vec<(String, Vec<String>)> = (now.addresses.iter())
        .map(|a| (a.scoped.clone(), a.seen_by.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            ("2001:db8::1".to_owned(), vec!["echo".to_owned()]),
            ("2001:db8::2".to_owned(), vec!["echo".to_owned()]),
            ("fe80::1%eth0".to_owned(), vec![]),
        ]
    );
}
