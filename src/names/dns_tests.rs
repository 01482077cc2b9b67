use super::*;

fn name_bytes(name: &str) -> Vec<u8> {
    let mut v = Vec::new();
    for l in name.split('.') {
        v.push(l.len() as u8);
        v.extend_from_slice(l.as_bytes());
    }
    v.push(0);
    v
}

/// A legacy-unicast answer as avahi sends it: the question echoed, one PTR answer whose
/// owner points back at the question (compression), cache-flush bit set.
fn answer(id: u16, addr: Ipv6Addr, target: &str) -> Vec<u8> {
    let mut m = ptr_query(id, addr);
    m[2] = 0x84; // response, authoritative
    m[7] = 1; // one answer
    m.extend_from_slice(&[0xc0, 12]); // owner: the question's name
    m.extend_from_slice(&[0, 12, 0x80, 1, 0, 0, 0, 10]);
    let t = name_bytes(target);
    m.extend_from_slice(&(t.len() as u16).to_be_bytes());
    m.extend_from_slice(&t);
    m
}

#[test]
fn reverse_name_of_an_address() {
    let a: Ipv6Addr = "2001:db8::567:89ab".parse().unwrap();
    assert_eq!(
        reverse_name(a),
        "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
    );
}

#[test]
fn query_layout() {
    let a: Ipv6Addr = "fe80::1".parse().unwrap();
    let q = ptr_query(0x1234, a);
    assert_eq!(&q[..12], &[0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(&q[12..14], &[1, b'1']);
    assert_eq!(&q[q.len() - 4..], &[0, 12, 0x80, 1]);
    // Our own query is not a response.
    assert_eq!(parse_response(&q), None);
}

#[test]
fn host_query_asks_aaaa_and_a_with_the_name_once() {
    let q = host_query(0x0102, "pi-one.local").unwrap();
    let mut want = vec![1, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0];
    want.extend_from_slice(&name_bytes("pi-one.local"));
    want.extend_from_slice(&[0, 28, 0x80, 1]); // AAAA, IN, unicast response
    want.extend_from_slice(&[0xc0, 12, 0, 1, 0x80, 1]); // the same name, compressed: A
    assert_eq!(q, want);
    assert_eq!(
        host_query(1, &"a".repeat(70)),
        None,
        "a label over 63 bytes"
    );
}

#[test]
fn services_query_asks_the_dns_sd_meta_name() {
    let q = services_query(9);
    let mut want = vec![0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    want.extend_from_slice(&name_bytes(SERVICES));
    want.extend_from_slice(&[0, 12, 0x80, 1]);
    assert_eq!(q, want);
}

/// One resource record: `owner` as given (plain or a pointer), type, class with the
/// cache-flush bit, TTL 120, then `rdata`.
fn record(owner: &[u8], rtype: u16, rdata: &[u8]) -> Vec<u8> {
    let mut r = owner.to_vec();
    r.extend_from_slice(&rtype.to_be_bytes());
    r.extend_from_slice(&[0x80, 1, 0, 0, 0, 120]);
    r.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    r.extend_from_slice(rdata);
    r
}

/// What avahi sends for `pi-one.local` AAAA/A: two AAAA answers (the second owner
/// compressed to the first), and in the additional section a third AAAA, an A and an
/// AAAA of another name that must not be taken for this host.
fn host_answer(flags: u8) -> Vec<u8> {
    let mut m = vec![0, 5, flags, 0, 0, 0, 0, 2, 0, 0, 0, 3];
    let v6 = |s: &str| s.parse::<Ipv6Addr>().unwrap().octets();
    m.extend(record(
        &name_bytes("pi-one.local"),
        28,
        &v6("2001:db8:1::5ee:d"),
    ));
    m.extend(record(
        &[0xc0, 12],
        28,
        &v6("2001:db8:1:0:8a3:51ff:3c2:9e14"),
    ));
    m.extend(record(&[0xc0, 12], 28, &v6("fe80::ba27:ebff:fe01:203")));
    m.extend(record(&[0xc0, 12], 1, &[192, 0, 2, 7]));
    m.extend(record(
        &name_bytes("other.local"),
        28,
        &v6("2001:db8:1::99"),
    ));
    m
}

#[test]
fn every_address_in_answer_and_additional_sections() {
    let r = parse_response(&host_answer(0x84)).unwrap();
    assert!(!r.truncated);
    let want: Vec<Ipv6Addr> = [
        "2001:db8:1::5ee:d",
        "2001:db8:1:0:8a3:51ff:3c2:9e14",
        "fe80::ba27:ebff:fe01:203",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    assert_eq!(
        r.v6_of("PI-ONE.local"),
        want,
        "case-blind, other names left out"
    );
    assert_eq!(r.v4_of("pi-one.local"), vec![Ipv4Addr::new(192, 0, 2, 7)]);
    assert_eq!(
        r.v6_of("other.local"),
        vec!["2001:db8:1::99".parse::<Ipv6Addr>().unwrap()]
    );
}

#[test]
fn a_truncated_response_keeps_what_it_holds() {
    let r = parse_response(&host_answer(0x86)).unwrap();
    assert!(r.truncated);
    assert_eq!(r.v6_of("pi-one.local").len(), 3);
}

#[test]
fn hostile_record_counts_are_refused_before_parsing() {
    let mut m = host_answer(0x84);
    m[6] = 0xff; // 65,000 answers claimed in a 200-byte message
    assert_eq!(parse_response(&m), None);
}

#[test]
fn service_types_from_the_meta_query() {
    let mut m = vec![0, 9, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0];
    m.extend(record(
        &name_bytes(SERVICES),
        12,
        &name_bytes("_ssh._tcp.local"),
    ));
    m.extend(record(&[0xc0, 12], 12, &name_bytes("_ipp._tcp.local")));
    let r = parse_response(&m).unwrap();
    let types: Vec<_> = r.ptr_targets(SERVICES).filter_map(service_type).collect();
    assert_eq!(types, ["_ssh._tcp", "_ipp._tcp"]);
}

#[test]
fn service_type_names_are_checked() {
    assert_eq!(service_type("_SSH._tcp.local."), Some("_ssh._tcp".into()));
    assert_eq!(service_type("_ipp._udp.local"), Some("_ipp._udp".into()));
    assert_eq!(service_type("ssh._tcp.local"), None);
    assert_eq!(service_type("_ssh._sctp.local"), None);
    assert_eq!(service_type("_a-very-long-service-name._tcp.local"), None);
    assert_eq!(service_type("_ssh._tcp.example.org"), None);
    assert_eq!(service_type("_x\x1b._tcp.local"), None);
}

#[test]
fn local_names() {
    assert!(is_local("pi.local"));
    assert!(is_local("Pi.LOCAL."));
    assert!(!is_local(".local"));
    assert!(!is_local("pi.example.org"));
}

#[test]
fn parses_a_compressed_answer() {
    let a: Ipv6Addr = "fe80::ba27:ebff:fe89:bc51".parse().unwrap();
    let r = parse_response(&answer(7, a, "rpi.local")).unwrap();
    assert_eq!(r.id, 7);
    assert_eq!(r.ptrs, vec![(reverse_name(a), "rpi.local".to_string())]);
}

#[test]
fn every_truncation_and_corruption_is_total() {
    let a: Ipv6Addr = "fe80::1".parse().unwrap();
    let m = answer(1, a, "h03.local");
    for n in 0..m.len() {
        assert_eq!(parse_response(&m[..n]), None, "truncated at {n}");
    }
    for i in 0..m.len() {
        for b in [0x00, 0x3f, 0x40, 0xc0, 0xff] {
            let mut c = m.clone();
            c[i] = b;
            let _ = parse_response(&c);
        }
    }
}

#[test]
fn pointer_loops_are_rejected() {
    let mut m = vec![0, 1, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(&[0xc0, 12, 0, 12, 0, 1]); // the name points at itself
    assert_eq!(parse_response(&m), None);
}

#[test]
fn error_responses_are_ignored() {
    let a: Ipv6Addr = "fe80::1".parse().unwrap();
    let mut m = answer(1, a, "x.local");
    m[3] = 3; // NXDOMAIN
    assert_eq!(parse_response(&m), None);
}

#[test]
fn names_are_cleaned() {
    assert_eq!(clean_name("rpi.local."), Some("rpi.local".into()));
    assert_eq!(
        clean_name("my_host-1.example.org"),
        Some("my_host-1.example.org".into())
    );
    assert_eq!(clean_name("bad\x1b[31m.local"), None);
    assert_eq!(clean_name("a..b"), None);
    assert_eq!(clean_name(""), None);
    assert_eq!(clean_name(&"a".repeat(64)), None);
}
