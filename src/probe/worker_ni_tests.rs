//! Node Information through the simulated link: the addresses a FreeBSD/macOS-like host
//! never sends from are listed once confirmed with its MAC; forged and stale replies are
//! not trusted.

use super::*;
use crate::model::SeenBy;
use crate::probe::packet;
use crate::probe::packet::nodeinfo;
use crate::probe::packet::ProbeTag;
use crate::probe::sim::{Quirks, SimHost, SimLink};
use std::collections::HashMap;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const TAG: ProbeTag = ProbeTag {
    id: 0x4620,
    cookie: *b"rfc4620!",
};

fn cfg() -> WorkerConfig {
    super::tests::base_config(TAG, Duration::from_millis(300), 2)
}

fn host(last: u8, addrs: &[&str], node_info: bool) -> SimHost {
    SimHost {
        mac: Mac([0x58, 0x9c, 0xfc, 0, 0, last]),
        addrs: addrs.iter().map(|s| a(s)).collect(),
        ignores_multicast_echo: false,
        router_prefixes: None,
        quirks: Quirks {
            node_info,
            ..Quirks::default()
        },
    }
}

/// Per address: how it was seen and the MACs it came with; and the NS targets sent.
type Found = HashMap<Ipv6Addr, (Vec<SeenBy>, Vec<Mac>)>;

fn scan(link: &mut SimLink) -> (WorkerStats, Found, Vec<Ipv6Addr>) {
    let mut found: Found = HashMap::new();
    let (stats, failed) = run(link, &cfg(), &mut |o| {
        if let Observation::Address {
            addr,
            via,
            mac,
            frame_mac,
            ..
        } = o
        {
            let e = found.entry(addr).or_default();
            e.0.push(via);
            e.1.extend(mac.iter().chain(frame_mac.iter()));
        }
    });
    assert!(failed.is_none(), "{failed:?}");
    let asked = link
        .sent
        .iter()
        .filter_map(|(_, _, m, _)| match packet::parse(m) {
            Ok(packet::Icmp::NeighbourSolicit { target, .. }) => Some(target),
            _ => None,
        })
        .collect();
    (stats, found, asked)
}

// FreeBSD-like: a random stable address it never sends from (the temporary one is
// listed first, so the sim answers from it), and an address in a prefix not on the link.
const STABLE: &str = "2001:db8:1::5d2e:8a17:c3f0:4b9e";
const OFF_LINK: &str = "2001:db8:fe::5d2e:8a17:c3f0:4b9e";

fn freebsd(node_info: bool) -> SimHost {
    host(
        1,
        &[
            "fe80::8f3a:1c2d:77e0:9b14",
            "2001:db8:1::e1a9:3b72:c4d5:6f08",
            STABLE,
            OFF_LINK,
        ],
        node_info,
    )
}

#[test]
fn a_node_information_reply_reveals_the_address_a_host_never_sends_from() {
    let bsd = freebsd(true);
    let mut link = SimLink::new(vec![bsd.clone()]).with_virtual_time();
    let (stats, found, asked) = scan(&mut link);
    let (via, macs) = found.get(&a(STABLE)).expect("the stable address is listed");
    assert!(
        via.contains(&SeenBy::NodeInfo) && via.contains(&SeenBy::Ndp),
        "{via:?}"
    );
    assert!(macs.iter().all(|m| *m == bsd.mac) && !macs.is_empty());
    assert!(
        !asked.contains(&a(OFF_LINK)),
        "an off-link address is never probed"
    );
    assert!(!found.contains_key(&a(OFF_LINK)));
    assert_eq!(stats.malformed, 0);
    for qtype in [nodeinfo::QTYPE_NODE_ADDRESSES, nodeinfo::QTYPE_NODE_NAME] {
        assert_eq!(
            queries(&link, qtype),
            [a("ff02::1"), a("fe80::8f3a:1c2d:77e0:9b14")],
            "one multicast query, one unicast to the host that answered our probes"
        );
    }
}

/// Where each Node Information query of `qtype` went.
fn queries(link: &SimLink, qtype: u16) -> Vec<Ipv6Addr> {
    link.sent
        .iter()
        .filter(|(_, _, m, _)| m.first() == Some(&nodeinfo::TYPE_NI_QUERY))
        .filter(|(_, _, m, _)| nodeinfo::qtype(m) == Some(qtype))
        .map(|(dst, _, _, _)| *dst)
        .collect()
}

/// The names passed on, by address, and the counters.
fn names(link: &mut SimLink, cfg: &WorkerConfig) -> (WorkerStats, Vec<(Ipv6Addr, String)>) {
    let mut names = Vec::new();
    let (stats, failed) = run(link, cfg, &mut |o| {
        if let Observation::Name {
            ifindex,
            addr,
            name,
        } = o
        {
            assert_eq!(ifindex, cfg.ifindex);
            names.push((addr, name));
        }
    });
    assert!(failed.is_none(), "{failed:?}");
    (stats, names)
}

#[test]
fn a_node_name_reply_gives_the_replier_its_name_once() {
    let mut bsd = freebsd(true);
    bsd.quirks.node_name = Some("bsd-box.example.org");
    let mut link = SimLink::new(vec![bsd]).with_virtual_time();
    let (stats, names) = names(&mut link, &cfg());
    // Answered to the multicast and the unicast query: passed on once.
    assert_eq!(
        names,
        [(
            a("fe80::8f3a:1c2d:77e0:9b14"),
            "bsd-box.example.org".to_string()
        )]
    );
    assert_eq!(stats.malformed, 0);
}

#[test]
fn no_name_is_asked_when_names_are_off() {
    let mut bsd = freebsd(true);
    bsd.quirks.node_name = Some("bsd-box");
    let mut link = SimLink::new(vec![bsd]).with_virtual_time();
    let mut c = cfg();
    c.node_name = false;
    let (_, names) = names(&mut link, &c);
    assert!(names.is_empty(), "{names:?}");
    assert!(queries(&link, nodeinfo::QTYPE_NODE_NAME).is_empty());
    assert_eq!(queries(&link, nodeinfo::QTYPE_NODE_ADDRESSES).len(), 2);
}

#[test]
fn bad_and_stale_name_replies_give_no_name() {
    let mut link = SimLink::new(vec![host(2, &["fe80::2"], false)]).with_virtual_time();
    let forger = Mac([2, 0xba, 0xd0, 0, 0, 1]);
    let stale = nodeinfo::node_name_reply(*b"othrscan", 0, &["stale"]);
    link.inject_from(a("fe80::bad:1"), forger, 64, stale);
    let mut cut = nodeinfo::node_name_reply(TAG.cookie, 0, &["cut-short"]);
    cut.truncate(24);
    link.inject_from(a("fe80::bad:2"), forger, 64, cut);
    let ours = nodeinfo::node_name_reply(TAG.cookie, 0, &["me"]);
    link.inject_from(a("fe80::100"), forger, 64, ours);
    let mut hidden = nodeinfo::node_name_reply(TAG.cookie, 0, &[]);
    hidden.extend_from_slice(&[4, b'e', b'v', b'i', 0x1b, 0]);
    link.inject_from(a("fe80::bad:3"), forger, 64, hidden);
    let (stats, names) = names(&mut link, &cfg());
    assert!(names.is_empty(), "{names:?}");
    assert_eq!(
        stats.malformed, 2,
        "the cut reply and the one from our address"
    );
}

#[test]
fn a_host_that_does_not_answer_keeps_its_stable_address_hidden() {
    // Linux: no Node Information. The same host is found only by what it sends from.
    let mut link = SimLink::new(vec![freebsd(false)]).with_virtual_time();
    let (_, found, _) = scan(&mut link);
    assert!(!found.contains_key(&a(STABLE)), "{found:?}");
}

#[test]
fn forged_and_stale_replies_are_not_trusted() {
    let victim = host(2, &["fe80::2", "2001:db8:1::77aa:1234:5678:9abc"], false);
    let mut link = SimLink::new(vec![victim.clone()]).with_virtual_time();
    let forger = Mac([2, 0xba, 0xd0, 0, 0, 1]);
    // Right nonce, but it claims the victim's hidden address: the victim answers the NS
    // with its own MAC, so the address is listed (it exists) but not as Node Information.
    let claim =
        nodeinfo::node_addresses_reply(TAG.cookie, false, &[a("2001:db8:1::77aa:1234:5678:9abc")]);
    link.inject_from(a("fe80::bad"), forger, 64, claim);
    // Another scan's nonce: ignored, nothing solicited.
    let stale = nodeinfo::node_addresses_reply(*b"othrscan", false, &[a("2001:db8:1::4444")]);
    link.inject_from(a("fe80::bad:2"), forger, 64, stale);
    // Cut inside an entry.
    let mut cut = nodeinfo::node_addresses_reply(TAG.cookie, false, &[a("fe80::9")]);
    cut.truncate(30);
    link.inject_from(a("fe80::bad:3"), forger, 64, cut);
    let (stats, found, asked) = scan(&mut link);
    let (via, macs) = found
        .get(&a("2001:db8:1::77aa:1234:5678:9abc"))
        .expect("confirmed by its owner");
    assert!(!via.contains(&SeenBy::NodeInfo), "{via:?}");
    assert!(macs.iter().all(|m| *m == victim.mac));
    assert!(!asked.contains(&a("2001:db8:1::4444")));
    assert!(!found.contains_key(&a("fe80::bad:2")) && !found.contains_key(&a("fe80::bad:3")));
    assert_eq!(stats.malformed, 1, "the cut reply");
}
