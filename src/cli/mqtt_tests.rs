use crate::cli::Cli;
use crate::config::Job;
use clap::Parser;

fn job(args: &[&str]) -> Job {
    let cli = Cli::try_parse_from(args).unwrap();
    match cli.invocation() {
        crate::cli::Invocation::Run(j) => *j,
        other => panic!("{other:?}"),
    }
}

#[test]
fn watch_mqtt_with_its_site_and_home_assistant() {
    let Job::Watch(w) = job(&[
        "v6scout",
        "watch",
        "--mqtt",
        "mqtt://u:p@broker:1884",
        "--site",
        "lab-a",
        "--mqtt-ha",
    ]) else {
        panic!()
    };
    let m = w.mqtt.unwrap();
    assert_eq!(m.broker.url.port, 1884);
    assert_eq!(m.site.unwrap().as_str(), "lab-a");
    assert!(m.ha);
    assert_eq!(m.refresh, std::time::Duration::from_secs(300));
    let Job::Watch(w) = job(&["v6scout", "watch"]) else {
        panic!()
    };
    assert!(w.mqtt.is_none());
}

#[test]
fn mqtt_options_need_mqtt_and_bad_values_are_refused() {
    for args in [
        &["v6scout", "watch", "--site", "a"][..],
        &["v6scout", "watch", "--mqtt-ha"],
        &["v6scout", "watch", "--mqtt", "http://x"],
        &["v6scout", "watch", "--mqtt", "mqtt://x", "--site", "a/b"],
        &["v6scout", "collect"],
    ] {
        assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
    }
}

#[test]
fn collect_takes_the_broker_and_the_inventory() {
    let Job::Collect(c) = job(&[
        "v6scout",
        "collect",
        "mqtt://hub@broker",
        "--mqtt-password-file",
        "/etc/pw",
        "--inventory",
        "/tmp/hub.sqlite3",
    ]) else {
        panic!()
    };
    assert_eq!(c.broker.url.user.as_deref(), Some("hub"));
    assert_eq!(c.broker.password_file.unwrap().to_str(), Some("/etc/pw"));
    assert_eq!(
        c.inventory,
        crate::config::InventoryPlace::Path("/tmp/hub.sqlite3".into())
    );
}

#[test]
fn a_bad_url_is_refused_without_showing_its_password() {
    for args in [
        &["v6scout", "watch", "--mqtt", "mqtt://u:s3cretPW@h:0"][..],
        &["v6scout", "collect", "http://u:s3cretPW@h"],
    ] {
        let e = Cli::try_parse_from(args).unwrap_err().to_string();
        assert!(!e.contains("s3cretPW"), "{e}");
        assert!(e.contains("mqtt://"), "{e}");
    }
}
