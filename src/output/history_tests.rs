use super::*;
use crate::inventory::{Device, IfaceKey, KnownAddr};
use crate::mac::Mac;
use crate::model::{IidKind, SeenBy};
use std::time::{Duration, UNIX_EPOCH};

fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

const NOW: u64 = 1_795_000_000;

fn pi() -> Device {
    Device {
        iface: IfaceKey {
            name: "eth0".into(),
            mac: Some(Mac([2, 0, 0x5e, 0x10, 0, 1])),
        },
        mac: Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]),
        vendor: Some("Raspberry Pi Foundation".into()),
        names: vec!["rpi.local".into()],
        router: false,
        first_seen: t(NOW - 9 * 86_400),
        last_seen: t(NOW - 2 * 86_400 - 5),
        addresses: vec![
            KnownAddr {
                address: "fe80::ba27:ebff:fe89:bc51".parse().unwrap(),
                first_seen: t(NOW - 9 * 86_400),
                last_seen: t(NOW - 2 * 86_400 - 5),
                seen_by: vec![SeenBy::Echo, SeenBy::Ndp],
                iid: IidKind::Eui64,
            },
            KnownAddr {
                address: "2001:db8:1::ba27:ebff:fe89:bc51".parse().unwrap(),
                first_seen: t(NOW - 9 * 86_400),
                last_seen: t(NOW - 5 * 86_400),
                seen_by: vec![SeenBy::ParamProblem],
                iid: IidKind::Eui64,
            },
        ],
        ipv4: vec![("192.0.2.7".parse().unwrap(), t(NOW - 6 * 86_400))],
        label: None,
        site: None,
    }
}

#[test]
fn ages_read_like_speech() {
    let now = t(NOW);
    assert_eq!(ago(now, t(NOW - 10)), "just now");
    assert_eq!(ago(now, t(NOW - 60)), "1 minute ago");
    assert_eq!(ago(now, t(NOW - 3 * 3600 - 1)), "3 hours ago");
    assert_eq!(ago(now, t(NOW - 2 * 86_400 - 5)), "2 days ago");
    assert_eq!(ago(now, t(NOW + 100)), "just now", "a clock that went back");
}

#[test]
fn text_lists_the_device_then_each_address() {
    let mut out = Vec::new();
    render_text(&[pi()], t(NOW), &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "b8:27:eb:89:bc:51  Raspberry Pi Foundation  rpi.local  on eth0  last seen 2 days ago\n\
         \x20   fe80::ba27:ebff:fe89:bc51%eth0    2 days ago\n\
         \x20   2001:db8:1:0:ba27:ebff:fe89:bc51  5 days ago\n\
         \x20   192.0.2.7                         6 days ago\n"
    );
}

#[test]
fn plain_is_one_address_a_line() {
    let mut out = Vec::new();
    render_plain(&[pi()], true, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1],
        "eth0 b8:27:eb:89:bc:51 2026-11-16T11:06:35Z fe80::ba27:ebff:fe89:bc51%eth0 \
         2026-11-16T11:06:35Z - rpi.local Raspberry Pi Foundation"
    );
    assert!(lines[3].contains(" 192.0.2.7 "));
}

#[test]
fn json_is_the_documented_document() {
    let mut out = Vec::new();
    render_json(&[pi()], t(NOW), &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["version"], 1);
    let d = &v["devices"][0];
    assert_eq!(d["mac"], "b8:27:eb:89:bc:51");
    assert_eq!(d["interface"], "eth0");
    assert_eq!(d["interface_mac"], "02:00:5e:10:00:01");
    assert_eq!(d["vendor"], "Raspberry Pi Foundation");
    assert_eq!(d["private_mac"], false);
    assert_eq!(d["first_seen"], "2026-11-09T11:06:40Z");
    assert_eq!(
        d["addresses"][0]["scoped"],
        "fe80::ba27:ebff:fe89:bc51%eth0"
    );
    assert_eq!(
        d["addresses"][0]["seen_by"],
        serde_json::json!(["echo", "ndp"])
    );
    assert_eq!(d["addresses"][1]["iid"], "eui64");
    assert_eq!(d["ipv4"][0]["address"], "192.0.2.7");
    assert!(d["label"].is_null() && d.get("label").is_some());
}

fn at_branch() -> Device {
    Device {
        site: Some("branch".into()),
        ..pi()
    }
}

#[test]
fn another_sites_device_shows_its_site_beside_the_interface() {
    let mut out = Vec::new();
    render_text(&[at_branch()], t(NOW), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with(
            "b8:27:eb:89:bc:51  Raspberry Pi Foundation  rpi.local  on branch/eth0  last seen"
        ),
        "{text}"
    );
    assert!(
        text.contains("    fe80::ba27:ebff:fe89:bc51%eth0  "),
        "{text}"
    );
    // Plain keeps its columns: the site goes into IFACE.
    let mut out = Vec::new();
    render_plain(&[at_branch(), pi()], true, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "IFACE MAC LAST_SEEN ADDRESS ADDRESS_LAST_SEEN LABEL NAMES VENDOR"
    );
    assert_eq!(
        lines[1],
        "branch/eth0 b8:27:eb:89:bc:51 2026-11-16T11:06:35Z fe80::ba27:ebff:fe89:bc51%eth0 \
         2026-11-16T11:06:35Z - rpi.local Raspberry Pi Foundation"
    );
    assert!(lines[4].starts_with("eth0 b8:27:eb:89:bc:51 "), "{text}");
}

#[test]
fn json_gives_each_device_its_site_or_null() {
    let mut out = Vec::new();
    render_json(&[at_branch(), pi()], t(NOW), &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["version"], 1, "a backward-compatible addition");
    let (remote, local) = (&v["devices"][0], &v["devices"][1]);
    assert_eq!(remote["site"], "branch");
    assert_eq!(remote["interface"], "eth0");
    assert_eq!(
        remote["addresses"][0]["scoped"],
        "fe80::ba27:ebff:fe89:bc51%eth0"
    );
    assert!(local["site"].is_null() && local.get("site").is_some());
}

#[test]
fn a_label_is_listed_first_in_every_form() {
    let d = Device {
        label: Some("kitchen-pi".into()),
        ..pi()
    };
    let mut out = Vec::new();
    render_text(std::slice::from_ref(&d), t(NOW), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with(
            "b8:27:eb:89:bc:51  Raspberry Pi Foundation  kitchen-pi, rpi.local  on eth0"
        ),
        "{text}"
    );
    let mut out = Vec::new();
    render_plain(std::slice::from_ref(&d), true, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "IFACE MAC LAST_SEEN ADDRESS ADDRESS_LAST_SEEN LABEL NAMES VENDOR"
    );
    let cols: Vec<&str> = lines[1].split(' ').collect();
    assert_eq!(cols[5..8], ["kitchen-pi", "rpi.local", "Raspberry"]);
    let mut out = Vec::new();
    render_json(&[d], t(NOW), &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["devices"][0]["label"], "kitchen-pi");
}
