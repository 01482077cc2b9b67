//! Reachability (`--ports`): a plain TCP connect to each host's best address, in
//! parallel, with a short timeout. No SYN scanning and nothing read from the socket.

use crate::mac::Mac;
use crate::model::is_link_local;
use crate::report::Report;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, TcpStream};
use std::sync::Mutex;
use std::time::Duration;

/// Most connections in flight at once.
pub const MAX_PARALLEL: usize = 64;

/// Who a check is for: a host on an interface, by MAC (or by address without one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HostKey {
    /// A host with a known MAC.
    Mac(u32, Mac),
    /// An address whose MAC is unknown.
    Addr(u32, Ipv6Addr),
}

/// A `--ports` list, checked when the command line is parsed (before any scan).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ports(pub Vec<u16>);

impl std::str::FromStr for Ports {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        parse_ports(s).map(Ports)
    }
}

/// Parses `22,80,443` into a sorted, deduplicated list of ports (no port 0).
pub fn parse_ports(s: &str) -> Result<Vec<u16>, String> {
    let mut ports = BTreeSet::new();
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match p.parse::<u16>() {
            Ok(n) if n > 0 => {
                ports.insert(n);
            }
            _ => return Err(format!("'{p}' is not a TCP port (1-65535)")),
        }
    }
    if ports.is_empty() {
        return Err("no port given; e.g. --ports 22,80".into());
    }
    Ok(ports.into_iter().collect())
}

/// The address each host is checked on: its link-local one (always on-link, reachable
/// with the interface as scope), else its first address; our own and stale rows are skipped.
pub fn targets(report: &Report) -> Vec<(HostKey, SocketAddrV6)> {
    let mut best: BTreeMap<HostKey, SocketAddrV6> = BTreeMap::new();
    for iface in &report.interfaces {
        for row in iface.prefixes.iter().flat_map(|p| &p.hosts) {
            if row.is_self || row.stale {
                continue;
            }
            let key = row
                .mac
                .map_or(HostKey::Addr(iface.index, row.address), |m| {
                    HostKey::Mac(iface.index, m)
                });
            let scope = if is_link_local(row.address) {
                iface.index
            } else {
                0
            };
            let addr = SocketAddrV6::new(row.address, 0, 0, scope);
            let better = best
                .get(&key)
                .is_none_or(|b| !is_link_local(*b.ip()) && is_link_local(row.address));
            if better {
                best.insert(key, addr);
            }
        }
    }
    best.into_iter().collect()
}

/// Tries every port on every target, `MAX_PARALLEL` at a time; returns the open ports of
/// each host (hosts with none open are present with an empty list).
pub fn check(
    targets: &[(HostKey, SocketAddrV6)],
    ports: &[u16],
    timeout: Duration,
) -> BTreeMap<HostKey, Vec<u16>> {
    let jobs: Vec<(HostKey, SocketAddrV6, u16)> = targets
        .iter()
        .flat_map(|(k, a)| ports.iter().map(move |p| (*k, *a, *p)))
        .collect();
    let open = Mutex::new(BTreeMap::<HostKey, Vec<u16>>::new());
    for (k, _) in targets {
        open.lock().map(|mut o| o.insert(*k, Vec::new())).ok();
    }
    let next = Mutex::new(jobs.into_iter());
    std::thread::scope(|s| {
        for _ in 0..MAX_PARALLEL.min(targets.len() * ports.len()) {
            s.spawn(|| loop {
                let job = next.lock().ok().and_then(|mut it| it.next());
                let Some((key, mut addr, port)) = job else {
                    break;
                };
                addr.set_port(port);
                if TcpStream::connect_timeout(&SocketAddr::V6(addr), timeout).is_ok() {
                    if let Ok(mut o) = open.lock() {
                        o.entry(key).or_default().push(port);
                    }
                }
            });
        }
    });
    let mut open = open.into_inner().unwrap_or_default();
    for ports in open.values_mut() {
        ports.sort_unstable();
    }
    open
}

/// The index of the first address (in the given order) where `port`'s connect succeeds,
/// trying all of them at once so the wait is one timeout at most.
pub fn first_open(addrs: &[SocketAddrV6], timeout: Duration) -> Option<usize> {
    let targets: Vec<(HostKey, SocketAddrV6)> = addrs
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                HostKey::Addr(i as u32, *a.ip()),
                SocketAddrV6::new(*a.ip(), 0, 0, a.scope_id()),
            )
        })
        .collect();
    let ports: Vec<u16> = addrs.first().map(|a| a.port()).into_iter().collect();
    let open = check(&targets, &ports, timeout);
    targets
        .iter()
        .position(|(k, _)| open.get(k).is_some_and(|p| !p.is_empty()))
}

/// Writes the results into every row of each host.
pub fn apply(report: &mut Report, ports: &[u16], open: &BTreeMap<HostKey, Vec<u16>>) {
    report.ports_checked = Some(ports.to_vec());
    for iface in &mut report.interfaces {
        let index = iface.index;
        for row in iface.prefixes.iter_mut().flat_map(|p| p.hosts.iter_mut()) {
            let key = row.mac.map_or(HostKey::Addr(index, row.address), |m| {
                HostKey::Mac(index, m)
            });
            row.open_ports = open.get(&key).cloned();
        }
    }
}

/// The display name of an open port list: `ssh` for 22, numbers otherwise.
pub fn describe(ports: &[u16]) -> String {
    ports
        .iter()
        .map(|p| match p {
            22 => "ssh".to_string(),
            p => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixture;

    #[test]
    fn ports_parse() {
        assert_eq!(parse_ports("22"), Ok(vec![22]));
        assert_eq!(parse_ports("80, 22,80,"), Ok(vec![22, 80]));
        assert!(parse_ports("0").is_err());
        assert!(parse_ports("ssh").is_err());
        assert!(parse_ports("70000").is_err());
        assert!(parse_ports(",").is_err());
    }

    #[test]
    fn one_target_per_host_preferring_link_local() {
        let t = targets(&fixture::report());
        let addrs: Vec<String> = t.iter().map(|(_, a)| a.to_string()).collect();
        assert_eq!(
            addrs,
            [
                "[fe80::1%2]:0",
                "[fe80::4aa2:12ff:fec2:16df%2]:0",
                "[fe80::ba27:ebff:fe89:bc51%2]:0"
            ]
        );
    }

    // The connect itself is exercised in the lab (tests/dualstack.rs): even loopback
    // traffic stays out of the root namespace.
    #[test]
    fn results_land_on_every_row_of_the_host() {
        let mut r = fixture::report();
        apply(&mut r, &[22], &BTreeMap::new());
        assert_eq!(r.ports_checked, Some(vec![22]));
        assert!(r.interfaces[0].prefixes[0]
            .hosts
            .iter()
            .all(|h| h.open_ports.is_none()));
        let pi = HostKey::Mac(2, Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]));
        apply(&mut r, &[22], &BTreeMap::from([(pi, vec![22])]));
        let pi_rows: Vec<_> = r.interfaces[0]
            .prefixes
            .iter()
            .flat_map(|p| &p.hosts)
            .filter(|h| h.mac == Some(Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51])))
            .collect();
        assert_eq!(pi_rows.len(), 2);
        assert!(pi_rows.iter().all(|h| h.open_ports == Some(vec![22])));
        assert_eq!(describe(&[22, 80]), "ssh,80");
    }
}
