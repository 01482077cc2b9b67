//! Names from a real mDNS responder (avahi-daemon in one host namespace) and from the
//! system resolver (an /etc/hosts entry, bound into the scanner's namespace by
//! `ip netns exec` from /etc/netns/NAME/). Needs root; skipped otherwise unless
//! V6SCOUT_REQUIRE_LAB=1 (see tests/common).
//!
//! Reverse DNS proper (a DNS server answering PTR queries) is not set up: it needs a DNS
//! server package in the lab; the hosts-file entry goes through the same getnameinfo path.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::avahi::{self, Avahi};
use common::{parse_addr, Host, Lab};
use serde_json::Value;
use std::path::PathBuf;

const MDNS_NAME: &str = "scoutpi";
const HOSTS_NAME: &str = "files-name.example.org";

/// avahi-daemon in `ns`, plus the scanner's /etc/netns files; everything is removed on
/// drop (lab destroy also kills every process in the lab).
struct Names {
    _avahi: Avahi,
    etc: PathBuf,
}

impl Names {
    fn start(lab: &Lab, ns: &str, hosts_line: &str) -> Names {
        let etc = PathBuf::from("/etc/netns").join(&lab.manifest.scanner.namespace);
        std::fs::create_dir_all(&etc).unwrap();
        std::fs::write(etc.join("hosts"), format!("{hosts_line}\n")).unwrap();
        // No resolver inside the lab: DNS queries fail at once instead of waiting.
        std::fs::write(
            etc.join("resolv.conf"),
            "nameserver ::1\noptions timeout:1 attempts:1\n",
        )
        .unwrap();
        Names {
            _avahi: Avahi::start(lab, ns, MDNS_NAME, &[]),
            etc,
        }
    }
}

impl Drop for Names {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.etc);
        let _ = std::fs::remove_dir("/etc/netns"); // only if empty
    }
}

/// Every (address, names) of the JSON report.
fn names_of(doc: &Value) -> Vec<(std::net::Ipv6Addr, Vec<String>)> {
    let mut out = Vec::new();
    for i in doc["interfaces"].as_array().unwrap() {
        for p in i["prefixes"].as_array().unwrap() {
            for h in p["hosts"].as_array().unwrap() {
                let names = h["names"].as_array().expect("names is always a list");
                out.push((
                    parse_addr(h["address"].as_str().unwrap()),
                    names
                        .iter()
                        .map(|n| n.as_str().unwrap().to_owned())
                        .collect(),
                ));
            }
        }
    }
    out
}

#[test]
fn names_from_mdns_and_the_system_resolver() {
    if !avahi::available() {
        common::skip_or_fail("avahi-daemon is not installed (tests/deps.sh installs it)");
        return;
    }
    let Some(lab) = Lab::create(4, 0) else { return };
    let hosts: Vec<&Host> = lab.hosts_on("eth0").filter(|h| h.role == "host").collect();
    let mdns_host = hosts[2];
    // A host with a global address gets the hosts-file name.
    let (files_host, files_addr) = hosts
        .iter()
        .filter(|h| h.mac != mdns_host.mac)
        .find_map(|h| {
            h.addrs()
                .into_iter()
                .find(|a| (a.segments()[0] & 0xe000) == 0x2000)
                .map(|a| (*h, a))
        })
        .expect("a lab host with a global address");
    let _names = Names::start(
        &lab,
        &mdns_host.namespace,
        &format!("{files_addr} {HOSTS_NAME}"),
    );

    let doc = lab.scan_json("eth0", &[]);
    let rows = names_of(&doc);
    let want_mdns = format!("{MDNS_NAME}.local");
    for a in mdns_host.addrs() {
        if let Some((_, n)) = rows.iter().find(|(x, _)| *x == a) {
            assert!(n.contains(&want_mdns), "{a}: {n:?}\n{doc:#}");
        }
    }
    for a in files_host.addrs() {
        if let Some((_, n)) = rows.iter().find(|(x, _)| *x == a) {
            assert!(n.iter().any(|x| x == HOSTS_NAME), "{a}: {n:?}\n{doc:#}");
        }
    }
    assert!(rows.iter().any(|(a, _)| *a == files_addr));
    let named = rows.iter().filter(|(_, n)| !n.is_empty()).count();
    let expected = mdns_host.addrs().len() + files_host.addrs().len();
    assert!(named <= expected, "names on unrelated hosts:\n{doc:#}");

    // Plain output carries the names in their own column, before the vendor.
    let out = lab.run_scanner(&["--plain", "-i", "eth0"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains(&want_mdns))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(line.split(' ').nth(8), Some(want_mdns.as_str()), "{line}");

    // --no-names asks nobody.
    let doc = lab.scan_json("eth0", &["--no-names"]);
    assert!(names_of(&doc).iter().all(|(_, n)| n.is_empty()), "{doc:#}");

    // The ssh helper finds the device by that name, with or without `.local`.
    let ll = mdns_host
        .addrs()
        .into_iter()
        .find(|a| a.segments()[0] == 0xfe80)
        .unwrap();
    for query in [want_mdns.as_str(), MDNS_NAME] {
        let out = lab.run_scanner(&["resolve", query, "-i", "eth0"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{ll}%eth0\n"),
            "{query}"
        );
    }
}
