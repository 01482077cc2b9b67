//! The scanner's kernel neighbour table and the Ethernet link: a scan that speaks Ethernet
//! itself (`--link ether`) sends its probes as frames and resolves unicast destinations
//! itself, so they add no entry to the kernel's table (one table for the whole machine,
//! 1,024 entries by default); through raw ICMPv6 sockets (`--link raw`) every multicast
//! group a probe goes to takes one, and so does every address the kernel resolves.
//! The lab's hosts know the scanner's MAC beforehand (permanent entries), so none of
//! them solicits it: every entry the scanner's table gains comes from the scan itself.
//! Needs root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::Lab;
use std::collections::BTreeSet;
use std::net::Ipv6Addr;
use std::process::Command;

/// Runs `ip -n NS ARGS…`; it must succeed.
fn ip(ns: &str, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["-n", ns])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ip -n {ns} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every IPv6 neighbour entry of the scanner's eth0, multicast (NOARP) ones included.
fn entries(lab: &Lab) -> BTreeSet<String> {
    ip(
        &lab.scan_ns,
        &["-6", "neigh", "show", "dev", "eth0", "nud", "all"],
    )
    .lines()
    .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
    .collect()
}

/// Empties the scanner's IPv6 neighbour table, multicast entries too.
fn flush(lab: &Lab) {
    ip(&lab.scan_ns, &["-6", "neigh", "flush", "all"]);
    ip(&lab.scan_ns, &["-6", "neigh", "flush", "nud", "noarp"]);
}

/// Scans eth0 with `--link KIND` and returns the addresses found and the entries the
/// scanner's table gained.
fn scan(lab: &Lab, kind: &str) -> (usize, BTreeSet<String>) {
    flush(lab);
    let before = entries(lab);
    let doc = lab.scan_json("eth0", &["--link", kind, "--no-names", "--no-ndp-cache"]);
    let found = doc["interfaces"][0]["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["hosts"].as_array().unwrap().len())
        .sum();
    let gained = entries(lab).difference(&before).cloned().collect();
    (found, gained)
}

#[test]
fn an_ethernet_scan_adds_nothing_to_the_kernels_neighbour_table() {
    let Some(lab) = Lab::create(4, 0) else { return };
    let eth0 = lab.scanner_iface("eth0");
    // Every device already knows the scanner, so none solicits it.
    let scanner: Vec<Ipv6Addr> = eth0
        .addresses
        .iter()
        .map(|a| common::parse_addr(a))
        .collect();
    for h in lab.hosts_on("eth0") {
        for a in &scanner {
            let a = a.to_string();
            ip(
                &h.namespace,
                &[
                    "-6",
                    "neigh",
                    "replace",
                    &a,
                    "lladdr",
                    &eth0.mac,
                    "dev",
                    "eth0",
                    "nud",
                    "permanent",
                ],
            );
        }
    }
    let devices = lab.hosts_on("eth0").count();
    // The router's solicited RA carries its link-layer address, which the kernel files
    // whatever the link: its entry is not the probes'.
    let router: BTreeSet<String> = lab
        .hosts_on("eth0")
        .filter(|h| h.router)
        .flat_map(|h| h.addrs())
        .map(|a| a.to_string())
        .collect();

    let (ether_found, ether_gained) = scan(&lab, "ether");
    let (raw_found, raw_gained) = scan(&lab, "raw");
    flush(&lab);
    eprintln!(
        "{devices} devices; ether: {ether_found} addresses, table gained {ether_gained:?}; \
         raw: {raw_found} addresses, table gained {raw_gained:?}"
    );
    assert!(ether_found >= devices, "ether found {ether_found}");
    assert!(raw_found >= devices, "raw found {raw_found}");
    let from_probes: Vec<_> = ether_gained.difference(&router).collect();
    assert!(
        from_probes.is_empty(),
        "the Ethernet scan's probes made neighbour entries: {from_probes:?}"
    );
    // Through the kernel, the groups probed (all-nodes, all-routers, solicited-node
    // groups) each took an entry, and so did every device's link-local address.
    let multicast = raw_gained.iter().filter(|a| a.starts_with("ff02:")).count();
    assert!(
        multicast >= 3,
        "the raw scan made {multicast} multicast entries: {raw_gained:?}"
    );
    let link_locals = raw_gained.iter().filter(|a| a.starts_with("fe80:")).count();
    assert!(
        link_locals >= devices,
        "the raw scan made {link_locals} link-local entries: {raw_gained:?}"
    );
}
