//! Plain output: one address a line, stable whitespace-separated columns.
//!
//! Columns: IFACE PREFIX ADDRESS MAC SEEN_BY FLAGS NAMES VENDOR (NAMES comma-separated). Empty fields are `-`; the vendor
//! comes last because it may contain spaces (`awk '{print $3}'` always gets the address).

use super::{flags, seen_by};
use crate::report::Report;
use std::io::{self, Write};

/// The column header line.
pub const HEADER: &str = "IFACE PREFIX ADDRESS MAC SEEN_BY FLAGS NAMES VENDOR";

/// Writes every row.
pub fn render(report: &Report, header: bool, out: &mut dyn Write) -> io::Result<()> {
    if header {
        writeln!(out, "{HEADER}")?;
    }
    for iface in &report.interfaces {
        for group in &iface.prefixes {
            for h in &group.hosts {
                let f = flags(h);
                writeln!(
                    out,
                    "{} {} {} {} {} {} {} {}",
                    iface.name,
                    group.prefix,
                    h.scoped,
                    h.mac.map_or_else(|| "-".to_string(), |m| m.to_string()),
                    seen_by(h, ","),
                    if f.is_empty() {
                        "-".to_string()
                    } else {
                        f.join(",")
                    },
                    if h.names.is_empty() {
                        "-".to_string()
                    } else {
                        h.names.join(",")
                    },
                    vendor_text(h),
                )?;
            }
        }
    }
    Ok(())
}

/// The vendor column: never empty, never a control character (names come from a data file).
fn vendor_text(h: &crate::report::HostRow) -> String {
    let v: String = h
        .vendor
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match v.trim() {
        "" => "-".to_string(),
        t => t.to_string(),
    }
}
