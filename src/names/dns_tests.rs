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
