use super::*;
use crate::output::fixture;

fn answer(addr: &str, name: &str, source: NameSource) -> NameAnswer {
    NameAnswer {
        ifindex: 2,
        addr: addr.parse().unwrap(),
        name: name.into(),
        source,
    }
}

#[derive(Default)]
struct Fake {
    asked: Vec<(u32, Ipv6Addr)>,
    answers: Vec<Answer>,
    deadline: Option<Instant>,
}

impl Resolver for Fake {
    fn ask(&mut self, ifindex: u32, addr: Ipv6Addr) {
        self.asked.push((ifindex, addr));
    }
    fn finish(&mut self, deadline: Instant) -> Vec<Answer> {
        self.deadline = Some(deadline);
        self.answers.clone()
    }
}

#[test]
fn names_spread_over_the_addresses_of_one_mac() {
    let mut r = fixture::report();
    for h in r.interfaces[0]
        .prefixes
        .iter_mut()
        .flat_map(|p| &mut p.hosts)
    {
        h.names.clear();
    }
    let answers = [
        answer(
            "2001:db8:1::ba27:ebff:fe89:bc51",
            "pi.example.org",
            NameSource::Dns,
        ),
        answer("fe80::ba27:ebff:fe89:bc51", "rpi.local", NameSource::Mdns),
        answer("fe80::ba27:ebff:fe89:bc51", "RPI.local", NameSource::Mdns),
        // Another interface's answer does not leak over.
        NameAnswer {
            ifindex: 9,
            ..answer("fe80::1", "elsewhere.local", NameSource::Mdns)
        },
    ];
    let answers: Vec<Answer> = answers.into_iter().map(Answer::from).collect();
    apply(&mut r, &answers);
    let ll = &r.interfaces[0].prefixes[0].hosts;
    assert_eq!(ll[2].names, ["rpi.local", "pi.example.org"]);
    assert!(ll[0].names.is_empty(), "router: {:?}", ll[0].names);
    assert!(ll[1].names.is_empty());
    let global = &r.interfaces[0].prefixes[1].hosts[0];
    assert_eq!(global.names, ["pi.example.org", "rpi.local"]);
}

#[test]
fn a_node_information_name_comes_after_mdns_and_before_dns() {
    let mut r = fixture::report();
    let host = &mut r.interfaces[0].prefixes[0].hosts[2];
    host.names.clear();
    let addr = host.address.to_string();
    let answers: Vec<Answer> = [
        answer(&addr, "pi.example.org", NameSource::Dns),
        answer(&addr, "pi-ni", NameSource::NodeInfo),
        answer(&addr, "rpi.local", NameSource::Mdns),
        answer(&addr, "PI-NI", NameSource::NodeInfo),
    ]
    .into_iter()
    .map(Answer::from)
    .collect();
    apply(&mut r, &answers);
    assert_eq!(
        r.interfaces[0].prefixes[0].hosts[2].names,
        ["rpi.local", "pi-ni", "pi.example.org"]
    );
}

#[test]
fn only_global_unicast_gets_reverse_dns() {
    assert!(wants_dns("2001:db8::1".parse().unwrap()));
    assert!(!wants_dns("fe80::1".parse().unwrap()));
    assert!(!wants_dns("fd00::1".parse().unwrap()));
    assert!(!wants_dns("ff02::1".parse().unwrap()));
}

#[test]
fn deadline_is_grace_after_the_last_question_never_in_the_past() {
    let now = Instant::now();
    let g = Duration::from_millis(150);
    assert_eq!(deadline(now, None, g), now);
    assert_eq!(deadline(now, Some(now), g), now + g);
    let early = now.checked_sub(Duration::from_secs(1)).unwrap();
    assert_eq!(deadline(now, Some(early), g), now);
}

#[test]
fn asker_asks_once_never_for_our_own_and_within_the_limit() {
    let mut fake = Fake {
        answers: vec![answer("fe80::1", "rtr.local", NameSource::Mdns).into()],
        ..Fake::default()
    };
    let own: Ipv6Addr = "fe80::100".parse().unwrap();
    let mut asker = Asker::new(&mut fake, [own].into(), 3);
    for a in [
        "fe80::1",
        "fe80::1",
        "fe80::100",
        "fe80::2",
        "fe80::3",
        "fe80::4",
    ] {
        asker.ask(2, a.parse().unwrap());
    }
    let got = asker.finish();
    assert_eq!(got.len(), 1);
    let asked: Vec<String> = fake.asked.iter().map(|(_, a)| a.to_string()).collect();
    assert_eq!(asked, ["fe80::1", "fe80::2", "fe80::3"]);
    assert!(fake.deadline.is_some());
}

#[test]
fn nothing_asked_means_no_wait() {
    let mut fake = Fake::default();
    let asker = Asker::new(&mut fake, BTreeSet::new(), 10);
    assert!(asker.finish().is_empty());
    assert!(fake.deadline.is_none());
}
