//! Every address of hosts with privacy addresses: each host has a random
//! stable global address and a random "temporary" one; only the temporary one is ever a
//! source (the prefix route prefers it, and a filter drops everything the stable one
//! would send but its Neighbour Advertisements and avahi's own mDNS). A real avahi-daemon
//! on each publishes both, plus an address outside the link's prefixes and some DNS-SD
//! services. The default scan must list both global addresses with the host's MAC (the
//! stable one `seen_by: mdns`), the off-link one as `announced`, and the services; with
//! `--no-names` the stable addresses stay hidden, which shows the lab hides them. Needs
//! root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1 (see tests/common).
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::avahi::{self, Avahi};
use common::{parse_addr, Host, Lab};
use serde_json::Value;
use std::net::Ipv6Addr;
use std::process::Command;

/// What one lab host gets.
struct Privacy<'a> {
    host: &'a Host,
    name: String,
    stable: Ipv6Addr,
    temporary: Ipv6Addr,
    off_link: Ipv6Addr,
    services: Vec<(&'static str, u16)>,
}

/// Runs a command given as one line (words split at blanks); it must succeed.
fn run(line: &str) {
    let args: Vec<&str> = line.split_whitespace().collect();
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Gives `p.host` its addresses and filter; see the module doc.
fn set_up(p: &Privacy<'_>) {
    let ns = &p.host.namespace;
    let (s, t, o) = (p.stable, p.temporary, p.off_link);
    run(&format!("ip -n {ns} addr add {s}/64 dev eth0 nodad"));
    run(&format!("ip -n {ns} addr add {t}/64 dev eth0 nodad"));
    run(&format!(
        "ip -n {ns} addr add {o}/64 dev eth0 nodad noprefixroute"
    ));
    run(&format!(
        "ip -n {ns} -6 route replace 2001:db8:1::/64 dev eth0 proto kernel metric 256 src {t}"
    ));
    let out = format!("ip netns exec {ns} ip6tables-legacy -w -A OUTPUT -s {s}");
    run(&format!(
        "{out} -p ipv6-icmp --icmpv6-type neighbour-advertisement -j ACCEPT"
    ));
    // avahi sends its mDNS from one address of its choosing, which may be this one.
    run(&format!("{out} -p udp --sport 5353 -j ACCEPT"));
    run(&format!("{out} -j DROP"));
}

/// Every host row of interface eth0: (address, mac, the row).
fn rows(doc: &Value) -> Vec<(Ipv6Addr, String, Value)> {
    let mut out = Vec::new();
    for i in doc["interfaces"].as_array().unwrap() {
        for p in i["prefixes"].as_array().unwrap() {
            for h in p["hosts"].as_array().unwrap() {
                out.push((
                    parse_addr(h["address"].as_str().unwrap()),
                    h["mac"].as_str().unwrap_or("").to_string(),
                    h.clone(),
                ));
            }
        }
    }
    out
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn stable_addresses_announced_over_mdns_are_confirmed_and_listed() {
    if !avahi::available() {
        common::skip_or_fail("avahi-daemon is not installed (tests/deps.sh installs it)");
        return;
    }
    let Some(lab) = Lab::create(6, 0) else { return };
    let hosts: Vec<&Host> = lab.hosts_on("eth0").filter(|h| h.role == "host").collect();
    let services: [Vec<(&str, u16)>; 3] = [
        vec![("_ssh._tcp", 22), ("_sftp-ssh._tcp", 22)],
        vec![("_ipp._tcp", 631)],
        vec![],
    ];
    let plan: Vec<Privacy<'_>> = hosts
        .iter()
        .take(3)
        .zip(services)
        .enumerate()
        .map(|(i, (h, services))| Privacy {
            host: h,
            name: format!("privacy{i}"),
            stable: format!("2001:db8:1:0:9c4e:{:x}a7:31f0:5d2b", i + 1)
                .parse()
                .unwrap(),
            temporary: format!("2001:db8:1:0:{:x}e1:77c2:8b09:f3a4", i + 1)
                .parse()
                .unwrap(),
            off_link: format!("2001:db8:77::{:x}", i + 0x51).parse().unwrap(),
            services,
        })
        .collect();
    for p in &plan {
        set_up(p);
    }
    let _avahi: Vec<Avahi> = plan
        .iter()
        .map(|p| Avahi::start(&lab, &p.host.namespace, &p.name, &p.services))
        .collect();

    // Without names the stable addresses stay hidden: the lab hides them as it should.
    lab.cold();
    let doc = lab.scan_json("eth0", &["--no-names"]);
    let found = rows(&doc);
    for p in &plan {
        assert!(
            found
                .iter()
                .any(|(a, m, _)| *a == p.temporary && *m == p.host.mac),
            "{}: temporary not found\n{doc:#}",
            p.name
        );
        assert!(
            !found.iter().any(|(a, _, _)| *a == p.stable),
            "{}: stable found without mDNS",
            p.name
        );
    }

    lab.cold();
    let doc = lab.scan_json("eth0", &[]);
    let found = rows(&doc);
    for p in &plan {
        let stable = found
            .iter()
            .find(|(a, _, _)| *a == p.stable)
            .unwrap_or_else(|| panic!("{}: stable {} not listed\n{doc:#}", p.name, p.stable));
        assert_eq!(stable.1, p.host.mac, "{}", p.name);
        assert!(
            strings(&stable.2["seen_by"]).contains(&"mdns".to_string()),
            "{stable:?}"
        );
        assert!(found
            .iter()
            .any(|(a, m, _)| *a == p.temporary && *m == p.host.mac));
        assert!(
            !found.iter().any(|(a, _, _)| *a == p.off_link),
            "off-link address probed"
        );
        let mut want: Vec<String> = p.services.iter().map(|(t, _)| t.to_string()).collect();
        want.sort();
        for (_, _, row) in found.iter().filter(|(_, m, _)| *m == p.host.mac) {
            assert_eq!(
                strings(&row["announced"]),
                [p.off_link.to_string()],
                "{row}"
            );
            assert_eq!(strings(&row["services"]), want, "{row}");
            assert!(
                strings(&row["names"]).contains(&format!("{}.local", p.name)),
                "{row}"
            );
        }
    }
    // No other host gets what these announced.
    for (_, m, row) in &found {
        if !plan.iter().any(|p| p.host.mac == *m) {
            assert!(
                strings(&row["services"]).is_empty() && strings(&row["announced"]).is_empty(),
                "{row}"
            );
        }
    }

    // The table shows what each offers, in short.
    let out = lab.run_scanner(&["--table", "-i", "eth0"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SERVICES"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains(&plan[0].stable.to_string()))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("sftp-ssh, ssh"), "{line}");
}
