use super::*;
use crate::output::fixture;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

#[test]
fn sweep_sizes() {
    let t = sweep_targets(ip("192.0.2.100"), 24, DEFAULT_MAX_HOSTS).unwrap();
    assert_eq!(t.len(), 253, "254 hosts minus ourselves");
    assert_eq!((t[0], t[252]), (ip("192.0.2.1"), ip("192.0.2.254")));
    assert!(!t.contains(&ip("192.0.2.100")));
    assert_eq!(
        sweep_targets(ip("192.0.2.1"), 22, DEFAULT_MAX_HOSTS)
            .unwrap()
            .len(),
        1021
    );
    let err = sweep_targets(ip("10.0.0.1"), 21, DEFAULT_MAX_HOSTS).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not sweeping 10.0.0.0/21: 2046 addresses is more than 1022; raise --ipv4-max-hosts to sweep it anyway"
    );
    assert_eq!(sweep_targets(ip("10.0.0.1"), 21, 2046).unwrap().len(), 2045);
    assert_eq!(
        sweep_targets(ip("192.0.2.0"), 31, 10).unwrap(),
        [ip("192.0.2.1")]
    );
    assert_eq!(
        sweep_targets(ip("192.0.2.7"), 32, 10).unwrap(),
        Vec::<Ipv4Addr>::new()
    );
    assert!(sweep_targets(ip("10.1.2.3"), 0, DEFAULT_MAX_HOSTS).is_err());
}

#[test]
fn pacing() {
    assert_eq!(send_offset(0, 1000), Duration::ZERO);
    assert_eq!(send_offset(250, 1000), Duration::from_millis(250));
    assert_eq!(
        send_offset(3, 0),
        Duration::from_secs(3),
        "rate 0 is treated as 1/s"
    );
    // A /24 at the default rate is sent within a quarter second of a 1 s window.
    assert!(send_offset(253, DEFAULT_RATE) < Duration::from_millis(260));
}

#[test]
fn arp_request_and_reply_frames() {
    let me = Mac([2, 0, 0x5e, 0x10, 0, 1]);
    let f = arp_request(me, ip("192.0.2.100"), ip("192.0.2.10"));
    assert_eq!(f.len(), 42);
    assert_eq!(&f[..6], &[0xff; 6]);
    assert_eq!(&f[6..12], &me.0);
    assert_eq!(&f[12..14], &[0x08, 0x06]);
    assert_eq!(&f[20..22], &[0, 1], "request");
    assert_eq!(&f[38..42], &[192, 0, 2, 10]);
    assert_eq!(parse_arp_reply(&f), None, "a request is not a reply");
    // Turn it into the reply 192.0.2.10 would send.
    let pi = [0xb8, 0x27, 0xeb, 1, 2, 3];
    let mut r = f.clone();
    r[21] = 2;
    r[22..28].copy_from_slice(&pi);
    r[28..32].copy_from_slice(&[192, 0, 2, 10]);
    assert_eq!(parse_arp_reply(&r), Some((ip("192.0.2.10"), Mac(pi))));
    for n in 0..r.len() {
        assert_eq!(parse_arp_reply(&r[..n]), None, "{n}");
    }
    let mut zero = r.clone();
    zero[22..28].copy_from_slice(&[0; 6]);
    assert_eq!(parse_arp_reply(&zero), None);
    let mut bcast = r;
    bcast[28..32].copy_from_slice(&[255; 4]);
    assert_eq!(parse_arp_reply(&bcast), None);
}

#[test]
fn attach_by_mac_and_ipv4_only() {
    let mut r = fixture::report();
    let pi = Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]);
    let printer = Mac([0x00, 0x00, 0x48, 0x12, 0x34, 0x56]);
    let n = |a: &str, mac| Ipv4Neighbour {
        ifindex: 2,
        addr: ip(a),
        mac,
    };
    attach(
        &mut r.interfaces,
        &[
            n("192.0.2.10", pi),
            n("192.0.2.10", pi),
            n("192.0.2.77", printer),
            Ipv4Neighbour {
                ifindex: 9,
                addr: ip("192.0.2.99"),
                mac: printer,
            },
        ],
    );
    let eth0 = &r.interfaces[0];
    for row in eth0.prefixes.iter().flat_map(|p| &p.hosts) {
        let want: Vec<Ipv4Addr> = if row.mac == Some(pi) {
            vec![ip("192.0.2.10")]
        } else {
            vec![]
        };
        assert_eq!(row.ipv4, want, "{}", row.scoped);
    }
    assert_eq!(eth0.ipv4_only.len(), 1);
    assert_eq!(
        (eth0.ipv4_only[0].addr, eth0.ipv4_only[0].mac),
        (ip("192.0.2.77"), printer)
    );
    assert_eq!(r.host_count(), 4, "the IPv4-only printer counts as a host");
}
