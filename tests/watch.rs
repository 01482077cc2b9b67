//! `v6scout watch` against a real kernel: a namespace lab where hosts come, go and gain
//! addresses while watch runs. Needs root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::extra_host::ExtraHost;
use common::watch::Watch;
use common::{ip, scanner_bin, Lab};
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

/// `v6scout watch ARGS` in the scanner namespace, without an inventory.
fn start_watch(lab: &Lab, args: &[&str]) -> Watch {
    Watch::spawn(
        Command::new("ip")
            .env("V6SCOUT_INVENTORY", "off")
            .env_remove("SUDO_UID")
            .args(["netns", "exec", &lab.scan_ns, scanner_bin(), "watch"])
            .args(args),
    )
}

const SECS: fn(u64) -> Duration = Duration::from_secs;

fn is(v: &Value, kind: &str, mac: &str) -> bool {
    v["type"] == kind && v["mac"] == mac && v["interface"] == "eth0"
}

/// Hosts come and go, an address is added and removed, every event also runs `--exec`,
/// and SIGINT ends it with status 0 and a summary.
#[test]
fn watch_reports_hosts_coming_and_going() {
    let Some(lab) = Lab::create(3, 1) else { return };
    let dir = std::env::temp_dir().join(format!("v6t-{}-exec", lab.runid));
    std::fs::create_dir_all(&dir).unwrap();
    // The directory is ours (the test's), not event data; events reach the command only
    // through the environment.
    let exec = format!(
        "f=$(mktemp '{}/ev.XXXXXX') && env | grep '^V6SCOUT_' > \"$f\"",
        dir.display()
    );
    let mut w = start_watch(
        &lab,
        &["--jsonl", "--interval", "1s", "-i", "eth0", "--exec", &exec],
    );

    // The first scan lists the hosts already there as `present`, the router among them.
    let rtr = lab
        .manifest
        .hosts
        .iter()
        .find(|h| h.role == "router")
        .unwrap();
    let v = w.expect(SECS(15), "the router as present", |v| {
        is(v, "present", &rtr.mac)
    });
    assert_eq!(v["router"], true, "{v}");

    // A Raspberry Pi is plugged in.
    let mac = "b8:27:eb:90:00:90";
    let pi = ExtraHost::plug(&lab, mac);
    let v = w.expect(SECS(20), "the new host appearing", |v| {
        is(v, "appeared", mac)
    });
    assert!(
        v["vendor"].as_str().unwrap().contains("Raspberry Pi"),
        "{v}"
    );
    assert_eq!(v["returning"], false);
    let ll = "fe80::ba27:ebff:fe90:90";
    assert_eq!(v["addresses"], serde_json::json!([ll]), "{v}");

    // An existing host gets a new (ULA) address, then loses it.
    let h = lab
        .hosts_on("eth0")
        .find(|h| h.role == "host" && h.addresses.iter().all(|a| a.starts_with("fe80:")))
        .expect("a link-local-only host on link A");
    let ula = "fd00:1::ab:cd";
    ip(&[
        "-n",
        &h.namespace,
        "addr",
        "add",
        &format!("{ula}/64"),
        "dev",
        "eth0",
        "nodad",
    ]);
    let v = w.expect(SECS(20), "address-added", |v| {
        is(v, "address-added", &h.mac)
    });
    assert_eq!(v["address"], ula, "{v}");
    assert!(
        v["addresses"]
            .as_array()
            .unwrap()
            .contains(&Value::from(ula)),
        "{v}"
    );
    ip(&[
        "-n",
        &h.namespace,
        "addr",
        "del",
        &format!("{ula}/64"),
        "dev",
        "eth0",
    ]);
    let v = w.expect(SECS(20), "address-removed", |v| {
        is(v, "address-removed", &h.mac)
    });
    assert_eq!(v["address"], ula, "{v}");

    // The Pi is unplugged.
    drop(pi);
    let v = w.expect(SECS(20), "the host gone", |v| is(v, "gone", mac));
    assert_eq!(v["addresses"], serde_json::json!([ll]), "{v}");
    assert!(v["time"].as_str().unwrap().ends_with('Z'));

    let (code, _, stderr) = w.stop(libc::SIGINT);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(
        stderr.contains("v6scout: watched ") && stderr.contains(" present"),
        "no summary on stderr: {stderr}"
    );

    // --exec ran a command per event with the fields in its environment.
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    let appeared = files
        .iter()
        .find(|f| {
            f.contains("V6SCOUT_EVENT=appeared\n") && f.contains(&format!("V6SCOUT_MAC={mac}\n"))
        })
        .unwrap_or_else(|| panic!("no exec output for the appearance: {files:#?}"));
    for want in [
        "V6SCOUT_INTERFACE=eth0\n".to_owned(),
        format!("V6SCOUT_ADDRESSES={ll}\n"),
        format!("V6SCOUT_SCOPED_ADDRESSES={ll}%eth0\n"),
        "V6SCOUT_VENDOR=Raspberry Pi".to_owned(),
        "V6SCOUT_RETURNING=0\n".to_owned(),
        "V6SCOUT_JSON={\"type\":\"appeared\"".to_owned(),
    ] {
        assert!(appeared.contains(&want), "{want:?} missing in {appeared}");
    }
    let added = files
        .iter()
        .find(|f| f.contains("V6SCOUT_EVENT=address-added\n"))
        .unwrap_or_else(|| panic!("no exec output for address-added: {files:#?}"));
    assert!(
        added.contains(&format!("V6SCOUT_ADDRESS={ula}\n")),
        "{added}"
    );
    assert!(files.iter().any(|f| f.contains("V6SCOUT_EVENT=gone\n")));
    assert!(files.iter().any(|f| f.contains("V6SCOUT_EVENT=present\n")));
}

/// Without --jsonl: one line per event, marker and local time first; SIGTERM ends it too.
#[test]
fn watch_human_lines() {
    let Some(lab) = Lab::create(1, 0) else { return };
    let mut w = start_watch(&lab, &["--interval", "1s", "-i", "eth0"]);
    let rtr = lab
        .manifest
        .hosts
        .iter()
        .find(|h| h.role == "router")
        .unwrap();
    let line = loop {
        let l = w.next_line(SECS(15), "a present line");
        if l.contains(&rtr.mac) {
            break l;
        }
    };
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(f[0], "=", "{line}");
    let clock: Vec<&str> = f[1].split(':').collect();
    assert!(
        clock.len() == 3
            && clock
                .iter()
                .all(|c| c.len() == 2 && c.parse::<u8>().is_ok()),
        "{line}"
    );
    assert_eq!((f[2], f[3]), ("eth0", rtr.mac.as_str()), "{line}");
    assert!(
        line.contains("[router]") && line.contains("%eth0"),
        "{line}"
    );
    let (code, _, stderr) = w.stop(libc::SIGTERM);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(stderr.contains("v6scout: watched "), "{stderr}");
}
