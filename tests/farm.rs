//! Links of emulated hosts (the `farm` helper, tests/common/farm.rs): every host a
//! multicast probe can reach is listed with every address and its own MAC, and nothing
//! is listed that the farm does not have — on 200 hosts of every profile, and on 2,000
//! mostly Linux hosts (each resolves the scanner before it answers: 2,000 solicitations
//! at once, more than the kernel's neighbour table holds by default). On 2,000 hosts that
//! do not resolve the scanner, the scan adds no entry to the scanner's neighbour table.
//!
//! The 200-host mix: Linux hosts that resolve the scanner before answering, Windows ones ignoring
//! multicast echo, lwIP, smoltcp and BSD stacks (Node Information), Wi-Fi stations losing
//! 30 % of incoming multicast, late ones answering 100–300 ms after each multicast, and
//! dozing and silent ones that no multicast probe reaches: those need not be found, but
//! if they are listed it is with their own MAC.
//! Needs root and `--features lab-helpers`; skipped otherwise unless
//! V6SCOUT_REQUIRE_LAB=1 (see tests/common).
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;

use common::farm::{FarmHost, FarmLab, FarmSpec};
use common::parse_addr;
use serde_json::Value;

const HOSTS: usize = 200;
const PROFILES: &str =
    "linux=15,windows=20,lwip=10,smoltcp=10,bsd=10,wifi=10,late=10,dozing=10,silent=5";
/// The big link: Linux hosts, Windows ones silent to multicast echo, dozing and lossy ones.
const BIG: usize = 2000;
const BIG_PROFILES: &str = "linux=70,windows=20,dozing=5,wifi=5";
/// Hosts that answer without resolving the scanner first.
const QUIET_PROFILES: &str = "windows=40,bsd=20,lwip=20,smoltcp=20";

/// What the scan listed (the scanner's own addresses left out): address -> MAC.
fn listed(doc: &Value) -> BTreeMap<Ipv6Addr, Option<String>> {
    let mut found = BTreeMap::new();
    for iface in doc["interfaces"].as_array().unwrap() {
        for prefix in iface["prefixes"].as_array().unwrap() {
            for h in prefix["hosts"].as_array().unwrap() {
                if h["self"].as_bool() == Some(true) {
                    continue;
                }
                let addr = parse_addr(h["address"].as_str().unwrap());
                found.insert(addr, h["mac"].as_str().map(str::to_owned));
            }
        }
    }
    found
}

fn describe(h: &FarmHost) -> String {
    format!("{} ({}, {})", h.addresses.join(" "), h.mac, h.profile)
}

/// What is wrong with `doc`, a scan of `lab`: a reachable host's address missed or
/// listed with another MAC, an address no farm host has, a dozing or silent host listed
/// with another MAC.
fn problems(lab: &FarmLab, doc: &Value) -> (Vec<String>, usize) {
    let found = listed(doc);
    let mut owner = BTreeMap::new();
    for h in &lab.truth {
        for a in &h.addresses {
            owner.insert(parse_addr(a), h);
        }
    }
    let mut problems = Vec::new();
    for h in lab.truth.iter().filter(|h| h.findable) {
        for a in &h.addresses {
            match found.get(&parse_addr(a)) {
                None => problems.push(format!("missed {a} of {}", describe(h))),
                Some(mac) if mac.as_deref() != Some(h.mac.as_str()) => {
                    problems.push(format!("{a} listed with MAC {mac:?}: {}", describe(h)))
                }
                Some(_) => {}
            }
        }
    }
    for (a, mac) in &found {
        match owner.get(a) {
            None => problems.push(format!("listed {a} ({mac:?}): no farm host has it")),
            Some(h) if mac.as_deref() != Some(h.mac.as_str()) => {
                problems.push(format!("{a} listed with MAC {mac:?}: {}", describe(h)))
            }
            Some(_) => {}
        }
    }
    (problems, found.len())
}

/// Scans a farm of `hosts` hosts of `profiles` cold and checks every address of every
/// reachable host is listed with its own MAC, and nothing false.
fn every_reachable_host(hosts: usize, profiles: &str) {
    let spec = FarmSpec {
        hosts,
        seed: 28,
        profiles: profiles.into(),
        forge: None,
    };
    let Some(lab) = FarmLab::create(&spec) else {
        return;
    };
    assert_eq!(lab.truth.len(), hosts);
    lab.cold();
    let doc = lab.scan_json(&["--wait", "2s"]);
    let (problems, listed) = problems(&lab, &doc);
    lab.cold();
    assert!(
        problems.is_empty(),
        "{} problems (first 50):\n{}\nfarm stats: {:?}\nscan stats: {}",
        problems.len(),
        problems[..problems.len().min(50)].join("\n"),
        lab.stats(),
        doc["stats"]
    );
    let findable = lab.truth.iter().filter(|h| h.findable).count();
    eprintln!(
        "{findable} reachable hosts found, {listed} addresses listed; farm: {:?}",
        lab.stats()
    );
}

#[test]
fn every_reachable_farm_host_with_its_own_mac_and_nothing_false() {
    every_reachable_host(HOSTS, PROFILES);
}

#[test]
fn two_thousand_hosts_resolving_the_scanner_all_with_their_own_mac() {
    every_reachable_host(BIG, BIG_PROFILES);
}

#[test]
fn two_thousand_hosts_that_do_not_resolve_us_leave_the_neighbour_table_as_it_was() {
    let spec = FarmSpec {
        hosts: BIG,
        seed: 29,
        profiles: QUIET_PROFILES.into(),
        forge: None,
    };
    let Some(lab) = FarmLab::create(&spec) else {
        return;
    };
    lab.cold();
    let before = common::neighbour_entries(&lab.scan_ns);
    let doc = lab.scan_json(&[]);
    let gained: BTreeSet<String> = common::neighbour_entries(&lab.scan_ns)
        .difference(&before)
        .cloned()
        .collect();
    let (problems, listed) = problems(&lab, &doc);
    lab.cold();
    assert!(
        problems.is_empty(),
        "{}",
        problems[..problems.len().min(50)].join("\n")
    );
    // The kernel's own MLD report (ff02::16) and the mDNS questions (ff02::fb) take one
    // entry each, whatever the link's size; the probes none.
    let allowed: BTreeSet<String> = ["ff02::16", "ff02::fb"].map(str::to_owned).into();
    let from_scan: Vec<_> = gained.difference(&allowed).collect();
    eprintln!("{listed} addresses listed; the table gained {gained:?}");
    assert!(
        from_scan.is_empty(),
        "the scan of {BIG} hosts made {} neighbour entries, e.g. {:?}",
        from_scan.len(),
        &from_scan[..from_scan.len().min(10)]
    );
}
