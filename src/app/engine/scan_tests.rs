//! The whole pipeline on simulated links: no root, no network.

use super::*;
use crate::iface::IfAddr;
use crate::mac::Mac;
use crate::neigh::{NeighEntry, NeighState};
use crate::probe::sim::{SimHost, SimLink};
use std::net::Ipv6Addr;
use std::time::Duration;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn iface(name: &str, index: u32, addrs: &[&str]) -> Interface {
    Interface {
        name: name.into(),
        index,
        mac: Some(Mac([2, 0, 0x5e, 0x10, 0, index as u8])),
        up: true,
        multicast: true,
        loopback: false,
        addrs: addrs
            .iter()
            .map(|s| IfAddr {
                addr: a(s),
                prefix_len: 64,
            })
            .collect(),
    }
}

fn host(i: u8, silent: bool, extra: &[&str]) -> SimHost {
    let mac = Mac([0xb8, 0x27, 0xeb, 0, 0, i]);
    let mut addrs = vec![Ipv6Addr::from(0xfe80u128 << 112 | u128::from(i))];
    addrs.extend(extra.iter().map(|s| a(s)));
    SimHost {
        mac,
        addrs,
        ignores_multicast_echo: silent,
        router_prefixes: None,
        quirks: Default::default(),
    }
}

struct Cache(Vec<NeighEntry>);
impl NeighSource for Cache {
    fn dump(&self) -> std::io::Result<Vec<NeighEntry>> {
        Ok(self.0.clone())
    }
}

fn opts() -> ScanConfig {
    ScanConfig {
        wait: Duration::from_millis(150),
        rounds: 2,
        ..ScanConfig::default()
    }
}

fn rows(r: &Report, name: &str) -> Vec<(String, Option<Mac>, Vec<&'static str>, bool)> {
    r.interfaces
        .iter()
        .filter(|i| i.name == name)
        .flat_map(|i| i.prefixes.iter().flat_map(|g| &g.hosts))
        .map(|h| {
            (
                h.scoped.clone(),
                h.mac,
                h.seen_by.iter().map(|s| s.as_str()).collect(),
                h.router,
            )
        })
        .collect()
}

#[test]
fn finds_every_host_on_every_link_with_macs() {
    let mut rtr = host(1, false, &["2001:db8:1::1"]);
    rtr.router_prefixes = Some(vec![(a("2001:db8:99::"), 64)]);
    let link_a = SimLink::new(vec![
        rtr,
        host(2, false, &["2001:db8:1::2", "fd00:1::2"]),
        host(3, true, &[]),
        host(4, false, &["2001:db8:99::4"]),
    ]);
    let link_b = SimLink::new(vec![host(9, true, &[])]);
    let mut ifaces = vec![
        (
            iface("eth0", 2, &["fe80::100", "2001:db8:1::100", "fd00:1::100"]),
            link_a,
        ),
        (iface("eth1", 3, &["fe80::101"]), link_b),
    ];
    let stale = NeighEntry {
        ifindex: 2,
        addr: a("fe80::dead"),
        mac: Some(Mac([2, 0xde, 0xad, 0, 0, 1])),
        state: NeighState::Stale,
        router: false,
    };
    let mut warnings = Vec::new();
    let report = scan_links(&mut ifaces, &opts(), Some(&Cache(vec![stale])), &mut |w| {
        warnings.push(w)
    });
    assert!(warnings.is_empty(), "{warnings:?}");

    let eth0 = rows(&report, "eth0");
    let scoped: Vec<&str> = eth0.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        scoped,
        [
            "fe80::1%eth0",
            "fe80::2%eth0",
            "fe80::3%eth0",
            "fe80::4%eth0",
            "2001:db8:1::1",
            "2001:db8:1::2",
            "2001:db8:99::4",
            "fd00:1::2",
        ]
    );
    for r in &eth0 {
        let last = r.0.split(['%']).next().unwrap().rsplit(':').next().unwrap();
        let want = Mac([0xb8, 0x27, 0xeb, 0, 0, last.parse().unwrap()]);
        assert_eq!(r.1, Some(want), "{}", r.0);
        assert!(r.2.contains(&"ndp"), "{r:?}");
    }
    assert_eq!(
        eth0[2].2,
        ["param-problem", "ndp"],
        "silent host found by the option probe"
    );
    assert!(
        eth0[0].3 && eth0[4].3,
        "router marked on every address of its MAC"
    );
    let groups: Vec<String> = report.interfaces[0]
        .prefixes
        .iter()
        .map(|g| format!("{}:{}", g.prefix, g.source.as_str()))
        .collect();
    assert_eq!(
        groups,
        [
            "fe80::/64:interface",
            "2001:db8:1::/64:interface",
            "2001:db8:99::/64:ra",
            "fd00:1::/64:interface"
        ]
    );

    assert_eq!(rows(&report, "eth1").len(), 1);
    assert_eq!(report.host_count(), 5);
    assert!(report.stats.replies > 0 && report.stats.probes_sent > 0);
}

#[test]
fn link_local_only_probes_only_from_link_local() {
    let link = SimLink::new(vec![host(2, false, &["2001:db8:1::2"])]);
    let mut o = opts();
    o.link_local_only = true;
    let report = scan_links(
        &mut [(iface("eth0", 2, &["fe80::100", "2001:db8:1::100"]), link)],
        &o,
        None,
        &mut |_| {},
    );
    let eth0 = rows(&report, "eth0");
    assert_eq!(eth0.len(), 1);
    assert_eq!(eth0[0].0, "fe80::2%eth0");
}

#[test]
fn empty_link_reports_no_hosts() {
    let report = scan_links(
        &mut [(iface("eth0", 2, &["fe80::100"]), SimLink::new(vec![]))],
        &opts(),
        None,
        &mut |_| {},
    );
    assert_eq!(report.host_count(), 0);
    assert!(report.interfaces[0].prefixes.is_empty());
}

/// A writer whose contents can be read while someone else holds it.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
impl std::io::Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn json_lines(s: &Shared) -> Vec<serde_json::Value> {
    String::from_utf8(s.0.lock().unwrap().clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// What the dual-stack stage would add to `eth0`: an IPv4 address for `first`, the
/// port checks of every row, and a printer that answered only over IPv4.
fn add_dual_stack(eth0: &mut crate::report::IfaceReport, first: &str) {
    eth0.ipv4_checked = true;
    for h in eth0.prefixes.iter_mut().flat_map(|p| &mut p.hosts) {
        h.open_ports = Some(vec![]);
        if h.address.to_string() == first {
            h.ipv4 = vec!["192.0.2.2".parse().unwrap()];
        }
    }
    let epson = Mac([0, 0, 0x48, 1, 2, 3]);
    eth0.ipv4_only.push(crate::report::Ipv4OnlyHost {
        addr: "192.0.2.77".parse().unwrap(),
        mac: epson,
        vendor: crate::oui::lookup(epson),
    });
}

/// `--jsonl`: host lines are written while the scan runs (before it returns), only once
/// their MAC is known, each address once; the rest and the summary at the end.
#[test]
fn jsonl_streams_hosts_during_the_scan() {
    use crate::app::engine::observe::Observers;
    use crate::output::jsonl::JsonlStream;
    let link = SimLink::new(vec![host(2, false, &["2001:db8:1::2"]), host(3, true, &[])]);
    let shared = Shared::default();
    let mut w = shared.clone();
    let mut obs: Observers<'_, Vec<u8>> = Observers {
        jsonl: Some((crate::group::RowStream::default(), JsonlStream::new(&mut w))),
        progress: None,
    };
    let report = scan_links_with(
        &mut [(iface("eth0", 2, &["fe80::100", "2001:db8:1::100"]), link)],
        &opts(),
        None,
        ScanHooks {
            resolver: None,
            observer: Some(&mut obs),
            recall: None,
            first: None,
            sure: None,
        },
        &mut |w| panic!("{w}"),
    );
    let during = json_lines(&shared);
    assert!(!during.is_empty(), "nothing streamed during the scan");
    for l in &during {
        assert_eq!(l["type"], "host");
        assert_eq!(l["interface"], "eth0");
        assert!(
            l["mac"].is_string(),
            "streamed before its MAC was known: {l}"
        );
    }
    // What the dual-stack stage adds after the window: IPv4 by MAC, port checks, and a
    // host that answered only over IPv4. Streamed addresses get them in `update` lines.
    let mut report = report;
    let streamed: Vec<&str> = during
        .iter()
        .map(|l| l["address"].as_str().unwrap())
        .collect();
    add_dual_stack(&mut report.interfaces[0], streamed[0]);
    obs.jsonl.take().unwrap().1.finish(&report).unwrap();
    let all = json_lines(&shared);
    for addr in &streamed {
        let updates: Vec<_> = all
            .iter()
            .filter(|l| l["type"] == "update" && l["address"] == *addr)
            .collect();
        assert_eq!(updates.len(), 1, "{addr}: {all:?}");
        assert_eq!(updates[0]["open_ports"], serde_json::json!([]));
        let want: &[&str] = if addr == &streamed[0] {
            &["192.0.2.2"]
        } else {
            &[]
        };
        assert_eq!(updates[0]["ipv4"], serde_json::json!(want), "{addr}");
    }
    for l in all.iter().filter(|l| l["type"] == "host") {
        assert!(l["ipv4"].is_array() || streamed.contains(&l["address"].as_str().unwrap()));
    }
    let v4 = all
        .iter()
        .find(|l| l["type"] == "ipv4-only")
        .expect("ipv4-only line");
    assert_eq!(v4["address"], "192.0.2.77");
    assert_eq!(v4["interface"], "eth0");
    assert_eq!(v4["vendor"], "Seiko Epson Corporation");
    let hosts: Vec<&str> = all
        .iter()
        .filter(|l| l["type"] == "host")
        .map(|l| l["address"].as_str().unwrap())
        .collect();
    let mut unique = hosts.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), hosts.len(), "an address twice: {all:?}");
    let rows = report.interfaces[0]
        .prefixes
        .iter()
        .map(|p| p.hosts.len())
        .sum::<usize>();
    assert_eq!(hosts.len(), rows);
    let last = all.last().unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(
        last["hosts"], 3,
        "two IPv6 neighbours and the IPv4-only one"
    );
}

/// Names asked during the scan land in the report; our own addresses are never asked.
#[test]
fn names_are_asked_during_the_scan_and_merged() {
    use crate::names::{Answer, NameAnswer, NameSource, Resolver};
    #[derive(Default)]
    struct Fake(Vec<(u32, Ipv6Addr)>);
    impl Resolver for Fake {
        fn ask(&mut self, ifindex: u32, addr: Ipv6Addr) {
            self.0.push((ifindex, addr));
        }
        fn finish(&mut self, _deadline: std::time::Instant) -> Vec<Answer> {
            vec![Answer::Name(NameAnswer {
                ifindex: 2,
                addr: a("fe80::2"),
                name: "h02.local".into(),
                source: NameSource::Mdns,
            })]
        }
    }
    let mut fake = Fake::default();
    let link = SimLink::new(vec![host(2, false, &["2001:db8:1::2"])]);
    let report = scan_links_with(
        &mut [(iface("eth0", 2, &["fe80::100", "2001:db8:1::100"]), link)],
        &opts(),
        None,
        ScanHooks {
            resolver: Some(&mut fake),
            observer: None,
            recall: None,
            first: None,
            sure: None,
        },
        &mut |w| panic!("{w}"),
    );
    assert!(fake.0.contains(&(2, a("fe80::2"))));
    assert!(fake.0.contains(&(2, a("2001:db8:1::2"))));
    assert!(!fake.0.iter().any(|(_, x)| *x == a("fe80::100")));
    for h in report.interfaces[0].prefixes.iter().flat_map(|p| &p.hosts) {
        assert_eq!(h.names, ["h02.local"], "{}", h.address);
    }
}

#[test]
fn the_same_links_scan_again_with_a_fresh_tag() {
    let mut links = vec![(
        iface("eth0", 2, &["fe80::100"]),
        SimLink::new(vec![host(2, false, &[]), host(3, true, &[])]),
    )];
    let first = scan_links(&mut links, &opts(), None, &mut |_| {});
    let second = scan_links(&mut links, &opts(), None, &mut |_| {});
    assert_eq!(rows(&first, "eth0"), rows(&second, "eth0"));
    assert_eq!(second.host_count(), 2);
    // Each scan carried its own probe id, so late answers to the first are foreign.
    let ids: std::collections::HashSet<[u8; 2]> = links[0]
        .1
        .sent
        .iter()
        .filter(|s| s.2[0] == 128)
        .map(|s| [s.2[4], s.2[5]])
        .collect();
    assert_eq!(ids.len(), 2);
}

#[test]
fn answers_spread_over_the_window_are_all_collected_with_macs() {
    // 240 hosts answering at random moments up to 60 ms after each probe (a quarter silent).
    let hosts: Vec<SimHost> = (1..=240u8).map(|i| host(i, i % 4 == 0, &[])).collect();
    let link = SimLink::new(hosts).with_spread(Duration::from_millis(60), 42);
    let mut ifaces = vec![(iface("eth0", 2, &["fe80::ffff"]), link)];
    let report = scan_links(&mut ifaces, &opts(), None, &mut |w| panic!("{w}"));
    let eth0 = rows(&report, "eth0");
    assert_eq!(eth0.len(), 240);
    assert!(eth0.iter().all(|r| r.1.is_some() && r.2.contains(&"ndp")));
    let silent = eth0
        .iter()
        .filter(|r| r.2.contains(&"param-problem") && !r.2.contains(&"echo"));
    assert_eq!(silent.count(), 60);
}

/// A link that works like a simulated one, or breaks in one of the ways a real one can.
enum TestLink {
    Sim(Box<SimLink>),
    /// Every send fails (the interface went away).
    Gone,
    /// The worker's thread dies (a bug in it).
    Panics,
}

impl Link for TestLink {
    fn send(&mut self, probe: &crate::probe::Probe<'_>) -> std::io::Result<()> {
        match self {
            TestLink::Sim(l) => l.send(probe),
            TestLink::Gone => Err(std::io::Error::from_raw_os_error(libc::ENODEV)),
            TestLink::Panics => panic!("a bug in the worker"),
        }
    }
    fn recv(
        &mut self,
        buf: &mut [u8],
        timeout: Duration,
    ) -> std::io::Result<Option<crate::probe::Received>> {
        match self {
            TestLink::Sim(l) => l.recv(buf, timeout),
            _ => {
                std::thread::sleep(timeout.min(Duration::from_millis(5)));
                Ok(None)
            }
        }
    }
}

#[test]
fn a_broken_link_is_a_warning_and_the_others_keep_their_results() {
    let mut links = vec![
        (
            iface("eth0", 2, &["fe80::100"]),
            TestLink::Sim(Box::new(SimLink::new(vec![
                host(2, false, &[]),
                host(3, true, &[]),
            ]))),
        ),
        (iface("eth1", 3, &["fe80::101"]), TestLink::Gone),
        (iface("eth2", 4, &["fe80::102"]), TestLink::Panics),
    ];
    let mut warnings = Vec::new();
    let report = scan_links(&mut links, &opts(), None, &mut |w| warnings.push(w));
    assert_eq!(rows(&report, "eth0").len(), 2, "eth0 keeps its hosts");
    assert_eq!(report.host_count(), 2);
    assert!(warnings.contains(&Warning::WorkerStopped {
        interface: "eth2".into()
    }));
    assert!(warnings.contains(&Warning::NoProbeSent {
        interface: "eth1".into(),
        why: "No such device: the interface is gone".into()
    }));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(report.stats.send_errors > 0, "{:?}", report.stats);
}

#[path = "scan_announce_tests.rs"]
mod announce;

#[path = "scan_feed_tests.rs"]
mod feed;

#[path = "scan_names_tests.rs"]
mod node_names;

/// Labels read before the scan: the streamed line of a labelled device already has its
/// label, and every row of its MAC in the report too.
#[test]
fn labels_are_on_the_streamed_lines_and_the_report() {
    use crate::app::engine::observe::Observers;
    use crate::output::jsonl::JsonlStream;
    use crate::report::Labels;
    let pi = host(2, false, &["2001:db8:1::2"]);
    let labels = Labels::from_iter([(pi.mac, "kitchen-pi".to_string())]);
    let mut links = [(
        iface("eth0", 2, &["fe80::100", "2001:db8:1::100"]),
        SimLink::new(vec![pi, host(3, false, &[])]),
    )];
    let shared = Shared::default();
    let mut w = shared.clone();
    let mut obs: Observers<'_, Vec<u8>> = Observers {
        jsonl: Some((crate::group::RowStream::default(), JsonlStream::new(&mut w))),
        progress: None,
    };
    let cfg = opts();
    let ifaces = links.iter().map(|(i, _)| i.clone()).collect();
    let mut collector = Collector::new(ifaces, &cfg, None, Some(&mut obs), None);
    collector.label_with(labels);
    let mut warn = |w: Warning| panic!("{w}");
    probe_window(
        &mut links,
        &cfg,
        Feeders::default(),
        &mut collector,
        &mut warn,
    );
    let report = collector.finish(Stages::default(), &mut warn);
    let streamed = json_lines(&shared);
    assert_eq!(streamed.len(), 3, "{streamed:?}");
    for l in &streamed {
        let want = if l["mac"] == "b8:27:eb:00:00:02" {
            serde_json::json!("kitchen-pi")
        } else {
            serde_json::Value::Null
        };
        assert_eq!(l["label"], want, "{l}");
    }
    let rows: Vec<_> = report.interfaces[0]
        .prefixes
        .iter()
        .flat_map(|p| &p.hosts)
        .map(|h| (h.address.to_string(), h.label.clone()))
        .collect();
    let labelled = Some("kitchen-pi".to_string());
    assert!(
        rows.contains(&("fe80::2".into(), labelled.clone())),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("2001:db8:1::2".into(), labelled)),
        "{rows:?}"
    );
    assert!(rows.contains(&("fe80::3".into(), None)), "{rows:?}");
}
