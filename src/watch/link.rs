//! The link's own events across watch rounds: routers appearing and going, and alerts
//! (duplicate address, rogue router, …) when they first show. Pure, like the host events.

use super::{Event, EventKind};
use crate::mac::Mac;
use crate::oui::{self, Vendor};
use crate::report::{Alert, AlertKind, IfaceReport};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;
use std::time::SystemTime;

/// Most routers tracked per interface (a flood of forged RAs is capped by the scan too).
const MAX_ROUTERS: usize = 64;

/// An alert's identity: the same finding again next round is not news.
type AlertKey = (AlertKind, Vec<Ipv6Addr>, Vec<Mac>);

/// What one interface's routers and alerts were.
#[derive(Debug, Default)]
pub(super) struct LinkState {
    /// Routers by address: their MAC, and rounds missed in a row.
    routers: BTreeMap<Ipv6Addr, (Option<Mac>, u32)>,
    /// Alerts of the latest round.
    alerts: BTreeSet<AlertKey>,
}

/// The round being compared.
pub(super) struct Round<'a> {
    /// The first round: what is there is not news.
    pub initial: bool,
    /// Start of the round's scan.
    pub time: SystemTime,
    /// The interface.
    pub iface: &'a str,
    /// Rounds a router must be missed before it is gone.
    pub gone_after: u32,
}

fn event(r: &Round<'_>, kind: EventKind, mac: Option<Mac>, addrs: Vec<Ipv6Addr>) -> Event {
    Event {
        kind,
        time: r.time,
        interface: r.iface.to_owned(),
        mac,
        vendor: mac.map_or(Vendor::Unknown, oui::lookup),
        router: matches!(kind, EventKind::RouterAppeared | EventKind::RouterGone),
        addresses: addrs,
        last_seen: None,
        remembered: false,
        known: false,
        message: None,
    }
}

impl LinkState {
    /// Compares `ir` (`None`: the interface was not scanned) with the rounds before and
    /// adds the router and alert events; `mac_changed`: addresses the host events already
    /// reported as changed (not reported twice).
    pub(super) fn step(
        &mut self,
        ir: Option<&IfaceReport>,
        r: &Round<'_>,
        mac_changed: &BTreeSet<Ipv6Addr>,
        out: &mut Vec<Event>,
    ) {
        let heard: BTreeMap<Ipv6Addr, Option<Mac>> = ir
            .map(|i| i.routers.iter().map(|x| (x.address, x.mac)).collect())
            .unwrap_or_default();
        for (addr, mac) in &heard {
            let room = self.routers.len() < MAX_ROUTERS;
            match self.routers.get_mut(addr) {
                Some((m, missed)) => {
                    *missed = 0;
                    *m = mac.or(*m);
                }
                None if room => {
                    self.routers.insert(*addr, (*mac, 0));
                    if !r.initial {
                        out.push(event(r, EventKind::RouterAppeared, *mac, vec![*addr]));
                    }
                }
                None => {}
            }
        }
        let mut gone = Vec::new();
        for (addr, (mac, missed)) in &mut self.routers {
            if heard.contains_key(addr) {
                continue;
            }
            *missed += 1;
            if *missed >= r.gone_after {
                out.push(event(r, EventKind::RouterGone, *mac, vec![*addr]));
                gone.push(*addr);
            }
        }
        for a in gone {
            self.routers.remove(&a);
        }
        let alerts: &[Alert] = ir.map_or(&[], |i| &i.alerts);
        let now: BTreeSet<AlertKey> = alerts
            .iter()
            .map(|a| (a.kind, a.addresses.clone(), a.macs.clone()))
            .collect();
        for a in alerts {
            let key = (a.kind, a.addresses.clone(), a.macs.clone());
            let told = a.kind == AlertKind::MacChange
                && a.addresses.iter().any(|x| mac_changed.contains(x));
            if self.alerts.contains(&key) || told {
                continue;
            }
            let mut e = event(
                r,
                EventKind::Alert(a.kind),
                a.macs.first().copied(),
                a.addresses.clone(),
            );
            e.message = Some(a.message.clone());
            out.push(e);
        }
        self.alerts = now;
    }

    /// Nothing left to remember.
    pub(super) fn is_empty(&self) -> bool {
        self.routers.is_empty() && self.alerts.is_empty()
    }
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
