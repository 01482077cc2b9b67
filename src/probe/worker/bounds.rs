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
mod tests {
    use super::*;

    fn a(i: u16) -> Ipv6Addr {
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0xf, i)
    }

    #[test]
    fn an_eighth_of_max_hosts_at_least_8_at_most_all() {
        assert_eq!(unsolicited_limit(4096), 512);
        assert_eq!(unsolicited_limit(64), 8);
        assert_eq!(unsolicited_limit(20), 8);
        assert_eq!(unsolicited_limit(5), 5);
    }

    /// Admits `addr` as heard if there is room, as the worker does.
    fn hear(b: &mut Bounds, addr: Ipv6Addr) -> bool {
        if b.heard.contains(&addr) {
            return true;
        }
        if !b.room_for_heard() {
            return false;
        }
        b.note_heard(addr);
        true
    }

    /// Admits `addr` as a router if there is room, as the worker does.
    fn advertise(b: &mut Bounds, addr: Ipv6Addr, tracked: bool) -> bool {
        if !b.router_room(addr, tracked) {
            return false;
        }
        b.note_router(addr, tracked);
        true
    }

    #[test]
    fn heard_hosts_and_routers_each_fill_their_own_room() {
        let mut b = Bounds::new(64);
        assert!((0..8).all(|i| hear(&mut b, a(i))));
        assert!(!hear(&mut b, a(8)), "the ninth heard host");
        assert!(hear(&mut b, a(3)), "one already admitted stays");
        assert!((100..108).all(|i| advertise(&mut b, a(i), false)));
        assert!(!advertise(&mut b, a(108), false), "the ninth router");
        assert!(advertise(&mut b, a(100), true), "an admitted router stays");
    }

    #[test]
    fn an_address_first_heard_then_advertising_takes_a_routers_room() {
        let mut b = Bounds::new(64);
        for i in 0..8 {
            assert!(hear(&mut b, a(i)));
            assert!(advertise(&mut b, a(i), true), "tracked, but only heard");
        }
        assert!(!advertise(&mut b, a(9), false), "the routers' room is full");
        assert!(
            advertise(&mut b, a(50), true),
            "tracked from an answer: not bounded"
        );
    }

    #[test]
    fn the_router_flag_of_a_heard_address_is_a_routers_claim() {
        let mut b = Bounds::new(64);
        for i in 0..8 {
            assert!(advertise(&mut b, a(100 + i), false));
        }
        assert!(hear(&mut b, a(1)));
        assert!(!b.router_flag(a(1)), "no room left for its claim");
        assert!(
            b.router_flag(a(50)),
            "a host found otherwise speaks for itself"
        );
        b.answered(a(1));
        assert!(b.router_flag(a(1)), "it answered our probes since");
        assert!(advertise(&mut b, a(1), true));
    }
}
