use super::*;
use crate::model::{Ipv6Prefix, SeenBy};
use crate::mqtt::topic::Site;
use crate::report::{HostRow, IfaceReport, PrefixGroup, PrefixSource, ScanStats};
use std::cell::RefCell;
use std::collections::HashMap;
use std::net::Ipv6Addr;
use std::time::UNIX_EPOCH;

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);
const CAM: Mac = Mac([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca]);

/// What the watch says, set by each test.
#[derive(Default)]
struct View(RefCell<HashMap<(String, Mac), Presence>>);

impl View {
    fn set(&self, mac: Mac, p: Presence) {
        self.0.borrow_mut().insert(("eth0".into(), mac), p);
    }

    /// `mac` present with `addrs` tracked.
    fn present(&self, mac: Mac, addrs: &[&str]) {
        let mut a: Vec<Ipv6Addr> = addrs.iter().map(|s| s.parse().unwrap()).collect();
        a.sort_unstable();
        self.set(mac, Presence::Present(a));
    }
}

impl DeviceView for View {
    fn presence(&self, iface: &str, mac: Mac) -> Presence {
        let key = (iface.to_owned(), mac);
        self.0
            .borrow()
            .get(&key)
            .cloned()
            .unwrap_or(Presence::Forgotten)
    }
}

fn row(addr: &str, mac: Mac, seen_by: &[SeenBy]) -> HostRow {
    HostRow {
        seen_by: seen_by.to_vec(),
        ..HostRow::new(addr.parse::<Ipv6Addr>().unwrap(), "eth0", Some(mac))
    }
}

/// A report at `secs` seconds of eth0 with `rows`.
fn report(secs: u64, rows: Vec<HostRow>) -> Report {
    Report {
        started: UNIX_EPOCH + Duration::from_secs(1_795_000_000 + secs),
        duration: Duration::from_secs(1),
        interfaces: vec![IfaceReport {
            prefixes: vec![PrefixGroup {
                prefix: Ipv6Prefix::new("fe80::".parse().unwrap(), 64),
                source: PrefixSource::Interface,
                hosts: rows,
            }],
            ..IfaceReport::new("eth0", 2, None)
        }],
        stats: ScanStats::default(),
        ports_checked: None,
    }
}

fn publisher(ha: bool) -> Publisher {
    Publisher::new(PublishConfig {
        topics: Topics::new(Site::new("lab-a").unwrap()),
        ha,
        refresh: Duration::from_secs(300),
    })
}

const PI_LL: &str = "fe80::ba27:ebff:fe5a:1";
const CAM_LL: &str = "fe80::224:a5ff:fef1:7ca";

fn pi_row() -> HostRow {
    row(PI_LL, PI, &[SeenBy::Echo, SeenBy::Ndp])
}

fn topics_of(ms: &[Message]) -> Vec<&str> {
    ms.iter().map(|m| m.topic.as_str()).collect()
}

fn state_of(m: &Message) -> DeviceState {
    serde_json::from_slice(&m.payload).unwrap()
}

const PI_TOPIC: &str = "v6scout/lab-a/eth0/b8:27:eb:5a:00:01";

#[test]
fn a_confirmed_device_is_published_retained_once_until_it_changes() {
    let (mut p, view) = (publisher(false), View::default());
    view.present(PI, &[PI_LL]);
    let first = p.round(&report(0, vec![pi_row()]), &[], &Labels::default(), &view);
    assert_eq!(topics_of(&first), [PI_TOPIC]);
    assert!(first[0].retain);
    let s = state_of(&first[0]);
    assert!(s.present);
    assert_eq!(s.site, "lab-a");
    assert_eq!(s.addresses[0].scoped, "fe80::ba27:ebff:fe5a:1%eth0");
    assert_eq!(s.addresses[0].seen_by, ["echo", "ndp"]);
    assert_eq!(s.vendor.as_deref(), Some("Raspberry Pi Foundation"));
    // Unchanged within the refresh period: nothing.
    let again = p.round(&report(5, vec![pi_row()]), &[], &Labels::default(), &view);
    assert!(again.is_empty(), "{again:?}");
    // Seen another way this round: not a change worth a message.
    let other_way = vec![row(PI_LL, PI, &[SeenBy::ParamProblem])];
    assert!(p
        .round(&report(7, other_way), &[], &Labels::default(), &view)
        .is_empty());
    // A new address: published again.
    view.present(PI, &[PI_LL, "2001:db8::1"]);
    let more = vec![pi_row(), row("2001:db8::1", PI, &[SeenBy::Echo])];
    let changed = p.round(&report(10, more), &[], &Labels::default(), &view);
    assert_eq!(topics_of(&changed), [PI_TOPIC]);
    assert_eq!(state_of(&changed[0]).addresses.len(), 2);
}

#[test]
fn an_unchanged_device_is_refreshed_so_its_last_sighting_stays_close() {
    let (mut p, view) = (publisher(false), View::default());
    view.present(PI, &[PI_LL]);
    p.round(&report(0, vec![pi_row()]), &[], &Labels::default(), &view);
    assert!(p
        .round(&report(299, vec![pi_row()]), &[], &Labels::default(), &view)
        .is_empty());
    let refreshed = p.round(&report(300, vec![pi_row()]), &[], &Labels::default(), &view);
    assert_eq!(topics_of(&refreshed), [PI_TOPIC]);
    assert_eq!(
        state_of(&refreshed[0]).last_seen,
        "2026-11-18T11:11:40.000Z"
    );
}

#[test]
fn unconfirmed_hosts_never_get_a_retained_topic() {
    let (mut p, view) = (publisher(true), View::default());
    view.present(CAM, &[CAM_LL]);
    let heard = row(CAM_LL, CAM, &[SeenBy::Heard]);
    let cached = HostRow {
        stale: true,
        ..row("fe80::2", CAM, &[SeenBy::Cache])
    };
    assert!(p
        .round(
            &report(0, vec![heard, cached]),
            &[],
            &Labels::default(),
            &view
        )
        .is_empty());
}

#[test]
fn gone_turns_the_state_absent_and_forgotten_clears_it_and_its_entity() {
    let (mut p, view) = (publisher(true), View::default());
    view.present(PI, &[PI_LL]);
    let first = p.round(&report(0, vec![pi_row()]), &[], &Labels::default(), &view);
    let config = "homeassistant/device_tracker/v6scout_lab-a/eth0_b827eb5a0001/config";
    assert_eq!(topics_of(&first), [config, PI_TOPIC]);
    view.set(PI, Presence::Gone);
    let gone = p.round(&report(5, vec![]), &[], &Labels::default(), &view);
    assert_eq!(topics_of(&gone), [PI_TOPIC]);
    assert!(!state_of(&gone[0]).present);
    assert!(p
        .round(&report(10, vec![]), &[], &Labels::default(), &view)
        .is_empty());
    assert_eq!(p.retained().len(), 2);
    view.set(PI, Presence::Forgotten);
    let cleared = p.round(&report(15, vec![]), &[], &Labels::default(), &view);
    assert_eq!(topics_of(&cleared), [config, PI_TOPIC]);
    assert!(cleared.iter().all(|m| m.retain && m.payload.is_empty()));
    assert!(p.retained().is_empty());
    assert_eq!(p.devices(), 0);
}

#[test]
fn a_returning_device_is_present_again_and_a_label_renames_its_entity() {
    let (mut p, view) = (publisher(true), View::default());
    view.present(PI, &[PI_LL]);
    p.round(&report(0, vec![pi_row()]), &[], &Labels::default(), &view);
    view.set(PI, Presence::Gone);
    p.round(&report(5, vec![]), &[], &Labels::default(), &view);
    view.present(PI, &[PI_LL]);
    let labels = Labels::from_iter([(PI, "kitchen-pi".to_string())]);
    let back = p.round(&report(10, vec![pi_row()]), &[], &labels, &view);
    assert_eq!(back.len(), 2, "config (renamed) and state");
    let config: serde_json::Value = serde_json::from_slice(&back[0].payload).unwrap();
    assert_eq!(config["device"]["name"], "kitchen-pi");
    let s = state_of(&back[1]);
    assert!(s.present);
    assert_eq!(s.label.as_deref(), Some("kitchen-pi"));
}

#[test]
fn events_go_out_as_their_json_lines_not_retained() {
    let (mut p, view) = (publisher(false), View::default());
    let e = Event::interface(
        crate::watch::EventKind::InterfaceGone,
        "eth1",
        UNIX_EPOCH,
        None,
    );
    let ms = p.round(
        &report(0, vec![]),
        std::slice::from_ref(&e),
        &Labels::default(),
        &view,
    );
    assert_eq!(topics_of(&ms), ["v6scout/lab-a/events"]);
    assert!(!ms[0].retain);
    assert_eq!(ms[0].payload, json_line(&e).into_bytes());
}

#[test]
fn what_the_publisher_holds_is_every_state_and_config_it_published() {
    let (mut p, view) = (publisher(true), View::default());
    view.present(PI, &[PI_LL]);
    view.present(CAM, &[CAM_LL]);
    let rows = vec![pi_row(), row(CAM_LL, CAM, &[SeenBy::ParamProblem])];
    let first = p.round(&report(0, rows), &[], &Labels::default(), &view);
    let mut again = p.retained();
    let mut first = first;
    first.sort_by(|a, b| a.topic.cmp(&b.topic));
    again.sort_by(|a, b| a.topic.cmp(&b.topic));
    assert_eq!(again, first);
}

#[test]
fn an_address_missed_for_a_round_stays_until_the_watch_reports_it_removed() {
    let (mut p, view) = (publisher(false), View::default());
    view.present(PI, &[PI_LL, "2001:db8::7"]);
    let both = vec![pi_row(), row("2001:db8::7", PI, &[SeenBy::Echo])];
    let first = p.round(&report(0, both), &[], &Labels::default(), &view);
    assert_eq!(state_of(&first[0]).addresses.len(), 2);
    // Missed once on a lossy link, still tracked: no message, and how it was seen is kept.
    assert!(p
        .round(&report(5, vec![pi_row()]), &[], &Labels::default(), &view)
        .is_empty());
    let refreshed = p.round(&report(305, vec![pi_row()]), &[], &Labels::default(), &view);
    let s = state_of(&refreshed[0]);
    let kept = s
        .addresses
        .iter()
        .find(|a| a.address.to_string() == "2001:db8::7")
        .unwrap();
    assert_eq!(kept.seen_by, ["echo"]);
    // Reported removed: published without it.
    view.present(PI, &[PI_LL]);
    let removed = p.round(&report(310, vec![pi_row()]), &[], &Labels::default(), &view);
    assert_eq!(state_of(&removed[0]).addresses.len(), 1);
}

#[test]
fn states_an_earlier_run_left_present_turn_gone_unless_this_run_saw_them() {
    let (mut p, view) = (publisher(false), View::default());
    view.present(PI, &[PI_LL]);
    p.round(&report(0, vec![pi_row()]), &[], &Labels::default(), &view);
    let earlier = |mac: Mac, present: bool| {
        let s = crate::inventory::Sighting {
            iface: crate::inventory::IfaceKey {
                name: "eth0".into(),
                mac: None,
            },
            mac,
            vendor: None,
            names: vec![],
            router: false,
            addresses: vec![],
            ipv4: vec![],
            advert: None,
        };
        DeviceState {
            present,
            ..DeviceState::present("lab-a", &s, None, UNIX_EPOCH)
        }
    };
    let gone_too = Mac([2, 0, 0, 0, 0, 9]);
    let out = p.stale([
        earlier(PI, true),
        earlier(CAM, true),
        earlier(gone_too, false),
    ]);
    assert_eq!(topics_of(&out), ["v6scout/lab-a/eth0/00:24:a5:f1:07:ca"]);
    assert!(out[0].retain);
    assert!(!state_of(&out[0]).present);
}
