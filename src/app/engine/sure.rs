//! When a search has its sure answer: a full-MAC or address query is answered once that
//! device has answered with its MAC, and a short grace has let its other addresses in
//! (`--prefer` and the port-22 check choose among them). Other queries (vendor, name,
//! prefix, IPv4) need the whole link to tell whether they are unique: they wait for the
//! link to go quiet like a scan. Pure: fed observations and times, it answers with a time.

use crate::mac::Mac;
use crate::model::Observation;
use crate::query::Query;
use std::collections::HashMap;
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

/// How long after the device's first answer its other addresses may still come: its
/// answers to the other sources' probes of the round (5 ms apart) and their NAs.
pub const GRACE: Duration = Duration::from_millis(40);

/// One device a query names for sure.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Want {
    Mac(Mac),
    Address(Ipv6Addr),
}

/// Watches a search's observations for its sure answer.
#[derive(Clone, Debug)]
pub struct SureAnswer {
    wants: Vec<Want>,
    answered: Option<Instant>,
}

impl SureAnswer {
    /// For queries that name one device each (full MACs, addresses); `None` when any of
    /// them needs the whole link.
    pub fn for_queries(queries: &[Query]) -> Option<SureAnswer> {
        let wants = queries
            .iter()
            .map(|q| match q {
                Query::Mac(m) => Some(Want::Mac(*m)),
                Query::Address(a, _) => Some(Want::Address(*a)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        (!wants.is_empty()).then_some(SureAnswer {
            wants,
            answered: None,
        })
    }

    /// The MACs the queries name.
    pub fn macs(&self) -> Vec<Mac> {
        self.wants
            .iter()
            .filter_map(|w| match w {
                Want::Mac(m) => Some(*m),
                Want::Address(_) => None,
            })
            .collect()
    }

    /// The addresses the queries name.
    pub fn addresses(&self) -> Vec<Ipv6Addr> {
        self.wants
            .iter()
            .filter_map(|w| match w {
                Want::Address(a) => Some(*a),
                Want::Mac(_) => None,
            })
            .collect()
    }

    /// Per interface index, where to look before anything else: the queried addresses,
    /// then what the inventory `remembered` of the queried devices (newest first).
    pub fn look_first(
        &self,
        mut remembered: HashMap<u32, Vec<Ipv6Addr>>,
        ifaces: impl IntoIterator<Item = u32>,
    ) -> HashMap<u32, Vec<Ipv6Addr>> {
        let queried = self.addresses();
        ifaces
            .into_iter()
            .map(|i| {
                let mut addrs = queried.clone();
                for a in remembered.remove(&i).unwrap_or_default() {
                    if !addrs.contains(&a) {
                        addrs.push(a);
                    }
                }
                (i, addrs)
            })
            .collect()
    }

    /// Notes an observation that arrived at `now`.
    pub fn see(&mut self, obs: &Observation, now: Instant) {
        if self.answered.is_some() {
            return;
        }
        let Observation::Address {
            addr,
            mac,
            frame_mac,
            ..
        } = obs
        else {
            return;
        };
        // The NA's own word first, as the report takes it.
        let Some(m) = mac.or(*frame_mac) else {
            return;
        };
        let hit = self.wants.iter().any(|w| match w {
            Want::Mac(want) => *want == m,
            Want::Address(want) => want == addr,
        });
        if hit {
            self.answered = Some(now);
        }
    }

    /// When the search may stop probing, once the device has answered.
    pub fn stop_at(&self) -> Option<Instant> {
        self.answered.map(|t| t + GRACE)
    }
}

#[cfg(test)]
#[path = "sure_tests.rs"]
mod tests;
