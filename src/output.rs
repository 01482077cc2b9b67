//! Renderers: a [`Report`] in, text out. They never read the clock or the network.

pub mod alerts;
pub mod byhost;
pub mod history;
pub mod json;
pub mod jsonl;
pub mod plain;
pub mod routers;
pub mod table;
pub mod warnings;

use crate::report::{HostRow, Report};
use byhost::SortKey;
use std::io::{self, Write};
use table::TableStyle;

/// How to print a scan, complete: settled once from the flags and the terminal
/// (`config::OutputConfig::format`), so that [`render`], the one place that chooses a
/// renderer, has nothing left to decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned tables per interface and prefix, for people.
    Table {
        /// Width and colour.
        style: TableStyle,
        /// One row per device per interface (`--by-host`), in this order; `None`: one
        /// row per address, grouped by prefix.
        by_host: Option<SortKey>,
    },
    /// One address (or with `by_host`, one device) a line, whitespace-separated stable
    /// columns, for `awk`/`cut`.
    Plain {
        /// Print the column header line.
        header: bool,
        /// As in [`Format::Table`].
        by_host: Option<SortKey>,
    },
    /// One JSON document (schema version 1).
    Json,
    /// JSON Lines: a line per address, then a summary line.
    Jsonl,
}

impl Format {
    /// A table as wide as its content, without colour, one row per address.
    pub const TABLE: Format = Format::Table {
        style: TableStyle {
            width: None,
            color: false,
        },
        by_host: None,
    };

    /// One address a line, with or without the header line.
    pub const fn plain(header: bool) -> Format {
        Format::Plain {
            header,
            by_host: None,
        }
    }
}

/// Writes the report in `format`.
pub fn render(report: &Report, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table {
            style,
            by_host: None,
        } => table::render_styled(report, &style, out),
        Format::Table {
            style,
            by_host: Some(sort),
        } => byhost::render_table(report, sort, &style, out),
        Format::Plain {
            header,
            by_host: None,
        } => plain::render(report, header, out),
        Format::Plain {
            header,
            by_host: Some(sort),
        } => byhost::render_plain(report, sort, header, out),
        Format::Json => json::render(report, out),
        Format::Jsonl => jsonl::render(report, out),
    }
}

/// The closing line: "12 hosts on 2 interfaces in 0.92 s", and when the probe window
/// ended before `--wait`: "…, ended early (link quiet after 0.29 s)".
pub fn summary(report: &Report) -> String {
    let hosts = report.host_count();
    let ifaces = report.interfaces.len();
    let early = if report.stats.ended_early {
        format!(
            ", ended early (link quiet after {:.2} s)",
            report.stats.window.as_secs_f64()
        )
    } else {
        String::new()
    };
    format!(
        "{hosts} host{} on {ifaces} interface{} in {:.2} s{early}",
        if hosts == 1 { "" } else { "s" },
        if ifaces == 1 { "" } else { "s" },
        report.duration.as_secs_f64()
    )
}

/// The marks of a row (`router`, `self`, `stale`, and for global/ULA addresses how the
/// interface ID was formed), in display order.
pub fn flags(h: &HostRow) -> Vec<&'static str> {
    let mut f = Vec::new();
    if !crate::model::is_link_local(h.address) {
        f.push(h.iid.as_str());
    }
    if h.router {
        f.push("router");
    }
    if h.is_self {
        f.push("self");
    }
    if h.stale {
        f.push("stale");
    }
    f
}

/// The display name of an open port list: `ssh` for 22, numbers otherwise.
pub fn describe_ports(ports: &[u16]) -> String {
    ports
        .iter()
        .map(|p| match p {
            22 => "ssh".to_string(),
            p => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// DNS-SD service types as a table shows them: `ssh, ipp` for `_ssh._tcp`, `_ipp._tcp`
/// (a `_udp` type keeps its protocol: `_ntp._udp` is `ntp/udp`).
pub fn describe_services(services: &[String]) -> String {
    services
        .iter()
        .map(|s| {
            let t = s.strip_prefix('_').unwrap_or(s);
            match t.rsplit_once("._") {
                Some((name, "tcp")) => name.to_string(),
                Some((name, proto)) => format!("{name}/{proto}"),
                None => t.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ways a row was seen, comma-separated.
pub fn seen_by(h: &HostRow, sep: &str) -> String {
    h.seen_by
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;
