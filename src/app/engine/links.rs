//! What each link's worker is given: its configuration, this scan's probe identity, and
//! the addresses the kernel's neighbour cache knows on it.

use crate::config::ScanConfig;
use crate::iface::Interface;
use crate::neigh::NeighEntry;
use crate::probe::packet::ProbeTag;
use crate::probe::worker::WorkerConfig;
use std::net::Ipv6Addr;
use std::time::SystemTime;

/// A fresh random probe identity, so answers to other programs (and other scans) are ignored.
pub fn random_tag() -> ProbeTag {
    let mut b = [0u8; 10];
    if getrandom::fill(&mut b).is_err() {
        // No entropy source: fall back to the clock and pid, still unique per run.
        let t = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let x = t ^ (u128::from(std::process::id()) << 64);
        b.copy_from_slice(&x.to_le_bytes()[..10]);
    }
    ProbeTag {
        id: u16::from_le_bytes([b[0], b[1]]),
        cookie: [b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]],
    }
}

/// The addresses an interface confirms because the kernel's neighbour cache knows them:
/// live hosts the cache remembers but that may ignore every multicast probe (a phone in
/// doze). Only those that answer are reported.
pub fn recall_from_cache(
    iface: &Interface,
    cache: &[NeighEntry],
    opts: &ScanConfig,
) -> Vec<Ipv6Addr> {
    cache
        .iter()
        .filter(|n| n.ifindex == iface.index && crate::model::is_host_address(n.addr))
        .filter(|n| !opts.link_local_only || crate::model::is_link_local(n.addr))
        .filter(|n| !iface.addrs.iter().any(|a| a.addr == n.addr))
        .map(|n| n.addr)
        .take(crate::probe::worker::MAX_RECALL)
        .collect()
}

pub(super) fn worker_config(
    iface: &Interface,
    opts: &ScanConfig,
    tag: ProbeTag,
    recall: Vec<Ipv6Addr>,
) -> WorkerConfig {
    let sources = crate::platform::probe_sources(iface, opts.link_local_only);
    WorkerConfig {
        ifindex: iface.index,
        mac: iface.mac,
        sources,
        own: iface.addrs.iter().map(|a| a.addr).collect(),
        wait: opts.wait,
        rounds: opts.rounds,
        tag,
        max_hosts: opts.max_hosts,
        max_answers: opts.max_answers(),
        mld: opts.mld,
        node_name: opts.names,
        prefixes: iface
            .addrs
            .iter()
            .filter(|a| a.prefix_len < 128)
            .map(|a| a.prefix())
            .collect(),
        recall,
        early_end: opts.early_end,
        stop: None,
        inbox: None,
    }
}
