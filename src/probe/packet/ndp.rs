//! Neighbour Discovery messages (RFC 4861): NS, NA and RS bodies and the option walk
//! every NDP message shares (RAs are in `ra`).
//! Every length comes from the wire, so every read is bounds-checked; a zero-length or
//! overrunning option rejects the whole message, as the RFC requires.

use super::bytes::{addr, array};
use super::{Icmp, Malformed, OPT_SOURCE_LLADDR, OPT_TARGET_LLADDR};
use crate::mac::Mac;
use std::net::Ipv6Addr;

/// Neighbour Advertisement flags (RFC 4861 §4.4).
pub(super) const NA_ROUTER: u8 = 0x80;
pub(super) const NA_SOLICITED: u8 = 0x40;
pub(super) const NA_OVERRIDE: u8 = 0x20;

/// Fixed part of an NS or NA: header, flags/reserved, target.
pub(super) const ND_FIXED_LEN: usize = 24;
/// Fixed part of an RS: header, reserved.
pub(super) const RS_FIXED_LEN: usize = 8;
/// Fixed part of an RA: header, hop limit, flags, lifetime, reachable time, retrans timer.
pub(super) const RA_FIXED_LEN: usize = 16;
/// A link-layer address option for Ethernet (length 1).
pub(super) const LLADDR_OPT_LEN: usize = 8;

/// One NDP option: its type and its whole bytes (type and length included).
pub(super) struct NdpOption<'a> {
    pub(super) kind: u8,
    pub(super) bytes: &'a [u8],
}

/// Splits the options area of an NDP message, rejecting the whole message on a zero length
/// (RFC 4861) or on an option that runs past the end.
pub(super) fn ndp_options(mut rest: &[u8]) -> Result<Vec<NdpOption<'_>>, Malformed> {
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
pub(super) fn lladdr(opts: &[NdpOption<'_>], kind: u8) -> Option<Mac> {
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
