use super::*;
use crate::mac::Mac;
use crate::oui::Vendor;
use crate::watch::render::json_line;
use std::time::{Duration, UNIX_EPOCH};

/// An event as the watch makes it (`known`, `remembered`, `last_seen` set by the callers).
pub(crate) fn event(kind: EventKind) -> Event {
    Event {
        kind,
        time: UNIX_EPOCH + Duration::from_millis(1_795_000_000_250),
        interface: "eth0".into(),
        mac: Some(Mac([0xb8, 0x27, 0xeb, 0x90, 0, 0x90])),
        vendor: Vendor::Known("Raspberry Pi Foundation"),
        router: false,
        addresses: vec!["fe80::ba27:ebff:fe90:90".parse().unwrap()],
        last_seen: None,
        remembered: false,
        label: None,
        known: false,
        message: None,
    }
}

#[test]
fn a_webhook_gets_exactly_the_jsonl_line() {
    let e = event(EventKind::Appeared { returning: false });
    let t = Target::parse("https://hooks.example/v6?k=1").unwrap();
    let r = request(&t, &e);
    assert_eq!(r.url, "https://hooks.example/v6?k=1");
    assert_eq!(r.body, json_line(&e));
    assert_eq!(r.headers, [("Content-Type", "application/json".to_owned())]);
}

#[test]
fn an_ntfy_topic_gets_a_message_and_its_headers() {
    let e = event(EventKind::Appeared { returning: false });
    let t = Target::parse("ntfy://ntfy.sh/lab").unwrap();
    let r = request(&t, &e);
    assert_eq!(r.url, "https://ntfy.sh/lab");
    assert_eq!(
        r.body,
        "+ b8:27:eb:90:00:90 (Raspberry Pi Foundation) fe80::ba27:ebff:fe90:90%eth0 appeared"
    );
    assert_eq!(
        r.headers,
        [
            ("Content-Type", "text/plain; charset=utf-8".to_owned()),
            ("Title", "New device on eth0".to_owned()),
            ("Tags", "heavy_plus_sign,appeared".to_owned()),
            ("Priority", "3".to_owned()),
        ]
    );
    // An https:// URL is an ntfy topic when --notify-format says so.
    let t = Target::parse("https://ntfy.sh/lab")
        .unwrap()
        .with_format(Format::Ntfy);
    assert_eq!(request(&t, &e).body, r.body);
}

#[test]
fn new_means_never_seen_before() {
    let appeared = event(EventKind::Appeared { returning: false });
    assert!(
        is_new(&appeared),
        "no inventory: not seen earlier in this watch"
    );
    assert!(!is_new(&event(EventKind::Appeared { returning: true })));
    let remembered_new = Event {
        remembered: true,
        ..appeared.clone()
    };
    assert!(is_new(&remembered_new));
    let seen_before = Event {
        remembered: true,
        last_seen: Some(appeared.time - Duration::from_secs(86_400)),
        ..appeared.clone()
    };
    assert!(!is_new(&seen_before));
    assert!(!is_new(&event(EventKind::Present)));
    assert!(!is_new(&event(EventKind::Gone)));
}

#[test]
fn counts_add_up() {
    let mut c = Counts {
        sent: 1,
        retried: 2,
        failed: 3,
        dropped: 4,
    };
    c += c;
    assert_eq!(
        c,
        Counts {
            sent: 2,
            retried: 4,
            failed: 6,
            dropped: 8
        }
    );
    assert_eq!(c.lost(), 14);
}
