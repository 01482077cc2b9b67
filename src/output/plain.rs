//! Plain output: one address a line, stable whitespace-separated columns.
//!
//! Columns: IFACE PREFIX ADDRESS MAC SEEN_BY FLAGS IPV4 OPEN NAMES VENDOR (lists are
//! comma-separated; NAMES starts with the device's label). Empty fields are `-`; IPV4 is `none` when the interface's subnet was
//! swept (`--ipv4`) and the host has no IPv4 address, `-` when it is not known; the vendor comes last because it may contain
//! spaces (`awk '{print $3}'` always gets the address). Hosts seen only over IPv4 get
//! lines with PREFIX `ipv4-only`.

use super::{flags, seen_by};
use crate::report::Report;
use std::io::{self, Write};

/// The column header line.
pub const HEADER: &str = "IFACE PREFIX ADDRESS MAC SEEN_BY FLAGS IPV4 OPEN NAMES VENDOR";

/// Writes every row.
pub fn render(report: &Report, header: bool, out: &mut dyn Write) -> io::Result<()> {
    if header {
        writeln!(out, "{HEADER}")?;
    }
    for iface in &report.interfaces {
        for group in &iface.prefixes {
            for h in &group.hosts {
                writeln!(
                    out,
                    "{} {} {} {} {} {} {} {} {} {}",
                    iface.name,
                    group.prefix,
                    h.scoped,
                    h.mac.map_or_else(|| "-".to_string(), |m| m.to_string()),
                    // Our own addresses were seen by no probe: every field must hold a word.
                    or_dash(seen_by(h, ",")),
                    dash_list(flags(h).iter()),
                    ipv4_field(&h.ipv4, iface.ipv4_checked),
                    dash_list(h.open_ports.iter().flatten()),
                    dash_list(h.shown_names()),
                    vendor_text(&h.vendor),
                )?;
            }
        }
        for h in &iface.ipv4_only {
            writeln!(
                out,
                "{} ipv4-only {} {} arp ipv4-only {} - - {}",
                iface.name,
                h.addr,
                h.mac,
                h.addr,
                vendor_text(&h.vendor)
            )?;
        }
    }
    Ok(())
}

/// The IPV4 field: the addresses; `none` when the subnet was swept and the host has none,
/// `-` when it was not swept and none is known.
fn ipv4_field(addrs: &[std::net::Ipv4Addr], swept: bool) -> String {
    if addrs.is_empty() && swept {
        "none".to_string()
    } else {
        dash_list(addrs.iter())
    }
}

/// `s`, or `-` when it is empty (an empty field would shift the columns after it).
fn or_dash(s: String) -> String {
    if s.is_empty() {
        "-".to_string()
    } else {
        s
    }
}

/// Comma-separated items, or `-` when there are none.
fn dash_list<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    or_dash(items.map(|i| i.to_string()).collect::<Vec<_>>().join(","))
}

/// The vendor column: never empty, never a control character (names come from a data file).
pub(super) fn vendor_text(vendor: &crate::oui::Vendor) -> String {
    let v: String = vendor
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match v.trim() {
        "" => "-".to_string(),
        t => t.to_string(),
    }
}
