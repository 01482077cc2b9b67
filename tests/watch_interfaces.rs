//! `v6scout watch` and its interfaces, from the built binary in throwaway `v6t-*`
//! namespaces: an interface added mid-watch is probed (a host behind it is reported), one
//! that goes is one event, and what the watch process holds meanwhile.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::netns::Netns;
use common::wait_for;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_v6scout");

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn watch_says_plainly_when_its_interface_goes_away() {
    let Some(ns) = Netns::create(true) else {
        return;
    };
    // `timeout` only ends a watch this test could not stop itself.
    let mut child = ns
        .command(&[
            "timeout",
            "--preserve-status",
            "300",
            BIN,
            "watch",
            "-i",
            "v0",
            "--interval",
            "300ms",
            "--gone-after",
            "1",
            "--metrics",
            METRICS,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut out = String::new();
    // Reads the watch's lines until what it printed satisfies `want` (the end of its
    // output fails).
    let mut read_until = |want: &dyn Fn(&str) -> bool| {
        while !want(&out) {
            let line = lines.next().unwrap_or_else(|| panic!("watch ended: {out}"));
            out.push_str(&line.unwrap());
            out.push('\n');
        }
    };
    // The first scan lists the peer; then v0 goes, and the peer with it (--gone-after 1).
    read_until(&|o| {
        o.lines()
            .any(|l| l.starts_with("= ") || l.starts_with("+ "))
    });
    let del = Command::new("ip")
        .args(["-n", &ns.name, "link", "del", "v0"])
        .status()
        .unwrap();
    assert!(del.success());
    read_until(&|o| {
        o.contains("(interface gone")
            && o.lines()
                .any(|l| l.starts_with("- ") && !l.contains("(interface gone"))
    });
    // A few more rounds, in which nothing about v0 may be said again.
    more_rounds(&ns, 3);
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: signalling our own child (timeout, which passes it on to v6scout).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    for line in lines {
        out.push_str(&line.unwrap());
        out.push('\n');
    }
    let o = child.wait_with_output().unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{e}");
    // Said once, as an event: no warning about the dead link beside it.
    assert!(!e.contains("no probe could be sent"), "{e}");
    assert!(!e.contains("os error"), "raw OS error leaked: {e}");
    let gone: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("(interface gone"))
        .collect();
    assert_eq!(gone.len(), 1, "{out}");
    assert!(
        gone[0].starts_with("- ") && gone[0].contains(" v0 "),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("- ") && !l.contains("(interface gone")),
        "peer not gone: {out}"
    );
}

/// Where the watches of these tests serve their metrics, inside their own namespace.
const METRICS: &str = "[::1]:9469";

/// Waits until the watch in `ns` has run `n` more rounds (its `v6scout_scans_total`).
fn more_rounds(ns: &Netns, n: u64) {
    let rounds = || {
        let o = ns.run(&[
            "curl",
            "-sf",
            "--max-time",
            "5",
            "http://[::1]:9469/metrics",
        ]);
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("v6scout_scans_total "))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let limit = Duration::from_secs(60);
    let start = wait_for(limit, "v6scout_scans_total", rounds);
    wait_for(limit, "more rounds", || {
        rounds().filter(|r| *r >= start + n)
    });
}

/// A namespace the test made beside a [`Netns`], deleted on drop (panics included).
struct ExtraNs(String);

impl Drop for ExtraNs {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).output();
    }
}

/// The MAC of the host behind the interface that appears mid-watch.
const NEW_HOST_MAC: &str = "02:5e:00:00:21:01";

/// Who runs the watch.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Root, from a root shell.
    Root,
    /// Root through `sudo` by uid 65534 (`SUDO_UID`): watch becomes that user.
    Sudo,
    /// Uid 65534 without capabilities, ping sockets allowed: echo only.
    Unprivileged,
}

/// The host behind `u0`, reported by the scans (unprivileged, its MAC comes from the
/// neighbour cache and may be missing).
fn is_new_host(v: &serde_json::Value, mode: Mode) -> bool {
    v["type"] == "appeared"
        && v["interface"] == "u0"
        && (mode == Mode::Unprivileged || v["mac"] == NEW_HOST_MAC)
}

/// Watches (JSON lines) in a lab namespace, adds `u0` — a veth to a host in a namespace of
/// its own — mid-watch, waits until that host is reported on `u0`, deletes `u0`, and
/// returns every event line and stderr.
fn watch_an_interface_come_and_go(mode: Mode) -> Option<(Vec<serde_json::Value>, String)> {
    use std::time::Instant;
    let ns = Netns::create(true)?;
    let far = ExtraNs(format!("{}-new", ns.name));
    let ip = |args: &[&str]| {
        let st = Command::new("ip").args(args).status().unwrap();
        assert!(st.success(), "ip {args:?}");
    };
    ip(&["netns", "add", &far.0]);
    ip(&["-n", &far.0, "link", "set", "lo", "up"]);
    for key in ["all", "default"] {
        let sysctl = format!("net.ipv6.conf.{key}.accept_dad=0");
        ip(&["netns", "exec", &far.0, "sysctl", "-qw", &sysctl]);
    }
    // `timeout` only ends a watch this test could not stop itself.
    let mut argv = vec!["timeout", "--preserve-status", "300"];
    if mode == Mode::Unprivileged {
        let range = "net.ipv4.ping_group_range=0 2147483647";
        ip(&["netns", "exec", &ns.name, "sysctl", "-qw", range]);
        argv.extend(["setpriv", "--reuid", "65534", "--regid", "65534"]);
        argv.extend(["--clear-groups", "--"]);
    }
    argv.extend([
        BIN,
        "watch",
        "--jsonl",
        "--interval",
        "300ms",
        "--wait",
        "200ms",
        // Its thread must hold no more than the watch loop's.
        "--metrics",
        METRICS,
    ]);
    let mut cmd = ns.command(&argv);
    if mode == Mode::Sudo {
        cmd.env("SUDO_UID", "65534").env("SUDO_GID", "65534");
    }
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let out = std::io::BufReader::new(child.stdout.take().unwrap());
    let reader = std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    let mut events = Vec::new();
    // Waits for an event `want` accepts; every event is kept.
    let mut wait_for = |what: &str, want: &dyn Fn(&serde_json::Value) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(v) => {
                    let hit = want(&v);
                    events.push(v);
                    if hit {
                        return;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no {what} event in {events:?}");
    };
    // The first round is done once v0's peer is reported present.
    wait_for("present", &|v| v["type"] == "present");
    ip(&[
        "-n", &ns.name, "link", "add", "u0", "type", "veth", "peer", "name", "u1", "netns", &far.0,
    ]);
    ip(&["-n", &far.0, "link", "set", "u1", "address", NEW_HOST_MAC]);
    ip(&["-n", &far.0, "link", "set", "u1", "up"]);
    ip(&["-n", &ns.name, "link", "set", "u0", "up"]);
    wait_for("u0 host appeared", &|v| is_new_host(v, mode));
    // u0's sockets are open and the scans go on: what does watch hold now?
    check_privileges(child.id(), mode);
    ip(&["-n", &ns.name, "link", "del", "u0"]);
    wait_for("interface-gone", &|v| v["type"] == "interface-gone");
    // A few more rounds, in which nothing about u0 may be said again.
    more_rounds(&ns, 3);
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: signalling our own child (timeout, which passes it on to v6scout).
    let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    events.extend(rx.try_iter());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    Some((events, err))
}

/// Every thread of the v6scout that `timeout` (`pid`) runs holds CAP_NET_RAW alone,
/// permitted and not effective, with no_new_privs, as root — or under `sudo` as the user;
/// unprivileged, nothing.
fn check_privileges(timeout_pid: u32, mode: Mode) {
    let children =
        std::fs::read_to_string(format!("/proc/{timeout_pid}/task/{timeout_pid}/children"))
            .unwrap();
    let pid = children.trim();
    let main = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap();
    assert_eq!(main.trim(), "v6scout");
    let mut threads = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let Ok(status) = std::fs::read_to_string(task.unwrap().path().join("status")) else {
            continue; // a scan's worker that just ended
        };
        let field = |k: &str| {
            (status.lines())
                .find_map(|l| l.strip_prefix(k)?.strip_prefix(':'))
                .map(|v| v.trim().replace('\t', " "))
                .unwrap_or_default()
        };
        assert_eq!(field("Tgid"), pid, "{status}");
        let kept = match mode {
            Mode::Root | Mode::Sudo => "0000000000002000",
            Mode::Unprivileged => "0000000000000000",
        };
        for (k, want) in [
            ("CapPrm", kept),
            ("CapEff", "0000000000000000"),
            ("CapInh", "0000000000000000"),
            ("CapAmb", "0000000000000000"),
            ("NoNewPrivs", "1"),
        ] {
            assert_eq!(field(k), want, "{k}: {status}");
        }
        // Only root may narrow the bounding set; without a privilege it grants nothing.
        if mode != Mode::Unprivileged {
            assert_eq!(field("CapBnd"), kept, "{status}");
        }
        let uid = if mode == Mode::Root { "0" } else { "65534" };
        assert_eq!(field("Uid"), [uid; 4].join(" "), "{status}");
        assert_eq!(field("Gid"), [uid; 4].join(" "), "{status}");
        threads += 1;
    }
    assert!(threads >= 2, "the watch loop and the metrics server");
}

fn check_interface_events(events: &[serde_json::Value], err: &str, mode: Mode) {
    let of = |kind: &str| -> Vec<&serde_json::Value> {
        events.iter().filter(|v| v["type"] == kind).collect()
    };
    let appeared = of("interface-appeared");
    assert_eq!(appeared.len(), 1, "{events:?}");
    assert_eq!(appeared[0]["interface"], "u0");
    assert_eq!(appeared[0]["watched"], true, "{events:?}");
    let gone = of("interface-gone");
    assert_eq!(gone.len(), 1, "reported once: {events:?}");
    assert_eq!(gone[0]["interface"], "u0");
    // In order: u0 came, its host was scanned and reported, u0 went.
    let at = |want: &dyn Fn(&serde_json::Value) -> bool| events.iter().position(want).unwrap();
    let came = at(&|v| v["type"] == "interface-appeared");
    let host = at(&|v| is_new_host(v, mode));
    let went = at(&|v| v["type"] == "interface-gone");
    assert!(came < host && host < went, "{events:?}");
    assert!(
        !events
            .iter()
            .any(|v| v["interface"] == "v0" && v["type"].as_str().unwrap().starts_with("interface")),
        "v0 never changed: {events:?}"
    );
    // Each change once: no warning about u0's dead link beside the event.
    assert!(!err.contains("u0"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn watch_scans_an_interface_that_appears_and_reports_it_gone_once() {
    if let Some((events, err)) = watch_an_interface_come_and_go(Mode::Root) {
        check_interface_events(&events, &err, Mode::Root);
    }
}

#[test]
fn under_sudo_watch_keeps_what_opening_a_new_interface_needs() {
    // The uid switch to the sudo user must carry CAP_NET_RAW over (and nothing else).
    if let Some((events, err)) = watch_an_interface_come_and_go(Mode::Sudo) {
        check_interface_events(&events, &err, Mode::Sudo);
    }
}

#[test]
fn unprivileged_watch_probes_a_new_interface_with_a_ping_socket() {
    if let Some((events, err)) = watch_an_interface_come_and_go(Mode::Unprivileged) {
        check_interface_events(&events, &err, Mode::Unprivileged);
        assert!(
            err.contains("unprivileged ping sockets"),
            "said once: {err}"
        );
    }
}
