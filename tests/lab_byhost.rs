//! `--by-host` against a real kernel: every lab device is one row per interface, with its
//! scoped link-local address. Needs root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::{parse_addr, Lab};
use std::collections::BTreeMap;

#[test]
fn by_host_lists_every_lab_mac_once_per_interface_with_its_link_local_address() {
    let Some(lab) = Lab::create(6, 3) else {
        return;
    };
    let o = lab.run_scanner(&["--by-host", "--plain", "--no-header", "--sort", "mac"]);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    // (interface, MAC) -> the row's columns.
    let mut rows: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut macs_in_order: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in out.lines() {
        let cols: Vec<String> = line.split(' ').map(str::to_owned).collect();
        assert!(cols.len() >= 10, "short row: {line}");
        let key = (cols[0].clone(), cols[1].clone());
        macs_in_order
            .entry(cols[0].clone())
            .or_default()
            .push(cols[1].clone());
        assert!(rows.insert(key, cols).is_none(), "listed twice: {line}");
    }
    for h in &lab.manifest.hosts {
        let key = (h.scanner_iface.clone(), h.mac.clone());
        let row = rows
            .get(&key)
            .unwrap_or_else(|| panic!("{} ({}) missing:\n{out}", h.namespace, h.mac));
        let (ll, others): (Vec<_>, Vec<_>) = h
            .addrs()
            .into_iter()
            .partition(|a| a.segments()[0] & 0xffc0 == 0xfe80);
        let listed_ll: Vec<&str> = row[2].split(',').collect();
        for a in &ll {
            let want = format!("{a}%{}", h.scanner_iface);
            assert!(listed_ll.contains(&want.as_str()), "{want} not in {row:?}");
        }
        let listed: Vec<_> = row[3]
            .split(',')
            .filter(|s| *s != "-")
            .map(parse_addr)
            .collect();
        for a in &others {
            assert!(listed.contains(a), "{}: {a} not in {row:?}", h.namespace);
        }
        assert_eq!(
            row[7].split(',').any(|m| m == "router"),
            h.router,
            "{}: router mark in {row:?}",
            h.namespace
        );
    }
    // Both links were scanned, and each interface's rows are in MAC order.
    for iface in ["eth0", "eth1"] {
        let macs = &macs_in_order[iface];
        let mut sorted = macs.clone();
        sorted.sort();
        assert_eq!(macs, &sorted, "{iface} not sorted by MAC");
    }
    // The table view has one line per device too.
    let t = lab.run_scanner(&["--by-host", "--table", "-i", "eth0"]);
    let table = String::from_utf8_lossy(&t.stdout);
    for h in lab.hosts_on("eth0") {
        let n = table.lines().filter(|l| l.contains(&h.mac)).count();
        assert_eq!(n, 1, "{} in the table {n} times:\n{table}", h.mac);
    }
}
