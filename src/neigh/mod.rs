//! The kernel's neighbour cache, read as a supplement for MACs. A cache entry alone never
//! makes a live host: the collector only uses it for addresses that answered.

#[cfg(target_os = "linux")]
pub mod linux;

use crate::mac::Mac;
use std::net::Ipv6Addr;

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

/// Reads the neighbour cache.
pub trait NeighSource {
    /// Every usable IPv6 entry on every interface.
    fn dump(&self) -> std::io::Result<Vec<NeighEntry>>;

    /// Every IPv4 (ARP) entry confirmed recently (not merely stale) on every interface.
    fn dump_ipv4(&self) -> std::io::Result<Vec<crate::ipv4::Ipv4Neighbour>> {
        Ok(Vec::new())
    }
}
