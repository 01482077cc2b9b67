//! A fixed report for renderer tests.

use crate::mac::Mac;
use crate::model::{Ipv6Prefix, SeenBy};
use crate::oui::Vendor;
use crate::report::{HostRow, IfaceReport, PrefixGroup, PrefixSource, Report, ScanStats};
use std::net::Ipv6Addr;
use std::time::{Duration, UNIX_EPOCH};

fn row(
    addr: &str,
    iface: &str,
    mac: Option<Mac>,
    vendor: Vendor,
    seen: &[SeenBy],
    router: bool,
) -> HostRow {
    let address: Ipv6Addr = addr.parse().unwrap();
    HostRow {
        vendor,
        router,
        seen_by: seen.to_vec(),
        rtt: Some(Duration::from_micros(412)),
        ..HostRow::new(address, iface, mac)
    }
}

/// Two prefixes on eth0: a Pi (with two names and the label `kitchen-pi`), a router, a
/// silent private-MAC host, and a global address.
pub fn report() -> Report {
    let pi = Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]);
    let rtr = Mac([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca]);
    let private = Mac([0x4a, 0xa2, 0x12, 0xc2, 0x16, 0xdf]);
    let ll = Ipv6Prefix::new("fe80::".parse().unwrap(), 64);
    let global = Ipv6Prefix::new("2001:db8:1::".parse().unwrap(), 64);
    let pi_vendor = Vendor::Known("Raspberry Pi Foundation");
    let mut r = Report {
        started: UNIX_EPOCH + Duration::from_secs(1_795_000_000),
        duration: Duration::from_millis(921),
        interfaces: vec![IfaceReport {
            name: "eth0".into(),
            index: 2,
            mac: Some(Mac([0x02, 0, 0x5e, 0x10, 0, 1])),
            prefixes: vec![
                PrefixGroup {
                    prefix: ll,
                    source: PrefixSource::Interface,
                    hosts: vec![
                        row(
                            "fe80::1",
                            "eth0",
                            Some(rtr),
                            Vendor::Known("Buffalo.Inc"),
                            &[SeenBy::Echo, SeenBy::Ra],
                            true,
                        ),
                        row(
                            "fe80::4aa2:12ff:fec2:16df",
                            "eth0",
                            Some(private),
                            Vendor::Private,
                            &[SeenBy::ParamProblem, SeenBy::Ndp],
                            false,
                        ),
                        row(
                            "fe80::ba27:ebff:fe89:bc51",
                            "eth0",
                            Some(pi),
                            pi_vendor,
                            &[SeenBy::Echo, SeenBy::Ndp],
                            false,
                        ),
                    ],
                },
                PrefixGroup {
                    prefix: global,
                    source: PrefixSource::Ra,
                    hosts: vec![row(
                        "2001:db8:1::ba27:ebff:fe89:bc51",
                        "eth0",
                        Some(pi),
                        pi_vendor,
                        &[SeenBy::Echo],
                        false,
                    )],
                },
            ],
            ipv4_checked: false,
            ipv4_only: Vec::new(),
            routers: Vec::new(),
            alerts: Vec::new(),
        }],
        stats: ScanStats {
            probes_sent: 12,
            replies: 7,
            malformed: 1,
            dropped_over_limit: 0,
            dropped_over_memory: 0,
            frames_elicited: 9,
            send_errors: 2,
            foreign: 3,
            skipped: 0,
            unmatched_errors: 0,
            ring_drops: 0,
            ended_early: false,
            window: std::time::Duration::from_millis(900),
        },
        ports_checked: None,
    };
    for h in r.interfaces[0]
        .prefixes
        .iter_mut()
        .flat_map(|p| &mut p.hosts)
    {
        if h.mac == Some(pi) {
            h.names = vec!["rpi.local".into(), "pi.example.org".into()];
        }
    }
    r.set_labels(&crate::report::Labels::from_iter([(
        pi,
        "kitchen-pi".to_string(),
    )]));
    r
}

/// The same report after an IPv4 sweep and `--ports 22`: the Pi has 192.0.2.10 and ssh,
/// the private-MAC host has no IPv4, and a printer answered only over IPv4.
pub fn dual_stack_report() -> Report {
    let mut r = report();
    r.ports_checked = Some(vec![22]);
    let eth0 = &mut r.interfaces[0];
    eth0.ipv4_checked = true;
    for row in eth0.prefixes.iter_mut().flat_map(|p| p.hosts.iter_mut()) {
        row.open_ports = Some(Vec::new());
        match row.mac.map(|m| m.0[0]) {
            Some(0xb8) => {
                row.ipv4 = vec![std::net::Ipv4Addr::new(192, 0, 2, 10)];
                row.open_ports = Some(vec![22]);
            }
            Some(0x00) => row.ipv4 = vec![std::net::Ipv4Addr::new(192, 0, 2, 1)],
            _ => {}
        }
    }
    let printer = Mac([0x00, 0x00, 0x48, 0x12, 0x34, 0x56]);
    eth0.ipv4_only = vec![crate::report::Ipv4OnlyHost {
        addr: std::net::Ipv4Addr::new(192, 0, 2, 77),
        mac: printer,
        vendor: crate::oui::lookup(printer),
    }];
    r
}
