//! The MQTT broker harness (tests/common/broker.rs) against a real mosquitto in a throwaway
//! `v6t-*` namespace: it listens there only, refuses wrong and missing passwords, gives
//! retained messages back byte for byte (a cleared one is gone), and a subscriber sees
//! messages across a restart. Needs root and mosquitto; skipped otherwise unless
//! V6SCOUT_REQUIRE_LAB=1 (see tests/common).
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::broker::{self, Broker, Message, PORT};
use common::netns::Netns;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// A namespace with loopback up and a broker in it (the broker is dropped first).
fn broker() -> Option<(Broker, Netns)> {
    if !broker::available() {
        common::skip_or_fail("mosquitto is not installed (tests/deps.sh installs it)");
        return None;
    }
    let ns = Netns::create(true)?;
    Some((Broker::start(&ns.name, &common::new_runid()), ns))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `mosquitto_pub` as `user` with `password` (none: anonymous).
fn publish_as(b: &Broker, user: Option<(&str, &str)>) -> Output {
    let mut c = b.command("mosquitto_pub");
    c.args(["-h", "127.0.0.1", "-p", &PORT.to_string()]);
    if let Some((u, p)) = user {
        c.args(["-u", u, "-P", p]);
    }
    c.args(["-q", "1", "-t", "v6scout/probe", "-m", "x"])
        .output()
        .unwrap()
}

fn net_ns_of(pid: &str) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/net"))
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn broker_listens_only_in_its_namespace_and_refuses_strangers() {
    let Some((b, _ns)) = broker() else { return };
    let pid = b.pid().unwrap();
    assert_ne!(net_ns_of(&pid.to_string()), net_ns_of("self"));
    let root = Command::new("ss").args(["-Hltnp"]).output().unwrap();
    let root = String::from_utf8_lossy(&root.stdout);
    assert!(!root.contains(&format!("pid={pid},")), "{root}");
    assert!(
        !root.contains(&format!(":{PORT} ")),
        "a root listener: {root}"
    );

    let wrong = publish_as(&b, Some((b.user(), "wrong")));
    assert_eq!(wrong.status.code(), Some(5), "{}", text(&wrong));
    assert!(text(&wrong).contains("not authorised"), "{}", text(&wrong));
    let anonymous = publish_as(&b, None);
    assert_eq!(anonymous.status.code(), Some(5), "{}", text(&anonymous));
    let right = publish_as(&b, Some((b.user(), b.password())));
    assert!(right.status.success(), "{}", text(&right));
    assert!(b.log().contains("not authorised"), "{}", b.log());

    // The URLs as a client parses them (mosquitto_pub -L takes user, password, port).
    let by_url = b
        .command("mosquitto_pub")
        .args(["-L", &format!("{}/v6scout/url", b.url()), "-r", "-m", "u"])
        .output()
        .unwrap();
    assert!(by_url.status.success(), "{}", text(&by_url));
    let no_password = b
        .command("mosquitto_pub")
        .args(["-L", &format!("{}/v6scout/x", b.url_without_password())])
        .args(["-m", "u"])
        .output()
        .unwrap();
    assert_eq!(no_password.status.code(), Some(5), "{}", text(&no_password));
    assert_eq!(
        b.retained("v6scout/#"),
        [("v6scout/url".into(), "u".into())]
    );

    let file = b.password_file();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let content = std::fs::read_to_string(&file).unwrap();
    assert_eq!(content, format!("{}\n", b.password()));
    assert!(b
        .url()
        .starts_with(&format!("mqtt://v6scout:{}@", b.password())));

    let dir = b.dir().to_path_buf();
    drop(b);
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    assert!(!dir.exists());
}

#[test]
fn retained_messages_come_back_byte_for_byte_and_cleared_ones_are_gone() {
    let Some((b, _ns)) = broker() else { return };
    assert_eq!(b.retained("#"), []);
    let json = r#"{"host": "fe80::1", "state": "up"}"#;
    b.publish("v6scout/a host/state", json, true);
    b.publish("v6scout/live", "not kept", false);
    b.publish("v6scout/cleared", "soon gone", true);
    b.publish("other/x", "elsewhere", true);
    // Every byte value, newlines and NULs included, and more than one argument can hold.
    let big: Vec<u8> = (0..=255u8).cycle().take(3 << 20).collect();
    let file = b.dir().join("big.bin");
    std::fs::write(&file, &big).unwrap();
    b.publish_file("v6scout/big", &file, true);
    b.publish("v6scout/bytes", [0u8, b'\n', 0xff, b' '], true);
    assert_eq!(b.retained("v6scout/cleared").len(), 1);
    b.publish("v6scout/cleared", "", true);

    let kept = b.retained_messages("v6scout/#");
    let topics: Vec<&str> = kept.iter().map(|m| m.topic.as_str()).collect();
    assert_eq!(
        topics,
        ["v6scout/a host/state", "v6scout/big", "v6scout/bytes"]
    );
    assert_eq!(kept[0].text(), json);
    assert_eq!(kept[1].payload, big);
    assert_eq!(kept[2].payload, [0u8, b'\n', 0xff, b' ']);
    assert!(kept.iter().all(|m| m.retained));
    assert_eq!(
        b.retained("other/+"),
        [("other/x".into(), "elsewhere".into())]
    );
    assert_eq!(b.retained("v6scout/cleared"), []);
}

#[test]
fn a_subscriber_sees_messages_and_outlives_a_broker_restart() {
    let Some((mut b, _ns)) = broker() else { return };
    b.publish("v6scout/old", "before", true);
    let mut sub = b.subscribe(&["v6scout/#"]);
    let old = sub.wait_for(|t, _| t == "v6scout/old", WAIT);
    assert_eq!(old, Some(("v6scout/old".into(), "before".into())));

    b.publish("v6scout/h1", r#"{"up": true}"#, false);
    b.publish("v6scout/h2", "kept", true);
    b.publish("v6scout/h2", "", true);
    b.publish("elsewhere", "not subscribed", false);
    sub.sync();
    let seen = sub.messages();
    let msg = |topic: &str, payload: &str, retained| Message {
        topic: topic.into(),
        payload: payload.into(),
        retained,
    };
    assert_eq!(
        seen,
        [
            msg("v6scout/old", "before", true),
            msg("v6scout/h1", r#"{"up": true}"#, false),
            msg("v6scout/h2", "kept", true),
            msg("v6scout/h2", "", true),
        ]
    );

    let pid = b.pid().unwrap();
    b.stop();
    assert!(b.pid().is_none());
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    sub.clear();
    b.restart();
    // No persistence: what was retained is gone with the old process.
    assert_eq!(b.retained("#"), []);
    sub.sync();
    b.publish("v6scout/h3", "after the restart", false);
    let after = sub.wait_for(|_, p| p == "after the restart", WAIT);
    assert_eq!(after.unwrap().0, "v6scout/h3");
    assert!(b.log().contains("terminating"), "{}", b.log());
}
