//! The ARP sweep (`--ipv4`): paced ARP requests for every address of an interface's IPv4
//! subnet over a layer-2 [`ArpChannel`] (the platform's packet socket, or a fake in tests),
//! and the replies, until the scan window closes.

use super::{arp_request, parse_arp_reply, send_offset, sweep_targets, SweepError};
use crate::mac::Mac;
use crate::neigh::Ipv4Neighbour;
use std::collections::BTreeSet;
use std::io;
use std::net::Ipv4Addr;
use std::time::Instant;

/// A layer-2 channel on one interface, opened by the platform while the process still
/// held its privileges.
pub trait ArpChannel {
    /// Sends one Ethernet frame.
    fn send(&mut self, frame: &[u8]) -> io::Result<()>;
    /// The next frame that arrives within a few milliseconds; `Ok(None)` when none came.
    fn recv(&mut self) -> io::Result<Option<&[u8]>>;
}

/// How one sweep runs.
#[derive(Clone, Copy, Debug)]
pub struct SweepWindow {
    /// Requests a second.
    pub rate: u32,
    /// Largest subnet (in host addresses) swept.
    pub max_hosts: u32,
    /// When to stop listening for replies.
    pub deadline: Instant,
}

/// Why an interface was not swept.
#[derive(Debug)]
pub enum SweepFailure {
    /// The subnet is larger than allowed.
    Size(SweepError),
    /// The layer-2 channel failed.
    Io(io::Error),
}

impl std::fmt::Display for SweepFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepFailure::Size(e) => e.fmt(f),
            SweepFailure::Io(e) => write!(f, "ARP sweep failed: {e}"),
        }
    }
}

/// Sweeps the subnet of `own` on interface `ifindex` over `chan` and returns who answered.
pub fn sweep(
    chan: &mut dyn ArpChannel,
    ifindex: u32,
    mac: Mac,
    own: (Ipv4Addr, u8),
    win: SweepWindow,
) -> Result<Vec<Ipv4Neighbour>, SweepFailure> {
    let targets = sweep_targets(own.0, own.1, win.max_hosts).map_err(SweepFailure::Size)?;
    let start = Instant::now();
    let mut found = BTreeSet::new();
    let mut next = 0;
    loop {
        let now = Instant::now();
        while next < targets.len() && start + send_offset(next, win.rate) <= now {
            let frame = arp_request(mac, own.0, targets[next]);
            chan.send(&frame).map_err(SweepFailure::Io)?;
            next += 1;
        }
        if now >= win.deadline {
            break;
        }
        match chan.recv() {
            Ok(Some(frame)) => {
                if let Some((addr, from)) = parse_arp_reply(frame) {
                    // Only answers from the swept subnet, and never our own.
                    if addr != own.0
                        && sweep_targets_contains(own, addr)
                        && found.len() < win.max_hosts as usize
                    {
                        found.insert((addr, from));
                    }
                }
            }
            Ok(None) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(SweepFailure::Io(e)),
        }
    }
    Ok(found
        .into_iter()
        .map(|(addr, mac)| Ipv4Neighbour { ifindex, addr, mac })
        .collect())
}

fn sweep_targets_contains(own: (Ipv4Addr, u8), addr: Ipv4Addr) -> bool {
    let mask = if own.1 == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(own.1.min(32)))
    };
    u32::from(own.0) & mask == u32::from(addr) & mask
}

#[cfg(test)]
#[path = "sweep_tests.rs"]
mod tests;
