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
