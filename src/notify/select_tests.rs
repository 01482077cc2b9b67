use super::*;
use crate::notify::tests::event;
use crate::report::AlertKind;
use std::net::Ipv6Addr;

fn sel(s: &str) -> Selection {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn all_kinds() -> Vec<Event> {
    let a: Ipv6Addr = "2001:db8::1".parse().unwrap();
    let t = event(EventKind::Present).time;
    vec![
        event(EventKind::Present),
        event(EventKind::Appeared { returning: false }),
        event(EventKind::Appeared { returning: true }),
        event(EventKind::Gone),
        event(EventKind::AddressAdded(a)),
        event(EventKind::AddressRemoved(a)),
        event(EventKind::MacChanged {
            address: a,
            previous: crate::mac::Mac([2, 0, 0, 0, 0, 1]),
        }),
        event(EventKind::RouterAppeared),
        event(EventKind::RouterGone),
        event(EventKind::Alert(AlertKind::DuplicateAddress)),
        Event::interface(
            EventKind::InterfaceAppeared { watched: true },
            "usb0",
            t,
            None,
        ),
        Event::interface(EventKind::InterfaceGone, "usb0", t, None),
    ]
}

/// The type names of the events `s` chooses among `events`.
fn chosen(s: &str, events: &[Event]) -> Vec<String> {
    let s = sel(s);
    events
        .iter()
        .filter(|e| s.wants(e))
        .map(|e| {
            let mut n = e.kind.name().to_owned();
            if e.kind == (EventKind::Appeared { returning: true }) {
                n.push_str("(back)");
            }
            if e.known {
                n.push_str("(known)");
            }
            n
        })
        .collect()
}

#[test]
fn each_word_chooses_its_events() {
    let ev = all_kinds();
    assert_eq!(chosen("new", &ev), ["appeared"]);
    assert_eq!(chosen("appeared", &ev), ["appeared", "appeared(back)"]);
    assert_eq!(chosen("gone", &ev), ["gone"]);
    assert_eq!(chosen("present", &ev), ["present"]);
    assert_eq!(chosen("address", &ev), ["address-added", "address-removed"]);
    assert_eq!(chosen("alert", &ev), ["mac-changed", "duplicate-address"]);
    assert_eq!(chosen("router", &ev), ["router-appeared", "router-gone"]);
    assert_eq!(
        chosen("interface", &ev),
        ["interface-appeared", "interface-gone"]
    );
    assert_eq!(chosen("all", &ev).len(), ev.len());
    // Words add up.
    assert_eq!(chosen("gone, new", &ev), ["appeared", "gone"]);
}

#[test]
fn known_devices_are_told_apart() {
    let mut ev = all_kinds();
    let known: Vec<Event> = ev
        .iter()
        .filter(|e| e.mac.is_some())
        .map(|e| Event {
            known: true,
            ..e.clone()
        })
        .collect();
    ev.extend(known);
    assert_eq!(chosen("gone-known", &ev), ["gone(known)"]);
    assert_eq!(
        chosen("unknown", &ev),
        ["appeared", "appeared(back)", "gone"],
        "only arrivals and departures of devices nobody labelled"
    );
    // The default: new devices, known ones gone, alerts.
    assert_eq!(
        chosen("new,gone-known,alert", &ev),
        [
            "appeared",
            "mac-changed",
            "duplicate-address",
            "appeared(known)",
            "gone(known)",
            "mac-changed(known)",
            "duplicate-address(known)",
        ]
    );
    assert_eq!(Selection::default(), sel("alert,new,gone-known"));
}

#[test]
fn the_list_reads_back_and_refuses_unknown_words() {
    assert_eq!(Selection::default().to_string(), "new,gone-known,alert");
    assert_eq!(sel("ALL,new,new").to_string(), "new,all");
    let e = "new,sometimes".parse::<Selection>().unwrap_err();
    assert!(e.contains("\"sometimes\" is not a kind of event"), "{e}");
    assert!(
        e.contains("new, appeared, gone, gone-known, unknown"),
        "{e}"
    );
    assert!("".parse::<Selection>().is_err());
    assert!("new,".parse::<Selection>().is_err());
}
