//! Table output for people: a heading per interface and prefix, then aligned columns.
//! Fits a given width by shortening the vendor and name columns (never the address or
//! MAC); colour only when asked.

use super::{flags, seen_by, summary};
use crate::report::Report;
use comfy_table::{
    presets, Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Row, Table,
};
use std::io::{self, Write};

/// How to draw the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// Terminal width to fit in; `None`: as wide as the content.
    pub width: Option<u16>,
    /// Use ANSI colours and bold.
    pub color: bool,
}

/// Columns that are never shortened: address, MAC, seen-by, marks.
const FIXED: [usize; 4] = [0, 1, 4, 5];

fn cell(text: String, color: Option<Color>, style: &TableStyle) -> Cell {
    match (style.color, color) {
        (true, Some(c)) => Cell::new(text).fg(c),
        _ => Cell::new(text),
    }
}

/// Writes the tables and the summary line (no width limit, no colour).
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    render_styled(report, &TableStyle::default(), out)
}

/// Writes the tables and the summary line in `style`.
pub fn render_styled(report: &Report, style: &TableStyle, out: &mut dyn Write) -> io::Result<()> {
    let (bold, reset) = if style.color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    for iface in &report.interfaces {
        if iface.prefixes.is_empty() {
            writeln!(out, "{}  no neighbours answered", iface.name)?;
            continue;
        }
        for group in &iface.prefixes {
            writeln!(
                out,
                "{bold}{}  {}{reset} ({}, from {})",
                iface.name,
                group.prefix,
                group.prefix.kind().as_str(),
                group.source.as_str()
            )?;
            let mut t = Table::new();
            t.load_preset(presets::NOTHING);
            if style.color {
                t.enforce_styling();
            } else {
                t.force_no_tty();
            }
            let header: Vec<Cell> = ["ADDRESS", "MAC", "VENDOR", "NAME", "SEEN BY", ""]
                .into_iter()
                .map(|h| {
                    if style.color {
                        Cell::new(h).add_attribute(Attribute::Bold)
                    } else {
                        Cell::new(h)
                    }
                })
                .collect();
            t.set_header(header);
            for h in &group.hosts {
                let f = flags(h);
                let mut row = Row::from(vec![
                    cell(h.scoped.clone(), None, style),
                    cell(
                        h.mac.map_or_else(String::new, |m| m.to_string()),
                        None,
                        style,
                    ),
                    cell(h.vendor.to_string(), None, style),
                    cell(h.names.join(", "), Some(Color::Green), style),
                    cell(seen_by(h, ", "), None, style),
                    cell(
                        if f.is_empty() {
                            String::new()
                        } else {
                            format!("({})", f.join(", "))
                        },
                        Some(Color::Yellow),
                        style,
                    ),
                ]);
                row.max_height(1);
                t.add_row(row);
            }
            match style.width {
                Some(w) => {
                    // One column of indent is ours.
                    t.set_content_arrangement(ContentArrangement::Dynamic)
                        .set_width(w.saturating_sub(1))
                        .set_truncation_indicator("…");
                    for i in FIXED {
                        if let Some(c) = t.column_mut(i) {
                            c.set_constraint(ColumnConstraint::ContentWidth);
                        }
                    }
                }
                None => {
                    t.set_content_arrangement(ContentArrangement::Disabled);
                }
            }
            for line in t.to_string().lines() {
                writeln!(out, " {}", line.trim_end())?;
            }
        }
    }
    writeln!(out, "{}", summary(report))
}
