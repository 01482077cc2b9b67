//! What the link taught the worker beyond addresses: the MAC each advertisement named
//! (MLD candidates are formed with them, Node Information claims checked against them)
//! and the prefixes on the link (ours, and those routers advertised).

use crate::mac::Mac;
use crate::model::{is_link_local, Ipv6Prefix};
use std::collections::HashMap;
use std::net::Ipv6Addr;

/// Most prefixes kept per link: routers may advertise more, forged ones far more.
const MAX_PREFIXES: usize = 64;

/// The MACs and prefixes learnt so far.
#[derive(Debug)]
pub(super) struct Learned {
    max_macs: usize,
    macs: HashMap<Ipv6Addr, Mac>,
    prefixes: Vec<Ipv6Prefix>,
}

impl Learned {
    /// Starting from the interface's own `prefixes`; at most `max_macs` MACs.
    pub(super) fn new(prefixes: Vec<Ipv6Prefix>, max_macs: usize) -> Self {
        Learned {
            max_macs,
            macs: HashMap::new(),
            prefixes,
        }
    }

    /// An advertisement said `addr` is at `mac`: true when that is new (and kept).
    pub(super) fn mac(&mut self, addr: Ipv6Addr, mac: Mac) -> bool {
        self.macs.len() < self.max_macs && self.macs.insert(addr, mac).is_none()
    }

    /// The MAC an advertisement gave for `addr`.
    pub(super) fn mac_of(&self, addr: Ipv6Addr) -> Option<Mac> {
        self.macs.get(&addr).copied()
    }

    /// Every MAC learnt, by address.
    pub(super) fn macs(&self) -> &HashMap<Ipv6Addr, Mac> {
        &self.macs
    }

    /// A router advertised `prefix`: true when it is new (and kept).
    pub(super) fn prefix(&mut self, prefix: Ipv6Prefix) -> bool {
        if self.prefixes.len() >= MAX_PREFIXES || self.prefixes.contains(&prefix) {
            return false;
        }
        self.prefixes.push(prefix);
        true
    }

    /// The prefixes on the link.
    pub(super) fn prefixes(&self) -> &[Ipv6Prefix] {
        &self.prefixes
    }

    /// Whether `addr` is on the link: link-local, or in one of its prefixes.
    pub(super) fn on_link(&self, addr: Ipv6Addr) -> bool {
        is_link_local(addr) || self.prefixes.iter().any(|p| p.contains(addr))
    }
}
