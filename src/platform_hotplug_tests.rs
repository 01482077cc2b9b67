//! `add_interface_with` / `remove_interface` on the fake backend: CAP_NET_RAW is raised
//! only around the opening, and what cannot be probed says why.

use super::*;

fn watch_os(f: &Fake, cfg: &ScanConfig) -> Os {
    open_with(f, cfg, Keep::NetRaw, &mut |_| {}).unwrap()
}

fn add(f: &Fake, os: &mut Os, name: &str, cfg: &ScanConfig) -> (Added, Vec<Warning>) {
    let mut warnings = Vec::new();
    let added = add_interface_with(f, os, name, cfg, &mut |w| warnings.push(w)).unwrap();
    (added, warnings)
}

#[test]
fn a_watch_keeps_net_raw_and_a_scan_does_not() {
    let f = fake();
    let os = watch_os(&f, &ScanConfig::default());
    assert!(os.net_raw_kept);
    assert_eq!(
        f.log.lock().unwrap().last().unwrap(),
        "drop keeping NET_RAW"
    );
    let (os, _) = open(&f, &ScanConfig::default());
    assert!(!os.unwrap().net_raw_kept);
    assert_eq!(f.log.lock().unwrap().last().unwrap(), "drop");
    // Echo-only ping sockets need no privilege: nothing to keep for later.
    let forced = ScanConfig {
        unprivileged: true,
        ..ScanConfig::default()
    };
    assert!(!watch_os(&f, &forced).net_raw_kept);
    assert_eq!(f.log.lock().unwrap().last().unwrap(), "drop");
}

#[test]
fn a_new_interface_is_opened_raw_between_raising_and_lowering_net_raw() {
    let mut f = fake();
    let cfg = ScanConfig {
        ipv4_sweep: Some(SweepConfig::default()),
        ..ScanConfig::default()
    };
    let mut os = watch_os(&f, &cfg);
    f.ifaces.push(iface("usb0", 7, true));
    f.log.lock().unwrap().clear();
    let (added, warnings) = add(&f, &mut os, "usb0", &cfg);
    assert_eq!(added, Added::Watched);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(names(&os), ["eth0", "eth1", "usb0"]);
    assert_eq!(os.arp.last().map(|a| a.index), Some(7));
    assert_eq!(
        *f.log.lock().unwrap(),
        ["raise NET_RAW", "raw usb0", "arp 7", "lower NET_RAW"]
    );
}

#[test]
fn a_failed_opening_still_lowers_net_raw_and_says_why() {
    let mut f = fake();
    let mut os = watch_os(&f, &ScanConfig::default());
    f.ifaces.push(iface("usb0", 7, true));
    f.broken_raw = vec![7];
    f.log.lock().unwrap().clear();
    let (added, _) = add(&f, &mut os, "usb0", &ScanConfig::default());
    assert_eq!(added, Added::NotWatched("binding: refused".into()));
    assert_eq!(
        *f.log.lock().unwrap(),
        ["raise NET_RAW", "raw usb0", "lower NET_RAW"]
    );
    assert_eq!(names(&os), ["eth0", "eth1"]);
}

#[test]
fn unusable_gone_or_unprivileged_interfaces_say_why() {
    let mut f = fake();
    let mut os = watch_os(&f, &ScanConfig::default());
    f.log.lock().unwrap().clear();
    let (added, _) = add(&f, &mut os, "eth9", &ScanConfig::default());
    assert_eq!(
        added,
        Added::NotWatched(crate::iface::Unusable::Down.to_string())
    );
    let (added, _) = add(&f, &mut os, "usb0", &ScanConfig::default());
    assert_eq!(added, Added::NotWatched("it is gone again".into()));
    assert!(
        f.log.lock().unwrap().is_empty(),
        "nothing raised: {:?}",
        f.log
    );

    // A scan's Os kept nothing: the new interface cannot be opened raw.
    f.ifaces.push(iface("usb0", 7, true));
    let (os, _) = open(&f, &ScanConfig::default());
    let mut os = os.unwrap();
    f.log.lock().unwrap().clear();
    let (added, _) = add(&f, &mut os, "usb0", &ScanConfig::default());
    assert!(
        matches!(&added, Added::NotWatched(why) if why.contains("restart watch")),
        "{added:?}"
    );
    assert!(f.log.lock().unwrap().is_empty());

    // Unprivileged: a ping socket, as at the start.
    f.raw = Answer::NoPrivilege;
    f.ifaces.pop();
    let mut os = watch_os(&f, &ScanConfig::default());
    assert!(os.unprivileged && !os.net_raw_kept);
    f.ifaces.push(iface("usb0", 7, true));
    f.log.lock().unwrap().clear();
    let (added, _) = add(&f, &mut os, "usb0", &ScanConfig::default());
    assert_eq!(added, Added::Watched);
    assert_eq!(*f.log.lock().unwrap(), ["ping usb0"]);
}

#[test]
fn a_vanished_interface_loses_its_links_and_a_replugged_one_is_reopened() {
    let mut f = fake();
    let cfg = ScanConfig {
        ipv4_sweep: Some(SweepConfig::default()),
        ..ScanConfig::default()
    };
    let mut os = watch_os(&f, &cfg);
    assert!(remove_interface(&mut os, "eth0"));
    assert!(!remove_interface(&mut os, "eth0"), "already closed");
    assert_eq!(names(&os), ["eth1"]);
    assert_eq!(os.arp.iter().map(|a| a.index).collect::<Vec<_>>(), [3]);
    // eth1 comes back with a new index: one link, on the new index.
    f.ifaces[1].index = 12;
    let (added, _) = add(&f, &mut os, "eth1", &cfg);
    assert_eq!(added, Added::Watched);
    assert_eq!(
        os.links.iter().map(|(i, _)| i.index).collect::<Vec<_>>(),
        [12]
    );
}
