//! Dual stack and reachability in the lab (`lab.sh create --ipv4`): each host's IPv4
//! address by MAC, hosts without one, an IPv4-only device, and a real sshd. Needs root.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::sshd::Sshd;
use common::Lab;
use serde_json::Value;

fn hosts(doc: &Value) -> Vec<&Value> {
    doc["interfaces"][0]["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["hosts"].as_array().unwrap())
        .collect()
}

#[test]
fn ipv4_by_mac_ipv4_only_devices_and_ssh_reachability() {
    let Some(lab) = Lab::create_with(8, 0, &["--ipv4"]) else {
        return;
    };
    let with_v4 = lab
        .hosts_on("eth0")
        .find(|h| h.role == "host" && !h.ipv4.is_empty())
        .unwrap();
    let _sshd = Sshd::start(&with_v4.namespace, &lab.runid);

    let out = lab.run_scanner(&["-i", "eth0", "--json", "--ipv4", "--services"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = hosts(&doc);
    for h in lab.hosts_on("eth0") {
        let mine: Vec<&&Value> = rows.iter().filter(|r| r["mac"] == h.mac.as_str()).collect();
        assert!(!mine.is_empty(), "{} not found", h.namespace);
        for r in &mine {
            let v4: Vec<&str> = r["ipv4"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            assert_eq!(
                v4, h.ipv4,
                "{} ({}): IPv4 by MAC",
                h.namespace, r["address"]
            );
            let want_open: Vec<u16> = if h.namespace == with_v4.namespace {
                vec![22]
            } else {
                vec![]
            };
            let open: Vec<u16> = r["open_ports"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_u64().unwrap() as u16)
                .collect();
            assert_eq!(open, want_open, "{}: open ports", h.namespace);
        }
    }
    assert!(
        lab.hosts_on("eth0")
            .any(|h| h.role == "host" && h.ipv4.is_empty()),
        "the lab has hosts without IPv4"
    );
    let v4only: Vec<(String, String)> = doc["interfaces"][0]["ipv4_only"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["address"].as_str().unwrap().to_owned(),
                h["mac"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = lab
        .manifest
        .ipv4_only
        .iter()
        .map(|d| (d.ipv4[0].clone(), d.mac.clone()))
        .collect();
    assert_eq!(v4only, want);

    // The table shows it at a glance: an IPV4 column with `-` for hosts without, ssh open.
    let table = lab.run_scanner(&["-i", "eth0", "--table", "-L", "-4", "--services"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("IPV4") && text.contains("OPEN"), "{text}");
    let ssh_line = text.lines().find(|l| l.contains(&with_v4.mac)).unwrap();
    assert!(
        ssh_line.contains(&with_v4.ipv4[0]) && ssh_line.contains(" ssh "),
        "{ssh_line}"
    );
    let none = lab
        .hosts_on("eth0")
        .find(|h| h.role == "host" && h.ipv4.is_empty())
        .unwrap();
    let none_line = text.lines().find(|l| l.contains(&none.mac)).unwrap();
    assert!(none_line.contains(" - "), "{none_line}");
    assert!(
        text.contains("IPv4 only") && text.contains("192.0.2.200"),
        "{text}"
    );
}

#[test]
fn oversized_subnet_is_skipped_with_a_clear_warning() {
    let Some(lab) = Lab::create_with(2, 0, &["--ipv4"]) else {
        return;
    };
    let out = lab.run_scanner(&["-i", "eth0", "--json", "--ipv4", "--ipv4-max-hosts", "100"]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "not sweeping 192.0.2.0/24: 254 addresses is more than 100; raise --ipv4-max-hosts"
        ),
        "{err}"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        hosts(&doc).iter().all(|r| r.get("ipv4").is_none()),
        "no sweep, no claims"
    );
}

#[test]
fn resolve_prefers_the_address_where_ssh_answers() {
    let Some(lab) = Lab::create(3, 0) else { return };
    let h = lab
        .hosts_on("eth0")
        .find(|h| {
            h.role == "host"
                && h.addrs()
                    .iter()
                    .any(|a| a.segments()[..3] == [0x2001, 0xdb8, 1])
        })
        .unwrap();
    let ll = h
        .addrs()
        .into_iter()
        .find(|a| a.segments()[0] == 0xfe80)
        .unwrap();
    let global = h
        .addrs()
        .into_iter()
        .find(|a| a.segments()[..3] == [0x2001, 0xdb8, 1])
        .unwrap();
    let resolve = |args: &[&str]| {
        let mut all = vec!["resolve", h.mac.as_str(), "-i", "eth0"];
        all.extend_from_slice(args);
        let out = lab.run_scanner(&all);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // No ssh anywhere: the usual preference, link-local first.
    assert_eq!(resolve(&[]), format!("{ll}%eth0\n"));
    // sshd listening on the global address only: that is the address to use.
    let _sshd = Sshd::start_on(&h.namespace, &lab.runid, &global.to_string());
    assert_eq!(resolve(&[]), format!("{global}\n"));
}
