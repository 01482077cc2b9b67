#![allow(clippy::unwrap_used)]

use super::*;

// ---------------------------------------------------------------------------------------
// Real packets. Captured on Linux 6.18 in a lab of three network namespaces joined by veth
// pairs: scanner `a` (pk9a0 02:00:00:aa:00:01, fe80::ff:feaa:1 + 2001:db8:5::1;
// pk9a1 02:00:00:aa:00:02, fe80::ff:feaa:2), host `b` (pk9b0 b8:27:eb:00:00:0b,
// fe80::ba27:ebff:fe00:b + 2001:db8:5::2) and router `c` (pk9c0 00:24:a5:00:00:0c,
// fe80::224:a5ff:fe00:c, radvd 2.19). Recorded with `tcpdump -w` in `a`; below is the ICMPv6
// part of each frame (Ethernet, IPv6 and extension headers stripped), checksums as on the wire.
// The bytes live in tests/corpus/, the seed corpus of the fuzz tests (tests/fuzz.rs).
// ---------------------------------------------------------------------------------------

/// Echo reply from b's kernel to `ping -6 -c1 ff02::1%pk9a0` (iputils) run in a:
/// id 0x199e, seq 1, payload = 8-byte timestamp + 0x10.. pattern (56 bytes).
const CAP_ECHO_REPLY: [u8; 64] = *include_bytes!("../../tests/corpus/icmpv6/echo_reply.bin");

/// Our probe as sent by a python3 raw ICMPv6 socket from fe80::ff:feaa:1 to ff02::1 with the
/// 8-byte Destination Options header `00 00 80 04 00 00 00 00` as IPV6_DSTOPTS ancillary
/// data: echo request id 0x5e5e, seq 7, cookie c0ffee0123456789. Checksum 0xea4f by the kernel.
const CAP_PROBE_ECHO: [u8; 16] = *include_bytes!("../../tests/corpus/icmpv6/probe_echo.bin");

/// b's kernel answering that probe (with net.ipv6.icmp.echo_ignore_multicast=1 in b):
/// Parameter Problem code 2 (unrecognized option), pointer 42 (= 40 + 2, the option type
/// byte), sent from fe80::ba27:ebff:fe00:b to fe80::ff:feaa:1; the quote is the whole probe
/// (IPv6 header, the Destination Options header with Next Header 58 filled in, the echo).
const CAP_PARAM_PROBLEM_LL: [u8; 72] =
    *include_bytes!("../../tests/corpus/icmpv6/param_problem_ll.bin");

/// The same probe sent from the global source 2001:db8:5::1: b answered from its global
/// address 2001:db8:5::2 to 2001:db8:5::1 (again with echo_ignore_multicast=1).
const CAP_PARAM_PROBLEM_GLOBAL: [u8; 72] =
    *include_bytes!("../../tests/corpus/icmpv6/param_problem_global.bin");

/// Kernel NS from b (resolving a before sending the Parameter Problem):
/// fe80::ba27:ebff:fe00:b -> ff02::1:ffaa:1, who has fe80::ff:feaa:1, SLLAO b8:27:eb:00:00:0b.
const CAP_NS_FROM_B: [u8; 32] = *include_bytes!("../../tests/corpus/icmpv6/ns_from_b.bin");

/// Kernel NS from a resolving b (before a unicast send): fe80::ff:feaa:1 ->
/// ff02::1:ff00:b, who has fe80::ba27:ebff:fe00:b, SLLAO 02:00:00:aa:00:01.
/// Byte for byte what `neighbour_solicitation` builds, apart from the checksum.
const CAP_NS_FROM_A: [u8; 32] = *include_bytes!("../../tests/corpus/icmpv6/ns_from_a.bin");

/// b's kernel answering a *multicast* NS (to ff02::1:ff00:b) for fe80::ba27:ebff:fe00:b:
/// flags solicited + override, TLLAO b8:27:eb:00:00:0b.
const CAP_NA_MULTICAST_NS: [u8; 32] =
    *include_bytes!("../../tests/corpus/icmpv6/na_multicast_ns.bin");

/// b's kernel answering a *unicast* NS (python3 raw socket, to fe80::ba27:ebff:fe00:b, with
/// SLLAO): solicited only, no override flag and no Target Link-Layer Address option.
const CAP_NA_UNICAST_NS: [u8; 24] = *include_bytes!("../../tests/corpus/icmpv6/na_unicast_ns.bin");

/// Same for a unicast NS to b's global 2001:db8:5::2: again no TLLAO.
const CAP_NA_UNICAST_NS_GLOBAL: [u8; 24] =
    *include_bytes!("../../tests/corpus/icmpv6/na_unicast_ns_global.bin");

/// Router Solicitation sent by python3 from fe80::ff:feaa:2 to ff02::2 with SLLAO
/// 02:00:00:aa:00:02 (what `router_solicitation` builds, apart from the checksum).
const CAP_RS: [u8; 16] = *include_bytes!("../../tests/corpus/icmpv6/rs.bin");

/// radvd 2.19's solicited answer to CAP_RS (fe80::224:a5ff:fe00:c -> fe80::ff:feaa:2).
/// Config: AdvOtherConfigFlag on, AdvLinkMTU 1480, AdvCurHopLimit 64, AdvDefaultLifetime 1800,
/// prefix 2001:db8:1::/64 (on-link, autonomous, default lifetimes 86400/14400),
/// prefix fd00:1234:5678::/48 (on-link, not autonomous, 3600/1800), RDNSS 2001:db8:1::53.
const CAP_RA: [u8; 120] = *include_bytes!("../../tests/corpus/icmpv6/ra_radvd.bin");

/// MLDv2 report sent by c's kernel when radvd joined ff02::2 (behind a hop-by-hop
/// router-alert header, stripped): 3 records, ff02::1:ff00:0, ff05::2, ff02::2.
const CAP_MLDV2_REPORT: [u8; 68] = *include_bytes!("../../tests/corpus/mld/mldv2_report.bin");

const A_LL: &str = "fe80::ff:feaa:1";
const B_LL: &str = "fe80::ba27:ebff:fe00:b";
const MAC_A: Mac = Mac([0x02, 0x00, 0x00, 0xaa, 0x00, 0x01]);
const MAC_B: Mac = Mac([0xb8, 0x27, 0xeb, 0x00, 0x00, 0x0b]);
const PROBE_TAG: ProbeTag = ProbeTag {
    id: 0x5e5e,
    cookie: [0xc0, 0xff, 0xee, 0x01, 0x23, 0x45, 0x67, 0x89],
};

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// Every captured sample with (source, destination) of its IPv6 header, for the checksum check.
fn samples() -> Vec<(&'static str, &'static [u8], &'static str, &'static str)> {
    vec![
        ("echo reply", &CAP_ECHO_REPLY, B_LL, A_LL),
        ("probe echo", &CAP_PROBE_ECHO, A_LL, "ff02::1"),
        ("param problem ll", &CAP_PARAM_PROBLEM_LL, B_LL, A_LL),
        (
            "param problem global",
            &CAP_PARAM_PROBLEM_GLOBAL,
            "2001:db8:5::2",
            "2001:db8:5::1",
        ),
        ("ns from b", &CAP_NS_FROM_B, B_LL, "ff02::1:ffaa:1"),
        ("ns from a", &CAP_NS_FROM_A, A_LL, "ff02::1:ff00:b"),
        ("na multicast ns", &CAP_NA_MULTICAST_NS, B_LL, A_LL),
        ("na unicast ns", &CAP_NA_UNICAST_NS, B_LL, A_LL),
        (
            "na unicast ns global",
            &CAP_NA_UNICAST_NS_GLOBAL,
            "2001:db8:5::2",
            "2001:db8:5::1",
        ),
        ("rs", &CAP_RS, "fe80::ff:feaa:2", "ff02::2"),
        ("ra", &CAP_RA, "fe80::224:a5ff:fe00:c", "fe80::ff:feaa:2"),
        (
            "mldv2 report",
            &CAP_MLDV2_REPORT,
            "fe80::224:a5ff:fe00:c",
            "ff02::16",
        ),
    ]
}

/// ICMPv6 checksum over the pseudo-header (RFC 8200 §8.1); 0 when `msg` carries a valid one.
fn checksum(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> u16 {
    let mut data = Vec::new();
    data.extend_from_slice(&src.octets());
    data.extend_from_slice(&dst.octets());
    data.extend_from_slice(&u32::try_from(msg.len()).unwrap().to_be_bytes());
    data.extend_from_slice(&[0, 0, 0, 58]);
    data.extend_from_slice(msg);
    if data.len() % 2 == 1 {
        data.push(0);
    }
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !u16::try_from(sum).unwrap()
}

fn without_checksum(b: &[u8]) -> Vec<u8> {
    let mut v = b.to_vec();
    v[2] = 0;
    v[3] = 0;
    v
}

#[test]
fn captured_samples_are_intact() {
    for (name, bytes, src, dst) in samples() {
        assert_eq!(checksum(ip(src), ip(dst), bytes), 0, "{name}");
    }
}

// ----------------------------------- builders -----------------------------------------

#[test]
fn echo_request_bytes() {
    let tag = ProbeTag {
        id: 0x1234,
        cookie: [1, 2, 3, 4, 5, 6, 7, 8],
    };
    assert_eq!(
        echo_request(&tag, 0xabcd),
        [128, 0, 0, 0, 0x12, 0x34, 0xab, 0xcd, 1, 2, 3, 4, 5, 6, 7, 8]
    );
    // What the kernel sent for our python probe, checksum aside.
    assert_eq!(
        echo_request(&PROBE_TAG, 7),
        without_checksum(&CAP_PROBE_ECHO)
    );
}

#[test]
fn dest_opts_bytes() {
    let d = unknown_option_dest_opts();
    assert_eq!(d, [0, 0, 0x80, 4, 0, 0, 0, 0]);
    assert_eq!(UNKNOWN_OPTION_TYPE, 0x80);
    // Length (hdr-ext-len + 1) * 8 == 8 and the one option fills it exactly.
    assert_eq!((usize::from(d[1]) + 1) * 8, d.len());
    assert_eq!(2 + usize::from(d[3]), d.len() - 2);
    // The top two bits 10: discard and send Parameter Problem even to multicast.
    assert_eq!(d[2] >> 6, 0b10);
    // As quoted back by Linux, with Next Header 58 set by the kernel.
    assert_eq!(&CAP_PARAM_PROBLEM_LL[8 + 40 + 1..8 + 40 + 8], &d[1..]);
    assert_eq!(CAP_PARAM_PROBLEM_LL[8 + 40], 58);
}

#[test]
fn router_solicitation_bytes() {
    assert_eq!(router_solicitation(None), [133, 0, 0, 0, 0, 0, 0, 0]);
    let mac = Mac([0x02, 0x00, 0x00, 0xaa, 0x00, 0x02]);
    assert_eq!(router_solicitation(Some(mac)), without_checksum(&CAP_RS));
    assert_eq!(
        router_solicitation(Some(MAC_B)),
        [133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xb8, 0x27, 0xeb, 0, 0, 0x0b]
    );
}

#[test]
fn neighbour_solicitation_bytes() {
    let ns = neighbour_solicitation(ip("2001:db8::1:2"), MAC_B);
    let mut want = vec![135, 0, 0, 0, 0, 0, 0, 0];
    want.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
    want.extend_from_slice(&[1, 1, 0xb8, 0x27, 0xeb, 0, 0, 0x0b]);
    assert_eq!(ns, want);
    // Identical to what the Linux kernel itself sends, apart from the checksum.
    assert_eq!(
        neighbour_solicitation(ip(B_LL), MAC_A),
        without_checksum(&CAP_NS_FROM_A)
    );
}

#[test]
fn solicited_node_addresses() {
    assert_eq!(solicited_node(ip(B_LL)), ip("ff02::1:ff00:b"));
    assert_eq!(solicited_node(ip(A_LL)), ip("ff02::1:ffaa:1"));
    assert_eq!(
        solicited_node(ip("2001:db8::abcd:ef12:3456")),
        ip("ff02::1:ff12:3456")
    );
    assert_eq!(solicited_node(Ipv6Addr::UNSPECIFIED), ip("ff02::1:ff00:0"));
}

#[test]
fn round_trips() {
    let tag = ProbeTag {
        id: 77,
        cookie: *b"v6scout!",
    };
    // An echo request is not something we act on…
    let req = echo_request(&tag, 3);
    let parsed = parse(&req).unwrap();
    assert_eq!(
        parsed,
        Icmp::EchoRequest {
            id: 77,
            seq: 3,
            cookie: PayloadHead::full(*b"v6scout!")
        }
    );
    assert!(!parsed.matches(&tag));
    // …but the reply a host makes of it (same body, type 129) is ours.
    let mut reply = req.clone();
    reply[0] = TYPE_ECHO_REPLY;
    let parsed = parse(&reply).unwrap();
    assert_eq!(
        parsed,
        Icmp::EchoReply {
            id: 77,
            seq: 3,
            cookie: PayloadHead::full(*b"v6scout!")
        }
    );
    assert!(parsed.matches(&tag));

    // A Parameter Problem quoting IPv6 header + our dest opts + our echo.
    let mut pp = vec![
        TYPE_PARAM_PROBLEM,
        CODE_UNRECOGNIZED_OPTION,
        0,
        0,
        0,
        0,
        0,
        42,
    ];
    pp.extend_from_slice(&[0x60, 0, 0, 0, 0, 24, 60, 255]);
    pp.extend_from_slice(&ip("2001:db8::1").octets());
    pp.extend_from_slice(&ip("ff02::1").octets());
    let mut opts = unknown_option_dest_opts();
    opts[0] = 58;
    pp.extend_from_slice(&opts);
    pp.extend_from_slice(&req);
    let parsed = parse(&pp).unwrap();
    assert_eq!(
        parsed,
        Icmp::ParamProblem {
            code: 2,
            pointer: 42,
            invoking: Some(Invoking {
                start: QuoteStart::Ipv6Header {
                    src: ip("2001:db8::1"),
                    dst: ip("ff02::1")
                },
                icmp_type: TYPE_ECHO_REQUEST,
                id: 77,
                seq: 3,
                cookie: PayloadHead::full(*b"v6scout!")
            })
        }
    );
    assert!(parsed.matches(&tag));

    let ns = neighbour_solicitation(ip("fe80::1"), MAC_A);
    assert_eq!(
        parse(&ns),
        Ok(Icmp::NeighbourSolicit {
            target: ip("fe80::1"),
            source_mac: Some(MAC_A)
        })
    );
    for mac in [Some(MAC_A), None] {
        let rs = parse(&router_solicitation(mac)).unwrap();
        assert_eq!(rs, Icmp::RouterSolicit { source_mac: mac });
        assert!(!rs.matches(&tag));
    }
}

// ------------------------------------ captures ------------------------------------------

#[test]
fn captured_echo_reply() {
    let got = parse(&CAP_ECHO_REPLY).unwrap();
    assert_eq!(
        got,
        Icmp::EchoReply {
            id: 0x199e,
            seq: 1,
            cookie: PayloadHead::full([0xdf, 0x20, 0x04, 0x6b, 0, 0, 0, 0])
        }
    );
    // ping's reply is not ours.
    assert!(!got.matches(&PROBE_TAG));
}

#[test]
fn captured_param_problems() {
    for (bytes, src) in [
        (&CAP_PARAM_PROBLEM_LL, A_LL),
        (&CAP_PARAM_PROBLEM_GLOBAL, "2001:db8:5::1"),
    ] {
        let got = parse(bytes).unwrap();
        assert_eq!(
            got,
            Icmp::ParamProblem {
                code: 2,
                pointer: 42,
                invoking: Some(Invoking {
                    start: QuoteStart::Ipv6Header {
                        src: ip(src),
                        dst: ip("ff02::1")
                    },
                    icmp_type: TYPE_ECHO_REQUEST,
                    id: 0x5e5e,
                    seq: 7,
                    cookie: PayloadHead::full(PROBE_TAG.cookie),
                }),
            }
        );
        assert!(got.matches(&PROBE_TAG));
    }
}

#[test]
fn captured_neighbour_solicitations() {
    assert_eq!(
        parse(&CAP_NS_FROM_B),
        Ok(Icmp::NeighbourSolicit {
            target: ip(A_LL),
            source_mac: Some(MAC_B)
        })
    );
    assert_eq!(
        parse(&CAP_NS_FROM_A),
        Ok(Icmp::NeighbourSolicit {
            target: ip(B_LL),
            source_mac: Some(MAC_A)
        })
    );
}

#[test]
fn captured_neighbour_advertisements() {
    assert_eq!(
        parse(&CAP_NA_MULTICAST_NS),
        Ok(Icmp::NeighbourAdvert {
            target: ip(B_LL),
            router: false,
            solicited: true,
            override_flag: true,
            target_mac: Some(MAC_B)
        })
    );
    // Linux leaves out the TLLAO (and the O flag) when answering a unicast NS.
    assert_eq!(
        parse(&CAP_NA_UNICAST_NS),
        Ok(Icmp::NeighbourAdvert {
            target: ip(B_LL),
            router: false,
            solicited: true,
            override_flag: false,
            target_mac: None
        })
    );
    assert_eq!(
        parse(&CAP_NA_UNICAST_NS_GLOBAL),
        Ok(Icmp::NeighbourAdvert {
            target: ip("2001:db8:5::2"),
            router: false,
            solicited: true,
            override_flag: false,
            target_mac: None
        })
    );
}

#[test]
fn captured_router_advertisement() {
    let got = parse(&CAP_RA).unwrap();
    assert_eq!(
        got,
        Icmp::RouterAdvert(Box::new(crate::router::Advert {
            cur_hop_limit: 64,
            other: true,
            router_lifetime: 1800,
            source_mac: Some(Mac([0x00, 0x24, 0xa5, 0x00, 0x00, 0x0c])),
            mtu: Some(1480),
            prefixes: vec![
                PrefixInfo {
                    prefix: ip("2001:db8:1::"),
                    len: 64,
                    on_link: true,
                    autonomous: true,
                    valid_lifetime: 86400,
                    preferred_lifetime: 14400,
                },
                PrefixInfo {
                    prefix: ip("fd00:1234:5678::"),
                    len: 48,
                    on_link: true,
                    autonomous: false,
                    valid_lifetime: 3600,
                    preferred_lifetime: 1800,
                },
            ],
            rdnss: vec![crate::router::Rdnss {
                lifetime: 100,
                servers: vec![ip("2001:db8:1::53")],
            }],
            ..Default::default()
        }))
    );
    assert!(got.matches(&PROBE_TAG));
}

#[test]
fn captured_router_solicitation_and_other_types() {
    // MLD is a variant of the one parsed message, read as its own repr reads it.
    assert_eq!(
        parse(&CAP_MLDV2_REPORT),
        Ok(Icmp::MldReport(
            mld::Report::parse(&CAP_MLDV2_REPORT).unwrap()
        ))
    );
    assert_eq!(
        parse(&CAP_RS),
        Ok(Icmp::RouterSolicit {
            source_mac: Some(Mac([0x02, 0x00, 0x00, 0xaa, 0x00, 0x02]))
        })
    );
    assert!(!parse(&CAP_RS).unwrap().matches(&PROBE_TAG));
    assert!(!parse(&CAP_MLDV2_REPORT).unwrap().matches(&PROBE_TAG));
}

// ------------------------------------- matches ------------------------------------------

#[test]
fn matches_checks_id_and_cookie() {
    let reply = |id, cookie| Icmp::EchoReply { id, seq: 1, cookie };
    let tag = PROBE_TAG;
    let mut other_cookie = tag.cookie;
    other_cookie[7] ^= 1;
    let full = PayloadHead::full;
    assert!(reply(tag.id, full(tag.cookie)).matches(&tag));
    assert!(!reply(tag.id ^ 1, full(tag.cookie)).matches(&tag));
    assert!(!reply(tag.id, full(other_cookie)).matches(&tag));
    // A reply cut short counts when what it kept is the cookie's start, and only then.
    assert!(reply(tag.id, PayloadHead::of(&tag.cookie[..3])).matches(&tag));
    assert!(!reply(tag.id, PayloadHead::of(&[!tag.cookie[0]])).matches(&tag));
    assert!(reply(tag.id, PayloadHead::default()).matches(&tag));

    let pp = |id, cookie, start| Icmp::ParamProblem {
        code: 1,
        pointer: 40,
        invoking: Some(Invoking {
            start,
            icmp_type: TYPE_ECHO_REQUEST,
            id,
            seq: 1,
            cookie,
        }),
    };
    let v6 = QuoteStart::Ipv6Header {
        src: ip(A_LL),
        dst: ip("ff02::1"),
    };
    for start in [v6, QuoteStart::ExtensionHeader, QuoteStart::Message] {
        assert!(
            pp(tag.id, full(tag.cookie), start).matches(&tag),
            "{start:?}"
        );
        assert!(!pp(tag.id ^ 0x100, full(tag.cookie), start).matches(&tag));
        assert!(!pp(tag.id, full(other_cookie), start).matches(&tag));
        // A quote must hold the whole cookie.
        assert!(!pp(tag.id, PayloadHead::of(&tag.cookie[..7]), start).matches(&tag));
        assert!(!pp(tag.id, PayloadHead::default(), start).matches(&tag));
    }
    let no_quote = Icmp::ParamProblem {
        code: 2,
        pointer: 42,
        invoking: None,
    };
    assert!(!no_quote.matches(&tag));

    // The captured Parameter Problem with a foreign tag.
    let foreign = ProbeTag {
        id: 0x5e5f,
        cookie: tag.cookie,
    };
    assert!(!parse(&CAP_PARAM_PROBLEM_LL).unwrap().matches(&foreign));
    let foreign = ProbeTag {
        id: tag.id,
        cookie: [0; 8],
    };
    assert!(!parse(&CAP_PARAM_PROBLEM_LL).unwrap().matches(&foreign));
}

// ------------------------------------ malformed -----------------------------------------

#[test]
fn every_truncation_is_total() {
    for (name, bytes, _, _) in samples() {
        for n in 0..=bytes.len() {
            let r = parse(&bytes[..n]);
            if n < 4 {
                assert_eq!(r, Err(Malformed::Truncated), "{name} cut to {n}");
            }
        }
    }
}

#[test]
fn truncated_param_problem_loses_only_the_quote() {
    let full = &CAP_PARAM_PROBLEM_LL;
    for n in 0..=full.len() {
        let r = parse(&full[..n]);
        match n {
            0..=7 => assert_eq!(r, Err(Malformed::Truncated), "{n}"),
            // 8 ICMPv6 + 40 IPv6 + 8 dest opts + 8 echo header = 64.
            8..=63 => assert!(
                matches!(
                    r,
                    Ok(Icmp::ParamProblem {
                        code: 2,
                        pointer: 42,
                        invoking: None
                    })
                ),
                "{n}: {r:?}"
            ),
            // A quote cut inside the cookie: read, but it proves nothing.
            64..=71 => {
                assert!(
                    matches!(
                        r,
                        Ok(Icmp::ParamProblem {
                            invoking: Some(Invoking {
                                id: 0x5e5e,
                                seq: 7,
                                cookie,
                                ..
                            }),
                            ..
                        }) if cookie.as_slice().len() == n - 64
                    ),
                    "{n}: {r:?}"
                );
                assert!(!r.unwrap().matches(&PROBE_TAG), "{n}");
            }
            _ => assert!(parse(&full[..n]).unwrap().matches(&PROBE_TAG)),
        }
    }
}

#[test]
fn truncated_ndp() {
    for n in 0..24 {
        assert_eq!(parse(&CAP_NA_MULTICAST_NS[..n]), Err(Malformed::Truncated));
        assert_eq!(parse(&CAP_NS_FROM_A[..n]), Err(Malformed::Truncated));
    }
    for n in 4..16 {
        assert_eq!(parse(&CAP_RA[..n]), Err(Malformed::Truncated));
    }
    // Cut inside an option: the option runs past the end, or not even its header fits.
    assert_eq!(parse(&CAP_NA_MULTICAST_NS[..31]), Err(Malformed::Truncated));
    assert_eq!(parse(&CAP_NA_MULTICAST_NS[..25]), Err(Malformed::BadLength));
    assert_eq!(parse(&CAP_RA[..100]), Err(Malformed::Truncated));
    // Cut at option boundaries: fine, with what is left.
    assert!(matches!(
        parse(&CAP_RA[..48]),
        Ok(Icmp::RouterAdvert(ref a)) if a.prefixes.len() == 1 && a.mtu.is_none() && a.source_mac.is_none()
    ));
}

#[test]
fn echo_reply_lengths() {
    assert_eq!(parse(&CAP_ECHO_REPLY[..7]), Err(Malformed::Truncated));
    assert_eq!(
        parse(&CAP_ECHO_REPLY[..8]),
        Ok(Icmp::EchoReply {
            id: 0x199e,
            seq: 1,
            cookie: PayloadHead::default()
        })
    );
    assert_eq!(
        parse(&CAP_ECHO_REPLY[..15]),
        Ok(Icmp::EchoReply {
            id: 0x199e,
            seq: 1,
            cookie: PayloadHead::of(&CAP_ECHO_REPLY[8..15])
        })
    );
}

#[test]
fn zero_length_option_rejects_packet() {
    for sample in [&CAP_NA_MULTICAST_NS[..], &CAP_NS_FROM_B[..]] {
        let mut b = sample.to_vec();
        b[25] = 0;
        assert_eq!(parse(&b), Err(Malformed::BadOption));
    }
    let mut ra = CAP_RA.to_vec();
    ra[113] = 0; // the trailing SLLAO
    assert_eq!(parse(&ra), Err(Malformed::BadOption));
    // Even a zero-length option after valid ones, with nothing after it.
    let mut ns = CAP_NS_FROM_A.to_vec();
    ns.extend_from_slice(&[9, 0]);
    assert_eq!(parse(&ns), Err(Malformed::BadOption));
}

#[test]
fn long_option_running_past_end() {
    let mut ra = CAP_RA.to_vec();
    ra[17] = 255; // first prefix option claims 2040 bytes
    assert_eq!(parse(&ra), Err(Malformed::Truncated));
    let mut na = CAP_NA_MULTICAST_NS.to_vec();
    na[25] = 255;
    assert_eq!(parse(&na), Err(Malformed::Truncated));
    // A well-formed 2040-byte unknown option is walked over without trouble.
    let mut ns = CAP_NS_FROM_B.to_vec();
    ns.extend_from_slice(&[200, 255]);
    ns.resize(32 + 255 * 8, 0xee);
    assert_eq!(
        parse(&ns),
        Ok(Icmp::NeighbourSolicit {
            target: ip(A_LL),
            source_mac: Some(MAC_B)
        })
    );
}

#[test]
fn bad_prefix_options_are_skipped() {
    // Prefix length 200: the option is skipped, the other prefix stays.
    let mut ra = CAP_RA.to_vec();
    ra[18] = 200;
    match parse(&ra).unwrap() {
        Icmp::RouterAdvert(a) => {
            assert_eq!(a.prefixes.len(), 1);
            assert_eq!(a.prefixes[0].prefix, ip("fd00:1234:5678::"));
            assert_eq!(a.mtu, Some(1480));
        }
        other => panic!("{other:?}"),
    }
    // A prefix option of length 3 (24 bytes) is skipped too.
    let mut ra = CAP_RA[..16].to_vec();
    ra.extend_from_slice(&[3, 3, 64, 0xc0]);
    ra.resize(40, 0x11);
    ra.extend_from_slice(&CAP_RA[48..80]);
    match parse(&ra).unwrap() {
        Icmp::RouterAdvert(a) => {
            assert_eq!(a.prefixes.len(), 1);
            assert_eq!(a.prefixes[0].len, 48);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn prefix_bits_beyond_length_are_masked() {
    let mut ra = CAP_RA.to_vec();
    // fd00:1234:5678:ffff:… /48, and the first one as /0 and /128.
    for b in &mut ra[70..80] {
        *b = 0xff;
    }
    let prefixes = |ra: &[u8]| match parse(ra).unwrap() {
        Icmp::RouterAdvert(a) => a.prefixes,
        other => panic!("{other:?}"),
    };
    assert_eq!(prefixes(&ra)[1].prefix, ip("fd00:1234:5678::"));
    ra[18] = 0;
    assert_eq!(prefixes(&ra)[0].prefix, Ipv6Addr::UNSPECIFIED);
    ra[18] = 128;
    assert_eq!(prefixes(&ra)[0].prefix, ip("2001:db8:1::"));
    // 2001:db8:1:ff::ff01 as /61 keeps the top 5 bits of byte 7 only.
    ra[39] = 0xff;
    ra[46] = 0xff;
    ra[47] = 0x01;
    ra[18] = 61;
    assert_eq!(prefixes(&ra)[0].prefix, ip("2001:db8:1:f8::"));
    ra[18] = 127;
    assert_eq!(prefixes(&ra)[0].prefix, ip("2001:db8:1:ff::ff00"));
    ra[18] = 128;
    assert_eq!(prefixes(&ra)[0].prefix, ip("2001:db8:1:ff::ff01"));
    ra[18] = 129;
    assert_eq!(prefixes(&ra).len(), 1);
}

#[test]
fn link_layer_options_of_other_lengths_are_ignored() {
    let mut na = CAP_NA_UNICAST_NS.to_vec();
    na.extend_from_slice(&[2, 2, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0]);
    assert!(matches!(
        parse(&na),
        Ok(Icmp::NeighbourAdvert {
            target_mac: None,
            ..
        })
    ));
    // A later length-1 option is still found; a source option is not a target option.
    na.extend_from_slice(&[
        1, 1, 9, 9, 9, 9, 9, 9, 2, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    ]);
    assert!(matches!(
        parse(&na),
        Ok(Icmp::NeighbourAdvert {
            target_mac: Some(Mac([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])),
            ..
        })
    ));
}

#[test]
fn multicast_target_and_bad_code() {
    let mut na = CAP_NA_MULTICAST_NS.to_vec();
    na[8..24].copy_from_slice(&ip("ff02::1").octets());
    assert_eq!(parse(&na), Err(Malformed::MulticastTarget));
    let mut ns = CAP_NS_FROM_A.to_vec();
    ns[8..24].copy_from_slice(&ip("ff02::1:ff00:b").octets());
    assert_eq!(parse(&ns), Err(Malformed::MulticastTarget));
    for sample in [&CAP_NA_MULTICAST_NS[..], &CAP_NS_FROM_A[..], &CAP_RA[..]] {
        let mut b = sample.to_vec();
        b[1] = 1;
        assert_eq!(parse(&b), Err(Malformed::BadCode));
    }
}

#[test]
fn weird_quotes_give_no_invoking() {
    let base = CAP_PARAM_PROBLEM_LL.to_vec();
    let invoking = |b: &[u8]| match parse(b).unwrap() {
        Icmp::ParamProblem { invoking, .. } => invoking,
        other => panic!("{other:?}"),
    };
    // IPv4 in the quote.
    let mut b = base.clone();
    b[8] = 0x45;
    assert_eq!(invoking(&b), None);
    // Quoted next header UDP.
    let mut b = base.clone();
    b[8 + 6] = 17;
    assert_eq!(invoking(&b), None);
    // Dest opts header claiming 2048 bytes.
    let mut b = base.clone();
    b[8 + 40 + 1] = 255;
    assert_eq!(invoking(&b), None);
    // Quoted ICMPv6 is an echo reply, not a request.
    let mut b = base.clone();
    b[8 + 48] = 129;
    assert_eq!(invoking(&b), None);
    // A chain of more dest opts headers than we follow.
    let mut b = base[..48].to_vec();
    for _ in 0..MAX_EXTENSION_HEADERS {
        b.extend_from_slice(&[60, 0, 1, 4, 0, 0, 0, 0]);
    }
    b.extend_from_slice(&[58, 0, 1, 4, 0, 0, 0, 0]);
    b.extend_from_slice(&CAP_PROBE_ECHO);
    assert_eq!(invoking(&b), None);
    // Without any extension header the echo is still recognised.
    let mut b = base[..48].to_vec();
    b[8 + 6] = 58;
    b.extend_from_slice(&CAP_PROBE_ECHO);
    assert_eq!(invoking(&b).unwrap().id, 0x5e5e);
}

/// The text each [`Malformed`] must show. The match is exhaustive: a new variant does not
/// compile until it gets its text here (and then belongs in [`ALL_MALFORMED`]).
fn expected_text(m: Malformed) -> &'static str {
    match m {
        Malformed::Truncated => "truncated ICMPv6 message",
        Malformed::BadLength => "ICMPv6 message length is not a whole number of options",
        Malformed::BadOption => "NDP option with length 0",
        Malformed::BadCode => "NDP message with non-zero code",
        Malformed::MulticastTarget => "neighbour discovery target is multicast",
    }
}

const ALL_MALFORMED: [Malformed; 5] = [
    Malformed::Truncated,
    Malformed::BadLength,
    Malformed::BadOption,
    Malformed::BadCode,
    Malformed::MulticastTarget,
];

#[test]
fn malformed_displays() {
    // The reasons are shown in stats and logs: each must say which check failed, so two
    // variants sharing one text (a copy-paste slip) would hide a cause.
    let texts: Vec<String> = ALL_MALFORMED.iter().map(|m| m.to_string()).collect();
    for (m, t) in ALL_MALFORMED.iter().zip(&texts) {
        assert_eq!(t, expected_text(*m), "{m:?}");
    }
    for (i, t) in texts.iter().enumerate() {
        assert!(!texts[..i].contains(t), "{t:?} used twice");
    }
    // And each variant is what the parser actually returns for its case.
    assert_eq!(parse(&CAP_NA_MULTICAST_NS[..20]), Err(Malformed::Truncated));
    assert_eq!(parse(&CAP_NA_MULTICAST_NS[..25]), Err(Malformed::BadLength));
    let mut zero = CAP_NS_FROM_A.to_vec();
    zero[25] = 0;
    assert_eq!(parse(&zero), Err(Malformed::BadOption));
    let mut code = CAP_RA.to_vec();
    code[1] = 9;
    assert_eq!(parse(&code), Err(Malformed::BadCode));
    let mut multicast = CAP_NA_MULTICAST_NS.to_vec();
    multicast[8] = 0xff;
    assert_eq!(parse(&multicast), Err(Malformed::MulticastTarget));
}

#[test]
fn emit_error_displays() {
    let texts = [EmitError::BufferTooShort, EmitError::TooMany].map(|e| match e {
        EmitError::BufferTooShort | EmitError::TooMany => e.to_string(),
    });
    assert_eq!(
        texts,
        [
            "buffer too short for the ICMPv6 message",
            "too many items for the message's count field"
        ]
    );
}

// Random and mutated inputs: the fuzz targets in tests/fuzz.rs.

/// smoltcp 0.14's answer to our probe, captured from a lab host (tests/corpus/smoltcp):
/// code 1, pointer 40, the quote from a rebuilt IPv6 header on.
const CAP_SMOLTCP_PP: [u8; 72] =
    *include_bytes!("../../tests/corpus/smoltcp/param_problem_ll_echo-off.bin");

#[test]
fn smoltcp_parameter_problem_is_an_answer() {
    let tag = ProbeTag {
        id: 0x4719,
        cookie: [0x4c, 0x40, 0xba, 0xd8, 0x69, 0xee, 0xe6, 0xb1],
    };
    let got = parse(&CAP_SMOLTCP_PP).unwrap();
    assert_eq!(
        got,
        Icmp::ParamProblem {
            code: 1,
            pointer: 40,
            invoking: Some(Invoking {
                start: QuoteStart::Ipv6Header {
                    src: ip("fe80::5eff:fe10:1"),
                    dst: ip("ff02::1"),
                },
                icmp_type: TYPE_ECHO_REQUEST,
                id: 0x4719,
                seq: 0x8000,
                cookie: PayloadHead::full(tag.cookie),
            }),
        }
    );
    assert!(got.matches(&tag));
    let other = ProbeTag {
        cookie: [0; 8],
        ..tag
    };
    assert!(!got.matches(&other));
}

/// lwIP 2.1 (ESP32) builds its Parameter Problem after it has moved past the IPv6
/// header: code 2, pointer 42 counted from the header it no longer quotes, and 48 bytes
/// from the Destination Options header on — past our 24-byte payload, into whatever
/// followed in its buffer.
#[test]
fn lwip_parameter_problem_quoting_from_the_extension_header_is_an_answer() {
    let tag = PROBE_TAG;
    let mut pp = vec![TYPE_PARAM_PROBLEM, 2, 0xab, 0xcd, 0, 0, 0, 42];
    pp.extend_from_slice(&[58, 0, 0x80, 4, 0, 0, 0, 0]);
    pp.extend_from_slice(&echo_request(&tag, 0x8102));
    pp.extend_from_slice(&[0xee; 24]);
    assert_eq!(pp.len(), 8 + 48);
    let got = parse(&pp).unwrap();
    let Icmp::ParamProblem {
        code: 2,
        pointer: 42,
        invoking: Some(inv),
    } = &got
    else {
        panic!("{got:?}")
    };
    assert_eq!(inv.start, QuoteStart::ExtensionHeader);
    assert_eq!((inv.id, inv.seq), (tag.id, 0x8102));
    assert!(got.matches(&tag));
    // lwIP 2.1 with LWIP_ICMP6_DATASIZE 8 on a build that honours it: only the extension
    // header is quoted. Nothing of ours is inside: read, not an answer.
    assert!(!parse(&pp[..16]).unwrap().matches(&tag));
    // Our unknown-type probe quoted from the message itself.
    let mut pp = vec![TYPE_PARAM_PROBLEM, 2, 0, 0, 0, 0, 0, 42];
    pp.extend_from_slice(&unknown_type_probe(&tag, 0xc001));
    let got = parse(&pp).unwrap();
    assert!(got.matches(&tag), "{got:?}");
    assert!(matches!(
        got,
        Icmp::ParamProblem {
            invoking: Some(Invoking {
                start: QuoteStart::Message,
                icmp_type: TYPE_UNKNOWN_PROBE,
                ..
            }),
            ..
        }
    ));
}
