//! The scanner's kernel neighbour table and the Ethernet link: a scan that speaks Ethernet
//! itself (`--link ether`) sends its probes as frames and resolves unicast destinations
//! itself, so they add no entry to the kernel's table (one table for the whole machine,
//! 1,024 entries by default); through raw ICMPv6 sockets (`--link raw`) every multicast
//! group a probe goes to takes one, and so does every address the kernel resolves.
//! The lab's hosts know the scanner's MAC beforehand (permanent entries), so none of
//! them solicits it: every entry the scanner's table gains comes from the scan itself.
//! An Ethernet scan also answers the neighbour solicitations for its own addresses,
//! so hosts that resolve the scanner get an answer when the kernel gives none (its
//! table full): shown with the kernel's advertisements dropped by a firewall rule in
//! the scanner's namespace. Needs root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::forge::{frame, packet_socket, send};
use common::Lab;
use std::collections::BTreeSet;
use std::net::Ipv6Addr;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use v6scout::mac::Mac;
use v6scout::probe::packet;

/// Empties the scanner's IPv6 neighbour table, multicast entries too.
fn flush(lab: &Lab) {
    common::ip_in(&lab.scan_ns, &["-6", "neigh", "flush", "all"]);
    common::ip_in(&lab.scan_ns, &["-6", "neigh", "flush", "nud", "noarp"]);
}

/// Scans eth0 with `--link KIND` and returns the addresses found and the entries the
/// scanner's table gained.
fn scan(lab: &Lab, kind: &str) -> (usize, BTreeSet<String>) {
    flush(lab);
    let before = common::neighbour_entries(&lab.scan_ns);
    let doc = lab.scan_json("eth0", &["--link", kind, "--no-names", "--no-ndp-cache"]);
    let found = doc["interfaces"][0]["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["hosts"].as_array().unwrap().len())
        .sum();
    let gained = common::neighbour_entries(&lab.scan_ns)
        .difference(&before)
        .cloned()
        .collect();
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
            common::ip_in(
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
    // Not the probes': the router's solicited RA carries its link-layer address, which
    // the kernel files whatever the link; and the kernel's MLD report of the link's
    // all-routers membership goes to ff02::16 (one entry, whatever the link's size).
    let not_probes: BTreeSet<String> = lab
        .hosts_on("eth0")
        .filter(|h| h.router)
        .flat_map(|h| h.addrs())
        .map(|a| a.to_string())
        .chain(["ff02::16".to_owned()])
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
    let from_probes: Vec<_> = ether_gained.difference(&not_probes).collect();
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

/// The MAC a Neighbour Advertisement for `target` sent to `to` carries, if `f` is one:
/// (flags byte, target link-layer address option).
fn advert_to(f: &[u8], to: Mac, target: Ipv6Addr) -> Option<(u8, Option<Mac>)> {
    if f.len() < 78 || f[..6] != to.0 || f[12..14] != [0x86, 0xdd] || f[20] != 58 {
        return None;
    }
    let msg = &f[54..];
    if msg[0] != 136 || msg[8..24] != target.octets() {
        return None;
    }
    let tllao = (msg.len() >= 32 && msg[24] == 2 && msg[25] == 1)
        .then(|| Mac(msg[26..32].try_into().unwrap()));
    Some((msg[4], tllao))
}

/// While `scanning`, solicits `target` from namespace `ns` as a host nobody knows (its
/// source and MAC made up, so no earlier exchange taught it the answer) and returns the
/// first advertisement that answers: (flags, target link-layer address).
fn solicit_during(ns: &str, target: Ipv6Addr, scanning: &AtomicBool) -> Option<(u8, Option<Mac>)> {
    let (fd, sll) = packet_socket(ns);
    let me = Mac([0x02, 0xab, 0xcd, 0, 0, 1]);
    let src: Ipv6Addr = "fe80::abcd:1".parse().unwrap();
    let group = packet::solicited_node(target);
    let o = group.octets();
    let to = Mac([0x33, 0x33, o[12], o[13], o[14], o[15]]);
    let ns_msg = packet::neighbour_solicitation(target, me);
    let ns_frame = frame((me, to), src, group, 255, &ns_msg, false);
    let mut buf = [0u8; 2048];
    while scanning.load(Ordering::Relaxed) {
        assert!(send(&fd, &sll, &ns_frame));
        let mut pfd = libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the call. Waits for a frame, at most 50 ms.
        unsafe { libc::poll(&mut pfd, 1, 50) };
        loop {
            // SAFETY: buf is live and as long as declared.
            let n = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n <= 0 {
                break;
            }
            if let Some(na) = advert_to(&buf[..n as usize], me, target) {
                return Some(na);
            }
        }
    }
    None
}

/// Scans eth0 with `--link KIND` while a made-up host solicits the scanner's link-local
/// address; the advertisement it got, if any.
fn answer_during_scan(
    lab: &Lab,
    kind: &str,
    ns: &str,
    target: Ipv6Addr,
) -> Option<(u8, Option<Mac>)> {
    let scanning = AtomicBool::new(true);
    std::thread::scope(|s| {
        let scan = s.spawn(|| {
            let args = [
                "--link",
                kind,
                "--wait",
                "3s",
                "--no-early-end",
                "--no-names",
            ];
            let doc = lab.scan_json("eth0", &args);
            scanning.store(false, Ordering::Relaxed);
            doc
        });
        let got = s
            .spawn(|| solicit_during(ns, target, &scanning))
            .join()
            .unwrap();
        scan.join().unwrap();
        got
    })
}

#[test]
fn an_ethernet_scan_answers_solicitations_the_kernel_does_not() {
    let Some(lab) = Lab::create(2, 0) else { return };
    let eth0 = lab.scanner_iface("eth0");
    let mac: Mac = eth0.mac.parse().unwrap();
    let ll = eth0
        .addresses
        .iter()
        .map(|a| common::parse_addr(a))
        .find(|a| a.segments()[0] == 0xfe80)
        .unwrap();
    // The kernel's advertisements never leave, as when its neighbour table is full.
    let rule = [
        "netns",
        "exec",
        &lab.scan_ns,
        "ip6tables",
        "-A",
        "OUTPUT",
        "-p",
        "ipv6-icmp",
        "--icmpv6-type",
        "neighbour-advertisement",
        "-j",
        "DROP",
    ];
    let out = Command::new("ip").args(rule).output().unwrap();
    if !out.status.success() {
        common::skip_or_fail(&format!(
            "ip6tables in the lab namespace failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
        return;
    }
    let host = lab
        .hosts_on("eth0")
        .find(|h| h.role == "host")
        .unwrap()
        .namespace
        .clone();
    let ether = answer_during_scan(&lab, "ether", &host, ll);
    let raw = answer_during_scan(&lab, "raw", &host, ll);
    eprintln!("advertisement during an ether scan: {ether:?}; during a raw scan: {raw:?}");
    // Solicited and override flags, our MAC in the target link-layer option.
    assert_eq!(ether, Some((0x60, Some(mac))));
    assert_eq!(raw, None, "the kernel's advertisements were to be dropped");
}
