//! Node Information messages: each built and read back, and real replies read.

use super::*;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const NONCE: [u8; 8] = *b"n0nce!!!";

#[test]
fn the_query_follows_rfc_4620() {
    let q = node_addresses_query(NONCE, a("ff02::1"));
    assert_eq!(q.len(), 32);
    assert_eq!(&q[..8], &[139, 0, 0, 0, 0, 3, 0, 0x3a]);
    assert_eq!(&q[8..16], &NONCE);
    assert_eq!(&q[16..], &a("ff02::1").octets());
    assert_eq!(parse_query(&q), Some((NONCE, QTYPE_NODE_ADDRESSES)));
}

#[test]
fn a_reply_round_trips_with_every_address() {
    let addrs = [
        a("fe80::1"),
        a("2001:db8:1::abcd:1234:5678:9"),
        a("fd00:1::5"),
    ];
    let r = parse_reply(&node_addresses_reply(NONCE, true, &addrs)).unwrap();
    assert_eq!(r.nonce, NONCE);
    assert!(r.truncated);
    assert_eq!(r.addresses, addrs);
}

#[test]
fn a_reply_as_freebsd_sends_it() {
    // Type 140, code 0, checksum, qtype 3, flags 0, nonce, then one entry: TTL 0xffffffff
    // (infinite lifetime) and fe80::5054:ff:fe12:3456.
    let mut m = vec![140, 0, 0xab, 0xcd, 0, 3, 0, 0];
    m.extend_from_slice(&NONCE);
    m.extend_from_slice(&[0xff; 4]);
    m.extend_from_slice(&a("fe80::5054:ff:fe12:3456").octets());
    let r = parse_reply(&m).unwrap();
    assert_eq!(r.addresses, [a("fe80::5054:ff:fe12:3456")]);
    assert!(!r.truncated);
}

#[test]
fn what_is_not_a_usable_reply_says_why() {
    let ok = node_addresses_reply(NONCE, false, &[a("fe80::1")]);
    assert_eq!(parse_reply(&ok[..15]), Err(Malformed::Short));
    assert_eq!(parse_reply(&ok[..35]), Err(Malformed::BadLength));
    let mut q = ok.clone();
    q[0] = TYPE_NI_QUERY;
    assert_eq!(parse_reply(&q), Err(Malformed::NotReply));
    let mut refused = ok.clone();
    refused[1] = 1;
    assert_eq!(parse_reply(&refused), Err(Malformed::Refused));
    let mut name = ok;
    name[5] = 2;
    assert_eq!(parse_reply(&name), Err(Malformed::OtherQtype));
}

#[test]
fn a_long_reply_gives_at_most_the_cap() {
    let many: Vec<Ipv6Addr> = (1..=100u128)
        .map(|i| Ipv6Addr::from(0xfe80u128 << 112 | i))
        .collect();
    let r = parse_reply(&node_addresses_reply(NONCE, false, &many)).unwrap();
    assert_eq!(r.addresses, many[..MAX_ADDRESSES]);
}

#[test]
fn the_node_name_query_follows_rfc_4620() {
    let q = node_name_query(NONCE, a("fe80::1"));
    assert_eq!(&q[..8], &[139, 0, 0, 0, 0, 2, 0, 0]);
    assert_eq!(&q[8..16], &NONCE);
    assert_eq!(&q[16..], &a("fe80::1").octets());
    assert_eq!(parse_query(&q), Some((NONCE, QTYPE_NODE_NAME)));
    assert_eq!(qtype(&q), Some(QTYPE_NODE_NAME));
}

/// A Node Name reply with a fully qualified name (one zero-length label at its end) and
/// a single-label one (two, RFC 4620 §6.3), TTL 0 as KAME sends it.
static NAME_REPLY: [u8; 48] = [
    140, 0, 0, 0, 0, 2, 0, 0, b'n', b'0', b'n', b'c', b'e', b'!', b'!', b'!', // header
    0, 0, 0, 0, // TTL
    8, b'm', b'a', b'c', b'-', b'm', b'i', b'n', b'i', 7, b'e', b'x', b'a', b'm', b'p', b'l', b'e',
    0, // mac-mini.example
    7, b'p', b'r', b'i', b'n', b't', b'e', b'r', 0, 0, // printer
];

fn name_reply_repr() -> NameReply {
    NameReply {
        nonce: NONCE,
        ttl: 0,
        names: vec!["mac-mini.example".into(), "printer".into()],
    }
}

#[test]
fn a_node_name_reply_parses() {
    assert_eq!(parse_name_reply(&NAME_REPLY), Ok(name_reply_repr()));
}

#[test]
fn a_node_name_reply_emits() {
    let r = name_reply_repr();
    let names: Vec<&str> = r.names.iter().map(String::as_str).collect();
    assert_eq!(node_name_reply(r.nonce, r.ttl, &names), NAME_REPLY);
}

#[test]
fn a_node_name_reply_without_a_name_is_empty_not_malformed() {
    // KAME, when the host has no name: the TTL and nothing after it.
    let r = parse_name_reply(&NAME_REPLY[..20]).unwrap();
    assert!(r.names.is_empty());
    // A name without its second zero-length label is still a name.
    let mut one_zero = NAME_REPLY.to_vec();
    one_zero.pop();
    assert_eq!(parse_name_reply(&one_zero).unwrap().names.len(), 2);
}

#[test]
fn a_bad_node_name_reply_says_why() {
    let with_data = |data: &[u8]| {
        let mut m = NAME_REPLY[..20].to_vec();
        m.extend_from_slice(data);
        parse_name_reply(&m)
    };
    assert_eq!(parse_name_reply(&NAME_REPLY[..18]), Err(Malformed::BadName));
    assert_eq!(parse_name_reply(&NAME_REPLY[..30]), Err(Malformed::BadName));
    assert_eq!(with_data(&[0xc0, 20]), Err(Malformed::BadName), "a pointer");
    assert_eq!(
        with_data(&[64]),
        Err(Malformed::BadName),
        "too long a label"
    );
    assert_eq!(with_data(&[0]), Err(Malformed::BadName), "the empty name");
    assert_eq!(with_data(&[3, b'a', b'b', b'c']), Err(Malformed::BadName));
    let mut long = Vec::new();
    for _ in 0..5 {
        long.push(63);
        long.extend_from_slice(&[b'x'; 63]);
    }
    long.push(0);
    assert_eq!(with_data(&long), Err(Malformed::BadName), "over 255 bytes");
    let mut addresses = NAME_REPLY;
    addresses[5] = 3;
    assert_eq!(parse_name_reply(&addresses), Err(Malformed::OtherQtype));
    assert_eq!(parse_reply(&NAME_REPLY), Err(Malformed::OtherQtype));
}

#[test]
fn unprintable_names_are_left_out_and_the_count_is_capped() {
    let ok = parse_name_reply(&node_name_reply(NONCE, 7, &["a", "b"])).unwrap();
    assert_eq!((ok.ttl, ok.names.len()), (7, 2));
    let mut m = NAME_REPLY[..20].to_vec();
    m.extend_from_slice(&[
        3, b'a', 0x1b, b'c', 0, 3, b'a', b'.', b'c', 0, 1, b'z', 0, 0,
    ]);
    assert_eq!(parse_name_reply(&m).unwrap().names, ["z"]);
    let many: Vec<String> = (0..10).map(|i| format!("h{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let r = parse_name_reply(&node_name_reply(NONCE, 0, &many)).unwrap();
    assert_eq!(r.names, many[..MAX_NAMES]);
}
