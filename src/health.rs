//! The link's health: findings about one interface from what a scan heard (conflicting
//! claims for one address, Router flags without RAs, one MAC answering for many unrelated
//! addresses) and from what the inventory remembers (routers and MACs seen before).
//! Pure: the claims, routers and memories come in, [`Alert`]s go out.

use crate::collect::IfaceTable;
use crate::mac::Mac;
use crate::model::{interface_id, ClaimVia, Ipv6Prefix};
use crate::report::{Alert, AlertKind, IfaceReport};
use crate::router::{Preference, Router};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::Ipv6Addr;

/// A MAC answering for at least this many addresses with distinct interface IDs is
/// flagged as a proxy. A host with privacy addresses on three prefixes has about seven
/// (link-local, a stable and a temporary or two per prefix).
pub const PROXY_MIN_IIDS: usize = 12;

/// Addresses listed in one proxy alert at most.
const PROXY_LISTED: usize = 8;

/// What the inventory knows about an interface, for the findings that need the past.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Known {
    /// The inventory has seen this interface before (on the first scan of a link nothing
    /// is new and no router is rogue).
    pub seen_before: bool,
    /// Routers seen on this interface before.
    pub routers: Vec<KnownRouter>,
    /// The MAC each address had when the inventory last saw it.
    pub macs: HashMap<Ipv6Addr, Mac>,
}

/// A router the inventory saw on the interface, and what it last advertised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownRouter {
    /// Its MAC.
    pub mac: Mac,
    /// What it advertised, when the inventory kept that (older files did not).
    pub advert: Option<KnownAdvert>,
}

/// The part of an advertisement the inventory keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownAdvert {
    /// Router lifetime in seconds.
    pub lifetime: u16,
    /// Default router preference.
    pub preference: Preference,
    /// The prefixes it advertised.
    pub prefixes: Vec<Ipv6Prefix>,
}

impl KnownAdvert {
    /// What the inventory keeps of `r`'s advertisement.
    pub fn of(r: &Router) -> KnownAdvert {
        KnownAdvert {
            lifetime: r.advert.router_lifetime,
            preference: r.advert.preference,
            prefixes: advertised(r),
        }
    }
}

/// The prefixes a router advertises, sorted.
pub fn advertised(r: &Router) -> Vec<Ipv6Prefix> {
    let set: BTreeSet<Ipv6Prefix> = r
        .advert
        .prefixes
        .iter()
        .map(|p| Ipv6Prefix::new(p.prefix, p.len))
        .collect();
    set.into_iter().collect()
}

fn alert(kind: AlertKind, addrs: &[Ipv6Addr], macs: &[Mac], message: String) -> Alert {
    let mut addresses = addrs.to_vec();
    addresses.sort_unstable();
    addresses.dedup();
    let mut macs = macs.to_vec();
    macs.sort_unstable();
    macs.dedup();
    Alert {
        kind,
        addresses,
        macs,
        message,
    }
}

fn list(macs: &[Mac]) -> String {
    macs.iter()
        .map(Mac::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The findings of one scan of one interface: duplicate and anycast addresses, MACs
/// claimed differently by an NA and an RA or NS, Router flags from hosts that sent no RA,
/// and proxies. `own`: our MACs (never flagged).
pub fn scan_alerts(table: &IfaceTable, routers: &[Router], own: &HashSet<Mac>) -> Vec<Alert> {
    let mut out = Vec::new();
    let advertising: HashSet<Mac> = routers.iter().filter_map(|r| r.mac).collect();
    let advertising_addrs: HashSet<Ipv6Addr> = routers.iter().map(|r| r.address).collect();
    let mut flagged_router = BTreeSet::new();
    let mut answered: BTreeMap<Mac, BTreeSet<Ipv6Addr>> = BTreeMap::new();
    for (addr, claims) in &table.claims {
        let mut adverts: Vec<(Mac, bool)> = Vec::new();
        for (mac, via) in claims {
            if let ClaimVia::Advert { override_flag, .. } = via {
                match adverts.iter_mut().find(|(m, _)| m == mac) {
                    Some((_, o)) => *o |= override_flag,
                    None => adverts.push((*mac, *override_flag)),
                }
            }
        }
        let na_macs: Vec<Mac> = adverts.iter().map(|(m, _)| *m).collect();
        for m in &na_macs {
            answered.entry(*m).or_default().insert(*addr);
        }
        if na_macs.len() >= 2 {
            let overriding = adverts.iter().any(|(_, o)| *o);
            out.push(if overriding {
                alert(
                    AlertKind::DuplicateAddress,
                    &[*addr],
                    &na_macs,
                    format!(
                        "{addr} is claimed by {} MACs: {}",
                        na_macs.len(),
                        list(&na_macs)
                    ),
                )
            } else {
                alert(
                    AlertKind::Anycast,
                    &[*addr],
                    &na_macs,
                    format!(
                        "{addr} is answered for by {}, none overriding: on-link anycast",
                        list(&na_macs)
                    ),
                )
            });
        }
        // An RA's or NS's source option naming another MAC than the NA confirmed.
        if !na_macs.is_empty() {
            for (mac, via) in claims {
                let what = match via {
                    ClaimVia::RouterAdvert => "a Router Advertisement",
                    ClaimVia::Solicit => "a Neighbour Solicitation",
                    ClaimVia::Advert { .. } => continue,
                };
                if !na_macs.contains(mac) && !own.contains(mac) {
                    let mut macs = na_macs.clone();
                    macs.push(*mac);
                    out.push(alert(
                        AlertKind::MacChange,
                        &[*addr],
                        &macs,
                        format!(
                            "{addr} is {} by its Neighbour Advertisement, but {what} from it \
                             names {mac}",
                            list(&na_macs)
                        ),
                    ));
                }
            }
        }
        for (mac, via) in claims {
            if let ClaimVia::Advert { router: true, .. } = via {
                if !advertising.contains(mac)
                    && !advertising_addrs.contains(addr)
                    && !own.contains(mac)
                    && flagged_router.insert(*mac)
                {
                    out.push(alert(
                        AlertKind::RouterFlag,
                        &[*addr],
                        &[*mac],
                        format!(
                            "{mac} ({addr}) says it is a router but sent no Router \
                             Advertisement: a forwarding host, or a router whose RAs are lost"
                        ),
                    ));
                }
            }
        }
    }
    for (mac, addrs) in answered {
        let ids: BTreeSet<u64> = addrs.iter().map(|a| interface_id(*a)).collect();
        if ids.len() >= PROXY_MIN_IIDS && !own.contains(&mac) {
            let shown: Vec<Ipv6Addr> = addrs.iter().copied().take(PROXY_LISTED).collect();
            out.push(alert(
                AlertKind::Proxy,
                &shown,
                &[mac],
                format!(
                    "{mac} answers for {} addresses with {} unrelated interface IDs: an ND \
                     proxy, or a spoofer",
                    addrs.len(),
                    ids.len()
                ),
            ));
        }
    }
    out.sort();
    out
}

/// The findings that need the past: routers not seen on this interface before (rogue
/// when they advertise a prefix no known router does, or would pre-empt the known
/// default router), and addresses whose MAC is not the one the inventory last saw.
/// Nothing on the first scan of a link.
pub fn memory_alerts(iface: &IfaceReport, known: &Known) -> Vec<Alert> {
    if !known.seen_before {
        return Vec::new();
    }
    let mut out = Vec::new();
    let known_macs: HashSet<Mac> = known.routers.iter().map(|r| r.mac).collect();
    // Without a record of what every known router advertised, no prefix is "new".
    let all_adverts_known = known.routers.iter().all(|r| r.advert.is_some());
    let known_prefixes: HashSet<Ipv6Prefix> = known
        .routers
        .iter()
        .filter_map(|r| r.advert.as_ref())
        .flat_map(|a| a.prefixes.iter().copied())
        .collect();
    let best_known = known
        .routers
        .iter()
        .filter_map(|r| r.advert.as_ref())
        .filter(|a| a.lifetime > 0)
        .map(|a| a.preference)
        .max();
    for r in &iface.routers {
        let Some(mac) = r.mac else { continue };
        if known_macs.contains(&mac) {
            continue;
        }
        let new_prefixes: Vec<String> = if all_adverts_known {
            advertised(r)
                .into_iter()
                .filter(|p| !known_prefixes.contains(p))
                .map(|p| p.to_string())
                .collect()
        } else {
            Vec::new()
        };
        let pre_empts = r.advert.is_default_router()
            && best_known.is_none_or(|best| r.advert.preference >= best);
        let mut why = Vec::new();
        if !new_prefixes.is_empty() {
            why.push(format!(
                "advertises {} that no known router does",
                new_prefixes.join(", ")
            ));
        }
        if pre_empts {
            why.push(match best_known {
                Some(_) => format!(
                    "offers itself as default router at preference {}, competing with the known one",
                    r.advert.preference.as_str()
                ),
                None => "offers itself as default router where none was".to_string(),
            });
        }
        let addr = r.address;
        out.push(if why.is_empty() {
            alert(
                AlertKind::NewRouter,
                &[addr],
                &[mac],
                format!("router {addr} ({mac}) was not seen on this link before"),
            )
        } else {
            alert(
                AlertKind::RogueRouter,
                &[addr],
                &[mac],
                format!(
                    "router {addr} ({mac}) is new here and {}",
                    why.join(" and ")
                ),
            )
        });
    }
    let mut changed: BTreeMap<Ipv6Addr, (Mac, Mac)> = BTreeMap::new();
    for h in iface.prefixes.iter().flat_map(|p| &p.hosts) {
        let (Some(now), Some(before)) = (h.mac, known.macs.get(&h.address)) else {
            continue;
        };
        if h.is_self || h.stale || now == *before {
            continue;
        }
        // An address with two MACs now is a duplicate, flagged as such.
        let both_now = iface
            .prefixes
            .iter()
            .flat_map(|p| &p.hosts)
            .any(|o| o.address == h.address && o.mac == Some(*before));
        if !both_now {
            changed.insert(h.address, (*before, now));
        }
    }
    for (addr, (before, now)) in changed {
        out.push(alert(
            AlertKind::MacChange,
            &[addr],
            &[before, now],
            format!(
                "{addr} was {before} when last seen, now {now}: a replaced device, or spoofing"
            ),
        ));
    }
    out.sort();
    out
}

/// Drops the `router-flag` alerts of MACs the inventory knows as routers: their RA was
/// only missed this time (routers rate-limit their answers to solicitations).
pub fn drop_known_routers(alerts: &mut Vec<Alert>, known: &Known) {
    let routers: HashSet<Mac> = known.routers.iter().map(|r| r.mac).collect();
    alerts
        .retain(|a| a.kind != AlertKind::RouterFlag || !a.macs.iter().all(|m| routers.contains(m)));
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;
