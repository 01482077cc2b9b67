use super::*;
use crate::mqtt::state::StateAddr;
use std::time::UNIX_EPOCH;

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);
const TOPIC: &str = "v6scout/lab-a/eth0/b8:27:eb:5a:00:01";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn good() -> DeviceState {
    DeviceState {
        v: 1,
        site: "lab-a".into(),
        interface: "eth0".into(),
        mac: PI.to_string(),
        present: true,
        vendor: Some("Raspberry Pi Trading Ltd".into()),
        private_mac: false,
        router: false,
        label: Some("kitchen-pi".into()),
        names: vec!["pi.local".into()],
        addresses: vec![StateAddr {
            address: "fe80::ba27:ebff:fe5a:1".parse().unwrap(),
            scoped: "fe80::ba27:ebff:fe5a:1%eth0".into(),
            seen_by: vec!["echo".into(), "from-the-future".into()],
        }],
        ipv4: vec!["192.0.2.7".parse().unwrap()],
        last_seen: state::stamp(now()),
    }
}

fn verdict(topic: &str, payload: &[u8]) -> Result<Inbound, Dropped> {
    parse(topic, payload, now())
}

fn json(v: &serde_json::Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

#[test]
fn a_watchs_own_state_is_taken_with_its_time() {
    let Ok(Inbound::Device {
        site,
        mac,
        state,
        seen,
    }) = verdict(TOPIC, good().to_json().as_bytes())
    else {
        panic!("refused");
    };
    assert_eq!((site.as_str(), mac, seen), ("lab-a", PI, now()));
    let s = state.sighting(mac);
    assert_eq!(s.iface.name, "eth0");
    assert_eq!(s.names, ["kitchen-pi", "pi.local"]);
    assert_eq!(s.addresses[0].seen_by, [crate::model::SeenBy::Echo]);
    assert_eq!(s.ipv4.len(), 1);
}

#[test]
fn status_events_and_clears_are_recognised() {
    let site = Site::new("lab-a").unwrap();
    assert_eq!(
        verdict("v6scout/lab-a/status", b"offline"),
        Ok(Inbound::Status {
            site: site.clone(),
            online: false
        })
    );
    assert_eq!(
        verdict("v6scout/lab-a/status", b"maybe"),
        Err(Dropped::Garbage)
    );
    assert_eq!(
        verdict("v6scout/lab-a/events", br#"{"type":"gone"}"#),
        Ok(Inbound::Event { site: site.clone() })
    );
    assert_eq!(
        verdict("v6scout/lab-a/events", br#"{"type":1}"#),
        Err(Dropped::Shape)
    );
    assert_eq!(verdict(TOPIC, b""), Ok(Inbound::Cleared { site }));
}

#[test]
fn garbage_huge_and_mistyped_messages_are_dropped_each_for_its_reason() {
    assert_eq!(verdict("v6scout/lab-a/nope", b"{}"), Err(Dropped::Topic));
    assert_eq!(verdict(TOPIC, b"\xff\xfe garbage"), Err(Dropped::Garbage));
    assert_eq!(verdict(TOPIC, b"[1,2"), Err(Dropped::Garbage));
    assert_eq!(
        verdict(TOPIC, &vec![b' '; MAX_PAYLOAD + 1]),
        Err(Dropped::TooBig)
    );
    let mut v = serde_json::to_value(good()).unwrap();
    v["present"] = "yes".into();
    assert_eq!(verdict(TOPIC, &json(&v)), Err(Dropped::Shape));
    let mut v = serde_json::to_value(good()).unwrap();
    v["addresses"][0]["address"] = "ff02::1".into();
    assert_eq!(
        verdict(TOPIC, &json(&v)),
        Err(Dropped::Shape),
        "multicast is no host"
    );
    let mut v = serde_json::to_value(good()).unwrap();
    v["names"] = serde_json::json!(vec!["n"; 9]);
    assert_eq!(verdict(TOPIC, &json(&v)), Err(Dropped::Shape));
    let mut v = serde_json::to_value(good()).unwrap();
    v["label"] = "x".repeat(MAX_TEXT + 1).into();
    assert_eq!(verdict(TOPIC, &json(&v)), Err(Dropped::Shape));
    let mut v = serde_json::to_value(good()).unwrap();
    v["last_seen"] = "yesterday".into();
    assert_eq!(verdict(TOPIC, &json(&v)), Err(Dropped::Shape));
    let mut v = serde_json::to_value(good()).unwrap();
    v.as_object_mut().unwrap().remove("v");
    assert_eq!(verdict(TOPIC, &json(&v)), Err(Dropped::Shape));
    let mut v = serde_json::to_value(good()).unwrap();
    v["v"] = 2.into();
    assert_eq!(verdict(TOPIC, &json(&v)), Err(Dropped::Version));
}

#[test]
fn a_state_whose_site_interface_or_mac_differ_from_its_topic_is_forged() {
    for (field, value) in [
        ("site", "lab-b"),
        ("interface", "eth1"),
        ("mac", "00:24:a5:f1:07:ca"),
    ] {
        let mut v = serde_json::to_value(good()).unwrap();
        v[field] = value.into();
        assert_eq!(verdict(TOPIC, &json(&v)), Err(Dropped::Forged), "{field}");
    }
}

#[test]
fn a_sighting_far_in_the_future_is_dropped_a_little_ahead_is_not() {
    let mut s = good();
    s.last_seen = state::stamp(now() + MAX_CLOCK_AHEAD + Duration::from_secs(1));
    assert_eq!(verdict(TOPIC, s.to_json().as_bytes()), Err(Dropped::Future));
    s.last_seen = state::stamp(now() + Duration::from_secs(30));
    assert!(verdict(TOPIC, s.to_json().as_bytes()).is_ok());
}

#[test]
fn drops_are_counted_per_reason_and_the_first_of_each_is_told() {
    let mut c = DropCounts::default();
    assert!(c.add(Dropped::Forged));
    assert!(!c.add(Dropped::Forged));
    assert!(c.add(Dropped::TooBig));
    assert_eq!(
        (c.get(Dropped::Forged), c.get(Dropped::Garbage), c.total()),
        (2, 0, 3)
    );
    let names: Vec<&str> = Dropped::ALL.iter().map(|d| d.as_str()).collect();
    assert_eq!(
        names,
        ["topic", "too-big", "garbage", "shape", "version", "forged", "future", "budget"]
    );
}

#[test]
fn text_a_watch_could_not_have_written_is_dropped_before_it_reaches_a_terminal() {
    let topic_of =
        |iface: &str| format!("v6scout/lab-a/{}/{PI}", crate::mqtt::topic::escape(iface));
    for iface in ["eth0\u{1b}[2J x", "a b", "eth0:1", "sixteen-bytes-xx"] {
        let mut s = good();
        s.interface = iface.into();
        assert_eq!(
            verdict(&topic_of(iface), s.to_json().as_bytes()),
            Err(Dropped::Shape),
            "{iface:?}"
        );
    }
    let bad_names = [
        vec!["\u{1b}]0;owned\u{7}".to_owned()],
        vec!["a b,c\nd".to_owned()],
    ];
    for names in bad_names {
        let mut s = good();
        s.names = names;
        assert_eq!(verdict(TOPIC, s.to_json().as_bytes()), Err(Dropped::Shape));
    }
    for label in ["two words", "b8:27:eb:5a:00:01", "a@b"] {
        let mut s = good();
        s.label = Some(label.into());
        assert_eq!(
            verdict(TOPIC, s.to_json().as_bytes()),
            Err(Dropped::Shape),
            "{label}"
        );
    }
    let mut s = good();
    s.vendor = Some("Evil\u{1b}[31m Corp\n".into());
    assert_eq!(verdict(TOPIC, s.to_json().as_bytes()), Err(Dropped::Shape));
    // What a watch does write passes: a vendor with blanks and punctuation, a VLAN name.
    let mut s = good();
    s.vendor = Some("Raspberry Pi (Trading) Ltd".into());
    s.interface = "eth0.7".into();
    assert!(verdict(&topic_of("eth0.7"), s.to_json().as_bytes()).is_ok());
}
