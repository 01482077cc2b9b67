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
mod tests {
    use super::*;
    use crate::mac::Mac;
    use crate::output::fixture;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Accepts exactly the listed (address, port) pairs; counts every attempt.
    struct Fake {
        open: Vec<SocketAddrV6>,
        tries: AtomicUsize,
    }

    impl Connector for Fake {
        fn accepts(&self, addr: SocketAddrV6, _timeout: Duration) -> bool {
            self.tries.fetch_add(1, Ordering::SeqCst);
            self.open.contains(&addr)
        }
    }

    fn fake(open: &[&str]) -> Fake {
        Fake {
            open: open.iter().map(|s| s.parse().unwrap()).collect(),
            tries: AtomicUsize::new(0),
        }
    }

    #[test]
    fn connect_in_order_takes_the_first_that_accepts_and_tries_each_once() {
        let a: Vec<SocketAddrV6> = (1..=3)
            .map(|i| SocketAddrV6::new(format!("fe80::{i}").parse().unwrap(), 22, 0, 2))
            .collect();
        let mut tried = Vec::new();
        let mut fake = |sa: SocketAddrV6, t: Duration| {
            tried.push((sa, t));
            if sa == a[1] {
                Ok(sa)
            } else {
                Err(std::io::ErrorKind::ConnectionRefused.into())
            }
        };
        let quick = Duration::from_millis(5);
        let patient = Duration::from_secs(10);
        let got = connect_in_order(&a, quick, patient, &mut fake).unwrap();
        assert_eq!(got, (1, a[1]));
        assert_eq!(
            tried,
            [(a[0], quick), (a[1], quick)],
            "stops at the first open"
        );
        // Nothing open: the first, patiently, once more; a lone address only patiently.
        let mut tried = Vec::new();
        let mut closed = |sa: SocketAddrV6, t: Duration| -> std::io::Result<()> {
            tried.push((sa, t));
            Err(std::io::ErrorKind::TimedOut.into())
        };
        assert!(connect_in_order(&a, quick, patient, &mut closed).is_err());
        assert_eq!(tried.len(), 4);
        assert_eq!(tried[3], (a[0], patient));
        let mut tried = Vec::new();
        let mut lone = |sa: SocketAddrV6, t: Duration| -> std::io::Result<()> {
            tried.push((sa, t));
            Ok(())
        };
        connect_in_order(&a[..1], quick, patient, &mut lone).unwrap();
        assert!(connect_in_order(&[], quick, patient, &mut lone).is_err());
        assert_eq!(tried, [(a[0], patient)], "nothing tried without an address");
    }

    #[test]
    fn the_checked_connection_is_the_one_used_one_accept_per_use() {
        use std::io::{Read, Write};
        use std::net::{TcpListener, TcpStream};
        // Loopback only: a refused port (bound, then closed) ranked before a listener.
        let Ok(listener) = TcpListener::bind("[::1]:0") else {
            return; // no IPv6 loopback in this sandbox
        };
        let closed = TcpListener::bind("[::1]:0").unwrap().local_addr().unwrap();
        let open = listener.local_addr().unwrap();
        let v6 = |a: std::net::SocketAddr| match a {
            std::net::SocketAddr::V6(a) => a,
            std::net::SocketAddr::V4(_) => unreachable!("bound to ::1"),
        };
        let addrs = [v6(closed), v6(open)];
        let mut tcp = |sa: SocketAddrV6, t: Duration| {
            TcpStream::connect_timeout(&std::net::SocketAddr::V6(sa), t)
        };
        let (i, mut stream) =
            connect_in_order(&addrs, CONNECT_TIMEOUT, Duration::from_secs(5), &mut tcp).unwrap();
        assert_eq!(i, 1);
        stream.write_all(b"SSH-2.0-test\r\n").unwrap();
        drop(stream);
        listener.set_nonblocking(false).unwrap();
        let (mut served, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        served.read_to_end(&mut got).unwrap();
        assert_eq!(
            got, b"SSH-2.0-test\r\n",
            "the relayed bytes came on the first accept"
        );
        listener.set_nonblocking(true).unwrap();
        assert!(
            listener.accept().is_err(),
            "a second connection reached the server"
        );
    }

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

    #[test]
    fn every_port_of_every_host_is_tried_and_only_open_ones_land() {
        let mut r = fixture::report();
        // The Pi takes ssh on its link-local address; the router only port 80.
        let c = fake(&["[fe80::ba27:ebff:fe89:bc51%2]:22", "[fe80::1%2]:80"]);
        run(&mut r, &[22, 80], &c, CONNECT_TIMEOUT);
        assert_eq!(c.tries.load(Ordering::SeqCst), 3 * 2, "3 hosts, 2 ports");
        let open = |mac: [u8; 6]| -> Vec<Option<Vec<u16>>> {
            r.interfaces[0]
                .prefixes
                .iter()
                .flat_map(|p| &p.hosts)
                .filter(|h| h.mac == Some(Mac(mac)))
                .map(|h| h.open_ports.clone())
                .collect()
        };
        assert!(open([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51])
            .iter()
            .all(|p| p.as_deref() == Some(&[22][..])));
        assert_eq!(
            open([0x00, 0x24, 0xa5, 0xf1, 0x07, 0xca])[0].as_deref(),
            Some(&[80][..])
        );
        assert_eq!(r.ports_checked, Some(vec![22, 80]));
    }

    #[test]
    fn first_open_keeps_the_given_order() {
        let addrs: Vec<SocketAddrV6> = ["[fe80::1%2]:22", "[2001:db8::1]:22", "[fd00::1]:22"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let c = fake(&["[fd00::1]:22", "[2001:db8::1]:22"]);
        assert_eq!(first_open(&c, &addrs, CONNECT_TIMEOUT), Some(1));
        assert_eq!(c.tries.load(Ordering::SeqCst), 3, "all tried at once");
        assert_eq!(first_open(&fake(&[]), &addrs, CONNECT_TIMEOUT), None);
        assert_eq!(first_open(&fake(&[]), &[], CONNECT_TIMEOUT), None);
    }

    #[test]
    fn results_land_on_every_row_of_the_host() {
        let mut r = fixture::report();
        apply(&mut r, &[22], &BTreeMap::new());
        assert_eq!(r.ports_checked, Some(vec![22]));
        assert!(r.interfaces[0].prefixes[0]
            .hosts
            .iter()
            .all(|h| h.open_ports.is_none()));
        let pi = (2, HostKey::Mac(Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51])));
        apply(&mut r, &[22], &BTreeMap::from([(pi, vec![22])]));
        let pi_rows: Vec<_> = r.interfaces[0]
            .prefixes
            .iter()
            .flat_map(|p| &p.hosts)
            .filter(|h| h.mac == Some(Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51])))
            .collect();
        assert_eq!(pi_rows.len(), 2);
        assert!(pi_rows.iter().all(|h| h.open_ports == Some(vec![22])));
    }
}
