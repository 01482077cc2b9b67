//! The built binary's command-line behaviour: help, misuse, privileges, exit codes.
//! Anything that could send a packet runs inside throwaway `v6t-*` namespaces.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::netns::Netns;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_v6scout");

fn v6scout(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
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
        "Exit status",
        "setcap",
    ] {
        assert!(text.contains(want), "--help lacks {want}:\n{text}");
    }
    assert_eq!(v6scout(&["--version"]).status.code(), Some(0));
}

#[test]
fn misuse_is_one_clear_error_and_exit_2() {
    for (args, want) in [
        (&["--no-such-flag"][..], "unexpected argument"),
        (&["--wait", "soon"][..], "not a duration"),
        (&["--rounds", "0"][..], "rounds"),
        (&["--json", "--plain"][..], "cannot be used with"),
    ] {
        let o = v6scout(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.contains(want), "{args:?}: {e}");
        assert!(
            !e.contains("panicked") && !e.contains("RUST_BACKTRACE"),
            "{e}"
        );
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
    let o = quiet.run(&[BIN, "-i", "v0", "--wait", "300ms", "--plain"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 hosts on 1 interface"),
        "{}",
        stderr(&o)
    );

    let Some(busy) = Netns::create(true) else {
        return;
    };
    let o = busy.run(&[BIN, "-i", "v0", "--wait", "300ms", "--plain", "--no-header"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
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
}
