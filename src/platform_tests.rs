//! `open_with` on a fake backend: which sockets are opened, in which order, and what the
//! user is told when something is refused.

use super::*;
use crate::config::SweepConfig;
use crate::iface::IfAddr;
use crate::names;
use crate::neigh::NeighEntry;
use crate::probe::{Probe, Received};
use std::sync::Mutex;
use std::time::Instant;

/// How the fake system answers a request to open a raw or ping socket.
#[derive(Clone, Copy, PartialEq)]
enum Answer {
    Ok,
    NoPrivilege,
    NoPingSocket,
    Broken,
}

struct Fake {
    ifaces: Vec<Interface>,
    raw: Answer,
    ping: Answer,
    /// Interfaces (by index) whose raw socket fails on its own.
    broken_raw: Vec<u32>,
    ipv4: bool,
    arp_fails: bool,
    sudo: Option<Identity>,
    log: Mutex<Vec<String>>,
}

struct NullLink;
impl Link for NullLink {
    fn send(&mut self, _probe: &Probe<'_>) -> io::Result<()> {
        Ok(())
    }
    fn recv(&mut self, _buf: &mut [u8], _timeout: Duration) -> io::Result<Option<Received>> {
        Ok(None)
    }
}

struct NullArp;
impl ArpChannel for NullArp {
    fn send(&mut self, _frame: &[u8]) -> io::Result<()> {
        Ok(())
    }
    fn recv(&mut self) -> io::Result<Option<&[u8]>> {
        Ok(None)
    }
}

struct NoNeigh;
impl NeighSource for NoNeigh {
    fn dump(&self) -> io::Result<Vec<NeighEntry>> {
        Ok(Vec::new())
    }
}

struct NoNames;
impl Resolver for NoNames {
    fn ask(&mut self, _ifindex: u32, _addr: Ipv6Addr) {}
    fn finish(&mut self, _deadline: Instant) -> Vec<names::Answer> {
        Vec::new()
    }
}

fn answer(a: Answer, what: &'static str) -> Result<BoxLink, OpenError> {
    match a {
        Answer::Ok => Ok(Box::new(NullLink)),
        Answer::NoPrivilege => Err(OpenError::NoPrivilege),
        Answer::NoPingSocket => Err(OpenError::NoPingSocket),
        Answer::Broken => Err(OpenError::Io(what, io::Error::other("refused"))),
    }
}

impl Backend for Fake {
    fn interfaces(&self) -> Vec<Interface> {
        self.ifaces.clone()
    }
    fn open_raw(&self, i: &Interface, _s: &[Ipv6Addr], _mld: bool) -> Result<BoxLink, OpenError> {
        self.log.lock().unwrap().push(format!("raw {}", i.name));
        if self.broken_raw.contains(&i.index) {
            return answer(Answer::Broken, "binding");
        }
        answer(self.raw, "opening raw")
    }
    fn open_ping(&self, i: &Interface, _s: &[Ipv6Addr]) -> Result<BoxLink, OpenError> {
        self.log.lock().unwrap().push(format!("ping {}", i.name));
        answer(self.ping, "opening ping")
    }
    fn interface_ipv4(&self, _ifindex: u32) -> Option<(Ipv4Addr, u8)> {
        self.ipv4.then(|| ("192.0.2.1".parse().unwrap(), 24))
    }
    fn open_arp(&self, ifindex: u32) -> Result<Box<dyn ArpChannel + Send>, String> {
        self.log.lock().unwrap().push(format!("arp {ifindex}"));
        if self.arp_fails {
            Err("no ARP sweep: it needs CAP_NET_RAW".into())
        } else {
            Ok(Box::new(NullArp))
        }
    }
    fn invoking_user(&self) -> Option<Identity> {
        self.sudo.clone()
    }
    fn drop_privileges(&self, user: Option<&Identity>, keep_net_raw: bool) -> io::Result<bool> {
        let mut line = match user {
            Some(u) => format!("drop to {}", u.uid),
            None => "drop".into(),
        };
        if keep_net_raw {
            line.push_str(" keeping NET_RAW");
        }
        self.log.lock().unwrap().push(line);
        Ok(keep_net_raw)
    }
    fn net_raw(&self, raised: bool) -> io::Result<()> {
        let what = if raised { "raise" } else { "lower" };
        self.log.lock().unwrap().push(format!("{what} NET_RAW"));
        Ok(())
    }
    fn neighbours(&self) -> Box<dyn NeighSource + Send + Sync> {
        Box::new(NoNeigh)
    }
    fn resolvers(&self) -> ResolverFactory {
        Box::new(|| Box::new(NoNames))
    }
}

fn iface(name: &str, index: u32, up: bool) -> Interface {
    Interface {
        name: name.into(),
        index,
        mac: Some(Mac([2, 0, 0, 0, 0, index as u8])),
        up,
        multicast: true,
        loopback: false,
        addrs: vec![
            IfAddr {
                addr: format!("fe80::{index}").parse().unwrap(),
                prefix_len: 64,
            },
            IfAddr {
                addr: format!("2001:db8::{index}").parse().unwrap(),
                prefix_len: 64,
            },
        ],
    }
}

fn fake() -> Fake {
    Fake {
        ifaces: vec![
            iface("eth0", 2, true),
            iface("eth1", 3, true),
            iface("eth9", 9, false),
        ],
        raw: Answer::Ok,
        ping: Answer::Ok,
        broken_raw: Vec::new(),
        ipv4: true,
        arp_fails: false,
        sudo: None,
        log: Mutex::new(Vec::new()),
    }
}

fn open(f: &Fake, cfg: &ScanConfig) -> (Result<Os>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let os = open_with(f, cfg, Keep::Nothing, &mut |w| warnings.push(w));
    (os, warnings)
}

fn names(os: &Os) -> Vec<&str> {
    os.links.iter().map(|(i, _)| i.name.as_str()).collect()
}

#[test]
fn raw_links_on_every_usable_interface_then_the_privileges_go() {
    let f = fake();
    let cfg = ScanConfig {
        ipv4_sweep: Some(SweepConfig::default()),
        ..ScanConfig::default()
    };
    let (os, warnings) = open(&f, &cfg);
    let os = os.unwrap();
    assert_eq!(names(&os), ["eth0", "eth1"]);
    assert!(!os.unprivileged);
    assert_eq!(os.arp.len(), 2);
    assert!(os.neigh.is_some() && os.resolver.is_some());
    let mut log = f.log.lock().unwrap().clone();
    // The links are opened side by side, in either order.
    log[..2].sort();
    assert_eq!(
        log,
        ["raw eth0", "raw eth1", "arp 2", "arp 3", "drop"],
        "every socket before the drop"
    );
    assert!(
        warnings.is_empty(),
        "a down interface is left out quietly: {warnings:?}"
    );
}

#[test]
fn without_cap_net_raw_every_link_falls_back_to_ping_sockets() {
    let mut f = fake();
    f.raw = Answer::NoPrivilege;
    let (os, _) = open(&f, &ScanConfig::default());
    let os = os.unwrap();
    assert!(os.unprivileged);
    assert_eq!(names(&os), ["eth0", "eth1"]);
    // Tried side by side and refused alike: every interface falls back, in order.
    let mut log = f.log.lock().unwrap().clone();
    log[..2].sort();
    assert_eq!(
        log,
        ["raw eth0", "raw eth1", "ping eth0", "ping eth1", "drop"]
    );
}

#[test]
fn no_way_to_probe_says_what_to_do() {
    let mut f = fake();
    f.raw = Answer::NoPrivilege;
    f.ping = Answer::NoPingSocket;
    let e = open(&f, &ScanConfig::default())
        .0
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("setcap") && e.contains("ping_group_range"),
        "{e}"
    );
    let forced = ScanConfig {
        unprivileged: true,
        ..ScanConfig::default()
    };
    let e = open(&f, &forced).0.err().unwrap().to_string();
    assert!(
        e.starts_with("--unprivileged: ping sockets are not allowed"),
        "{e}"
    );
    assert!(!f.log.lock().unwrap().contains(&"drop".to_string()));
}

#[test]
fn one_broken_interface_is_a_warning_all_broken_an_error() {
    let mut f = fake();
    f.broken_raw = vec![2];
    let (os, warnings) = open(&f, &ScanConfig::default());
    assert_eq!(names(&os.unwrap()), ["eth1"]);
    assert!(warnings.contains(&Warning::LinkNotOpened {
        interface: "eth0".into(),
        why: "binding: refused".into()
    }));
    f.broken_raw = vec![2, 3];
    let e = open(&f, &ScanConfig::default()).0.err().unwrap();
    assert_eq!(e.to_string(), "no interface could be opened for probing");
}

#[test]
fn what_is_not_asked_for_is_not_opened() {
    let mut f = fake();
    f.ipv4 = true;
    let cfg = ScanConfig {
        names: false,
        neigh_cache: false,
        interfaces: vec!["eth1".into()],
        ..ScanConfig::default()
    };
    let (os, warnings) = open(&f, &cfg);
    let os = os.unwrap();
    assert_eq!(names(&os), ["eth1"]);
    assert!(os.arp.is_empty() && os.neigh.is_none() && os.resolver.is_none());
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(*f.log.lock().unwrap(), ["raw eth1", "drop"]);
}

#[test]
fn a_sweep_that_cannot_open_is_a_warning() {
    let mut f = fake();
    f.arp_fails = true;
    let cfg = ScanConfig {
        ipv4_sweep: Some(SweepConfig::default()),
        interfaces: vec!["eth0".into()],
        ..ScanConfig::default()
    };
    let (os, warnings) = open(&f, &cfg);
    assert!(os.unwrap().arp.is_empty());
    assert_eq!(
        warnings,
        [Warning::Sweep {
            interface: "eth0".into(),
            why: "no ARP sweep: it needs CAP_NET_RAW".into()
        }]
    );
}

#[test]
fn probe_sources_are_link_local_first() {
    let i = iface("eth0", 2, true);
    assert_eq!(
        probe_sources(&i, false),
        [
            "fe80::2".parse::<Ipv6Addr>().unwrap(),
            "2001:db8::2".parse().unwrap()
        ]
    );
    assert_eq!(
        probe_sources(&i, true),
        ["fe80::2".parse::<Ipv6Addr>().unwrap()]
    );
}

#[test]
fn under_sudo_the_process_becomes_the_user_who_ran_it() {
    let mut f = fake();
    f.sudo = Some(Identity {
        uid: 1000,
        gid: 1000,
        home: Some("/home/pi".into()),
    });
    let os = open_with(&f, &ScanConfig::default(), Keep::Nothing, &mut |_| {}).unwrap();
    assert_eq!(
        f.log.lock().unwrap().last().map(String::as_str),
        Some("drop to 1000")
    );
    assert_eq!(os.user.map(|u| u.uid), Some(1000));
}

#[test]
fn sudo_ids_only_for_root_and_never_root_again() {
    use std::ffi::OsStr;
    let s = |v: &'static str| Some(OsStr::new(v));
    assert_eq!(sudo_ids(s("1000"), s("1001"), true), Some((1000, 1001)));
    assert_eq!(
        sudo_ids(s("1000"), s("1001"), false),
        None,
        "not root: nothing to give up"
    );
    assert_eq!(
        sudo_ids(s("0"), s("0"), true),
        None,
        "sudo from root stays root"
    );
    assert_eq!(sudo_ids(s("x"), s("1"), true), None);
    assert_eq!(sudo_ids(None, s("1"), true), None);
    assert_eq!(sudo_ids(s("1000"), None, true), None);
}

#[path = "platform_hotplug_tests.rs"]
mod hotplug;
