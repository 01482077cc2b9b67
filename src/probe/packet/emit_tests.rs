//! Every message both ways on one byte array, as smoltcp's wire tests do: `emit` must write
//! exactly these bytes and `parse` of these bytes must give exactly the repr. Captured
//! packets (tests/corpus/, described in packet_tests.rs) are used wherever the repr holds
//! everything the capture carries; hand-written arrays elsewhere.
#![allow(clippy::unwrap_used)]

use super::super::*;

const CAP_PROBE_ECHO: &[u8] = include_bytes!("../../../tests/corpus/icmpv6/probe_echo.bin");
const CAP_ECHO_REPLY: &[u8] = include_bytes!("../../../tests/corpus/icmpv6/echo_reply.bin");
const CAP_PARAM_PROBLEM_LL: &[u8] =
    include_bytes!("../../../tests/corpus/icmpv6/param_problem_ll.bin");
const CAP_PARAM_PROBLEM_GLOBAL: &[u8] =
    include_bytes!("../../../tests/corpus/icmpv6/param_problem_global.bin");
const CAP_NS_FROM_A: &[u8] = include_bytes!("../../../tests/corpus/icmpv6/ns_from_a.bin");
const CAP_NS_FROM_B: &[u8] = include_bytes!("../../../tests/corpus/icmpv6/ns_from_b.bin");
const CAP_NA_MULTICAST_NS: &[u8] =
    include_bytes!("../../../tests/corpus/icmpv6/na_multicast_ns.bin");
const CAP_NA_UNICAST_NS: &[u8] = include_bytes!("../../../tests/corpus/icmpv6/na_unicast_ns.bin");
const CAP_RS: &[u8] = include_bytes!("../../../tests/corpus/icmpv6/rs.bin");
const CAP_RA: &[u8] = include_bytes!("../../../tests/corpus/icmpv6/ra_radvd.bin");

const MAC_A: Mac = Mac([0x02, 0x00, 0x00, 0xaa, 0x00, 0x01]);
const MAC_A2: Mac = Mac([0x02, 0x00, 0x00, 0xaa, 0x00, 0x02]);
const MAC_B: Mac = Mac([0xb8, 0x27, 0xeb, 0x00, 0x00, 0x0b]);
const COOKIE: [u8; 8] = [0xc0, 0xff, 0xee, 0x01, 0x23, 0x45, 0x67, 0x89];

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// `b` with the bytes at `at` zeroed: the checksums the kernel fills, and header fields
/// the repr does not keep.
fn zeroed(b: &[u8], at: &[usize]) -> Vec<u8> {
    let mut v = b.to_vec();
    for &i in at {
        v[i] = 0;
    }
    v
}

/// The ICMPv6 checksum zeroed.
fn unchecked(b: &[u8]) -> Vec<u8> {
    zeroed(b, &[2, 3])
}

/// The smoltcp check: `repr` emits exactly `bytes`, and `bytes` parse to exactly `repr`.
/// Also: `emit` leaves the buffer past the message alone and refuses a short buffer.
fn both_ways(repr: &Icmp, bytes: &[u8]) {
    assert_eq!(repr.buffer_len(), bytes.len(), "{repr:?}");
    assert_eq!(repr.to_bytes(), bytes, "{repr:?}");
    assert_eq!(parse(bytes).as_ref(), Ok(repr));
    let mut buf = vec![0xa5; bytes.len() + 3];
    assert_eq!(repr.emit(&mut buf), Ok(bytes.len()));
    assert_eq!(&buf[..bytes.len()], bytes);
    assert_eq!(&buf[bytes.len()..], [0xa5; 3]);
    let mut short = vec![0; bytes.len() - 1];
    assert_eq!(repr.emit(&mut short), Err(EmitError::BufferTooShort));
}

#[test]
fn constants_are_the_iana_numbers() {
    assert_eq!(
        [
            TYPE_PARAM_PROBLEM,
            TYPE_ECHO_REQUEST,
            TYPE_ECHO_REPLY,
            TYPE_MLD_QUERY,
            TYPE_MLD_REPORT_V1,
            TYPE_ROUTER_SOLICIT,
            TYPE_ROUTER_ADVERT,
            TYPE_NEIGHBOUR_SOLICIT,
            TYPE_NEIGHBOUR_ADVERT,
            TYPE_MLD_REPORT_V2,
        ],
        [4, 128, 129, 130, 131, 133, 134, 135, 136, 143]
    );
    assert_eq!(CODE_UNRECOGNIZED_OPTION, 2);
    assert_eq!(POINTER_UNKNOWN_OPTION, 42);
    assert_eq!(
        [
            OPT_SOURCE_LLADDR,
            OPT_TARGET_LLADDR,
            OPT_PREFIX_INFO,
            OPT_MTU
        ],
        [1, 2, 3, 5]
    );
}

#[test]
fn echo_request_both_ways() {
    // Our probe as the kernel sent it.
    let probe = Icmp::EchoRequest {
        id: 0x5e5e,
        seq: 7,
        cookie: PayloadHead::full(COOKIE),
    };
    both_ways(&probe, &unchecked(CAP_PROBE_ECHO));
    // Without a cookie: the 8-byte header alone.
    let bare = Icmp::EchoRequest {
        id: 0x0102,
        seq: 0xfffe,
        cookie: PayloadHead::default(),
    };
    both_ways(&bare, &[128, 0, 0, 0, 0x01, 0x02, 0xff, 0xfe]);
}

#[test]
fn echo_reply_both_ways() {
    let reply = Icmp::EchoReply {
        id: 0x1234,
        seq: 0xabcd,
        cookie: PayloadHead::full(*b"v6scout!"),
    };
    let mut bytes = vec![129, 0, 0, 0, 0x12, 0x34, 0xab, 0xcd];
    bytes.extend_from_slice(b"v6scout!");
    both_ways(&reply, &bytes);
    // ping's 64-byte reply: the repr keeps the first 8 payload bytes, so it emits the
    // first 16 bytes of the capture.
    let got = parse(CAP_ECHO_REPLY).unwrap();
    assert_eq!(got.to_bytes(), unchecked(&CAP_ECHO_REPLY[..16]));
}

#[test]
fn param_problem_both_ways() {
    let inv = |src: &str| Invoking {
        start: QuoteStart::Ipv6Header {
            src: ip(src),
            dst: ip("ff02::1"),
        },
        icmp_type: TYPE_ECHO_REQUEST,
        id: 0x5e5e,
        seq: 7,
        cookie: PayloadHead::full(COOKIE),
    };
    for (cap, src) in [
        (CAP_PARAM_PROBLEM_LL, "fe80::ff:feaa:1"),
        (CAP_PARAM_PROBLEM_GLOBAL, "2001:db8:5::1"),
    ] {
        let pp = Icmp::ParamProblem {
            code: CODE_UNRECOGNIZED_OPTION,
            pointer: POINTER_UNKNOWN_OPTION,
            invoking: Some(inv(src)),
        };
        // The Linux quote as emitted, less what the repr does not keep: the flow label
        // the kernel gave our probe (bytes 9..12) and the quoted echo's checksum (58, 59).
        assert_eq!(cap[8], 0x60);
        both_ways(&pp, &zeroed(cap, &[2, 3, 9, 10, 11, 58, 59]));
    }
    // A quote without cookie, and none at all.
    let short = Icmp::ParamProblem {
        code: 2,
        pointer: 42,
        invoking: Some(Invoking {
            cookie: PayloadHead::default(),
            ..inv("fe80::1")
        }),
    };
    let mut bytes = vec![4, 2, 0, 0, 0, 0, 0, 42, 0x60, 0, 0, 0, 0, 16, 60, 255];
    bytes.extend_from_slice(&ip("fe80::1").octets());
    bytes.extend_from_slice(&ip("ff02::1").octets());
    bytes.extend_from_slice(&[58, 0, 0x80, 4, 0, 0, 0, 0]);
    bytes.extend_from_slice(&[128, 0, 0, 0, 0x5e, 0x5e, 0, 7]);
    both_ways(&short, &bytes);
    let none = Icmp::ParamProblem {
        code: 1,
        pointer: 0x0102_0304,
        invoking: None,
    };
    both_ways(&none, &[4, 1, 0, 0, 1, 2, 3, 4]);
}

#[test]
fn neighbour_solicitation_both_ways() {
    for (cap, target, mac) in [
        (CAP_NS_FROM_A, "fe80::ba27:ebff:fe00:b", MAC_A),
        (CAP_NS_FROM_B, "fe80::ff:feaa:1", MAC_B),
    ] {
        let ns = Icmp::NeighbourSolicit {
            target: ip(target),
            source_mac: Some(mac),
        };
        both_ways(&ns, &unchecked(cap));
    }
    let anon = Icmp::NeighbourSolicit {
        target: ip("2001:db8::1"),
        source_mac: None,
    };
    let mut bytes = vec![135, 0, 0, 0, 0, 0, 0, 0];
    bytes.extend_from_slice(&ip("2001:db8::1").octets());
    both_ways(&anon, &bytes);
}

#[test]
fn neighbour_advertisement_both_ways() {
    let na = |router, solicited, override_flag, target_mac| Icmp::NeighbourAdvert {
        target: ip("fe80::ba27:ebff:fe00:b"),
        router,
        solicited,
        override_flag,
        target_mac,
    };
    // Linux answering a multicast NS (S, O, TLLAO) and a unicast one (S only, no TLLAO).
    both_ways(
        &na(false, true, true, Some(MAC_B)),
        &unchecked(CAP_NA_MULTICAST_NS),
    );
    both_ways(&na(false, true, false, None), &unchecked(CAP_NA_UNICAST_NS));
    // Each flag on its own bit: R 0x80, S 0x40, O 0x20.
    for (r, s, o, flags) in [
        (true, false, false, 0x80),
        (false, true, false, 0x40),
        (false, false, true, 0x20),
        (true, true, true, 0xe0),
        (false, false, false, 0),
    ] {
        let mut bytes = unchecked(CAP_NA_MULTICAST_NS);
        bytes[4] = flags;
        both_ways(&na(r, s, o, Some(MAC_B)), &bytes);
    }
}

#[test]
fn router_solicitation_both_ways() {
    both_ways(
        &Icmp::RouterSolicit {
            source_mac: Some(MAC_A2),
        },
        &unchecked(CAP_RS),
    );
    both_ways(
        &Icmp::RouterSolicit { source_mac: None },
        &[133, 0, 0, 0, 0, 0, 0, 0],
    );
}

#[test]
fn radvd_advertisement_survives_emit() {
    // radvd orders its options differently (MTU and source address last): the bytes
    // differ, the meaning does not.
    let got = parse(CAP_RA).unwrap();
    let again = got.to_bytes();
    assert_ne!(again, unchecked(CAP_RA));
    assert_eq!(parse(&again), Ok(got));
    assert_eq!(again.len(), CAP_RA.len());
}

#[test]
fn other_types_emit_their_header() {
    both_ways(
        &Icmp::Other {
            icmp_type: 1,
            code: 4,
        },
        &[1, 4, 0, 0],
    );
}

#[test]
fn builders_are_emit() {
    let tag = ProbeTag {
        id: 0x5e5e,
        cookie: COOKIE,
    };
    assert_eq!(echo_request(&tag, 7), unchecked(CAP_PROBE_ECHO));
    assert_eq!(router_solicitation(Some(MAC_A2)), unchecked(CAP_RS));
    assert_eq!(
        neighbour_solicitation(ip("fe80::ba27:ebff:fe00:b"), MAC_A),
        unchecked(CAP_NS_FROM_A)
    );
}
