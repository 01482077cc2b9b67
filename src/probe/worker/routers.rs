//! Waiting for routers: a host that says it is a router (a Neighbour Advertisement with
//! the Router flag) keeps the window open until its Router Advertisement is in, or until a
//! router has had the time to answer our Router Solicitation. Both sets are bounded like
//! routers known only from their RAs.

use crate::mac::Mac;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// How long a router may wait before it answers a Router Solicitation
/// (MAX_RA_DELAY_TIME, RFC 4861 §10; radvd waits a random time up to it), plus a margin.
/// A window that has heard a host say it is a router stays open that long after the RS,
/// so its advertisement is listed rather than missed (and its Router flag not flagged).
pub(super) const RA_WAIT: Duration = Duration::from_millis(550);

/// Which routers' advertisements are awaited.
#[derive(Debug)]
pub(super) struct RouterWait {
    limit: usize,
    /// When our Router Solicitation went out.
    rs_sent: Option<Instant>,
    /// MACs that sent a Router Advertisement (frame or source option).
    advertised: HashSet<Mac>,
    /// MACs that said they are routers and whose RA is awaited.
    awaiting: HashSet<Mac>,
}

impl RouterWait {
    /// Nothing awaited; each set holds at most `limit` MACs.
    pub(super) fn new(limit: usize) -> Self {
        RouterWait {
            limit,
            rs_sent: None,
            advertised: HashSet::new(),
            awaiting: HashSet::new(),
        }
    }

    /// Our Router Solicitation went out at `now`.
    pub(super) fn solicited(&mut self, now: Instant) {
        self.rs_sent = Some(now);
    }

    /// A host with `mac` said it is a router: unless its RA was heard already, the time
    /// until which the window stays open for it.
    pub(super) fn await_ra(&mut self, mac: Option<Mac>) -> Option<Instant> {
        let mac = mac.filter(|m| !self.advertised.contains(m))?;
        let rs = self.rs_sent?;
        if self.awaiting.len() >= self.limit {
            return None;
        }
        self.awaiting.insert(mac);
        Some(rs + RA_WAIT)
    }

    /// A Router Advertisement came with these MACs (its frame's and its option's): true
    /// when no other router's advertisement is awaited any more.
    pub(super) fn advertised(&mut self, macs: &[Mac]) -> bool {
        if self.advertised.len() < self.limit {
            self.advertised.extend(macs);
        }
        for m in macs {
            self.awaiting.remove(m);
        }
        self.awaiting.is_empty()
    }
}

#[cfg(test)]
#[path = "routers_tests.rs"]
mod tests;
