//! The per-device view (`--by-host`): one row per device per interface instead of one per
//! address and prefix. A device is a MAC on an interface (an address whose MAC is unknown
//! is a device of its own, as everywhere else); its row carries the scoped link-local
//! address first — what ssh needs — then its other addresses.
//!
//! Plain columns: IFACE MAC LINK_LOCAL ADDRESSES IPV4 OPEN SERVICES MARKS NAMES VENDOR
//! (lists comma-separated, `-` for empty; IPV4 is `none` when the subnet was swept and the
//! device has no IPv4 address, `-` when it was not swept and none is known).

use super::table::{self, Col, TableStyle};
use crate::mac::Mac;
use crate::model::{is_link_local, HostKey};
use crate::oui::Vendor;
use crate::report::{HostRow, IfaceReport, Report};
use comfy_table::Color;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The order of the devices on each interface (`--sort`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// By vendor name, then MAC (unknown vendors last).
    #[default]
    Vendor,
    /// By the device's first address (link-local first).
    Address,
    /// By MAC (devices without one last).
    Mac,
    /// By name (devices without one last), then vendor.
    Name,
    /// Confirmed in this scan first, then stale cache entries; within each, by vendor.
    /// (A scan's rows carry no time of their own: everything confirmed was seen now.)
    LastSeen,
}

/// One device on one interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// The interface's name.
    pub iface: String,
    /// Its MAC, when known.
    pub mac: Option<Mac>,
    /// The vendor of its MAC.
    pub vendor: Vendor,
    /// Its label, then its names, each once, in the order found.
    pub names: Vec<String>,
    /// Its link-local addresses, scoped (`fe80::…%eth0`), sorted.
    pub link_local: Vec<String>,
    /// Its other (global, ULA) addresses, sorted.
    pub others: Vec<Ipv6Addr>,
    /// Its IPv4 addresses.
    pub ipv4: Vec<Ipv4Addr>,
    /// The interface's IPv4 subnet was swept: an empty `ipv4` means it has none.
    pub ipv4_checked: bool,
    /// Open TCP ports (`--ports`); `None` when not checked.
    pub open_ports: Option<Vec<u16>>,
    /// Services it announces, when known (see [`row_services`]).
    pub services: Vec<String>,
    /// `router`, `self`, `stale`, `ipv4-only`, then the kinds of the link-health alerts
    /// that name it (`duplicate-address`, `rogue-router`, …), in that order.
    pub marks: Vec<&'static str>,
    /// Every address of it is only a stale cache entry.
    pub stale: bool,
}

/// The services a row's host announces (DNS-SD service types, from mDNS): the one place
/// every by-host renderer reads them from.
pub fn row_services(row: &HostRow) -> Vec<String> {
    row.services.clone()
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, items: impl IntoIterator<Item = T>) {
    for i in items {
        if !v.contains(&i) {
            v.push(i);
        }
    }
}

/// The devices of one interface, in `sort` order.
pub fn iface_devices(iface: &IfaceReport, sort: SortKey) -> Vec<Device> {
    let mut by_key: BTreeMap<HostKey, (Device, Vec<Ipv6Addr>, bool, bool, bool)> = BTreeMap::new();
    for h in iface.prefixes.iter().flat_map(|p| &p.hosts) {
        let (d, ll, router, is_self, all_stale) = by_key
            .entry(HostKey::of(h.mac, h.address))
            .or_insert_with(|| {
                (
                    Device {
                        iface: iface.name.clone(),
                        mac: h.mac,
                        vendor: h.vendor,
                        names: Vec::new(),
                        link_local: Vec::new(),
                        others: Vec::new(),
                        ipv4: Vec::new(),
                        ipv4_checked: iface.ipv4_checked,
                        open_ports: None,
                        services: Vec::new(),
                        marks: Vec::new(),
                        stale: false,
                    },
                    Vec::new(),
                    false,
                    false,
                    true,
                )
            });
        if is_link_local(h.address) {
            push_unique(ll, [h.address]);
        } else {
            push_unique(&mut d.others, [h.address]);
        }
        push_unique(&mut d.names, h.shown_names().map(str::to_owned));
        push_unique(&mut d.ipv4, h.ipv4.iter().copied());
        push_unique(&mut d.services, row_services(h));
        if let Some(p) = &h.open_ports {
            let open = d.open_ports.get_or_insert_with(Vec::new);
            push_unique(open, p.iter().copied());
            open.sort_unstable();
        }
        *router |= h.router;
        *is_self |= h.is_self;
        *all_stale &= h.stale;
    }
    let mut devices: Vec<Device> = by_key
        .into_values()
        .map(|(mut d, mut ll, router, is_self, stale)| {
            ll.sort_unstable();
            d.link_local = ll
                .iter()
                .map(|a| crate::model::scoped(*a, &iface.name))
                .collect();
            d.others.sort_unstable();
            d.stale = stale;
            for (on, mark) in [(router, "router"), (is_self, "self"), (stale, "stale")] {
                if on {
                    d.marks.push(mark);
                }
            }
            // The link-health alerts that name this device (by its MAC, else an address).
            for a in &iface.alerts {
                let named = match d.mac {
                    Some(m) => a.macs.contains(&m),
                    None => ll.iter().chain(&d.others).any(|x| a.addresses.contains(x)),
                };
                if named && !d.marks.contains(&a.kind.as_str()) {
                    d.marks.push(a.kind.as_str());
                }
            }
            d
        })
        .collect();
    for h in &iface.ipv4_only {
        devices.push(Device {
            iface: iface.name.clone(),
            mac: Some(h.mac),
            vendor: h.vendor,
            names: Vec::new(),
            link_local: Vec::new(),
            others: Vec::new(),
            ipv4: vec![h.addr],
            ipv4_checked: iface.ipv4_checked,
            open_ports: None,
            services: Vec::new(),
            marks: vec!["ipv4-only"],
            stale: false,
        });
    }
    sort_devices(&mut devices, sort);
    devices
}

/// Every device of the report, interface by interface in scan order.
pub fn devices(report: &Report, sort: SortKey) -> Vec<Device> {
    report
        .interfaces
        .iter()
        .flat_map(|i| iface_devices(i, sort))
        .collect()
}

/// A key that sorts known vendors by name (case-insensitively), then the rest.
fn vendor_key(v: &Vendor) -> (bool, String) {
    match v.name() {
        Some(n) => (false, n.to_lowercase()),
        None => (true, v.to_string()),
    }
}

/// The device's first address: link-local ones sort first, as they are listed first.
fn first_address(d: &Device) -> (u8, String) {
    match (d.link_local.first(), d.others.first(), d.ipv4.first()) {
        (Some(ll), _, _) => (0, ll.clone()),
        (None, Some(a), _) => (1, a.to_string()),
        (None, None, Some(a)) => (2, a.to_string()),
        (None, None, None) => (3, String::new()),
    }
}

/// Sorts devices by `key`; ties are broken by vendor, MAC and address, so the order is
/// total and the same from run to run.
pub fn sort_devices(devices: &mut [Device], key: SortKey) {
    let numeric = |d: &Device| {
        let ll = d
            .link_local
            .first()
            .and_then(|s| s.split('%').next()?.parse::<Ipv6Addr>().ok());
        (ll, d.others.first().copied(), d.ipv4.first().copied())
    };
    let tie = |a: &Device, b: &Device| {
        vendor_key(&a.vendor)
            .cmp(&vendor_key(&b.vendor))
            .then((a.mac.is_none(), a.mac).cmp(&(b.mac.is_none(), b.mac)))
            .then(first_address(a).0.cmp(&first_address(b).0))
            .then(numeric(a).cmp(&numeric(b)))
    };
    devices.sort_by(|a, b| match key {
        SortKey::Vendor => tie(a, b),
        SortKey::Address => first_address(a)
            .0
            .cmp(&first_address(b).0)
            .then(numeric(a).cmp(&numeric(b)))
            .then(tie(a, b)),
        SortKey::Mac => (a.mac.is_none(), a.mac)
            .cmp(&(b.mac.is_none(), b.mac))
            .then(tie(a, b)),
        SortKey::Name => {
            let n = |d: &Device| {
                (
                    d.names.is_empty(),
                    d.names.first().map(|n| n.to_lowercase()),
                )
            };
            n(a).cmp(&n(b)).then(tie(a, b))
        }
        SortKey::LastSeen => a.stale.cmp(&b.stale).then(tie(a, b)),
    });
}

/// The IPv4 field: the addresses; when there are none, `swept_none` after a sweep (the
/// device has no IPv4 address) and `unknown` without one.
pub fn ipv4_field(d: &Device, sep: &str, swept_none: &str, unknown: &str) -> String {
    if d.ipv4.is_empty() {
        if d.ipv4_checked { swept_none } else { unknown }.to_string()
    } else {
        d.ipv4
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(sep)
    }
}

/// The plain column header line of `--by-host`.
pub const PLAIN_HEADER: &str =
    "IFACE MAC LINK_LOCAL ADDRESSES IPV4 OPEN SERVICES MARKS NAMES VENDOR";

/// Names as single words: a blank inside one would shift the columns after it.
fn words(v: &[String]) -> Vec<String> {
    v.iter()
        .map(|s| s.replace(char::is_whitespace, "_"))
        .collect()
}

fn dash(items: Vec<String>) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(",")
    }
}

/// Writes one line per device per interface (see the module's column list).
pub fn render_plain(
    report: &Report,
    sort: SortKey,
    header: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    if header {
        writeln!(out, "{PLAIN_HEADER}")?;
    }
    for d in devices(report, sort) {
        writeln!(
            out,
            "{} {} {} {} {} {} {} {} {} {}",
            d.iface,
            d.mac.map_or_else(|| "-".to_string(), |m| m.to_string()),
            dash(d.link_local.clone()),
            dash(d.others.iter().map(|a| a.to_string()).collect()),
            ipv4_field(&d, ",", "none", "-"),
            dash(
                d.open_ports
                    .iter()
                    .flatten()
                    .map(|p| p.to_string())
                    .collect()
            ),
            dash(words(&d.services)),
            dash(d.marks.iter().map(|m| m.to_string()).collect()),
            dash(words(&d.names)),
            super::plain::vendor_text(&d.vendor),
        )?;
    }
    Ok(())
}

/// The by-host table's columns: NAME when some device has a name, IPV4 after a sweep or
/// when some address is known, OPEN with `--ports`, SERVICES when some are known.
fn columns(devices: &[Device], swept: bool, ports: bool) -> Vec<Col> {
    let mut c = vec![Col::Mac, Col::Vendor];
    if devices.iter().any(|d| !d.names.is_empty()) {
        c.push(Col::Name);
    }
    c.extend([Col::LinkLocal, Col::Others]);
    if swept || devices.iter().any(|d| !d.ipv4.is_empty()) {
        c.push(Col::Ipv4);
    }
    if ports {
        c.push(Col::Open);
    }
    if devices.iter().any(|d| !d.services.is_empty()) {
        c.push(Col::Services);
    }
    c.push(Col::Marks);
    c
}

fn cell_of(d: &Device, c: Col) -> (String, Option<Color>) {
    match c {
        Col::Mac => (d.mac.map_or_else(String::new, |m| m.to_string()), None),
        Col::Vendor => (d.vendor.to_string(), None),
        Col::Name => (d.names.join(", "), Some(Color::Green)),
        // One address a line: a device with several stays narrow.
        Col::LinkLocal | Col::Address => (d.link_local.join("\n"), None),
        Col::Others => (
            d.others
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            None,
        ),
        Col::Ipv4 => (ipv4_field(d, ", ", "-", ""), None),
        Col::Open => (
            d.open_ports
                .as_deref()
                .map_or_else(String::new, super::describe_ports),
            Some(Color::Cyan),
        ),
        Col::Services => (super::describe_services(&d.services), Some(Color::Cyan)),
        Col::SeenBy => (String::new(), None),
        Col::Marks => {
            let text = if d.marks.is_empty() {
                String::new()
            } else {
                format!("({})", d.marks.join(", "))
            };
            (text, Some(Color::Yellow))
        }
    }
}

/// Writes a table per interface, one row per device, then the summary line.
pub fn render_table(
    report: &Report,
    sort: SortKey,
    style: &TableStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (bold, reset) = if style.color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    for iface in &report.interfaces {
        let devs = iface_devices(iface, sort);
        if devs.is_empty() {
            writeln!(out, "{}  no neighbours answered", iface.name)?;
            continue;
        }
        let n = devs.len();
        writeln!(
            out,
            "{bold}{}{reset}  {n} device{}",
            iface.name,
            if n == 1 { "" } else { "s" }
        )?;
        let cols = columns(&devs, iface.ipv4_checked, report.ports_checked.is_some());
        let rows = devs
            .iter()
            .map(|d| cols.iter().map(|c| cell_of(d, *c)).collect())
            .collect();
        table::write_indented(&table::build(style, &cols, rows), out)?;
    }
    writeln!(out, "{}", super::summary(report))
}

#[cfg(test)]
#[path = "byhost_tests.rs"]
pub(crate) mod tests;
