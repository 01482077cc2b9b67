use super::codec;
use super::fixture::{mac, t};
use super::*;
use crate::model::{IidKind, Ipv6Prefix, SeenBy};
use crate::query::Query;
use crate::report::{
    HostRow, IfaceReport, Ipv4OnlyHost, PrefixGroup, PrefixSource, Report, ScanStats,
};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]);
const PRIV: Mac = Mac([0x4a, 0xa2, 0x12, 0xc2, 0x16, 0xdf]);

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn row(addr: &str, m: Option<Mac>, seen: &[SeenBy]) -> HostRow {
    let mut r = HostRow::new(a(addr), "eth0", m);
    r.seen_by = seen.to_vec();
    r
}

fn report(interfaces: Vec<IfaceReport>) -> Report {
    Report {
        started: t(0),
        duration: Duration::from_secs(1),
        interfaces,
        stats: ScanStats::default(),
        ports_checked: None,
    }
}

fn group(prefix: &str, hosts: Vec<HostRow>) -> PrefixGroup {
    PrefixGroup {
        prefix: Ipv6Prefix::new(a(prefix), 64),
        source: PrefixSource::Interface,
        hosts,
    }
}

#[test]
fn sightings_are_the_confirmed_devices_of_a_report() {
    let eth_mac = Mac([2, 0, 0, 0, 0, 0xe]);
    let mut pi_ll = row("fe80::ba27:ebff:fe89:bc51", Some(PI), &[SeenBy::Echo]);
    pi_ll.names = vec!["pi.local".into()];
    let mut pi_global = row("2001:db8::ba27:ebff:fe89:bc51", Some(PI), &[SeenBy::Ndp]);
    pi_global.router = true;
    pi_global.ipv4 = vec!["192.168.1.5".parse().unwrap()];
    pi_global.names = vec!["pi.local".into(), "pi.lan".into()];
    let mut me = row("fe80::1", Some(PRIV), &[SeenBy::Echo]);
    me.is_self = true;
    let mut stale = row(
        "fe80::2",
        Some(Mac([0, 0x1b, 0, 0, 0, 2])),
        &[SeenBy::Cache],
    );
    stale.stale = true;
    let no_mac = row("fe80::3", None, &[SeenBy::Echo]);
    let multicast = row(
        "fe80::4",
        Some(Mac([0x33, 0x33, 0, 0, 0, 1])),
        &[SeenBy::Echo],
    );
    let eth = IfaceReport {
        prefixes: vec![
            group("fe80::", vec![pi_ll, me, stale, no_mac, multicast]),
            group("2001:db8::", vec![pi_global]),
        ],
        ipv4_only: vec![Ipv4OnlyHost {
            addr: "192.168.1.9".parse().unwrap(),
            mac: PRIV,
            vendor: crate::oui::lookup(PRIV),
        }],
        ..IfaceReport::new("eth0", 2, Some(eth_mac))
    };
    // The same MAC on another interface is another device (a router that answered our
    // solicitation); beside it, what answered nothing of ours is no device: an address
    // only heard, and a router known only from its advertisements (anyone can send those
    // from thousands of forged sources).
    let wlan = IfaceReport {
        prefixes: vec![group(
            "fe80::",
            vec![
                row(
                    "fe80::ba27:ebff:fe89:bc51",
                    Some(PI),
                    &[SeenBy::Ndp, SeenBy::Ra],
                ),
                row(
                    "fe80::5eed:1",
                    Some(Mac([2, 0x5e, 0xed, 0, 0, 1])),
                    &[SeenBy::Heard],
                ),
                row(
                    "fe80::5eed:2",
                    Some(Mac([2, 0x5e, 0xed, 0, 0, 2])),
                    &[SeenBy::Ra],
                ),
            ],
        )],
        ..IfaceReport::new("wlan0", 3, None)
    };
    let s = sightings(&report(vec![eth, wlan]));
    assert_eq!(s.len(), 3, "{s:#?}");
    let pi = &s[0];
    let eth_key = IfaceKey {
        name: "eth0".into(),
        mac: Some(eth_mac),
    };
    assert_eq!((&pi.iface, pi.mac), (&eth_key, PI));
    assert_eq!(pi.vendor.as_deref(), Some("Raspberry Pi Foundation"));
    assert_eq!(pi.names, ["pi.local", "pi.lan"]);
    assert!(pi.router);
    assert_eq!(
        pi.ipv4,
        ["192.168.1.5".parse::<std::net::Ipv4Addr>().unwrap()]
    );
    let addrs: Vec<_> = pi.addresses.iter().map(|x| x.address).collect();
    assert_eq!(
        addrs,
        [
            a("fe80::ba27:ebff:fe89:bc51"),
            a("2001:db8::ba27:ebff:fe89:bc51")
        ]
    );
    assert_eq!(pi.addresses[1].seen_by, [SeenBy::Ndp]);
    assert_eq!(pi.addresses[0].iid, IidKind::Eui64);
    // Our own row is no sighting; a host that answered only ARP is a device without
    // IPv6 addresses.
    let v4 = &s[1];
    assert_eq!((v4.mac, v4.addresses.len()), (PRIV, 0));
    assert_eq!(v4.vendor, None, "a private MAC has no vendor");
    assert_eq!(
        v4.ipv4,
        ["192.168.1.9".parse::<std::net::Ipv4Addr>().unwrap()]
    );
    assert_eq!((s[2].iface.name.as_str(), s[2].mac), ("wlan0", PI));
    assert!(sightings(&report(Vec::new())).is_empty());
}

#[test]
fn default_path_order_and_off() {
    let os = |s: &'static str| Some(OsStr::new(s));
    let home = Some(Path::new("/home/u"));
    let p = |s: &str| Some(PathBuf::from(s));
    assert_eq!(
        default_path(Some(Path::new("/x/inv.db")), os("off"), os("/s"), home),
        p("/x/inv.db")
    );
    assert_eq!(default_path(None, os("off"), os("/s"), home), None);
    assert_eq!(
        default_path(None, os("/e/i.db"), os("/s"), home),
        p("/e/i.db")
    );
    assert_eq!(
        default_path(None, os(""), os("/s"), home),
        p("/s/v6scout/inventory.sqlite3")
    );
    assert_eq!(
        default_path(None, None, os("relative"), home),
        p("/home/u/.local/state/v6scout/inventory.sqlite3"),
        "a relative XDG_STATE_HOME is ignored"
    );
    assert_eq!(
        default_path(None, None, None, home),
        p("/home/u/.local/state/v6scout/inventory.sqlite3")
    );
    assert_eq!(default_path(None, None, None, None), None);
    assert_eq!(default_path(None, None, None, Some(Path::new(""))), None);
}

fn device(iface: &str, m: Mac, vendor: Option<&str>, names: &[&str], addrs: &[&str]) -> Device {
    Device {
        iface: IfaceKey {
            name: iface.into(),
            mac: None,
        },
        mac: m,
        vendor: vendor.map(str::to_string),
        names: names.iter().map(|n| n.to_string()).collect(),
        router: false,
        first_seen: t(0),
        last_seen: t(1),
        addresses: addrs
            .iter()
            .map(|x| KnownAddr {
                address: a(x),
                first_seen: t(0),
                last_seen: t(1),
                seen_by: vec![SeenBy::Echo],
                iid: IidKind::Temporary,
            })
            .collect(),
        ipv4: Vec::new(),
        label: None,
        site: None,
    }
}

#[test]
fn at_site_keeps_the_devices_of_that_site_only() {
    let of = |site: Option<&str>, m: Mac| Device {
        site: site.map(str::to_string),
        ..device("eth0", m, None, &[], &[])
    };
    let devices = vec![
        of(Some("branch"), mac(1)),
        of(None, mac(2)),
        of(Some("Branch"), mac(3)),
        of(Some("branch"), mac(4)),
        of(Some("branch-2"), mac(5)),
    ];
    let at = |s: &str| -> Vec<Mac> { at_site(&devices, s).iter().map(|d| d.mac).collect() };
    assert_eq!(at("branch"), [mac(1), mac(4)], "its exact name, in order");
    assert_eq!(at("Branch"), [mac(3)]);
    assert!(at("").is_empty(), "this machine's devices are no site's");
    assert!(at("nowhere").is_empty());
}

#[test]
fn matching_selects_devices_as_queries_select_hosts() {
    let devices = vec![
        device(
            "eth0",
            PI,
            Some("Raspberry Pi Foundation"),
            &["kitchen.local"],
            &["fe80::1", "2001:db8:1::5"],
        ),
        device(
            "eth0",
            mac(7),
            Some("Intel Corporate"),
            &["raspberry"],
            &["fe80::7"],
        ),
        device("wlan0", PRIV, None, &[], &["fe80::1"]),
    ];
    let hits = |q: &str| -> Vec<Mac> {
        let q: Query = q.parse().unwrap();
        matching(&devices, &q).iter().map(|d| d.mac).collect()
    };
    assert_eq!(hits("b8:27:eb:89:bc:51"), [PI]);
    assert_eq!(hits("b8:27:eb"), [PI]);
    assert_eq!(hits("00:1b:00"), [mac(7)]);
    assert_eq!(hits("fe80::1"), [PI, PRIV]);
    assert_eq!(hits("fe80::1%wlan0"), [PRIV]);
    assert_eq!(hits("fe80::1%3"), [PI, PRIV], "an index cannot be checked");
    assert_eq!(hits("2001:db8:1::/48"), [PI]);
    assert_eq!(hits("KITCHEN"), [PI], "a name, ignoring case and .local");
    assert_eq!(hits("intel"), [mac(7)], "no such name: a vendor word");
    // A name wins over a vendor containing the word.
    assert_eq!(hits("raspberry"), [mac(7)]);
    assert!(hits("nobody").is_empty());
}

#[test]
fn a_label_wins_over_names_and_vendors_and_names_every_row_of_its_mac() {
    let labelled = |iface: &str, m: Mac, names: &[&str], label: Option<&str>| Device {
        label: label.map(str::to_string),
        site: None,
        ..device(
            iface,
            m,
            Some("Raspberry Pi Foundation"),
            names,
            &["fe80::1"],
        )
    };
    let devices = vec![
        labelled("eth0", PI, &[], Some("Kitchen")),
        // The same MAC on a second interface carries its label too.
        labelled("wlan0", PI, &[], Some("Kitchen")),
        labelled("eth0", mac(7), &["kitchen.local"], None),
        labelled("eth0", PRIV, &[], Some("raspberry")),
    ];
    let hits = |q: &str| -> Vec<(String, Mac)> {
        let q: Query = q.parse().unwrap();
        matching(&devices, &q)
            .iter()
            .map(|d| (d.iface.name.clone(), d.mac))
            .collect()
    };
    let pi = vec![("eth0".to_string(), PI), ("wlan0".to_string(), PI)];
    assert_eq!(hits("kitchen"), pi, "the label, not the host named kitchen");
    assert_eq!(hits("KITCHEN"), pi, "ignoring case");
    assert_eq!(
        hits("kitchen.local"),
        [("eth0".to_string(), mac(7))],
        "labels match whole"
    );
    assert_eq!(
        hits("raspberry"),
        [("eth0".to_string(), PRIV)],
        "not the vendor"
    );
    assert_eq!(
        hits("raspberry pi"),
        vec![
            ("eth0".to_string(), PI),
            ("wlan0".to_string(), PI),
            ("eth0".to_string(), mac(7)),
            ("eth0".to_string(), PRIV),
        ]
    );
}

#[test]
fn codecs_round_trip() {
    for ms in [0, 1, 1_704_067_200_123] {
        assert_eq!(codec::to_ms(codec::from_ms(ms)), ms);
    }
    assert_eq!(
        codec::to_ms(std::time::UNIX_EPOCH - Duration::from_secs(5)),
        0
    );
    let all = SeenBy::ALL;
    assert_eq!(codec::seen_by_from(&codec::seen_by_text(&all)), all);
    assert_eq!(
        codec::seen_by_text(&[SeenBy::Ndp, SeenBy::Echo, SeenBy::Ndp]),
        "echo,ndp"
    );
    assert_eq!(
        codec::seen_by_from("ndp,future-probe,echo"),
        [SeenBy::Echo, SeenBy::Ndp]
    );
    assert_eq!(codec::seen_by_from(""), []);
    for k in codec::ALL_IID {
        assert_eq!(codec::iid_from(k.as_str()), k);
    }
    let names = vec!["a\nb".to_string(), "ü,\"".to_string()];
    assert_eq!(codec::names_from(&codec::names_text(&names)), names);
    assert!(codec::names_from("not json").is_empty());
    assert_eq!(codec::mac_from(&codec::mac_blob(PI)), Some(PI));
    assert_eq!(codec::mac_from(&[1, 2]), None);
    let x = a("2001:db8::1");
    assert_eq!(codec::addr_from(&codec::addr_blob(x)), Some(x));
    let old = vec!["a".to_string(), "b".to_string()];
    let new = vec!["B".to_string(), "c".to_string()];
    assert_eq!(codec::merge_names(&old, &new, 16), ["B", "c", "a"]);
    assert_eq!(codec::merge_names(&old, &new, 2), ["B", "c"]);
}

#[test]
fn a_confirmed_router_is_a_router_sighting_with_what_it_advertised() {
    use crate::router::{Advert, PrefixInfo, Router};
    let rtr = Mac([0, 0x24, 0xa5, 0, 0, 1]);
    let mut eth = IfaceReport::new("eth0", 2, None);
    // Only advertising, it is no device: anyone can advertise from a thousand forged
    // sources. Once it answered our solicitation it is, marked router, with its advert.
    let unconfirmed = Router {
        address: a("fe80::f0:1"),
        mac: Some(Mac([2, 0xf0, 0, 0, 0, 1])),
        adverts: 1,
        advert: Advert::default(),
    };
    eth.prefixes = vec![group(
        "fe80::",
        vec![row("fe80::1", Some(rtr), &[SeenBy::Ndp, SeenBy::Ra])],
    )];
    eth.routers = vec![
        unconfirmed,
        Router {
            address: a("fe80::1"),
            mac: Some(rtr),
            adverts: 1,
            advert: Advert {
                router_lifetime: 600,
                prefixes: vec![PrefixInfo {
                    prefix: a("2001:db8::"),
                    len: 64,
                    on_link: true,
                    autonomous: true,
                    valid_lifetime: 1,
                    preferred_lifetime: 1,
                }],
                ..Advert::default()
            },
        },
    ];
    let s = sightings(&report(vec![eth]));
    assert_eq!(s.len(), 1);
    assert!(s[0].router);
    let advert = s[0].advert.as_ref().unwrap();
    assert_eq!(advert.lifetime, 600);
    assert_eq!(advert.prefixes, [Ipv6Prefix::new(a("2001:db8::"), 64)]);
}
