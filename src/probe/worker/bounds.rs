//! The bounds on what nobody asked for. Answers that carry this scan's cookie (echo
//! replies, Parameter Problems) or answer our own queries are the link's hosts; but anyone
//! can send Router Advertisements, Neighbour Advertisements, Neighbour and Router
//! Solicitations from as many sources as they like. So of `max_hosts`, at most one eighth
//! of the addresses may be routers known only from their unsolicited RAs, and at most one
//! eighth hosts only heard — whatever order forgeries arrive in:
//!
//! - an address first heard (its own NS, NA, RS) and then advertising as a router takes
//!   a router's room: being heard does not make it known;
//! - the Router flag of an advertisement for an address only heard is a claim to be a
//!   router, and stands only where a router's room is left;
//! - an address that answered our probes is a host, whatever it sends next.
//!
//! (A forger that puts one MAC behind an RA source and a heard address is one router and
//! one heard host here; the report marks a row as a router by its MAC only when the row
//! answered something, so the heard one stays a heard one there too.)

use std::collections::HashSet;
use std::net::Ipv6Addr;

/// Of `max_hosts`, how many may be routers known only from their unsolicited RAs, and
/// how many hosts only heard: a link has a handful of routers, and a flood of forged
/// messages must not take the room of hosts answering our probes.
pub(super) fn unsolicited_limit(max_hosts: usize) -> usize {
    (max_hosts / 8).max(8).min(max_hosts)
}

/// The addresses admitted without answering our probes, and the rule that bounds them.
#[derive(Debug)]
pub(super) struct Bounds {
    limit: usize,
    /// Addresses admitted as routers known only from their RAs (or their Router flag).
    routers: HashSet<Ipv6Addr>,
    /// Addresses admitted because they were heard.
    heard: HashSet<Ipv6Addr>,
    /// Heard addresses that answered our probes since: hosts after all.
    answered: HashSet<Ipv6Addr>,
}

impl Bounds {
    /// The bounds of a scan tracking at most `max_hosts` addresses.
    pub(super) fn new(max_hosts: usize) -> Self {
        Bounds {
            limit: unsolicited_limit(max_hosts),
            routers: HashSet::new(),
            heard: HashSet::new(),
            answered: HashSet::new(),
        }
    }

    /// How many of each kind are allowed.
    pub(super) fn limit(&self) -> usize {
        self.limit
    }

    /// Whether another heard host would still fit.
    pub(super) fn room_for_heard(&self) -> bool {
        self.heard.len() < self.limit
    }

    /// `addr`, not tracked before, is tracked now because it was heard.
    pub(super) fn note_heard(&mut self, addr: Ipv6Addr) {
        self.heard.insert(addr);
    }

    /// `addr` answered one of our probes (our cookie, or our query): from now on it is a
    /// host, not a heard address.
    pub(super) fn answered(&mut self, addr: Ipv6Addr) {
        if self.heard.contains(&addr) {
            self.answered.insert(addr);
        }
    }

    /// Whether `addr` is tracked only because it was heard.
    fn only_heard(&self, addr: Ipv6Addr) -> bool {
        self.heard.contains(&addr) && !self.answered.contains(&addr)
    }

    /// Whether a Router Advertisement from `addr` (`tracked` when the scan tracks it
    /// already) may be listed: from an address the scan found otherwise, from a router
    /// already admitted, or from a new one while there is room.
    pub(super) fn router_room(&self, addr: Ipv6Addr, tracked: bool) -> bool {
        (tracked && !self.only_heard(addr))
            || self.routers.contains(&addr)
            || self.routers.len() < self.limit
    }

    /// A Router Advertisement from `addr` is listed: unless the scan found it otherwise,
    /// it takes a router's room.
    pub(super) fn note_router(&mut self, addr: Ipv6Addr, tracked: bool) {
        if !tracked || self.only_heard(addr) {
            self.routers.insert(addr);
        }
    }

    /// An advertisement for `addr`, which the scan tracks, carries the Router flag: true
    /// when the flag stands. For an address only heard it is a router's claim, bounded
    /// like one; for any other it is the host's own word.
    pub(super) fn router_flag(&mut self, addr: Ipv6Addr) -> bool {
        if !self.only_heard(addr) {
            return true;
        }
        if !self.router_room(addr, true) {
            return false;
        }
        self.note_router(addr, true);
        true
    }
}

#[cfg(test)]
#[path = "bounds_tests.rs"]
mod tests;
