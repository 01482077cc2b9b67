//! Table output for people: a heading per interface and prefix, then aligned columns.

use super::{flags, seen_by, summary};
use crate::report::Report;
use comfy_table::{presets, ContentArrangement, Table};
use std::io::{self, Write};

/// Writes the tables and the summary line.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for iface in &report.interfaces {
        if iface.prefixes.is_empty() && iface.ipv4_only.is_empty() {
            writeln!(out, "{}  no neighbours answered", iface.name)?;
            continue;
        }
        let ports = report.ports_checked.is_some();
        let show_ipv4 = iface.ipv4_checked
            || iface
                .prefixes
                .iter()
                .flat_map(|p| &p.hosts)
                .any(|h| !h.ipv4.is_empty());
        for group in &iface.prefixes {
            writeln!(
                out,
                "{}  {} ({}, from {})",
                iface.name,
                group.prefix,
                group.prefix.kind().as_str(),
                group.source.as_str()
            )?;
            let mut t = Table::new();
            t.load_preset(presets::NOTHING)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(header(show_ipv4, ports));
            for h in &group.hosts {
                let f = flags(h);
                let mut row = vec![
                    h.scoped.clone(),
                    h.mac.map_or_else(String::new, |m| m.to_string()),
                    h.vendor.to_string(),
                ];
                if show_ipv4 {
                    row.push(ipv4_text(&h.ipv4, iface.ipv4_checked));
                }
                if ports {
                    row.push(
                        h.open_ports
                            .as_deref()
                            .map_or_else(String::new, crate::reach::describe),
                    );
                }
                row.push(seen_by(h, ", "));
                row.push(if f.is_empty() {
                    String::new()
                } else {
                    format!("({})", f.join(", "))
                });
                t.add_row(row);
            }
            for line in t.to_string().lines() {
                writeln!(out, " {}", line.trim_end())?;
            }
        }
        if !iface.ipv4_only.is_empty() {
            writeln!(out, "{}  IPv4 only (no IPv6 answer)", iface.name)?;
            let mut t = Table::new();
            t.load_preset(presets::NOTHING)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(["IPV4", "MAC", "VENDOR"]);
            for h in &iface.ipv4_only {
                t.add_row([h.addr.to_string(), h.mac.to_string(), h.vendor.to_string()]);
            }
            for line in t.to_string().lines() {
                writeln!(out, " {}", line.trim_end())?;
            }
        }
    }
    writeln!(out, "{}", summary(report))
}

fn header(ipv4: bool, ports: bool) -> Vec<&'static str> {
    let mut h = vec!["ADDRESS", "MAC", "VENDOR"];
    if ipv4 {
        h.push("IPV4");
    }
    if ports {
        h.push("OPEN");
    }
    h.extend(["SEEN BY", ""]);
    h
}

/// The IPv4 cell: the addresses; after a sweep, `-` for none — a host that lost its IPv4
/// should stand out; without a sweep, blank (unknown).
fn ipv4_text(addrs: &[std::net::Ipv4Addr], swept: bool) -> String {
    if addrs.is_empty() {
        if swept { "-" } else { "" }.to_string()
    } else {
        addrs
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
