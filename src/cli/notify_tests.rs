use crate::cli::{usage_error_line, Cli, Invocation};
use crate::config::Job;
use crate::notify::{Format, NotifyConfig, Selection};
use clap::Parser;
use std::time::Duration;

fn notify(args: &[&str]) -> NotifyConfig {
    let mut all = vec!["v6scout", "watch"];
    all.extend_from_slice(args);
    match Cli::try_parse_from(all).unwrap().invocation() {
        Invocation::Run(job) => match *job {
            Job::Watch(w) => w.notify,
            other => panic!("not watch: {other:?}"),
        },
        other => panic!("not a job: {other:?}"),
    }
}

fn refused(args: &[&str]) -> String {
    let mut all = vec!["v6scout", "watch"];
    all.extend_from_slice(args);
    usage_error_line(&Cli::try_parse_from(all).unwrap_err())
}

#[test]
fn no_notify_no_notifications() {
    assert_eq!(notify(&[]), NotifyConfig::default());
}

#[test]
fn targets_formats_kinds_and_timeout_reach_the_config() {
    let n = notify(&[
        "--notify",
        "https://hooks.example/a",
        "--notify",
        "ntfy://ntfy.sh/lab?auth=x",
    ]);
    assert_eq!(n.targets.len(), 2);
    assert_eq!(
        (n.targets[0].url.as_str(), n.targets[0].format),
        ("https://hooks.example/a", Format::Webhook)
    );
    assert_eq!(
        (n.targets[1].url.as_str(), n.targets[1].format),
        ("https://ntfy.sh/lab?auth=x", Format::Ntfy)
    );
    assert_eq!(n.on, Selection::default());
    assert_eq!(n.timeout, Duration::from_secs(10));
    let n = notify(&[
        "--notify",
        "https://ntfy.sh/lab",
        "--notify-format",
        "ntfy",
        "--notify-on",
        "all",
        "--notify-timeout",
        "3s",
    ]);
    assert_eq!(n.targets[0].format, Format::Ntfy);
    assert_eq!(n.on, "all".parse().unwrap());
    assert_eq!(n.timeout, Duration::from_secs(3));
}

#[test]
fn misuse_is_one_clear_line() {
    let e = refused(&["--notify", "ntfy.sh/lab"]);
    assert!(e.contains("not a URL"), "{e}");
    let e = refused(&["--notify", "http://h/", "--notify-on", "news"]);
    assert!(e.contains("\"news\" is not a kind of event"), "{e}");
    for lonely in [
        &["--notify-on", "all"][..],
        &["--notify-format", "ntfy"],
        &["--notify-timeout", "5s"],
    ] {
        let e = refused(lonely);
        assert!(e.contains("--notify <URL>"), "{lonely:?}: {e}");
    }
    for e in [
        refused(&["--notify", "ftp://h/x"]),
        refused(&["--notify", "http://h/", "--notify-format", "email"]),
    ] {
        assert!(!e.contains('\n'), "{e}");
    }
}
