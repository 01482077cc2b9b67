//! JSON output, schema version 1 (docs/json-schema.md documents every field). These structs
//! *are* the schema: a change to them is a change of `version`.

use crate::report::{HostRow, IfaceReport, PerHost, PrefixGroup, Report, ScanStats};
use serde::Serialize;
use std::io::{self, Write};

/// Schema version.
pub const VERSION: u32 = 1;

/// The whole document.
#[derive(Serialize)]
pub struct Document<'a> {
    /// Schema version.
    pub version: u32,
    /// Scan start, RFC 3339 UTC.
    pub started: String,
    /// Scan duration in milliseconds.
    pub duration_ms: u64,
    /// Scanned interfaces.
    pub interfaces: Vec<JsonIface<'a>>,
    /// Counters.
    pub stats: JsonStats,
}

/// The counters, and what they come to per host found.
#[derive(Clone, Copy, Serialize)]
pub struct JsonStats {
    /// Every counter, as the scan added them up.
    #[serde(flatten)]
    pub counters: ScanStats,
    /// Probes sent and answers received per host found; null when none was found.
    pub per_host: Option<PerHost>,
}

/// One interface.
#[derive(Serialize)]
pub struct JsonIface<'a> {
    /// Name.
    pub name: &'a str,
    /// Kernel index.
    pub index: u32,
    /// Its MAC, or null.
    pub mac: Option<String>,
    /// Address groups.
    pub prefixes: Vec<JsonPrefix<'a>>,
    /// Hosts that answered only over IPv4; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ipv4_only: Vec<JsonIpv4Only>,
    /// Routers heard and what they advertise; always present, empty when none.
    pub routers: Vec<super::routers::JsonRouter>,
    /// What looks wrong on this link; always present, empty when nothing does.
    pub alerts: Vec<super::alerts::JsonAlert>,
}

/// One prefix group.
#[derive(Serialize)]
pub struct JsonPrefix<'a> {
    /// `2001:db8:1::/64`.
    pub prefix: String,
    /// `link-local`, `global` or `ula`.
    pub kind: &'static str,
    /// `interface`, `ra` or `reply`.
    pub source: &'static str,
    /// One entry per address.
    pub hosts: Vec<JsonHost<'a>>,
}

/// One address of one neighbour.
#[derive(Serialize)]
pub struct JsonHost<'a> {
    /// The address.
    pub address: String,
    /// The address with `%iface` for link-local ones.
    pub scoped: &'a str,
    /// MAC, or null when unknown.
    pub mac: Option<String>,
    /// Registered vendor of the MAC, or null (unknown, private or no MAC).
    pub vendor: Option<&'static str>,
    /// The MAC is locally administered.
    pub private_mac: bool,
    /// Host names (mDNS, reverse DNS); always present, empty when none was found.
    pub names: Vec<&'a str>,
    /// The name an admin gave the device (`v6scout label`), or null.
    pub label: Option<&'a str>,
    /// It is a router.
    pub router: bool,
    /// It is our own address.
    #[serde(rename = "self")]
    pub is_self: bool,
    /// Only in the neighbour cache.
    pub stale: bool,
    /// How it was seen.
    pub seen_by: Vec<&'static str>,
    /// Best round-trip time in milliseconds, or null.
    pub rtt_ms: Option<f64>,
    /// How the interface ID was formed: `eui64`, `manual` or `temporary`.
    pub iid: &'static str,
    /// IPv4 addresses of this host's MAC; after an ARP sweep (`--ipv4`) an empty list means
    /// it has none; without one the field is absent unless an address is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<Vec<String>>,
    /// TCP ports that accepted a connection; absent unless `--ports`/`--services`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_ports: Option<Vec<u16>>,
    /// DNS-SD service types the host announces over mDNS (`_ssh._tcp`); always present,
    /// empty when none is known.
    pub services: Vec<&'a str>,
    /// Addresses the host announces over mDNS outside the link's prefixes (never
    /// probed); always present, usually empty.
    pub announced: Vec<String>,
}

/// A host seen only over IPv4.
#[derive(Serialize)]
pub struct JsonIpv4Only {
    /// Its IPv4 address.
    pub address: String,
    /// Its MAC.
    pub mac: String,
    /// Registered vendor, or null.
    pub vendor: Option<&'static str>,
    /// The MAC is locally administered.
    pub private_mac: bool,
}

/// The entry of one row; `ipv4_checked`: its interface was swept for IPv4.
pub fn host(h: &HostRow, ipv4_checked: bool) -> JsonHost<'_> {
    JsonHost {
        address: h.address.to_string(),
        scoped: &h.scoped,
        mac: h.mac.map(|m| m.to_string()),
        vendor: h.vendor.name(),
        private_mac: h.vendor.is_private(),
        names: h.names.iter().map(String::as_str).collect(),
        label: h.label.as_deref(),
        router: h.router,
        is_self: h.is_self,
        stale: h.stale,
        seen_by: h.seen_by.iter().map(|s| s.as_str()).collect(),
        // Microsecond precision is all a link round trip means.
        rtt_ms: h.rtt.map(|d| (d.as_secs_f64() * 1e6).round() / 1e3),
        iid: h.iid.as_str(),
        ipv4: (ipv4_checked || !h.ipv4.is_empty())
            .then(|| h.ipv4.iter().map(|a| a.to_string()).collect()),
        open_ports: h.open_ports.clone(),
        services: h.services.iter().map(String::as_str).collect(),
        announced: h.announced.iter().map(|a| a.to_string()).collect(),
    }
}

fn prefix(g: &PrefixGroup, ipv4_checked: bool) -> JsonPrefix<'_> {
    JsonPrefix {
        prefix: g.prefix.to_string(),
        kind: g.prefix.kind().as_str(),
        source: g.source.as_str(),
        hosts: g.hosts.iter().map(|h| host(h, ipv4_checked)).collect(),
    }
}

fn iface(i: &IfaceReport) -> JsonIface<'_> {
    JsonIface {
        name: &i.name,
        index: i.index,
        mac: i.mac.map(|m| m.to_string()),
        prefixes: i
            .prefixes
            .iter()
            .map(|g| prefix(g, i.ipv4_checked))
            .collect(),
        ipv4_only: ipv4_only(i),
        routers: i
            .routers
            .iter()
            .map(|r| super::routers::json(r, &i.name))
            .collect(),
        alerts: i.alerts.iter().map(super::alerts::json).collect(),
    }
}

/// The entries of the hosts that answered `i` only over IPv4.
pub fn ipv4_only(i: &IfaceReport) -> Vec<JsonIpv4Only> {
    i.ipv4_only
        .iter()
        .map(|h| JsonIpv4Only {
            address: h.addr.to_string(),
            mac: h.mac.to_string(),
            vendor: h.vendor.name(),
            private_mac: h.vendor.is_private(),
        })
        .collect()
}

/// The document for a report.
pub fn document(report: &Report) -> Document<'_> {
    Document {
        version: VERSION,
        started: humantime::format_rfc3339_millis(report.started).to_string(),
        duration_ms: u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
        interfaces: report.interfaces.iter().map(iface).collect(),
        stats: JsonStats {
            counters: report.stats,
            per_host: report.stats.per_host(report.host_count()),
        },
    }
}

/// Writes the document, pretty-printed, with a final newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Serialise first, write once: a closed stdout then surfaces as a plain io::Error
    // (BrokenPipe) instead of being wrapped inside a serde_json error.
    let mut text = serde_json::to_vec_pretty(&document(report)).map_err(io::Error::other)?;
    text.push(b'\n');
    out.write_all(&text)
}
