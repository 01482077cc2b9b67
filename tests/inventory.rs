//! The device inventory in a real lab: remembered devices, phones in doze found again by
//! their remembered addresses, concurrent writers and a kill, no file with
//! --no-inventory, and the file's owner under sudo.
//! Needs root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1 (see tests/common).
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::{scanner_bin, wait_for, Lab};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A temp dir removed on drop, writable by `uid`.
struct TempDir(PathBuf);
impl TempDir {
    fn new(lab: &Lab, tag: &str, uid: u32) -> TempDir {
        let d = std::env::temp_dir().join(format!("v6t-{}-{tag}", lab.runid));
        std::fs::create_dir_all(&d).unwrap();
        std::os::unix::fs::chown(&d, Some(uid), Some(uid)).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
        TempDir(d)
    }
    fn file(&self) -> PathBuf {
        self.0.join("inventory.sqlite3")
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `v6scout ARGS` in the scanner namespace with exactly this environment for the
/// inventory (no SUDO_* unless given, no inventory unless named).
fn v6scout(lab: &Lab, env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut c = Command::new("ip");
    c.env_remove("SUDO_UID")
        .env_remove("SUDO_GID")
        .env_remove("V6SCOUT_INVENTORY")
        .env_remove("XDG_STATE_HOME");
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(["netns", "exec", &lab.scan_ns, scanner_bin()])
        .args(args);
    c
}

fn run(lab: &Lab, env: &[(&str, &str)], args: &[&str]) -> Output {
    v6scout(lab, env, args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// MAC -> addresses of a scan's JSON.
fn macs(out: &Output) -> BTreeMap<String, Vec<String>> {
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", text(&out.stderr)));
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in doc["interfaces"].as_array().unwrap() {
        for p in i["prefixes"].as_array().unwrap() {
            for h in p["hosts"].as_array().unwrap() {
                if let Some(mac) = h["mac"].as_str() {
                    m.entry(mac.into())
                        .or_default()
                        .push(h["address"].as_str().unwrap().into());
                }
            }
        }
    }
    m
}

fn ip(args: &[&str]) {
    let o = Command::new("ip").args(args).output().unwrap();
    assert!(o.status.success(), "ip {args:?}: {}", text(&o.stderr));
}

/// The doze filter of an Android phone (APF), in the host's own namespace.
fn doze(ns: &str) {
    for rule in [
        &[
            "-m",
            "pkttype",
            "--pkt-type",
            "multicast",
            "-p",
            "ipv6-icmp",
            "--icmpv6-type",
            "echo-request",
            "-j",
            "DROP",
        ][..],
        &[
            "-m",
            "pkttype",
            "--pkt-type",
            "multicast",
            "-m",
            "ipv6header",
            "--header",
            "hop-by-hop,dst",
            "--soft",
            "-j",
            "DROP",
        ],
    ] {
        let mut args = vec!["netns", "exec", ns, "ip6tables-legacy", "-A", "INPUT"];
        args.extend_from_slice(rule);
        ip(&args);
    }
}

/// Every lab namespace's neighbour cache emptied, the scanner's included.
fn flush_all(lab: &Lab) {
    ip(&["-n", &lab.scan_ns, "neigh", "flush", "all"]);
    for h in &lab.manifest.hosts {
        let _ = Command::new("ip")
            .args(["-n", &h.namespace, "neigh", "flush", "all"])
            .output();
    }
}

#[test]
fn remembered_devices_dozing_phones_and_a_gone_device() {
    let Some(lab) = Lab::create(6, 0) else { return };
    let dir = TempDir::new(&lab, "inv", 0);
    let inv = dir.file();
    let inv_arg = inv.to_str().unwrap();
    let scan = ["--json", "-i", "eth0", "--no-names", "--inventory", inv_arg];

    // A first scan remembers every device; the file is the user's alone.
    let first = run(&lab, &[], &scan);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(
        !text(&first.stderr).contains("warning"),
        "{}",
        text(&first.stderr)
    );
    let seen = macs(&first);
    let meta = std::fs::metadata(&inv).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o600, "inventory file mode");

    // Three hosts start dozing; every cache forgets them. Without the inventory they are
    // gone; with it, their remembered addresses are solicited and they answer.
    let hosts: Vec<_> = lab.hosts_on("eth0").filter(|h| h.role == "host").collect();
    let dozing: Vec<_> = hosts.iter().take(3).collect();
    for h in &dozing {
        assert!(seen.contains_key(&h.mac), "{} not found at first", h.mac);
        doze(&h.namespace);
    }
    flush_all(&lab);
    let blind = run(
        &lab,
        &[],
        &["--json", "-i", "eth0", "--no-names", "--no-inventory"],
    );
    let blind = macs(&blind);
    let missed: Vec<_> = dozing
        .iter()
        .filter(|h| !blind.contains_key(&h.mac))
        .collect();
    // Reported, not asserted: what finds a phone that hears no probe is not this test's.
    eprintln!(
        "without the inventory: {} of 3 dozing found",
        3 - missed.len()
    );
    flush_all(&lab);
    let again = run(&lab, &[], &scan);
    let again = macs(&again);
    for h in &dozing {
        assert!(
            again.contains_key(&h.mac),
            "{} (dozing) not found again from the inventory",
            h.mac
        );
    }
    eprintln!("with the inventory: 3 of 3 dozing found");

    // A device that is gone: resolve says when and where it was last seen, history keeps it.
    let gone = hosts.last().unwrap();
    ip(&["netns", "del", &gone.namespace]);
    let r = run(
        &lab,
        &[],
        &[
            "resolve",
            &gone.mac,
            "-i",
            "eth0",
            "-w",
            "300ms",
            "--inventory",
            inv_arg,
        ],
    );
    let err = text(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{} ", gone.mac))
            && err.contains("is not on the link now; last seen")
            && err.contains("%eth0"),
        "{err}"
    );
    let h = run(&lab, &[], &["history", "--json", "--inventory", inv_arg]);
    assert_eq!(h.status.code(), Some(0), "{}", text(&h.stderr));
    let doc: Value = serde_json::from_slice(&h.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    let known: Vec<&str> = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["mac"].as_str().unwrap())
        .collect();
    assert!(known.contains(&gone.mac.as_str()), "{known:?}");
    let q = run(
        &lab,
        &[],
        &["history", &gone.mac, "--plain", "--inventory", inv_arg],
    );
    assert!(text(&q.stdout)
        .lines()
        .skip(1)
        .all(|l| l.contains(&gone.mac)));
}

#[test]
fn concurrent_writers_a_kill_and_no_file_when_off() {
    let Some(lab) = Lab::create(4, 0) else { return };
    let dir = TempDir::new(&lab, "conc", 0);
    let inv = dir.file();
    let inv_arg = inv.to_str().unwrap();
    let mut watch = v6scout(
        &lab,
        &[],
        &[
            "watch",
            "-i",
            "eth0",
            "--interval",
            "300ms",
            "-w",
            "200ms",
            "--no-names",
            "--inventory",
            inv_arg,
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut scans = Vec::new();
    for _ in 0..4 {
        scans.push(
            v6scout(
                &lab,
                &[],
                &[
                    "--json",
                    "-i",
                    "eth0",
                    "-w",
                    "300ms",
                    "--no-names",
                    "--inventory",
                    inv_arg,
                ],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
        );
    }
    for s in scans {
        let o = s.wait_with_output().unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(
            !err.contains("inventory"),
            "a concurrent scan warned: {err}"
        );
    }
    // Once its first scan has printed (and is recorded), it writes every 300 ms: SIGKILL
    // in the middle of whatever it is doing, a write included.
    let mut first = String::new();
    BufReader::new(watch.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty(), "the watch ended before its first scan");
    watch.kill().unwrap();
    let _ = watch.wait();
    // The file is sound: a later scan uses it without a word, history reads it.
    let o = run(
        &lab,
        &[],
        &[
            "--json",
            "-i",
            "eth0",
            "-w",
            "300ms",
            "--inventory",
            inv_arg,
        ],
    );
    assert!(!text(&o.stderr).contains("warning"), "{}", text(&o.stderr));
    let h = run(&lab, &[], &["history", "--json", "--inventory", inv_arg]);
    assert_eq!(h.status.code(), Some(0), "{}", text(&h.stderr));
    let ok = run(&lab, &[], &["history", "--inventory", inv_arg, "--check"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "integrity check: {}",
        text(&ok.stderr)
    );

    // A broken file is one warning, never a failed scan: garbage, and a path whose
    // directory is a file.
    let junk = dir.0.join("junk.sqlite3");
    std::fs::write(&junk, vec![0x5a; 8192]).unwrap();
    let not_dir = dir.0.join("junk.sqlite3/inventory.sqlite3");
    for bad in [&junk, &not_dir] {
        let o = run(
            &lab,
            &[],
            &[
                "--json",
                "-i",
                "eth0",
                "-w",
                "300ms",
                "--inventory",
                bad.to_str().unwrap(),
            ],
        );
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
        let warnings: Vec<&str> = err.lines().filter(|l| l.contains("warning")).collect();
        assert_eq!(warnings.len(), 1, "{err}");
        assert!(
            warnings[0].contains("going on without the inventory"),
            "{err}"
        );
        assert!(!macs(&o).is_empty());
    }

    // --no-inventory and V6SCOUT_INVENTORY=off create nothing; the default path is the
    // state directory under HOME.
    let home = TempDir::new(&lab, "home", 0);
    let home_s = home.0.to_str().unwrap();
    let state = home.0.join(".local/state/v6scout/inventory.sqlite3");
    run(
        &lab,
        &[("HOME", home_s)],
        &["-i", "eth0", "-w", "200ms", "--no-inventory"],
    );
    run(
        &lab,
        &[("HOME", home_s), ("V6SCOUT_INVENTORY", "off")],
        &["-i", "eth0", "-w", "200ms"],
    );
    assert!(
        !home.0.join(".local").exists(),
        "a file appeared with the inventory off"
    );
    run(&lab, &[("HOME", home_s)], &["-i", "eth0", "-w", "200ms"]);
    assert!(
        state.exists(),
        "the default inventory is {}",
        state.display()
    );
}

#[test]
fn under_sudo_the_scan_is_the_user_and_the_file_is_theirs() {
    let Some(lab) = Lab::create(3, 0) else { return };
    let nobody = 65534;
    let dir = TempDir::new(&lab, "sudo", nobody);
    let inv = dir.file();
    let inv_arg = inv.to_str().unwrap();
    let sudo = [("SUDO_UID", "65534"), ("SUDO_GID", "65534")];
    let before = lab.echoes_received();
    let args = ["--json", "-i", "eth0", "-w", "3s", "--no-early-end"];
    let mut child = v6scout(&lab, &sudo, &args)
        .args(["--inventory", inv_arg])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read once its probes reach the link: the scan is running as the user by then.
    let status: BTreeMap<String, String> =
        wait_for(Duration::from_secs(60), "probe on the link", || {
            let ended = child.try_wait().unwrap();
            assert!(
                ended.is_none(),
                "the scan ended before its probes were seen"
            );
            (lab.echoes_received() > before).then(|| {
                std::fs::read_to_string(format!("/proc/{}/status", child.id()))
                    .unwrap()
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
                    .collect()
            })
        });
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(status["Name"].starts_with("v6scout"), "{status:?}");
    assert_eq!(status["Uid"], "65534\t65534\t65534\t65534");
    assert_eq!(status["Gid"], "65534\t65534\t65534\t65534");
    for set in ["CapInh", "CapPrm", "CapEff", "CapAmb"] {
        assert_eq!(status[set], "0000000000000000", "{set}");
    }
    assert!(!macs(&out).is_empty(), "the scan still found the lab");
    let meta = std::fs::metadata(&inv).unwrap();
    assert_eq!(
        (meta.uid(), meta.gid()),
        (nobody, nobody),
        "owner of {}",
        inv.display()
    );
    // Without --inventory, the user's own state directory from the password database
    // (nobody's home does not exist, so it can only warn — naming that place).
    let o = run(&lab, &sudo, &["-i", "eth0", "-w", "200ms"]);
    let err = text(&o.stderr);
    assert!(
        err.contains("/nonexistent") || err.contains("inventory"),
        "{err}"
    );
    assert!(!Path::new("/nonexistent").exists());
}
