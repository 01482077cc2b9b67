use super::*;
use crate::inventory::IfaceKey;
use std::time::UNIX_EPOCH;

fn device(iface: &str, mac: u8) -> Device {
    Device {
        iface: IfaceKey {
            name: iface.into(),
            mac: None,
        },
        mac: Mac([0, 0x1b, 0, 0, 0, mac]),
        vendor: (mac == 1).then(|| "Acme Corp".to_string()),
        names: Vec::new(),
        router: false,
        first_seen: UNIX_EPOCH,
        last_seen: UNIX_EPOCH,
        addresses: Vec::new(),
        ipv4: Vec::new(),
        label: None,
        site: None,
    }
}

#[test]
fn one_mac_on_several_interfaces_is_one_device() {
    let (a, b, c) = (device("eth0", 1), device("wlan0", 1), device("eth0", 2));
    assert_eq!(pick(vec![]), Pick::None);
    assert_eq!(pick(vec![&a, &b]), Pick::One(a.mac, vec![&a, &b]));
    assert_eq!(pick(vec![&a, &c, &b]), Pick::Several(vec![&a, &c, &b]));
}

#[test]
fn messages_name_the_device_by_mac_and_vendor() {
    let (a, b) = (device("eth0", 1), device("eth0", 2));
    assert_eq!(device_words(a.mac, &[&a]), "00:1b:00:00:00:01 (Acme Corp)");
    assert_eq!(device_words(b.mac, &[&b]), "00:1b:00:00:00:02");
}
