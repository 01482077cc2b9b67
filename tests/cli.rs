//! The built binary's command-line behaviour: help, misuse, privileges, exit codes.
//! Anything that could send a packet runs inside throwaway `v6t-*` namespaces.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::netns::Netns;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_v6scout");

fn v6scout(args: &[&str]) -> Output {
    // No test writes a real home: the inventory is off unless a test names one; and
    // a `sudo tests/run.sh` must not make every scan drop to the developer's uid.
    Command::new(BIN)
        .env("V6SCOUT_INVENTORY", "off")
        .env_remove("SUDO_UID")
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_lists_options_and_exit_codes() {
    let o = v6scout(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    for want in [
        "--interface",
        "--link-local",
        "--wait",
        "--json",
        "--plain",
        "--include-stale",
        "--no-names",
        "--jsonl",
        "--color",
        "completions",
        "Exit status",
        "setcap",
    ] {
        assert!(text.contains(want), "--help lacks {want}:\n{text}");
    }
    assert_eq!(v6scout(&["--version"]).status.code(), Some(0));
}

#[test]
fn misuse_is_one_clear_error_and_exit_2() {
    // Inside a throwaway namespace: a misuse that slipped through parsing would scan, and
    // must scan nothing but the test's own veth.
    let Some(ns) = Netns::create(true) else {
        return;
    };
    for (args, want) in [
        (
            &["--no-such-flag"][..],
            "unexpected argument '--no-such-flag'",
        ),
        (&["--wait", "soon"], "not a duration"),
        (&["--wait", "0"], "too short"),
        (&["--wait", "2h"], "too long"),
        (&["--rounds", "0"], "'--rounds <N>'"),
        (&["--rounds", "99"], "99 is not in 1..=20"),
        (&["--max-hosts", "0"], "'--max-hosts <N>'"),
        (&["--max-hosts", "lots"], "invalid digit"),
        (&["--ipv4-rate", "0"], "'--ipv4-rate <N>'"),
        (&["--ports", "ssh"], "'ssh' is not a TCP port"),
        (&["--ports", "70000"], "'70000' is not a TCP port"),
        (&["--ports", ","], "no port given"),
        (
            &["--color", "sometimes"],
            "possible values: auto, always, never",
        ),
        (&["--json", "--plain"], "cannot be used with"),
        (
            &["--json", "--no-header"],
            "'--json' cannot be used with '--no-header'",
        ),
        (
            &["--jsonl", "--no-header"],
            "'--jsonl' cannot be used with '--no-header'",
        ),
        (
            &["--table", "--no-header"],
            "'--table' cannot be used with '--no-header'",
        ),
        (
            &["--by-host", "--json"],
            "'--by-host' cannot be used with '--json'",
        ),
        (&["--sort", "mac"], "--by-host"),
        (&["--by-host", "--sort", "age"], "possible values"),
        (
            &["-i", "v0", "resolve", "pi"],
            "put '-i' after 'resolve' (v6scout resolve -i <IFACE> …)",
        ),
        (&["--json", "watch"], "'watch' has no option '--json'"),
        (&["-i"], "a value is required for '--interface <IFACE>'"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (&["resolve"], "<QUERY>"),
        (&["ssh"], "<[USER@]QUERY>"),
        (&["connect", "b8:27:eb:00:00:01"], "<PORT>"),
        (
            &["connect", "b8:27:eb:00:00:01", "http"],
            "'http' for '<PORT>'",
        ),
        (&["connect", "b8:27:eb:00:00:01", "0"], "'0' for '<PORT>'"),
        (&["resolve", ""], "the query is empty"),
        (&["resolve", "b8:27"], "too short for a MAC prefix"),
        (
            &["resolve", "b8:27:eb:zz"],
            "neither a MAC, a MAC prefix nor an IPv6 address",
        ),
        (&["watch", "--interval", "1ms"], "too short"),
        (&["watch", "--gone-after", "0"], "'--gone-after <N>'"),
        (&["completions", "zsh2"], "possible values"),
        (&["-i", "nosuch0"], "no interface named 'nosuch0'"),
        (
            &["resolve", "fe80::1%nosuch0"],
            "no interface named 'nosuch0'",
        ),
    ] {
        let mut cmd = vec![BIN];
        cmd.extend_from_slice(args);
        let o = ns.run(&cmd);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains(want), "{args:?}: {e}");
        assert_eq!(e.lines().count(), 1, "{args:?}: not one line:\n{e}");
        assert!(e.starts_with("v6scout: error: "), "{args:?}: {e}");
        assert!(
            !e.contains("panicked") && !e.contains("RUST_BACKTRACE"),
            "{e}"
        );
        assert!(o.stdout.is_empty(), "{args:?} printed a result");
    }
}

#[test]
fn unknown_interface_lists_valid_ones() {
    let Some(ns) = Netns::create(true) else {
        return;
    };
    let o = ns.run(&[BIN, "-i", "nosuch0"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("no interface named 'nosuch0'") && e.contains("v0"),
        "{e}"
    );
    assert!(!e.contains(" lo"), "loopback is not a valid choice: {e}");
}

#[test]
fn without_cap_net_raw_says_how_to_fix_it() {
    let Some(ns) = Netns::create(true) else {
        return;
    };
    // Root without CAP_NET_RAW in its bounding set, and an ordinary user.
    for prefix in [
        &[
            "setpriv",
            "--bounding-set",
            "-net_raw",
            "--inh-caps",
            "-net_raw",
        ][..],
        &[
            "setpriv",
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
        ][..],
    ] {
        let mut cmd: Vec<&str> = prefix.to_vec();
        cmd.extend(["--", BIN, "-i", "v0"]);
        let o = ns.run(&cmd);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{prefix:?}: {e}");
        assert!(
            e.contains("CAP_NET_RAW") && e.contains("sudo") && e.contains("setcap cap_net_raw+ep"),
            "{e}"
        );
        assert!(!e.contains("os error"), "raw OS error leaked: {e}");
    }
}

#[test]
fn exit_1_when_nobody_answers_and_0_when_someone_does() {
    let Some(quiet) = Netns::create(false) else {
        return;
    };
    let o = quiet.run(&[BIN, "-i", "v0", "--wait", "300ms", "--plain", "-v"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 hosts on 1 interface"),
        "-v: {}",
        stderr(&o)
    );

    let Some(busy) = Netns::create(true) else {
        return;
    };
    let o = busy.run(&[BIN, "-i", "v0", "--wait", "300ms", "--plain", "--no-header"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "",
        "stderr is no terminal: no summary without -v"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("v0 fe80::/64 fe80::"), "{out}");
}

#[test]
fn broken_pipe_exits_quietly() {
    let Some(ns) = Netns::create(true) else {
        return;
    };
    // `| true` closes the pipe before v6scout writes; it must exit 0 with nothing on stderr.
    let script =
        format!("{BIN} -i v0 --wait 200ms --json | true; echo \"status=${{PIPESTATUS[0]}}\"");
    let o = ns.run(&["bash", "-c", &script]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("status=0"), "{out} {}", stderr(&o));
    assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
    // A closed stderr (`2>&1 >/dev/null | true`) must not panic either: the plain summary,
    // a usage error and a warning all go there.
    for args in [
        "-i v0 --wait 200ms --plain",
        "--rounds 0",
        "-i v0 --wait 200ms --plain --no-ndp-cache --ipv4 --unprivileged",
    ] {
        let script =
            format!("{BIN} {args} 2>&1 >/dev/null | true; echo \"status=${{PIPESTATUS[0]}}\"");
        let o = ns.run(&["bash", "-c", &script]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(!out.contains("status=101"), "{args}: panicked: {out}");
        assert!(
            out.contains("status=0") || out.contains("status=2"),
            "{args}: {out}"
        );
    }
}

#[test]
fn every_output_mode_into_a_closed_pipe_exits_0_with_nothing_on_stderr() {
    let Some(ns) = Netns::create(true) else {
        return;
    };
    for mode in [
        "--plain",
        "--table",
        "--json",
        "--jsonl",
        "--by-host --plain",
        "--by-host --table",
    ] {
        // `| head -1` reads a line and leaves; `| true` closes the pipe before any write.
        for sink in ["head -1 >/dev/null", "true"] {
            let script = format!(
                "{BIN} -i v0 --wait 200ms {mode} | {sink}; echo \"status=${{PIPESTATUS[0]}}\""
            );
            let o = ns.run(&["bash", "-c", &script]);
            let out = String::from_utf8_lossy(&o.stdout);
            assert!(out.contains("status=0"), "{mode} | {sink}: {out}");
            assert_eq!(stderr(&o), "", "{mode} | {sink}: stderr not empty");
        }
    }
}

#[test]
fn completions_for_each_shell() {
    for (shell, want) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef v6scout"),
        ("fish", "complete -c v6scout"),
    ] {
        let o = v6scout(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains(want), "{shell} script lacks {want:?}");
        for opt in ["--no-names", "--jsonl", "--color", "--interface"] {
            assert!(
                text.contains(opt.trim_start_matches('-')),
                "{shell} lacks {opt}"
            );
        }
    }
    assert_eq!(v6scout(&["completions", "tcsh"]).status.code(), Some(2));
}

/// Colour: `--color always` colours even into a pipe; on a terminal (a pseudo-terminal
/// from `script`) `auto` colours unless NO_COLOR is set; `never` and pipes never do.
#[test]
fn colour_follows_color_flag_terminal_and_no_color() {
    let Some(ns) = Netns::create(true) else {
        return;
    };
    let scan = [BIN, "-i", "v0", "--wait", "200ms", "--no-names", "--table"];
    let run = |extra: &[&str], env: &str, tty: bool| -> String {
        let mut cmd: Vec<&str> = scan.to_vec();
        cmd.extend_from_slice(extra);
        let line = format!("{env} {}", cmd.join(" "));
        let o = if tty {
            ns.run(&["script", "-qec", &line, "/dev/null"])
        } else {
            ns.run(&["bash", "-c", &line])
        };
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(out.contains("fe80::"), "{line}: {out} {}", stderr(&o));
        out
    };
    assert!(run(&["--color", "always"], "", false).contains('\x1b'));
    assert!(run(&["--color", "always"], "NO_COLOR=1", false).contains('\x1b'));
    assert!(!run(&[], "", false).contains('\x1b'));
    assert!(!run(&["--color", "never"], "", true).contains('\x1b'));
    assert!(run(&[], "env -u NO_COLOR", true).contains('\x1b'));
    assert!(!run(&[], "NO_COLOR=1", true).contains('\x1b'));
}

#[test]
fn jsonl_is_one_object_a_line_ending_with_the_summary() {
    let Some(ns) = Netns::create(true) else {
        return;
    };
    let o = ns.run(&[BIN, "-i", "v0", "--wait", "200ms", "--jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 2, "{out}");
    assert_eq!(lines[0]["type"], "host");
    assert_eq!(lines[0]["interface"], "v0");
    assert!(lines[0]["names"].is_array());
    let last = lines.last().unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(last["hosts"], 1);
}

/// Scans over a second show a progress line on a terminal's stderr, erased at the end;
/// nothing when stderr is not a terminal.
#[test]
fn progress_only_on_a_terminal_and_only_for_long_scans() {
    let Some(ns) = Netns::create(true) else {
        return;
    };
    let line = format!("{BIN} -i v0 --wait 1200ms --no-names --plain >/dev/null");
    let o = ns.run(&["script", "-qec", &line, "/dev/null"]);
    let tty = String::from_utf8_lossy(&o.stdout);
    assert!(tty.contains("scanning… v0 1 host"), "{tty:?}");
    assert!(
        tty.contains("\r\x1b[2K1 host on 1 interface"),
        "not erased: {tty:?}"
    );
    let o = ns.run(&[BIN, "-i", "v0", "--wait", "1200ms", "--no-names", "--plain"]);
    assert!(!stderr(&o).contains("scanning"), "{}", stderr(&o));
    let short = format!("{BIN} -i v0 --wait 300ms --no-names --plain >/dev/null");
    let o = ns.run(&["script", "-qec", &short, "/dev/null"]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("scanning"));
}
