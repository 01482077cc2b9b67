use crate::cli::Cli;
use crate::config::{FindAction, Job, WakeConfig, DEFAULT_WAKE_WAIT};
use clap::Parser;
use std::time::Duration;

fn wake(args: &[&str]) -> WakeConfig {
    let cli = Cli::try_parse_from(args).unwrap();
    match cli.invocation() {
        crate::cli::Invocation::Run(job) => match *job {
            Job::Wake(w) => w,
            other => panic!("not a wake: {other:?}"),
        },
        other => panic!("not a job: {other:?}"),
    }
}

#[test]
fn wake_alone_only_sends() {
    let w = wake(&["v6scout", "wake", "pi", "-i", "eth1"]);
    assert_eq!(w.query, "pi");
    assert_eq!(w.interfaces, ["eth1"]);
    assert_eq!(w.then, None);
}

#[test]
fn wake_wait_for_then_prints_the_address() {
    let w = wake(&[
        "v6scout",
        "wake",
        "b8:27:eb",
        "--wait-for",
        "60s",
        "--prefer",
        "global",
    ]);
    let then = w.then.unwrap();
    assert_eq!(then.query, "b8:27:eb");
    assert_eq!(then.wait_for, Some(Duration::from_secs(60)));
    assert_eq!(then.action, FindAction::Print { all: false });
    assert_eq!(then.prefer, crate::query::Prefer::Global);
}

#[test]
fn ssh_wake_wakes_then_logs_in_waiting_two_minutes_unless_told() {
    let w = wake(&["v6scout", "ssh", "--wake", "root@pi", "--", "uptime"]);
    assert_eq!(w.query, "pi");
    let then = w.then.unwrap();
    assert_eq!(then.wait_for, Some(DEFAULT_WAKE_WAIT));
    assert!(matches!(
        then.action,
        FindAction::Ssh { ref user, ref args, .. } if user.as_deref() == Some("root") && args == &["uptime"]
    ));
    let w = wake(&["v6scout", "ssh", "--wake", "--wait-for", "5m", "pi"]);
    assert_eq!(w.then.unwrap().wait_for, Some(Duration::from_secs(300)));
    // Without --wake, ssh stays a plain search.
    let cli = Cli::try_parse_from(["v6scout", "ssh", "pi"]).unwrap();
    assert!(matches!(
        cli.invocation(),
        crate::cli::Invocation::Run(job) if matches!(*job, Job::Find(_))
    ));
}
