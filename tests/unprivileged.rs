//! Privileges in a real lab: the unprivileged fallback on ICMPv6 ping sockets (ping_group_range
//! open and closed, per lab namespace), and that every capability — and the root identity of
//! a setuid binary — is gone while packets are being parsed. Needs root to build the lab;
//! skipped otherwise unless V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::{scanner_bin, wait_for, Lab};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv6Addr;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const NOBODY: [&str; 7] = [
    "setpriv",
    "--reuid",
    "65534",
    "--regid",
    "65534",
    "--clear-groups",
    "--",
];

fn set_ping_range(lab: &Lab, range: &str) {
    let o = lab.exec(
        "sysctl",
        &["-qw", &format!("net.ipv4.ping_group_range={range}")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Runs `prefix… BIN args…` in the scanner namespace.
fn run_as(lab: &Lab, prefix: &[&str], bin: &str, args: &[&str]) -> Output {
    let mut all: Vec<&str> = prefix[1..].to_vec();
    all.push(bin);
    all.extend_from_slice(args);
    lab.exec(prefix[0], &all)
}

/// Address → MAC of every host in a JSON report.
fn found(out: &Output) -> BTreeMap<Ipv6Addr, Option<String>> {
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut m = BTreeMap::new();
    for i in doc["interfaces"].as_array().unwrap() {
        for p in i["prefixes"].as_array().unwrap() {
            for h in p["hosts"].as_array().unwrap() {
                m.insert(
                    h["address"].as_str().unwrap().parse().unwrap(),
                    h["mac"].as_str().map(str::to_owned),
                );
            }
        }
    }
    m
}

#[test]
fn unprivileged_user_scans_with_ping_sockets_when_the_admin_allows_it() {
    let Some(lab) = Lab::create(8, 0) else { return };
    let args = ["-i", "eth0", "-L", "--json", "--wait", "1s"];

    set_ping_range(&lab, "0 2147483647");
    let o = run_as(&lab, &NOBODY, scanner_bin(), &args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("note:").count(), 1, "said once: {err}");
    assert!(
        err.contains("ping sockets")
            && err.contains("ignore multicast echo")
            && err.contains("setcap cap_net_raw+ep"),
        "{err}"
    );
    let got = found(&o);
    let (mut echoing, mut silent) = (0, 0);
    for h in lab.hosts_on("eth0").filter(|h| h.role == "host") {
        let ll = h
            .addrs()
            .into_iter()
            .find(|a| a.segments()[0] == 0xfe80)
            .unwrap();
        if h.silent {
            silent += 1;
            assert!(
                !got.contains_key(&ll),
                "silent {ll} cannot be seen: {got:?}"
            );
        } else {
            echoing += 1;
            // The MAC comes from the neighbour cache the kernel filled to answer.
            assert_eq!(got.get(&ll), Some(&Some(h.mac.clone())), "{ll}: {got:?}");
        }
    }
    assert!(
        echoing >= 4 && silent >= 2,
        "{echoing} echoing, {silent} silent"
    );

    set_ping_range(&lab, "1 0");
    let o = run_as(&lab, &NOBODY, scanner_bin(), &args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    for fix in [
        "sudo",
        "setcap cap_net_raw+ep",
        "sysctl net.ipv4.ping_group_range=\"0 2147483647\"",
    ] {
        assert!(err.contains(fix), "lacks {fix}: {err}");
    }
    assert!(
        !err.contains("os error") && !err.contains("panicked"),
        "{err}"
    );
    assert!(o.stdout.is_empty());

    // Root may force the echo-only mode; it then needs ping sockets like anyone.
    set_ping_range(&lab, "0 0");
    let o = lab.run_scanner(&["--unprivileged", "-i", "eth0", "-L", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let forced = found(&o);
    assert!(forced.keys().all(|a| got.contains_key(a)), "{forced:?}");
}

/// Starts a scan holding its 3-second window, reads its `/proc` status once its probes
/// reach the link (packets are being parsed then), waits for it and returns (status,
/// exit code, stderr).
fn status_mid_scan(lab: &Lab, prefix: &[&str], bin: &str) -> (BTreeMap<String, String>, Output) {
    let before = lab.echoes_received();
    // `ip netns exec` and setpriv both exec, so the child's pid is v6scout's.
    let mut argv = prefix.to_vec();
    argv.extend([
        bin,
        "-i",
        "eth0",
        "--json",
        "--wait",
        "3s",
        "--no-early-end",
    ]);
    let mut child = lab
        .command(argv[0], &argv[1..])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_for(Duration::from_secs(60), "probe on the link", || {
        let ended = child.try_wait().unwrap();
        assert!(
            ended.is_none(),
            "the scan ended before its probes were seen"
        );
        (lab.echoes_received() > before).then(|| common::proc_status(child.id()))
    });
    let out = child.wait_with_output().unwrap();
    assert!(
        status["Name"].starts_with("v6scout"),
        "read the wrong process: {status:?}"
    );
    (status, out)
}

fn assert_no_privilege(status: &BTreeMap<String, String>, who: &str) {
    for set in ["CapInh", "CapPrm", "CapEff", "CapAmb"] {
        assert_eq!(status[set], "0000000000000000", "{who}: {set} {status:?}");
    }
    assert_eq!(status["NoNewPrivs"], "1", "{who}");
}

#[test]
fn every_privilege_is_gone_while_packets_are_parsed() {
    let Some(lab) = Lab::create(4, 0) else { return };
    set_ping_range(&lab, "1 0");

    // As root (sudo): every capability, the bounding set too.
    let (st, out) = status_mid_scan(&lab, &[], scanner_bin());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_privilege(&st, "root");
    assert_eq!(
        st["CapBnd"], "0000000000000000",
        "root keeps no bounding set"
    );
    assert!(st["Uid"].starts_with("0\t"), "{}", st["Uid"]);
    assert!(lab.hosts_on("eth0").any(|h| h.silent));
    assert_full_scan(&lab, &out, "root");

    // Copies of the binary where an ordinary user can run them.
    let dir = std::env::temp_dir().join(format!("v6t-{}-bin", lab.runid));
    std::fs::create_dir_all(&dir).unwrap();
    let _cleanup = RemoveDir(dir.clone());
    let chmod = |p: &std::path::Path, mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    chmod(&dir, 0o755);
    let setcap_bin = dir.join("v6scout-setcap");
    std::fs::copy(scanner_bin(), &setcap_bin).unwrap();
    chmod(&setcap_bin, 0o755);
    let o = Command::new("setcap")
        .arg("cap_net_raw+ep")
        .arg(&setcap_bin)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let suid_bin = dir.join("v6scout-suid");
    std::fs::copy(scanner_bin(), &suid_bin).unwrap();
    chmod(&suid_bin, 0o4755);

    for (who, bin) in [("setcap", &setcap_bin), ("setuid root", &suid_bin)] {
        let (st, out) = status_mid_scan(&lab, &NOBODY[..6], bin.to_str().unwrap());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{who}: {err}");
        assert_full_scan(&lab, &out, who);
        assert_no_privilege(&st, who);
        assert_eq!(st["Uid"], "65534\t65534\t65534\t65534", "{who}");
        assert_eq!(st["Gid"], "65534\t65534\t65534\t65534", "{who}");
        assert_eq!(st["Groups"], "", "{who}");
    }
}

/// A full (raw-socket) scan: no fallback note, and the hosts that ignore multicast echo
/// are found too (by the destination-options probe, sent after the privileges are gone).
fn assert_full_scan(lab: &Lab, out: &Output, who: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("note:") && !err.contains("warning"),
        "{who}: {err}"
    );
    let got = found(out);
    for h in lab.hosts_on("eth0").filter(|h| h.silent) {
        assert!(
            h.addrs().iter().any(|a| got.contains_key(a)),
            "{who}: silent host {} not found: {got:?}",
            h.namespace
        );
    }
}

struct RemoveDir(std::path::PathBuf);

impl Drop for RemoveDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
