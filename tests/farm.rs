//! A link of 200 emulated hosts of mixed profiles (the `farm` helper, tests/common/farm.rs):
//! every host a multicast probe can reach is listed with every address and its own MAC,
//! and nothing is listed that the farm does not have.
//!
//! The mix: Linux hosts that resolve the scanner before answering, Windows ones ignoring
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

use std::collections::BTreeMap;
use std::net::Ipv6Addr;

use common::farm::{FarmHost, FarmLab, FarmSpec};
use common::parse_addr;
use serde_json::Value;

const HOSTS: usize = 200;
const PROFILES: &str =
    "linux=15,windows=20,lwip=10,smoltcp=10,bsd=10,wifi=10,late=10,dozing=10,silent=5";

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

#[test]
fn every_reachable_farm_host_with_its_own_mac_and_nothing_false() {
    let spec = FarmSpec {
        hosts: HOSTS,
        seed: 28,
        profiles: PROFILES.into(),
        forge: None,
    };
    let Some(lab) = FarmLab::create(&spec) else {
        return;
    };
    assert_eq!(lab.truth.len(), HOSTS);
    lab.cold();
    let doc = lab.scan_json(&["--wait", "2s"]);
    let found = listed(&doc);
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
    lab.cold();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}\nfarm stats: {:?}\nscan stats: {}",
        problems.len(),
        problems.join("\n"),
        lab.stats(),
        doc["stats"]
    );
    let findable = lab.truth.iter().filter(|h| h.findable).count();
    eprintln!(
        "{findable} reachable hosts found, {} addresses listed; farm: {:?}",
        found.len(),
        lab.stats()
    );
}
