//! Known interface IDs tried in every other prefix of the link: a host that uses an ID in
//! one prefix often uses it in all of them (an EUI-64 ID, a manual `::10`, or — on Windows
//! — the random ID of its link-local address in its stable global one), yet answers our
//! probes from another address (a temporary one) there. scan6 does the same. The
//! candidate functions are pure; [`KnownIds`] remembers the IDs as answers and prefixes
//! arrive. Like remembered addresses, candidates take no room among the hosts until they
//! answer: most do not exist, and forged sightings must not crowd out answering hosts.

use crate::model::{interface_id, is_link_local, Ipv6Prefix, SeenBy};
use std::collections::HashSet;
use std::net::Ipv6Addr;

/// Most candidates one interface solicits per scan: each costs up to three NS and a
/// unicast echo, and most of them do not exist.
const MAX_ID_CANDIDATES: usize = 512;

/// Whether the interface ID of `addr` is worth trying in other prefixes. A link-local
/// address's ID is the interface's own and may be reused anywhere; a global or ULA
/// address's random ID is either temporary or stable-privacy (RFC 7217), which are
/// different in every prefix by design, so only EUI-64 and small manual IDs are tried.
pub(super) fn worth_trying(addr: Ipv6Addr) -> bool {
    let iid = interface_id(addr);
    let b = iid.to_be_bytes();
    // ID 0 is the subnet-router anycast address, not a host.
    iid != 0 && (is_link_local(addr) || (b[3] == 0xff && b[4] == 0xfe) || iid < 1 << 16)
}

/// The address with interface ID `iid` in `prefix`, for prefixes that leave 64 bits to it.
fn in_prefix(prefix: &Ipv6Prefix, iid: u64) -> Option<Ipv6Addr> {
    (prefix.len() <= 64).then(|| Ipv6Addr::from(u128::from(prefix.addr()) | u128::from(iid)))
}

/// Every address `addr`'s interface ID gives in `prefixes` other than `addr` itself, in
/// the prefixes' order; nothing when the ID is not worth trying.
pub(super) fn for_address(addr: Ipv6Addr, prefixes: &[Ipv6Prefix]) -> Vec<Ipv6Addr> {
    if !worth_trying(addr) {
        return Vec::new();
    }
    let iid = interface_id(addr);
    prefixes
        .iter()
        .filter_map(|p| in_prefix(p, iid))
        .filter(|c| *c != addr)
        .collect()
}

/// Every address the known IDs give in a newly learnt `prefix` (the caller skips those
/// it has asked about already).
pub(super) fn for_prefix(prefix: &Ipv6Prefix, known: &[Ipv6Addr]) -> Vec<Ipv6Addr> {
    known
        .iter()
        .filter(|a| worth_trying(**a))
        .filter_map(|a| in_prefix(prefix, interface_id(*a)).filter(|c| c != a))
        .collect()
}

/// The interface IDs known so far, and how many candidates they gave.
#[derive(Debug)]
pub(super) struct KnownIds {
    max: usize,
    /// Addresses whose IDs were tried in every other prefix, in the order seen.
    known: Vec<Ipv6Addr>,
    /// The same addresses, to look them up.
    seen: HashSet<Ipv6Addr>,
    /// Candidates solicited so far.
    tried: usize,
}

impl KnownIds {
    /// No ID known yet; at most `max` addresses' IDs are kept.
    pub(super) fn new(max: usize) -> Self {
        KnownIds {
            max,
            known: Vec::new(),
            seen: HashSet::new(),
            tried: 0,
        }
    }

    /// `addr` was just seen `via`: the addresses its ID gives in `prefixes`, when it is
    /// an answer to our own multicast probes (echo and the unknown option carry our
    /// cookie, MLD and Node Information answer our queries). An address merely heard, or
    /// answering a solicitation, may be forged, and its candidates would let forged
    /// advertisements in past the bound on heard addresses.
    pub(super) fn seen(
        &mut self,
        addr: Ipv6Addr,
        via: SeenBy,
        prefixes: &[Ipv6Prefix],
    ) -> Vec<Ipv6Addr> {
        let answered = matches!(
            via,
            SeenBy::Echo | SeenBy::ParamProblem | SeenBy::Mld | SeenBy::NodeInfo
        );
        if !answered || self.known.len() >= self.max || !self.seen.insert(addr) {
            return Vec::new();
        }
        self.known.push(addr);
        for_address(addr, prefixes)
    }

    /// The addresses every known ID gives in a prefix just learnt from a router.
    pub(super) fn in_new_prefix(&self, prefix: &Ipv6Prefix) -> Vec<Ipv6Addr> {
        for_prefix(prefix, &self.known)
    }

    /// Takes one of the [`MAX_ID_CANDIDATES`] tries; false when they are spent.
    pub(super) fn take_try(&mut self) -> bool {
        if self.tried >= MAX_ID_CANDIDATES {
            return false;
        }
        self.tried += 1;
        true
    }
}

#[cfg(test)]
#[path = "candidates_tests.rs"]
mod tests;
