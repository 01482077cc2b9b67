#![allow(clippy::unwrap_used)]

use crate::mac::Mac;
use crate::report::{Alert, AlertKind, IfaceReport, Report, ScanStats};
use crate::router::{Advert, Router};
use crate::watch::{render, EventKind, WatchConfig, Watcher};
use std::net::Ipv6Addr;
use std::time::{Duration, UNIX_EPOCH};

const RTR: Mac = Mac([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca]);
const EVIL: Mac = Mac([0x02, 0xba, 0xd0, 0, 0, 1]);

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn router(addr: &str, mac: Mac) -> Router {
    Router {
        address: a(addr),
        mac: Some(mac),
        adverts: 1,
        advert: Advert::default(),
    }
}

fn rogue() -> Alert {
    Alert {
        kind: AlertKind::RogueRouter,
        addresses: vec![a("fe80::bad")],
        macs: vec![EVIL],
        message: "router fe80::bad is new here".into(),
    }
}

fn report(scan: u64, routers: Vec<Router>, alerts: Vec<Alert>) -> Report {
    let mut i = IfaceReport::new("eth0", 2, None);
    i.routers = routers;
    i.alerts = alerts;
    Report {
        started: UNIX_EPOCH + Duration::from_secs(1_795_000_000 + 5 * scan),
        duration: Duration::from_secs(1),
        interfaces: vec![i],
        stats: ScanStats::default(),
        ports_checked: None,
    }
}

fn names(w: &mut Watcher, r: &Report) -> Vec<&'static str> {
    w.observe(r).iter().map(|e| e.kind.name()).collect()
}

#[test]
fn routers_appear_after_the_first_round_and_go_after_missed_rounds() {
    let mut w = Watcher::new(WatchConfig::default());
    assert_eq!(
        names(&mut w, &report(0, vec![router("fe80::1", RTR)], vec![])),
        Vec::<&str>::new()
    );
    let evs = w.observe(&report(
        1,
        vec![router("fe80::1", RTR), router("fe80::bad", EVIL)],
        vec![],
    ));
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].kind, EventKind::RouterAppeared);
    assert_eq!(
        (evs[0].mac, evs[0].addresses.clone(), evs[0].router),
        (Some(EVIL), vec![a("fe80::bad")], true)
    );
    assert!(render::human_line(&evs[0], "12:00:00").contains("(router appeared)"));
    // Missed once: nothing yet (gone_after is 2); twice: gone.
    assert_eq!(
        names(&mut w, &report(2, vec![router("fe80::1", RTR)], vec![])),
        Vec::<&str>::new()
    );
    assert_eq!(
        names(&mut w, &report(3, vec![router("fe80::1", RTR)], vec![])),
        ["router-gone"]
    );
    // Back again: appeared again.
    assert_eq!(
        names(
            &mut w,
            &report(
                4,
                vec![router("fe80::1", RTR), router("fe80::bad", EVIL)],
                vec![]
            )
        ),
        ["router-appeared"]
    );
}

#[test]
fn an_alert_is_an_event_when_it_first_shows_and_again_after_it_cleared() {
    let mut w = Watcher::new(WatchConfig::default());
    let evs = w.observe(&report(0, vec![], vec![rogue()]));
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].kind.name(), "rogue-router");
    assert_eq!(
        evs[0].message.as_deref(),
        Some("router fe80::bad is new here")
    );
    let json: serde_json::Value = serde_json::from_str(&render::json_line(&evs[0])).unwrap();
    assert_eq!(json["type"], "rogue-router");
    assert_eq!(json["message"], "router fe80::bad is new here");
    let env = render::env_vars(&evs[0]);
    assert!(env.contains(&(
        "V6SCOUT_MESSAGE",
        "router fe80::bad is new here".to_string()
    )));
    assert!(
        render::human_line(&evs[0], "12:00:00").starts_with("! 12:00:00 eth0 02:ba:d0:00:00:01")
    );
    // The same finding next round is not news; gone and back is.
    assert_eq!(
        names(&mut w, &report(1, vec![], vec![rogue()])),
        Vec::<&str>::new()
    );
    assert_eq!(
        names(&mut w, &report(2, vec![], vec![])),
        Vec::<&str>::new()
    );
    assert_eq!(
        names(&mut w, &report(3, vec![], vec![rogue()])),
        ["rogue-router"]
    );
}
