//! MLD in the probe loop: every host that reports its groups is a live host, and its
//! solicited-node groups give address candidates — in every prefix of the link, with
//! every interface ID we know it uses — which a solicitation then confirms. The
//! candidate arithmetic is [`crate::probe::packet::mld::candidates`]; this is what the
//! worker remembers between reports.

use crate::mac::Mac;
use crate::model::{interface_id, is_link_local, Ipv6Prefix};
use crate::probe::packet::mld;
use std::collections::{HashMap, HashSet};
use std::net::Ipv6Addr;

/// The reporters and the candidates they gave.
#[derive(Debug, Default)]
pub(super) struct Listeners {
    /// Solicited-node bits each reporter listed.
    hosts: HashMap<Ipv6Addr, Vec<u32>>,
    /// Candidates solicited because of reports.
    candidates: HashSet<Ipv6Addr>,
}

impl Listeners {
    /// `host` reported `groups`: their solicited-node bits are kept, up to
    /// [`mld::MAX_CANDIDATES_PER_HOST`] per host.
    pub(super) fn report(&mut self, host: Ipv6Addr, groups: Vec<Ipv6Addr>) {
        let bits = self.hosts.entry(host).or_default();
        for b in groups.into_iter().filter_map(mld::solicited_node_bits) {
            if bits.len() < mld::MAX_CANDIDATES_PER_HOST && !bits.contains(&b) {
                bits.push(b);
            }
        }
    }

    /// Every candidate address of every reporter in the link's global and ULA
    /// `prefixes`, given the MACs learnt so far; `asked` says which were asked about
    /// already. Called whenever a report, a MAC or a prefix arrives, since each can
    /// complete a candidate.
    pub(super) fn candidates(
        &self,
        prefixes: &[Ipv6Prefix],
        macs: &HashMap<Ipv6Addr, Mac>,
        asked: impl Fn(Ipv6Addr) -> bool,
    ) -> Vec<Ipv6Addr> {
        if self.hosts.is_empty() {
            return Vec::new();
        }
        let mut prefixes = prefixes.to_vec();
        prefixes.retain(|p| !is_link_local(p.addr()));
        let mut new = Vec::new();
        for (host, bits) in &self.hosts {
            let mac = macs.get(host).copied();
            let known: Vec<u64> = macs
                .iter()
                .filter(|(_, m)| mac.is_some_and(|mac| **m == mac))
                .map(|(a, _)| interface_id(*a))
                .chain(std::iter::once(interface_id(*host)))
                .collect();
            new.extend(
                mld::candidates(bits, &prefixes, mac, &known)
                    .into_iter()
                    .filter(|c| !asked(*c)),
            );
        }
        new
    }

    /// `addr` is solicited as a candidate.
    pub(super) fn mark(&mut self, addr: Ipv6Addr) {
        self.candidates.insert(addr);
    }

    /// Whether `addr` was solicited as a candidate: its first answer credits MLD.
    pub(super) fn is_candidate(&self, addr: Ipv6Addr) -> bool {
        self.candidates.contains(&addr)
    }
}
