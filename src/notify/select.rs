//! Which events are notified (`--notify-on KINDS`): a comma list of words, each choosing
//! some events; an event goes out when any word chooses it.

use super::is_new;
use crate::watch::{Event, EventKind};
use std::fmt;

/// One word of `--notify-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Selector {
    /// `new`: a device appeared that was never seen before (see [`is_new`]).
    New,
    /// `appeared`: every appearance, returning devices included.
    Appeared,
    /// `gone`: every device that went.
    Gone,
    /// `gone-known`: a device the admin labelled went.
    GoneKnown,
    /// `unknown`: a device nobody labelled appeared or went.
    Unknown,
    /// `present`: the devices there at the first scan.
    Present,
    /// `address`: a present device gained or lost an address.
    Address,
    /// `alert`: a link-health alert, or an address that moved to another MAC.
    Alert,
    /// `router`: a router appeared or went.
    Router,
    /// `interface`: an interface appeared or went.
    Interface,
    /// `all`: every event.
    All,
}

/// Every word with its selector, in the order help lists them.
const WORDS: [(&str, Selector); 11] = [
    ("new", Selector::New),
    ("appeared", Selector::Appeared),
    ("gone", Selector::Gone),
    ("gone-known", Selector::GoneKnown),
    ("unknown", Selector::Unknown),
    ("present", Selector::Present),
    ("address", Selector::Address),
    ("alert", Selector::Alert),
    ("router", Selector::Router),
    ("interface", Selector::Interface),
    ("all", Selector::All),
];

impl Selector {
    /// The word that names it.
    pub fn word(self) -> &'static str {
        WORDS
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("", |(w, _)| w)
    }

    /// It chooses `e`.
    pub fn chooses(self, e: &Event) -> bool {
        let device = matches!(e.kind, EventKind::Appeared { .. } | EventKind::Gone);
        match self {
            Selector::New => is_new(e),
            Selector::Appeared => matches!(e.kind, EventKind::Appeared { .. }),
            Selector::Gone => e.kind == EventKind::Gone,
            Selector::GoneKnown => e.kind == EventKind::Gone && e.known,
            Selector::Unknown => device && !e.known,
            Selector::Present => e.kind == EventKind::Present,
            Selector::Address => matches!(
                e.kind,
                EventKind::AddressAdded(_) | EventKind::AddressRemoved(_)
            ),
            Selector::Alert => matches!(e.kind, EventKind::Alert(_) | EventKind::MacChanged { .. }),
            Selector::Router => matches!(e.kind, EventKind::RouterAppeared | EventKind::RouterGone),
            Selector::Interface => matches!(
                e.kind,
                EventKind::InterfaceAppeared { .. } | EventKind::InterfaceGone
            ),
            Selector::All => true,
        }
    }
}

/// The words of `--notify-on`, sorted, each once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection(Vec<Selector>);

impl Selection {
    /// Whether `e` is notified.
    pub fn wants(&self, e: &Event) -> bool {
        self.0.iter().any(|s| s.chooses(e))
    }
}

/// New devices, gone devices the admin labelled, and link-health alerts.
impl Default for Selection {
    fn default() -> Self {
        Selection(vec![Selector::New, Selector::GoneKnown, Selector::Alert])
    }
}

impl fmt::Display for Selection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = self.0.iter().map(|s| s.word()).collect();
        f.write_str(&words.join(","))
    }
}

impl std::str::FromStr for Selection {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut v = Vec::new();
        for word in s.split(',').map(str::trim) {
            let found = WORDS.iter().find(|(w, _)| w.eq_ignore_ascii_case(word));
            match found {
                Some((_, sel)) => v.push(*sel),
                None => {
                    let all: Vec<&str> = WORDS.iter().map(|(w, _)| *w).collect();
                    return Err(format!(
                        "{word:?} is not a kind of event; use a comma list of: {}",
                        all.join(", ")
                    ));
                }
            }
        }
        v.sort();
        v.dedup();
        Ok(Selection(v))
    }
}

#[cfg(test)]
#[path = "select_tests.rs"]
mod tests;
