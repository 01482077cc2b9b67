//! A hostile link: while v6scout scans, a lab host floods the link with forged ICMPv6 —
//! echo replies and Parameter Problems for probes never sent (random ids and cookies, and
//! our sniffed id with a wrong cookie), unsolicited Neighbour and Router Advertisements
//! from thousands of random link-local sources and MACs (with hop limit 255, so they look
//! legitimate, and with 64), truncated and over-long options, and wrong checksums. The
//! real hosts must still be found with their MACs, addresses capped at --max-hosts with
//! the drop reported, and peak memory bounded. Needs root; skipped otherwise unless
//! V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::forge::{frame, packet_socket};
use common::{scanner_bin, wait_for, Lab};
use serde_json::Value;
use std::net::Ipv6Addr;
use std::os::fd::AsRawFd;
use std::process::Output;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use v6scout::mac::Mac;
use v6scout::probe::sim;

/// A small xorshift generator: the flood needs volume, not quality.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn mac(&mut self) -> Mac {
        let b = self.next().to_le_bytes();
        Mac([b[0] & 0xfc | 0x02, b[1], b[2], b[3], b[4], b[5]])
    }
    fn link_local(&mut self) -> Ipv6Addr {
        Ipv6Addr::from(0xfe80u128 << 112 | u128::from(self.next()))
    }
}

/// Distinct sources of the forged hop-limit-255 RAs (see `flood`).
const RA_SOURCES: u64 = 300;
/// The --max-hosts of the flood scan: fewer than the forged routers.
const MAX_HOSTS: &str = "64";

/// What the flooder did.
#[derive(Default)]
struct FloodStats {
    frames: AtomicU64,
    sniffed_id: AtomicU64,
}

/// Floods from namespace `ns` until `stop`: one batch of every forgery per iteration.
fn flood(ns: String, scanner: (Mac, Ipv6Addr), stop: Arc<AtomicBool>, stats: Arc<FloodStats>) {
    let (fd, sll) = packet_socket(&ns);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let all_nodes: Ipv6Addr = "ff02::1".parse().unwrap();
    // Every forgery goes to the scanner's MAC, even those addressed to ff02::1: the kernel
    // makes a neighbour entry for each RA source it hears, and Linux's IPv6 neighbour
    // table is one table for all namespaces (gc_thresh3 = 1024 in all). Flooding every
    // lab host — or the table — would make sends fail everywhere, this machine's too.
    let to_scanner_mac = scanner.0;
    let mut our_id: Option<u16> = None;
    let mut buf = [0u8; 2048];
    let mut n: u64 = 0;
    let send = |f: &[u8]| {
        // SAFETY: f and sll are live for the call.
        let rc = unsafe {
            libc::sendto(
                fd.as_raw_fd(),
                f.as_ptr().cast(),
                f.len(),
                0,
                (&sll as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            )
        };
        rc >= 0
    };
    while !stop.load(Ordering::Relaxed) {
        // Learn the scan's echo id from its plain echo to ff02::1 (next header 58, type 128).
        loop {
            // SAFETY: buf is live and as long as declared.
            let len = unsafe { libc::recv(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if len <= 0 {
                break;
            }
            let f = &buf[..len as usize];
            if f.len() >= 62
                && f[6..12] == scanner.0 .0
                && f[12..14] == [0x86, 0xdd]
                && f[20] == 58
                && f[54] == 128
            {
                our_id = Some(u16::from_be_bytes([f[58], f[59]]));
                stats.sniffed_id.store(1, Ordering::Relaxed);
            }
        }
        let (smac, src) = (rng.mac(), rng.link_local());
        // RAs come from a pool of RA_SOURCES addresses, for the same reason.
        let ra_src = Ipv6Addr::from(0xfe80u128 << 112 | u128::from(0x1_0000 + n % RA_SOURCES));
        let uni = (smac, scanner.0);
        let to_scanner = scanner.1;
        let mut batch: Vec<Vec<u8>> = Vec::new();
        // Echo replies for probes never sent, and with our id but a wrong cookie.
        let cookie = rng.next().to_be_bytes();
        let tag = v6scout::probe::packet::ProbeTag {
            id: rng.next() as u16,
            cookie,
        };
        let mut echo = v6scout::probe::packet::echo_request(&tag, 1);
        echo[0] = 129;
        batch.push(frame(uni, src, to_scanner, 64, &echo, false));
        if let Some(id) = our_id {
            echo[4..6].copy_from_slice(&id.to_be_bytes());
            batch.push(frame(uni, src, to_scanner, 64, &echo, false));
        }
        // A Parameter Problem quoting an echo we never sent (a foreign id and cookie).
        let never_sent = v6scout::probe::packet::echo_request(&tag, 1);
        let pp = sim::param_problem(to_scanner, all_nodes, &never_sent);
        batch.push(frame(uni, src, to_scanner, 64, &pp, false));
        // Unsolicited NAs (random target) and RAs from random sources, hop limit 255.
        let na = sim::neighbour_advert(src, smac, false);
        batch.push(frame(
            (smac, to_scanner_mac),
            src,
            all_nodes,
            255,
            &na,
            false,
        ));
        let prefix =
            Ipv6Addr::from((0x2001_0db8_u128 << 96) | (u128::from(rng.next() as u16) << 64));
        let ra = sim::router_advert(smac, &[(prefix, 64)]);
        batch.push(frame(
            (smac, to_scanner_mac),
            ra_src,
            all_nodes,
            255,
            &ra,
            false,
        ));
        // The same RA from another source with hop limit 64: off-link, forged.
        let src2 = rng.link_local();
        batch.push(frame(
            (smac, to_scanner_mac),
            src2,
            all_nodes,
            64,
            &ra,
            false,
        ));
        // Truncated: an NA cut inside its target; an RA whose option overruns the packet;
        // an option of length 0.
        batch.push(frame(
            (smac, to_scanner_mac),
            src,
            all_nodes,
            255,
            &na[..12],
            false,
        ));
        let mut long = ra.clone();
        long[17] = 200; // the source link-layer option claims 1600 bytes
        batch.push(frame(
            (smac, to_scanner_mac),
            rng.link_local(),
            all_nodes,
            255,
            &long,
            false,
        ));
        let mut zero = na.clone();
        zero[25] = 0;
        batch.push(frame(
            (smac, to_scanner_mac),
            rng.link_local(),
            all_nodes,
            255,
            &zero,
            false,
        ));
        // Over-long: a valid NA with 1 KiB of trailing padding options.
        let mut big = sim::neighbour_advert(rng.link_local(), smac, false);
        for _ in 0..128 {
            big.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 0]);
        }
        batch.push(frame(
            (smac, to_scanner_mac),
            rng.link_local(),
            all_nodes,
            255,
            &big,
            false,
        ));
        // A wrong checksum on an otherwise acceptable RA from a marked source
        // (fe80::bad:…): the kernel must drop it before any socket sees it.
        let bad_src = Ipv6Addr::from(0xfe80_0000_0000_0000_0bad_0000_0000_0000u128 | u128::from(n));
        batch.push(frame(
            (smac, to_scanner_mac),
            bad_src,
            all_nodes,
            255,
            &ra,
            true,
        ));
        for f in &batch {
            if send(f) {
                stats.frames.fetch_add(1, Ordering::Relaxed);
            }
        }
        n += 1;
        // About 1,500 batches (16,500 frames) a second: far more sources than --max-hosts.
        std::thread::sleep(Duration::from_micros(600));
    }
}

/// Runs the scanner under GNU time; returns its output and peak RSS in KiB.
fn scan_measured(lab: &Lab, args: &[&str]) -> (Output, u64) {
    let mut all = vec!["-v", scanner_bin()];
    all.extend_from_slice(args);
    let out = lab.exec("/usr/bin/time", &all);
    let err = String::from_utf8_lossy(&out.stderr);
    let kib = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .unwrap_or_else(|| panic!("no peak RSS from /usr/bin/time -v: {err}"))
        .parse()
        .unwrap();
    (out, kib)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (address, mac, router) of every host on `iface`.
/// (address, MAC, router, heard only: seen by nothing but its own neighbour discovery).
fn hosts(doc: &Value, iface: &str) -> Vec<(Ipv6Addr, Option<String>, bool, bool)> {
    let mut v = Vec::new();
    for i in doc["interfaces"].as_array().unwrap() {
        if i["name"] != iface {
            continue;
        }
        for p in i["prefixes"].as_array().unwrap() {
            for h in p["hosts"].as_array().unwrap() {
                let heard_only = h["seen_by"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|s| s == "heard" || s == "ndp");
                v.push((
                    h["address"].as_str().unwrap().parse().unwrap(),
                    h["mac"].as_str().map(str::to_owned),
                    h["router"].as_bool().unwrap(),
                    heard_only,
                ));
            }
        }
    }
    v
}

#[test]
fn flood_of_forgeries_is_dropped_counted_and_bounded() {
    if !std::path::Path::new("/usr/bin/time").exists() {
        common::skip_or_fail("GNU time (/usr/bin/time) is not installed; see tests/deps.sh");
        return;
    }
    let Some(lab) = Lab::create(6, 0) else { return };
    let eth0 = lab.scanner_iface("eth0");
    let scanner_mac: Mac = eth0.mac.parse().unwrap();
    let scanner_ll: Ipv6Addr = eth0
        .addresses
        .iter()
        .map(|a| common::parse_addr(a))
        .find(|a| a.segments()[0] == 0xfe80)
        .unwrap();
    let args = [
        "-i",
        "eth0",
        "--json",
        "--wait",
        "2s",
        "--max-hosts",
        MAX_HOSTS,
    ];

    let (quiet_out, quiet_kib) = scan_measured(&lab, &args);
    assert_eq!(quiet_out.status.code(), Some(0));
    let quiet = hosts(&json(&quiet_out), "eth0");

    let flooder_ns = lab
        .hosts_on("eth0")
        .filter(|h| h.role == "host")
        .last()
        .unwrap()
        .namespace
        .clone();
    let stop = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(FloodStats::default());
    let t = {
        let (stop, stats) = (stop.clone(), stats.clone());
        std::thread::spawn(move || flood(flooder_ns, (scanner_mac, scanner_ll), stop, stats))
    };
    wait_for(Duration::from_secs(30), "forged frame sent", || {
        (stats.frames.load(Ordering::Relaxed) > 0).then_some(())
    });
    let (out, flood_kib) = scan_measured(&lab, &args);
    stop.store(true, Ordering::Relaxed);
    t.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let frames = stats.frames.load(Ordering::Relaxed);
    eprintln!(
        "flood: {frames} forged frames; peak RSS quiet {quiet_kib} KiB, flood {flood_kib} KiB"
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        frames > 5_000,
        "the flood was too small to mean anything: {frames}"
    );
    // The flooder saw the scan's echo, so replies with our id and a wrong cookie were sent.
    assert_eq!(
        stats.sniffed_id.load(Ordering::Relaxed),
        1,
        "scan echo not sniffed"
    );
    let doc = json(&out);
    let found = hosts(&doc, "eth0");
    eprintln!(
        "flood scan: {} addresses, stats {}",
        found.len(),
        doc["stats"]
    );

    // Every real device of the quiet scan is still there, with the same MAC.
    for (addr, mac, _, _) in &quiet {
        let got = found.iter().find(|h| h.0 == *addr);
        assert_eq!(got.map(|h| &h.1), Some(mac), "{addr} during the flood");
    }
    // And every lab device is among them, with the MAC the lab gave it.
    for h in lab.hosts_on("eth0") {
        let mut any = false;
        for a in h.addrs() {
            if let Some(f) = found.iter().find(|f| f.0 == a) {
                assert_eq!(f.1.as_deref(), Some(h.mac.as_str()), "{a}");
                any = true;
            }
        }
        assert!(
            any,
            "{} ({}) not found during the flood",
            h.namespace, h.mac
        );
    }
    // Forged echo replies and Parameter Problems created nothing: every extra address is
    // a forged router (an RA with hop limit 255 from a link-local source is, on the wire,
    // a router) or a forged host heard announcing itself (an unsolicited NA with hop limit
    // 255 is, on the wire, a host), each capped at 1/8 of --max-hosts, 8 here.
    let extra: Vec<_> = found
        .iter()
        .filter(|f| !quiet.iter().any(|q| q.0 == f.0))
        .collect();
    type Found<'a> = &'a &'a (Ipv6Addr, Option<String>, bool, bool);
    let (routers, others): (Vec<Found>, Vec<Found>) = extra.iter().partition(|f| f.2);
    assert!(
        others.iter().all(|f| f.3),
        "an answering forgery accepted: {others:?}"
    );
    eprintln!(
        "forged routers kept: {} (bound 8); forged heard hosts kept: {} (bound 8)",
        routers.len(),
        others.len()
    );
    assert!(routers.len() <= 8, "{} forged routers kept", routers.len());
    assert!(
        others.len() <= 8,
        "{} forged heard hosts kept",
        others.len()
    );
    // The bad-checksum RAs (fe80::bad:…) never reached v6scout.
    assert!(
        !found.iter().any(|f| f.0.segments()[4] == 0x0bad),
        "a wrong checksum got through"
    );
    let malformed = doc["stats"]["malformed"].as_u64().unwrap();
    let dropped = doc["stats"]["dropped_over_limit"].as_u64().unwrap();
    assert!(malformed > 1000, "malformed {malformed}");
    assert!(dropped > 0, "dropped {dropped}");
    assert!(
        err.contains(&format!(
            "dropped {dropped} answers from addresses over --max-hosts {MAX_HOSTS}"
        )),
        "{err}"
    );
    // Memory: bounded by --max-hosts, not by the flood.
    assert!(
        flood_kib < quiet_kib + 32 * 1024,
        "peak RSS {flood_kib} KiB in the flood vs {quiet_kib} KiB quiet"
    );
}
