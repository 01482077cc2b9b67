#![allow(clippy::unwrap_used)]

use super::*;
use crate::mac::Mac;
use crate::router::{Dnssl, Pref64, Preference, PrefixInfo, Rdnss, RouteInfo};

fn ip(s: &str) -> std::net::Ipv6Addr {
    s.parse().unwrap()
}

/// radvd's lab router with every option kind.
pub(crate) fn router() -> Router {
    Router {
        address: ip("fe80::1"),
        mac: Some(Mac([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca])),
        adverts: 2,
        advert: Advert {
            cur_hop_limit: 64,
            other: true,
            preference: Preference::High,
            router_lifetime: 1800,
            mtu: Some(1480),
            prefixes: vec![
                PrefixInfo {
                    prefix: ip("2001:db8:1::"),
                    len: 64,
                    on_link: true,
                    autonomous: true,
                    valid_lifetime: 86_400,
                    preferred_lifetime: 14_400,
                },
                PrefixInfo {
                    prefix: ip("fd00:1::"),
                    len: 64,
                    on_link: true,
                    autonomous: false,
                    valid_lifetime: INFINITE,
                    preferred_lifetime: 0,
                },
            ],
            routes: vec![RouteInfo {
                prefix: ip("2001:db8:100::"),
                len: 48,
                preference: Preference::Low,
                lifetime: 600,
            }],
            rdnss: vec![Rdnss {
                lifetime: 1200,
                servers: vec![ip("2001:db8:1::53"), ip("fd00:1::53")],
            }],
            dnssl: vec![Dnssl {
                lifetime: 45,
                domains: vec!["lab.example".into()],
            }],
            pref64: vec![Pref64 {
                prefix: ip("64:ff9b::"),
                len: 96,
                lifetime: 1800,
            }],
            ..Advert::default()
        },
    }
}

#[test]
fn lifetimes_are_exact() {
    assert_eq!(lifetime(INFINITE), "forever");
    assert_eq!(lifetime(0), "0 s");
    assert_eq!(lifetime(86_400 * 2), "2 d");
    assert_eq!(lifetime(7_200), "2 h");
    assert_eq!(lifetime(5_400), "90 min");
    assert_eq!(lifetime(61), "61 s");
}

#[test]
fn table_section() {
    let lines = table_lines("eth0", &[router()], "", "");
    let want = "\
eth0  routers
 fe80::1%eth0  00:24:a5:f1:07:ca  BUFFALO.INC
   default router for 30 min, preference high, flags O, hop limit 64, MTU 1480
   prefix  2001:db8:1::/64    on-link, autonomous, valid 1 d, preferred 4 h
   prefix  fd00:1::/64        on-link, valid forever, preferred 0 s
   route   2001:db8:100::/48  preference low, 10 min
   dns     2001:db8:1::53     20 min
   dns     fd00:1::53         20 min
   search  lab.example        45 s
   nat64   64:ff9b::/96       30 min";
    assert_eq!(lines.join("\n"), want);
    assert!(lines.iter().all(|l| l == l.trim_end()));
    // Nothing heard, no section; a router that is not a default router says so.
    assert!(table_lines("eth0", &[], "", "").is_empty());
    let mut quiet = router();
    quiet.advert = Advert::default();
    quiet.mac = None;
    assert_eq!(
        table_lines("eth0", &[quiet], "", ""),
        ["eth0  routers", " fe80::1%eth0", "   not a default router"]
    );
}

#[test]
fn json_entry() {
    let v = serde_json::to_value(json(&router(), "eth0")).unwrap();
    assert_eq!(v["scoped"], "fe80::1%eth0");
    assert_eq!(v["lifetime_s"], 1800);
    assert_eq!(v["preference"], "high");
    assert_eq!(v["flags"]["other"], true);
    assert_eq!(v["flags"]["managed"], false);
    assert_eq!(v["mtu"], 1480);
    assert_eq!(v["prefixes"][1]["valid_s"], u64::from(INFINITE));
    assert_eq!(v["prefixes"][1]["autonomous"], false);
    assert_eq!(v["routes"][0]["prefix"], "2001:db8:100::/48");
    assert_eq!(v["rdnss"][1]["value"], "fd00:1::53");
    assert_eq!(v["dnssl"][0]["value"], "lab.example");
    assert_eq!(v["pref64"][0]["value"], "64:ff9b::/96");
    assert_eq!(v["adverts"], 2);
    assert_eq!(v["vendor"], "BUFFALO.INC");
}
