//! Names through the whole pipeline on simulated links: the name a host gives in its
//! Node Information reply lands on its rows like a looked-up one.

use super::*;
use crate::mac::Mac;
use crate::names::{Answer, NameAnswer, NameSource, Resolver};
use crate::probe::packet::nodeinfo;
use crate::probe::sim::{Quirks, SimHost, SimLink};
use std::net::Ipv6Addr;
use std::time::Duration;

const BSD_MAC: Mac = Mac([0x58, 0x9c, 0xfc, 0, 0, 1]);
const BSD_LL: &str = "fe80::8f3a:1c2d:77e0:9b14";

/// A FreeBSD-like host that answers Node Information with its name, and a Linux one
/// that does not.
fn link() -> SimLink {
    let bsd = SimHost {
        mac: BSD_MAC,
        addrs: vec![a(BSD_LL), a("2001:db8:1::5d2e:8a17:c3f0:4b9e")],
        ignores_multicast_echo: false,
        router_prefixes: None,
        quirks: Quirks {
            node_info: true,
            node_name: Some("bsd-box.example.org."),
            ..Quirks::default()
        },
    };
    let linux = SimHost {
        mac: Mac([0xb8, 0x27, 0xeb, 0, 0, 2]),
        addrs: vec![a("fe80::2")],
        ignores_multicast_echo: false,
        router_prefixes: None,
        quirks: Quirks::default(),
    };
    SimLink::new(vec![bsd, linux])
}

/// A resolver whose mDNS responder names the FreeBSD host's link-local address.
struct Mdns;
impl Resolver for Mdns {
    fn ask(&mut self, _ifindex: u32, _addr: Ipv6Addr) {}
    fn finish(&mut self, _deadline: std::time::Instant) -> Vec<Answer> {
        vec![Answer::Name(NameAnswer {
            ifindex: 2,
            addr: a(BSD_LL),
            name: "bsd.local".into(),
            source: NameSource::Mdns,
        })]
    }
}

fn opts(names: bool) -> ScanConfig {
    ScanConfig {
        wait: Duration::from_millis(150),
        rounds: 2,
        names,
        ..ScanConfig::default()
    }
}

/// Each row's address, MAC and names.
fn rows(report: &Report) -> Vec<(Ipv6Addr, Option<Mac>, Vec<String>)> {
    report.interfaces[0]
        .prefixes
        .iter()
        .flat_map(|p| &p.hosts)
        .map(|h| (h.address, h.mac, h.names.clone()))
        .collect()
}

#[test]
fn a_node_name_lands_on_every_row_of_its_hosts_mac_after_mdns() {
    let mut resolver = Mdns;
    let mut links = [(iface("eth0", 2, &["fe80::100", "2001:db8:1::100"]), link())];
    let report = scan_links_with(
        &mut links,
        &opts(true),
        None,
        ScanHooks {
            resolver: Some(&mut resolver),
            ..ScanHooks::default()
        },
        &mut |w| panic!("{w}"),
    );
    let rows = rows(&report);
    let bsd: Vec<_> = rows.iter().filter(|r| r.1 == Some(BSD_MAC)).collect();
    assert_eq!(bsd.len(), 2, "{rows:?}");
    for (addr, _, names) in bsd {
        // As the host gave it, without the final dot, after the mDNS name.
        assert_eq!(names, &["bsd.local", "bsd-box.example.org"], "{addr}");
    }
    for (addr, _, names) in rows.iter().filter(|r| r.1 != Some(BSD_MAC)) {
        assert!(names.is_empty(), "{addr}: {names:?}");
    }
}

#[test]
fn names_off_ask_no_node_name() {
    let mut links = [(iface("eth0", 2, &["fe80::100", "2001:db8:1::100"]), link())];
    let report = scan_links(&mut links, &opts(false), None, &mut |w| panic!("{w}"));
    assert!(rows(&report).iter().all(|r| r.2.is_empty()), "{report:?}");
    let asked = links[0]
        .1
        .sent
        .iter()
        .filter(|s| s.2.first() == Some(&nodeinfo::TYPE_NI_QUERY))
        .filter(|s| nodeinfo::qtype(&s.2) == Some(nodeinfo::QTYPE_NODE_NAME))
        .count();
    assert_eq!(asked, 0);
}
