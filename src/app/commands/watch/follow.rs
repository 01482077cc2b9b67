//! The interfaces a watch follows: every usable one (or those `-i` names) as they come
//! and go. A new one gets its links opened (with the CAP_NET_RAW watch kept), a vanished
//! one's are closed, and each change is one event.

use crate::app::engine::Scanner;
use crate::iface::{self, IfaceId};
use crate::warning::Warning;
use crate::watch::{Event, EventKind};
use anyhow::Result;
use std::time::SystemTime;

/// The interfaces seen at the last look.
pub struct Follow {
    /// `-i`: only these names (empty: every usable interface).
    only: Vec<String>,
    known: Vec<IfaceId>,
}

impl Follow {
    /// Starts from the interfaces usable now (the scanner has just opened theirs).
    pub fn new(only: &[String]) -> Follow {
        let only = only.to_vec();
        let known = followed(crate::platform::usable_interfaces(), &only);
        Follow { only, known }
    }

    /// Looks again: closes the links of interfaces gone, opens those of new ones, and
    /// returns one event for each change, dated `time`. The error is a privilege that
    /// could not be lowered again.
    pub fn step(
        &mut self,
        scanner: &mut Scanner,
        time: SystemTime,
        warn: &mut dyn FnMut(Warning),
    ) -> Result<Vec<Event>> {
        let now = followed(crate::platform::usable_interfaces(), &self.only);
        let c = iface::changes(&self.known, &now);
        self.known = now;
        let mut events = Vec::new();
        for name in &c.vanished {
            scanner.remove_interface(name);
            events.push(Event::interface(EventKind::InterfaceGone, name, time, None));
        }
        for name in &c.appeared {
            let (watched, why) = match scanner.add_interface(name, warn)? {
                crate::platform::Added::Watched => (true, None),
                crate::platform::Added::NotWatched(why) => (false, Some(why)),
            };
            let kind = EventKind::InterfaceAppeared { watched };
            events.push(Event::interface(kind, name, time, why));
        }
        Ok(events)
    }

    /// After a scan: a link that failed because its interface went away during the scan
    /// is that interface's `interface-gone` event, not a warning too. Returns the
    /// warnings left and the events.
    pub fn settle(
        &mut self,
        scanner: &mut Scanner,
        warnings: Vec<Warning>,
        time: SystemTime,
    ) -> (Vec<Warning>, Vec<Event>) {
        let failed = failed_links(&warnings);
        if failed.is_empty() {
            return (warnings, Vec::new());
        }
        let now = followed(crate::platform::usable_interfaces(), &self.only);
        let gone: Vec<String> = (failed.into_iter())
            .filter(|n| self.known.iter().any(|(k, _)| k == n))
            .filter(|n| !now.iter().any(|(k, _)| k == n))
            .collect();
        let mut events = Vec::new();
        for name in &gone {
            scanner.remove_interface(name);
            self.known.retain(|(k, _)| k != name);
            events.push(Event::interface(EventKind::InterfaceGone, name, time, None));
        }
        let warnings = without_links_of(warnings, &gone);
        (warnings, events)
    }
}

/// The interfaces of `usable` watch follows: all, or those named in `only`.
pub fn followed(usable: Vec<IfaceId>, only: &[String]) -> Vec<IfaceId> {
    if only.is_empty() {
        return usable;
    }
    usable
        .into_iter()
        .filter(|(n, _)| only.contains(n))
        .collect()
}

/// The interfaces whose link failed in a scan (could not send, worker stopped).
pub fn failed_links(warnings: &[Warning]) -> Vec<String> {
    let mut v: Vec<String> = (warnings.iter())
        .filter_map(|w| match w {
            Warning::NoProbeSent { interface, .. } | Warning::WorkerStopped { interface } => {
                Some(interface.clone())
            }
            _ => None,
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// `warnings` without the link failures of the interfaces `gone`.
pub fn without_links_of(warnings: Vec<Warning>, gone: &[String]) -> Vec<Warning> {
    let of_gone = |w: &Warning| match w {
        Warning::NoProbeSent { interface, .. } | Warning::WorkerStopped { interface } => {
            gone.contains(interface)
        }
        _ => false,
    };
    warnings.into_iter().filter(|w| !of_gone(w)).collect()
}

#[cfg(test)]
#[path = "follow_tests.rs"]
mod tests;
