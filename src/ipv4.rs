//! Dual stack: each host's IPv4 addresses, learned by MAC. Pure pieces here (sweep
//! sizing, ARP frames, attaching addresses to the report); the ARP sweep's I/O is in
//! [`sweep`], the kernel's IPv4 neighbour table in `neigh`.

pub mod sweep;

use crate::mac::Mac;
use crate::neigh::Ipv4Neighbour;
use crate::report::{IfaceReport, Ipv4OnlyHost};
use pnet_packet::arp::{ArpHardwareTypes, ArpOperations, ArpPacket, MutableArpPacket};
use pnet_packet::ethernet::{EtherTypes, EthernetPacket, MutableEthernetPacket};
use pnet_packet::{MutablePacket, Packet};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

/// Default ARP sweep rate: 1000 requests a second per interface, so a /24 takes about a
/// quarter of a second and a /22 about a second, well below what a switch or host minds.
pub const DEFAULT_RATE: u32 = 1000;
/// Largest subnet swept without `--ipv4-max-hosts`: a /22.
pub const DEFAULT_MAX_HOSTS: u32 = 1022;

/// Why a subnet is not swept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SweepError {
    /// More hosts than allowed; the message says how to allow it.
    TooLarge {
        /// The subnet.
        subnet: String,
        /// Its host count.
        hosts: u64,
        /// The limit in force.
        max: u32,
    },
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::TooLarge { subnet, hosts, max } => write!(
                f,
                "not sweeping {subnet}: {hosts} addresses is more than {max}; \
                 raise --ipv4-max-hosts to sweep it anyway"
            ),
        }
    }
}

/// The addresses an ARP sweep of `addr/prefix` asks for: every host address of the
/// subnet except ours (and, below /31, the network and broadcast addresses).
pub fn sweep_targets(
    addr: Ipv4Addr,
    prefix: u8,
    max_hosts: u32,
) -> Result<Vec<Ipv4Addr>, SweepError> {
    let prefix = prefix.min(32);
    let size = 1u64 << (32 - u32::from(prefix));
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    };
    let net = u32::from(addr) & mask;
    let (first, last) = if prefix >= 31 {
        (u64::from(net), u64::from(net) + size - 1)
    } else {
        (u64::from(net) + 1, u64::from(net) + size - 2)
    };
    let hosts = last + 1 - first;
    if hosts > u64::from(max_hosts) {
        return Err(SweepError::TooLarge {
            subnet: format!("{}/{prefix}", Ipv4Addr::from(net)),
            hosts,
            max: max_hosts,
        });
    }
    Ok((first..=last)
        .filter_map(|a| u32::try_from(a).ok())
        .map(Ipv4Addr::from)
        .filter(|a| *a != addr)
        .collect())
}

/// When the `i`-th request of a sweep goes out at `rate` requests a second.
pub fn send_offset(i: usize, rate: u32) -> Duration {
    Duration::from_secs_f64(i as f64 / f64::from(rate.max(1)))
}

/// A broadcast ARP request (Ethernet frame, 42 bytes) asking who has `target`.
pub fn arp_request(src_mac: Mac, src_ip: Ipv4Addr, target: Ipv4Addr) -> Vec<u8> {
    let mut frame = vec![0u8; 42];
    if let Some(mut eth) = MutableEthernetPacket::new(&mut frame) {
        eth.set_destination(pnet_datalink::MacAddr::broadcast());
        eth.set_source(src_mac.0.into());
        eth.set_ethertype(EtherTypes::Arp);
        if let Some(mut arp) = MutableArpPacket::new(eth.payload_mut()) {
            arp.set_hardware_type(ArpHardwareTypes::Ethernet);
            arp.set_protocol_type(EtherTypes::Ipv4);
            arp.set_hw_addr_len(6);
            arp.set_proto_addr_len(4);
            arp.set_operation(ArpOperations::Request);
            arp.set_sender_hw_addr(src_mac.0.into());
            arp.set_sender_proto_addr(src_ip);
            arp.set_target_hw_addr(pnet_datalink::MacAddr::zero());
            arp.set_target_proto_addr(target);
        }
    }
    frame
}

/// The (address, MAC) an ARP reply announces, or `None` for anything else (requests,
/// other protocols, truncated frames, zero or group MACs, unusable addresses).
pub fn parse_arp_reply(frame: &[u8]) -> Option<(Ipv4Addr, Mac)> {
    let eth = EthernetPacket::new(frame)?;
    if eth.get_ethertype() != EtherTypes::Arp {
        return None;
    }
    let arp = ArpPacket::new(eth.payload())?;
    if arp.get_operation() != ArpOperations::Reply
        || arp.get_hardware_type() != ArpHardwareTypes::Ethernet
        || arp.get_protocol_type() != EtherTypes::Ipv4
        || arp.get_hw_addr_len() != 6
        || arp.get_proto_addr_len() != 4
    {
        return None;
    }
    let mac = Mac(arp.get_sender_hw_addr().octets());
    let ip = arp.get_sender_proto_addr();
    let usable =
        !(ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() || ip.is_loopback());
    (usable && mac.is_host()).then_some((ip, mac))
}

/// Puts each IPv4 address on every row of the host with that MAC, and lists IPv4
/// neighbours whose MAC no IPv6 host has as IPv4-only hosts. Neighbours of interfaces
/// not in the report are ignored.
pub fn attach(interfaces: &mut [IfaceReport], neighbours: &[Ipv4Neighbour]) {
    for iface in interfaces {
        let mut by_mac: BTreeMap<Mac, BTreeSet<Ipv4Addr>> = BTreeMap::new();
        for n in neighbours.iter().filter(|n| n.ifindex == iface.index) {
            by_mac.entry(n.mac).or_default().insert(n.addr);
        }
        let mut used = BTreeSet::new();
        for row in iface.prefixes.iter_mut().flat_map(|p| p.hosts.iter_mut()) {
            if let Some(addrs) = row.mac.and_then(|m| by_mac.get(&m)) {
                row.ipv4 = addrs.iter().copied().collect();
                used.extend(row.mac);
            }
        }
        iface.ipv4_only = by_mac
            .into_iter()
            .filter(|(mac, _)| !used.contains(mac) && Some(*mac) != iface.mac)
            .flat_map(|(mac, addrs)| {
                addrs.into_iter().map(move |addr| Ipv4OnlyHost {
                    addr,
                    mac,
                    vendor: crate::oui::lookup(mac),
                })
            })
            .collect();
        iface.ipv4_only.sort_by_key(|h| h.addr);
    }
}

#[cfg(test)]
#[path = "ipv4_tests.rs"]
mod tests;
