//! The ARP sweep (`--ipv4`): paced ARP requests for every address of an interface's IPv4
//! subnet over a layer-2 `pnet` channel, and the replies, until the scan window closes.

use super::{arp_request, parse_arp_reply, send_offset, sweep_targets, Ipv4Neighbour, SweepError};
use crate::mac::Mac;
use pnet::datalink::{self, Channel, Config};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

/// How to sweep.
#[derive(Clone, Copy, Debug)]
pub struct SweepConfig {
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
    /// The layer-2 channel could not be opened or used.
    Io(std::io::Error),
}

impl std::fmt::Display for SweepFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepFailure::Size(e) => e.fmt(f),
            SweepFailure::Io(e) if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)) => {
                write!(
                    f,
                    "no ARP sweep: it needs CAP_NET_RAW (run with sudo, or once: {})",
                    crate::privilege::SETCAP
                )
            }
            SweepFailure::Io(e) => write!(f, "ARP sweep failed: {e}"),
        }
    }
}

/// The interface's first IPv4 address and prefix length, if it has one.
pub fn interface_ipv4(ifindex: u32) -> Option<(Ipv4Addr, u8)> {
    datalink::interfaces()
        .into_iter()
        .find(|i| i.index == ifindex)?
        .ips
        .iter()
        .find_map(|n| match n {
            pnet::ipnetwork::IpNetwork::V4(v4) => Some((v4.ip(), v4.prefix())),
            pnet::ipnetwork::IpNetwork::V6(_) => None,
        })
}

/// A layer-2 channel on one interface, opened while the process still holds CAP_NET_RAW.
pub struct ArpChannel {
    tx: Box<dyn datalink::DataLinkSender>,
    rx: Box<dyn datalink::DataLinkReceiver>,
}

/// Opens the layer-2 channel of interface `ifindex`.
pub fn open(ifindex: u32) -> Result<ArpChannel, SweepFailure> {
    let iface = datalink::interfaces()
        .into_iter()
        .find(|i| i.index == ifindex)
        .ok_or_else(|| SweepFailure::Io(std::io::Error::other("interface vanished")))?;
    let config = Config {
        read_timeout: Some(Duration::from_millis(5)),
        ..Config::default()
    };
    match datalink::channel(&iface, config) {
        Ok(Channel::Ethernet(tx, rx)) => Ok(ArpChannel { tx, rx }),
        Ok(_) => Err(SweepFailure::Io(std::io::Error::other(
            "not an Ethernet interface",
        ))),
        Err(e) => Err(SweepFailure::Io(e)),
    }
}

/// Sweeps the subnet of `own` on interface `ifindex` over `chan` and returns who answered.
pub fn sweep(
    chan: &mut ArpChannel,
    ifindex: u32,
    mac: Mac,
    own: (Ipv4Addr, u8),
    cfg: SweepConfig,
) -> Result<Vec<Ipv4Neighbour>, SweepFailure> {
    let targets = sweep_targets(own.0, own.1, cfg.max_hosts).map_err(SweepFailure::Size)?;
    let ArpChannel { tx, rx } = chan;
    let start = Instant::now();
    let mut found = BTreeSet::new();
    let mut next = 0;
    loop {
        let now = Instant::now();
        while next < targets.len() && start + send_offset(next, cfg.rate) <= now {
            let frame = arp_request(mac, own.0, targets[next]);
            if let Some(Err(e)) = tx.send_to(&frame, None) {
                return Err(SweepFailure::Io(e));
            }
            next += 1;
        }
        if now >= cfg.deadline {
            break;
        }
        match rx.next() {
            Ok(frame) => {
                if let Some((addr, from)) = parse_arp_reply(frame) {
                    // Only answers from the swept subnet, and never our own.
                    if addr != own.0
                        && sweep_targets_contains(own, addr)
                        && found.len() < cfg.max_hosts as usize
                    {
                        found.insert((addr, from));
                    }
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::Interrupted
                ) => {}
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
mod tests {
    use super::*;

    #[test]
    fn missing_privilege_says_how_to_get_it() {
        let e = SweepFailure::Io(std::io::Error::from_raw_os_error(libc::EPERM));
        let text = e.to_string();
        assert!(
            text.contains("CAP_NET_RAW") && text.contains("setcap"),
            "{text}"
        );
        assert!(
            !text.contains("os error") && !text.contains("not permitted"),
            "{text}"
        );
    }
}
