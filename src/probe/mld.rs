//! MLD (RFC 3810): the general query we send with `--mld`, the reports hosts answer with,
//! and the address candidates their solicited-node groups imply. Pure: no I/O.
//!
//! Every IPv6 address a host has makes it join the solicited-node group
//! ff02::1:ffXX:XXXX carrying the address's low 24 bits, and an MLD report lists those
//! groups. 24 bits are not an address, but combined with the prefixes on the link and the
//! interface IDs we can guess (MAC-derived EUI-64, small manual IDs such as `::10`, IDs the
//! host uses in another prefix) they give candidates, which a Neighbour Solicitation then
//! confirms or not: nothing is reported that the host itself did not confirm.

use super::packet::Malformed;
use crate::mac::Mac;
use crate::model::Ipv6Prefix;
use std::net::Ipv6Addr;
use std::time::Duration;

/// ICMPv6 type: Multicast Listener Query.
pub const TYPE_QUERY: u8 = 130;
/// ICMPv6 type: MLDv1 Multicast Listener Report.
pub const TYPE_REPORT_V1: u8 = 131;
/// ICMPv6 type: MLDv2 Multicast Listener Report.
pub const TYPE_REPORT_V2: u8 = 143;
/// Where MLDv2 reports go: we join it to hear them.
pub const ALL_MLDV2_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);
/// Most candidates tried per host, so a host reporting many groups cannot make us flood.
pub const MAX_CANDIDATES_PER_HOST: usize = 64;

/// An MLDv2 general query (RFC 3810 §5.1) asking for reports within `max_response`.
/// Robustness variable and query interval are the protocol defaults (2, 125 s), so a
/// snooping switch that hears it learns nothing unusual.
pub fn general_query(max_response: Duration) -> Vec<u8> {
    // Below 32768 ms the Maximum Response Code is the delay itself (§5.1.3).
    let ms = u16::try_from(max_response.as_millis().clamp(1, 32_767)).unwrap_or(32_767);
    let mut q = vec![TYPE_QUERY, 0, 0, 0];
    q.extend_from_slice(&ms.to_be_bytes());
    q.extend_from_slice(&[0, 0]);
    q.extend_from_slice(&Ipv6Addr::UNSPECIFIED.octets());
    q.extend_from_slice(&[2, 125, 0, 0]);
    q
}

/// The Hop-by-Hop Options header with the Router Alert option (RFC 2711, value 0 = MLD)
/// that every MLD message carries; the kernel sets its Next Header byte.
pub fn router_alert_hop_by_hop() -> [u8; 8] {
    [0, 0, 5, 2, 0, 0, 1, 0]
}

/// The groups an MLDv1 or MLDv2 report lists. Malformed reports are errors; records of
/// unknown length are never read past the end.
pub fn parse_report(b: &[u8]) -> Result<Vec<Ipv6Addr>, Malformed> {
    let addr_at = |at: usize| -> Option<Ipv6Addr> {
        let bytes: [u8; 16] = b.get(at..at.checked_add(16)?)?.try_into().ok()?;
        Some(Ipv6Addr::from(bytes))
    };
    match b.first() {
        Some(&TYPE_REPORT_V1) => Ok(vec![addr_at(8).ok_or(Malformed::Truncated)?]),
        Some(&TYPE_REPORT_V2) => {
            let count = b.get(6..8).ok_or(Malformed::Truncated)?;
            let count = u16::from_be_bytes([count[0], count[1]]);
            let mut groups = Vec::with_capacity(usize::from(count).min(64));
            let mut at = 8usize;
            for _ in 0..count {
                let head = b.get(at..at + 4).ok_or(Malformed::Truncated)?;
                let aux_words = usize::from(head[1]);
                let sources = usize::from(u16::from_be_bytes([head[2], head[3]]));
                groups.push(addr_at(at + 4).ok_or(Malformed::Truncated)?);
                at += 4 + 16 + sources * 16 + aux_words * 4;
            }
            if at > b.len() {
                return Err(Malformed::Truncated);
            }
            Ok(groups)
        }
        Some(_) => Err(Malformed::BadCode),
        None => Err(Malformed::Truncated),
    }
}

/// The low 24 bits a solicited-node group (ff02::1:ffXX:XXXX) carries, or `None` for any
/// other group.
pub fn solicited_node_bits(group: Ipv6Addr) -> Option<u32> {
    let o = group.octets();
    let head = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff];
    (o[..13] == head).then(|| u32::from_be_bytes([0, o[13], o[14], o[15]]))
}

/// Addresses a host may have, given the solicited-node bits it reported, the prefixes on
/// the link (only /64 or shorter: an interface ID needs 64 bits), its MAC, and interface
/// IDs it is known to use elsewhere. Only candidates whose low 24 bits match a reported
/// group are returned, at most [`MAX_CANDIDATES_PER_HOST`], in a stable order.
pub fn candidates(
    bits: &[u32],
    prefixes: &[Ipv6Prefix],
    mac: Option<Mac>,
    known_iids: &[u64],
) -> Vec<Ipv6Addr> {
    let mut iids: Vec<u64> = known_iids.to_vec();
    iids.extend(mac.map(|m| u64::from_be_bytes(m.eui64_interface_id())));
    // A small manual ID lies wholly inside the group's bits, so the group alone gives it;
    // larger values are almost always the tail of a random ID and would only waste an NS.
    iids.extend(
        bits.iter()
            .map(|b| u64::from(*b))
            .filter(|b| (1..1 << 16).contains(b)),
    );
    iids.sort_unstable();
    iids.dedup();
    let mut out = Vec::new();
    for p in prefixes.iter().filter(|p| p.len() <= 64) {
        for iid in &iids {
            if !bits.contains(&((*iid & 0xff_ffff) as u32)) {
                continue;
            }
            let addr = Ipv6Addr::from(u128::from(p.addr()) | u128::from(*iid));
            if !out.contains(&addr) {
                out.push(addr);
            }
            if out.len() >= MAX_CANDIDATES_PER_HOST {
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "mld_tests.rs"]
mod tests;
