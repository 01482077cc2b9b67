//! The core scan against a real kernel: network-namespace labs (tests/lab/lab.sh).
//! Needs root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1 (see tests/common).
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::net::Ipv6Addr;

use common::{parse_addr, Lab};
use serde_json::Value;

/// One `hosts[]` entry of the JSON report, flattened with its interface and prefix.
#[derive(Debug, Clone)]
struct Entry {
    iface: String,
    prefix: String,
    kind: String,
    source: String,
    address: Ipv6Addr,
    scoped: String,
    mac: Option<String>,
    router: bool,
    is_self: bool,
    stale: bool,
    seen_by: Vec<String>,
}

fn str_of(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string {key:?} in {v}"))
        .to_owned()
}

fn bool_of(v: &Value, key: &str) -> bool {
    v[key]
        .as_bool()
        .unwrap_or_else(|| panic!("missing bool {key:?} in {v}"))
}

/// Runs the scanner with `args` and returns its JSON entries; asserts exit code `want_exit`.
fn scan(lab: &Lab, args: &[&str], want_exit: i32) -> Vec<Entry> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = lab.run_scanner(&all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(want_exit),
        "v6scout {all:?}\nstderr: {stderr}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        let stdout = String::from_utf8_lossy(&out.stdout);
        panic!("v6scout {all:?}: bad JSON ({e}):\n{stdout}\nstderr: {stderr}")
    });
    assert_eq!(doc["version"], 1, "{doc}");
    let mut entries = Vec::new();
    for iface in doc["interfaces"].as_array().unwrap() {
        let name = str_of(iface, "name");
        for prefix in iface["prefixes"].as_array().unwrap() {
            for h in prefix["hosts"].as_array().unwrap() {
                entries.push(Entry {
                    iface: name.clone(),
                    prefix: str_of(prefix, "prefix"),
                    kind: str_of(prefix, "kind"),
                    source: str_of(prefix, "source"),
                    address: parse_addr(&str_of(h, "address")),
                    scoped: str_of(h, "scoped"),
                    mac: h["mac"].as_str().map(str::to_owned),
                    router: bool_of(h, "router"),
                    is_self: bool_of(h, "self"),
                    stale: bool_of(h, "stale"),
                    seen_by: h["seen_by"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap().to_owned())
                        .collect(),
                });
            }
        }
    }
    entries
}

fn find<'a>(entries: &'a [Entry], iface: &str, addr: Ipv6Addr) -> Option<&'a Entry> {
    entries
        .iter()
        .find(|e| e.iface == iface && e.address == addr)
}

fn is_link_local(a: Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// The /64 prefix of `a` as the scanner prints it, and its expected kind.
fn prefix64(a: Ipv6Addr) -> (String, &'static str) {
    let s = a.segments();
    let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
    let kind = if is_link_local(a) {
        "link-local"
    } else if s[0] & 0xfe00 == 0xfc00 {
        "ula"
    } else {
        "global"
    };
    (format!("{net}/64"), kind)
}

/// Checks one expected address: listed on `iface`, under its /64, with the right MAC.
fn assert_address(entries: &[Entry], iface: &str, addr: Ipv6Addr, mac: &str, what: &str) {
    let e = find(entries, iface, addr)
        .unwrap_or_else(|| panic!("{what}: {addr} not found on {iface}; got {entries:#?}"));
    let (prefix, kind) = prefix64(addr);
    assert_eq!(e.prefix, prefix, "{what}: {addr}");
    assert_eq!(e.kind, kind, "{what}: {addr}");
    assert_eq!(e.mac.as_deref(), Some(mac), "{what}: {addr}");
    if is_link_local(addr) {
        assert_eq!(e.scoped, format!("{addr}%{iface}"), "{what}");
    } else {
        assert_eq!(e.scoped, addr.to_string(), "{what}");
    }
}

fn assert_no_duplicates(entries: &[Entry]) {
    let mut seen = BTreeSet::new();
    for e in entries {
        assert!(
            seen.insert((e.iface.clone(), e.address)),
            "{} listed twice on {}",
            e.address,
            e.iface
        );
    }
}

/// The comprehensive default-scan test: every device, address, MAC and flag on both links.
#[test]
fn default_scan_finds_every_host_and_address() {
    let Some(lab) = Lab::create(22, 3) else {
        return;
    };
    // The manifest describes this lab, not the --multi/--ipv4 ones.
    assert_eq!(
        lab.manifest.ra_prefixes.len(),
        2,
        "{:?}",
        lab.manifest.ra_prefixes
    );
    assert!(lab.manifest.ipv4_only.is_empty());
    let entries = scan(&lab, &[], 0);
    assert_no_duplicates(&entries);

    for h in &lab.manifest.hosts {
        let iface = h.scanner_iface.as_str();
        let what = format!("{} ({})", h.namespace, h.mac);
        for a in h.addrs() {
            assert_address(&entries, iface, a, &h.mac, &what);
            let e = find(&entries, iface, a).unwrap();
            assert!(!e.is_self && !e.stale, "{what}: {a} marked self/stale");
            assert_eq!(e.router, h.router, "{what}: {a} router flag");
            if h.silent {
                assert!(
                    e.seen_by.iter().any(|s| s == "param-problem"),
                    "{what}: silent host's {a} not seen by param-problem: {:?}",
                    e.seen_by
                );
            }
            if a.segments()[..4] == [0x2001, 0xdb8, 0x99, 0] {
                assert_eq!(
                    e.source, "ra",
                    "{what}: 2001:db8:99::/64 is known only from the RA"
                );
            }
        }
    }
    assert!(lab.manifest.hosts.iter().any(|h| h.router));
    assert!(lab.manifest.hosts.iter().any(|h| h.silent));

    // Nothing else: no stale cache entries, none of our own addresses, no phantom hosts.
    let expected: BTreeSet<(String, Ipv6Addr)> = lab
        .manifest
        .hosts
        .iter()
        .flat_map(|h| h.addrs().into_iter().map(|a| (h.scanner_iface.clone(), a)))
        .collect();
    for e in &entries {
        assert!(
            expected.contains(&(e.iface.clone(), e.address)),
            "unexpected entry {e:?}"
        );
    }
    for s in &lab.manifest.stale {
        assert!(find(&entries, &s.scanner_iface, parse_addr(&s.address)).is_none());
    }
    for i in &lab.manifest.scanner.interfaces {
        for a in &i.addresses {
            assert!(
                find(&entries, &i.name, parse_addr(a)).is_none(),
                "own {a} listed"
            );
        }
    }
    // Both links scanned in the one run.
    assert!(entries.iter().any(|e| e.iface == "eth1"));
}

/// The JSON and --plain renderings of a scan, as (iface, address, mac) sets.
fn triples(entries: &[Entry]) -> BTreeSet<(String, Ipv6Addr, Option<String>)> {
    entries
        .iter()
        .map(|e| (e.iface.clone(), e.address, e.mac.clone()))
        .collect()
}

fn is_mac(s: &str) -> bool {
    s.len() == 17
        && s.split(':')
            .all(|b| b.len() == 2 && b.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Parses --plain output loosely: each line with an IPv6 address is one entry; the interface
/// is its `%scope` or a column naming a scanned interface; the MAC is a MAC-shaped column.
fn plain_triples(text: &str, ifaces: &[&str]) -> BTreeSet<(String, Ipv6Addr, Option<String>)> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let Some((addr, scope)) = cols.iter().find_map(|c| {
            let (a, scope) = c.split_once('%').map_or((*c, None), |(a, s)| (a, Some(s)));
            a.parse::<Ipv6Addr>().ok().map(|a| (a, scope))
        }) else {
            continue;
        };
        let iface = scope
            .or_else(|| cols.iter().copied().find(|c| ifaces.contains(c)))
            .unwrap_or_else(|| panic!("--plain line without interface: {line:?}"));
        let mac = cols.iter().find(|c| is_mac(c)).map(|m| m.to_lowercase());
        out.insert((iface.to_owned(), addr, mac));
    }
    out
}

/// The flags on a smaller lab: --include-stale, --include-self, -i, --plain and bad -i.
#[test]
fn flags_stale_self_interface_selection_and_plain() {
    let Some(lab) = Lab::create(8, 2) else { return };

    // Stale cache entries are listed only on request, and marked.
    let entries = scan(&lab, &["--include-stale"], 0);
    assert_no_duplicates(&entries);
    for s in &lab.manifest.stale {
        let e = find(&entries, &s.scanner_iface, parse_addr(&s.address))
            .unwrap_or_else(|| panic!("stale {} not listed with --include-stale", s.address));
        assert!(e.stale, "{e:?}");
        assert_eq!(e.mac.as_deref(), Some(s.mac.as_str()));
        assert!(e.seen_by.iter().any(|s| s == "cache"), "{e:?}");
    }
    for e in entries.iter().filter(|e| e.stale) {
        assert!(
            lab.manifest
                .stale
                .iter()
                .any(|s| parse_addr(&s.address) == e.address),
            "live host marked stale: {e:?}"
        );
    }

    // Our own addresses are listed only on request, and marked.
    let entries = scan(&lab, &["--include-self"], 0);
    assert_no_duplicates(&entries);
    for i in &lab.manifest.scanner.interfaces {
        for a in &i.addresses {
            let e = find(&entries, &i.name, parse_addr(a))
                .unwrap_or_else(|| panic!("own {a} not listed with --include-self"));
            assert!(e.is_self, "{e:?}");
            assert_eq!(e.mac.as_deref(), Some(i.mac.as_str()));
        }
    }

    // MACs come from our own Neighbour Solicitations, not only from the kernel cache.
    let entries = scan(&lab, &["--no-ndp-cache"], 0);
    for h in &lab.manifest.hosts {
        for a in h.addrs() {
            assert_address(&entries, &h.scanner_iface, a, &h.mac, &h.namespace);
            let e = find(&entries, &h.scanner_iface, a).unwrap();
            assert!(e.seen_by.iter().any(|s| s == "ndp"), "{e:?}");
        }
    }

    // -i eth1 restricts the scan to link B, and finds all of it.
    let entries = scan(&lab, &["-i", "eth1"], 0);
    assert!(entries.iter().all(|e| e.iface == "eth1"), "{entries:#?}");
    for h in lab.hosts_on("eth1") {
        for a in h.addrs() {
            assert_address(&entries, "eth1", a, &h.mac, &h.namespace);
        }
    }

    // --plain lists the same (iface, address, mac) set as --json.
    let json = triples(&scan(&lab, &[], 0));
    let out = lab.run_scanner(&["--plain"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = plain_triples(&String::from_utf8_lossy(&out.stdout), &["eth0", "eth1"]);
    assert_eq!(plain, json, "--plain and --json disagree");

    // An unknown interface is an error naming the valid ones.
    let out = lab.run_scanner(&["-i", "nosuch0"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nosuch0"), "{stderr}");
    assert!(
        stderr.contains("eth0") && stderr.contains("eth1"),
        "{stderr}"
    );
}

/// Link-local-only mode still finds every host on both links, by link-local address only.
#[test]
fn link_local_only_scan() {
    let Some(lab) = Lab::create(6, 2) else { return };
    let entries = scan(&lab, &["-L"], 0);
    assert_no_duplicates(&entries);
    assert!(
        entries.iter().all(|e| is_link_local(e.address)),
        "{entries:#?}"
    );
    for h in &lab.manifest.hosts {
        let ll = h.addrs().into_iter().find(|a| is_link_local(*a)).unwrap();
        assert_address(&entries, &h.scanner_iface, ll, &h.mac, &h.namespace);
    }
}
