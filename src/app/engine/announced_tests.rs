use super::*;
use crate::names::{Addresses, NameAnswer};
use std::time::Duration;

const IF: u32 = 2;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn pi() -> Mac {
    Mac([0xb8, 0x27, 0xeb, 1, 2, 3])
}

fn seen(ifindex: u32, addr: &str, mac: Option<Mac>) -> Observation {
    Observation::Address {
        ifindex,
        addr: a(addr),
        via: SeenBy::Echo,
        mac,
        frame_mac: None,
        rtt: None,
        router: false,
    }
}

fn name(n: &str) -> Answer {
    Answer::Name(NameAnswer {
        ifindex: IF,
        addr: a("fe80::1"),
        name: n.into(),
        source: NameSource::Mdns,
    })
}

fn addresses(v6: &[&str]) -> Answer {
    Answer::Addresses(Addresses {
        ifindex: IF,
        asked: a("fe80::1"),
        name: "pi.local".into(),
        v6: v6.iter().map(|s| a(s)).collect(),
        v4: Vec::new(),
    })
}

/// A feed for one link with our prefix 2001:db8:1::/64, and a table where the Pi answered
/// from its link-local address.
fn setup() -> (Feed, Inbox, HostTable) {
    let mut feed = Feed::default();
    let inbox = Inbox::new();
    feed.add_link(
        IF,
        inbox.clone(),
        vec![Ipv6Prefix::new(a("2001:db8:1::"), 64)],
    );
    let mut table = HostTable::new(100);
    table.add(seen(IF, "fe80::1", Some(pi())));
    (feed, inbox, table)
}

#[test]
fn on_link_announcements_are_solicited_and_credited_once_confirmed_by_the_mac() {
    let (mut feed, _inbox, mut table) = setup();
    let now = Instant::now();
    let got = feed.answers(
        &[addresses(&[
            "2001:db8:1::5ee:d",
            "2001:db8:77::5",
            "fe80::1",
        ])],
        &table,
        now,
    );
    // fe80::1 answered with the Pi's MAC already: credited at once.
    assert_eq!(got, [credit(IF, a("fe80::1"))]);
    // The off-link address is never asked about; the on-link one is.
    assert!(feed.claimed.contains_key(&(IF, a("2001:db8:1::5ee:d"))));
    assert!(!feed.claimed.contains_key(&(IF, a("2001:db8:77::5"))));
    // Another MAC answering for it is not the host that announced it.
    let other = Mac([2, 0, 0, 0, 0, 9]);
    assert_eq!(
        feed.confirmed(&seen(IF, "2001:db8:1::5ee:d", Some(other))),
        None
    );
    let ok = seen(IF, "2001:db8:1::5ee:d", Some(pi()));
    assert_eq!(
        feed.confirmed(&ok),
        Some(credit(IF, a("2001:db8:1::5ee:d")))
    );
    assert_eq!(feed.confirmed(&ok), None, "credited once");
    table.add(ok);
}

#[test]
fn an_answer_for_an_address_with_no_mac_yet_is_not_fed() {
    let (mut feed, _inbox, table) = setup();
    let mut x = addresses(&["2001:db8:1::5ee:d"]);
    if let Answer::Addresses(ad) = &mut x {
        ad.asked = a("fe80::99");
    }
    assert!(feed.answers(&[x], &table, Instant::now()).is_empty());
    assert!(feed.claimed.is_empty());
}

#[test]
fn a_local_name_holds_the_window_until_its_addresses_come_or_grace_passes() {
    let (mut feed, _inbox, table) = setup();
    let now = Instant::now();
    feed.answers(
        &[name("Pi.local"), name("pi.local"), name("pi.example.org")],
        &table,
        now,
    );
    assert_eq!(
        feed.holds.len(),
        1,
        "one hold per name, none for a DNS name"
    );
    feed.answers(&[addresses(&[])], &table, now);
    assert!(feed.holds.is_empty(), "the answer releases it");
    feed.answers(&[name("pi.local")], &table, now);
    feed.tick(now + GRACE / 2);
    assert_eq!(feed.holds.len(), 1);
    feed.tick(now + GRACE + Duration::from_millis(1));
    assert!(
        feed.holds.is_empty(),
        "a lookup never answered lets go after GRACE"
    );
}
