//! Frames in and out of the farm: what a received Ethernet frame asks (an echo, a probe
//! behind an unknown option, a solicitation, a query), and the frames a host answers with,
//! written in place into a send buffer. Pure: no I/O.

use std::net::Ipv6Addr;

/// Ethernet header length.
pub const ETH_LEN: usize = 14;
/// IPv6 header length.
pub const IP6_LEN: usize = 40;
/// The most an ICMPv6 error may be (RFC 4443 §2.4 (c): the minimum MTU).
pub const MIN_MTU: usize = 1280;
/// Room for one frame in a send buffer.
pub const FRAME_MAX: usize = ETH_LEN + MIN_MTU;

/// ICMPv6 types the farm reads or writes.
pub mod icmp {
    /// Parameter Problem.
    pub const PARAM_PROBLEM: u8 = 4;
    /// Echo Request.
    pub const ECHO_REQUEST: u8 = 128;
    /// Echo Reply.
    pub const ECHO_REPLY: u8 = 129;
    /// MLD Query.
    pub const MLD_QUERY: u8 = 130;
    /// Neighbour Solicitation.
    pub const NEIGHBOR_SOLICIT: u8 = 135;
    /// Neighbour Advertisement.
    pub const NEIGHBOR_ADVERT: u8 = 136;
    /// Node Information Query.
    pub const NI_QUERY: u8 = 139;
    /// Node Information Reply.
    pub const NI_REPLY: u8 = 140;
    /// MLDv2 Report.
    pub const MLD2_REPORT: u8 = 143;
}

const NH_HOP_BY_HOP: u8 = 0;
const NH_ICMPV6: u8 = 58;
const NH_DEST_OPTS: u8 = 60;

/// What the extension headers in front of the upper layer say to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exts {
    /// No extension header, or only ones whose options are all known.
    Pass {
        /// A Hop-by-Hop header was there (MLD's router alert).
        hop_by_hop: bool,
    },
    /// An unknown option that asks for a Parameter Problem (code 2) at this offset from
    /// the start of the IPv6 header.
    ParamProblem {
        /// Offset of the option's type byte.
        pointer: u32,
    },
    /// An unknown option to skip silently, or a header the farm does not parse.
    Discard,
}

/// The ICMPv6 message a frame carries, as far as a host cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Echo Request.
    Echo,
    /// Neighbour Solicitation for `target`, with the sender's link-layer option.
    Ns {
        /// The address asked about.
        target: Ipv6Addr,
        /// The source link-layer address option.
        sllao: Option<[u8; 6]>,
    },
    /// Neighbour Advertisement of `target`, with its target link-layer option.
    Na {
        /// The address advertised.
        target: Ipv6Addr,
        /// The target link-layer address option.
        tllao: Option<[u8; 6]>,
    },
    /// An MLD query; `general` when it asks about every group.
    MldQuery {
        /// Whether the multicast address field is unspecified.
        general: bool,
        /// The maximum response delay in milliseconds.
        max_resp_ms: u32,
    },
    /// A Node Information query.
    NiQuery {
        /// Its Qtype.
        qtype: u16,
        /// Its nonce, echoed in the reply.
        nonce: [u8; 8],
    },
    /// Anything else (RS, reports, replies, unknown types).
    Other(u8),
}

/// One received IPv6 frame.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    /// Ethernet source.
    pub eth_src: [u8; 6],
    /// Ethernet destination.
    pub eth_dst: [u8; 6],
    /// IPv6 source.
    pub src: Ipv6Addr,
    /// IPv6 destination.
    pub dst: Ipv6Addr,
    /// The IPv6 packet from its header on, cut to its payload length.
    pub ip: &'a [u8],
    /// What the extension headers ask.
    pub exts: Exts,
    /// Offset of the ICMPv6 message in `ip` (when it is ICMPv6).
    pub icmp_at: Option<usize>,
}

impl Packet<'_> {
    /// The ICMPv6 message, if any.
    pub fn icmp(&self) -> Option<&[u8]> {
        self.icmp_at.and_then(|at| self.ip.get(at..))
    }

    /// What the ICMPv6 message is.
    pub fn msg(&self) -> Option<Msg> {
        self.icmp().map(classify)
    }
}

fn addr(b: &[u8]) -> Ipv6Addr {
    let mut o = [0u8; 16];
    o.copy_from_slice(&b[..16]);
    Ipv6Addr::from(o)
}

fn mac(b: &[u8]) -> [u8; 6] {
    let mut m = [0u8; 6];
    m.copy_from_slice(&b[..6]);
    m
}

/// Parses an Ethernet frame carrying IPv6; `None` for anything else or a truncated one.
pub fn parse(frame: &[u8]) -> Option<Packet<'_>> {
    if frame.len() < ETH_LEN + IP6_LEN || frame[12..14] != [0x86, 0xdd] {
        return None;
    }
    let ip = &frame[ETH_LEN..];
    if ip[0] >> 4 != 6 {
        return None;
    }
    let plen = usize::from(u16::from_be_bytes([ip[4], ip[5]]));
    let ip = ip.get(..IP6_LEN + plen)?;
    let (exts, icmp_at) = walk(ip);
    Some(Packet {
        eth_dst: mac(&frame[0..6]),
        eth_src: mac(&frame[6..12]),
        src: addr(&ip[8..24]),
        dst: addr(&ip[24..40]),
        ip,
        exts,
        icmp_at,
    })
}

/// Walks the extension headers: what they ask, and where ICMPv6 starts.
fn walk(ip: &[u8]) -> (Exts, Option<usize>) {
    let multicast = ip[24] == 0xff;
    let mut next = ip[6];
    let mut at = IP6_LEN;
    let mut hop_by_hop = false;
    loop {
        match next {
            NH_ICMPV6 => return (Exts::Pass { hop_by_hop }, Some(at)),
            NH_HOP_BY_HOP | NH_DEST_OPTS => {
                let (Some(&nh), Some(&len)) = (ip.get(at), ip.get(at + 1)) else {
                    return (Exts::Discard, None);
                };
                let end = at + (usize::from(len) + 1) * 8;
                if end > ip.len() {
                    return (Exts::Discard, None);
                }
                if let Some(verdict) = options(ip, at + 2, end, next, multicast) {
                    return (verdict, None);
                }
                hop_by_hop |= next == NH_HOP_BY_HOP;
                next = nh;
                at = end;
            }
            _ => return (Exts::Discard, None),
        }
    }
}

/// The verdict of the first option of a header the farm does not know (RFC 8200 §4.2),
/// or `None` when every option is known.
fn options(ip: &[u8], mut at: usize, end: usize, header: u8, multicast: bool) -> Option<Exts> {
    while at < end {
        let kind = ip[at];
        if kind == 0 {
            at += 1;
            continue;
        }
        let len = usize::from(*ip.get(at + 1)?);
        let known = kind == 1 || (header == NH_HOP_BY_HOP && kind == 5);
        if !known {
            return Some(match kind >> 6 {
                0 => {
                    at += 2 + len;
                    continue;
                }
                2 => Exts::ParamProblem { pointer: at as u32 },
                3 if !multicast => Exts::ParamProblem { pointer: at as u32 },
                _ => Exts::Discard,
            });
        }
        at += 2 + len;
    }
    None
}

/// The link-layer option of `kind` (1 source, 2 target) among NDP options.
fn lla_option(mut opts: &[u8], kind: u8) -> Option<[u8; 6]> {
    while opts.len() >= 8 {
        let len = usize::from(opts[1]) * 8;
        if len == 0 || len > opts.len() {
            return None;
        }
        if opts[0] == kind {
            return Some(mac(&opts[2..8]));
        }
        opts = &opts[len..];
    }
    None
}

fn classify(m: &[u8]) -> Msg {
    let Some(&kind) = m.first() else {
        return Msg::Other(0);
    };
    match kind {
        icmp::ECHO_REQUEST if m.len() >= 8 => Msg::Echo,
        icmp::NEIGHBOR_SOLICIT if m.len() >= 24 => Msg::Ns {
            target: addr(&m[8..24]),
            sllao: lla_option(&m[24..], 1),
        },
        icmp::NEIGHBOR_ADVERT if m.len() >= 24 => Msg::Na {
            target: addr(&m[8..24]),
            tllao: lla_option(&m[24..], 2),
        },
        icmp::MLD_QUERY if m.len() >= 24 => Msg::MldQuery {
            general: m[8..24].iter().all(|&b| b == 0),
            max_resp_ms: mld_max_resp_ms(u16::from_be_bytes([m[4], m[5]])),
        },
        icmp::NI_QUERY if m.len() >= 16 => Msg::NiQuery {
            qtype: u16::from_be_bytes([m[4], m[5]]),
            nonce: mac8(&m[8..16]),
        },
        other => Msg::Other(other), // RS (hosts ignore it), reports, replies
    }
}

fn mac8(b: &[u8]) -> [u8; 8] {
    let mut n = [0u8; 8];
    n.copy_from_slice(&b[..8]);
    n
}

/// MLDv2's Maximum Response Code in milliseconds (RFC 3810 §5.1.3).
fn mld_max_resp_ms(code: u16) -> u32 {
    if code < 32768 {
        u32::from(code)
    } else {
        let mant = u32::from(code & 0x0fff);
        let exp = u32::from((code >> 12) & 0x7);
        (mant | 0x1000) << (exp + 3)
    }
}

/// The solicited-node multicast group of `a`.
pub fn solicited_node(a: Ipv6Addr) -> Ipv6Addr {
    let o = a.octets();
    Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    )
}

/// The Ethernet address IPv6 multicast to `group` goes to (33:33 + its last 32 bits).
pub fn multicast_mac(group: Ipv6Addr) -> [u8; 6] {
    let o = group.octets();
    [0x33, 0x33, o[12], o[13], o[14], o[15]]
}

/// The ICMPv6 checksum of `msg` (its checksum field zero) from `src` to `dst`.
pub fn checksum(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> u16 {
    let mut sum: u64 = 0;
    let mut add = |b: &[u8]| {
        let mut chunks = b.chunks_exact(2);
        for c in &mut chunks {
            sum += u64::from(u16::from_be_bytes([c[0], c[1]]));
        }
        if let [last] = chunks.remainder() {
            sum += u64::from(u16::from_be_bytes([*last, 0]));
        }
    };
    add(&src.octets());
    add(&dst.octets());
    add(&(msg.len() as u32).to_be_bytes());
    add(&[0, 0, 0, NH_ICMPV6]);
    add(msg);
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Who a frame goes from and to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// Ethernet destination.
    pub eth_dst: [u8; 6],
    /// Ethernet source (the host's MAC).
    pub eth_src: [u8; 6],
    /// IPv6 source.
    pub src: Ipv6Addr,
    /// IPv6 destination.
    pub dst: Ipv6Addr,
    /// Hop limit.
    pub hops: u8,
}

/// The Hop-by-Hop header with a router alert (MLD), ICMPv6 next.
const ROUTER_ALERT_HBH: [u8; 8] = [NH_ICMPV6, 0, 5, 2, 0, 0, 1, 0];

/// Writes a frame of `head` into `buf` whose ICMPv6 message `body` writes (returning its
/// length, checksum left zero); fills the checksum and returns the frame's length.
pub fn frame(
    buf: &mut [u8],
    head: &Head,
    router_alert: bool,
    body: impl FnOnce(&mut [u8]) -> usize,
) -> usize {
    let ext = if router_alert {
        ROUTER_ALERT_HBH.len()
    } else {
        0
    };
    let at = ETH_LEN + IP6_LEN + ext;
    let len = body(&mut buf[at..]);
    buf[at + 2] = 0;
    buf[at + 3] = 0;
    let sum = checksum(head.src, head.dst, &buf[at..at + len]);
    buf[at + 2..at + 4].copy_from_slice(&sum.to_be_bytes());
    buf[0..6].copy_from_slice(&head.eth_dst);
    buf[6..12].copy_from_slice(&head.eth_src);
    buf[12..14].copy_from_slice(&[0x86, 0xdd]);
    let ip = &mut buf[ETH_LEN..];
    ip[0..4].copy_from_slice(&[0x60, 0, 0, 0]);
    ip[4..6].copy_from_slice(&((ext + len) as u16).to_be_bytes());
    ip[6] = if router_alert {
        NH_HOP_BY_HOP
    } else {
        NH_ICMPV6
    };
    ip[7] = head.hops;
    ip[8..24].copy_from_slice(&head.src.octets());
    ip[24..40].copy_from_slice(&head.dst.octets());
    if router_alert {
        ip[IP6_LEN..IP6_LEN + ext].copy_from_slice(&ROUTER_ALERT_HBH);
    }
    at + len
}

/// An Echo Reply to the request `req` (its ICMPv6 message): the same identifier, sequence
/// and data.
pub fn echo_reply(out: &mut [u8], req: &[u8]) -> usize {
    let len = req.len().min(MIN_MTU - IP6_LEN);
    out[..len].copy_from_slice(&req[..len]);
    out[0] = icmp::ECHO_REPLY;
    out[1] = 0;
    len
}

/// A Parameter Problem (code 2, unrecognised option) at `pointer`, quoting the invoking
/// packet `invoking` from its IPv6 header on, at most `quote` bytes and never past the
/// minimum MTU.
pub fn param_problem(out: &mut [u8], pointer: u32, invoking: &[u8], quote: usize) -> usize {
    let len = invoking.len().min(quote).min(MIN_MTU - IP6_LEN - 8);
    out[0..4].copy_from_slice(&[icmp::PARAM_PROBLEM, 2, 0, 0]);
    out[4..8].copy_from_slice(&pointer.to_be_bytes());
    out[8..8 + len].copy_from_slice(&invoking[..len]);
    8 + len
}

/// A Neighbour Advertisement of `target` with its target link-layer option; `solicited`
/// sets S (O is always set: a host answering for its own address).
pub fn neighbor_advert(out: &mut [u8], target: Ipv6Addr, lla: [u8; 6], solicited: bool) -> usize {
    let flags: u8 = if solicited { 0x60 } else { 0x20 };
    out[0..8].copy_from_slice(&[icmp::NEIGHBOR_ADVERT, 0, 0, 0, flags, 0, 0, 0]);
    out[8..24].copy_from_slice(&target.octets());
    out[24..26].copy_from_slice(&[2, 1]);
    out[26..32].copy_from_slice(&lla);
    32
}

/// A Neighbour Solicitation for `target` with the source link-layer option `lla`.
pub fn neighbor_solicit(out: &mut [u8], target: Ipv6Addr, lla: [u8; 6]) -> usize {
    out[0..8].copy_from_slice(&[icmp::NEIGHBOR_SOLICIT, 0, 0, 0, 0, 0, 0, 0]);
    out[8..24].copy_from_slice(&target.octets());
    out[24..26].copy_from_slice(&[1, 1]);
    out[26..32].copy_from_slice(&lla);
    32
}

/// An MLDv2 report: MODE_IS_EXCLUDE with no sources (joined) for each of `groups`.
pub fn mld2_report(out: &mut [u8], groups: &[Ipv6Addr]) -> usize {
    out[0..6].copy_from_slice(&[icmp::MLD2_REPORT, 0, 0, 0, 0, 0]);
    out[6..8].copy_from_slice(&(groups.len() as u16).to_be_bytes());
    let mut at = 8;
    for g in groups {
        out[at..at + 4].copy_from_slice(&[2, 0, 0, 0]);
        out[at + 4..at + 20].copy_from_slice(&g.octets());
        at += 20;
    }
    at
}

/// A successful Node Information reply of `qtype` (RFC 4620): Node Addresses lists
/// `addrs` (TTL, address), Node Name gives `name` as one DNS name; other Qtypes get an
/// empty successful reply (what NOOP gets).
pub fn ni_reply(
    out: &mut [u8],
    qtype: u16,
    nonce: [u8; 8],
    addrs: &[Ipv6Addr],
    name: &str,
) -> usize {
    out[0..4].copy_from_slice(&[icmp::NI_REPLY, 0, 0, 0]);
    out[4..6].copy_from_slice(&qtype.to_be_bytes());
    out[6..8].copy_from_slice(&[0, 0]);
    out[8..16].copy_from_slice(&nonce);
    let mut at = 16;
    match qtype {
        3 => {
            for a in addrs {
                out[at..at + 4].copy_from_slice(&86400u32.to_be_bytes());
                out[at + 4..at + 20].copy_from_slice(&a.octets());
                at += 20;
            }
        }
        2 => {
            out[at..at + 4].copy_from_slice(&86400u32.to_be_bytes());
            at += 4;
            for label in name.split('.').filter(|l| !l.is_empty()) {
                let l = &label.as_bytes()[..label.len().min(63)];
                out[at] = l.len() as u8;
                out[at + 1..at + 1 + l.len()].copy_from_slice(l);
                at += 1 + l.len();
            }
            out[at] = 0;
            at += 1;
        }
        _ => {}
    }
    at
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SCANNER: [u8; 6] = [0x02, 0, 0, 0, 0, 1];
    const HOST: [u8; 6] = [0x3c, 0x22, 0xfb, 1, 2, 3];

    fn ll(last: u16) -> Ipv6Addr {
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, last)
    }

    fn head(dst: Ipv6Addr, eth_dst: [u8; 6]) -> Head {
        Head {
            eth_dst,
            eth_src: SCANNER,
            src: ll(1),
            dst,
            hops: 255,
        }
    }

    /// An echo request behind a Destination Options header with one option `opt`.
    fn dest_opt_echo(opt: u8, dst: Ipv6Addr) -> Vec<u8> {
        let mut f = vec![0u8; 200];
        let all = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
        let n = frame(&mut f, &head(dst, multicast_mac(all)), false, |b| {
            b[..8].copy_from_slice(&[128, 0, 0, 0, 0x12, 0x34, 0, 1]);
            8
        });
        f.truncate(n);
        // Splice in a Destination Options header: next 58, len 0, option opt len 4.
        let ext = [NH_ICMPV6, 0, opt, 4, 0, 0, 0, 0];
        f.splice(ETH_LEN + IP6_LEN..ETH_LEN + IP6_LEN, ext);
        f[ETH_LEN + 6] = NH_DEST_OPTS;
        f[ETH_LEN + 5] += 8;
        f
    }

    #[test]
    fn unknown_destination_option_asks_a_parameter_problem() {
        let all = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
        let f = dest_opt_echo(0x80, all);
        let p = parse(&f).unwrap();
        assert_eq!(p.exts, Exts::ParamProblem { pointer: 42 });
        assert_eq!(p.icmp_at, None);
        // 0xc0 asks for one only when the destination is not multicast; 0x40 discards.
        assert_eq!(
            parse(&dest_opt_echo(0xc0, all)).unwrap().exts,
            Exts::Discard
        );
        assert_eq!(
            parse(&dest_opt_echo(0xc0, ll(9))).unwrap().exts,
            Exts::ParamProblem { pointer: 42 }
        );
        assert_eq!(
            parse(&dest_opt_echo(0x40, all)).unwrap().exts,
            Exts::Discard
        );
        // An option to skip: the echo behind it is read.
        let p2 = dest_opt_echo(0x1e, all);
        let p = parse(&p2).unwrap();
        assert_eq!(p.exts, Exts::Pass { hop_by_hop: false });
        assert_eq!(p.msg(), Some(Msg::Echo));
    }

    #[test]
    fn frames_carry_a_valid_checksum_and_parse_back() {
        let mut f = vec![0u8; FRAME_MAX];
        let target = ll(0x99);
        let h = head(
            solicited_node(target),
            multicast_mac(solicited_node(target)),
        );
        let n = frame(&mut f, &h, false, |b| neighbor_solicit(b, target, SCANNER));
        let p = parse(&f[..n]).unwrap();
        assert_eq!(checksum(p.src, p.dst, p.icmp().unwrap()), 0);
        assert_eq!(
            p.msg(),
            Some(Msg::Ns {
                target,
                sllao: Some(SCANNER)
            })
        );
        assert_eq!(p.eth_dst, [0x33, 0x33, 0xff, 0, 0, 0x99]);
        let n = frame(&mut f, &h, false, |b| {
            neighbor_advert(b, target, HOST, true)
        });
        let p = parse(&f[..n]).unwrap();
        assert_eq!(checksum(p.src, p.dst, p.icmp().unwrap()), 0);
        assert_eq!(
            p.msg(),
            Some(Msg::Na {
                target,
                tllao: Some(HOST)
            })
        );
    }

    #[test]
    fn parameter_problem_quotes_from_the_ip_header() {
        let all = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
        let probe = dest_opt_echo(0x80, all);
        let p = parse(&probe).unwrap();
        let mut out = vec![0u8; FRAME_MAX];
        let n = param_problem(&mut out, 42, p.ip, usize::MAX);
        assert_eq!(&out[..8], &[4, 2, 0, 0, 0, 0, 0, 42]);
        assert_eq!(&out[8..n], p.ip);
        let n = param_problem(&mut out, 42, p.ip, IP6_LEN + 8);
        assert_eq!(n, 8 + IP6_LEN + 8);
    }

    #[test]
    fn mld_report_and_query_fields() {
        let mut f = vec![0u8; FRAME_MAX];
        let g = solicited_node(ll(5));
        let all_routers = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);
        let mut h = head(all_routers, multicast_mac(all_routers));
        h.hops = 1;
        let n = frame(&mut f, &h, true, |b| mld2_report(b, &[g]));
        let p = parse(&f[..n]).unwrap();
        assert_eq!(p.exts, Exts::Pass { hop_by_hop: true });
        assert_eq!(p.msg(), Some(Msg::Other(icmp::MLD2_REPORT)));
        assert_eq!(checksum(p.src, p.dst, p.icmp().unwrap()), 0);
        assert_eq!(mld_max_resp_ms(1000), 1000);
        assert_eq!(mld_max_resp_ms(0x8000), 0x1000 << 3);
    }

    #[test]
    fn node_name_reply_is_dns_encoded() {
        let mut out = vec![0u8; 64];
        let n = ni_reply(&mut out, 2, [7; 8], &[], "h1.farm");
        assert_eq!(&out[20..n], b"\x02h1\x04farm\x00");
        let n = ni_reply(&mut out, 3, [7; 8], &[ll(1)], "");
        assert_eq!(n, 16 + 20);
    }
}
