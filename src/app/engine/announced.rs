//! Confirming what hosts announce over mDNS while the probe window is open: each address
//! a host's name resolves to, on one of the link's prefixes, goes to that link's worker to
//! be solicited, and is credited `seen_by: mdns` once it answers with that host's MAC.
//! While a forward lookup is in flight (briefly), the window does not end early.

use crate::collect::HostTable;
use crate::mac::Mac;
use crate::model::{Ipv6Prefix, Observation, SeenBy};
use crate::names::announce::{on_link, MAX_ADDRESSES};
use crate::names::{dns, Answer, NameSource, GRACE};
use crate::probe::worker::{Expected, Inbox};
use std::collections::HashMap;
use std::net::Ipv6Addr;
use std::time::Instant;

/// A forward lookup the window waits for: until its answer comes or [`GRACE`] passes.
struct Hold {
    ifindex: u32,
    /// The name looked up, lower case.
    name: String,
    until: Instant,
    _word: Expected,
}

/// The links' inboxes and what was announced on them; see the module doc.
#[derive(Default)]
pub(super) struct Feed {
    /// Per interface index: its worker's inbox and its own prefixes.
    links: HashMap<u32, (Inbox, Vec<Ipv6Prefix>)>,
    /// Announced address → the MAC of the host whose name it belongs to.
    claimed: HashMap<(u32, Ipv6Addr), Mac>,
    holds: Vec<Hold>,
}

/// The MAC the table has for `addr` on `ifindex`.
fn mac_of(table: &HostTable, ifindex: u32, addr: Ipv6Addr) -> Option<Mac> {
    table.ifaces.get(&ifindex)?.addrs.get(&addr)?.mac
}

/// The link's prefixes as far as the scan knows them yet: ours, those routers advertised,
/// and the /64 of each neighbour that answered.
fn link_prefixes(own: &[Ipv6Prefix], table: &HostTable, ifindex: u32) -> Vec<Ipv6Prefix> {
    let mut v = own.to_vec();
    if let Some(t) = table.ifaces.get(&ifindex) {
        v.extend(t.ra_prefixes.iter().copied());
        v.extend(t.addrs.keys().map(|a| Ipv6Prefix::new(*a, 64)));
    }
    v.sort();
    v.dedup();
    v
}

/// The observation that credits `addr` to mDNS (its MAC came from the probes).
fn credit(ifindex: u32, addr: Ipv6Addr) -> Observation {
    Observation::Address {
        ifindex,
        addr,
        via: SeenBy::Mdns,
        mac: None,
        frame_mac: None,
        rtt: None,
        router: false,
    }
}

impl Feed {
    /// Feeds `inbox` for interface `ifindex`, whose own prefixes are `prefixes`.
    pub(super) fn add_link(&mut self, ifindex: u32, inbox: Inbox, prefixes: Vec<Ipv6Prefix>) {
        self.links.insert(ifindex, (inbox, prefixes));
    }

    /// Takes the resolver's answers so far; returns the observations to add now (addresses
    /// the probes already confirmed with the announcing host's MAC).
    pub(super) fn answers(
        &mut self,
        answers: &[Answer],
        table: &HostTable,
        now: Instant,
    ) -> Vec<Observation> {
        let mut out = Vec::new();
        for a in answers {
            match a {
                Answer::Name(n) if n.source == NameSource::Mdns && dns::is_local(&n.name) => {
                    let name = n.name.to_ascii_lowercase();
                    let held = self
                        .holds
                        .iter()
                        .any(|h| h.ifindex == n.ifindex && h.name == name);
                    if let (false, Some((inbox, _))) = (held, self.links.get(&n.ifindex)) {
                        self.holds.push(Hold {
                            ifindex: n.ifindex,
                            name,
                            until: now + GRACE,
                            _word: inbox.expect(),
                        });
                    }
                }
                Answer::Addresses(x) => {
                    self.holds.retain(|h| {
                        !(h.ifindex == x.ifindex && h.name.eq_ignore_ascii_case(&x.name))
                    });
                    let (Some(mac), Some((inbox, own))) = (
                        mac_of(table, x.ifindex, x.asked),
                        self.links.get(&x.ifindex),
                    ) else {
                        continue;
                    };
                    let prefixes = link_prefixes(own, table, x.ifindex);
                    let mut ask = Vec::new();
                    for v6 in x.v6.iter().take(MAX_ADDRESSES).copied() {
                        if !on_link(v6, &prefixes) {
                            continue; // shown as `announced`, never probed
                        }
                        if mac_of(table, x.ifindex, v6) == Some(mac) {
                            out.push(credit(x.ifindex, v6));
                        } else if self.claimed.insert((x.ifindex, v6), mac).is_none() {
                            ask.push(v6);
                        }
                    }
                    inbox.push(ask);
                }
                _ => {}
            }
        }
        out
    }

    /// The credit for an observation that confirms an announced address with the
    /// announcing host's MAC, once.
    pub(super) fn confirmed(&mut self, obs: &Observation) -> Option<Observation> {
        let Observation::Address {
            ifindex,
            addr,
            mac: Some(mac),
            ..
        } = obs
        else {
            return None;
        };
        match self.claimed.get(&(*ifindex, *addr)) {
            Some(m) if m == mac => {
                self.claimed.remove(&(*ifindex, *addr));
                Some(credit(*ifindex, *addr))
            }
            _ => None,
        }
    }

    /// Lets go of forward lookups that took longer than [`GRACE`].
    pub(super) fn tick(&mut self, now: Instant) {
        self.holds.retain(|h| h.until > now);
    }

    /// Whether anything is fed: the scan then looks at the resolver every few ms.
    pub(super) fn active(&self) -> bool {
        !self.links.is_empty()
    }
}

#[cfg(test)]
#[path = "announced_tests.rs"]
mod tests;
