//! The mDNS lookups on bytes: the questions sent, and what each answer tells.

use super::*;
use simple_dns::rdata::{self, RData};
use simple_dns::{Name, Packet, PacketFlag, ResourceRecord, CLASS};
use std::cell::RefCell;
use std::net::Ipv4Addr;

/// Records what would go out; refuses to send while `down`.
#[derive(Default)]
struct Wire {
    sent: RefCell<Vec<(Vec<u8>, SocketAddrV6)>>,
    down: bool,
}

impl MdnsSend for Wire {
    fn send_to(&self, msg: &[u8], dest: SocketAddrV6) -> bool {
        if !self.down {
            self.sent.borrow_mut().push((msg.to_vec(), dest));
        }
        !self.down
    }
}

impl Wire {
    fn take(&self) -> Vec<(Vec<u8>, SocketAddrV6)> {
        self.sent.take()
    }
}

const IF: u32 = 3;

fn ll(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// A responder on interface `IF`.
fn responder() -> SocketAddrV6 {
    SocketAddrV6::new(ll("fe80::ba27:ebff:fe89:bc51"), MDNS_PORT, 0, IF)
}

fn ptr(target: &str) -> RData<'_> {
    RData::PTR(rdata::PTR(Name::new_unchecked(target)))
}

fn aaaa(a: Ipv6Addr) -> RData<'static> {
    RData::AAAA(rdata::AAAA {
        address: u128::from(a),
    })
}

fn a4(a: Ipv4Addr) -> RData<'static> {
    RData::A(rdata::A {
        address: u32::from(a),
    })
}

/// A response with message id `id` and these `(owner, record)` answers.
fn response(id: u16, records: Vec<(&str, RData<'_>)>) -> Vec<u8> {
    let mut p = Packet::new_reply(id);
    p.set_flags(PacketFlag::AUTHORITATIVE_ANSWER);
    for (owner, rd) in records {
        p.answers.push(ResourceRecord::new(
            Name::new_unchecked(owner),
            CLASS::IN,
            120,
            rd,
        ));
    }
    p.build_bytes_vec().unwrap()
}

fn name_answer(addr: Ipv6Addr, name: &str) -> Heard {
    Heard::Answer(Answer::Name(NameAnswer {
        ifindex: IF,
        addr,
        name: name.to_string(),
        source: NameSource::Mdns,
    }))
}

#[test]
fn a_name_question_is_a_ptr_query_to_the_group_on_its_interface() {
    let wire = Wire::default();
    let mut m = Mdns::new(0x1234);
    let addr = ll("fe80::1");
    assert!(m.ask_name(&wire, IF, addr));
    assert!(m.ask_name(&wire, IF, addr));
    let sent = wire.take();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].0, dns::ptr_query(0x1234, addr));
    assert_eq!(
        sent[1].0,
        dns::ptr_query(0x1235, addr),
        "each question its own id"
    );
    let group: SocketAddrV6 = "[ff02::fb]:5353".parse().unwrap();
    assert_eq!(sent[0].1, SocketAddrV6::new(*group.ip(), 5353, 0, IF));
}

#[test]
fn ids_wrap_around() {
    let wire = Wire::default();
    let mut m = Mdns::new(u16::MAX);
    m.ask_name(&wire, IF, ll("fe80::1"));
    m.ask_name(&wire, IF, ll("fe80::2"));
    let sent = wire.take();
    assert_eq!(&sent[0].0[..2], &[0xff, 0xff]);
    assert_eq!(&sent[1].0[..2], &[0, 0]);
}

#[test]
fn a_name_found_is_an_answer_starts_its_forward_lookup_and_settles_the_question() {
    let wire = Wire::default();
    let mut m = Mdns::new(7);
    let addr = ll("fe80::ba27:ebff:fe89:bc51");
    m.ask_name(&wire, IF, addr);
    wire.take();
    let owner = dns::reverse_name(addr);
    let msg = response(7, vec![(owner.as_str(), ptr("pi-one.local"))]);
    assert_eq!(
        m.receive(&wire, &msg, responder()),
        vec![Heard::Asked, name_answer(addr, "pi-one.local"), Heard::Done]
    );
    let sent = wire.take();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, dns::host_query(8, "pi-one.local").unwrap());
    assert_eq!(sent[0].1, group(IF));
    // A responder may answer twice: the second changes nothing.
    assert_eq!(m.receive(&wire, &msg, responder()), Vec::new());
    assert!(wire.take().is_empty());
}

#[test]
fn the_forward_answer_gives_the_name_s_addresses() {
    let wire = Wire::default();
    let mut m = Mdns::new(7);
    let addr = ll("fe80::ba27:ebff:fe89:bc51");
    m.ask_name(&wire, IF, addr);
    let owner = dns::reverse_name(addr);
    m.receive(
        &wire,
        &response(7, vec![(owner.as_str(), ptr("pi-one.local"))]),
        responder(),
    );
    let global = ll("2001:db8::ba27:ebff:fe89:bc51");
    let v4 = Ipv4Addr::new(192, 0, 2, 7);
    let msg = response(
        8,
        vec![
            ("pi-one.local", aaaa(addr)),
            ("pi-one.local", aaaa(global)),
            ("pi-one.local", a4(v4)),
            ("other.local", aaaa(ll("2001:db8::99"))),
        ],
    );
    assert_eq!(
        m.receive(&wire, &msg, responder()),
        vec![
            Heard::Answer(Answer::Addresses(Addresses {
                ifindex: IF,
                asked: addr,
                name: "pi-one.local".into(),
                v6: vec![addr, global],
                v4: vec![v4],
            })),
            Heard::Done
        ]
    );
}

#[test]
fn answers_count_only_from_the_mdns_port_the_question_s_interface_and_its_id() {
    let wire = Wire::default();
    let mut m = Mdns::new(7);
    let addr = ll("fe80::1");
    m.ask_name(&wire, IF, addr);
    let owner = dns::reverse_name(addr);
    let msg = response(7, vec![(owner.as_str(), ptr("router.local"))]);
    let from = responder();
    let other_port = SocketAddrV6::new(*from.ip(), 5354, 0, IF);
    let other_iface = SocketAddrV6::new(*from.ip(), MDNS_PORT, 0, IF + 1);
    assert_eq!(m.receive(&wire, &msg, other_port), Vec::new());
    assert_eq!(m.receive(&wire, &msg, other_iface), Vec::new());
    let other_id = response(99, vec![(owner.as_str(), ptr("router.local"))]);
    assert_eq!(m.receive(&wire, &other_id, from), Vec::new());
    // Not an answer to what was asked: a name for another address.
    let elsewhere = dns::reverse_name(ll("fe80::2"));
    let wrong = response(7, vec![(elsewhere.as_str(), ptr("x.local"))]);
    assert_eq!(m.receive(&wire, &wrong, from), Vec::new());
    // Garbage, and our own question looped back.
    assert_eq!(m.receive(&wire, &[0xff; 40], from), Vec::new());
    assert_eq!(m.receive(&wire, &dns::ptr_query(7, addr), from), Vec::new());
    // The question is still open: the right answer counts.
    assert_eq!(
        m.receive(&wire, &msg, from),
        vec![Heard::Asked, name_answer(addr, "router.local"), Heard::Done]
    );
    // A global source carries no interface: it is taken by id alone.
    let mut m = Mdns::new(7);
    m.ask_name(&wire, IF, addr);
    let global = SocketAddrV6::new(ll("2001:db8::1"), MDNS_PORT, 0, 0);
    assert_eq!(m.receive(&wire, &msg, global).len(), 3);
}

#[test]
fn a_question_that_did_not_go_out_is_not_waited_for() {
    let wire = Wire {
        down: true,
        ..Wire::default()
    };
    let mut m = Mdns::new(7);
    let addr = ll("fe80::1");
    assert!(!m.ask_name(&wire, IF, addr));
    let owner = dns::reverse_name(addr);
    let msg = response(7, vec![(owner.as_str(), ptr("router.local"))]);
    assert_eq!(m.receive(&wire, &msg, responder()), Vec::new());
}

#[test]
fn names_that_are_not_local_or_not_printable() {
    let wire = Wire::default();
    let mut m = Mdns::new(7);
    let addr = ll("fe80::1");
    m.ask_name(&wire, IF, addr);
    wire.take();
    let owner = dns::reverse_name(addr);
    let msg = response(
        7,
        vec![
            (owner.as_str(), ptr("router.example.org")),
            (owner.as_str(), ptr("bad_name!.local")),
        ],
    );
    assert_eq!(
        m.receive(&wire, &msg, responder()),
        vec![name_answer(addr, "router.example.org"), Heard::Done],
        "not .local: no forward lookup; not printable: dropped"
    );
    assert!(wire.take().is_empty());
}

#[test]
fn each_name_is_looked_up_forward_once_per_interface_and_at_most_max_forward() {
    let wire = Wire::default();
    let mut m = Mdns::new(0);
    let mut asked = 0;
    for i in 0..(MAX_FORWARD as u16 + 10) {
        let addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, i + 1);
        let id = m.next_id;
        m.ask_name(&wire, IF, addr);
        let owner = dns::reverse_name(addr);
        // Every address gets a name of its own, and the first a second time in capitals.
        let name = format!("host-{i}.local");
        let msg = response(
            id,
            vec![
                (owner.as_str(), ptr(&name)),
                (owner.as_str(), ptr("HOST-0.local")),
            ],
        );
        asked += m
            .receive(&wire, &msg, responder())
            .iter()
            .filter(|h| **h == Heard::Asked)
            .count();
    }
    assert_eq!(asked, MAX_FORWARD);
    assert_eq!(m.forwarded.len(), MAX_FORWARD);
}

#[test]
fn addresses_of_a_name_are_bounded() {
    let wire = Wire::default();
    let mut m = Mdns::new(7);
    let addr = ll("fe80::1");
    m.ask_name(&wire, IF, addr);
    let owner = dns::reverse_name(addr);
    m.receive(
        &wire,
        &response(7, vec![(owner.as_str(), ptr("many.local"))]),
        responder(),
    );
    let records: Vec<_> = (0..(MAX_ADDRESSES as u16 + 8))
        .flat_map(|i| {
            [
                (
                    "many.local",
                    aaaa(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, i)),
                ),
                ("many.local", a4(Ipv4Addr::new(192, 0, 2, i as u8))),
            ]
        })
        .collect();
    let heard = m.receive(&wire, &response(8, records), responder());
    let Some(Heard::Answer(Answer::Addresses(a))) = heard.first() else {
        panic!("{heard:?}")
    };
    assert_eq!((a.v6.len(), a.v4.len()), (MAX_ADDRESSES, MAX_ADDRESSES));
}

#[test]
fn every_responder_answers_the_browse_which_stays_open() {
    let wire = Wire::default();
    let mut m = Mdns::new(40);
    m.browse(&wire, IF);
    let sent = wire.take();
    assert_eq!(sent, vec![(dns::services_query(40), group(IF))]);
    let types: Vec<String> = (0..(MAX_SERVICES + 5))
        .map(|i| format!("_s{i:02}._tcp.local"))
        .collect();
    let mut records: Vec<_> = types.iter().map(|t| (dns::SERVICES, ptr(t))).collect();
    records.push((dns::SERVICES, ptr("_ssh._tcp.local")));
    records.push((dns::SERVICES, ptr("_ssh._tcp.local")));
    records.push((dns::SERVICES, ptr("not a service")));
    let msg = response(40, records);
    let heard = m.receive(&wire, &msg, responder());
    let [Heard::Answer(Answer::Services(s))] = heard.as_slice() else {
        panic!("{heard:?}")
    };
    assert_eq!(s.ifindex, IF);
    assert_eq!(
        s.asked,
        *responder().ip(),
        "the responder answers for itself"
    );
    assert_eq!(s.services.len(), MAX_SERVICES);
    assert!(
        s.services.windows(2).all(|w| w[0] < w[1]),
        "sorted, no repeats"
    );
    // Another responder answers the same question: still taken, never a Done.
    let second = SocketAddrV6::new(ll("fe80::2"), MDNS_PORT, 0, IF);
    let msg = response(40, vec![(dns::SERVICES, ptr("_ipp._tcp.local"))]);
    assert_eq!(
        m.receive(&wire, &msg, second),
        vec![Heard::Answer(Answer::Services(Services {
            ifindex: IF,
            asked: *second.ip(),
            services: vec!["_ipp._tcp".into()],
        }))]
    );
}
