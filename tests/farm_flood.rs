//! A flood on a link of many hosts: 300 emulated hosts of mixed profiles (the `farm`
//! helper, tests/common/farm.rs) while the farm also forges, a few thousand frames a second
//! at the scanner's MAC (`farm --forge`), unsolicited Router Advertisements and Neighbour
//! Solicitations from pools of 64 sources, unsolicited Neighbour Advertisements (some
//! with the Router flag) of random addresses, Echo Replies and Parameter Problems with a
//! wrong cookie, and frames with a wrong checksum.
//!
//! Every host a multicast probe can reach is still listed with its own MAC, no host's
//! address with a forged one; of what nobody asked for, at most an eighth of
//! `--max-hosts` (8 here) forged routers and 8 forged hosts only heard are kept, the rest
//! counted as dropped; nothing with a wrong checksum or a wrong cookie is listed, and the
//! wrong checksums are counted as malformed.
//! Needs root and `--features lab-helpers`; skipped otherwise unless
//! V6SCOUT_REQUIRE_LAB=1 (see tests/common).
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::net::Ipv6Addr;

use common::farm::{rows, FarmHost, FarmLab, FarmSpec, Row};
use common::parse_addr;
use serde_json::Value;

const HOSTS: usize = 300;
const PROFILES: &str =
    "linux=15,windows=20,lwip=10,smoltcp=10,bsd=10,wifi=10,late=10,dozing=10,silent=5";
/// Forged frames a second.
const FORGE_RATE: u32 = 3000;
/// The scan's --max-hosts: far fewer than the forged sources.
const MAX_HOSTS: &str = "64";
/// An eighth of --max-hosts, at least 8: what the scanner keeps of each kind of
/// unsolicited source.
const UNSOLICITED_BOUND: usize = 8;
/// The farm's forged range (tests/helpers/farm/hosts.rs): MACs `02:f0:…`, interface IDs
/// `f0:KIND:…`, `f0:bad:…` for wrong checksums.
const FORGED_MAC_PREFIX: &str = "02:f0:";
const FORGED_IID_MARK: u16 = 0x00f0;
const BAD_CHECKSUM_KIND: u16 = 0x0bad;

fn is_forged(a: Ipv6Addr) -> bool {
    a.segments()[4] == FORGED_IID_MARK
}

fn forged_mac(mac: &Option<String>) -> bool {
    mac.as_deref()
        .is_some_and(|m| m.starts_with(FORGED_MAC_PREFIX))
}

fn describe(h: &FarmHost) -> String {
    format!("{} ({}, {})", h.addresses.join(" "), h.mac, h.profile)
}

/// What the forger sent in the scan's interval, by kind, from the farm's stats.
fn forged_counts(stats: &Value) -> BTreeMap<&'static str, u64> {
    [
        "forged_ra",
        "forged_na",
        "forged_na_router",
        "forged_ns",
        "forged_echo",
        "forged_param_problem",
        "forged_bad_checksum",
        "forge_skipped",
    ]
    .into_iter()
    .map(|k| (k, stats[k].as_u64().unwrap_or(0)))
    .collect()
}

/// What is wrong with the honest hosts in `found`: a reachable host's address missing or
/// with a MAC not its own, any host's address with a MAC not its own, an address nobody
/// has (neither a host nor the forger).
fn honest_problems(truth: &[FarmHost], found: &[Row]) -> Vec<String> {
    let mut owner = BTreeMap::new();
    for h in truth {
        for a in &h.addresses {
            owner.insert(parse_addr(a), h);
        }
    }
    let by_addr: BTreeMap<Ipv6Addr, &Row> = found.iter().map(|r| (r.addr, r)).collect();
    let mut problems = Vec::new();
    for h in truth.iter().filter(|h| h.findable) {
        for a in &h.addresses {
            if !by_addr.contains_key(&parse_addr(a)) {
                problems.push(format!("missed {a} of {}", describe(h)));
            }
        }
    }
    for r in found.iter().filter(|r| !is_forged(r.addr)) {
        match owner.get(&r.addr) {
            None => problems.push(format!("listed {} ({:?}): nobody has it", r.addr, r.mac)),
            Some(h) if r.mac.as_deref() != Some(h.mac.as_str()) => problems.push(format!(
                "{} listed with MAC {:?}{}: {}",
                r.addr,
                r.mac,
                if forged_mac(&r.mac) { " (forged)" } else { "" },
                describe(h)
            )),
            Some(_) => {}
        }
    }
    problems
}

#[test]
fn a_flood_on_a_farm_keeps_every_host_and_bounds_the_forgeries() {
    let spec = FarmSpec {
        hosts: HOSTS,
        seed: 2828,
        profiles: PROFILES.into(),
        forge: Some(FORGE_RATE),
    };
    let Some(lab) = FarmLab::create(&spec) else {
        return;
    };
    assert_eq!(lab.truth.len(), HOSTS);
    // The forger starts at the scan's first echo request and stops at the next cold().
    lab.cold();
    let out = lab.run_scanner(&[
        "-i",
        common::farm::SCAN_IFACE,
        "--json",
        "--wait",
        "2s",
        "--max-hosts",
        MAX_HOSTS,
    ]);
    lab.cold();
    let farm = lab.stats().expect("the farm's stats after the scan");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("scan JSON");
    let forged = forged_counts(&farm);
    eprintln!(
        "forged during the scan ({:.2} s): {forged:?}",
        farm["interval_s"].as_f64().unwrap_or(0.0)
    );
    // Every kind of forgery reached the scanner, routers and solicitations from more
    // sources than the bound.
    assert!(
        forged["forged_ra"] > UNSOLICITED_BOUND as u64 * 2
            && forged["forged_ns"] > UNSOLICITED_BOUND as u64 * 2,
        "the flood was too small to mean anything: {forged:?}"
    );
    for (kind, n) in &forged {
        assert!(*kind == "forge_skipped" || *n > 0, "no {kind}: {forged:?}");
    }

    let found = rows(&doc);
    let problems = honest_problems(&lab.truth, &found);
    let forged_rows: Vec<&Row> = found.iter().filter(|r| is_forged(r.addr)).collect();
    let (routers, others): (Vec<&Row>, Vec<&Row>) = forged_rows.iter().partition(|r| r.router);
    // A forged host may only be heard: a wrong cookie earns nothing.
    let answered: Vec<&&Row> = others
        .iter()
        .filter(|r| r.seen_by.iter().any(|s| s != "heard" && s != "ndp"))
        .collect();
    let dropped = doc["stats"]["dropped_over_limit"].as_u64().unwrap_or(0);
    let findable = lab.truth.iter().filter(|h| h.findable).count();
    eprintln!(
        "{} rows: {} honest ({findable} reachable hosts), forged routers {} (bound \
         {UNSOLICITED_BOUND}), forged others {} (bound {UNSOLICITED_BOUND}, {} of them \
         not only heard); dropped_over_limit {dropped}; scan stats {}",
        found.len(),
        found.len() - forged_rows.len(),
        routers.len(),
        others.len(),
        answered.len(),
        doc["stats"]
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}\nfarm stats: {farm}\nscan stats: {}",
        problems.len(),
        problems.join("\n"),
        doc["stats"]
    );
    assert!(
        routers.len() <= UNSOLICITED_BOUND,
        "{} forged routers kept: {routers:?}",
        routers.len()
    );
    assert!(
        others.len() <= UNSOLICITED_BOUND,
        "{} forged non-routers kept: {others:?}",
        others.len()
    );
    assert!(
        answered.is_empty(),
        "forgeries listed as answering: {answered:?}"
    );
    let bad: Vec<&&Row> = forged_rows
        .iter()
        .filter(|r| r.addr.segments()[5] == BAD_CHECKSUM_KIND)
        .collect();
    assert!(bad.is_empty(), "a wrong checksum got through: {bad:?}");
    // ... and each one the scan read was counted as malformed.
    assert!(
        doc["stats"]["malformed"].as_u64().unwrap_or(0) > 0,
        "wrong checksums were forged but none counted: {}",
        doc["stats"]
    );
    assert!(
        dropped > 0,
        "nothing dropped over --max-hosts: {}",
        doc["stats"]
    );
    assert!(
        err.contains(&format!(
            "dropped {dropped} answers from addresses over --max-hosts {MAX_HOSTS}"
        )),
        "{err}"
    );
}
