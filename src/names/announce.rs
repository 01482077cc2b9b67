//! What a host announces about itself over mDNS: every address of its name (AAAA and A
//! records) and the DNS-SD service types it offers. Pure: which announced addresses are on
//! the link (those are confirmed by the probes before they are listed; the others are
//! shown as `announced`), and how the answers land on the report's rows.

use super::Answer;
use crate::mac::Mac;
use crate::model::{is_link_local, Ipv6Prefix};
use crate::report::{IfaceReport, Report};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Most addresses taken from one host's forward answer: a host has a handful; a
/// responder listing hundreds is not believed past this.
pub const MAX_ADDRESSES: usize = 32;
/// Most service types kept per host.
pub const MAX_SERVICES: usize = 32;

/// The addresses a host announces for its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addresses {
    /// Interface the host is on.
    pub ifindex: u32,
    /// The address whose name led here: the host is whoever answers for it.
    pub asked: Ipv6Addr,
    /// The name looked up.
    pub name: String,
    /// Its AAAA records, in order, at most [`MAX_ADDRESSES`].
    pub v6: Vec<Ipv6Addr>,
    /// Its A records, in order, at most [`MAX_ADDRESSES`].
    pub v4: Vec<Ipv4Addr>,
}

/// The DNS-SD service types a host offers (`_ssh._tcp`), from its answer to the
/// service-type enumeration query (RFC 6763 §9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Services {
    /// Interface the host is on.
    pub ifindex: u32,
    /// The address the answer came from: the host is whoever has it.
    pub asked: Ipv6Addr,
    /// The types, checked by [`super::dns::service_type`].
    pub services: Vec<String>,
}

/// Whether `addr` is on the link: link-local, or in one of its prefixes (ours, those
/// routers advertise, those neighbours answer from). Only such addresses are probed.
pub fn on_link<'a>(addr: Ipv6Addr, prefixes: impl IntoIterator<Item = &'a Ipv6Prefix>) -> bool {
    is_link_local(addr) || prefixes.into_iter().any(|p| p.contains(addr))
}

/// The prefixes of an interface as the report shows them: its sections and the on-link
/// prefixes its routers advertise.
fn report_prefixes(iface: &IfaceReport) -> Vec<Ipv6Prefix> {
    let mut v: Vec<Ipv6Prefix> = iface.prefixes.iter().map(|p| p.prefix).collect();
    for r in &iface.routers {
        v.extend(
            r.advert
                .prefixes
                .iter()
                .filter(|p| p.on_link)
                .map(|p| Ipv6Prefix::new(p.prefix, p.len)),
        );
    }
    v
}

/// What one host announced, gathered per MAC.
#[derive(Default)]
struct PerHost {
    v4: BTreeSet<Ipv4Addr>,
    off_link: BTreeSet<Ipv6Addr>,
    services: BTreeSet<String>,
}

/// Puts what hosts announced on the rows of their MAC: A records into `ipv4`, addresses
/// outside the link's prefixes into `announced`, service types into `services`. An answer
/// counts for the MAC the report has for the address it was asked about; without one it
/// is dropped (nobody on the link vouched for it). Addresses on the link are not listed
/// here: the probes confirmed them (or they are not there).
pub fn apply(report: &mut Report, answers: &[Answer]) {
    for iface in &mut report.interfaces {
        let macs: BTreeMap<Ipv6Addr, Mac> = iface
            .prefixes
            .iter()
            .flat_map(|p| &p.hosts)
            .filter_map(|h| Some((h.address, h.mac?)))
            .collect();
        let prefixes = report_prefixes(iface);
        let mut per: BTreeMap<Mac, PerHost> = BTreeMap::new();
        for a in answers {
            match a {
                Answer::Addresses(x) if x.ifindex == iface.index => {
                    let Some(mac) = macs.get(&x.asked) else {
                        continue;
                    };
                    let e = per.entry(*mac).or_default();
                    e.v4.extend(x.v4.iter().take(MAX_ADDRESSES));
                    e.off_link.extend(
                        x.v6.iter()
                            .take(MAX_ADDRESSES)
                            .filter(|v| !on_link(**v, &prefixes) && !v.is_multicast()),
                    );
                }
                Answer::Services(x) if x.ifindex == iface.index => {
                    let Some(mac) = macs.get(&x.asked) else {
                        continue;
                    };
                    let e = per.entry(*mac).or_default();
                    for s in &x.services {
                        if e.services.len() < MAX_SERVICES {
                            e.services.insert(s.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        for h in iface.prefixes.iter_mut().flat_map(|p| &mut p.hosts) {
            let Some(e) = h.mac.and_then(|m| per.get(&m)) else {
                continue;
            };
            for v in &e.v4 {
                if !h.ipv4.contains(v) {
                    h.ipv4.push(*v);
                }
            }
            h.announced = e.off_link.iter().copied().collect();
            h.services = e.services.iter().cloned().collect();
        }
    }
}

#[cfg(test)]
#[path = "announce_tests.rs"]
mod tests;
