use super::text::{escape_help, escape_label, number};
use super::*;
use crate::model::Ipv6Prefix;
use crate::report::{HostRow, IfaceReport, PrefixGroup, PrefixSource, ScanStats};
use crate::watch::{WatchConfig, Watcher};
use std::net::Ipv6Addr;
use std::time::{Duration, UNIX_EPOCH};

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);
const RTR: Mac = Mac([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca]);
const PRIV: Mac = Mac([0x4a, 0x02, 0x12, 0xc2, 0x16, 0xdf]);

fn row(addr: &str, mac: Option<Mac>, name: Option<&str>) -> HostRow {
    let address: Ipv6Addr = addr.parse().unwrap();
    HostRow {
        names: name.map(String::from).into_iter().collect(),
        ..HostRow::new(address, "eth0", mac)
    }
}

fn report(scan: u64, ifaces: Vec<(&str, Vec<HostRow>)>) -> Report {
    Report {
        started: UNIX_EPOCH + Duration::from_secs(1_795_000_000 + 5 * scan),
        duration: Duration::from_millis(1250),
        interfaces: ifaces
            .into_iter()
            .map(|(name, hosts)| IfaceReport {
                prefixes: vec![PrefixGroup {
                    prefix: Ipv6Prefix::new("fe80::".parse().unwrap(), 64),
                    source: PrefixSource::Interface,
                    hosts,
                }],
                ..IfaceReport::new(name, 2, None)
            })
            .collect(),
        stats: ScanStats {
            probes_sent: 10,
            replies: 3,
            malformed: 1,
            dropped_over_limit: 2,
            ..ScanStats::default()
        },
        ports_checked: None,
    }
}

/// A watcher and the metrics fed from it, as the watch loop does.
struct Rig {
    w: Watcher,
    m: Metrics,
}

impl Rig {
    fn new(gone_after: u32, forget_after: u32, max: usize) -> Rig {
        Rig {
            w: Watcher::new(WatchConfig {
                gone_after,
                forget_after,
                max_tracked: 64,
            }),
            m: Metrics::new(MetricsConfig {
                max_devices: max,
                forget_after: u64::from(forget_after),
            }),
        }
    }

    fn round(&mut self, rows: Vec<HostRow>) -> String {
        let rep = report(self.w.scans(), vec![("eth0", rows)]);
        let ev = self.w.observe(&rep);
        self.m.observe(&rep, &ev);
        self.m.render()
    }
}

/// The value of the one sample line starting with `series` (name and labels).
fn value(text: &str, series: &str) -> Option<String> {
    let mut found = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .filter(|(s, _)| *s == series)
        .map(|(_, v)| v.to_string());
    let v = found.next();
    assert!(found.next().is_none(), "{series} twice in\n{text}");
    v
}

fn up(mac: Mac, vendor: &str, name: &str) -> String {
    format!(
        "v6scout_device_up{{interface=\"eth0\",mac=\"{mac}\",vendor=\"{vendor}\",name=\"{name}\"}}"
    )
}

#[test]
fn label_values_and_help_are_escaped() {
    assert_eq!(escape_label(r#"a\b"c"#), r#"a\\b\"c"#);
    assert_eq!(escape_label("two\nlines"), "two\\nlines");
    assert_eq!(
        escape_label("Raspberry Pi Trading Ltd"),
        "Raspberry Pi Trading Ltd"
    );
    assert_eq!(escape_help("a\\b \"q\"\nc"), "a\\\\b \"q\"\\nc");
    assert_eq!(number(1.0), "1");
    assert_eq!(number(1.25), "1.25");
    assert_eq!(number(f64::NAN), "NaN");
    assert_eq!(number(f64::INFINITY), "+Inf");
}

#[test]
fn a_name_with_quotes_and_newlines_stays_one_line() {
    let mut rig = Rig::new(1, 10, 8);
    let t = rig.round(vec![row("fe80::1", Some(PI), Some("evil\"}\nx 1"))]);
    let want = up(PI, "Raspberry Pi Foundation", "evil\\\"}\\nx 1");
    assert_eq!(value(&t, &want).as_deref(), Some("1"), "{t}");
    assert!(!t.lines().any(|l| l.starts_with("x 1")), "{t}");
}

#[test]
fn every_family_has_help_and_type_before_its_samples() {
    let mut rig = Rig::new(1, 10, 8);
    let empty = rig.m.render();
    // Before any round: counters at 0, no scan timestamp yet.
    assert_eq!(
        value(&empty, "v6scout_probes_sent_total").as_deref(),
        Some("0")
    );
    assert_eq!(value(&empty, "v6scout_last_scan_timestamp_seconds"), None);
    let t = rig.round(vec![row("fe80::1", Some(PI), None)]);
    let mut current: Option<(String, String)> = None;
    let mut families = Vec::new();
    for l in t.lines() {
        if let Some(rest) = l.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap().to_string();
            assert!(!families.contains(&name), "{name} twice");
            families.push(name);
        } else if let Some(rest) = l.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert_eq!(Some(name), families.last().map(String::as_str));
            assert!(kind == "gauge" || kind == "counter", "{l}");
            assert_eq!(kind == "counter", name.ends_with("_total"), "{l}");
            current = Some((name.into(), kind.into()));
        } else {
            let (name, _) = current.as_ref().expect("a sample before any TYPE");
            let series = l.split(['{', ' ']).next().unwrap();
            assert_eq!(series, name, "{l}");
        }
    }
    for f in [
        "v6scout_hosts",
        "v6scout_device_up",
        "v6scout_events_total",
        "v6scout_scan_duration_seconds",
        "v6scout_last_scan_timestamp_seconds",
        "v6scout_probes_sent_total",
        "v6scout_replies_total",
        "v6scout_malformed_total",
        "v6scout_dropped_over_limit_total",
    ] {
        assert!(families.iter().any(|x| x == f), "no {f} in\n{t}");
    }
}

#[test]
fn counters_add_up_and_gauges_follow_the_latest_round() {
    let mut rig = Rig::new(1, 10, 8);
    rig.round(vec![row("fe80::1", Some(PI), None)]);
    let t = rig.round(vec![
        row("fe80::1", Some(PI), None),
        row("fe80::2", Some(RTR), None),
        row("fe80::3", None, None),
    ]);
    assert_eq!(
        value(&t, "v6scout_hosts{interface=\"eth0\"}").as_deref(),
        Some("3")
    );
    assert_eq!(
        value(&t, "v6scout_probes_sent_total").as_deref(),
        Some("20")
    );
    assert_eq!(value(&t, "v6scout_replies_total").as_deref(), Some("6"));
    assert_eq!(value(&t, "v6scout_malformed_total").as_deref(), Some("2"));
    assert_eq!(
        value(&t, "v6scout_dropped_over_limit_total").as_deref(),
        Some("4")
    );
    assert_eq!(value(&t, "v6scout_scans_total").as_deref(), Some("2"));
    assert_eq!(
        value(&t, "v6scout_scan_duration_seconds").as_deref(),
        Some("1.25")
    );
    assert_eq!(
        value(&t, "v6scout_last_scan_timestamp_seconds").as_deref(),
        Some("1795000005")
    );
    let ev = |kind: &str| {
        value(
            &t,
            &format!("v6scout_events_total{{interface=\"eth0\",kind=\"{kind}\"}}"),
        )
    };
    assert_eq!(ev("present").as_deref(), Some("1"));
    assert_eq!(ev("appeared").as_deref(), Some("2"));
    assert_eq!(ev("gone"), None);
}

#[test]
fn a_device_that_went_is_0_until_forgotten() {
    let mut rig = Rig::new(2, 3, 8);
    let pi = up(PI, "Raspberry Pi Foundation", "pi");
    let t = rig.round(vec![
        row("fe80::1", Some(PI), Some("pi")),
        row("fe80::2", Some(RTR), None),
    ]);
    assert_eq!(value(&t, &pi).as_deref(), Some("1"));
    // Missed once: not gone yet (gone_after 2).
    let t = rig.round(vec![row("fe80::2", Some(RTR), None)]);
    assert_eq!(value(&t, &pi).as_deref(), Some("1"));
    let t = rig.round(vec![row("fe80::2", Some(RTR), None)]);
    assert_eq!(value(&t, &pi).as_deref(), Some("0"), "{t}");
    assert_eq!(
        value(&t, "v6scout_events_total{interface=\"eth0\",kind=\"gone\"}").as_deref(),
        Some("1")
    );
    assert_eq!(
        value(&t, "v6scout_hosts{interface=\"eth0\"}").as_deref(),
        Some("1")
    );
    // Gone at round 3; kept at 0 for 3 rounds, then the series ends.
    for _ in 0..2 {
        let t = rig.round(vec![row("fe80::2", Some(RTR), None)]);
        assert_eq!(value(&t, &pi).as_deref(), Some("0"));
    }
    let t = rig.round(vec![row("fe80::2", Some(RTR), None)]);
    assert_eq!(value(&t, &pi), None, "{t}");
    // It returns: up again (a new series).
    let t = rig.round(vec![
        row("fe80::1", Some(PI), Some("pi")),
        row("fe80::2", Some(RTR), None),
    ]);
    assert_eq!(value(&t, &pi).as_deref(), Some("1"));
}

#[test]
fn at_most_max_devices_series_per_interface() {
    let mut rig = Rig::new(1, 100, 2);
    let t = rig.round(vec![
        row("fe80::1", Some(PI), None),
        row("fe80::2", Some(RTR), None),
        row("fe80::3", Some(PRIV), None),
    ]);
    let series = |t: &str| {
        t.lines()
            .filter(|l| l.starts_with("v6scout_device_up{"))
            .count()
    };
    assert_eq!(series(&t), 2, "{t}");
    assert_eq!(value(&t, "v6scout_devices_unlisted").as_deref(), Some("1"));
    // The router goes (0), then a new device takes the place of the one gone longest.
    rig.round(vec![
        row("fe80::1", Some(PI), None),
        row("fe80::3", Some(PRIV), None),
    ]);
    let t = rig.round(vec![
        row("fe80::1", Some(PI), None),
        row("fe80::3", Some(PRIV), None),
    ]);
    assert_eq!(series(&t), 2, "{t}");
    assert_eq!(value(&t, "v6scout_devices_unlisted").as_deref(), Some("0"));
    let rtr = format!("v6scout_device_up{{interface=\"eth0\",mac=\"{RTR}\"");
    assert!(!t.contains(&rtr), "{t}");
}

#[test]
fn series_are_sorted_by_interface_then_mac() {
    let mut m = Metrics::new(MetricsConfig {
        max_devices: 8,
        forget_after: 10,
    });
    let mut w = Watcher::new(WatchConfig::default());
    let rep = report(
        0,
        vec![
            ("wlan0", vec![row("fe80::9", Some(RTR), None)]),
            (
                "eth1",
                vec![
                    row("fe80::1", Some(PI), None),
                    row("fe80::2", Some(RTR), None),
                ],
            ),
        ],
    );
    let ev = w.observe(&rep);
    m.observe(&rep, &ev);
    let t = m.render();
    let ups: Vec<&str> = t
        .lines()
        .filter(|l| l.starts_with("v6scout_device_up{"))
        .collect();
    let mut sorted = ups.clone();
    sorted.sort();
    assert_eq!(ups.len(), 3);
    assert_eq!(ups, sorted, "{t}");
    let hosts: Vec<&str> = t
        .lines()
        .filter(|l| l.starts_with("v6scout_hosts{"))
        .collect();
    assert_eq!(
        hosts,
        [
            "v6scout_hosts{interface=\"eth1\"} 2",
            "v6scout_hosts{interface=\"wlan0\"} 1"
        ]
    );
}

#[test]
fn a_label_is_the_name_while_the_device_has_it() {
    let mut rig = Rig::new(1, 10, 8);
    let labelled = |label: Option<&str>| HostRow {
        label: label.map(String::from),
        ..row("fe80::1", Some(PI), Some("rpi.local"))
    };
    let vendor = "Raspberry Pi Foundation";
    let t = rig.round(vec![row("fe80::1", Some(PI), Some("rpi.local"))]);
    assert_eq!(
        value(&t, &up(PI, vendor, "rpi.local")).as_deref(),
        Some("1"),
        "{t}"
    );
    let t = rig.round(vec![labelled(Some("kitchen-pi"))]);
    assert_eq!(
        value(&t, &up(PI, vendor, "kitchen-pi")).as_deref(),
        Some("1"),
        "{t}"
    );
    assert_eq!(
        value(&t, &up(PI, vendor, "rpi.local")),
        None,
        "one series a device"
    );
    // Its label taken away: the name found for it again.
    let t = rig.round(vec![labelled(None)]);
    assert_eq!(
        value(&t, &up(PI, vendor, "rpi.local")).as_deref(),
        Some("1"),
        "{t}"
    );
}

#[test]
fn notification_counts_are_counters_of_their_own() {
    let mut rig = Rig::new(1, 10, 8);
    let t = rig.m.render();
    for f in [
        "v6scout_notify_sent_total",
        "v6scout_notify_retries_total",
        "v6scout_notify_failures_total",
        "v6scout_notify_dropped_total",
    ] {
        assert_eq!(value(&t, f).as_deref(), Some("0"), "{f} in\n{t}");
    }
    rig.m.notified(crate::notify::Counts {
        sent: 7,
        retried: 3,
        failed: 2,
        dropped: 1,
    });
    let t = rig.round(vec![row("fe80::1", Some(PI), None)]);
    assert_eq!(value(&t, "v6scout_notify_sent_total").as_deref(), Some("7"));
    assert_eq!(
        value(&t, "v6scout_notify_retries_total").as_deref(),
        Some("3")
    );
    assert_eq!(
        value(&t, "v6scout_notify_failures_total").as_deref(),
        Some("2")
    );
    assert_eq!(
        value(&t, "v6scout_notify_dropped_total").as_deref(),
        Some("1")
    );
}
