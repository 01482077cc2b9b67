//! Ethernet frames carrying ICMPv6, both ways: pure build and parse, no I/O.
//!
//! A packet socket sends and receives whole frames, so everything the kernel does for a
//! raw ICMPv6 socket is done here: the IPv6 header, the chaining of extension headers,
//! the ICMPv6 checksum on send; on receive, walking the extension headers to the ICMPv6
//! message, verifying its checksum, and keeping only what is addressed to us.

use crate::mac::Mac;
use crate::probe::packet::bytes::{addr, array, be16};
use std::collections::HashMap;
use std::net::Ipv6Addr;

/// Ethernet header length (no VLAN tag: the kernel strips it before a packet socket).
pub(super) const ETH_HEADER: usize = 14;
/// IPv6 header length.
pub(super) const IPV6_HEADER: usize = 40;
/// The EtherType of IPv6.
pub(super) const ETHERTYPE_IPV6: u16 = 0x86dd;

const NH_HOP_BY_HOP: u8 = 0;
const NH_ROUTING: u8 = 43;
const NH_ICMPV6: u8 = 58;
const NH_DEST_OPTS: u8 = 60;
/// Extension headers followed before a packet is given up on.
const MAX_EXTENSION_HEADERS: usize = 8;

/// The Ethernet multicast MAC of IPv6 group `dst`: 33:33 and its low 32 bits (RFC 2464 §7).
pub(super) fn multicast_mac(dst: Ipv6Addr) -> Mac {
    let o = dst.octets();
    Mac([0x33, 0x33, o[12], o[13], o[14], o[15]])
}

/// The ICMPv6 checksum of `msg` from `src` to `dst` over the pseudo-header (RFC 8200
/// §8.1), computed with `msg`'s checksum field as it is: 0 when `msg` carries a valid
/// checksum, the value to write when the field is zero.
pub(super) fn checksum(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> u16 {
    let mut sum: u64 = 0;
    for block in [&src.octets()[..], &dst.octets()[..]] {
        sum += words(block);
    }
    sum += msg.len() as u64 + u64::from(NH_ICMPV6);
    sum += words(msg);
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The sum of `b` as big-endian 16-bit words, an odd last byte padded with zero.
fn words(b: &[u8]) -> u64 {
    let mut chunks = b.chunks_exact(2);
    let mut sum: u64 = chunks
        .by_ref()
        .map(|c| u64::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    if let [last] = chunks.remainder() {
        sum += u64::from(*last) << 8;
    }
    sum
}

/// One ICMPv6 message to put in a frame.
#[derive(Clone, Copy, Debug)]
pub(super) struct Outgoing<'a> {
    /// Ethernet destination and source.
    pub eth: (Mac, Mac),
    /// IPv6 source and destination.
    pub src: Ipv6Addr,
    pub dst: Ipv6Addr,
    pub hop_limit: u8,
    /// A Hop-by-Hop Options header (its Next Header byte is overwritten).
    pub hop_opts: Option<&'a [u8]>,
    /// A Destination Options header (its Next Header byte is overwritten).
    pub dest_opts: Option<&'a [u8]>,
    /// The ICMPv6 message; its checksum field is overwritten.
    pub message: &'a [u8],
}

/// Why a frame could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BuildError {
    /// An extension header is not a whole number of 8-byte units matching its length byte.
    BadExtensionHeader,
    /// The ICMPv6 message is shorter than its 4-byte header, or the packet is over 64 KiB.
    BadLength,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BuildError::BadExtensionHeader => "malformed extension header",
            BuildError::BadLength => "bad ICMPv6 message length",
        })
    }
}

/// Whether `h` is a well-formed extension header: 8-byte units, as its length byte says.
fn valid_extension(h: &[u8]) -> bool {
    h.len() >= 8 && h.len() % 8 == 0 && h.get(1).map(|&l| (usize::from(l) + 1) * 8) == Some(h.len())
}

/// Writes the frame of `o` into `out` (cleared first): Ethernet, IPv6, Hop-by-Hop,
/// Destination Options (RFC 8200 §4.1 order), then the message with its checksum.
pub(super) fn build(o: &Outgoing<'_>, out: &mut Vec<u8>) -> Result<(), BuildError> {
    let exts: Vec<(u8, &[u8])> = [(NH_HOP_BY_HOP, o.hop_opts), (NH_DEST_OPTS, o.dest_opts)]
        .into_iter()
        .filter_map(|(nh, h)| h.map(|h| (nh, h)))
        .collect();
    if exts.iter().any(|(_, h)| !valid_extension(h)) {
        return Err(BuildError::BadExtensionHeader);
    }
    if o.message.len() < 4 {
        return Err(BuildError::BadLength);
    }
    let payload = exts.iter().map(|(_, h)| h.len()).sum::<usize>() + o.message.len();
    let payload = u16::try_from(payload).map_err(|_| BuildError::BadLength)?;
    out.clear();
    out.extend_from_slice(&o.eth.0 .0);
    out.extend_from_slice(&o.eth.1 .0);
    out.extend_from_slice(&ETHERTYPE_IPV6.to_be_bytes());
    let first = exts.first().map_or(NH_ICMPV6, |(nh, _)| *nh);
    out.extend_from_slice(&[0x60, 0, 0, 0]);
    out.extend_from_slice(&payload.to_be_bytes());
    out.extend_from_slice(&[first, o.hop_limit]);
    out.extend_from_slice(&o.src.octets());
    out.extend_from_slice(&o.dst.octets());
    for (i, (_, h)) in exts.iter().enumerate() {
        let next = exts.get(i + 1).map_or(NH_ICMPV6, |(nh, _)| *nh);
        out.push(next);
        out.extend_from_slice(&h[1..]);
    }
    let at = out.len();
    out.extend_from_slice(o.message);
    out[at + 2..at + 4].fill(0);
    let sum = checksum(o.src, o.dst, &out[at..]);
    out[at + 2..at + 4].copy_from_slice(&sum.to_be_bytes());
    Ok(())
}

/// An ICMPv6 message found in a received frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Incoming<'a> {
    /// The frame's Ethernet source.
    pub src_mac: Mac,
    /// IPv6 source and destination.
    pub src: Ipv6Addr,
    pub dst: Ipv6Addr,
    /// The hop limit it arrived with.
    pub hop_limit: u8,
    /// The ICMPv6 message, checksum verified.
    pub message: &'a [u8],
}

/// Why a received frame was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dropped {
    /// Not an IPv6 packet.
    NotIpv6,
    /// Shorter than its headers say (or cut by the ring's snap length).
    Truncated,
    /// No ICMPv6 message behind the headers (another protocol, a fragment, too many
    /// extension headers).
    NotIcmp,
    /// The ICMPv6 checksum is wrong.
    BadChecksum,
    /// Addressed to someone else, or of an ICMPv6 type nobody here reads.
    NotOurs,
}

/// Finds the ICMPv6 message in an Ethernet frame, walking the IPv6 extension headers, and
/// verifies its checksum. Ethernet padding past the IPv6 payload is ignored.
pub(super) fn parse(frame: &[u8]) -> Result<Incoming<'_>, Dropped> {
    if be16(frame, 12) != Some(ETHERTYPE_IPV6) {
        return Err(Dropped::NotIpv6);
    }
    let ip = frame.get(ETH_HEADER..).ok_or(Dropped::Truncated)?;
    let head: [u8; 8] = array(ip, 0).ok_or(Dropped::Truncated)?;
    if head[0] >> 4 != 6 {
        return Err(Dropped::NotIpv6);
    }
    let payload = usize::from(u16::from_be_bytes([head[4], head[5]]));
    let packet = ip.get(..IPV6_HEADER + payload).ok_or(Dropped::Truncated)?;
    let (src, dst) = (
        addr(packet, 8).ok_or(Dropped::Truncated)?,
        addr(packet, 24).ok_or(Dropped::Truncated)?,
    );
    let mut next = head[6];
    let mut at = IPV6_HEADER;
    for _ in 0..MAX_EXTENSION_HEADERS {
        match next {
            NH_ICMPV6 => {
                let message = &packet[at..];
                if message.len() < 4 {
                    return Err(Dropped::Truncated);
                }
                if checksum(src, dst, message) != 0 {
                    return Err(Dropped::BadChecksum);
                }
                return Ok(Incoming {
                    src_mac: Mac(array(frame, 6).ok_or(Dropped::Truncated)?),
                    src,
                    dst,
                    hop_limit: head[7],
                    message,
                });
            }
            NH_HOP_BY_HOP | NH_ROUTING | NH_DEST_OPTS => {
                let [nh, len] = array(packet, at).ok_or(Dropped::Truncated)?;
                next = nh;
                at += (usize::from(len) + 1) * 8;
            }
            // Fragments (which the kernel would reassemble; NH_FRAGMENT) and every other
            // protocol.
            _ => return Err(Dropped::NotIcmp),
        }
    }
    Err(Dropped::NotIcmp)
}

/// The ICMPv6 message of `frame` when a raw ICMPv6 socket of ours would have received it:
/// a valid checksum, a destination of ours, one of the `wanted` types (the socket's
/// filter).
pub(super) fn receive<'a>(
    frame: &'a [u8],
    ours: &Destinations,
    wanted: &[u8],
) -> Result<Incoming<'a>, Dropped> {
    let m = parse(frame)?;
    if !ours.accepts(m.dst) || !wanted.contains(&m.message[0]) {
        return Err(Dropped::NotOurs);
    }
    Ok(m)
}

/// The IPv6 destinations the kernel would deliver to a raw ICMPv6 socket of ours: our
/// unicast addresses, the all-nodes and all-routers groups, the MLDv2 routers group (with
/// MLD), and the solicited-node groups of our addresses.
#[derive(Clone, Debug, Default)]
pub(super) struct Destinations {
    own: Vec<Ipv6Addr>,
    groups: Vec<Ipv6Addr>,
}

/// ff02::1
pub(super) const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// ff02::2
pub(super) const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

impl Destinations {
    /// Our addresses `own` (with `mld`: ff02::16 too).
    pub(super) fn new(own: &[Ipv6Addr], mld: bool) -> Self {
        let mut groups = vec![ALL_NODES, ALL_ROUTERS];
        if mld {
            groups.push(crate::probe::packet::mld::ALL_MLDV2_ROUTERS);
        }
        for a in own {
            let g = crate::probe::packet::solicited_node(*a);
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        Destinations {
            own: own.to_vec(),
            groups,
        }
    }

    /// Whether a packet to `dst` is for us.
    pub(super) fn accepts(&self, dst: Ipv6Addr) -> bool {
        self.own.contains(&dst) || self.groups.contains(&dst)
    }

    /// Whether `addr` is one of our unicast addresses.
    pub(super) fn is_own(&self, addr: Ipv6Addr) -> bool {
        self.own.contains(&addr)
    }

    /// The multicast groups we listen to.
    pub(super) fn groups(&self) -> &[Ipv6Addr] {
        &self.groups
    }
}

/// Where a Neighbour Advertisement answering `ns` goes (IPv6 and Ethernet destination),
/// and the address it advertises, when `ns` is a valid solicitation (RFC 4861 §7.1.1: hop
/// limit 255) for one of our addresses from a host that has one; duplicate address
/// detection (from ::) is left to the kernel.
pub(super) fn na_for(ns: &Incoming<'_>, ours: &Destinations) -> Option<(Ipv6Addr, Mac, Ipv6Addr)> {
    use crate::probe::packet::{parse, Icmp};
    if ns.hop_limit != 255 || ns.src.is_unspecified() || ns.src.is_multicast() {
        return None;
    }
    let Ok(Icmp::NeighbourSolicit { target, source_mac }) = parse(ns.message) else {
        return None;
    };
    if !ours.is_own(target) {
        return None;
    }
    let mac = source_mac.filter(|m| m.is_host()).unwrap_or(ns.src_mac);
    mac.is_host().then_some((ns.src, mac, target))
}

/// The IPv6 → MAC pairs learned from received frames, bounded: two generations of at
/// most half the bound each; when the newer fills, the older is forgotten, so a flood
/// of sources costs a bounded amount and recent knowledge survives it.
#[derive(Debug)]
pub(super) struct MacTable {
    newer: HashMap<Ipv6Addr, Mac>,
    older: HashMap<Ipv6Addr, Mac>,
    half: usize,
}

impl MacTable {
    /// A table holding at most `bound` addresses.
    pub(super) fn new(bound: usize) -> Self {
        MacTable {
            newer: HashMap::new(),
            older: HashMap::new(),
            half: (bound / 2).max(1),
        }
    }

    /// Remembers that `src` was last seen behind `mac`.
    pub(super) fn learn(&mut self, src: Ipv6Addr, mac: Mac) {
        if self.newer.len() >= self.half && !self.newer.contains_key(&src) {
            self.older = std::mem::take(&mut self.newer);
        }
        self.newer.insert(src, mac);
    }

    /// The MAC last seen for `addr`.
    pub(super) fn get(&self, addr: Ipv6Addr) -> Option<Mac> {
        self.newer
            .get(&addr)
            .or_else(|| self.older.get(&addr))
            .copied()
    }

    /// Addresses held.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.newer.len() + self.older.len()
    }
}

/// Frames waiting for their destination's MAC, per destination: our own address
/// resolution, so a unicast probe to an address no frame has shown yet costs no entry in
/// the kernel's neighbour table. Bounded in destinations and in frames per destination;
/// what waits longer than the timeout is dropped, as the kernel drops what it could not
/// resolve.
#[derive(Debug)]
pub(super) struct Pending {
    waiting: HashMap<Ipv6Addr, (std::time::Instant, Vec<Vec<u8>>)>,
    bound: usize,
    timeout: std::time::Duration,
}

/// Frames kept per destination waiting for its MAC (the kernel keeps 3, `unres_qlen`
/// aside; a last attempt is two probes).
const FRAMES_PER_DESTINATION: usize = 4;

/// What [`Pending::push`] did with a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Queued {
    /// The first frame to this destination: ask for its MAC.
    Resolve,
    /// Queued behind a question already asked.
    Waiting,
    /// No room: send it another way.
    Full,
}

impl Pending {
    /// At most `bound` destinations waiting, each at most `timeout`.
    pub(super) fn new(bound: usize, timeout: std::time::Duration) -> Self {
        Pending {
            waiting: HashMap::new(),
            bound,
            timeout,
        }
    }

    /// Queues `frame` (its Ethernet destination to be filled in) for `dst` at `now`.
    pub(super) fn push(
        &mut self,
        dst: Ipv6Addr,
        frame: Vec<u8>,
        now: std::time::Instant,
    ) -> Queued {
        self.expire(now);
        if let Some((_, frames)) = self.waiting.get_mut(&dst) {
            if frames.len() >= FRAMES_PER_DESTINATION {
                return Queued::Full;
            }
            frames.push(frame);
            return Queued::Waiting;
        }
        if self.waiting.len() >= self.bound {
            return Queued::Full;
        }
        self.waiting.insert(dst, (now, vec![frame]));
        Queued::Resolve
    }

    /// The frames that waited for `addr`, now at `mac` (their destination filled in).
    pub(super) fn resolved(&mut self, addr: Ipv6Addr, mac: Mac) -> Vec<Vec<u8>> {
        if self.waiting.is_empty() {
            return Vec::new();
        }
        let mut frames = self
            .waiting
            .remove(&addr)
            .map(|(_, f)| f)
            .unwrap_or_default();
        for f in &mut frames {
            if let Some(d) = f.get_mut(..6) {
                d.copy_from_slice(&mac.0);
            }
        }
        frames
    }

    /// Forgets what has waited past the timeout.
    pub(super) fn expire(&mut self, now: std::time::Instant) {
        let timeout = self.timeout;
        self.waiting
            .retain(|_, (since, _)| now.saturating_duration_since(*since) < timeout);
    }
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
