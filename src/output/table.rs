//! Table output for people: a heading per interface and prefix, then aligned columns.
//! Fits a given width by shortening the vendor and name columns (never the address or
//! MAC); colour only when asked.

use super::{flags, seen_by, summary};
use crate::report::{IfaceReport, Report};
use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Row, Table};
use std::io::{self, Write};

/// How to draw the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// Terminal width to fit in; `None`: as wide as the content.
    pub width: Option<u16>,
    /// Use ANSI colours and bold.
    pub color: bool,
}

/// The columns of one interface's tables; VENDOR and NAME (and, when nothing else helps,
/// SEEN BY) may be shortened.
#[derive(Clone, Copy)]
pub(crate) enum Col {
    Address,
    /// `--by-host`: the device's link-local addresses, one a line.
    LinkLocal,
    /// `--by-host`: its other addresses, one a line.
    Others,
    /// `--by-host`: the services it announces.
    Services,
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
            Col::LinkLocal => "LINK-LOCAL",
            Col::Others => "OTHER ADDRESSES",
            Col::Services => "SERVICES",
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
        matches!(self, Col::Vendor | Col::Name | Col::Services)
    }
}

/// NAME appears when any host has a name or a label, IPV4 after a sweep or when any address is
/// known, OPEN with `--ports`, SERVICES when any host announces one.
fn columns(iface: &IfaceReport, ports: bool) -> Vec<Col> {
    let rows = || iface.prefixes.iter().flat_map(|p| &p.hosts);
    let show_ipv4 = iface.ipv4_checked || rows().any(|h| !h.ipv4.is_empty());
    let mut c = vec![Col::Address, Col::Mac, Col::Vendor];
    if rows().any(|h| h.shown_names().next().is_some()) {
        c.push(Col::Name);
    }
    if show_ipv4 {
        c.push(Col::Ipv4);
    }
    if ports {
        c.push(Col::Open);
    }
    if rows().any(|h| !h.services.is_empty()) {
        c.push(Col::Services);
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

/// Widths for the columns that may be shortened so that the whole row fits `width` (our
/// one-space indent and two spaces between columns included), given every cell's text;
/// `None` for a column kept whole. VENDOR and NAME give way first, down to 8 characters;
/// then SEEN BY too, down to its title; then VENDOR and NAME down to their titles.
/// ADDRESS and MAC never do: when nothing fits, vendors stay readable (8 characters) and
/// the row is as wide as it must be.
fn plan_widths(
    cols: &[Col],
    rows: &[Vec<(String, Option<Color>)>],
    width: usize,
) -> Vec<Option<usize>> {
    let natural: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .flat_map(|r| r[i].0.lines().map(|l| l.chars().count()))
                .chain([c.title().len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let budget = width.saturating_sub(1 + 2 * cols.len());
    let names = |c: Col| c.shortenable();
    let seen = |c: Col| c.shortenable() || matches!(c, Col::SeenBy);
    // (which columns may give way, the fewest characters VENDOR and NAME keep)
    let steps: [(&dyn Fn(Col) -> bool, usize); 3] = [(&names, 8), (&seen, 8), (&seen, 0)];
    let plans: Vec<(Vec<Option<usize>>, bool)> = steps
        .iter()
        .map(|(may_shorten, floor)| {
            let mut plan = vec![None; cols.len()];
            let mut used: usize = (0..cols.len())
                .filter(|&i| !may_shorten(cols[i]))
                .map(|i| natural[i])
                .sum();
            let mut room = budget.saturating_sub(used);
            // Shortest first: a short column keeps its text, the rest goes to the longer.
            let mut short: Vec<usize> = (0..cols.len()).filter(|&i| may_shorten(cols[i])).collect();
            short.sort_by_key(|&i| natural[i]);
            let mut left = short.len();
            for i in short {
                let floor = if cols[i].shortenable() { *floor } else { 0 };
                let least = floor.max(cols[i].title().len()).min(natural[i]);
                let w = natural[i].min((room / left).max(least));
                if w < natural[i] {
                    plan[i] = Some(w);
                }
                room = room.saturating_sub(w);
                used += w;
                left -= 1;
            }
            (plan, used <= budget)
        })
        .collect();
    // The first plan that fits; when none does, the one that keeps vendors readable.
    plans
        .iter()
        .find(|(_, fits)| *fits)
        .unwrap_or(&plans[1])
        .0
        .clone()
}

/// `text` in at most `width` characters, ending in `…` when cut.
fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// One table from rows of (text, colour), shortened to fit `style.width`.
pub(crate) fn build(
    style: &TableStyle,
    cols: &[Col],
    rows: Vec<Vec<(String, Option<Color>)>>,
) -> Table {
    let titles: Vec<&str> = cols.iter().map(|c| c.title()).collect();
    let mut t = new_table(style, &titles);
    t.set_content_arrangement(ContentArrangement::Disabled);
    let widths = match style.width {
        Some(w) => plan_widths(cols, &rows, usize::from(w)),
        None => vec![None; cols.len()],
    };
    for r in rows {
        let cells: Vec<Cell> = r
            .into_iter()
            .zip(&widths)
            .map(|((text, color), w)| {
                let text = match w {
                    Some(w) => shorten(&text, *w),
                    None => text,
                };
                cell(text, color, style)
            })
            .collect();
        t.add_row(Row::from(cells));
    }
    t
}

/// Writes the table one space in, each line without trailing blanks.
pub(crate) fn write_indented(t: &Table, out: &mut dyn Write) -> io::Result<()> {
    for line in t.to_string().lines() {
        writeln!(out, " {}", trim_styled_end(line))?;
    }
    Ok(())
}

/// `line` without trailing blanks, also where they sit before the closing colour codes
/// (a padded last cell ends `text   \x1b[39m`): the codes stay, the blanks go.
pub(crate) fn trim_styled_end(line: &str) -> String {
    let mut body = line.trim_end();
    let mut codes: Vec<&str> = Vec::new();
    // Peel escape sequences (`ESC [ … letter`) off the end, trimming blanks between them.
    while let Some(start) = body.rfind('\x1b') {
        let tail = &body[start..];
        let is_csi = tail.len() >= 3
            && tail[1..].starts_with('[')
            && tail[2..tail.len() - 1]
                .chars()
                .all(|c| c.is_ascii_digit() || c == ';')
            && tail.ends_with(|c: char| c.is_ascii_alphabetic());
        if !is_csi {
            break;
        }
        codes.push(tail);
        body = body[..start].trim_end();
    }
    codes.reverse();
    let mut s = body.to_string();
    s.extend(codes);
    s
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
        for group in &iface.prefixes {
            writeln!(
                out,
                "{bold}{}  {}{reset} ({}, from {})",
                iface.name,
                group.prefix,
                group.prefix.kind().as_str(),
                group.source.as_str()
            )?;
            let rows: Vec<Vec<(String, Option<Color>)>> = group
                .hosts
                .iter()
                .map(|h| {
                    cols.iter()
                        .map(|c| match c {
                            Col::Address => (h.scoped.clone(), None),
                            Col::Mac => (h.mac.map_or_else(String::new, |m| m.to_string()), None),
                            Col::Vendor => (h.vendor.to_string(), None),
                            Col::Name => (
                                h.shown_names().collect::<Vec<_>>().join(", "),
                                Some(Color::Green),
                            ),
                            Col::Ipv4 => (ipv4_text(&h.ipv4, iface.ipv4_checked), None),
                            Col::Open => (
                                h.open_ports
                                    .as_deref()
                                    .map_or_else(String::new, super::describe_ports),
                                Some(Color::Cyan),
                            ),
                            Col::SeenBy => (seen_by(h, ", "), None),
                            Col::Services => {
                                (super::describe_services(&h.services), Some(Color::Cyan))
                            }
                            // Columns of the by-host view only.
                            Col::LinkLocal | Col::Others => (String::new(), None),
                            Col::Marks => {
                                let f = flags(h);
                                let text = if f.is_empty() {
                                    String::new()
                                } else {
                                    format!("({})", f.join(", "))
                                };
                                (text, Some(Color::Yellow))
                            }
                        })
                        .collect()
                })
                .collect();
            let t = build(style, &cols, rows);
            write_indented(&t, out)?;
        }
        if !iface.ipv4_only.is_empty() {
            writeln!(
                out,
                "{bold}{}  IPv4 only{reset} (no IPv6 answer)",
                iface.name
            )?;
            let only = [Col::Ipv4, Col::Mac, Col::Vendor];
            let rows = iface
                .ipv4_only
                .iter()
                .map(|h| {
                    vec![
                        (h.addr.to_string(), None),
                        (h.mac.to_string(), None),
                        (h.vendor.to_string(), None),
                    ]
                })
                .collect();
            write_indented(&build(style, &only, rows), out)?;
        }
        let routers = super::routers::table_lines(&iface.name, &iface.routers, bold, reset);
        let alerts = super::alerts::table_lines(&iface.name, &iface.alerts, bold, reset);
        for line in routers.iter().chain(&alerts) {
            writeln!(out, "{line}")?;
        }
    }
    writeln!(out, "{}", summary(report))
}
