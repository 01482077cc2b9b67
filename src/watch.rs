//! Watch mode's event logic: successive scan reports in, host events out.
//!
//! Pure: no I/O and no clock (an event's time is its report's start). A host is keyed per
//! interface by its MAC; an address whose MAC is unknown is its own host, unless a known
//! host already owns that address.
//!
//! Memory is bounded: per interface at most [`WatchConfig::max_tracked`] addresses (hence
//! hosts) are tracked. A host missed for `gone_after` scans is reported gone and kept
//! `forget_after` more scans (so a returning host, or another MAC taking over one of its
//! addresses, is recognised), then forgotten. Over the cap, gone hosts are forgotten first
//! (longest gone first), then hosts and addresses missed in the latest scan (reported as
//! gone / removed); a report bringing more addresses than the cap has its excess dropped
//! and counted.

mod link;
pub mod render;
mod state;

use link::{LinkState, Round};
use state::{seen_hosts, Ctx, IfaceState};

use crate::mac::Mac;
use crate::model::HostKey;
use crate::oui::Vendor;
use crate::report::{AlertKind, Labels, Report};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::Ipv6Addr;
use std::time::SystemTime;

/// Tuning of the event logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchConfig {
    /// Consecutive scans a host (or an address of a present host) must be missed before it
    /// is reported gone (removed). At least 1.
    pub gone_after: u32,
    /// Scans a gone host is remembered before it is forgotten.
    pub forget_after: u32,
    /// Most addresses tracked per interface (hosts are never more than addresses).
    pub max_tracked: usize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            gone_after: 2,
            forget_after: 720,
            // As many as a scan keeps by default (--max-memory 256 MiB at 4 KiB an
            // address); the command line's defaults test holds the two together.
            max_tracked: 65_536,
        }
    }
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The host was there at the first scan.
    Present,
    /// The host appeared; `returning` when it had been reported gone and not yet forgotten.
    Appeared {
        /// It was seen before, then gone.
        returning: bool,
    },
    /// The host was missed `gone_after` scans in a row.
    Gone,
    /// A present host has a new address.
    AddressAdded(Ipv6Addr),
    /// A present host's address was missed `gone_after` scans in a row.
    AddressRemoved(Ipv6Addr),
    /// An address known with another MAC now answers with this host's MAC: a replaced
    /// device, or another device claiming (spoofing) the address.
    MacChanged {
        /// The address.
        address: Ipv6Addr,
        /// The MAC it had.
        previous: Mac,
    },
    /// A router was heard that was not heard in the rounds before.
    RouterAppeared,
    /// A router was not heard for `gone_after` rounds.
    RouterGone,
    /// A link-health alert showed that the round before did not have.
    Alert(AlertKind),
    /// An interface became usable while watch runs (`watched`: its links were opened and
    /// the next scans probe it; otherwise the event's message says why not).
    InterfaceAppeared {
        /// It is probed from now on.
        watched: bool,
    },
    /// A watched interface is gone; its hosts go as they are missed.
    InterfaceGone,
}

impl EventKind {
    /// The stable name used in JSON lines and `V6SCOUT_EVENT`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Present => "present",
            EventKind::Appeared { .. } => "appeared",
            EventKind::Gone => "gone",
            EventKind::AddressAdded(_) => "address-added",
            EventKind::AddressRemoved(_) => "address-removed",
            EventKind::MacChanged { .. } => "mac-changed",
            EventKind::RouterAppeared => "router-appeared",
            EventKind::RouterGone => "router-gone",
            EventKind::Alert(k) => k.as_str(),
            EventKind::InterfaceAppeared { .. } => "interface-appeared",
            EventKind::InterfaceGone => "interface-gone",
        }
    }

    /// The address an address or MAC event is about.
    pub fn address(&self) -> Option<Ipv6Addr> {
        match *self {
            EventKind::AddressAdded(a) | EventKind::AddressRemoved(a) => Some(a),
            EventKind::MacChanged { address, .. } => Some(address),
            _ => None,
        }
    }
}

/// One event about one host.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// Start of the scan that showed it.
    pub time: SystemTime,
    /// The interface.
    pub interface: String,
    /// The host's MAC, when known.
    pub mac: Option<Mac>,
    /// Its vendor.
    pub vendor: Vendor,
    /// It is a router.
    pub router: bool,
    /// Its addresses after the event (for `gone`: the last known ones), sorted.
    pub addresses: Vec<Ipv6Addr>,
    /// `present`/`appeared`: when the inventory saw this device before this watch round
    /// (`None`: never — a new device, or no inventory); filled by the caller.
    pub last_seen: Option<SystemTime>,
    /// Whether an inventory was asked (so `last_seen: None` means "new").
    pub remembered: bool,
    /// The name the admin gave the device (`v6scout label`), shown before its MAC; filled
    /// by the caller with [`Event::set_label`].
    pub label: Option<String>,
    /// The device is known: someone labelled it (what notifications about known or
    /// unknown devices filter on). Always `label.is_some()`.
    pub known: bool,
    /// Alerts: the alert's one line.
    pub message: Option<String>,
}

impl Event {
    /// An event about interface `name` itself ([`EventKind::InterfaceAppeared`],
    /// [`EventKind::InterfaceGone`]): no MAC, no addresses; `message` says why a new one
    /// is not watched.
    pub fn interface(
        kind: EventKind,
        name: &str,
        time: SystemTime,
        message: Option<String>,
    ) -> Event {
        Event {
            kind,
            time,
            interface: name.to_owned(),
            mac: None,
            vendor: Vendor::Unknown,
            router: false,
            addresses: Vec::new(),
            last_seen: None,
            remembered: false,
            label: None,
            known: false,
            message,
        }
    }

    /// Gives the event its device's label (`None`: not labelled), and with it `known`.
    pub fn set_label(&mut self, label: Option<String>) {
        self.known = label.is_some();
        self.label = label;
    }
}

/// Gives each event about a device (a MAC) the device's label, and with it `known`.
pub fn label_events(events: &mut [Event], labels: &Labels) {
    for e in events {
        e.set_label(e.mac.and_then(|m| labels.get(m)).map(str::to_owned));
    }
}

/// The host table across scans.
#[derive(Debug)]
pub struct Watcher {
    cfg: WatchConfig,
    scans: u64,
    ifaces: BTreeMap<String, IfaceState>,
    links: BTreeMap<String, LinkState>,
    dropped: u64,
}

impl Watcher {
    /// An empty table.
    pub fn new(cfg: WatchConfig) -> Self {
        let cfg = WatchConfig {
            gone_after: cfg.gone_after.max(1),
            max_tracked: cfg.max_tracked.max(1),
            ..cfg
        };
        Watcher {
            cfg,
            scans: 0,
            ifaces: BTreeMap::new(),
            links: BTreeMap::new(),
            dropped: 0,
        }
    }

    /// Takes the next scan's report; returns what changed since the previous ones. The
    /// first report yields a [`EventKind::Present`] event per host.
    pub fn observe(&mut self, report: &Report) -> Vec<Event> {
        let initial = self.scans == 0;
        self.scans += 1;
        let mut events = Vec::new();
        let mut scanned = HashSet::new();
        for ir in &report.interfaces {
            if !scanned.insert(ir.name.as_str()) {
                continue;
            }
            let state = self.ifaces.entry(ir.name.clone()).or_default();
            let (seen, dropped) = seen_hosts(ir, state, self.cfg.max_tracked);
            self.dropped += dropped;
            let ctx = Ctx {
                cfg: self.cfg,
                initial,
                time: report.started,
                iface: &ir.name,
            };
            state.step(seen, &ctx, &mut events);
        }
        // Interfaces no longer scanned: their hosts are missed like any other.
        for (name, state) in &mut self.ifaces {
            if !scanned.contains(name.as_str()) {
                let ctx = Ctx {
                    cfg: self.cfg,
                    initial,
                    time: report.started,
                    iface: name,
                };
                state.step(BTreeMap::new(), &ctx, &mut events);
            }
        }
        self.ifaces.retain(|_, s| !s.hosts.is_empty());
        self.link_events(report, initial, &mut events);
        events
    }

    /// Router and alert events of every interface, scanned or no longer.
    fn link_events(&mut self, report: &Report, initial: bool, events: &mut Vec<Event>) {
        let changed: BTreeSet<Ipv6Addr> = events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::MacChanged { address, .. } => Some(address),
                _ => None,
            })
            .collect();
        let mut names: BTreeSet<String> = self.links.keys().cloned().collect();
        names.extend(report.interfaces.iter().map(|i| i.name.clone()));
        for name in names {
            let ir = report.interfaces.iter().find(|i| i.name == name);
            let round = Round {
                initial,
                time: report.started,
                iface: &name,
                gone_after: self.cfg.gone_after,
            };
            let state = self.links.entry(name.clone()).or_default();
            state.step(ir, &round, &changed, events);
        }
        self.links.retain(|_, s| !s.is_empty());
    }

    /// Hosts currently present (seen, not yet gone), over all interfaces.
    pub fn present(&self) -> usize {
        self.ifaces
            .values()
            .map(|s| s.hosts.values().filter(|t| t.present).count())
            .sum()
    }

    /// The host of `mac` on `iface`, if tracked: whether it is present (not yet gone),
    /// and its tracked addresses, sorted (an address is dropped only once it is reported
    /// removed).
    pub fn host(&self, iface: &str, mac: Mac) -> Option<(bool, Vec<Ipv6Addr>)> {
        let state = self.ifaces.get(iface)?;
        let t = state.hosts.get(&HostKey::Mac(mac))?;
        Some((t.present, t.addrs.keys().copied().collect()))
    }

    /// Hosts tracked (present or remembered as gone) per interface.
    pub fn tracked_hosts(&self) -> BTreeMap<&str, usize> {
        self.ifaces
            .iter()
            .map(|(n, s)| (n.as_str(), s.hosts.len()))
            .collect()
    }

    /// Addresses tracked per interface (the bounded quantity).
    pub fn tracked_addresses(&self) -> BTreeMap<&str, usize> {
        self.ifaces
            .iter()
            .map(|(n, s)| (n.as_str(), s.owner.len()))
            .collect()
    }

    /// Scans observed.
    pub fn scans(&self) -> u64 {
        self.scans
    }

    /// Addresses ignored because a report brought more than `max_tracked` for an interface.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The effective configuration.
    pub fn config(&self) -> WatchConfig {
        self.cfg
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
