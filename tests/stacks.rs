//! Other IPv6 stacks as lab hosts: smoltcp (tests/common/smol.rs) beside Linux hosts on
//! link A, one with its echo responder on and one with it off (as embassy-net ships it).
//! v6scout must list each with its MAC in every run, with and without MLD snooping.
//!
//! Needs root and `--features lab-helpers` (tests/run.sh passes it); skipped otherwise
//! unless V6SCOUT_REQUIRE_LAB=1. `V6SCOUT_SMOL_CORPUS=DIR` also writes what smoltcp sent
//! (tests/corpus/smoltcp/README.md) into DIR.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use std::fmt::Write as _;
use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::time::Duration;

use common::smol::{smolhost_bin, SmolHost, SmolSpec};
use common::{parse_addr, skip_or_fail, wait_for, Lab};
use serde_json::Value;

/// Scans per test: each must find every smoltcp host.
const RUNS: usize = 3;

/// Espressif (ESP32) and STMicroelectronics (STM32) OUIs: boards smoltcp runs on.
fn specs() -> [SmolSpec; 2] {
    [
        SmolSpec {
            mac: "24:0a:c4:5e:00:01".into(),
            echo: true,
            globals: vec!["2001:db8:1::5e:1".into()],
        },
        SmolSpec {
            mac: "00:80:e1:5e:00:02".into(),
            echo: false,
            globals: vec![],
        },
    ]
}

/// One `hosts[]` entry of the JSON report on some interface.
#[derive(Debug)]
struct Entry {
    iface: String,
    address: Ipv6Addr,
    mac: Option<String>,
    seen_by: Vec<String>,
}

fn scan(lab: &Lab) -> Result<Vec<Entry>, String> {
    let args = ["--json", "-i", "eth0"];
    let out = lab.run_scanner(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "v6scout {args:?}: {}\nstderr: {stderr}",
            out.status
        ));
    }
    let doc: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        let stdout = String::from_utf8_lossy(&out.stdout);
        format!("v6scout {args:?}: bad JSON ({e}):\n{stdout}\nstderr: {stderr}")
    })?;
    let mut entries = Vec::new();
    for iface in doc["interfaces"].as_array().unwrap() {
        let name = iface["name"].as_str().unwrap().to_owned();
        for prefix in iface["prefixes"].as_array().unwrap() {
            for h in prefix["hosts"].as_array().unwrap() {
                entries.push(Entry {
                    iface: name.clone(),
                    address: parse_addr(h["address"].as_str().unwrap()),
                    mac: h["mac"].as_str().map(str::to_owned),
                    seen_by: h["seen_by"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                });
            }
        }
    }
    Ok(entries)
}

/// Whether `ping -6 -c1 ADDR%eth0` from the scanner gets an answer.
fn pings(lab: &Lab, addr: Ipv6Addr) -> bool {
    let target = format!("{addr}%eth0");
    let out = lab.exec("ping", &["-6", "-n", "-q", "-c1", "-W1", &target]);
    out.status.success()
}

/// Checks one expected address in a scan; appends what is wrong to `problems`.
fn check(entries: &[Entry], addr: Ipv6Addr, mac: &str, what: &str, problems: &mut String) {
    match entries
        .iter()
        .find(|e| e.iface == "eth0" && e.address == addr)
    {
        None => writeln!(problems, "{what}: {addr} not listed").unwrap(),
        Some(e) if e.mac.as_deref() != Some(mac) => writeln!(
            problems,
            "{what}: {addr} listed with MAC {:?}, want {mac} (seen by {:?})",
            e.mac, e.seen_by
        )
        .unwrap(),
        Some(_) => {}
    }
}

/// Whether link A's bridge has `h`'s solicited-node group on `h`'s port.
fn joined(h: &SmolHost) -> bool {
    let o = h.link_local.octets();
    let group = Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    );
    let out = std::process::Command::new("ip")
        .args(["netns", "exec", &h.bridge_ns, "bridge", "-j", "mdb", "show"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let entries = doc.as_array().into_iter().flatten();
    entries
        .flat_map(|e| e["mdb"].as_array().into_iter().flatten())
        .any(|m| {
            m["port"] == h.tap.as_str()
                && m["grp"].as_str().and_then(|g| g.parse().ok()) == Some(group)
        })
}

fn smoltcp_hosts_found(extra: &[&str]) {
    if smolhost_bin().is_none() {
        skip_or_fail("smolhost not built (run with --features lab-helpers, as tests/run.sh does)");
        return;
    }
    if !std::path::Path::new("/dev/net/tun").exists() {
        skip_or_fail("/dev/net/tun missing (the smoltcp hosts run on tap devices)");
        return;
    }
    let Some(lab) = Lab::create_with(3, 0, extra) else {
        return;
    };
    let hosts: Vec<SmolHost> = specs()
        .into_iter()
        .map(|s| SmolHost::start(&lab, s))
        .collect();
    // smoltcp sends its MLD report on the first poll (its log shows what it sent; the
    // carrier is up already). That report leaves its solicited-node group, so a snooping
    // bridge forwards solicitations to it only once its answer to the bridge's queries has
    // put the group back on its port.
    for h in &hosts {
        let polled = || h.log().lines().any(|l| l.starts_with("tx ")).then_some(());
        wait_for(
            Duration::from_secs(30),
            "smoltcp host's first frame",
            polled,
        );
        if lab.manifest.snooping {
            let on_port = || joined(h).then_some(());
            wait_for(Duration::from_secs(30), "smoltcp host's group", on_port);
        }
    }

    let mut problems = String::new();
    // Plain tools first: the echo-on host answers a unicast echo, the echo-off one does
    // not (its request reaches it and is dropped, which its log shows).
    for h in &hosts {
        let answered = pings(&lab, h.link_local);
        let what = format!(
            "smoltcp {} (echo {})",
            h.spec.mac,
            if h.spec.echo { "on" } else { "off" }
        );
        eprintln!("{what}: ping {}%eth0 answered: {answered}", h.link_local);
        if answered != h.spec.echo {
            writeln!(
                problems,
                "{what}: ping {}%eth0 answered: {answered}",
                h.link_local
            )
            .unwrap();
        }
        if !h.spec.echo && !h.log().lines().any(|l| l.starts_with("drop ")) {
            writeln!(
                problems,
                "{what}: the unicast echo request never reached it"
            )
            .unwrap();
        }
    }
    // Cold caches for the scan, as lab.sh leaves them (the pings filled the scanner's).
    let _ = lab.exec("ip", &["neigh", "flush", "dev", "eth0"]);

    for run in 1..=RUNS {
        let entries = match scan(&lab) {
            Ok(e) => e,
            Err(e) => {
                writeln!(problems, "run {run}: {e}").unwrap();
                continue;
            }
        };
        let mut run_problems = String::new();
        for h in &hosts {
            let what = format!(
                "run {run}: smoltcp {} (echo {})",
                h.spec.mac,
                if h.spec.echo { "on" } else { "off" }
            );
            check(
                &entries,
                h.link_local,
                &h.spec.mac,
                &what,
                &mut run_problems,
            );
            for g in &h.spec.globals {
                check(
                    &entries,
                    parse_addr(g),
                    &h.spec.mac,
                    &what,
                    &mut run_problems,
                );
            }
        }
        // The Linux hosts too, so a broken scan is not mistaken for a smoltcp miss.
        for h in lab.hosts_on("eth0") {
            let what = format!("run {run}: Linux {} {}", h.role, h.namespace);
            for a in h.addrs() {
                check(&entries, a, &h.mac, &what, &mut run_problems);
            }
        }
        eprint!(
            "run {run}: {} entries; {}",
            entries.len(),
            if run_problems.is_empty() {
                "all found\n"
            } else {
                &run_problems
            }
        );
        problems.push_str(&run_problems);
    }

    if let Some(dir) = std::env::var_os("V6SCOUT_SMOL_CORPUS") {
        write_corpus(&PathBuf::from(dir), &hosts);
    }
    if !problems.is_empty() {
        let logs: String = hosts
            .iter()
            .map(|h| {
                format!(
                    "--- smolhost {} log: {}\n",
                    h.spec.mac,
                    h.log_path.display()
                )
            })
            .collect();
        panic!("smoltcp hosts (lab {}):\n{problems}{logs}", lab.runid);
    }
}

/// Link A without MLD snooping (the bridge floods all multicast).
#[test]
fn smoltcp_hosts_found_with_mac() {
    smoltcp_hosts_found(&["--no-snooping"]);
}

/// Link A behind an MLD-snooping bridge, which smoltcp's join reports do not satisfy.
#[test]
fn smoltcp_hosts_found_with_mac_behind_snooping_bridge() {
    smoltcp_hosts_found(&["--snooping"]);
}

/// The ICMPv6 message of an Ethernet/IPv6 frame (after any extension headers), with the
/// IPv6 destination, or `None` for anything else.
fn icmpv6_of(frame: &[u8]) -> Option<(Ipv6Addr, &[u8])> {
    if frame.get(12..14)? != [0x86, 0xdd] {
        return None;
    }
    let ip = frame.get(14..)?;
    let dst = Ipv6Addr::from(<[u8; 16]>::try_from(ip.get(24..40)?).ok()?);
    let (mut next, mut at) = (*ip.get(6)?, 40);
    while matches!(next, 0 | 43 | 60) {
        next = *ip.get(at)?;
        at += (usize::from(*ip.get(at + 1)?) + 1) * 8;
    }
    (next == 58).then(|| ip.get(at..).map(|m| (dst, m)))?
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len() / 2)
        .filter_map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// Writes the first Parameter Problem (to a link-local and to a global address), MLD report
/// and Neighbour Advertisement answering a multicast NS that the hosts sent, one ICMPv6
/// message per file, and every frame sent as hex in `frames.txt`.
fn write_corpus(dir: &std::path::Path, hosts: &[SmolHost]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut frames = String::new();
    let save = |name: &str, msg: &[u8]| {
        let path = dir.join(name);
        if !path.exists() {
            std::fs::write(&path, msg).unwrap();
            eprintln!(
                "corpus: {} = {}",
                path.display(),
                msg.iter().map(|b| format!("{b:02x}")).collect::<String>()
            );
        }
    };
    for h in hosts {
        let echo = if h.spec.echo { "echo-on" } else { "echo-off" };
        let mut multicast_ns = false;
        for line in h.log().lines() {
            let Some((dir, hex)) = line.split_once(' ') else {
                continue;
            };
            let frame = unhex(hex);
            if dir == "tx" {
                writeln!(frames, "{} {echo} tx {hex}", h.spec.mac).unwrap();
            }
            let Some((dst, msg)) = icmpv6_of(&frame) else {
                continue;
            };
            match (dir, msg.first()) {
                ("rx", Some(135)) => multicast_ns = dst.is_multicast(),
                ("tx", Some(4)) if dst.segments()[0] == 0xfe80 => {
                    save(&format!("param_problem_ll_{echo}.bin"), msg)
                }
                ("tx", Some(4)) => save(&format!("param_problem_global_{echo}.bin"), msg),
                ("tx", Some(143)) => save(&format!("mld_report_{echo}.bin"), msg),
                ("tx", Some(136)) if multicast_ns => {
                    save(&format!("na_multicast_ns_{echo}.bin"), msg);
                    multicast_ns = false;
                }
                _ => {}
            }
        }
    }
    std::fs::write(dir.join("frames.txt"), frames).unwrap();
}
