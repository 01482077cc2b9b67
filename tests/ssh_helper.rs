//! The ssh helper against a real kernel and a real sshd: `resolve`, `ssh` and `connect`
//! in a network-namespace lab (tests/lab/lab.sh). Needs root; skipped otherwise unless
//! V6SCOUT_REQUIRE_LAB=1 (see tests/common).
//!
//! Lab with 4 hosts on link A: h01 b8:27:eb:5a:00:01 (Raspberry Pi Foundation; global and
//! ULA addresses too), h02 a private MAC, h03 2c:cf:67:5a:00:03 and h04 e4:5f:01:5a:00:04
//! (both Raspberry Pi Trading, h04 ignores multicast echo), and the router (Buffalo).
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::Ipv6Addr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::sshd::Sshd;
use common::{scanner_bin, skip_or_fail, Host, Lab};

fn link_local(h: &Host) -> Ipv6Addr {
    h.addrs()
        .into_iter()
        .find(|a| a.segments()[0] == 0xfe80)
        .unwrap()
}

fn global(h: &Host) -> Ipv6Addr {
    h.addrs()
        .into_iter()
        .find(|a| a.segments()[0] == 0x2001)
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `v6scout ARGS` in the scanner namespace and checks its exit status.
fn v6(lab: &Lab, args: &[&str], want: i32) -> Output {
    common::exited(lab.run_scanner(args), args, want)
}

/// `v6scout resolve ARGS` must print exactly `want` (one address a line) and exit 0.
fn resolves_to(lab: &Lab, args: &[&str], want: &[String]) {
    let mut all = vec!["resolve"];
    all.extend_from_slice(args);
    let out = v6(lab, &all, 0);
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        want,
        "v6scout {all:?}\nstderr: {}",
        text(&out.stderr)
    );
}

#[test]
fn resolve_by_every_query_form_ambiguity_and_wait_for() {
    let Some(lab) = Lab::create(4, 0) else { return };
    let (h01, h03, h04) = (lab.host("h01"), lab.host("h03"), lab.host("h04"));
    assert!(h01.mac.starts_with("b8:27:eb") && h03.mac.starts_with("2c:cf:67"));
    let ll01 = format!("{}%eth0", link_local(h01));
    let ll03 = format!("{}%eth0", link_local(h03));

    // A full MAC in three notations, a MAC prefix (whole and half octet), a vendor.
    let dashed = h01.mac.replace(':', "-").to_uppercase();
    let hex: String = h01.mac.chars().filter(|c| *c != ':').collect();
    let cisco = format!("{}.{}.{}", &hex[0..4], &hex[4..8], &hex[8..12]);
    for q in [
        h01.mac.as_str(),
        &dashed,
        &cisco,
        "b8:27:eb",
        "b8:27:eb:5",
        "b827eb",
    ] {
        resolves_to(&lab, &[q], std::slice::from_ref(&ll01));
    }
    resolves_to(
        &lab,
        &["raspberry pi foundation"],
        std::slice::from_ref(&ll01),
    );
    resolves_to(&lab, &["2c:cf:67:5a"], std::slice::from_ref(&ll03));
    // --prefer global picks h01's global address; -i limits the scan.
    resolves_to(
        &lab,
        &[&h01.mac, "--prefer", "global", "-i", "eth0"],
        &[global(h01).to_string()],
    );
    // By address: a global one as is, a link-local one with its scope added.
    resolves_to(
        &lab,
        &[&global(h01).to_string()],
        &[global(h01).to_string()],
    );
    resolves_to(
        &lab,
        &[&link_local(h03).to_string()],
        std::slice::from_ref(&ll03),
    );

    // Three Raspberry Pis: ambiguous, listed on stderr with MAC and vendor; --all lists all.
    let out = v6(&lab, &["resolve", "RASPBERRY"], 3);
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("matches 3 devices"), "{err}");
    for h in [h01, h03, h04] {
        let line = err.lines().find(|l| l.contains(&h.mac)).unwrap_or_else(|| {
            panic!("{} not listed in {err}", h.mac);
        });
        assert!(line.contains("Raspberry Pi") && line.contains(&link_local(h).to_string()));
    }
    let mut all = vec![
        ll01.clone(),
        ll03.clone(),
        format!("{}%eth0", link_local(h04)),
    ];
    all.sort();
    let out = v6(&lab, &["resolve", "raspberry", "--all"], 0);
    let mut got: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    got.sort();
    assert_eq!(got, all);
    // A prefix shared by several hosts is ambiguous too.
    v6(&lab, &["resolve", "2001:db8:1::/64"], 3);

    // Nothing matched: exit 1 with a reason; malformed: exit 2 before any scan.
    let out = v6(&lab, &["resolve", "00:00:5e:00:53:01"], 1);
    assert!(text(&out.stderr).contains("no host matching"));
    let out = v6(&lab, &["resolve", "nosuchvendorxyz"], 1);
    assert!(text(&out.stderr).contains("no vendor in the OUI table"));
    let out = v6(&lab, &["resolve", "b8:27"], 2);
    assert!(text(&out.stderr).contains("too short"));
    let out = v6(
        &lab,
        &["resolve", "00:00:5e:00:53:01", "--wait-for", "2s"],
        1,
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("waiting for") && err.contains("waited 2s"),
        "{err}"
    );

    // A device that comes up while the search waits for it is found with --wait-for: it
    // comes up once the first scan has missed it (the progress line says so).
    let ns = h03.namespace.clone();
    ip(&["-n", &ns, "link", "set", "eth0", "down"]);
    ip(&["-n", &lab.scan_ns, "neigh", "flush", "dev", "eth0"]);
    v6(&lab, &["resolve", &h03.mac], 1);
    let mut child = lab
        .command(scanner_bin(), &["resolve", &h03.mac, "--wait-for", "120s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("waiting for") {
        let n = err.read_line(&mut said).unwrap();
        assert!(n > 0, "no progress line: {said}");
    }
    ip(&["-n", &ns, "link", "set", "eth0", "up"]);
    err.read_to_string(&mut said).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert_eq!(text(&out.stdout), format!("{ll03}\n"), "{said}");
}

fn ip(args: &[&str]) {
    let st = Command::new("ip").args(args).status().unwrap();
    assert!(st.success(), "ip {args:?}: {st}");
}

fn sshd_unavailable() -> Option<String> {
    ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen"]
        .iter()
        .find(|p| !Path::new(p).exists())
        .map(|p| format!("{p} missing (apt-get install openssh-server; see tests/deps.sh)"))
}

/// Options that make the client non-interactive and independent of the user's ssh setup.
fn client_opts(key: &str) -> Vec<String> {
    [
        "-F",
        "/dev/null",
        "-i",
        key,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "ConnectTimeout=10",
        "-o",
        "LogLevel=ERROR",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn ssh_and_proxycommand_log_in_by_mac() {
    if let Some(reason) = sshd_unavailable() {
        skip_or_fail(&reason);
        return;
    }
    let Some(lab) = Lab::create(4, 0) else { return };
    let h01 = lab.host("h01").clone();
    let mut sshd = Sshd::start(&h01.namespace, &lab.runid);
    let key = sshd.key();
    // The remote command prints the MAC of the interface it runs behind: proof of where we
    // logged in.
    let remote = ["cat", "/sys/class/net/eth0/address"];

    // v6scout ssh root@MAC -- OPTIONS COMMAND
    let mut args = vec!["ssh".to_string(), "-v".into(), format!("root@{}", h01.mac)];
    args.push("--".into());
    args.extend(client_opts(&key));
    args.extend(remote.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = v6(&lab, &args, 0);
    assert_eq!(text(&out.stdout).trim(), h01.mac, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let want = format!(
        "v6scout: running: ssh root@{}%eth0 -F /dev/null",
        link_local(&h01)
    );
    assert!(err.contains(&want), "want {want:?} in {err}");
    // Login by vendor too, with the remote command's exit status passed through.
    let mut args = vec![
        "ssh".to_string(),
        "root@raspberry pi foundation".into(),
        "--".into(),
    ];
    args.extend(client_opts(&key));
    args.extend(["exit".to_string(), "7".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    v6(&lab, &args, 7);

    // ssh -o ProxyCommand='v6scout connect MAC %p' (ssh runs in the scanner namespace).
    let proxy = format!("ProxyCommand={} connect {} %p", scanner_bin(), h01.mac);
    let mut args = client_opts(&key);
    args.extend(["-o".to_string(), proxy, "root@pi".to_string()]);
    args.extend(remote.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = lab.exec("ssh", &args);
    assert!(out.status.success(), "ssh {args:?}: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), h01.mac);
    // --prefer global goes through the global address; a bad port fails clearly.
    let proxy = format!(
        "ProxyCommand={} connect --prefer global {} %p",
        scanner_bin(),
        h01.mac
    );
    let mut args = client_opts(&key);
    args.extend(["-o".to_string(), proxy, "root@pi".into(), "true".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = lab.exec("ssh", &args);
    assert!(out.status.success(), "ssh {args:?}: {}", text(&out.stderr));
    let log = sshd.log();
    assert!(
        log.contains("Accepted publickey for root from 2001:db8:1::"),
        "no login over the global address in the sshd log:\n{log}"
    );
    let out = v6(&lab, &["connect", &h01.mac, "2"], 2);
    assert!(
        text(&out.stderr).contains("connecting to"),
        "{}",
        text(&out.stderr)
    );

    // Destroying the lab kills the sshd it runs in.
    drop(lab);
    assert!(
        sshd.exited_within(Duration::from_secs(30)),
        "sshd outlived the lab"
    );
}
