//! Known interface IDs tried in every other prefix, through the simulated link: the
//! addresses a host never answers from are found by the ID it uses elsewhere.

use super::*;
use crate::model::SeenBy;
use crate::probe::packet;
use crate::probe::packet::ProbeTag;
use crate::probe::sim::{Quirks, SimHost, SimLink};
use std::collections::HashMap;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn cfg() -> WorkerConfig {
    let tag = ProbeTag {
        id: 0x1d5,
        cookie: *b"ids-ids!",
    };
    super::tests::base_config(tag, Duration::from_millis(300), 2)
}

fn host(last: u8, addrs: &[&str]) -> SimHost {
    SimHost {
        mac: Mac([0x2c, 0xcf, 0x67, 0, 0, last]),
        addrs: addrs.iter().map(|s| a(s)).collect(),
        ignores_multicast_echo: false,
        router_prefixes: None,
        quirks: Quirks::default(),
    }
}

/// The addresses reported with a MAC, and that MAC.
fn confirmed(link: &mut SimLink, cfg: &WorkerConfig) -> HashMap<Ipv6Addr, (Mac, SeenBy)> {
    let mut out = HashMap::new();
    let (_, failed) = run(link, cfg, &mut |o| {
        if let Observation::Address {
            addr,
            via,
            mac: Some(mac),
            ..
        } = o
        {
            out.insert(addr, (mac, via));
        }
    });
    assert!(failed.is_none(), "{failed:?}");
    out
}

#[test]
fn a_stable_address_behind_a_temporary_one_is_found_by_its_link_local_id() {
    // Windows-like: the stable global address reuses the link-local ID; the host answers
    // from its temporary address (listed first, so the sim answers from it).
    let win = host(
        1,
        &[
            "fe80::1c2b:3a4d:5e6f:7081",
            "2001:db8:1::9d3e:11aa:2b4c:f00d",
            "2001:db8:1::1c2b:3a4d:5e6f:7081",
        ],
    );
    // A manual ::10 in the global prefix, answering from a temporary address.
    let manual = host(
        2,
        &["fe80::10", "2001:db8:1::77e2:1234:abcd:1", "2001:db8:1::10"],
    );
    let mut link = SimLink::new(vec![win.clone(), manual.clone()]).with_virtual_time();
    let got = confirmed(&mut link, &cfg());
    for (h, stable) in [
        (&win, "2001:db8:1::1c2b:3a4d:5e6f:7081"),
        (&manual, "2001:db8:1::10"),
    ] {
        assert_eq!(
            got.get(&a(stable)),
            Some(&(h.mac, SeenBy::Ndp)),
            "{stable} in {got:?}"
        );
    }
}

#[test]
fn an_advertised_prefix_gets_every_known_id_and_random_ids_stay_home() {
    let mut router = host(9, &["fe80::1"]);
    router.router_prefixes = Some(vec![(a("2001:db8:77::"), 64)]);
    let eui = host(
        3,
        &[
            "fe80::2ccf:67ff:fe00:3",
            "2001:db8:1::2ccf:67ff:fe00:3",
            "2001:db8:77::2ccf:67ff:fe00:3",
        ],
    );
    // A random global ID: its twin in the other prefix would not exist, and is not tried.
    let random = host(4, &["fe80::4", "2001:db8:1::5a5a:1234:9876:4321"]);
    let mut link = SimLink::new(vec![router.clone(), eui.clone(), random]).with_virtual_time();
    let got = confirmed(&mut link, &cfg());
    assert_eq!(
        got.get(&a("2001:db8:77::2ccf:67ff:fe00:3")),
        Some(&(eui.mac, SeenBy::Ndp))
    );
    let asked: Vec<Ipv6Addr> = link
        .sent
        .iter()
        .filter_map(|(_, _, m, _)| match packet::parse(m) {
            Ok(packet::Icmp::NeighbourSolicit { target, .. }) => Some(target),
            _ => None,
        })
        .collect();
    assert!(asked.contains(&a("2001:db8:77::4")), "::4 of fe80::4");
    assert!(!asked.contains(&a("2001:db8:77::5a5a:1234:9876:4321")));
}
