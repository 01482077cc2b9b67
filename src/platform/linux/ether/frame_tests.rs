use super::*;
use crate::probe::packet::{self, mld, ProbeTag};

// Captures from tests/corpus (described in src/probe/packet_tests.rs): the lab's scanner
// `a` (02:00:00:aa:00:01, fe80::ff:feaa:1) and host `b` (b8:27:eb:00:00:0b,
// fe80::ba27:ebff:fe00:b). Checksums are the kernel's.

/// b's Parameter Problem for our probe: it quotes the whole probe as the kernel sent it
/// from a raw socket (IPv6 header, Destination Options with Next Header 58, the echo).
const CAP_PARAM_PROBLEM_LL: [u8; 72] =
    *include_bytes!("../../../../tests/corpus/icmpv6/param_problem_ll.bin");
/// The kernel's NS from a, fe80::ff:feaa:1 -> ff02::1:ff00:b, for b.
const CAP_NS_FROM_A: [u8; 32] = *include_bytes!("../../../../tests/corpus/icmpv6/ns_from_a.bin");
/// A Router Solicitation from fe80::ff:feaa:2 to ff02::2, SLLAO 02:00:00:aa:00:02.
const CAP_RS: [u8; 16] = *include_bytes!("../../../../tests/corpus/icmpv6/rs.bin");
/// b's NA answering a multicast NS: b -> a, S and O flags, TLLAO.
const CAP_NA_MULTICAST_NS: [u8; 32] =
    *include_bytes!("../../../../tests/corpus/icmpv6/na_multicast_ns.bin");
/// radvd's RA, fe80::224:a5ff:fe00:c -> fe80::ff:feaa:2.
const CAP_RA: [u8; 120] = *include_bytes!("../../../../tests/corpus/icmpv6/ra_radvd.bin");

const MAC_A: Mac = Mac([0x02, 0x00, 0x00, 0xaa, 0x00, 0x01]);
const MAC_B: Mac = Mac([0xb8, 0x27, 0xeb, 0x00, 0x00, 0x0b]);
const TAG: ProbeTag = ProbeTag {
    id: 0x5e5e,
    cookie: [0xc0, 0xff, 0xee, 0x01, 0x23, 0x45, 0x67, 0x89],
};

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn a_ll() -> Ipv6Addr {
    ip("fe80::ff:feaa:1")
}

fn b_ll() -> Ipv6Addr {
    ip("fe80::ba27:ebff:fe00:b")
}

/// A second checksum, written differently from the one under test (32-bit pairs summed
/// over the whole pseudo-header laid out as bytes, folded once at the end).
fn reference_checksum(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> u16 {
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&src.octets());
    pseudo.extend_from_slice(&dst.octets());
    pseudo.extend_from_slice(&(msg.len() as u32).to_be_bytes());
    pseudo.extend_from_slice(&[0, 0, 0, 58]);
    pseudo.extend_from_slice(msg);
    if pseudo.len() % 2 == 1 {
        pseudo.push(0);
    }
    let mut acc: u32 = 0;
    for i in (0..pseudo.len()).step_by(2) {
        acc = acc.wrapping_add((u32::from(pseudo[i]) << 8) | u32::from(pseudo[i + 1]));
    }
    let folded = (acc & 0xffff) + (acc >> 16);
    let folded = (folded & 0xffff) + (folded >> 16);
    !(folded as u16)
}

fn out(o: &Outgoing<'_>) -> Vec<u8> {
    let mut f = Vec::new();
    build(o, &mut f).unwrap();
    f
}

fn plain(eth: (Mac, Mac), src: Ipv6Addr, dst: Ipv6Addr, message: &[u8]) -> Outgoing<'_> {
    Outgoing {
        eth,
        src,
        dst,
        hop_limit: 255,
        hop_opts: None,
        dest_opts: None,
        message,
    }
}

#[test]
fn multicast_macs_carry_the_groups_low_32_bits() {
    assert_eq!(
        multicast_mac(ip("ff02::1:ff00:b")),
        Mac([0x33, 0x33, 0xff, 0, 0, 0x0b])
    );
    assert_eq!(multicast_mac(ip("ff02::1")), Mac([0x33, 0x33, 0, 0, 0, 1]));
    assert_eq!(
        multicast_mac(ip("ff02::16")),
        Mac([0x33, 0x33, 0, 0, 0, 0x16])
    );
}

#[test]
fn checksums_agree_with_the_kernels_and_a_second_implementation() {
    for (msg, src, dst) in [
        (&CAP_NS_FROM_A[..], a_ll(), ip("ff02::1:ff00:b")),
        (&CAP_RS[..], ip("fe80::ff:feaa:2"), ip("ff02::2")),
        (&CAP_NA_MULTICAST_NS[..], b_ll(), a_ll()),
        (
            &CAP_RA[..],
            ip("fe80::224:a5ff:fe00:c"),
            ip("fe80::ff:feaa:2"),
        ),
        (&CAP_PARAM_PROBLEM_LL[..], b_ll(), a_ll()),
    ] {
        assert_eq!(checksum(src, dst, msg), 0, "a valid capture sums to 0");
        assert_eq!(reference_checksum(src, dst, msg), 0);
        let mut zeroed = msg.to_vec();
        zeroed[2..4].fill(0);
        let want = u16::from_be_bytes([msg[2], msg[3]]);
        assert_eq!(checksum(src, dst, &zeroed), want);
        assert_eq!(reference_checksum(src, dst, &zeroed), want);
    }
    // An odd length pads with a zero byte.
    let odd = [0x80, 0, 0, 0, 1, 2, 3];
    assert_eq!(
        checksum(a_ll(), b_ll(), &odd),
        reference_checksum(a_ll(), b_ll(), &odd)
    );
}

#[test]
fn a_neighbour_solicitation_frame_is_what_the_kernel_sends() {
    let dst = ip("ff02::1:ff00:b");
    let ns = packet::neighbour_solicitation(b_ll(), MAC_A);
    let f = out(&plain((multicast_mac(dst), MAC_A), a_ll(), dst, &ns));
    let mut want = vec![
        0x33, 0x33, 0xff, 0, 0, 0x0b, 2, 0, 0, 0xaa, 0, 1, 0x86, 0xdd,
    ];
    want.extend_from_slice(&[0x60, 0, 0, 0, 0, 32, 58, 255]);
    want.extend_from_slice(&a_ll().octets());
    want.extend_from_slice(&dst.octets());
    want.extend_from_slice(&CAP_NS_FROM_A);
    assert_eq!(f, want);
}

#[test]
fn a_router_solicitation_frame_carries_the_kernels_checksum() {
    let src = ip("fe80::ff:feaa:2");
    let mac = Mac([2, 0, 0, 0xaa, 0, 2]);
    let rs = packet::router_solicitation(Some(mac));
    let f = out(&plain(
        (multicast_mac(ALL_ROUTERS), mac),
        src,
        ALL_ROUTERS,
        &rs,
    ));
    assert_eq!(&f[54..], &CAP_RS[..]);
    assert_eq!(f[20], 58);
}

#[test]
fn the_destination_options_probe_is_the_packet_the_kernel_sent() {
    let echo = packet::echo_request(&TAG, 7);
    let opts = packet::unknown_option_dest_opts();
    let f = out(&Outgoing {
        dest_opts: Some(&opts),
        ..plain((multicast_mac(ALL_NODES), MAC_A), a_ll(), ALL_NODES, &echo)
    });
    // b quoted the kernel's packet whole: the IPv6 header (flow label aside), the
    // Destination Options header with Next Header 58, the echo with its checksum.
    let mut quoted = CAP_PARAM_PROBLEM_LL[8..].to_vec();
    quoted[1] &= 0xf0;
    quoted[2..4].fill(0);
    assert_eq!(&f[14..], &quoted[..]);
    assert_eq!(reference_checksum(a_ll(), ALL_NODES, &f[62..]), 0);
}

#[test]
fn hop_by_hop_then_destination_options_chain_to_icmpv6() {
    let query = mld::general_query(std::time::Duration::from_millis(500));
    let alert = mld::router_alert_hop_by_hop();
    let opts = packet::unknown_option_dest_opts();
    let only_alert = out(&Outgoing {
        hop_limit: 1,
        hop_opts: Some(&alert),
        ..plain((multicast_mac(ALL_NODES), MAC_A), a_ll(), ALL_NODES, &query)
    });
    assert_eq!((only_alert[20], only_alert[21]), (0, 1));
    assert_eq!(only_alert[54], 58);
    assert_eq!(&only_alert[55..62], &alert[1..]);
    let payload = u16::from_be_bytes([only_alert[18], only_alert[19]]);
    assert_eq!(usize::from(payload), 8 + query.len());
    assert_eq!(reference_checksum(a_ll(), ALL_NODES, &only_alert[62..]), 0);

    let both = out(&Outgoing {
        hop_opts: Some(&alert),
        dest_opts: Some(&opts),
        ..plain((multicast_mac(ALL_NODES), MAC_A), a_ll(), ALL_NODES, &query)
    });
    assert_eq!((both[20], both[54], both[62]), (0, 60, 58));
    assert_eq!(reference_checksum(a_ll(), ALL_NODES, &both[70..]), 0);
    let back = parse(&both).unwrap();
    assert_eq!(back.message, &both[70..]);
}

#[test]
fn malformed_extension_headers_are_refused() {
    let echo = packet::echo_request(&TAG, 1);
    let mut f = Vec::new();
    for bad in [&[0u8, 0, 1, 2][..], &[0, 1, 0x80, 4, 0, 0, 0, 0][..]] {
        let o = Outgoing {
            dest_opts: Some(bad),
            ..plain((MAC_B, MAC_A), a_ll(), b_ll(), &echo)
        };
        assert_eq!(build(&o, &mut f), Err(BuildError::BadExtensionHeader));
    }
    let o = plain((MAC_B, MAC_A), a_ll(), b_ll(), &[128, 0]);
    assert_eq!(build(&o, &mut f), Err(BuildError::BadLength));
}

fn received(msg: &[u8], src: Ipv6Addr, dst: Ipv6Addr, hops: u8) -> Vec<u8> {
    out(&Outgoing {
        hop_limit: hops,
        ..plain((MAC_A, MAC_B), src, dst, msg)
    })
}

#[test]
fn a_received_frame_gives_its_message_source_hop_limit_and_mac() {
    let f = received(&CAP_NA_MULTICAST_NS, b_ll(), a_ll(), 255);
    let got = parse(&f).unwrap();
    assert_eq!(
        got,
        Incoming {
            src_mac: MAC_B,
            src: b_ll(),
            dst: a_ll(),
            hop_limit: 255,
            message: &CAP_NA_MULTICAST_NS,
        }
    );
    // Ethernet pads short frames; the payload length says where the message ends.
    let short = received(&CAP_RS, ip("fe80::ff:feaa:2"), ALL_ROUTERS, 255);
    let mut padded = short.clone();
    padded.resize(short.len() + 10, 0xee);
    assert_eq!(parse(&padded).unwrap().message, &CAP_RS[..]);
}

#[test]
fn bad_checksums_truncation_and_other_protocols_are_dropped() {
    let f = received(&CAP_RA, ip("fe80::224:a5ff:fe00:c"), ALL_NODES, 255);
    let mut bad = f.clone();
    bad[56] ^= 0x5a;
    assert_eq!(parse(&bad), Err(Dropped::BadChecksum));
    // The checksum covers the pseudo-header: another source makes it wrong too.
    let mut moved = f.clone();
    moved[30] ^= 1;
    assert_eq!(parse(&moved), Err(Dropped::BadChecksum));
    // Cut by a snap length, or a payload length past the frame.
    assert_eq!(parse(&f[..f.len() - 1]), Err(Dropped::Truncated));
    assert_eq!(parse(&f[..30]), Err(Dropped::Truncated));
    let mut ipv4 = f.clone();
    ipv4[12..14].copy_from_slice(&[8, 0]);
    assert_eq!(parse(&ipv4), Err(Dropped::NotIpv6));
    let mut udp = f.clone();
    udp[20] = 17;
    assert_eq!(parse(&udp), Err(Dropped::NotIcmp));
    let mut fragment = f.clone();
    fragment[20] = 44; // a fragment header
    assert_eq!(parse(&fragment), Err(Dropped::NotIcmp));
    // A chain of nine Destination Options headers is given up on.
    let mut chain = f[..54].to_vec();
    chain[20] = 60;
    for i in 0..9 {
        chain.extend_from_slice(&[if i == 8 { 58 } else { 60 }, 0, 1, 4, 0, 0, 0, 0]);
    }
    chain.extend_from_slice(&CAP_RA);
    let len = (chain.len() - 54) as u16;
    chain[18..20].copy_from_slice(&len.to_be_bytes());
    assert_eq!(parse(&chain), Err(Dropped::NotIcmp));
}

#[test]
fn destinations_are_ours_our_groups_and_solicited_nodes() {
    let global = ip("2001:db8:5::1");
    let d = Destinations::new(&[a_ll(), global], false);
    for yes in [
        a_ll(),
        global,
        ALL_NODES,
        ALL_ROUTERS,
        ip("ff02::1:ffaa:1"),
        ip("ff02::1:ff00:1"),
    ] {
        assert!(d.accepts(yes), "{yes}");
    }
    for no in [
        b_ll(),
        ip("ff02::16"),
        ip("ff02::fb"),
        ip("ff02::1:ff00:b"),
        ip("2001:db8:5::2"),
    ] {
        assert!(!d.accepts(no), "{no}");
    }
    assert!(Destinations::new(&[a_ll()], true).accepts(ip("ff02::16")));
    // A whole frame: to us and of a wanted type, or dropped.
    let f = received(&CAP_NA_MULTICAST_NS, b_ll(), a_ll(), 255);
    assert!(receive(&f, &d, &[136]).is_ok());
    assert_eq!(receive(&f, &d, &[129]), Err(Dropped::NotOurs));
    let elsewhere = received(&CAP_NA_MULTICAST_NS, b_ll(), ip("fe80::77"), 255);
    assert_eq!(receive(&elsewhere, &d, &[136]), Err(Dropped::NotOurs));
}

#[test]
fn solicitations_for_our_addresses_are_answered_to_the_solicitor() {
    let ours = Destinations::new(&[a_ll()], false);
    let ns = packet::neighbour_solicitation(a_ll(), MAC_B);
    let f = received(&ns, b_ll(), ip("ff02::1:ffaa:1"), 255);
    let got = parse(&f).unwrap();
    assert_eq!(na_for(&got, &ours), Some((b_ll(), MAC_B, a_ll())));
    // Off-link (hop limit below 255), for another address, duplicate address detection.
    let f = received(&ns, b_ll(), ip("ff02::1:ffaa:1"), 64);
    assert_eq!(na_for(&parse(&f).unwrap(), &ours), None);
    let other = packet::neighbour_solicitation(ip("fe80::99"), MAC_B);
    let f = received(&other, b_ll(), ip("ff02::1:ff00:99"), 255);
    assert_eq!(na_for(&parse(&f).unwrap(), &ours), None);
    let dad = crate::probe::packet::Icmp::NeighbourSolicit {
        target: a_ll(),
        source_mac: None,
    }
    .to_bytes();
    let f = received(&dad, Ipv6Addr::UNSPECIFIED, ip("ff02::1:ffaa:1"), 255);
    assert_eq!(na_for(&parse(&f).unwrap(), &ours), None);
    // Without a source link-layer option, the frame's source MAC.
    let bare = crate::probe::packet::Icmp::NeighbourSolicit {
        target: a_ll(),
        source_mac: None,
    }
    .to_bytes();
    let f = received(&bare, b_ll(), a_ll(), 255);
    assert_eq!(
        na_for(&parse(&f).unwrap(), &ours),
        Some((b_ll(), MAC_B, a_ll()))
    );
}

#[test]
fn the_mac_table_keeps_recent_sources_within_its_bound() {
    let mut t = MacTable::new(1000);
    for i in 0..10_000u32 {
        let mac = Mac([2, 0, 0, 0, (i >> 8) as u8, i as u8]);
        t.learn(Ipv6Addr::from(0xfe80u128 << 112 | u128::from(i)), mac);
        assert!(t.len() <= 1000);
    }
    let last = Ipv6Addr::from(0xfe80u128 << 112 | 9_999);
    assert_eq!(t.get(last), Some(Mac([2, 0, 0, 0, 0x27, 0x0f])));
    assert_eq!(t.get(Ipv6Addr::from(0xfe80u128 << 112)), None, "forgotten");
    // A known address is updated in place, not counted twice.
    let mut t = MacTable::new(4);
    t.learn(a_ll(), MAC_A);
    t.learn(a_ll(), MAC_B);
    assert_eq!((t.get(a_ll()), t.len()), (Some(MAC_B), 1));
}

#[test]
fn unresolved_frames_wait_for_their_mac_within_bounds() {
    let t0 = std::time::Instant::now();
    let mut p = Pending::new(2, std::time::Duration::from_secs(1));
    let frame = |b: u8| vec![0, 0, 0, 0, 0, 0, b];
    assert_eq!(p.push(b_ll(), frame(1), t0), Queued::Resolve);
    assert_eq!(p.push(b_ll(), frame(2), t0), Queued::Waiting);
    assert_eq!(p.push(a_ll(), frame(3), t0), Queued::Resolve);
    assert_eq!(
        p.push(ip("fe80::3"), frame(4), t0),
        Queued::Full,
        "two destinations"
    );
    for b in 5..7 {
        assert_eq!(p.push(b_ll(), frame(b), t0), Queued::Waiting);
    }
    assert_eq!(
        p.push(b_ll(), frame(9), t0),
        Queued::Full,
        "four frames each"
    );
    // The answer fills in the MAC, in order; a second answer finds nothing.
    let ready = p.resolved(b_ll(), MAC_B);
    assert_eq!(ready.len(), 4);
    assert!(ready.iter().all(|f| f[..6] == MAC_B.0));
    assert_eq!(ready.iter().map(|f| f[6]).collect::<Vec<_>>(), [1, 2, 5, 6]);
    assert!(p.resolved(b_ll(), MAC_B).is_empty());
    // What waited past the timeout is forgotten, and makes room.
    let later = t0 + std::time::Duration::from_secs(2);
    assert_eq!(p.push(ip("fe80::3"), frame(4), later), Queued::Resolve);
    assert!(p.resolved(a_ll(), MAC_A).is_empty());
}
