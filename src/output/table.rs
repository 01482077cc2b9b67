//! Table output for people: a heading per interface and prefix, then aligned columns.
//! Fits a given width by shortening the vendor and name columns (never the address or
//! MAC); colour only when asked.

use super::{flags, seen_by, summary};
use crate::report::{IfaceReport, Report};
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

/// The columns of one interface's tables; only VENDOR and NAME may be shortened.
#[derive(Clone, Copy)]
enum Col {
    Address,
    Mac,
    Vendor,
    Name,
    Ipv4,
    Open,
    SeenBy,
    Marks,
}

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Address => "ADDRESS",
            Col::Mac => "MAC",
            Col::Vendor => "VENDOR",
            Col::Name => "NAME",
            Col::Ipv4 => "IPV4",
            Col::Open => "OPEN",
            Col::SeenBy => "SEEN BY",
            Col::Marks => "",
        }
    }

    fn shortenable(self) -> bool {
        matches!(self, Col::Vendor | Col::Name)
    }
}

/// NAME appears when any host has a name, IPV4 after a sweep or when any address is
/// known, OPEN with `--ports`.
fn columns(iface: &IfaceReport, ports: bool) -> Vec<Col> {
    let rows = || iface.prefixes.iter().flat_map(|p| &p.hosts);
    let show_ipv4 = iface.ipv4_checked || rows().any(|h| !h.ipv4.is_empty());
    let mut c = vec![Col::Address, Col::Mac, Col::Vendor];
    if rows().any(|h| !h.names.is_empty()) {
        c.push(Col::Name);
    }
    if show_ipv4 {
        c.push(Col::Ipv4);
    }
    if ports {
        c.push(Col::Open);
    }
    c.extend([Col::SeenBy, Col::Marks]);
    c
}

fn cell(text: String, color: Option<Color>, style: &TableStyle) -> Cell {
    match (style.color, color) {
        (true, Some(c)) => Cell::new(text).fg(c),
        _ => Cell::new(text),
    }
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

fn new_table(style: &TableStyle, titles: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    if style.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    let header: Vec<Cell> = titles
        .iter()
        .map(|h| {
            if style.color {
                Cell::new(h).add_attribute(Attribute::Bold)
            } else {
                Cell::new(h)
            }
        })
        .collect();
    t.set_header(header);
    t
}

fn fit(t: &mut Table, style: &TableStyle, cols: &[Col]) {
    match style.width {
        Some(w) => {
            // One column of indent is ours.
            t.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w.saturating_sub(1))
                .set_truncation_indicator("…");
            for (i, c) in cols.iter().enumerate() {
                if !c.shortenable() {
                    if let Some(col) = t.column_mut(i) {
                        col.set_constraint(ColumnConstraint::ContentWidth);
                    }
                }
            }
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
}

fn write_indented(t: &Table, out: &mut dyn Write) -> io::Result<()> {
    for line in t.to_string().lines() {
        writeln!(out, " {}", line.trim_end())?;
    }
    Ok(())
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
    let ports = report.ports_checked.is_some();
    for iface in &report.interfaces {
        if iface.prefixes.is_empty() && iface.ipv4_only.is_empty() {
            writeln!(out, "{}  no neighbours answered", iface.name)?;
            continue;
        }
        let cols = columns(iface, ports);
        let titles: Vec<&str> = cols.iter().map(|c| c.title()).collect();
        for group in &iface.prefixes {
            writeln!(
                out,
                "{bold}{}  {}{reset} ({}, from {})",
                iface.name,
                group.prefix,
                group.prefix.kind().as_str(),
                group.source.as_str()
            )?;
            let mut t = new_table(style, &titles);
            for h in &group.hosts {
                let cells: Vec<Cell> = cols
                    .iter()
                    .map(|c| match c {
                        Col::Address => cell(h.scoped.clone(), None, style),
                        Col::Mac => cell(
                            h.mac.map_or_else(String::new, |m| m.to_string()),
                            None,
                            style,
                        ),
                        Col::Vendor => cell(h.vendor.to_string(), None, style),
                        Col::Name => cell(h.names.join(", "), Some(Color::Green), style),
                        Col::Ipv4 => cell(ipv4_text(&h.ipv4, iface.ipv4_checked), None, style),
                        Col::Open => cell(
                            h.open_ports
                                .as_deref()
                                .map_or_else(String::new, crate::reach::describe),
                            Some(Color::Cyan),
                            style,
                        ),
                        Col::SeenBy => cell(seen_by(h, ", "), None, style),
                        Col::Marks => {
                            let f = flags(h);
                            let text = if f.is_empty() {
                                String::new()
                            } else {
                                format!("({})", f.join(", "))
                            };
                            cell(text, Some(Color::Yellow), style)
                        }
                    })
                    .collect();
                let mut row = Row::from(cells);
                row.max_height(1);
                t.add_row(row);
            }
            fit(&mut t, style, &cols);
            write_indented(&t, out)?;
        }
        if !iface.ipv4_only.is_empty() {
            writeln!(
                out,
                "{bold}{}  IPv4 only{reset} (no IPv6 answer)",
                iface.name
            )?;
            let only = [Col::Ipv4, Col::Mac, Col::Vendor];
            let mut t = new_table(style, &only.map(|c| c.title()));
            for h in &iface.ipv4_only {
                t.add_row(Row::from(vec![
                    cell(h.addr.to_string(), None, style),
                    cell(h.mac.to_string(), None, style),
                    cell(h.vendor.to_string(), None, style),
                ]));
            }
            fit(&mut t, style, &only);
            write_indented(&t, out)?;
        }
    }
    writeln!(out, "{}", summary(report))
}
