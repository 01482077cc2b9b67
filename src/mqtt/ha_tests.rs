use super::*;
use crate::mqtt::topic::Site;
use serde_json::Value;

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);

fn state(label: Option<&str>, names: &[&str], vendor: Option<&str>) -> DeviceState {
    DeviceState {
        v: 1,
        site: "lab-a".into(),
        interface: "eth0.7".into(),
        mac: PI.to_string(),
        present: true,
        vendor: vendor.map(str::to_owned),
        private_mac: false,
        router: false,
        label: label.map(str::to_owned),
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        addresses: Vec::new(),
        ipv4: Vec::new(),
        last_seen: "2026-12-07T20:00:00.000Z".into(),
    }
}

fn topics() -> Topics {
    Topics::new(Site::new("lab-a").unwrap())
}

#[test]
fn a_device_tracker_home_while_present_merged_by_its_mac() {
    let s = state(None, &["pi.local"], Some("Raspberry Pi Trading Ltd"));
    let c: Value = serde_json::from_str(&config(&topics(), &s, PI)).unwrap();
    assert_eq!(
        config_topic(&topics(), "eth0.7", PI),
        "homeassistant/device_tracker/v6scout_lab-a/eth0_2e7_b827eb5a0001/config"
    );
    assert_eq!(c["source_type"], "router");
    assert_eq!(c["state_topic"], "v6scout/lab-a/eth0.7/b8:27:eb:5a:00:01");
    assert_eq!(c["json_attributes_topic"], c["state_topic"]);
    assert_eq!(
        c["value_template"],
        "{{ 'home' if value_json.present else 'not_home' }}"
    );
    assert_eq!(c["availability_topic"], "v6scout/lab-a/status");
    assert_eq!(c["payload_not_available"], "offline");
    assert_eq!(c["unique_id"], "v6scout_lab-a_eth0_2e7_b827eb5a0001");
    assert_ne!(
        config_topic(&topics(), "eth0.10", PI),
        config_topic(&topics(), "eth0_10", PI),
        "ids never collide"
    );
    assert_eq!(c["device"]["connections"][0][0], "mac");
    assert_eq!(c["device"]["connections"][0][1], "b8:27:eb:5a:00:01");
    assert_eq!(c["device"]["manufacturer"], "Raspberry Pi Trading Ltd");
    assert_eq!(c["device"]["name"], "pi.local");
    assert!(c["name"].is_null(), "the entity takes the device's name");
}

#[test]
fn the_name_is_the_label_else_a_name_else_vendor_and_mac() {
    let name = |s: &DeviceState| {
        let c: Value = serde_json::from_str(&config(&topics(), s, PI)).unwrap();
        c["device"]["name"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        name(&state(Some("kitchen-pi"), &["pi.local"], None)),
        "kitchen-pi"
    );
    assert_eq!(
        name(&state(None, &[], Some("Raspberry Pi Trading Ltd"))),
        "Raspberry Pi Trading Ltd b8:27:eb:5a:00:01"
    );
    let bare = state(None, &[], None);
    assert_eq!(name(&bare), "b8:27:eb:5a:00:01");
    let c: Value = serde_json::from_str(&config(&topics(), &bare, PI)).unwrap();
    assert!(c["device"].get("manufacturer").is_none());
}
