//! Neighbour Discovery messages (RFC 4861): NS, NA and RA bodies and their options.
//! Every length comes from the wire, so every read is bounds-checked; a zero-length or
//! overrunning option rejects the whole message, as the RFC requires.

use super::bytes::{addr, array, be16, be32};
use super::{
    Icmp, Malformed, PrefixInfo, OPT_MTU, OPT_PREFIX_INFO, OPT_SOURCE_LLADDR, OPT_TARGET_LLADDR,
};
use crate::mac::Mac;
use std::net::Ipv6Addr;

/// Neighbour Advertisement flags (RFC 4861 §4.4).
pub(super) const NA_ROUTER: u8 = 0x80;
pub(super) const NA_SOLICITED: u8 = 0x40;
pub(super) const NA_OVERRIDE: u8 = 0x20;
/// Router Advertisement flags (RFC 4861 §4.2).
pub(super) const RA_MANAGED: u8 = 0x80;
pub(super) const RA_OTHER: u8 = 0x40;
/// Prefix Information flags (RFC 4861 §4.6.2).
pub(super) const PREFIX_ON_LINK: u8 = 0x80;
pub(super) const PREFIX_AUTONOMOUS: u8 = 0x40;

/// Fixed part of an NS or NA: header, flags/reserved, target.
pub(super) const ND_FIXED_LEN: usize = 24;
/// Fixed part of an RS: header, reserved.
pub(super) const RS_FIXED_LEN: usize = 8;
/// Fixed part of an RA: header, hop limit, flags, lifetime, reachable time, retrans timer.
pub(super) const RA_FIXED_LEN: usize = 16;
/// A link-layer address option for Ethernet (length 1).
pub(super) const LLADDR_OPT_LEN: usize = 8;
/// An MTU option (length 1).
pub(super) const MTU_OPT_LEN: usize = 8;
/// A Prefix Information option (length 4).
pub(super) const PREFIX_OPT_LEN: usize = 32;

/// One NDP option: its type and its whole bytes (type and length included).
struct NdpOption<'a> {
    kind: u8,
    bytes: &'a [u8],
}

/// Splits the options area of an NDP message, rejecting the whole message on a zero length
/// (RFC 4861) or on an option that runs past the end.
fn ndp_options(mut rest: &[u8]) -> Result<Vec<NdpOption<'_>>, Malformed> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (kind, len) = match rest {
            [k, l, ..] => (*k, usize::from(*l) * 8),
            _ => return Err(Malformed::BadLength),
        };
        if len == 0 {
            return Err(Malformed::BadOption);
        }
        let bytes = rest.get(..len).ok_or(Malformed::Truncated)?;
        rest = rest.get(len..).ok_or(Malformed::Truncated)?;
        out.push(NdpOption { kind, bytes });
    }
    Ok(out)
}

/// MAC from the first link-layer address option of `kind` with length 1 (Ethernet).
fn lladdr(opts: &[NdpOption<'_>], kind: u8) -> Option<Mac> {
    opts.iter()
        .filter(|o| o.kind == kind && o.bytes.len() == LLADDR_OPT_LEN)
        .find_map(|o| array::<6>(o.bytes, 2).map(Mac))
}

/// Common checks of NS/NA: code 0, fixed part present, unicast target; returns the first
/// flags byte, the target and the options.
fn parse_nd_common(b: &[u8], code: u8) -> Result<(u8, Ipv6Addr, Vec<NdpOption<'_>>), Malformed> {
    if code != 0 {
        return Err(Malformed::BadCode);
    }
    let flags = *b.get(4).ok_or(Malformed::Truncated)?;
    let target = addr(b, 8).ok_or(Malformed::Truncated)?;
    let opts = ndp_options(b.get(ND_FIXED_LEN..).ok_or(Malformed::Truncated)?)?;
    if target.is_multicast() {
        return Err(Malformed::MulticastTarget);
    }
    Ok((flags, target, opts))
}

pub(super) fn parse_neighbour_solicit(b: &[u8], code: u8) -> Result<Icmp, Malformed> {
    let (_, target, opts) = parse_nd_common(b, code)?;
    Ok(Icmp::NeighbourSolicit {
        target,
        source_mac: lladdr(&opts, OPT_SOURCE_LLADDR),
    })
}

pub(super) fn parse_neighbour_advert(b: &[u8], code: u8) -> Result<Icmp, Malformed> {
    let (flags, target, opts) = parse_nd_common(b, code)?;
    Ok(Icmp::NeighbourAdvert {
        target,
        router: flags & NA_ROUTER != 0,
        solicited: flags & NA_SOLICITED != 0,
        override_flag: flags & NA_OVERRIDE != 0,
        target_mac: lladdr(&opts, OPT_TARGET_LLADDR),
    })
}

pub(super) fn parse_router_solicit(b: &[u8], code: u8) -> Result<Icmp, Malformed> {
    if code != 0 {
        return Err(Malformed::BadCode);
    }
    let opts = ndp_options(b.get(RS_FIXED_LEN..).ok_or(Malformed::Truncated)?)?;
    Ok(Icmp::RouterSolicit {
        source_mac: lladdr(&opts, OPT_SOURCE_LLADDR),
    })
}

pub(super) fn parse_router_advert(b: &[u8], code: u8) -> Result<Icmp, Malformed> {
    if code != 0 {
        return Err(Malformed::BadCode);
    }
    let cur_hop_limit = *b.get(4).ok_or(Malformed::Truncated)?;
    let flags = *b.get(5).ok_or(Malformed::Truncated)?;
    let router_lifetime = be16(b, 6).ok_or(Malformed::Truncated)?;
    let opts = ndp_options(b.get(RA_FIXED_LEN..).ok_or(Malformed::Truncated)?)?;
    let mtu = opts
        .iter()
        .filter(|o| o.kind == OPT_MTU && o.bytes.len() == MTU_OPT_LEN)
        .find_map(|o| be32(o.bytes, 4));
    let prefixes = opts
        .iter()
        .filter(|o| o.kind == OPT_PREFIX_INFO)
        .filter_map(|o| prefix_info(o.bytes))
        .collect();
    Ok(Icmp::RouterAdvert {
        cur_hop_limit,
        managed: flags & RA_MANAGED != 0,
        other: flags & RA_OTHER != 0,
        router_lifetime,
        source_mac: lladdr(&opts, OPT_SOURCE_LLADDR),
        mtu,
        prefixes,
    })
}

/// Decodes a Prefix Information option (whole option bytes); `None` (skip it) unless it is
/// exactly 32 bytes with a prefix length of at most 128.
fn prefix_info(o: &[u8]) -> Option<PrefixInfo> {
    if o.len() != PREFIX_OPT_LEN {
        return None;
    }
    let len = *o.get(2)?;
    if len > 128 {
        return None;
    }
    let flags = *o.get(3)?;
    let raw = u128::from_be_bytes(array::<16>(o, 16)?);
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    Some(PrefixInfo {
        prefix: Ipv6Addr::from(raw & mask),
        len,
        on_link: flags & PREFIX_ON_LINK != 0,
        autonomous: flags & PREFIX_AUTONOMOUS != 0,
        valid_lifetime: be32(o, 4)?,
        preferred_lifetime: be32(o, 8)?,
    })
}
