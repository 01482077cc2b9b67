//! The result of a scan as plain data: what every renderer takes.

use crate::mac::Mac;
use crate::model::{HostKey, IidKind, Ipv6Prefix, SeenBy};
use crate::oui::Vendor;
use crate::router::Router;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::net::Ipv6Addr;
use std::time::{Duration, SystemTime};

/// Everything one scan found.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// When the scan started (renderers never read the clock).
    pub started: SystemTime,
    /// How long it took, end to end.
    pub duration: Duration,
    /// Per scanned interface, in scan order.
    pub interfaces: Vec<IfaceReport>,
    /// Counters over all interfaces.
    pub stats: ScanStats,
    /// The TCP ports checked on every host (`--ports`), if any.
    pub ports_checked: Option<Vec<u16>>,
}

impl Report {
    /// Number of distinct live neighbours: one per MAC, plus each address whose MAC is
    /// unknown; our own addresses and stale cache entries do not count.
    pub fn host_count(&self) -> usize {
        self.interfaces.iter().map(IfaceReport::host_count).sum()
    }
}

/// Counters of a scan: each probe worker fills its own, the scan adds them up with
/// [`ScanStats::merge`], and the JSON output writes them as they are (`stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    /// Probes sent.
    pub probes_sent: u64,
    /// Answers to our probes used.
    pub replies: u64,
    /// Received packets dropped as malformed or forged, or that broke a protocol rule
    /// (bad hop limit, bad source).
    pub malformed: u64,
    /// Addresses nobody asked for (unsolicited routers and hosts) not kept because an
    /// interface reached its share of `--max-hosts`.
    pub dropped_over_limit: u64,
    /// Answering addresses not kept because an interface reached `--max-memory`.
    pub dropped_over_memory: u64,
    /// Messages received that answered this scan (every echo reply, Parameter Problem,
    /// advertisement and report of ours, repeats included): what the scan cost the link.
    pub frames_elicited: u64,
    /// Probes the system refused to send.
    pub send_errors: u64,
    /// Well-formed ICMPv6 messages that were not answers to this scan (other programs'
    /// pings, other scans).
    pub foreign: u64,
    /// Probes not sent because the link cannot send them (echo-only ping sockets), or
    /// because the unicast budget was spent.
    pub skipped: u64,
    /// ICMPv6 errors that quoted nothing of this scan we could match.
    pub unmatched_errors: u64,
    /// Answers the system dropped because a link's receive ring was full (Ethernet
    /// links; the kernel's own count).
    pub ring_drops: u64,
    /// The probe window ended before `--wait` because the link had gone quiet (or the
    /// search had its answer); over several links, only if every one's did.
    pub ended_early: bool,
    /// How long the probe window lasted (the longest of several links').
    #[serde(rename = "window_ms", serialize_with = "millis")]
    pub window: Duration,
}

impl ScanStats {
    /// Adds another link's counters to these.
    pub fn merge(&mut self, o: &ScanStats) {
        // Destructured, so a new counter that is not added up here does not compile.
        let ScanStats {
            probes_sent,
            replies,
            malformed,
            dropped_over_limit,
            dropped_over_memory,
            frames_elicited,
            send_errors,
            foreign,
            skipped,
            unmatched_errors,
            ring_drops,
            ended_early,
            window,
        } = *o;
        self.probes_sent += probes_sent;
        self.replies += replies;
        self.malformed += malformed;
        self.dropped_over_limit += dropped_over_limit;
        self.dropped_over_memory += dropped_over_memory;
        self.frames_elicited += frames_elicited;
        self.send_errors += send_errors;
        self.foreign += foreign;
        self.skipped += skipped;
        self.unmatched_errors += unmatched_errors;
        self.ring_drops += ring_drops;
        // Zero windows are the empty sum's: the first link's verdict stands alone.
        self.ended_early = (self.ended_early || self.window.is_zero()) && ended_early;
        self.window = self.window.max(window);
    }
}

/// What a scan cost the link per host it found: the figures that must stay small as a
/// link grows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PerHost {
    /// Probes sent per host found.
    pub probes_sent: f64,
    /// Answers received per host found ([`ScanStats::frames_elicited`]).
    pub frames_elicited: f64,
}

impl ScanStats {
    /// The cost per host of a scan that found `hosts`; `None` when it found none.
    pub fn per_host(&self, hosts: usize) -> Option<PerHost> {
        let per = |n: u64| (n as f64 / hosts as f64 * 10.0).round() / 10.0;
        (hosts > 0).then(|| PerHost {
            probes_sent: per(self.probes_sent),
            frames_elicited: per(self.frames_elicited),
        })
    }
}

/// A duration as whole milliseconds (saturating), as the JSON schema writes them.
fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// One scanned interface.
#[derive(Clone, Debug, PartialEq)]
pub struct IfaceReport {
    /// Its name.
    pub name: String,
    /// Its index.
    pub index: u32,
    /// Its MAC.
    pub mac: Option<Mac>,
    /// Address groups, link-local first, then global, then ULA.
    pub prefixes: Vec<PrefixGroup>,
    /// The interface's IPv4 subnet was swept (`--ipv4`): an empty `ipv4` list then means
    /// the host has no IPv4 address — otherwise only that none is known.
    pub ipv4_checked: bool,
    /// Hosts seen only over IPv4, sorted by address.
    pub ipv4_only: Vec<Ipv4OnlyHost>,
    /// Routers heard during the scan and what they last advertised, sorted by address.
    pub routers: Vec<Router>,
    /// What looks wrong (or worth knowing) on this link, in a stable order.
    pub alerts: Vec<Alert>,
}

/// A finding about the link: two claims for one address, a router not seen before, a MAC
/// that changed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Alert {
    /// What kind of finding.
    pub kind: AlertKind,
    /// The addresses involved, sorted.
    pub addresses: Vec<Ipv6Addr>,
    /// The MACs involved, sorted.
    pub macs: Vec<Mac>,
    /// One line for people.
    pub message: String,
}

/// The kinds of [`Alert`], with their stable names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertKind {
    /// One address answered for by two or more MACs, at least one overriding.
    DuplicateAddress,
    /// One address answered for by several MACs, none overriding (on-link anycast).
    Anycast,
    /// A router not seen here before that advertises an unknown prefix or pre-empts the
    /// known default router.
    RogueRouter,
    /// A router not seen here before.
    NewRouter,
    /// An address's MAC differs from what the inventory saw, or two messages of this scan
    /// claim different MACs for it.
    MacChange,
    /// A Neighbour Advertisement with the Router flag from a host that sends no RA.
    RouterFlag,
    /// One MAC answering for many unrelated addresses (an ND proxy, or a spoofer).
    Proxy,
}

impl AlertKind {
    /// The stable name used in every output format and in watch events.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::DuplicateAddress => "duplicate-address",
            AlertKind::Anycast => "anycast",
            AlertKind::RogueRouter => "rogue-router",
            AlertKind::NewRouter => "new-router",
            AlertKind::MacChange => "mac-change",
            AlertKind::RouterFlag => "router-flag",
            AlertKind::Proxy => "proxy",
        }
    }
}

/// Where a prefix was learned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrefixSource {
    /// We have an address in it.
    Interface,
    /// A Router Advertisement announced it on-link.
    Ra,
    /// Only known because a neighbour answered from it (shown as its /64).
    Reply,
}

impl PrefixSource {
    /// The stable name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            PrefixSource::Interface => "interface",
            PrefixSource::Ra => "ra",
            PrefixSource::Reply => "reply",
        }
    }
}

/// The addresses found in one prefix.
#[derive(Clone, Debug, PartialEq)]
pub struct PrefixGroup {
    /// The prefix.
    pub prefix: Ipv6Prefix,
    /// Where it was learned.
    pub source: PrefixSource,
    /// One row per address, sorted by address.
    pub hosts: Vec<HostRow>,
}

/// One address of one neighbour.
#[derive(Clone, Debug, PartialEq)]
pub struct HostRow {
    /// The address.
    pub address: Ipv6Addr,
    /// The address as `ssh` needs it: `fe80::…%eth0` for link-local, else the address.
    pub scoped: String,
    /// Its MAC, when known.
    pub mac: Option<Mac>,
    /// The vendor of its MAC.
    pub vendor: Vendor,
    /// It is a router (it, or another address with its MAC, advertised so).
    pub router: bool,
    /// It is one of our own addresses (`--include-self`).
    pub is_self: bool,
    /// Only in the neighbour cache (`--include-stale`).
    pub stale: bool,
    /// How it was seen.
    pub seen_by: Vec<SeenBy>,
    /// Best round-trip time.
    pub rtt: Option<Duration>,
    /// Host names found for it (mDNS, reverse DNS); empty until a resolver fills them.
    pub names: Vec<String>,
    /// The name the admin gave its device (`v6scout label`), from the inventory.
    pub label: Option<String>,
    /// How its interface ID was formed (MAC-derived, manual, random).
    pub iid: IidKind,
    /// IPv4 addresses of the host with this MAC (empty: none known — it may have lost it).
    pub ipv4: Vec<std::net::Ipv4Addr>,
    /// TCP ports that accepted a connection (`--ports`); `None` when not checked.
    pub open_ports: Option<Vec<u16>>,
    /// DNS-SD service types the host offers (`_ssh._tcp`), from mDNS; sorted.
    pub services: Vec<String>,
    /// Addresses the host announces over mDNS outside the link's prefixes: never probed,
    /// so shown apart from the addresses found.
    pub announced: Vec<Ipv6Addr>,
}

impl HostRow {
    /// A live row for `address` on interface `iface`, with the vendor and interface-ID kind
    /// derived from `mac` and every other field empty; callers set what they know.
    pub fn new(address: Ipv6Addr, iface: &str, mac: Option<Mac>) -> Self {
        HostRow {
            address,
            scoped: crate::model::scoped(address, iface),
            mac,
            vendor: mac.map_or(Vendor::Unknown, crate::oui::lookup),
            router: false,
            is_self: false,
            stale: false,
            seen_by: Vec::new(),
            rtt: None,
            names: Vec::new(),
            label: None,
            iid: IidKind::of(address, mac),
            ipv4: Vec::new(),
            open_ports: None,
            services: Vec::new(),
            announced: Vec::new(),
        }
    }
}

impl HostRow {
    /// Every name to show for it: its label first, then the names found.
    pub fn shown_names(&self) -> impl Iterator<Item = &str> {
        self.label.iter().chain(&self.names).map(String::as_str)
    }
}

/// The names admins gave devices (`v6scout label`), by MAC: a label belongs to a device,
/// wherever it answers, and names at most one (labels compare ignoring case).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(BTreeMap<Mac, String>);

impl Labels {
    /// The label of device `mac`.
    pub fn get(&self, mac: Mac) -> Option<&str> {
        self.0.get(&mac).map(String::as_str)
    }

    /// The device labelled `label` (ignoring case).
    pub fn holder(&self, label: &str) -> Option<Mac> {
        let folded = fold_label(label);
        self.0
            .iter()
            .find(|(_, l)| fold_label(l) == folded)
            .map(|(m, _)| *m)
    }

    /// No device has a label.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(Mac, String)> for Labels {
    fn from_iter<I: IntoIterator<Item = (Mac, String)>>(iter: I) -> Self {
        Labels(iter.into_iter().collect())
    }
}

/// A label as it is compared: lower case (`Kitchen-Pi` and `kitchen-pi` are one label).
pub fn fold_label(label: &str) -> String {
    label.to_lowercase()
}

impl Report {
    /// Gives every row with a MAC its device's label (and takes it from the others).
    pub fn set_labels(&mut self, labels: &Labels) {
        let rows = self.interfaces.iter_mut().flat_map(|i| &mut i.prefixes);
        for h in rows.flat_map(|p| &mut p.hosts) {
            h.label = h.mac.and_then(|m| labels.get(m)).map(str::to_owned);
        }
    }
}

impl IfaceReport {
    /// Number of distinct live neighbours on this interface, as [`Report::host_count`]
    /// counts them.
    pub fn host_count(&self) -> usize {
        let mut hosts: HashSet<HostKey> = self
            .prefixes
            .iter()
            .flat_map(|p| &p.hosts)
            .filter(|h| !h.is_self && !h.stale)
            .map(|h| HostKey::of(h.mac, h.address))
            .collect();
        hosts.extend(self.ipv4_only.iter().map(|h| HostKey::Mac(h.mac)));
        hosts.len()
    }

    /// An interface with no groups yet.
    pub fn new(name: &str, index: u32, mac: Option<Mac>) -> Self {
        IfaceReport {
            name: name.to_string(),
            index,
            mac,
            prefixes: Vec::new(),
            ipv4_checked: false,
            ipv4_only: Vec::new(),
            routers: Vec::new(),
            alerts: Vec::new(),
        }
    }
}

/// One address the moment it is confirmed during a scan (for streaming output): the row
/// as known then, and the prefix it is listed under.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveRow {
    /// The interface's name.
    pub interface: String,
    /// The interface's index.
    pub index: u32,
    /// The prefix the address is listed under.
    pub prefix: Ipv6Prefix,
    /// The row.
    pub row: HostRow,
}

/// A neighbour that answered only over IPv4 (ARP), with no IPv6 address we know of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv4OnlyHost {
    /// Its IPv4 address.
    pub addr: std::net::Ipv4Addr,
    /// Its MAC.
    pub mac: Mac,
    /// The vendor of its MAC.
    pub vendor: Vendor,
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago": how long before `now` `t` was.
pub fn ago(now: SystemTime, t: SystemTime) -> String {
    let secs = now.duration_since(t).unwrap_or(Duration::ZERO).as_secs();
    let (n, unit) = match secs {
        0..=59 => return "just now".to_string(),
        60..=3599 => (secs / 60, "minute"),
        3600..=86_399 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
