//! The farm's forger (`--forge RATE`): beside the honest hosts, forged neighbour discovery
//! and forged answers at the scanner, RATE frames a second, from the scanner's first echo
//! request until the run ends. Every forged frame goes to the scanner's MAC (learned from
//! that echo request), never to a multicast MAC: the kernel's neighbour table is one for
//! the whole machine, and a flood must reach no other namespace. Pure: frames come in as
//! bytes with a time, and go out through a [`Sink`].
//!
//! Forged MACs are `02:f0:KIND:…` and forged addresses have the interface ID
//! `f0:KIND:…` ([`super::hosts::FORGED_MAC_PREFIX`], [`super::hosts::FORGED_IID_MARK`]),
//! so a test tells them from the hosts; `KIND` is [`Kind::tag`].

use std::net::Ipv6Addr;

use super::hosts::{is_link_local, Rng, FORGED_IID_MARK, FORGED_MAC_PREFIX};
use super::react::Sink;
use super::wire::{self, Head, Msg, ETH_LEN, IP6_LEN};

/// Distinct sources of forged Router Advertisements, and of forged Neighbour
/// Solicitations: the scanner's kernel keeps a neighbour entry for each (machine-wide),
/// so they come from a pool far above a scanner's bound but far below the table's.
pub const POOL: u64 = 64;
/// The most frames sent at once after a stall, in milliseconds of the rate: what a
/// longer stall owes is skipped (and counted), not sent as one burst.
const CATCH_UP_MS: u64 = 10;
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const TYPE_ROUTER_ADVERT: u8 = 134;

/// What a forged frame is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An unsolicited Router Advertisement (hop limit 255, router lifetime 1800 s) from
    /// one of [`POOL`] link-local sources.
    RouterAdvert,
    /// An unsolicited Neighbour Advertisement (override) of a random address.
    NeighbourAdvert,
    /// The same with the Router flag.
    RouterNeighbourAdvert,
    /// A Neighbour Solicitation for the scanner's link-local address from one of
    /// [`POOL`] sources.
    NeighbourSolicit,
    /// An Echo Reply to the scanner's latest echo request with its cookie changed.
    EchoReply,
    /// A Parameter Problem quoting the scanner's latest echo request with its cookie
    /// changed.
    ParamProblem,
    /// A Router Advertisement with a wrong ICMPv6 checksum.
    BadChecksumAdvert,
    /// A Neighbour Advertisement with a wrong ICMPv6 checksum.
    BadChecksumNeighbour,
}

/// One round of forgeries, in order; the rate walks through it again and again.
const ROUND: [Kind; 16] = [
    Kind::RouterAdvert,
    Kind::NeighbourAdvert,
    Kind::NeighbourSolicit,
    Kind::EchoReply,
    Kind::RouterAdvert,
    Kind::RouterNeighbourAdvert,
    Kind::NeighbourSolicit,
    Kind::ParamProblem,
    Kind::RouterAdvert,
    Kind::NeighbourAdvert,
    Kind::NeighbourSolicit,
    Kind::EchoReply,
    Kind::RouterNeighbourAdvert,
    Kind::ParamProblem,
    Kind::BadChecksumAdvert,
    Kind::BadChecksumNeighbour,
];

impl Kind {
    /// The third byte of its MAC and the sixth 16-bit group of its address.
    pub fn tag(self) -> u16 {
        match self {
            Kind::RouterAdvert => 1,
            Kind::NeighbourAdvert | Kind::RouterNeighbourAdvert => 2,
            Kind::NeighbourSolicit => 3,
            Kind::EchoReply => 4,
            Kind::ParamProblem => 5,
            Kind::BadChecksumAdvert | Kind::BadChecksumNeighbour => 0x0bad,
        }
    }
}

/// What the forger sent, by kind (in the farm's stats file).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ForgeStats {
    /// Router Advertisements.
    pub forged_ra: u64,
    /// Neighbour Advertisements, Router flag or not.
    pub forged_na: u64,
    /// Of those, with the Router flag.
    pub forged_na_router: u64,
    /// Neighbour Solicitations.
    pub forged_ns: u64,
    /// Echo Replies with a wrong cookie.
    pub forged_echo: u64,
    /// Parameter Problems with a wrong cookie.
    pub forged_param_problem: u64,
    /// Frames with a wrong ICMPv6 checksum.
    pub forged_bad_checksum: u64,
    /// Frames the rate owed after a stall and skipped.
    pub forge_skipped: u64,
}

/// Whom the forgeries go to: the scanner, as its echo requests show it.
#[derive(Clone, Copy, Debug)]
struct Scanner {
    mac: [u8; 6],
    link_local: Ipv6Addr,
    /// When forging started, in the caller's nanoseconds.
    since: u64,
}

/// The forger: the scanner once known, its latest echo request, and the pace.
pub struct Forger {
    rate: u64,
    rng: Rng,
    scanner: Option<Scanner>,
    /// The scanner's latest plain echo request, from its IPv6 header on.
    probe: Vec<u8>,
    /// Frames due since `since` so far (sent or skipped).
    done: u64,
    /// The counters.
    pub stats: ForgeStats,
}

/// An address in the forger's range: `prefix` (its first 64 bits) and `f0:tag:hi:lo`.
fn forged_addr(prefix: Ipv6Addr, kind: Kind, hi: u16, lo: u16) -> Ipv6Addr {
    let p = prefix.segments();
    Ipv6Addr::new(p[0], p[1], p[2], p[3], FORGED_IID_MARK, kind.tag(), hi, lo)
}

/// A MAC in the forger's range: `02:f0:tag:…`.
fn forged_mac(kind: Kind, low: u32) -> [u8; 6] {
    let l = low.to_be_bytes();
    [
        FORGED_MAC_PREFIX[0],
        FORGED_MAC_PREFIX[1],
        kind.tag() as u8,
        l[1],
        l[2],
        l[3],
    ]
}

const LINK_LOCAL: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0);

impl Forger {
    /// A forger of `rate` frames a second, drawing from `seed`.
    pub fn new(rate: u64, seed: u64) -> Forger {
        Forger {
            rate: rate.max(1),
            rng: Rng::new(seed ^ 0xf0f0),
            scanner: None,
            probe: Vec::new(),
            done: 0,
            stats: ForgeStats::default(),
        }
    }

    /// Looks at a received frame: an echo request from the scanner is the probe to forge
    /// answers to, and the first one from a link-local source starts the forging.
    pub fn sniff(&mut self, now: u64, frame: &[u8]) {
        let Some(pkt) = wire::parse(frame) else {
            return;
        };
        if pkt.msg() != Some(Msg::Echo) || pkt.icmp_at != Some(IP6_LEN) {
            return;
        }
        self.probe.clear();
        self.probe.extend_from_slice(pkt.ip);
        if self.scanner.is_none() && is_link_local(pkt.src) {
            self.scanner = Some(Scanner {
                mac: pkt.eth_src,
                link_local: pkt.src,
                since: now,
            });
            self.done = 0;
        }
    }

    /// Ends a run: nothing is forged until the scanner's next echo request.
    pub fn cold(&mut self) {
        self.scanner = None;
        self.probe.clear();
    }

    /// Frames the rate owes at `now`.
    fn owed(&self, now: u64) -> u64 {
        self.scanner.map_or(0, |s| {
            let due =
                u128::from(now.saturating_sub(s.since)) * u128::from(self.rate) / 1_000_000_000;
            (due as u64).saturating_sub(self.done)
        })
    }

    /// Nanoseconds from `now` to the next forged frame, when forging.
    pub fn next_in(&self, now: u64) -> Option<u64> {
        let s = self.scanner?;
        let next = s.since + (self.done + 1) * 1_000_000_000 / self.rate;
        Some(next.saturating_sub(now))
    }

    /// Sends what the rate owes by `now` into `sink`.
    pub fn run(&mut self, now: u64, sink: &mut dyn Sink) {
        let Some(scanner) = self.scanner else {
            return;
        };
        let mut owed = self.owed(now);
        let cap = (self.rate * CATCH_UP_MS / 1000).max(1);
        if owed > cap {
            self.stats.forge_skipped += owed - cap;
            self.done += owed - cap;
            owed = cap;
        }
        for _ in 0..owed {
            let kind = ROUND[(self.done % ROUND.len() as u64) as usize];
            self.forge(kind, &scanner, sink);
            self.done += 1;
        }
    }

    /// Writes one forgery of `kind` into `sink` and counts it.
    fn forge(&mut self, kind: Kind, s: &Scanner, sink: &mut dyn Sink) {
        let r = self.rng.next();
        let (hi, lo) = ((r >> 16) as u16, r as u16);
        let pool = (self.done / ROUND.len() as u64 % POOL) as u16;
        let st = &mut self.stats;
        let buf = sink.slot();
        let len = match kind {
            Kind::RouterAdvert | Kind::BadChecksumAdvert => {
                let (src, mac) = if kind == Kind::RouterAdvert {
                    st.forged_ra += 1;
                    (
                        forged_addr(LINK_LOCAL, kind, 0, pool),
                        forged_mac(kind, u32::from(pool)),
                    )
                } else {
                    (
                        forged_addr(LINK_LOCAL, kind, hi, lo),
                        forged_mac(kind, r as u32),
                    )
                };
                let head = to(s, mac, src, ALL_NODES, 255);
                wire::frame(buf, &head, false, |b| router_advert(b, mac))
            }
            Kind::NeighbourAdvert | Kind::RouterNeighbourAdvert | Kind::BadChecksumNeighbour => {
                let router = kind == Kind::RouterNeighbourAdvert;
                if kind != Kind::BadChecksumNeighbour {
                    st.forged_na += 1;
                    st.forged_na_router += u64::from(router);
                }
                let (target, mac) = (
                    forged_addr(LINK_LOCAL, kind, hi, lo),
                    forged_mac(kind, r as u32),
                );
                let head = to(s, mac, target, ALL_NODES, 255);
                wire::frame(buf, &head, false, |b| {
                    let n = wire::neighbor_advert(b, target, mac, false);
                    if router {
                        b[4] |= 0x80;
                    }
                    n
                })
            }
            Kind::NeighbourSolicit => {
                st.forged_ns += 1;
                let src = forged_addr(LINK_LOCAL, kind, 0, pool);
                let mac = forged_mac(kind, u32::from(pool));
                let head = to(s, mac, src, s.link_local, 255);
                wire::frame(buf, &head, false, |b| {
                    wire::neighbor_solicit(b, s.link_local, mac)
                })
            }
            Kind::EchoReply | Kind::ParamProblem => {
                let probe = &mut self.probe;
                let Some(dst) = probe.get(8..24).map(|b| {
                    let mut o = [0u8; 16];
                    o.copy_from_slice(b);
                    Ipv6Addr::from(o)
                }) else {
                    return;
                };
                // A changed cookie (the payload's first bytes): a probe never sent.
                let cookie_at = IP6_LEN + 8;
                if let Some(b) = probe.get_mut(cookie_at) {
                    *b ^= 0x5a;
                }
                let src = forged_addr(dst, kind, hi, lo);
                let mac = forged_mac(kind, r as u32);
                let head = to(s, mac, src, dst, 64);
                let len = if kind == Kind::EchoReply {
                    st.forged_echo += 1;
                    wire::frame(buf, &head, false, |b| {
                        wire::echo_reply(b, &probe[IP6_LEN..])
                    })
                } else {
                    st.forged_param_problem += 1;
                    wire::frame(buf, &head, false, |b| {
                        wire::param_problem(b, IP6_LEN as u32, probe, usize::MAX)
                    })
                };
                if let Some(b) = probe.get_mut(cookie_at) {
                    *b ^= 0x5a;
                }
                len
            }
        };
        if matches!(kind, Kind::BadChecksumAdvert | Kind::BadChecksumNeighbour) {
            st.forged_bad_checksum += 1;
            buf[ETH_LEN + IP6_LEN + 2] ^= 0x5a;
        }
        sink.commit(len);
    }
}

/// A forged frame's head: from `mac` and `src` to the scanner's MAC, whatever `dst` is.
fn to(s: &Scanner, mac: [u8; 6], src: Ipv6Addr, dst: Ipv6Addr, hops: u8) -> Head {
    Head {
        eth_dst: s.mac,
        eth_src: mac,
        src,
        dst,
        hops,
    }
}

/// A Router Advertisement: hop limit 64, router lifetime 1800 s, no prefix, its source
/// link-layer option `mac`.
fn router_advert(out: &mut [u8], mac: [u8; 6]) -> usize {
    out[0..16].copy_from_slice(&[
        TYPE_ROUTER_ADVERT,
        0,
        0,
        0,
        64,
        0,
        0x07,
        0x08,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]);
    out[16..18].copy_from_slice(&[1, 1]);
    out[18..24].copy_from_slice(&mac);
    24
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::hosts::{is_forged_addr, is_forged_mac};
    use crate::react::Frames;
    use crate::wire::{icmp, FRAME_MAX};

    const SCANNER_MAC: [u8; 6] = [0x02, 0, 0x5e, 0, 0, 1];
    const MS: u64 = 1_000_000;

    /// The scanner's echo request to ff02::1 from `src`, with a 16-byte payload.
    fn echo(src: Ipv6Addr) -> Vec<u8> {
        let mut f = vec![0u8; FRAME_MAX];
        let head = Head {
            eth_dst: wire::multicast_mac(ALL_NODES),
            eth_src: SCANNER_MAC,
            src,
            dst: ALL_NODES,
            hops: 255,
        };
        let n = wire::frame(&mut f, &head, false, |b| {
            b[..8].copy_from_slice(&[icmp::ECHO_REQUEST, 0, 0, 0, 0xab, 0xcd, 0, 1]);
            b[8..24].copy_from_slice(&[7; 16]);
            24
        });
        f.truncate(n);
        f
    }

    fn scanner_ll() -> Ipv6Addr {
        "fe80::1".parse().unwrap()
    }

    /// The forger's address in a frame: an NA's target, else the source.
    fn forged_by(p: &wire::Packet<'_>) -> Ipv6Addr {
        match p.msg() {
            Some(Msg::Na { target, .. }) => target,
            _ => p.src,
        }
    }

    #[test]
    fn nothing_until_the_scanner_probes_then_one_round_at_the_rate() {
        let mut f = Forger::new(1600, 1);
        let mut out = Frames::default();
        f.run(50 * MS, &mut out);
        assert!(out.sent.is_empty() && f.next_in(50 * MS).is_none());
        // A global source does not start it; the link-local one does.
        f.sniff(60 * MS, &echo("2001:db8:f::1".parse().unwrap()));
        assert!(f.next_in(60 * MS).is_none());
        f.sniff(100 * MS, &echo(scanner_ll()));
        f.run(110 * MS, &mut out);
        assert_eq!(out.sent.len(), ROUND.len(), "1,600 a second: 16 in 10 ms");
        let mut bad = 0;
        for frame in &out.sent {
            let p = wire::parse(frame).unwrap();
            assert_eq!(p.eth_dst, SCANNER_MAC, "only ever to the scanner's MAC");
            assert!(is_forged_mac(p.eth_src));
            assert!(is_forged_addr(forged_by(&p)), "{}", forged_by(&p));
            if wire::checksum(p.src, p.dst, p.icmp().unwrap()) != 0 {
                bad += 1;
                assert_eq!(forged_by(&p).segments()[5], 0x0bad);
            }
        }
        assert_eq!(bad, 2);
        let s = &f.stats;
        assert_eq!(
            (s.forged_ra, s.forged_na, s.forged_na_router, s.forged_ns),
            (3, 4, 2, 3)
        );
        assert_eq!((s.forged_echo, s.forged_param_problem), (2, 2));
        assert_eq!(s.forged_bad_checksum, 2);
    }

    #[test]
    fn answers_carry_a_changed_cookie_and_ndp_comes_from_a_pool() {
        let mut f = Forger::new(16_000, 2);
        let probe = echo(scanner_ll());
        f.sniff(0, &probe);
        let mut out = Frames::default();
        for t in 1..=200 {
            f.run(t * MS, &mut out);
        }
        let want = wire::parse(&probe).unwrap().icmp().unwrap()[4..].to_vec();
        let mut ra_sources = std::collections::HashSet::new();
        for frame in &out.sent {
            let p = wire::parse(frame).unwrap();
            let m = p.icmp().unwrap();
            match m[0] {
                icmp::ECHO_REPLY => {
                    assert_eq!(m[4..8], want[..4], "the probe's id and sequence");
                    assert_ne!(m[8..], want[4..], "never its cookie");
                    assert_eq!(p.dst, scanner_ll());
                }
                icmp::PARAM_PROBLEM => assert_ne!(&m[8..], &probe[ETH_LEN..]),
                TYPE_ROUTER_ADVERT if forged_by(&p).segments()[5] == 1 => {
                    ra_sources.insert(p.src);
                }
                icmp::NEIGHBOR_SOLICIT => {
                    assert_eq!(p.dst, scanner_ll());
                    assert!(p.src.segments()[7] < POOL as u16);
                }
                _ => {}
            }
        }
        assert_eq!(ra_sources.len(), POOL as usize);
    }

    #[test]
    fn a_stall_is_skipped_not_burst_and_cold_stops() {
        let mut f = Forger::new(1000, 3);
        f.sniff(0, &echo(scanner_ll()));
        let mut out = Frames::default();
        f.run(1000 * MS, &mut out);
        assert_eq!(out.sent.len(), 10, "10 ms of the rate at most");
        assert_eq!(f.stats.forge_skipped, 990);
        assert_eq!(f.next_in(1000 * MS), Some(MS));
        f.cold();
        f.run(2000 * MS, &mut out);
        assert_eq!(out.sent.len(), 10);
        assert!(f.next_in(2000 * MS).is_none());
    }
}
