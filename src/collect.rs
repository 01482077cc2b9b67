//! The collector: merges observations from every worker, and the kernel's neighbour
//! cache, into one table of addresses per interface. Pure and bounded.

use crate::mac::Mac;
use crate::model::{is_host_address, ClaimVia, Ipv6Prefix, Observation, SeenBy};
use crate::neigh::NeighEntry;
use crate::router::Router;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv6Addr;
use std::time::Duration;

/// Everything known about one address of one neighbour.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AddrEntry {
    /// Its MAC, once learned: what its own NA or RA said, else the source of its frames,
    /// else its own solicitation or the kernel's cache.
    pub mac: Option<Mac>,
    /// The source MAC of the frames its answers came in (kept beside `mac` as a
    /// cross-check: a frame from another MAC than the NA named is a finding).
    pub frame_mac: Option<Mac>,
    /// How it was seen during this scan.
    pub seen_by: BTreeSet<SeenBy>,
    /// Fastest round-trip time of an echo or Parameter Problem answer.
    pub rtt: Option<Duration>,
    /// It advertised itself as a router.
    pub router: bool,
    /// Only in the neighbour cache: nothing answered for it during this scan.
    pub stale: bool,
    /// Whose word `mac` is; a weaker word never replaces a stronger one.
    pub mac_word: MacWord,
}

/// Where an entry's MAC came from, weakest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum MacWord {
    /// The source of the frames its answers came in (or nothing yet).
    #[default]
    Frame,
    /// A link-layer option of its RA or NS: the neighbour's own word.
    Option,
    /// A Neighbour Advertisement's target option: the strongest word, which no RA or NS
    /// source option replaces (a forged RA could otherwise rename a host).
    Advert,
}

/// Most distinct claims kept per address: enough to show a conflict, too few for a flood.
pub const MAX_CLAIMS_PER_ADDR: usize = 4;

/// What the collector knows about one interface.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IfaceTable {
    /// Live addresses (and, with `include_stale`, stale cache entries).
    pub addrs: HashMap<Ipv6Addr, AddrEntry>,
    /// On-link prefixes learned from Router Advertisements.
    pub ra_prefixes: BTreeSet<Ipv6Prefix>,
    /// Routers heard, by link-local address, with their last advertisement.
    pub routers: BTreeMap<Ipv6Addr, Router>,
    /// Every distinct MAC claim per address (at most [`MAX_CLAIMS_PER_ADDR`] each), in
    /// arrival order.
    pub claims: HashMap<Ipv6Addr, Vec<(Mac, ClaimVia)>>,
    /// MACs neighbours announced in their own solicitations, used only for live addresses.
    mac_hints: HashMap<Ipv6Addr, Mac>,
}

/// The collector's table: per interface index, bounded by `max_hosts` addresses each.
#[derive(Clone, Debug)]
pub struct HostTable {
    max_hosts: usize,
    /// Per interface index.
    pub ifaces: BTreeMap<u32, IfaceTable>,
    /// Addresses (and hints) not stored because an interface was full.
    pub dropped_over_limit: u64,
}

/// Both claims come from the same kind of message.
fn same_kind(a: ClaimVia, b: ClaimVia) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// Of two advertisements by one sender, the flags of both together.
fn bolder(a: ClaimVia, b: ClaimVia) -> ClaimVia {
    match (a, b) {
        (
            ClaimVia::Advert {
                override_flag: o1,
                router: r1,
            },
            ClaimVia::Advert {
                override_flag: o2,
                router: r2,
            },
        ) => ClaimVia::Advert {
            override_flag: o1 || o2,
            router: r1 || r2,
        },
        (a, _) => a,
    }
}

impl HostTable {
    /// An empty table holding at most `max_hosts` addresses per interface.
    pub fn new(max_hosts: usize) -> Self {
        HostTable {
            max_hosts,
            ifaces: BTreeMap::new(),
            dropped_over_limit: 0,
        }
    }

    /// Adds one observation. Duplicates merge; over the limit, new addresses are dropped.
    pub fn add(&mut self, obs: Observation) {
        let max = self.max_hosts;
        match obs {
            Observation::Address {
                ifindex,
                addr,
                via,
                mac,
                frame_mac,
                rtt,
                router,
            } => {
                let t = self.ifaces.entry(ifindex).or_default();
                if !t.addrs.contains_key(&addr) && t.addrs.len() >= max {
                    self.dropped_over_limit += 1;
                    return;
                }
                let e = t.addrs.entry(addr).or_default();
                e.seen_by.insert(via);
                // A link-layer option wins over the frame's source, which only fills a MAC
                // nothing else gave; and an NA's option wins over an RA's or NS's.
                let word = match (mac, via) {
                    (Some(_), SeenBy::Ndp | SeenBy::Mld) => Some((mac, MacWord::Advert)),
                    (Some(_), _) => Some((mac, MacWord::Option)),
                    (None, _) => frame_mac.is_some().then_some((frame_mac, MacWord::Frame)),
                };
                if let Some((m, w)) = word.filter(|(_, w)| *w >= e.mac_word) {
                    e.mac = m;
                    e.mac_word = w;
                }
                if frame_mac.is_some() {
                    e.frame_mac = frame_mac;
                }
                e.rtt = match (e.rtt, rtt) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                e.router |= router;
            }
            Observation::MacHint { ifindex, addr, mac } => {
                let t = self.ifaces.entry(ifindex).or_default();
                if t.mac_hints.len() < max || t.mac_hints.contains_key(&addr) {
                    t.mac_hints.insert(addr, mac);
                } else {
                    self.dropped_over_limit += 1;
                }
            }
            Observation::Router {
                ifindex,
                addr,
                mac,
                advert,
            } => {
                let t = self.ifaces.entry(ifindex).or_default();
                if !t.routers.contains_key(&addr) && t.routers.len() >= max {
                    self.dropped_over_limit += 1;
                    return;
                }
                let r = t.routers.entry(addr).or_insert_with(|| Router {
                    address: addr,
                    mac,
                    adverts: 0,
                    advert: Default::default(),
                });
                r.mac = mac.or(r.mac);
                r.adverts = r.adverts.saturating_add(1);
                r.advert = *advert;
            }
            Observation::Claim {
                ifindex,
                addr,
                mac,
                via,
            } => {
                let t = self.ifaces.entry(ifindex).or_default();
                if !t.claims.contains_key(&addr) && t.claims.len() >= max {
                    self.dropped_over_limit += 1;
                    return;
                }
                let claims = t.claims.entry(addr).or_default();
                match claims
                    .iter()
                    .position(|(m, v)| *m == mac && same_kind(*v, via))
                {
                    // One sender's flags may differ between its answers: keep the boldest.
                    Some(i) => claims[i].1 = bolder(claims[i].1, via),
                    None if claims.len() < MAX_CLAIMS_PER_ADDR => claims.push((mac, via)),
                    None => self.dropped_over_limit += 1,
                }
            }
            // Names go to the report's rows with every other name, at its end.
            Observation::Name { .. } => {}
            Observation::Prefix { ifindex, prefix } => {
                let t = self.ifaces.entry(ifindex).or_default();
                if t.ra_prefixes.len() < max {
                    t.ra_prefixes.insert(prefix);
                }
            }
        }
    }

    /// Fills the MACs nothing else gave: first from neighbours' own solicitations, then
    /// from the kernel's neighbour cache. Cache entries for addresses that did not answer
    /// are added as `stale` only when `include_stale` is set — a cache entry alone never
    /// makes a live host.
    pub fn merge_cache(&mut self, cache: &[NeighEntry], include_stale: bool) {
        for t in self.ifaces.values_mut() {
            for (addr, e) in t.addrs.iter_mut() {
                if e.mac.is_none() {
                    e.mac = t.mac_hints.get(addr).copied();
                }
            }
        }
        for n in cache {
            if !is_host_address(n.addr) {
                continue;
            }
            let Some(t) = self.ifaces.get_mut(&n.ifindex) else {
                continue;
            };
            match t.addrs.get_mut(&n.addr) {
                Some(e) => {
                    if e.mac.is_none() {
                        e.mac = n.mac;
                    }
                    e.router |= n.router && !e.stale;
                }
                None if include_stale => {
                    if t.addrs.len() >= self.max_hosts {
                        self.dropped_over_limit += 1;
                        continue;
                    }
                    t.addrs.insert(
                        n.addr,
                        AddrEntry {
                            mac: n.mac,
                            seen_by: [SeenBy::Cache].into(),
                            router: n.router,
                            stale: true,
                            ..AddrEntry::default()
                        },
                    );
                }
                None => {}
            }
        }
    }

    /// Number of live (not stale) addresses over all interfaces.
    pub fn live_count(&self) -> usize {
        self.ifaces
            .values()
            .flat_map(|t| t.addrs.values())
            .filter(|e| !e.stale)
            .count()
    }
}

#[cfg(test)]
#[path = "collect_tests.rs"]
mod tests;
