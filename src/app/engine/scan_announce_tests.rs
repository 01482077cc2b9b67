//! What hosts announce over mDNS, through the whole scan on a simulated link: announced
//! addresses are solicited while the window is open and credited only with the host's MAC.

use super::*;
use crate::model::SeenBy;
use crate::names::{Addresses, Answer, NameAnswer, NameSource, Resolver, Services};

/// Answers the first question about `fe80::2` with a name, then (at the next poll) that
/// name's addresses and the services of the responder at fe80::2.
#[derive(Default)]
struct Responder {
    v6: Vec<Ipv6Addr>,
    asked_pi: bool,
    polls: u32,
}

impl Resolver for Responder {
    fn ask(&mut self, _ifindex: u32, addr: Ipv6Addr) {
        self.asked_pi |= addr == a("fe80::2");
    }
    fn poll(&mut self) -> Vec<Answer> {
        if !self.asked_pi {
            return Vec::new();
        }
        self.polls += 1;
        match self.polls {
            1 => vec![Answer::Name(NameAnswer {
                ifindex: 2,
                addr: a("fe80::2"),
                name: "h02.local".into(),
                source: NameSource::Mdns,
            })],
            2 => vec![
                Answer::Addresses(Addresses {
                    ifindex: 2,
                    asked: a("fe80::2"),
                    name: "h02.local".into(),
                    v6: self.v6.clone(),
                    v4: Vec::new(),
                }),
                Answer::Services(Services {
                    ifindex: 2,
                    asked: a("fe80::2"),
                    services: vec!["_ssh._tcp".into()],
                }),
            ],
            _ => Vec::new(),
        }
    }
    fn finish(&mut self, _deadline: std::time::Instant) -> Vec<Answer> {
        Vec::new()
    }
}

fn scan(v6: &[&str]) -> Report {
    // Host 2 answers every probe from 2001:db8:1::aaaa, never from its stable ::5ee:d (the
    // simulated host answers from its first address of the prober's scope); host 3 is
    // another device.
    let link = SimLink::new(vec![
        host(2, false, &["2001:db8:1::aaaa", "2001:db8:1::5ee:d"]),
        host(3, false, &["2001:db8:1::3"]),
    ]);
    let mut r = Responder {
        v6: v6.iter().map(|s| a(s)).collect(),
        ..Responder::default()
    };
    scan_links_with(
        &mut [(iface("eth0", 2, &["fe80::100", "2001:db8:1::100"]), link)],
        &opts(),
        None,
        ScanHooks {
            resolver: Some(&mut r),
            observer: None,
            recall: None,
            first: None,
            sure: None,
        },
        &mut |w| panic!("{w}"),
    )
}

fn row<'a>(r: &'a Report, addr: &str) -> Option<&'a crate::report::HostRow> {
    r.interfaces[0]
        .prefixes
        .iter()
        .flat_map(|p| &p.hosts)
        .find(|h| h.address == a(addr))
}

#[test]
fn the_stable_address_a_host_announces_is_solicited_and_credited() {
    let r = scan(&["2001:db8:1::5ee:d", "2001:db8:77::5"]);
    let stable = row(&r, "2001:db8:1::5ee:d").expect("the stable address is listed");
    assert_eq!(stable.mac, Some(Mac([0xb8, 0x27, 0xeb, 0, 0, 2])));
    assert!(
        stable.seen_by.contains(&SeenBy::Mdns),
        "{:?}",
        stable.seen_by
    );
    assert!(
        row(&r, "2001:db8:77::5").is_none(),
        "off-link: never probed"
    );
    for h in r.interfaces[0].prefixes.iter().flat_map(|p| &p.hosts) {
        let pi = h.mac == stable.mac;
        assert_eq!(h.announced == [a("2001:db8:77::5")], pi, "{}", h.address);
        assert_eq!(h.services == ["_ssh._tcp"], pi, "{}", h.address);
    }
}

#[test]
fn an_address_another_device_answers_for_is_not_credited_to_the_announcer() {
    let r = scan(&["2001:db8:1::3"]);
    let other = row(&r, "2001:db8:1::3").unwrap();
    assert_eq!(other.mac, Some(Mac([0xb8, 0x27, 0xeb, 0, 0, 3])));
    assert!(
        !other.seen_by.contains(&SeenBy::Mdns),
        "{:?}",
        other.seen_by
    );
}

#[test]
fn without_the_announcement_the_stable_address_stays_hidden() {
    let r = scan(&[]);
    assert!(row(&r, "2001:db8:1::aaaa").is_some());
    assert!(row(&r, "2001:db8:1::5ee:d").is_none());
}
