//! Node Information (RFC 4620) in the probe loop: a Node Addresses query to ff02::1 in
//! the first round, the same query unicast to the first hosts that answer our probes
//! (Wi-Fi drops multicast; bounded, and only from the spare unicast budget), and each
//! reply's addresses confirmed by a Neighbour Solicitation before they are listed —
//! credited to Node Information only when the replier's MAC answers. When the scan looks
//! up names, a Node Name query goes beside each Node Addresses one, within the same
//! bounds, and the names replies give are passed on for the replier's address.

use crate::mac::Mac;
use crate::model::{is_link_local, SeenBy};
use std::collections::{HashMap, HashSet};
use std::net::Ipv6Addr;

/// Most hosts one interface sends a unicast query to: the multicast query reaches every
/// node that answers it; unicast is for the few that answer only to their own address.
const MAX_UNICAST_QUERIES: usize = 64;
/// Most addresses from replies one interface solicits per scan.
const MAX_REPLY_CANDIDATES: usize = 256;

/// Who was asked, what replies listed, and what was credited.
#[derive(Debug, Default)]
pub(super) struct NodeInfo {
    /// Hosts sent a unicast query.
    asked: HashSet<Ipv6Addr>,
    /// Addresses replies listed, with the replier's MAC when its frame showed it.
    claims: HashMap<Ipv6Addr, Option<Mac>>,
    /// Listed addresses already reported as seen by Node Information.
    credited: HashSet<Ipv6Addr>,
    /// Repliers whose Node Name reply was passed on.
    named: HashSet<Ipv6Addr>,
}

impl NodeInfo {
    /// Whether to ask `addr`, just seen `via`, by unicast: a link-local address that
    /// answered our multicast probes, once each, within [`MAX_UNICAST_QUERIES`].
    pub(super) fn ask(&mut self, addr: Ipv6Addr, via: SeenBy) -> bool {
        is_link_local(addr)
            && matches!(via, SeenBy::Echo | SeenBy::ParamProblem)
            && self.asked.len() < MAX_UNICAST_QUERIES
            && self.asked.insert(addr)
    }

    /// A reply listed `addr` (from a frame of `replier`): true when it is a new claim
    /// within [`MAX_REPLY_CANDIDATES`].
    pub(super) fn listed(&mut self, addr: Ipv6Addr, replier: Option<Mac>) -> bool {
        if self.claims.len() >= MAX_REPLY_CANDIDATES || self.claims.contains_key(&addr) {
            return false;
        }
        self.claims.insert(addr, replier);
        true
    }

    /// `target`'s advertisement carried `mac`: true when Node Information is to be
    /// credited with it now — a reply listed it, `mac` is the replier's (or the replier's
    /// frame was not seen), and it was not credited before.
    pub(super) fn credit(&mut self, target: Ipv6Addr, mac: Mac) -> bool {
        match self.claims.get(&target) {
            Some(claimed) if claimed.is_none_or(|m| m == mac) => {
                self.claims.insert(target, Some(mac));
                self.credited.insert(target)
            }
            _ => false,
        }
    }

    /// `addr` sent a Node Name reply: true for its first.
    pub(super) fn named(&mut self, addr: Ipv6Addr) -> bool {
        self.named.insert(addr)
    }
}

#[cfg(test)]
#[path = "nodeinfo_tests.rs"]
mod tests;
