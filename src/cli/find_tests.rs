use super::*;
use crate::cli::{Cli, Command};
use clap::Parser;

#[test]
fn splits_user_at_the_last_at() {
    assert_eq!(
        split_user("root@b8:27:eb:89:bc:51"),
        (Some("root"), "b8:27:eb:89:bc:51")
    );
    assert_eq!(split_user("raspberry"), (None, "raspberry"));
    assert_eq!(split_user("@pi"), (None, "pi"));
    assert_eq!(split_user("a@b@pi"), (Some("a@b"), "pi"));
}

#[test]
fn searches_keep_scan_defaults_and_take_their_own_options() {
    let cli = Cli::try_parse_from([
        "v6scout", "resolve", "pi", "-i", "eth1", "-w", "300ms", "--mld", "--prefer", "global",
    ])
    .unwrap();
    let Some(Command::Resolve(r)) = cli.command else {
        panic!("not resolve: {cli:?}")
    };
    let f = r.config();
    assert_eq!(f.scan.interfaces, ["eth1"]);
    assert_eq!(f.scan.wait, Duration::from_millis(300));
    assert_eq!(f.scan.rounds, crate::config::DEFAULT_ROUNDS);
    assert!(!f.scan.include_self && !f.scan.include_stale && !f.scan.link_local_only);
    assert!(f.scan.mld);
    assert_eq!(f.prefer, Prefer::Global);
    assert_eq!(f.action, FindAction::Print { all: false });
    let cli = Cli::try_parse_from(["v6scout", "ssh", "-v", "root@pi", "--", "-p", "2"]).unwrap();
    let Some(Command::Ssh(s)) = cli.command else {
        panic!("not ssh")
    };
    let f = s.config();
    assert_eq!(f.query, "pi");
    assert_eq!(
        f.action,
        FindAction::Ssh {
            user: Some("root".into()),
            args: vec!["-p".into(), "2".into()],
            verbose: true
        }
    );
}
