use super::*;
use crate::iface::IfAddr;
use crate::model::Observation;
use crate::neigh::{NeighEntry, NeighState};
use crate::oui;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]);
const RTR: Mac = Mac([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca]);
const PRIV: Mac = Mac([0x4a, 0xa2, 0x12, 0xc2, 0x16, 0xdf]);

fn eth0() -> Interface {
    Interface {
        name: "eth0".into(),
        index: 2,
        mac: Some(Mac([2, 0, 0x5e, 0x10, 0, 1])),
        up: true,
        multicast: true,
        loopback: false,
        addrs: vec![
            IfAddr {
                addr: a("fe80::100"),
                prefix_len: 64,
            },
            IfAddr {
                addr: a("2001:db8:1::100"),
                prefix_len: 64,
            },
            IfAddr {
                addr: a("fd00:1::100"),
                prefix_len: 64,
            },
        ],
    }
}

fn obs(addr: &str, via: SeenBy, mac: Option<Mac>, router: bool) -> Observation {
    Observation::Address {
        ifindex: 2,
        addr: a(addr),
        via,
        mac,
        frame_mac: None,
        rtt: None,
        router,
    }
}

fn table() -> HostTable {
    let mut t = HostTable::new(100);
    for o in [
        obs("fe80::ba27:ebff:fe89:bc51", SeenBy::Echo, None, false),
        obs("fe80::ba27:ebff:fe89:bc51", SeenBy::Ndp, Some(PI), false),
        obs(
            "2001:db8:1::ba27:ebff:fe89:bc51",
            SeenBy::Echo,
            Some(PI),
            false,
        ),
        obs("fd00:1::7", SeenBy::Echo, Some(PRIV), false),
        obs("fe80::1", SeenBy::Ra, Some(RTR), true),
        obs("2001:db8:1::1", SeenBy::Echo, Some(RTR), false),
        obs("2001:db8:99::20", SeenBy::Echo, Some(PRIV), false),
        obs("2001:db8:77::5", SeenBy::Echo, None, false),
        obs("fe80::100", SeenBy::Echo, None, false),
        obs(
            "fe80::4aa2:12ff:fec2:16df",
            SeenBy::ParamProblem,
            Some(PRIV),
            false,
        ),
    ] {
        t.add(o);
    }
    t.add(Observation::Prefix {
        ifindex: 2,
        prefix: Ipv6Prefix::new(a("2001:db8:99::"), 64),
    });
    t.add(Observation::Prefix {
        ifindex: 2,
        prefix: Ipv6Prefix::new(a("2001:db8:1::"), 64),
    });
    t
}

fn layout(r: &IfaceReport) -> Vec<(String, &'static str, Vec<String>)> {
    r.prefixes
        .iter()
        .map(|g| {
            (
                g.prefix.to_string(),
                g.source.as_str(),
                g.hosts.iter().map(|h| h.scoped.clone()).collect(),
            )
        })
        .collect()
}

#[test]
fn groups_by_prefix_in_display_order() {
    let r = group_interface(&eth0(), table().ifaces.get(&2), GroupOptions::default());
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        layout(&r),
        vec![
            (
                "fe80::/64".into(),
                "interface",
                s(&[
                    "fe80::1%eth0",
                    "fe80::4aa2:12ff:fec2:16df%eth0",
                    "fe80::ba27:ebff:fe89:bc51%eth0"
                ])
            ),
            (
                "2001:db8:1::/64".into(),
                "interface",
                s(&["2001:db8:1::1", "2001:db8:1:0:ba27:ebff:fe89:bc51"])
            ),
            ("2001:db8:77::/64".into(), "reply", s(&["2001:db8:77::5"])),
            ("2001:db8:99::/64".into(), "ra", s(&["2001:db8:99::20"])),
            ("fd00:1::/64".into(), "interface", s(&["fd00:1::7"])),
        ]
    );
}

#[test]
fn router_mark_follows_the_mac_and_self_is_hidden() {
    let r = group_interface(&eth0(), table().ifaces.get(&2), GroupOptions::default());
    let rows: Vec<&HostRow> = r.prefixes.iter().flat_map(|g| &g.hosts).collect();
    let find = |s: &str| rows.iter().find(|h| h.address == a(s)).unwrap();
    assert!(find("fe80::1").router);
    assert!(find("2001:db8:1::1").router, "same MAC as the RA sender");
    assert!(!find("fd00:1::7").router);
    assert!(rows.iter().all(|h| h.address != a("fe80::100")));
    assert_eq!(
        find("fe80::4aa2:12ff:fec2:16df").vendor,
        oui::Vendor::Private
    );
}

#[test]
fn include_self_and_link_local_only() {
    let opts = GroupOptions {
        include_self: true,
        link_local_only: true,
    };
    let r = group_interface(&eth0(), table().ifaces.get(&2), opts);
    assert_eq!(r.prefixes.len(), 1);
    let me = r.prefixes[0].hosts.iter().find(|h| h.is_self).unwrap();
    assert_eq!(me.scoped, "fe80::100%eth0");
    assert_eq!(
        r.prefixes[0]
            .hosts
            .iter()
            .filter(|h| h.address == a("fe80::100"))
            .count(),
        1
    );
}

#[test]
fn stale_rows_keep_their_mark() {
    let mut t = table();
    let stale = NeighEntry {
        ifindex: 2,
        addr: a("fe80::dead:beef"),
        mac: Some(PRIV),
        state: NeighState::Stale,
        router: false,
    };
    t.merge_cache(&[stale], true);
    let r = group_interface(&eth0(), t.ifaces.get(&2), GroupOptions::default());
    let row = r.prefixes[0]
        .hosts
        .iter()
        .find(|h| h.address == a("fe80::dead:beef"))
        .unwrap();
    assert!(row.stale && !is_live(row));
}

#[test]
fn interface_without_answers_has_no_groups() {
    let r = group(&HostTable::new(10), &[eth0()], GroupOptions::default());
    assert_eq!(r.len(), 1);
    assert!(r[0].prefixes.is_empty());
}

#[test]
fn routers_keep_their_last_advert_sorted_and_bounded() {
    use crate::router::Advert;
    let ra = |addr: &str, lifetime: u16, mac: Option<Mac>| Observation::Router {
        ifindex: 2,
        addr: a(addr),
        mac,
        advert: Box::new(Advert {
            router_lifetime: lifetime,
            ..Advert::default()
        }),
    };
    let mut t = HostTable::new(2);
    t.add(ra("fe80::9", 1800, Some(RTR)));
    t.add(ra("fe80::1", 600, Some(PI)));
    // The same router again, its MAC now unknown: the last advert, the MAC kept.
    t.add(ra("fe80::9", 0, None));
    // Over the limit: dropped and counted.
    t.add(ra("fe80::5", 1800, None));
    assert_eq!(t.dropped_over_limit, 1);
    let r = group_interface(&eth0(), t.ifaces.get(&2), GroupOptions::default());
    let got: Vec<_> = r
        .routers
        .iter()
        .map(|r| (r.address, r.mac, r.adverts, r.advert.router_lifetime))
        .collect();
    assert_eq!(
        got,
        [
            (a("fe80::1"), Some(PI), 1, 600),
            (a("fe80::9"), Some(RTR), 2, 0)
        ]
    );
}

#[test]
fn an_address_two_macs_answered_for_is_listed_under_each() {
    let mut t = HostTable::new(100);
    for (mac, o) in [(PI, true), (PRIV, true)] {
        t.add(obs("2001:db8:1::5", SeenBy::Ndp, Some(mac), false));
        t.add(Observation::Claim {
            ifindex: 2,
            addr: a("2001:db8:1::5"),
            mac,
            via: crate::model::ClaimVia::Advert {
                override_flag: o,
                router: false,
            },
        });
    }
    let r = group_interface(&eth0(), t.ifaces.get(&2), GroupOptions::default());
    let rows: Vec<_> = r.prefixes[0]
        .hosts
        .iter()
        .map(|h| (h.address, h.mac, h.vendor.name()))
        .collect();
    assert_eq!(
        rows,
        [
            (a("2001:db8:1::5"), Some(PRIV), None),
            (a("2001:db8:1::5"), Some(PI), oui::lookup(PI).name()),
        ]
    );
    assert_eq!(r.alerts.len(), 1);
    assert_eq!(r.alerts[0].kind.as_str(), "duplicate-address");
}

#[test]
fn an_ra_source_option_does_not_rename_a_host_its_na_confirmed() {
    let mut t = HostTable::new(100);
    t.add(obs(
        "fe80::ba27:ebff:fe89:bc51",
        SeenBy::Ndp,
        Some(PI),
        false,
    ));
    // A forged RA from the Pi's address, with another MAC in its source option.
    t.add(obs(
        "fe80::ba27:ebff:fe89:bc51",
        SeenBy::Ra,
        Some(PRIV),
        true,
    ));
    let e = &t.ifaces[&2].addrs[&a("fe80::ba27:ebff:fe89:bc51")];
    assert_eq!(e.mac, Some(PI));
}
