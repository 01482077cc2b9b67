//! The kernel's neighbour cache, read as a supplement for MACs. A cache entry alone never
//! makes a live host: the collector only uses it for addresses that answered.

use crate::mac::Mac;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Reachability state of a cache entry, as the kernel reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeighState {
    /// Confirmed recently.
    Reachable,
    /// Not confirmed recently.
    Stale,
    /// Waiting to re-confirm.
    Delay,
    /// Being re-confirmed.
    Probe,
    /// Configured by hand.
    Permanent,
}

/// One neighbour-cache entry worth knowing about (resolution failures, incomplete and
/// no-ARP entries are left out by the platform reader).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NeighEntry {
    /// Interface index.
    pub ifindex: u32,
    /// Neighbour address.
    pub addr: Ipv6Addr,
    /// Its link-layer address.
    pub mac: Option<Mac>,
    /// Cache state.
    pub state: NeighState,
    /// The kernel marked it a router.
    pub router: bool,
}

/// One IPv4 address learned for a MAC on an interface (ARP table or sweep).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Neighbour {
    /// Interface index.
    pub ifindex: u32,
    /// The IPv4 address.
    pub addr: Ipv4Addr,
    /// Its owner's MAC.
    pub mac: Mac,
}

/// Reads the neighbour cache.
pub trait NeighSource {
    /// Every usable IPv6 entry on every interface.
    fn dump(&self) -> std::io::Result<Vec<NeighEntry>>;

    /// Every IPv4 (ARP) entry confirmed recently (not merely stale) on every interface.
    fn dump_ipv4(&self) -> std::io::Result<Vec<Ipv4Neighbour>> {
        Ok(Vec::new())
    }
}
