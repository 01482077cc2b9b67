//! Router Advertisements (RFC 4861 §4.2) with every option an admin asks about: Prefix
//! Information, MTU, Route Information (RFC 4191), RDNSS and DNSSL (RFC 8106), PREF64
//! (RFC 8781). An option that is malformed by its own RFC's rules is skipped (the RFCs say
//! to ignore it); only a zero-length or overrunning option rejects the whole message.
//!
//! Emitting writes the options in one canonical order (source link-layer address, MTU,
//! prefixes, routes, RDNSS, DNSSL, PREF64) and each in its shortest valid form, so
//! `parse(emit(x)) == x` for every `x` that `parse` returns.

use super::bytes::{addr, array, be16, be32, Writer};
use super::ndp::{lladdr, ndp_options, LLADDR_OPT_LEN, RA_FIXED_LEN};
use super::{EmitError, Icmp, Malformed, OPT_MTU, OPT_PREFIX_INFO, OPT_SOURCE_LLADDR};
use crate::router::{masked, Advert, Dnssl, Pref64, Preference, PrefixInfo, Rdnss, RouteInfo};
use std::net::Ipv6Addr;

/// NDP option type: Route Information (RFC 4191 §2.3).
pub const OPT_ROUTE_INFO: u8 = 24;
/// NDP option type: Recursive DNS Server (RFC 8106 §5.1).
pub const OPT_RDNSS: u8 = 25;
/// NDP option type: DNS Search List (RFC 8106 §5.2).
pub const OPT_DNSSL: u8 = 31;
/// NDP option type: PREF64 (RFC 8781 §4).
pub const OPT_PREF64: u8 = 38;

/// Router Advertisement flags (RFC 4861 §4.2, RFC 6275 §7.1, RFC 4191 §2.2, RFC 4389).
const RA_MANAGED: u8 = 0x80;
const RA_OTHER: u8 = 0x40;
const RA_HOME_AGENT: u8 = 0x20;
const RA_PREF_SHIFT: u8 = 3;
const RA_PROXY: u8 = 0x04;
/// Prefix Information flags (RFC 4861 §4.6.2).
const PREFIX_ON_LINK: u8 = 0x80;
const PREFIX_AUTONOMOUS: u8 = 0x40;

/// An MTU option (length 1).
const MTU_OPT_LEN: usize = 8;
/// A Prefix Information option (length 4).
const PREFIX_OPT_LEN: usize = 32;
/// A PREF64 option (length 2).
const PREF64_OPT_LEN: usize = 16;
/// Longest DNS label and name (RFC 1035 §2.3.4).
const MAX_LABEL: usize = 63;
const MAX_NAME: usize = 253;
/// PREF64 prefix lengths by Prefix Length Code (RFC 8781 §4).
const PREF64_LENGTHS: [u8; 6] = [96, 64, 56, 48, 40, 32];

pub(super) fn parse_router_advert(b: &[u8], code: u8) -> Result<Icmp, Malformed> {
    if code != 0 {
        return Err(Malformed::BadCode);
    }
    let cur_hop_limit = *b.get(4).ok_or(Malformed::Truncated)?;
    let flags = *b.get(5).ok_or(Malformed::Truncated)?;
    let router_lifetime = be16(b, 6).ok_or(Malformed::Truncated)?;
    let reachable_time = be32(b, 8).ok_or(Malformed::Truncated)?;
    let retrans_timer = be32(b, 12).ok_or(Malformed::Truncated)?;
    let opts = ndp_options(b.get(RA_FIXED_LEN..).ok_or(Malformed::Truncated)?)?;
    let all = |kind: u8| opts.iter().filter(move |o| o.kind == kind).map(|o| o.bytes);
    Ok(Icmp::RouterAdvert(Box::new(Advert {
        cur_hop_limit,
        managed: flags & RA_MANAGED != 0,
        other: flags & RA_OTHER != 0,
        home_agent: flags & RA_HOME_AGENT != 0,
        preference: Preference::from_bits(flags >> RA_PREF_SHIFT),
        proxy: flags & RA_PROXY != 0,
        router_lifetime,
        reachable_time,
        retrans_timer,
        source_mac: lladdr(&opts, OPT_SOURCE_LLADDR),
        mtu: all(OPT_MTU)
            .filter(|o| o.len() == MTU_OPT_LEN)
            .find_map(|o| be32(o, 4)),
        prefixes: all(OPT_PREFIX_INFO).filter_map(prefix_info).collect(),
        routes: all(OPT_ROUTE_INFO).filter_map(route_info).collect(),
        rdnss: all(OPT_RDNSS).filter_map(rdnss).collect(),
        dnssl: all(OPT_DNSSL).filter_map(dnssl).collect(),
        pref64: all(OPT_PREF64).filter_map(pref64).collect(),
    })))
}

/// A Prefix Information option; `None` (skip it) unless exactly 32 bytes with a prefix
/// length of at most 128.
fn prefix_info(o: &[u8]) -> Option<PrefixInfo> {
    if o.len() != PREFIX_OPT_LEN {
        return None;
    }
    let len = *o.get(2)?;
    if len > 128 {
        return None;
    }
    let flags = *o.get(3)?;
    Some(PrefixInfo {
        prefix: masked(addr(o, 16)?, len),
        len,
        on_link: flags & PREFIX_ON_LINK != 0,
        autonomous: flags & PREFIX_AUTONOMOUS != 0,
        valid_lifetime: be32(o, 4)?,
        preferred_lifetime: be32(o, 8)?,
    })
}

/// Bytes of prefix a Route Information option of `len` bits carries in its shortest form.
fn route_prefix_bytes(len: u8) -> usize {
    match len {
        0 => 0,
        1..=64 => 8,
        _ => 16,
    }
}

/// A Route Information option (RFC 4191 §2.3): option length 1, 2 or 3, and long enough
/// for its prefix length; anything else is skipped.
fn route_info(o: &[u8]) -> Option<RouteInfo> {
    let len = *o.get(2)?;
    if len > 128 || !matches!(o.len(), 8 | 16 | 24) || o.len() < 8 + route_prefix_bytes(len) {
        return None;
    }
    let mut raw = [0u8; 16];
    let carried = o.get(8..)?;
    raw.get_mut(..carried.len())?.copy_from_slice(carried);
    Some(RouteInfo {
        prefix: masked(Ipv6Addr::from(raw), len),
        len,
        preference: Preference::from_bits(*o.get(3)? >> RA_PREF_SHIFT),
        lifetime: be32(o, 4)?,
    })
}

/// An RDNSS option: an odd length of at least 3 (one or more 16-byte addresses).
fn rdnss(o: &[u8]) -> Option<Rdnss> {
    if o.len() < 24 || (o.len() / 8) % 2 == 0 {
        return None;
    }
    let servers = (8..o.len())
        .step_by(16)
        .map(|at| addr(o, at))
        .collect::<Option<_>>()?;
    Some(Rdnss {
        lifetime: be32(o, 4)?,
        servers,
    })
}

/// A DNSSL option: at least length 2, one or more names in DNS wire format without
/// compression, then zero padding. A label that runs past the option, is longer than 63
/// bytes, or holds anything but letters, digits, `-` and `_` skips the option: a domain
/// we cannot print faithfully is not one to show an admin.
fn dnssl(o: &[u8]) -> Option<Dnssl> {
    if o.len() < 16 {
        return None;
    }
    let mut rest = o.get(8..)?;
    let mut domains = Vec::new();
    let mut name = String::new();
    while let [n, tail @ ..] = rest {
        let n = usize::from(*n);
        if n == 0 {
            if name.is_empty() {
                // Padding (or an empty name): nothing after it may be a name.
                if tail.iter().any(|&b| b != 0) {
                    return None;
                }
                break;
            }
            domains.push(std::mem::take(&mut name));
            rest = tail;
            continue;
        }
        let label = tail.get(..n).filter(|_| n <= MAX_LABEL)?;
        if !label
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        {
            return None;
        }
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(std::str::from_utf8(label).ok()?);
        if name.len() > MAX_NAME {
            return None;
        }
        rest = tail.get(n..)?;
    }
    // A name not closed by its zero label ran into the end of the option.
    if !name.is_empty() || domains.is_empty() {
        return None;
    }
    Some(Dnssl {
        lifetime: be32(o, 4)?,
        domains,
    })
}

/// A PREF64 option: length 2 and a known Prefix Length Code.
fn pref64(o: &[u8]) -> Option<Pref64> {
    if o.len() != PREF64_OPT_LEN {
        return None;
    }
    let field = be16(o, 2)?;
    let len = *PREF64_LENGTHS.get(usize::from(field & 0x7))?;
    let mut raw = [0u8; 16];
    raw.get_mut(..12)?.copy_from_slice(&array::<12>(o, 4)?);
    Some(Pref64 {
        prefix: masked(Ipv6Addr::from(raw), len),
        len,
        lifetime: field & !0x7,
    })
}

/// The DNS wire length of a dotted name (labels, their length bytes, the root label).
fn name_len(domain: &str) -> usize {
    domain.split('.').map(|l| l.len() + 1).sum::<usize>() + 1
}

/// `n` rounded up to whole 8-byte units.
fn padded(n: usize) -> usize {
    n.div_ceil(8) * 8
}

fn dnssl_len(d: &Dnssl) -> usize {
    padded(8 + d.domains.iter().map(|n| name_len(n)).sum::<usize>())
}

/// Length of the RA [`write_router_advert`] writes.
pub(super) fn router_advert_len(a: &Advert) -> usize {
    RA_FIXED_LEN
        + a.source_mac.map_or(0, |_| LLADDR_OPT_LEN)
        + a.mtu.map_or(0, |_| MTU_OPT_LEN)
        + a.prefixes.len() * PREFIX_OPT_LEN
        + a.routes
            .iter()
            .map(|r| 8 + route_prefix_bytes(r.len))
            .sum::<usize>()
        + a.rdnss
            .iter()
            .map(|r| 8 + 16 * r.servers.len())
            .sum::<usize>()
        + a.dnssl.iter().map(dnssl_len).sum::<usize>()
        + a.pref64.len() * PREF64_OPT_LEN
}

/// The length byte of an option of `len` bytes; one too long for it is an error.
fn units(len: usize) -> Result<u8, EmitError> {
    u8::try_from(len / 8).map_err(|_| EmitError::TooMany)
}

fn bit(on: bool, flag: u8) -> u8 {
    if on {
        flag
    } else {
        0
    }
}

pub(super) fn write_router_advert(w: &mut Writer<'_>, a: &Advert) -> Result<(), EmitError> {
    w.header(super::TYPE_ROUTER_ADVERT, 0)?;
    let flags = bit(a.managed, RA_MANAGED)
        | bit(a.other, RA_OTHER)
        | bit(a.home_agent, RA_HOME_AGENT)
        | a.preference.bits() << RA_PREF_SHIFT
        | bit(a.proxy, RA_PROXY);
    w.put(&[a.cur_hop_limit, flags])?;
    w.u16(a.router_lifetime)?;
    w.u32(a.reachable_time)?;
    w.u32(a.retrans_timer)?;
    w.lladdr(OPT_SOURCE_LLADDR, a.source_mac)?;
    if let Some(mtu) = a.mtu {
        w.put(&[OPT_MTU, units(MTU_OPT_LEN)?, 0, 0])?;
        w.u32(mtu)?;
    }
    for p in &a.prefixes {
        let flags = bit(p.on_link, PREFIX_ON_LINK) | bit(p.autonomous, PREFIX_AUTONOMOUS);
        w.put(&[OPT_PREFIX_INFO, units(PREFIX_OPT_LEN)?, p.len, flags])?;
        w.u32(p.valid_lifetime)?;
        w.u32(p.preferred_lifetime)?;
        w.u32(0)?;
        w.addr(p.prefix)?;
    }
    for r in &a.routes {
        let carried = route_prefix_bytes(r.len);
        let flags = r.preference.bits() << RA_PREF_SHIFT;
        w.put(&[OPT_ROUTE_INFO, units(8 + carried)?, r.len, flags])?;
        w.u32(r.lifetime)?;
        w.put(
            r.prefix
                .octets()
                .get(..carried)
                .ok_or(EmitError::BufferTooShort)?,
        )?;
    }
    for r in &a.rdnss {
        w.put(&[OPT_RDNSS, units(8 + 16 * r.servers.len())?, 0, 0])?;
        w.u32(r.lifetime)?;
        r.servers.iter().try_for_each(|s| w.addr(*s))?;
    }
    for d in &a.dnssl {
        let len = dnssl_len(d);
        w.put(&[OPT_DNSSL, units(len)?, 0, 0])?;
        w.u32(d.lifetime)?;
        let mut used = 8;
        for name in &d.domains {
            for label in name.split('.') {
                w.put(&[u8::try_from(label.len()).map_err(|_| EmitError::TooMany)?])?;
                w.put(label.as_bytes())?;
            }
            w.put(&[0])?;
            used += name_len(name);
        }
        w.put(&vec![0; len - used])?;
    }
    for p in &a.pref64 {
        let code = PREF64_LENGTHS
            .iter()
            .position(|&l| l == p.len)
            .ok_or(EmitError::TooMany)?;
        w.put(&[OPT_PREF64, units(PREF64_OPT_LEN)?])?;
        // `code` < 6, so it fits the 3-bit field.
        w.u16((p.lifetime & !0x7) | code as u16)?;
        w.put(
            p.prefix
                .octets()
                .get(..12)
                .ok_or(EmitError::BufferTooShort)?,
        )?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "ra_tests.rs"]
mod tests;
