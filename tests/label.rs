//! Known devices in a real lab: a scan remembers the devices, `label` names one by its
//! MAC, and the label shows in history, the scan's JSON, the table, the by-host view,
//! watch events (`known`), and reaches the device through `resolve`; `label --remove`
//! takes it away. The inventory is a temporary file, never the real state directory.
//! Needs root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1 (see tests/common).
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::watch::Watch;
use common::{scan_document, scanner_bin, Host, Lab};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const LABEL: &str = "kitchen-pi";

/// A temporary directory for the inventory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(lab: &Lab) -> TempDir {
        let d = std::env::temp_dir().join(format!("v6t-{}-label", lab.runid));
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
    fn file(&self) -> String {
        self.0.join("inventory.sqlite3").display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `v6scout ARGS` in the scanner namespace with the inventory at `inv` (and nothing else
/// of the caller's inventory environment).
fn v6scout(lab: &Lab, inv: &str, args: &[&str]) -> Command {
    let mut c = Command::new("ip");
    c.env("V6SCOUT_INVENTORY", inv)
        .env_remove("SUDO_UID")
        .env_remove("SUDO_GID")
        .env_remove("XDG_STATE_HOME")
        .args(["netns", "exec", &lab.scan_ns, scanner_bin()])
        .args(args);
    c
}

fn run(lab: &Lab, inv: &str, args: &[&str]) -> Output {
    v6scout(lab, inv, args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs it and checks its exit status; returns (stdout, stderr).
fn expect(lab: &Lab, inv: &str, args: &[&str], code: i32) -> (String, String) {
    let o = run(lab, inv, args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(
        o.status.code(),
        Some(code),
        "v6scout {args:?}:\nstdout: {out}\nstderr: {err}"
    );
    (out, err)
}

/// Every host entry of a scan's JSON document.
fn hosts(doc: &Value) -> Vec<&Value> {
    doc["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["prefixes"].as_array().unwrap())
        .flat_map(|p| p["hosts"].as_array().unwrap())
        .collect()
}

fn link_local(h: &Host) -> &str {
    h.addresses
        .iter()
        .find(|a| a.starts_with("fe80:"))
        .expect("a link-local address")
}

/// `v6scout watch --jsonl` on eth0 every second, with the inventory `inv`.
fn start_watch(lab: &Lab, inv: &str) -> Watch {
    Watch::spawn(&mut v6scout(
        lab,
        inv,
        &["watch", "--jsonl", "-i", "eth0", "--interval", "1s"],
    ))
}

/// The first event of `kind` about each of `macs` (in whatever order they come), or
/// panics after `limit`.
fn events(w: &mut Watch, kind: &str, macs: &[&str], limit: Duration) -> Vec<Value> {
    let deadline = Instant::now() + limit;
    let mut found: Vec<Option<Value>> = vec![None; macs.len()];
    while found.iter().any(Option::is_none) {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = w.next_line(left, &format!("a {kind} event of each of {macs:?}"));
        let v: Value = serde_json::from_str(&line).unwrap();
        if let Some(i) = macs
            .iter()
            .position(|m| v["type"] == kind && v["mac"] == *m)
        {
            found[i].get_or_insert(v);
        }
    }
    found.into_iter().flatten().collect()
}

#[test]
fn a_labelled_device_is_shown_by_its_label_everywhere_and_found_by_it() {
    let Some(lab) = Lab::create(3, 0) else { return };
    let dir = TempDir::new(&lab);
    let inv = dir.file();
    let on_a: Vec<&Host> = lab.hosts_on("eth0").filter(|h| h.role == "host").collect();
    let pi = *on_a
        .iter()
        .find(|h| h.mac.starts_with("b8:27:eb"))
        .expect("a Raspberry Pi on link A");
    let other = *on_a.iter().find(|h| h.mac != pi.mac).unwrap();

    // Nothing remembered yet: nothing to label.
    let (_, err) = expect(&lab, &inv, &["label", &pi.mac, LABEL], 1);
    assert!(err.contains("no device known yet"), "{err}");

    // A scan remembers the devices.
    let doc = scan_document(&run(&lab, &inv, &["--json", "-i", "eth0"]));
    let found: Vec<&str> = hosts(&doc)
        .iter()
        .filter_map(|h| h["mac"].as_str())
        .collect();
    assert!(found.contains(&pi.mac.as_str()), "{found:?}");
    assert!(hosts(&doc).iter().all(|h| h["label"].is_null()));

    // Label it by its MAC; what cannot be done says why.
    let (_, err) = expect(&lab, &inv, &["label", &pi.mac, LABEL], 0);
    assert!(err.contains(&format!("is labelled {LABEL}")), "{err}");
    let (_, err) = expect(&lab, &inv, &["label", &other.mac, "KITCHEN-PI"], 2);
    assert!(err.contains(&format!("already labels {}", pi.mac)), "{err}");
    let (_, err) = expect(&lab, &inv, &["label", &other.mac, ""], 2);
    assert!(err.contains("cannot be empty"), "{err}");
    let (_, err) = expect(&lab, &inv, &["label", "raspberry", "pis"], 3);
    assert!(
        err.contains("matches 2 devices") && err.contains(&pi.mac),
        "two Raspberry Pis (b8:27:eb, 2c:cf:67): {err}"
    );
    let (_, err) = expect(&lab, &inv, &["label", "00:11:22:33:44:55", "nobody"], 1);
    assert!(err.contains("no remembered device matches"), "{err}");

    // history --json lists the label on the device, and only there.
    let (out, _) = expect(&lab, &inv, &["history", "--json"], 0);
    let history: Value = serde_json::from_str(&out).unwrap();
    for d in history["devices"].as_array().unwrap() {
        let want = if d["mac"] == pi.mac.as_str() {
            Value::from(LABEL)
        } else {
            Value::Null
        };
        assert_eq!(d["label"], want, "{d}");
    }
    let (out, _) = expect(&lab, &inv, &["history", LABEL, "--json"], 0);
    let one: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(one["devices"].as_array().unwrap().len(), 1, "{one}");

    // A scan's JSON has it on every address of the device, the table and the by-host
    // view show it first.
    let doc = scan_document(&run(&lab, &inv, &["--json", "-i", "eth0"]));
    let mut labelled = 0;
    for h in hosts(&doc) {
        if h["mac"] == pi.mac.as_str() {
            assert_eq!(h["label"], LABEL, "{h}");
            labelled += 1;
        } else {
            assert!(h["label"].is_null(), "{h}");
        }
    }
    assert!(labelled >= 1, "{doc}");
    let (table, _) = expect(&lab, &inv, &["--table", "-i", "eth0"], 0);
    let row = table
        .lines()
        .find(|l| l.contains(link_local(pi)))
        .unwrap_or_else(|| panic!("no row of {}:\n{table}", pi.mac));
    assert!(row.contains(LABEL), "{table}");
    assert!(table.contains("NAME"), "{table}");
    let (by_host, _) = expect(&lab, &inv, &["--by-host", "--plain", "-i", "eth0"], 0);
    let row = by_host.lines().find(|l| l.contains(&pi.mac)).unwrap();
    assert!(row.contains(LABEL), "{by_host}");

    // resolve takes the label, in any case, and prints the device's address.
    let want = format!("{}%eth0", link_local(pi));
    for q in [LABEL, "Kitchen-PI"] {
        let (out, _) = expect(&lab, &inv, &["resolve", "-i", "eth0", q], 0);
        assert_eq!(out.trim(), want, "resolve {q}");
    }

    // Watch: the labelled device is known, another one is not.
    let mut w = start_watch(&lab, &inv);
    let limit = Duration::from_secs(30);
    let ev = events(&mut w, "present", &[&pi.mac, &other.mac], limit);
    let (v, o) = (&ev[0], &ev[1]);
    assert_eq!(
        (&v["known"], &v["label"]),
        (&Value::from(true), &Value::from(LABEL)),
        "{v}"
    );
    assert_eq!(
        (&o["known"], &o["label"]),
        (&Value::from(false), &Value::Null),
        "{o}"
    );
    drop(w);

    // label --remove takes it away: history, the scan and resolve no longer know it.
    let (_, err) = expect(&lab, &inv, &["label", "--remove", LABEL], 0);
    assert!(
        err.contains(&format!("no longer labelled {LABEL}")),
        "{err}"
    );
    let (_, err) = expect(&lab, &inv, &["label", "--remove", &pi.mac], 1);
    assert!(err.contains("has no label"), "{err}");
    let (out, _) = expect(&lab, &inv, &["history", "--json"], 0);
    let history: Value = serde_json::from_str(&out).unwrap();
    assert!(
        history["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["label"].is_null()),
        "{history}"
    );
    expect(&lab, &inv, &["resolve", "-i", "eth0", LABEL], 1);
    let doc = scan_document(&run(&lab, &inv, &["--json", "-i", "eth0"]));
    assert!(hosts(&doc).iter().all(|h| h["label"].is_null()));
}
