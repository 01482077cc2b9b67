//! Fuzz targets for every parser that reads bytes from the network, as property tests
//! (proptest, stable toolchain): ICMPv6 (`probe::packet::parse`), MLD reports
//! (`probe::packet::mld::parse_report`), Node Information replies (`probe::packet::nodeinfo::parse_reply`,
//! `parse_name_reply`),
//! mDNS/DNS answers (`names::dns::parse_response`), ARP replies (`ipv4::parse_arp_reply`),
//! what an MQTT hub receives (`mqtt::inbound::parse`), and the probe worker fed forged and
//! mangled packets.
//!
//! Every message also round-trips: whatever `parse` accepts emits back to the same value,
//! and random reprs emit to bytes that parse back to them.
//!
//! Each target gets random bytes and mutations of the seed corpus in `tests/corpus/` —
//! real packets captured from Linux hosts, radvd and avahi (`tests/corpus/README.md`).
//! The suite runs a short budget; a long run sets `PROPTEST_CASES`, e.g.
//! `PROPTEST_CASES=1000000 cargo test --release --test fuzz` (docs/development.md, "Fuzzing").
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use std::net::Ipv6Addr;
use std::time::Duration;
use v6scout::mac::Mac;
use v6scout::model::{Ipv6Prefix, Observation, SeenBy};
use v6scout::probe::packet::{
    self, Icmp, PayloadHead, ProbeTag, QuoteStart, TYPE_ECHO_REQUEST, TYPE_UNKNOWN_PROBE,
};
use v6scout::probe::packet::{mld, nodeinfo};
use v6scout::probe::sim::{SimHost, SimLink};
use v6scout::probe::worker::{self, WorkerConfig};
use v6scout::{ipv4, names::dns, router};

/// Real packets, by the parser that reads them.
const ICMPV6: &[&[u8]] = &[
    include_bytes!("corpus/icmpv6/echo_reply.bin"),
    include_bytes!("corpus/icmpv6/probe_echo.bin"),
    include_bytes!("corpus/icmpv6/param_problem_ll.bin"),
    include_bytes!("corpus/icmpv6/param_problem_global.bin"),
    include_bytes!("corpus/icmpv6/ns_from_a.bin"),
    include_bytes!("corpus/icmpv6/ns_from_b.bin"),
    include_bytes!("corpus/icmpv6/na_multicast_ns.bin"),
    include_bytes!("corpus/icmpv6/na_unicast_ns.bin"),
    include_bytes!("corpus/icmpv6/na_unicast_ns_global.bin"),
    include_bytes!("corpus/icmpv6/rs.bin"),
    include_bytes!("corpus/icmpv6/ra_radvd.bin"),
    include_bytes!("corpus/icmpv6/ra_all_options.bin"),
    include_bytes!("corpus/mld/mldv2_report.bin"),
];
const MLD: &[&[u8]] = &[include_bytes!("corpus/mld/mldv2_report.bin")];
const NODEINFO: &[&[u8]] = &[
    include_bytes!("corpus/nodeinfo/node_addresses_reply.bin"),
    include_bytes!("corpus/nodeinfo/node_name_reply.bin"),
];
const MDNS: &[&[u8]] = &[
    include_bytes!("corpus/mdns/avahi_ptr_answer.bin"),
    include_bytes!("corpus/mdns/host_aaaa_a_answer.bin"),
    include_bytes!("corpus/mdns/services_answer.bin"),
];
const ARP: &[&[u8]] = &[include_bytes!("corpus/arp/linux_reply.bin")];

/// `PROPTEST_CASES` when set (long runs), else `default` (the test suite's budget).
fn cases(default: u32) -> Config {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases: n,
        // Shrinking a failure is worth more than a fast red; but not forever.
        max_shrink_iters: 10_000,
        // Failures found are replayed first on every later run; commit the file.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz.proptest-regressions",
        ))),
        ..Config::default()
    }
}

/// One edit of a seed: overwrite, delete, insert, truncate, or set an NDP option length.
#[derive(Clone, Debug)]
enum Edit {
    Set(usize, u8),
    Delete(usize),
    Insert(usize, u8),
    Truncate(usize),
    OptionLength(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Set(p, b)),
        1 => any::<usize>().prop_map(Edit::Delete),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Insert(p, b)),
        1 => any::<usize>().prop_map(Edit::Truncate),
        2 => (any::<usize>(), 0u8..6).prop_map(|(p, b)| Edit::OptionLength(p, b)),
    ]
}

/// A seed of `corpus` with up to eight edits applied (positions taken modulo the length).
fn mutated(corpus: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<u8>> {
    (0..corpus.len(), prop::collection::vec(edit(), 0..8)).prop_map(move |(i, edits)| {
        let mut b = corpus[i].to_vec();
        for e in edits {
            let n = b.len().max(1);
            match e {
                Edit::Set(p, v) if !b.is_empty() => b[p % n] = v,
                Edit::Delete(p) if !b.is_empty() => {
                    b.remove(p % n);
                }
                Edit::Insert(p, v) => b.insert(p % (b.len() + 1), v),
                Edit::Truncate(p) => b.truncate(p % (b.len() + 1)),
                // NDP options start 8-aligned after the fixed part; the length is byte 1.
                Edit::OptionLength(p, v) => {
                    let at = (p % n) / 8 * 8 + 1;
                    if let Some(x) = b.get_mut(at) {
                        *x = v;
                    }
                }
                _ => {}
            }
        }
        b
    })
}

/// Random bytes, or a seed of `corpus` mangled.
fn input(corpus: &'static [&'static [u8]], max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..max),
        3 => mutated(corpus),
    ]
}

/// What any successful ICMPv6 parse must satisfy, whatever the bytes.
fn check_icmp(bytes: &[u8], msg: &Icmp) {
    match msg {
        Icmp::NeighbourAdvert { target, .. } | Icmp::NeighbourSolicit { target, .. } => {
            assert!(!target.is_multicast(), "multicast target accepted");
        }
        Icmp::RouterAdvert(a) => {
            assert!(a.prefixes.len() * 32 <= bytes.len().saturating_sub(16));
            let masked = |addr: Ipv6Addr, len: u8| {
                assert!(len <= 128);
                let host_bits =
                    u128::from(addr) & (u128::MAX.checked_shr(u32::from(len)).unwrap_or(0));
                assert_eq!(host_bits, 0, "bits beyond the prefix length kept");
            };
            a.prefixes.iter().for_each(|p| masked(p.prefix, p.len));
            a.routes.iter().for_each(|r| masked(r.prefix, r.len));
            a.pref64.iter().for_each(|p| masked(p.prefix, p.len));
            assert!(a.rdnss.iter().all(|r| !r.servers.is_empty()));
            for d in a.dnssl.iter().flat_map(|d| &d.domains) {
                assert!(d.len() <= 253 && !d.is_empty() && !d.starts_with('.'));
                assert!(d.split('.').all(|l| !l.is_empty() && l.len() <= 63));
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(cases(3000))]

    #[test]
    fn icmpv6_parse_is_total(bytes in input(ICMPV6, 300)) {
        if let Ok(msg) = packet::parse(&bytes) {
            check_icmp(&bytes, &msg);
            // Whatever parse accepts, emit writes back in a form parse reads the same.
            let again = msg.to_bytes();
            prop_assert_eq!(again.len(), msg.buffer_len());
            prop_assert_eq!(packet::parse(&again), Ok(msg.clone()));
            // Foreign bytes are never an answer to a probe of ours.
            let ours = ProbeTag { id: 0x0b5e, cookie: *b"fuzz-tag" };
            if matches!(msg, Icmp::EchoReply { .. } | Icmp::ParamProblem { .. }) {
                prop_assert!(!msg.matches(&ours) || bytes.windows(8).any(|w| w == b"fuzz-tag"));
            }
        }
    }

    #[test]
    fn mld_parse_is_total(bytes in input(MLD, 200)) {
        if let Ok(groups) = mld::parse_report(&bytes) {
            prop_assert!(groups.len() * 20 <= bytes.len().max(24));
        }
        if let Ok(report) = mld::Report::parse(&bytes) {
            let again = report.to_bytes().unwrap();
            prop_assert_eq!(mld::Report::parse(&again), Ok(report));
        }
    }

    #[test]
    fn nodeinfo_parse_is_total(bytes in input(NODEINFO, 200)) {
        if let Ok(r) = nodeinfo::parse_reply(&bytes) {
            prop_assert!(r.addresses.len() <= nodeinfo::MAX_ADDRESSES);
            prop_assert!(16 + 20 * r.addresses.len() <= bytes.len());
            let again = nodeinfo::node_addresses_reply(r.nonce, r.truncated, &r.addresses);
            if r.addresses.len() < nodeinfo::MAX_ADDRESSES {
                prop_assert_eq!(nodeinfo::parse_reply(&again), Ok(r));
            }
        }
    }

    #[test]
    fn nodeinfo_name_parse_is_total(bytes in input(NODEINFO, 200)) {
        if let Ok(r) = nodeinfo::parse_name_reply(&bytes) {
            prop_assert!(r.names.len() <= nodeinfo::MAX_NAMES);
            for n in &r.names {
                // Printable, no final dot, no empty label: what clean_name may take.
                prop_assert!(n.len() <= 253 && n.bytes().all(|b| b.is_ascii_graphic()));
                prop_assert!(n.split('.').all(|l| !l.is_empty() && l.len() <= 63), "{n:?}");
            }
            let names: Vec<&str> = r.names.iter().map(String::as_str).collect();
            let again = nodeinfo::node_name_reply(r.nonce, r.ttl, &names);
            if r.names.len() < nodeinfo::MAX_NAMES {
                prop_assert_eq!(nodeinfo::parse_name_reply(&again), Ok(r));
            }
        }
    }

    #[test]
    fn nodeinfo_name_reprs_round_trip(
        nonce in any::<[u8; 8]>(),
        ttl in any::<u32>(),
        names in prop::collection::vec("[a-z0-9_-]{1,63}(\\.[A-Za-z0-9-]{1,20}){0,4}", 0..=4),
    ) {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let r = nodeinfo::parse_name_reply(&nodeinfo::node_name_reply(nonce, ttl, &names));
        prop_assert_eq!(r, Ok(nodeinfo::NameReply {
            nonce,
            ttl,
            names: names.iter().map(|n| n.to_string()).collect(),
        }));
    }

    #[test]
    fn dns_parse_is_total(bytes in input(MDNS, 300)) {
        if let Some(r) = dns::parse_response(&bytes) {
            for (owner, target) in &r.ptrs {
                // Names are built from the message: they cannot outgrow it by much
                // (pointers reuse labels, but at most MAX_POINTERS times).
                prop_assert!(owner.len() <= 33 * bytes.len() && target.len() <= 33 * bytes.len());
            // Whatever the wire says, a name that reaches a terminal is plain ASCII.
            if let Some(n) = dns::clean_name(target) {
                prop_assert!(n.len() <= 253 && n.bytes().all(|b| b.is_ascii_graphic()));
            }
            // A service type that reaches the table is `_name._tcp|_udp`, nothing else.
            if let Some(t) = dns::service_type(target) {
                prop_assert!(t.len() <= 21 && t.starts_with('_'));
                prop_assert!(t.ends_with("._tcp") || t.ends_with("._udp"));
            }
            }
            // Each address record takes at least 11 bytes of the message.
            prop_assert!(11 * (r.v6.len() + r.v4.len()) <= bytes.len());

        }
    }

    #[test]
    fn arp_parse_is_total(bytes in input(ARP, 80)) {
        if let Some((ip, mac)) = ipv4::parse_arp_reply(&bytes) {
            prop_assert!(!mac.is_multicast() && !mac.is_zero());
            prop_assert!(!ip.is_unspecified() && !ip.is_broadcast() && !ip.is_multicast());
        }
    }
    #[test]
    fn hub_input_is_total(
        topic in hub_topic(),
        payload in input(MQTT_STATE, 2000),
    ) {
        use v6scout::mqtt::inbound::{self, Inbound};
        use v6scout::mqtt::topic::{self as mtopic, Named};
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        if let Ok(Inbound::Device { site, mac, state, .. }) = inbound::parse(&topic, &payload, now) {
            // Whatever a hub records is what its topic names, and prints as plain text.
            let Some(Named::Device { site: s, iface, mac: m }) = mtopic::parse(&topic) else {
                panic!("a device state on {topic:?}");
            };
            prop_assert_eq!((site, mac), (s, m));
            prop_assert_eq!(&state.interface, &iface);
            let sighting = state.sighting(mac);
            let texts = sighting.names.iter().chain(&sighting.vendor);
            for t in texts.chain(std::iter::once(&sighting.iface.name)) {
                prop_assert!(!t.chars().any(char::is_control), "{t:?}");
            }
        }
    }
}

/// A device state as a watch publishes it (the seed of the hub's input).
const MQTT_STATE: &[&[u8]] = &[br#"{"v":1,"site":"lab-a","interface":"eth0","mac":"b8:27:eb:5a:00:01","present":true,"vendor":"Raspberry Pi Foundation","private_mac":false,"router":false,"label":"kitchen-pi","names":["pi.local"],"addresses":[{"address":"fe80::ba27:ebff:fe5a:1","scoped":"fe80::ba27:ebff:fe5a:1%eth0","seen_by":["echo","ndp"]}],"ipv4":["192.0.2.7"],"last_seen":"2026-11-17T07:33:20.000Z"}"#];

/// The seed's own topic, other v6scout topics, and random ones.
fn hub_topic() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("v6scout/lab-a/eth0/b8:27:eb:5a:00:01".to_owned()),
        1 => Just("v6scout/lab-b/eth0/b8:27:eb:5a:00:01".to_owned()),
        1 => Just("v6scout/lab-a/status".to_owned()),
        1 => Just("v6scout/lab-a/events".to_owned()),
        1 => "v6scout/[a-z/%+#]{0,12}/[a-z0-9:]{0,20}",
        1 => ".{0,40}",
    ]
}

fn ipv6() -> impl Strategy<Value = Ipv6Addr> {
    any::<u128>().prop_map(Ipv6Addr::from)
}

fn unicast() -> impl Strategy<Value = Ipv6Addr> {
    ipv6().prop_filter("NDP targets are unicast", |a| !a.is_multicast())
}

fn mac() -> impl Strategy<Value = Option<Mac>> {
    prop::option::of(any::<[u8; 6]>().prop_map(Mac))
}

fn prefix() -> impl Strategy<Value = packet::PrefixInfo> {
    (masked_prefix(0u8..=128), any::<(bool, bool, u32, u32)>()).prop_map(
        |((prefix, len), (l, s, v, p))| packet::PrefixInfo {
            prefix,
            len,
            on_link: l,
            autonomous: s,
            valid_lifetime: v,
            preferred_lifetime: p,
        },
    )
}

/// Any message `parse` can return, built directly rather than from bytes.
fn icmp() -> impl Strategy<Value = Icmp> {
    let cookie = prop::collection::vec(any::<u8>(), 0..=8).prop_map(|b| PayloadHead::of(&b));
    let start = prop_oneof![
        (ipv6(), ipv6()).prop_map(|(src, dst)| QuoteStart::Ipv6Header { src, dst }),
        Just(QuoteStart::ExtensionHeader),
        Just(QuoteStart::Message),
    ];
    let probe_type = prop_oneof![Just(TYPE_ECHO_REQUEST), Just(TYPE_UNKNOWN_PROBE)];
    prop_oneof![
        (any::<(u16, u16)>(), cookie.clone()).prop_map(|((id, seq), cookie)| Icmp::EchoRequest {
            id,
            seq,
            cookie
        }),
        (any::<(u16, u16)>(), cookie.clone()).prop_map(|((id, seq), cookie)| Icmp::EchoReply {
            id,
            seq,
            cookie
        }),
        (
            any::<(u8, u32)>(),
            prop::option::of((start, probe_type, any::<(u16, u16)>(), cookie))
        )
            .prop_map(|((code, pointer), inv)| Icmp::ParamProblem {
                code,
                pointer,
                invoking: inv.map(|(start, icmp_type, (id, seq), cookie)| packet::Invoking {
                    start,
                    icmp_type,
                    id,
                    seq,
                    cookie
                }),
            }),
        (unicast(), mac())
            .prop_map(|(target, source_mac)| Icmp::NeighbourSolicit { target, source_mac }),
        (unicast(), any::<(bool, bool, bool)>(), mac()).prop_map(|(target, (r, s, o), m)| {
            Icmp::NeighbourAdvert {
                target,
                router: r,
                solicited: s,
                override_flag: o,
                target_mac: m,
            }
        }),
        mac().prop_map(|source_mac| Icmp::RouterSolicit { source_mac }),
        advert().prop_map(|a| Icmp::RouterAdvert(Box::new(a))),
    ]
}

fn preference() -> impl Strategy<Value = router::Preference> {
    prop_oneof![
        Just(router::Preference::Low),
        Just(router::Preference::Medium),
        Just(router::Preference::High),
    ]
}

/// `(prefix, len)` with the bits beyond `len` cleared, `len` from `lens`.
fn masked_prefix(lens: impl Strategy<Value = u8>) -> impl Strategy<Value = (Ipv6Addr, u8)> {
    (ipv6(), lens).prop_map(|(a, len)| (router::masked(a, len), len))
}

fn domain() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z0-9_-]{1,20}", 1..4).prop_map(|labels| labels.join("."))
}

/// Any Router Advertisement `parse` can return.
fn advert() -> impl Strategy<Value = router::Advert> {
    let route = (masked_prefix(0u8..=128), preference(), any::<u32>()).prop_map(
        |((prefix, len), preference, lifetime)| router::RouteInfo {
            prefix,
            len,
            preference,
            lifetime,
        },
    );
    let rdnss = (any::<u32>(), prop::collection::vec(ipv6(), 1..4))
        .prop_map(|(lifetime, servers)| router::Rdnss { lifetime, servers });
    let dnssl = (any::<u32>(), prop::collection::vec(domain(), 1..4))
        .prop_map(|(lifetime, domains)| router::Dnssl { lifetime, domains });
    let pref64 = (
        masked_prefix(prop::sample::select(vec![32u8, 40, 48, 56, 64, 96])),
        any::<u16>(),
    )
        .prop_map(|((prefix, len), l)| router::Pref64 {
            prefix,
            len,
            lifetime: l & !7,
        });
    (
        (
            any::<(u8, bool, bool, bool, bool, u16, u32, u32)>(),
            preference(),
        ),
        mac(),
        prop::option::of(any::<u32>()),
        prop::collection::vec(prefix(), 0..4),
        prop::collection::vec(route, 0..3),
        prop::collection::vec(rdnss, 0..2),
        prop::collection::vec(dnssl, 0..2),
        prop::collection::vec(pref64, 0..2),
    )
        .prop_map(
            |(
                ((hop, m, o, h, p, life, reach, retrans), pref),
                source_mac,
                mtu,
                prefixes,
                routes,
                rdnss,
                dnssl,
                pref64,
            )| {
                router::Advert {
                    cur_hop_limit: hop,
                    managed: m,
                    other: o,
                    home_agent: h,
                    preference: pref,
                    proxy: p,
                    router_lifetime: life,
                    reachable_time: reach,
                    retrans_timer: retrans,
                    source_mac,
                    mtu,
                    prefixes,
                    routes,
                    rdnss,
                    dnssl,
                    pref64,
                }
            },
        )
}

fn report() -> impl Strategy<Value = mld::Report> {
    let record = (
        any::<u8>(),
        ipv6(),
        prop::collection::vec(ipv6(), 0..3),
        prop::collection::vec(any::<[u8; 4]>(), 0..3),
    )
        .prop_map(|(record_type, group, sources, aux_data)| mld::Record {
            record_type,
            group,
            sources,
            aux_data,
        });
    prop_oneof![
        ipv6().prop_map(|group| mld::Report::V1 { group }),
        prop::collection::vec(record, 0..5).prop_map(|records| mld::Report::V2 { records }),
    ]
}

proptest! {
    #![proptest_config(cases(1000))]

    /// smoltcp's round trip on random reprs: emit then parse gives the repr back.
    #[test]
    fn emit_then_parse_is_identity(msg in icmp(), rep in report()) {
        let bytes = msg.to_bytes();
        prop_assert_eq!(bytes.len(), msg.buffer_len());
        prop_assert_eq!(packet::parse(&bytes), Ok(msg));
        let bytes = rep.to_bytes().unwrap();
        prop_assert_eq!(bytes.len(), rep.buffer_len());
        prop_assert_eq!(mld::Report::parse(&bytes), Ok(rep));
    }
}

const TAG: ProbeTag = ProbeTag {
    id: 0x7e57,
    cookie: *b"v6scout?",
};

fn real_hosts() -> Vec<SimHost> {
    (1..=4u8)
        .map(|i| SimHost {
            mac: Mac([0x2c, 0xcf, 0x67, 0, 0, i]),
            addrs: vec![Ipv6Addr::from(0xfe80u128 << 112 | 0x5000 | u128::from(i))],
            ignores_multicast_echo: i == 4,
            router_prefixes: None,
            quirks: Default::default(),
        })
        .collect()
}

/// A forged packet: source (link-local or global), hop limit (255 or other), bytes.
fn forgery() -> impl Strategy<Value = (Ipv6Addr, u8, Vec<u8>)> {
    (
        prop_oneof![
            (1u64..).prop_map(|i| Ipv6Addr::from(0xfe80u128 << 112 | u128::from(i))),
            any::<u128>().prop_map(Ipv6Addr::from),
        ],
        prop_oneof![Just(255u8), any::<u8>()],
        prop_oneof![3 => input(ICMPV6, 200), 1 => input(NODEINFO, 200)],
    )
}

proptest! {
    #![proptest_config(cases(150))]

    /// Forged and mangled packets on the link change nothing about the real hosts, and the
    /// only extra addresses are link-local senders of well-formed hop-limit-255 Router
    /// Advertisements (which, on the wire, are routers) — never a crash.
    #[test]
    fn worker_survives_forgeries(forged in prop::collection::vec(forgery(), 0..40)) {
        let hosts = real_hosts();
        let mut link = SimLink::new(hosts.clone());
        let mut routers = Vec::new();
        for (src, hop, bytes) in &forged {
            let ra = matches!(packet::parse(bytes), Ok(Icmp::RouterAdvert(_)));
            // Link-local is fe80::/10 (RFC 4291), not only fe80::/16.
            if ra && *hop == 255 && src.segments()[0] & 0xffc0 == 0xfe80 {
                routers.push(*src);
            }
            link.inject(*src, *hop, bytes.clone());
        }
        let cfg = WorkerConfig {
            ifindex: 2,
            mac: Some(Mac([2, 0, 0, 0x7e, 0x57, 1])),
            sources: vec!["fe80::100".parse().unwrap()],
            own: vec!["fe80::100".parse().unwrap()],
            // The window ends once the round is out and the link is quiet, so a loaded
            // machine (the suite runs targets in parallel) cannot cut the round short: a
            // host lost to scheduling would read as a host lost to a forgery. Its length is
            // only a ceiling.
            wait: Duration::from_secs(30),
            rounds: 1,
            tag: TAG,
            max_hosts: 4096,
            max_answers: 65_536,
            mld: false,
            node_name: true,
            prefixes: vec![Ipv6Prefix::new("fe80::".parse().unwrap(), 64)],
            recall: Vec::new(),
            early_end: true,
            stop: None,
            inbox: None,
        };
        let mut seen = Vec::new();
        let (stats, failed) = worker::run(&mut link, &cfg, &mut |o| seen.push(o));
        prop_assert!(failed.is_none());
        let macs = |addr: Ipv6Addr| -> Vec<Mac> {
            seen.iter().filter_map(|o| match o {
                Observation::Address { addr: a, mac: Some(m), .. } if *a == addr => Some(*m),
                _ => None,
            }).collect()
        };
        for h in &hosts {
            prop_assert!(macs(h.addrs[0]).contains(&h.mac), "{} lost", h.addrs[0]);
        }
        // A forgery can only add routers (from RAs) and hosts heard on their own (their
        // NS, RS, NA), each bounded to an eighth of --max-hosts.
        // Once heard, such an address is solicited like any other, so a forged answer to
        // that solicitation may follow: it adds nothing past the bound.
        let mut heard = std::collections::HashSet::new();
        for o in &seen {
            if let Observation::Address { addr, via, .. } = o {
                let real = hosts.iter().any(|h| h.addrs.contains(addr)) || routers.contains(addr);
                if !real && (*via == SeenBy::Heard || heard.contains(addr)) {
                    heard.insert(*addr);
                    continue;
                }
                prop_assert!(real, "forged address {addr} accepted via {via:?} (stats {stats:?})");
            }
        }
        prop_assert!(heard.len() <= 4096 / 8, "{} heard-only addresses", heard.len());
        prop_assert!(stats.replies >= hosts.len() as u64);
    }
}

/// The seed corpus is what the parsers expect: each seed parses as its kind, so the
/// mutations start from the accepting paths.
#[test]
fn seeds_parse() {
    for s in ICMPV6 {
        assert!(packet::parse(s).is_ok(), "{s:02x?}");
    }
    assert_eq!(mld::parse_report(MLD[0]).unwrap().len(), 3);
    assert_eq!(
        nodeinfo::parse_reply(NODEINFO[0]).unwrap().addresses.len(),
        4
    );
    assert_eq!(
        nodeinfo::parse_name_reply(NODEINFO[1]).unwrap().names,
        ["mac-mini.example", "printer"]
    );
    let r = dns::parse_response(MDNS[0]).unwrap();
    assert_eq!(r.ptrs.len(), 1);
    assert_eq!(r.ptrs[0].1, "corpus-pi.local");
    let r = dns::parse_response(MDNS[1]).unwrap();
    assert_eq!(
        (r.v6_of("pi-one.local").len(), r.v4_of("pi-one.local").len()),
        (3, 1)
    );
    let r = dns::parse_response(MDNS[2]).unwrap();
    let types: Vec<_> = r
        .ptr_targets(dns::SERVICES)
        .filter_map(dns::service_type)
        .collect();
    assert_eq!(types, ["_ssh._tcp", "_ipp._tcp"]);
    let (ip, mac) = ipv4::parse_arp_reply(ARP[0]).unwrap();
    assert_eq!(ip.to_string(), "192.0.2.2");
    assert_eq!(mac.to_string(), "b8:27:eb:ca:00:02");
}
