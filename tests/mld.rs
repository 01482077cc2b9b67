//! Every address of every host: the default scan and `--mld` against hosts with SLAAC,
//! temporary, manual, ULA and RA-only addresses, some ignoring all echo (lab.sh --multi).
//! Needs root.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::{parse_addr, Lab};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;

/// (address → (prefix, seen_by, iid)) of every entry on eth0.
fn scan(
    lab: &Lab,
    extra: &[&str],
) -> BTreeMap<Ipv6Addr, (String, Vec<String>, String, Option<String>)> {
    let mut args = vec!["--json", "-i", "eth0"];
    args.extend_from_slice(extra);
    let out = lab.run_scanner(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found = BTreeMap::new();
    for p in doc["interfaces"][0]["prefixes"].as_array().unwrap() {
        for h in p["hosts"].as_array().unwrap() {
            let seen = h["seen_by"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect();
            found.insert(
                parse_addr(h["address"].as_str().unwrap()),
                (
                    p["prefix"].as_str().unwrap().to_owned(),
                    seen,
                    h["iid"].as_str().unwrap().to_owned(),
                    h["mac"].as_str().map(str::to_owned),
                ),
            );
        }
    }
    found
}

fn slash64(a: Ipv6Addr) -> String {
    let s = a.segments();
    format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
}

#[test]
fn mld_lists_every_address_of_every_host() {
    let Some(lab) = Lab::create_with(12, 1, &["--multi"]) else {
        return;
    };
    let hosts: Vec<_> = lab.hosts_on("eth0").collect();
    let present: BTreeSet<Ipv6Addr> = hosts.iter().flat_map(|h| h.addrs()).collect();
    let slaac_eui64: BTreeSet<Ipv6Addr> = present
        .iter()
        .copied()
        .filter(|a| {
            a.segments()[..3] == [0x2001, 0xdb8, 5]
                && a.segments()[5] & 0xff == 0xff
                && a.segments()[6] >> 8 == 0xfe
        })
        .collect();
    let manual: BTreeSet<Ipv6Addr> = present
        .iter()
        .copied()
        .filter(|a| a.segments()[..3] == [0x2001, 0xdb8, 1] && u128::from(*a) as u64 <= 0xffff)
        .filter(|a| *a != "2001:db8:1::1".parse::<Ipv6Addr>().unwrap())
        .collect();
    assert!(
        slaac_eui64.len() >= 3 && manual.len() >= 2,
        "lab lacks the cases: {slaac_eui64:?} {manual:?}"
    );
    assert!(
        hosts.iter().any(|h| h.silent && h.addrs().len() >= 3),
        "a silent multi-address host"
    );

    // Without --mld: every host by its link-local, one address per scope, and the stable
    // SLAAC addresses by their link-local's EUI-64 ID tried in the router's prefix; the
    // manual IDs a host does not answer from appear nowhere else and stay hidden.
    let plain = scan(&lab, &[]);
    for h in &hosts {
        let ll = h
            .addrs()
            .into_iter()
            .find(|a| a.segments()[0] == 0xfe80)
            .unwrap();
        assert!(plain.contains_key(&ll), "{} missing", h.namespace);
        for a in h.addrs().iter().filter(|a| slaac_eui64.contains(a)) {
            let (_, _, _, mac) = plain
                .get(a)
                .unwrap_or_else(|| panic!("{a} of {} missing without --mld", h.namespace));
            assert_eq!(mac.as_deref(), Some(h.mac.as_str()), "{a}");
        }
    }
    for a in &manual {
        assert!(
            !plain.contains_key(a),
            "{a} found without --mld: the lab no longer tests MLD"
        );
    }
    let found_plain = present.iter().filter(|a| plain.contains_key(a)).count();

    // With --mld: all of them, each under its prefix, with the host's MAC and its kind.
    let mld = scan(&lab, &["--mld"]);
    for h in &hosts {
        for a in h.addrs() {
            let (prefix, seen, iid, mac) = mld
                .get(&a)
                .unwrap_or_else(|| panic!("{a} of {} missing with --mld", h.namespace));
            assert_eq!(mac.as_deref(), Some(h.mac.as_str()), "{a}");
            if a.segments()[0] == 0xfe80 {
                assert_eq!(prefix, "fe80::/64");
                assert!(
                    seen.contains(&"mld".to_string()),
                    "{a} reported no MLD: {seen:?}"
                );
            } else {
                assert_eq!(*prefix, slash64(a), "{a}");
            }
            // The stable SLAAC ones are solicited by their known ID before MLD forms its
            // candidates; the manual ones only MLD reveals.
            if slaac_eui64.contains(&a) {
                assert_eq!(iid, "eui64", "{a}");
            }
            if manual.contains(&a) {
                assert_eq!(iid, "manual", "{a}");
                assert!(seen.contains(&"mld".to_string()), "{a}: {seen:?}");
            }
            let temporary = a.segments()[..3] == [0x2001, 0xdb8, 5] && !slaac_eui64.contains(&a);
            if temporary {
                assert_eq!(iid, "temporary", "{a}");
            }
        }
    }
    let extra: Vec<_> = mld.keys().filter(|a| !present.contains(a)).collect();
    assert!(extra.is_empty(), "addresses nobody has: {extra:?}");
    eprintln!(
        "addresses found without --mld: {found_plain}/{}; with --mld: {}/{}",
        present.len(),
        present.iter().filter(|a| mld.contains_key(a)).count(),
        present.len()
    );
}
