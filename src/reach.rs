//! Reachability (`--ports`): a plain TCP connect to each host's best address, in
//! parallel, with a short timeout. No SYN scanning and nothing read from the socket.

use crate::model::{is_link_local, HostKey};
use crate::report::Report;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddrV6;
use std::sync::Mutex;
use std::time::Duration;

/// Most connections in flight at once.
pub const MAX_PARALLEL: usize = 64;

/// How long a connect check may take: on a link a closed port answers with a reset in
/// well under a millisecond, so this only bounds hosts that drop the SYN.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(250);

/// Who a check is for: a host on an interface (by index).
pub type Target = (u32, HostKey);

/// Opens TCP connections: the platform's connector, or a fake in tests.
pub trait Connector: Sync {
    /// Whether `addr` accepts a TCP connection within `timeout`. The connection is closed
    /// at once; nothing is sent on it.
    fn accepts(&self, addr: SocketAddrV6, timeout: Duration) -> bool;
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
pub fn targets(report: &Report) -> Vec<(Target, SocketAddrV6)> {
    let mut best: BTreeMap<Target, SocketAddrV6> = BTreeMap::new();
    for iface in &report.interfaces {
        for row in iface.prefixes.iter().flat_map(|p| &p.hosts) {
            if row.is_self || row.stale {
                continue;
            }
            let key = (iface.index, HostKey::of(row.mac, row.address));
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
pub fn check<K: Copy + Ord + Send>(
    connector: &dyn Connector,
    targets: &[(K, SocketAddrV6)],
    ports: &[u16],
    timeout: Duration,
) -> BTreeMap<K, Vec<u16>> {
    let jobs: Vec<(K, SocketAddrV6, u16)> = targets
        .iter()
        .flat_map(|(k, a)| ports.iter().map(move |p| (*k, *a, *p)))
        .collect();
    let open = Mutex::new(
        targets
            .iter()
            .map(|(k, _)| (*k, Vec::new()))
            .collect::<BTreeMap<K, Vec<u16>>>(),
    );
    let next = Mutex::new(jobs.into_iter());
    std::thread::scope(|s| {
        for _ in 0..MAX_PARALLEL.min(targets.len() * ports.len()) {
            s.spawn(|| loop {
                let job = next.lock().ok().and_then(|mut it| it.next());
                let Some((key, mut addr, port)) = job else {
                    break;
                };
                addr.set_port(port);
                if connector.accepts(addr, timeout) {
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

/// The index of the first address (in the given order) that accepts a connection on its
/// port, trying all of them at once so the wait is one timeout at most.
pub fn first_open(
    connector: &dyn Connector,
    addrs: &[SocketAddrV6],
    timeout: Duration,
) -> Option<usize> {
    let port = addrs.first()?.port();
    let targets: Vec<(usize, SocketAddrV6)> = addrs.iter().copied().enumerate().collect();
    let open = check(connector, &targets, &[port], timeout);
    (0..addrs.len()).find(|i| open.get(i).is_some_and(|p| !p.is_empty()))
}

/// Opens a connection to the first address, in the given order, that takes one — and
/// returns that very connection, so a caller relays over the stream its check opened (one
/// connection per use, one line in the server's log, not a probe and then the real one).
/// With several addresses each gets `quick` in turn (a refused one costs nothing, a
/// filtered one `quick`); when none answers that fast, the first gets `patient`, as a
/// single address does at once.
pub fn connect_in_order<S>(
    addrs: &[SocketAddrV6],
    quick: Duration,
    patient: Duration,
    connect: &mut dyn FnMut(SocketAddrV6, Duration) -> std::io::Result<S>,
) -> std::io::Result<(usize, S)> {
    let Some(&first) = addrs.first() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AddrNotAvailable,
            "no address to connect to",
        ));
    };
    if addrs.len() > 1 {
        for (i, a) in addrs.iter().enumerate() {
            if let Ok(s) = connect(*a, quick) {
                return Ok((i, s));
            }
        }
    }
    connect(first, patient).map(|s| (0, s))
}

/// Writes the results into every row of each host.
pub fn apply(report: &mut Report, ports: &[u16], open: &BTreeMap<Target, Vec<u16>>) {
    report.ports_checked = Some(ports.to_vec());
    for iface in &mut report.interfaces {
        let index = iface.index;
        for row in iface.prefixes.iter_mut().flat_map(|p| p.hosts.iter_mut()) {
            row.open_ports = open
                .get(&(index, HostKey::of(row.mac, row.address)))
                .cloned();
        }
    }
}

/// The port-check stage: checks `ports` on every host of `report` and records the result.
pub fn run(report: &mut Report, ports: &[u16], connector: &dyn Connector, timeout: Duration) {
    let targets = targets(report);
    let open = check(connector, &targets, ports, timeout);
    apply(report, ports, &open);
}

#[cfg(test)]
#[path = "reach_tests.rs"]
mod tests;
