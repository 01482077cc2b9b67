//! Router Advertisements both ways on hand-written byte arrays (every option we read), and
//! each option's own validity rules.
#![allow(clippy::unwrap_used)]

use super::super::{parse, EmitError, Icmp, Malformed};
use crate::mac::Mac;
use crate::router::{Advert, Dnssl, Pref64, Preference, PrefixInfo, Rdnss, RouteInfo, INFINITE};
use std::net::Ipv6Addr;

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn both_ways(a: &Advert, bytes: &[u8]) {
    let repr = Icmp::RouterAdvert(Box::new(a.clone()));
    assert_eq!(repr.buffer_len(), bytes.len(), "{repr:?}");
    assert_eq!(repr.to_bytes(), bytes, "{repr:?}");
    assert_eq!(parse(bytes), Ok(repr.clone()));
    let mut short = vec![0; bytes.len() - 1];
    assert_eq!(repr.emit(&mut short), Err(EmitError::BufferTooShort));
}

/// The advertisement in `bytes`, or a panic.
fn advert(bytes: &[u8]) -> Advert {
    match parse(bytes) {
        Ok(Icmp::RouterAdvert(a)) => *a,
        other => panic!("{other:?}"),
    }
}

/// An RA head (lifetime 1800, no flags) followed by `opts`.
fn with_options(opts: &[u8]) -> Vec<u8> {
    let mut b = vec![134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0];
    b.extend_from_slice(opts);
    b
}

/// An RA with every option kind, and its bytes written out by hand.
fn full() -> (Advert, Vec<u8>) {
    let a = Advert {
        cur_hop_limit: 64,
        managed: true,
        other: true,
        home_agent: true,
        preference: Preference::High,
        proxy: true,
        router_lifetime: 1800,
        reachable_time: 30_000,
        retrans_timer: 1000,
        source_mac: Some(Mac([0x00, 0x24, 0xa5, 0x00, 0x00, 0x0c])),
        mtu: Some(1480),
        prefixes: vec![PrefixInfo {
            prefix: ip("2001:db8:1::"),
            len: 64,
            on_link: true,
            autonomous: true,
            valid_lifetime: 86400,
            preferred_lifetime: 14400,
        }],
        routes: vec![
            RouteInfo {
                prefix: Ipv6Addr::UNSPECIFIED,
                len: 0,
                preference: Preference::Low,
                lifetime: 600,
            },
            RouteInfo {
                prefix: ip("2001:db8:100::"),
                len: 48,
                preference: Preference::High,
                lifetime: INFINITE,
            },
            RouteInfo {
                prefix: ip("2001:db8:200:0:1::"),
                len: 80,
                preference: Preference::Medium,
                lifetime: 60,
            },
        ],
        rdnss: vec![Rdnss {
            lifetime: 1200,
            servers: vec![ip("2001:db8:1::53"), ip("fd00::53")],
        }],
        dnssl: vec![Dnssl {
            lifetime: 1200,
            domains: vec!["lab.example".into(), "example".into()],
        }],
        pref64: vec![Pref64 {
            prefix: ip("64:ff9b::"),
            len: 96,
            lifetime: 1800,
        }],
    };
    #[rustfmt::skip]
    let bytes = vec![
        // type, code, checksum; hop limit 64; M O H, preference 01 (high), P
        134, 0, 0, 0, 64, 0xe0 | 0x08 | 0x04, 0x07, 0x08,
        0, 0, 0x75, 0x30, 0, 0, 0x03, 0xe8,
        // source link-layer address
        1, 1, 0x00, 0x24, 0xa5, 0x00, 0x00, 0x0c,
        // MTU 1480
        5, 1, 0, 0, 0, 0, 0x05, 0xc8,
        // 2001:db8:1::/64, L and A, 86400 / 14400
        3, 4, 64, 0xc0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0,
        0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        // ::/0 low, 600 s: length 1, no prefix bytes
        24, 1, 0, 0x18, 0, 0, 0x02, 0x58,
        // 2001:db8:100::/48 high, forever: length 2
        24, 2, 48, 0x08, 0xff, 0xff, 0xff, 0xff,
        0x20, 0x01, 0x0d, 0xb8, 0x01, 0, 0, 0,
        // 2001:db8:200:0:1::/80 medium, 60 s: length 3
        24, 3, 80, 0, 0, 0, 0, 60,
        0x20, 0x01, 0x0d, 0xb8, 0x02, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
        // RDNSS, 1200 s, two servers
        25, 5, 0, 0, 0, 0, 0x04, 0xb0,
        0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
        0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
        // DNSSL, 1200 s: lab.example, example, padding to 32 bytes
        31, 4, 0, 0, 0, 0, 0x04, 0xb0,
        3, b'l', b'a', b'b', 7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0,
        7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0, 0, 0,
        // PREF64 64:ff9b::/96 (code 0), 1800 s = 225 × 8
        38, 2, 0x07, 0x08, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    (a, bytes)
}

#[test]
fn every_option_both_ways() {
    let (a, bytes) = full();
    both_ways(&a, &bytes);
    // The fuzz targets' seed is these bytes.
    assert_eq!(
        bytes,
        include_bytes!("../../../tests/corpus/icmpv6/ra_all_options.bin")
    );
    // No options at all.
    both_ways(
        &Advert::default(),
        &[134, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
}

#[test]
fn options_read_in_any_order() {
    let (want, bytes) = full();
    // PREF64 first, the source address last: same meaning.
    let mut moved = bytes[..16].to_vec();
    moved.extend_from_slice(&bytes[bytes.len() - 16..]);
    moved.extend_from_slice(&bytes[24..bytes.len() - 16]);
    moved.extend_from_slice(&bytes[16..24]);
    assert_eq!(advert(&moved), want);
}

#[test]
fn reserved_preference_reads_as_medium() {
    let mut b = with_options(&[]);
    b[5] = 0x10;
    assert_eq!(advert(&b).preference, Preference::Medium);
    // A route with the reserved preference too.
    let b = with_options(&[24, 1, 0, 0x10, 0, 0, 0, 1]);
    assert_eq!(advert(&b).routes[0].preference, Preference::Medium);
}

#[test]
fn route_information_too_short_for_its_prefix_is_skipped() {
    // /64 needs length 2; /65 needs length 3; length 4 is never valid.
    for opt in [
        &[24u8, 1, 64, 0, 0, 0, 0, 1][..],
        &[24, 2, 65, 0, 0, 0, 0, 1, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0],
        &[24, 2, 200, 0, 0, 0, 0, 1, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0],
    ] {
        assert_eq!(advert(&with_options(opt)).routes, vec![], "{opt:?}");
    }
    let mut long = vec![24, 4, 0, 0, 0, 0, 0, 1];
    long.resize(32, 0);
    assert_eq!(advert(&with_options(&long)).routes, vec![]);
    // A longer form than needed is fine, and bits past the length are cleared.
    let b = with_options(&[
        24, 3, 16, 0, 0, 0, 0, 1, 0x20, 1, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    assert_eq!(advert(&b).routes[0].prefix, ip("2001::"));
}

#[test]
fn rdnss_needs_an_odd_length_of_three_or_more() {
    let mut even = vec![25, 2, 0, 0, 0, 0, 0, 1];
    even.resize(16, 0);
    assert_eq!(advert(&with_options(&even)).rdnss, vec![]);
    let short = [25, 1, 0, 0, 0, 0, 0, 1];
    assert_eq!(advert(&with_options(&short)).rdnss, vec![]);
}

#[test]
fn bad_search_lists_are_skipped() {
    let head = [31u8, 2, 0, 0, 0, 0, 0, 9];
    let cases: [&[u8]; 5] = [
        // A label running past the option.
        &[20, b'a', b'b', 0, 0, 0, 0, 0],
        // A name not closed by the root label.
        &[7, b'e', b'x', b'a', b'm', b'p', b'l', b'e'],
        // A byte an admin could not be shown faithfully.
        &[3, b'a', b'.', b'b', 0, 0, 0, 0],
        // Only padding.
        &[0; 8],
        // Something after the padding.
        &[1, b'a', 0, 0, 5, 0, 0, 0],
    ];
    for body in cases {
        let mut opt = head.to_vec();
        opt.extend_from_slice(body);
        assert_eq!(advert(&with_options(&opt)).dnssl, vec![], "{body:?}");
    }
    // Length 1 cannot hold a name.
    let mut one = head.to_vec();
    one[1] = 1;
    assert_eq!(advert(&with_options(&one)).dnssl, vec![]);
    let mut ok = head.to_vec();
    ok.extend_from_slice(&[1, b'a', 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        advert(&with_options(&ok)).dnssl[0].domains,
        vec!["a".to_string()]
    );
}

#[test]
fn pref64_lengths_by_code() {
    for (code, len) in [(0u8, 96u8), (1, 64), (2, 56), (3, 48), (4, 40), (5, 32)] {
        let b = with_options(&[
            38, 2, 0, code, 0x20, 1, 0xd, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ]);
        let p = advert(&b).pref64[0];
        assert_eq!(p.len, len);
        assert_eq!(
            p,
            Pref64 {
                prefix: crate::router::masked(p.prefix, len),
                ..p
            }
        );
    }
    for code in 6..8 {
        let b = with_options(&[38, 2, 0, code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(advert(&b).pref64, vec![]);
    }
    // Length 1 is not a PREF64 option.
    assert_eq!(
        advert(&with_options(&[38, 1, 0, 0, 0, 0, 0, 0])).pref64,
        vec![]
    );
}

#[test]
fn an_overrunning_option_still_rejects_the_message() {
    assert_eq!(
        parse(&with_options(&[25, 3, 0, 0, 0, 0, 0, 1])),
        Err(Malformed::Truncated)
    );
    assert_eq!(parse(&with_options(&[31, 0])), Err(Malformed::BadOption));
}
