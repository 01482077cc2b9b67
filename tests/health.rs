//! The link's health in a real lab: what radvd advertises, shown field by field; a normal
//! lab raising no alert at all (first scan and with an inventory); two hosts holding one
//! address (`nodad`) flagged as a duplicate naming both MACs, and an address several
//! forwarding hosts answer for without Override flagged as anycast; a host that starts
//! forging RAs for another prefix after a first scan listed as a router and flagged
//! rogue, and an RA forged from another host's address not renaming that host. Needs
//! root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::forge::{frame, packet_socket, send};
use common::{wait_for, Host, Lab};
use serde_json::Value;
use std::net::Ipv6Addr;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use v6scout::mac::Mac;
use v6scout::probe::packet::Icmp;
use v6scout::router::{Advert, PrefixInfo};

/// A prefix no router of the lab advertises.
const ROGUE_PREFIX: &str = "2001:db8:bad::";

fn sysctl(ns: &str, kv: &str) {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "sysctl", "-qw", kv])
        .output()
        .unwrap();
    assert!(out.status.success(), "sysctl {kv} in {ns}");
}

/// A scan of link A as JSON; `extra` flags added.
fn scan(lab: &Lab, extra: &[&str]) -> Value {
    let mut args = vec!["--json", "-i", "eth0", "--no-names"];
    args.extend_from_slice(extra);
    let out = lab.run_scanner(&args);
    assert!(
        out.status.success(),
        "v6scout failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn eth0(doc: &Value) -> &Value {
    &doc["interfaces"][0]
}

fn alerts<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    eth0(doc)["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == kind)
        .collect()
}

fn kinds(doc: &Value) -> Vec<String> {
    eth0(doc)["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{}: {}", a["kind"], a["message"]))
        .collect()
}

/// Every (address, MAC) row of link A.
fn rows(doc: &Value) -> Vec<(String, String)> {
    eth0(doc)["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["hosts"].as_array().unwrap())
        .map(|h| {
            (
                h["address"].as_str().unwrap().to_string(),
                h["mac"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// A STALE entry for `addr` in the scanner's neighbour cache (as after a conversation),
/// so the scan solicits it.
fn plant_stale(lab: &Lab, addr: &str, mac: &str) {
    let args = [
        "-6", "neigh", "replace", addr, "lladdr", mac, "dev", "eth0", "nud", "stale",
    ];
    common::ip_in(&lab.scan_ns, &args);
}

fn link_local(h: &Host) -> Ipv6Addr {
    h.addrs()
        .into_iter()
        .find(|a| a.segments()[0] == 0xfe80)
        .unwrap()
}

fn mac(s: &str) -> Mac {
    s.parse().unwrap()
}

/// A temp inventory file, removed on drop.
struct TempInventory(std::path::PathBuf);
impl Drop for TempInventory {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn routers_alerts_and_forgeries() {
    let Some(lab) = Lab::create(4, 0) else { return };
    let router = lab
        .manifest
        .hosts
        .iter()
        .find(|h| h.role == "router")
        .unwrap()
        .clone();
    let hosts: Vec<Host> = lab
        .hosts_on("eth0")
        .filter(|h| h.role == "host")
        .cloned()
        .collect();
    let dir = std::env::temp_dir().join(format!("v6t-{}-health", lab.runid));
    std::fs::create_dir_all(&dir).unwrap();
    let inv = TempInventory(dir);
    let inv_path = inv.0.join("inventory.sqlite3");
    let inv_arg = inv_path.to_str().unwrap();

    // 1. What radvd advertises, every field; and a normal link has no alert, on its first
    // scan (empty inventory) and on the next.
    let first = scan(&lab, &["--inventory", inv_arg]);
    let routers = eth0(&first)["routers"].as_array().unwrap();
    assert_eq!(routers.len(), 1, "{routers:?}");
    let r = &routers[0];
    assert_eq!(r["address"], link_local(&router).to_string());
    assert_eq!(r["mac"], router.mac);
    assert_eq!(r["lifetime_s"], 1800);
    assert_eq!(r["preference"], "medium");
    assert_eq!(r["flags"]["managed"], false);
    assert_eq!(r["flags"]["other"], false);
    assert_eq!(r["hop_limit"], 64);
    assert_eq!(r["mtu"], 1500);
    let prefixes: Vec<(&str, bool, bool, u64, u64)> = r["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["prefix"].as_str().unwrap(),
                p["on_link"].as_bool().unwrap(),
                p["autonomous"].as_bool().unwrap(),
                p["valid_s"].as_u64().unwrap(),
                p["preferred_s"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        prefixes,
        [
            ("2001:db8:1::/64", true, false, 86400, 14400),
            ("2001:db8:99::/64", true, false, 86400, 14400)
        ]
    );
    assert_eq!(r["routes"][0]["prefix"], "2001:db8:100::/48");
    assert_eq!(r["routes"][0]["preference"], "high");
    assert_eq!(r["routes"][0]["lifetime_s"], 1800);
    assert_eq!(r["rdnss"][0]["value"], "2001:db8:1::53");
    assert_eq!(r["rdnss"][0]["lifetime_s"], 1200);
    assert_eq!(r["dnssl"][0]["value"], "lab.example");
    assert_eq!(r["dnssl"][0]["lifetime_s"], 1200);
    assert_eq!(kinds(&first), Vec::<String>::new(), "a normal lab");
    let again = scan(&lab, &["--inventory", inv_arg]);
    assert_eq!(
        kinds(&again),
        Vec::<String>::new(),
        "a normal lab, remembered"
    );
    // The table says the same.
    let out = lab.run_scanner(&["--table", "-i", "eth0", "--no-names", "--no-inventory"]);
    let table = String::from_utf8_lossy(&out.stdout);
    // Alignment aside (unit-tested), the lines of the routers section.
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines: Vec<String> = table.lines().map(words).collect();
    for line in [
        "eth0 routers",
        "default router for 30 min, preference medium, hop limit 64, MTU 1500",
        "prefix 2001:db8:1::/64 on-link, valid 1 d, preferred 4 h",
        "prefix 2001:db8:99::/64 on-link, valid 1 d, preferred 4 h",
        "route 2001:db8:100::/48 preference high, 30 min",
        "dns 2001:db8:1::53 20 min",
        "search lab.example 20 min",
    ] {
        assert!(lines.iter().any(|l| l == line), "no {line:?} in:\n{table}");
    }
    assert!(!table.contains("alerts"), "{table}");

    // 2. Two hosts holding one address, without duplicate address detection: flagged,
    // and listed under each MAC. The scanner's cache has it (as after a conversation),
    // so the scan solicits it.
    let dup = "2001:db8:1::d0d";
    for h in &hosts[..2] {
        common::ip_in(
            &h.namespace,
            &["addr", "add", &format!("{dup}/64"), "dev", "eth0", "nodad"],
        );
    }
    plant_stale(&lab, dup, &hosts[0].mac);
    let doc = scan(&lab, &["--no-inventory"]);
    let found = alerts(&doc, "duplicate-address");
    assert_eq!(found.len(), 1, "{:?}", kinds(&doc));
    assert_eq!(found[0]["addresses"], serde_json::json!([dup]));
    let mut want = vec![hosts[0].mac.clone(), hosts[1].mac.clone()];
    want.sort();
    assert_eq!(found[0]["macs"], serde_json::json!(want));
    let mut under: Vec<String> = rows(&doc)
        .into_iter()
        .filter(|(a, _)| a == dup)
        .map(|(_, m)| m)
        .collect();
    under.sort();
    assert_eq!(under, want, "the address under each host");
    for h in &hosts[..2] {
        common::ip_in(
            &h.namespace,
            &["addr", "del", &format!("{dup}/64"), "dev", "eth0"],
        );
    }
    common::ip_in(&lab.scan_ns, &["-6", "neigh", "del", dup, "dev", "eth0"]);

    // 3. Forwarding hosts answer for the subnet-router anycast address 2001:db8:1:: with
    // Override clear (as the router does): anycast, not a duplicate.
    for (i, h) in hosts[2..4].iter().enumerate() {
        // An address in the prefix, so forwarding joins its subnet-router anycast group.
        let own = format!("2001:db8:1::a{i}/64");
        common::ip_in(&h.namespace, &["addr", "add", &own, "dev", "eth0", "nodad"]);
        sysctl(&h.namespace, "net.ipv6.conf.all.forwarding=1");
        // Answer at once rather than after a random delay of up to 0.8 s.
        sysctl(&h.namespace, "net.ipv6.neigh.eth0.proxy_delay=0");
    }
    sysctl(&router.namespace, "net.ipv6.neigh.eth0.proxy_delay=0");
    let anycast = "2001:db8:1::";
    plant_stale(&lab, anycast, &router.mac);
    let doc = scan(&lab, &["--no-inventory"]);
    let found = alerts(&doc, "anycast");
    assert_eq!(found.len(), 1, "{:?}", kinds(&doc));
    assert_eq!(found[0]["addresses"], serde_json::json!([anycast]));
    assert!(found[0]["macs"].as_array().unwrap().len() >= 2);
    assert!(
        alerts(&doc, "duplicate-address").is_empty(),
        "{:?}",
        kinds(&doc)
    );
    // Forwarding hosts say they are routers but send no RA.
    assert!(!alerts(&doc, "router-flag").is_empty(), "{:?}", kinds(&doc));
    for (i, h) in hosts[2..4].iter().enumerate() {
        sysctl(&h.namespace, "net.ipv6.conf.all.forwarding=0");
        let own = format!("2001:db8:1::a{i}/64");
        common::ip_in(&h.namespace, &["addr", "del", &own, "dev", "eth0"]);
    }
    common::ip_in(
        &lab.scan_ns,
        &["-6", "neigh", "del", anycast, "dev", "eth0"],
    );

    // 4. A host starts forging RAs: one from its own address for a prefix no router
    // advertises, one from another host's address with a random source option.
    let forger = hosts[0].clone();
    let victim = hosts[1].clone();
    let scanner_mac = mac(&lab.scanner_iface("eth0").mac);
    let forging = Arc::new(Forging::default());
    let flood = {
        let forging = forging.clone();
        let (ns, fmac, fll, vll) = (
            forger.namespace.clone(),
            mac(&forger.mac),
            link_local(&forger),
            link_local(&victim),
        );
        std::thread::spawn(move || forge_ras(&ns, fmac, fll, vll, scanner_mac, &forging))
    };
    wait_for(Duration::from_secs(30), "forged RA sent", || {
        forging.started.load(Ordering::Relaxed).then_some(())
    });
    let doc = scan(&lab, &["--inventory", inv_arg]);
    forging.stop.store(true, Ordering::Relaxed);
    flood.join().unwrap();
    let addrs: Vec<String> = eth0(&doc)["routers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["address"].as_str().unwrap().to_string())
        .collect();
    assert!(
        addrs.contains(&link_local(&forger).to_string()),
        "{addrs:?}"
    );
    let rogue = alerts(&doc, "rogue-router");
    assert!(
        rogue
            .iter()
            .any(|a| a["macs"] == serde_json::json!([forger.mac])
                && a["message"].as_str().unwrap().contains("2001:db8:bad::/64")),
        "{:?}",
        kinds(&doc)
    );
    // The victim keeps its real MAC; the other claim is flagged.
    let victim_ll = link_local(&victim).to_string();
    let macs: Vec<String> = rows(&doc)
        .into_iter()
        .filter(|(a, _)| *a == victim_ll)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(macs, std::slice::from_ref(&victim.mac), "{victim_ll}");
    assert!(
        alerts(&doc, "mac-change")
            .iter()
            .any(|a| a["addresses"] == serde_json::json!([victim_ll])),
        "{:?}",
        kinds(&doc)
    );
    eprintln!("alerts under forged RAs: {:?}", kinds(&doc));
}

/// Between a test and its forging thread: it stops when told, and says when its first
/// forgeries are out.
#[derive(Default)]
struct Forging {
    stop: AtomicBool,
    started: AtomicBool,
}

/// Sends, until `run.stop`, every 50 ms: an RA from `own` (the forger's link-local address
/// and MAC) for [`ROGUE_PREFIX`], and one from `victim`'s address with a random source
/// option. Only to the scanner's MAC, so no other lab host takes the forger as its router.
fn forge_ras(ns: &str, own_mac: Mac, own: Ipv6Addr, victim: Ipv6Addr, to: Mac, run: &Forging) {
    let (fd, sll) = packet_socket(ns);
    let all_nodes: Ipv6Addr = "ff02::1".parse().unwrap();
    let ra = |source_mac: Mac, prefixes: Vec<PrefixInfo>| {
        Icmp::RouterAdvert(Box::new(Advert {
            cur_hop_limit: 64,
            router_lifetime: 1800,
            source_mac: Some(source_mac),
            prefixes,
            ..Advert::default()
        }))
        .to_bytes()
    };
    let rogue = ra(
        own_mac,
        vec![PrefixInfo {
            prefix: ROGUE_PREFIX.parse().unwrap(),
            len: 64,
            on_link: true,
            autonomous: false,
            valid_lifetime: 3600,
            preferred_lifetime: 1800,
        }],
    );
    let renaming = ra(Mac([0x02, 0x66, 0x6f, 0x72, 0x67, 0x65]), vec![]);
    while !run.stop.load(Ordering::Relaxed) {
        send(
            &fd,
            &sll,
            &frame((own_mac, to), own, all_nodes, 255, &rogue, false),
        );
        send(
            &fd,
            &sll,
            &frame((own_mac, to), victim, all_nodes, 255, &renaming, false),
        );
        run.started.store(true, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(50));
    }
}
