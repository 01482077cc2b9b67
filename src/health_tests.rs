#![allow(clippy::unwrap_used)]

use super::*;
use crate::collect::HostTable;
use crate::model::{Observation, SeenBy};
use crate::report::{HostRow, PrefixGroup, PrefixSource};
use crate::router::{Advert, PrefixInfo};

const A: Mac = Mac([0x02, 0, 0, 0, 0, 0x0a]);
const B: Mac = Mac([0x02, 0, 0, 0, 0, 0x0b]);
const R: Mac = Mac([0x00, 0x24, 0xa5, 0, 0, 1]);
const US: Mac = Mac([0x02, 0, 0x5e, 0x10, 0, 1]);

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn na(o: bool, r: bool) -> ClaimVia {
    ClaimVia::advert(o, r)
}

/// A table of `claims` on interface 2.
fn table(claims: &[(&str, Mac, ClaimVia)]) -> IfaceTable {
    let mut t = HostTable::new(1000);
    for (addr, mac, via) in claims {
        t.add(Observation::Claim {
            ifindex: 2,
            addr: ip(addr),
            mac: *mac,
            via: *via,
        });
    }
    t.ifaces.remove(&2).unwrap_or_default()
}

fn router(addr: &str, mac: Mac, lifetime: u16, pref: Preference, prefixes: &[&str]) -> Router {
    Router {
        address: ip(addr),
        mac: Some(mac),
        adverts: 1,
        advert: Advert {
            router_lifetime: lifetime,
            preference: pref,
            prefixes: prefixes
                .iter()
                .map(|p| PrefixInfo {
                    prefix: ip(p),
                    len: 64,
                    on_link: true,
                    autonomous: true,
                    valid_lifetime: 86400,
                    preferred_lifetime: 14400,
                })
                .collect(),
            ..Advert::default()
        },
    }
}

fn kinds(alerts: &[Alert]) -> Vec<&'static str> {
    alerts.iter().map(|a| a.kind.as_str()).collect()
}

fn own() -> HashSet<Mac> {
    [US].into_iter().collect()
}

#[test]
fn a_normal_link_has_no_alerts() {
    let t = table(&[
        ("fe80::1", R, na(true, true)),
        ("fe80::1", R, ClaimVia::RouterAdvert),
        ("fe80::a", A, na(true, false)),
        ("fe80::a", A, ClaimVia::Solicit),
        ("2001:db8::a", A, na(true, false)),
        ("fe80::b", B, na(true, false)),
    ]);
    let routers = [router(
        "fe80::1",
        R,
        1800,
        Preference::Medium,
        &["2001:db8::"],
    )];
    assert_eq!(scan_alerts(&t, &routers, &own()), vec![]);
}

#[test]
fn two_overriding_macs_are_a_duplicate_address() {
    let t = table(&[
        ("2001:db8::5", B, na(true, false)),
        ("2001:db8::5", A, na(true, false)),
        // Repeats change nothing.
        ("2001:db8::5", A, na(true, false)),
    ]);
    let got = scan_alerts(&t, &[], &own());
    assert_eq!(kinds(&got), ["duplicate-address"]);
    assert_eq!(got[0].macs, [A, B]);
    assert_eq!(got[0].addresses, [ip("2001:db8::5")]);
    assert!(got[0].message.contains("2 MACs"), "{}", got[0].message);
    // One overriding claim is enough for a duplicate.
    let t = table(&[
        ("2001:db8::5", A, na(false, false)),
        ("2001:db8::5", B, na(true, false)),
    ]);
    assert_eq!(kinds(&scan_alerts(&t, &[], &own())), ["duplicate-address"]);
}

#[test]
fn several_non_overriding_macs_are_anycast() {
    let t = table(&[
        ("2001:db8::", A, na(false, false)),
        ("2001:db8::", B, na(false, false)),
    ]);
    let got = scan_alerts(&t, &[], &own());
    assert_eq!(kinds(&got), ["anycast"]);
    assert_eq!(got[0].macs, [A, B]);
    // A single non-overriding answer is nothing to report.
    let t = table(&[("2001:db8::", A, na(false, false))]);
    assert_eq!(scan_alerts(&t, &[], &own()), vec![]);
}

#[test]
fn an_ra_naming_another_mac_than_the_na_is_a_mac_change() {
    // A forged RA from the host's link-local address with a random source option.
    let t = table(&[
        ("fe80::a", A, na(true, false)),
        ("fe80::a", B, ClaimVia::RouterAdvert),
    ]);
    let got = scan_alerts(&t, &[], &own());
    assert_eq!(kinds(&got), ["mac-change"]);
    assert_eq!(got[0].macs, [A, B]);
    assert!(got[0].message.contains("Router Advertisement"));
    // The same from an NS; and nothing when no NA confirmed a MAC to compare with.
    let t = table(&[
        ("fe80::a", A, na(true, false)),
        ("fe80::a", B, ClaimVia::Solicit),
        ("fe80::c", B, ClaimVia::RouterAdvert),
    ]);
    assert_eq!(kinds(&scan_alerts(&t, &[], &own())), ["mac-change"]);
}

#[test]
fn a_router_flag_without_an_ra_is_flagged_once() {
    let t = table(&[
        ("fe80::a", A, na(true, true)),
        ("2001:db8::a", A, na(true, true)),
        ("fe80::1", R, na(true, true)),
    ]);
    let routers = [router("fe80::1", R, 1800, Preference::Medium, &[])];
    let got = scan_alerts(&t, &routers, &own());
    assert_eq!(kinds(&got), ["router-flag"]);
    assert_eq!(got[0].macs, [A]);
    // A router that advertises with lifetime 0 (not a default router) still advertises.
    let routers = [
        router("fe80::1", R, 1800, Preference::Medium, &[]),
        router("fe80::a", A, 0, Preference::Medium, &[]),
    ];
    assert_eq!(scan_alerts(&t, &routers, &own()), vec![]);
}

#[test]
fn one_mac_for_many_unrelated_ids_is_a_proxy() {
    let addrs: Vec<String> = (1..=PROXY_MIN_IIDS)
        .map(|i| format!("2001:db8::{i:x}"))
        .collect();
    let claims: Vec<(&str, Mac, ClaimVia)> = addrs
        .iter()
        .map(|a| (a.as_str(), A, na(true, false)))
        .collect();
    let got = scan_alerts(&table(&claims), &[], &own());
    assert_eq!(kinds(&got), ["proxy"]);
    assert_eq!(got[0].addresses.len(), PROXY_LISTED);
    assert!(got[0]
        .message
        .contains(&format!("{PROXY_MIN_IIDS} addresses")));
    // One fewer is a host with many addresses; the same ID in many prefixes is one ID.
    let got = scan_alerts(&table(&claims[1..]), &[], &own());
    assert_eq!(got, vec![]);
    let same: Vec<String> = (1..=20).map(|i| format!("2001:db8:{i:x}::7")).collect();
    let claims: Vec<(&str, Mac, ClaimVia)> = same
        .iter()
        .map(|a| (a.as_str(), A, na(true, false)))
        .collect();
    assert_eq!(scan_alerts(&table(&claims), &[], &own()), vec![]);
}

#[test]
fn our_own_mac_is_never_flagged() {
    let t = table(&[
        ("fe80::a", A, na(true, false)),
        ("fe80::a", US, ClaimVia::Solicit),
        ("fe80::5", US, na(true, true)),
    ]);
    assert_eq!(scan_alerts(&t, &[], &own()), vec![]);
}

fn iface(routers: Vec<Router>, hosts: &[(&str, Mac)]) -> IfaceReport {
    let mut i = IfaceReport::new("eth0", 2, Some(US));
    i.routers = routers;
    i.prefixes = vec![PrefixGroup {
        prefix: Ipv6Prefix::new(ip("2001:db8::"), 64),
        source: PrefixSource::Interface,
        hosts: hosts
            .iter()
            .map(|(a, m)| HostRow {
                seen_by: vec![SeenBy::Ndp],
                ..HostRow::new(ip(a), "eth0", Some(*m))
            })
            .collect(),
    }];
    i
}

/// A remembered advertisement: lifetime, preference, /64 prefixes.
type Remembered<'a> = Option<(u16, Preference, &'a [&'a str])>;

fn known(routers: &[(Mac, Remembered<'_>)], macs: &[(&str, Mac)]) -> Known {
    Known {
        seen_before: true,
        routers: routers
            .iter()
            .map(|(mac, a)| KnownRouter {
                mac: *mac,
                advert: a.map(|(lifetime, preference, prefixes)| KnownAdvert {
                    lifetime,
                    preference,
                    prefixes: prefixes
                        .iter()
                        .map(|p| Ipv6Prefix::new(ip(p), 64))
                        .collect(),
                }),
            })
            .collect(),
        macs: macs.iter().map(|(a, m)| (ip(a), *m)).collect(),
    }
}

#[test]
fn the_first_scan_of_a_link_calls_nothing_new() {
    let i = iface(
        vec![router(
            "fe80::1",
            R,
            1800,
            Preference::High,
            &["2001:db8::"],
        )],
        &[("2001:db8::a", A)],
    );
    assert_eq!(memory_alerts(&i, &Known::default()), vec![]);
}

#[test]
fn a_known_router_and_known_macs_raise_nothing() {
    let i = iface(
        vec![router(
            "fe80::1",
            R,
            1800,
            Preference::Medium,
            &["2001:db8::"],
        )],
        &[("2001:db8::a", A)],
    );
    let k = known(
        &[(R, Some((1800, Preference::Medium, &["2001:db8::"])))],
        &[("2001:db8::a", A)],
    );
    assert_eq!(memory_alerts(&i, &k), vec![]);
}

#[test]
fn a_new_router_is_new_or_rogue_by_what_it_advertises() {
    let k = known(
        &[(R, Some((1800, Preference::Medium, &["2001:db8::"])))],
        &[],
    );
    // Not a default router, only the known prefix: new.
    let quiet = iface(
        vec![router("fe80::9", B, 0, Preference::Medium, &["2001:db8::"])],
        &[],
    );
    let got = memory_alerts(&quiet, &k);
    assert_eq!(kinds(&got), ["new-router"]);
    assert_eq!(
        (got[0].addresses.clone(), got[0].macs.clone()),
        (vec![ip("fe80::9")], vec![B])
    );
    // A prefix no known router advertises: rogue.
    let forged = iface(
        vec![router(
            "fe80::9",
            B,
            0,
            Preference::Medium,
            &["2001:db8:bad::"],
        )],
        &[],
    );
    let got = memory_alerts(&forged, &k);
    assert_eq!(kinds(&got), ["rogue-router"]);
    assert!(
        got[0].message.contains("2001:db8:bad::/64"),
        "{}",
        got[0].message
    );
    // A default router at the known one's preference or above: rogue; below: new.
    let rival = iface(
        vec![router("fe80::9", B, 1800, Preference::Medium, &[])],
        &[],
    );
    assert_eq!(kinds(&memory_alerts(&rival, &k)), ["rogue-router"]);
    let backup = iface(vec![router("fe80::9", B, 1800, Preference::Low, &[])], &[]);
    assert_eq!(kinds(&memory_alerts(&backup, &k)), ["new-router"]);
    // Where no default router was known, any default router pre-empts.
    let none = known(&[(R, Some((0, Preference::Medium, &[])))], &[]);
    assert_eq!(kinds(&memory_alerts(&backup, &none)), ["rogue-router"]);
    // A known router without a recorded advertisement: no prefix can be called new.
    let old = known(&[(R, None)], &[]);
    assert_eq!(kinds(&memory_alerts(&forged, &old)), ["new-router"]);
}

#[test]
fn an_address_with_another_mac_than_remembered_is_a_mac_change() {
    let k = known(&[], &[("2001:db8::a", A), ("2001:db8::b", B)]);
    let i = iface(vec![], &[("2001:db8::a", B), ("2001:db8::b", B)]);
    let got = memory_alerts(&i, &k);
    assert_eq!(kinds(&got), ["mac-change"]);
    assert_eq!(got[0].addresses, [ip("2001:db8::a")]);
    assert_eq!(got[0].macs, [A, B]);
    // Both MACs answering now is a duplicate (flagged by the scan), not a change.
    let both = iface(vec![], &[("2001:db8::a", A), ("2001:db8::a", B)]);
    assert_eq!(memory_alerts(&both, &k), vec![]);
}

#[test]
fn a_known_router_whose_ra_was_missed_is_not_flagged() {
    let t = table(&[
        ("fe80::1", R, na(true, true)),
        ("fe80::a", A, na(true, true)),
    ]);
    let mut got = scan_alerts(&t, &[], &own());
    assert_eq!(kinds(&got), ["router-flag", "router-flag"]);
    drop_known_routers(&mut got, &known(&[(R, None)], &[]));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].macs, [A]);
}
