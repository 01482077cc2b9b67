use super::*;
use clap::CommandFactory;

#[test]
fn cli_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn usage_errors_are_one_line() {
    for args in [
        &["v6scout", "--max-hosts", "0"][..],
        &["v6scout", "--color", "sometimes"],
        &["v6scout", "resolve"],
        &["v6scout", "--json", "--jsonl"],
        &["v6scout", "frobnicate"],
        &["v6scout", "--ports", "ssh"],
    ] {
        let e = Cli::try_parse_from(args).unwrap_err();
        let line = usage_error_line(&e);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("v6scout: error: "), "{line}");
        assert!(
            !line.contains("Usage:") && !line.contains("<COMMAND>"),
            "{line}"
        );
    }
    let e = Cli::try_parse_from(["v6scout", "resolve"]).unwrap_err();
    assert!(usage_error_line(&e).contains("<QUERY>"));
    let e = Cli::try_parse_from(["v6scout", "--ports", "ssh"]).unwrap_err();
    assert!(usage_error_line(&e).contains("'ssh' is not a TCP port"));
}

#[test]
fn an_option_before_its_subcommand_says_where_it_goes() {
    let line = |args: &[&str]| usage_error_line(&Cli::try_parse_from(args).unwrap_err());
    let l = line(&["v6scout", "-i", "eth1", "resolve", "pi"]);
    assert_eq!(
        l,
        "v6scout: error: options of 'resolve' go after it: put '-i' after 'resolve' \
         (v6scout resolve -i <IFACE> …)"
    );
    assert!(line(&["v6scout", "--wait", "2s", "watch"]).contains("put '-w' after 'watch'"));
    assert_eq!(
        line(&["v6scout", "--json", "watch"]),
        "v6scout: error: 'watch' has no option '--json'; try v6scout watch --help"
    );
    // Other conflicts keep clap's words.
    assert!(line(&["v6scout", "--json", "--no-header"]).contains("cannot be used with"));
}

/// One test per case of `misplaced_option`, from clap's error kind and context.
fn misplaced(args: &[&str]) -> Option<String> {
    misplaced_option(&Cli::try_parse_from(args).unwrap_err())
}

#[test]
fn misplaced_option_with_a_short_name_and_a_value() {
    assert_eq!(
        misplaced(&["v6scout", "-w", "2s", "resolve", "pi"]).as_deref(),
        Some(
            "v6scout: error: options of 'resolve' go after it: put '-w' after 'resolve' \
             (v6scout resolve -w <DURATION> …)"
        )
    );
}

#[test]
fn misplaced_option_with_only_a_long_name() {
    assert_eq!(
        misplaced(&["v6scout", "--rounds", "2", "watch"]).as_deref(),
        Some(
            "v6scout: error: options of 'watch' go after it: put '--rounds' after 'watch' \
             (v6scout watch --rounds <N> …)"
        )
    );
}

#[test]
fn misplaced_flag_without_a_value() {
    assert_eq!(
        misplaced(&["v6scout", "-L", "watch"]).as_deref(),
        Some(
            "v6scout: error: options of 'watch' go after it: put '-L' after 'watch' \
             (v6scout watch -L …)"
        )
    );
}

#[test]
fn misplaced_option_the_subcommand_does_not_take() {
    assert_eq!(
        misplaced(&["v6scout", "--plain", "connect", "pi", "22"]).as_deref(),
        Some("v6scout: error: 'connect' has no option '--plain'; try v6scout connect --help")
    );
}

#[test]
fn several_options_before_a_subcommand_keep_clap_s_list() {
    let e = Cli::try_parse_from(["v6scout", "-L", "--mld", "watch"]).unwrap_err();
    assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
    assert_eq!(misplaced_option(&e), None);
    let l = usage_error_line(&e);
    assert!(
        l.starts_with("v6scout: error: ") && !l.contains('\n'),
        "{l}"
    );
}

#[test]
fn other_errors_are_not_misplaced_options() {
    assert_eq!(misplaced(&["v6scout", "--json", "--no-header"]), None);
    assert_eq!(misplaced(&["v6scout", "frobnicate"]), None);
    assert_eq!(misplaced(&["v6scout", "--no-such-flag", "watch"]), None);
}

#[test]
fn misuse_of_output_options_is_refused() {
    for args in [
        &["v6scout", "--json", "--no-header"][..],
        &["v6scout", "--jsonl", "--no-header"],
        &["v6scout", "--table", "--no-header"],
        &["v6scout", "--by-host", "--json"],
        &["v6scout", "--by-host", "--jsonl"],
        &["v6scout", "--sort", "mac"],
    ] {
        assert!(Cli::try_parse_from(args).is_err(), "{args:?} accepted");
    }
    let Job::Scan { output, .. } = job(&["v6scout", "--by-host", "--sort", "last-seen", "-v"])
    else {
        panic!("not a scan")
    };
    assert_eq!(output.by_host, Some(SortKey::LastSeen));
    assert!(output.verbose);
    let Job::Scan { output, .. } = job(&["v6scout", "--by-host", "--plain", "--no-header"]) else {
        panic!("not a scan")
    };
    assert_eq!(
        (output.by_host, output.header),
        (Some(SortKey::Vendor), false)
    );
}

#[test]
fn durations() {
    assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("2.5"), Ok(Duration::from_millis(2500)));
    assert!(parse_duration("soon").is_err());
    assert!(parse_duration("-1").is_err());
    assert!(parse_duration("1ms").is_err());
    assert!(parse_duration("2h").is_err());
    assert!(parse_duration("NaN").is_err());
}

#[test]
fn parses_a_typical_command_line() {
    let c = Cli::try_parse_from([
        "v6scout", "-i", "eth0", "-i", "wlan0", "-L", "--json", "--wait", "2s",
    ])
    .unwrap();
    assert_eq!(c.scan.probe.interfaces, ["eth0", "wlan0"]);
    assert!(c.scan.probe.link_local && c.scan.json);
    assert_eq!(c.scan.probe.wait, Duration::from_secs(2));
    assert!(Cli::try_parse_from(["v6scout", "--json", "--plain"]).is_err());
}

fn job(args: &[&str]) -> Job {
    match Cli::try_parse_from(args).unwrap().invocation() {
        Invocation::Run(job) => *job,
        other => panic!("not a job: {other:?}"),
    }
}

#[test]
fn defaults_of_the_command_line_are_the_configs_defaults() {
    assert_eq!(
        job(&["v6scout"]),
        Job::Scan {
            scan: ScanConfig::default(),
            output: OutputConfig::default(),
            inventory: crate::config::InventoryConfig::default(),
        }
    );
    let Job::Watch(w) = job(&["v6scout", "watch"]) else {
        panic!("not watch")
    };
    assert_eq!(w.scan, ScanConfig::default());
    assert_eq!(w.events, WatchConfig::default());
    assert_eq!(w.interval, config::DEFAULT_INTERVAL);
    let Job::Find(f) = job(&["v6scout", "resolve", "pi"]) else {
        panic!("not resolve")
    };
    assert_eq!(f.scan, ScanConfig::default());
    assert_eq!(f.prefer, crate::query::Prefer::default());
}

#[test]
fn scan_options_reach_the_config() {
    let Job::Scan { scan, output, .. } = job(&[
        "v6scout",
        "--ipv4",
        "--ipv4-rate",
        "50",
        "--services",
        "--no-ndp-cache",
        "--no-names",
        "--include-stale",
        "--plain",
        "--no-header",
        "--color",
        "never",
        "--max-hosts",
        "9",
    ]) else {
        panic!("not a scan")
    };
    assert_eq!(
        scan.ipv4_sweep,
        Some(SweepConfig {
            rate: 50,
            max_hosts: crate::ipv4::DEFAULT_MAX_HOSTS
        })
    );
    assert_eq!(scan.ports, Some(vec![22]));
    assert!(!scan.neigh_cache && !scan.names && scan.include_stale);
    assert_eq!(scan.max_hosts, 9);
    assert_eq!(
        output,
        OutputConfig {
            format: FormatChoice::Plain,
            header: false,
            color: ColorChoice::Never,
            by_host: None,
            verbose: false,
        }
    );
    let Job::Scan { scan, .. } = job(&["v6scout", "scan", "--ports", "80,22"]) else {
        panic!("not a scan")
    };
    assert_eq!(
        scan.ports,
        Some(vec![22, 80]),
        "--ports wins over --services"
    );
}

#[test]
fn parses_watch() {
    let c = Cli::try_parse_from([
        "v6scout",
        "watch",
        "-i",
        "eth0",
        "--interval",
        "1s",
        "--jsonl",
        "--exec",
        "true",
        "--gone-after",
        "3",
    ])
    .unwrap();
    let Some(Command::Watch(w)) = c.command else {
        panic!("not watch: {c:?}")
    };
    assert_eq!(w.interval, Duration::from_secs(1));
    assert!(w.jsonl);
    assert_eq!(w.exec.as_deref(), Some("true"));
    assert_eq!((w.gone_after, w.forget_after), (3, 720));
    let st = w.settings();
    assert_eq!(st.scan.interfaces, ["eth0"]);
    assert_eq!(
        (st.scan.wait, st.scan.rounds, st.scan.max_hosts),
        (Duration::from_secs(1), 3, 4096)
    );
    assert_eq!((st.events.gone_after, st.events.forget_after), (3, 720));
    assert!(!st.scan.include_self && !st.scan.include_stale);
    assert!(st.jsonl && st.exec.as_deref() == Some("true"));
    let d = Cli::try_parse_from(["v6scout", "watch"]).unwrap();
    let Some(Command::Watch(w)) = d.command else {
        panic!()
    };
    assert_eq!(w.interval, Duration::from_secs(5));
    let m = Cli::try_parse_from(["v6scout", "watch", "--mld", "--no-names", "-L"]).unwrap();
    let Some(Command::Watch(m)) = m.command else {
        panic!()
    };
    let s = m.settings().scan;
    assert!(s.mld && !s.names && s.link_local_only, "{s:?}");
    assert!(Cli::try_parse_from(["v6scout", "watch", "--gone-after", "0"]).is_err());
    assert_eq!(w.metrics, None);
    let Job::Watch(w) = job(&["v6scout", "watch", "--metrics", "[::1]:9469"]) else {
        panic!("not watch")
    };
    let listen = w.metrics.unwrap();
    assert_eq!(listen.addr, "[::1]:9469".parse().unwrap());
    assert!(!listen.public);
    let Job::Watch(w) = job(&[
        "v6scout",
        "watch",
        "--metrics",
        "0.0.0.0:1",
        "--metrics-public",
    ]) else {
        panic!("not watch")
    };
    assert!(w.metrics.unwrap().public);
    assert!(Cli::try_parse_from(["v6scout", "watch", "--metrics", "localhost:9469"]).is_err());
    assert!(Cli::try_parse_from(["v6scout", "watch", "--metrics", "[::1]"]).is_err());
    assert!(Cli::try_parse_from(["v6scout", "watch", "--metrics-public"]).is_err());
    assert!(Cli::try_parse_from(["v6scout", "watch", "--json"]).is_err());
}

#[test]
fn history_options_reach_the_config() {
    let Job::History(h) = job(&[
        "v6scout", "history", "pi", "--since", "7d", "--site", "branch",
    ]) else {
        panic!("not history")
    };
    assert_eq!(h.query.as_deref(), Some("pi"));
    assert_eq!(h.since, Some(Duration::from_secs(7 * 86_400)));
    assert_eq!(h.site.as_deref(), Some("branch"));
    let Job::History(h) = job(&["v6scout", "history"]) else {
        panic!("not history")
    };
    assert_eq!(
        h.site, None,
        "every device, this machine's and every site's"
    );
}
