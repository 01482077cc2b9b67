//! Table output for people: a heading per interface and prefix, then aligned columns.

use super::{flags, seen_by, summary};
use crate::report::Report;
use comfy_table::{presets, ContentArrangement, Table};
use std::io::{self, Write};

/// Writes the tables and the summary line.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for iface in &report.interfaces {
        if iface.prefixes.is_empty() {
            writeln!(out, "{}  no neighbours answered", iface.name)?;
            continue;
        }
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
                .set_header(["ADDRESS", "MAC", "VENDOR", "NAME", "SEEN BY", ""]);
            for h in &group.hosts {
                let f = flags(h);
                t.add_row([
                    h.scoped.clone(),
                    h.mac.map_or_else(String::new, |m| m.to_string()),
                    h.vendor.to_string(),
                    h.names.join(", "),
                    seen_by(h, ", "),
                    if f.is_empty() {
                        String::new()
                    } else {
                        format!("({})", f.join(", "))
                    },
                ]);
            }
            for line in t.to_string().lines() {
                writeln!(out, " {}", line.trim_end())?;
            }
        }
    }
    writeln!(out, "{}", summary(report))
}
