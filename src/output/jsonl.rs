//! JSON Lines: one object a line, for streaming (`v6scout --jsonl | jq`).
//!
//! - `{"type":"host", "interface", "prefix", …every field of a JSON v1 host entry}` per
//!   address, written (and flushed) as soon as the address is confirmed: its MAC is known,
//!   or the probe window ended. Fields are as known at that moment.
//! - `{"type":"names", "interface", "address", "scoped", "names"}` for an address already
//!   written whose names arrived later (lookups finish after the window).
//! - `{"type":"summary", "version", "started", "duration_ms", "hosts", "interfaces",
//!   "stats"}` last.

use super::json::{self, JsonHost, JsonStats};
use crate::collect::HostTable;
use crate::group::{self, GroupOptions};
use crate::iface::Interface;
use crate::report::{HostRow, Report};
use serde::Serialize;
use std::collections::HashSet;
use std::io::{self, Write};
use std::net::Ipv6Addr;

#[derive(Serialize)]
struct HostLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    interface: &'a str,
    prefix: String,
    #[serde(flatten)]
    host: JsonHost<'a>,
}

#[derive(Serialize)]
struct NamesLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    interface: &'a str,
    address: String,
    scoped: &'a str,
    names: &'a [String],
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    version: u32,
    started: String,
    duration_ms: u64,
    hosts: usize,
    interfaces: Vec<&'a str>,
    stats: JsonStats,
}

fn line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    // Serialise first, write once (a closed pipe is then a plain BrokenPipe io::Error).
    let mut text = serde_json::to_vec(value).map_err(io::Error::other)?;
    text.push(b'\n');
    out.write_all(&text)
}

fn host_line(out: &mut dyn Write, iface: &str, prefix: String, h: &HostRow) -> io::Result<()> {
    line(
        out,
        &HostLine {
            kind: "host",
            interface: iface,
            prefix,
            host: json::host(h, false),
        },
    )
}

/// Streams host lines during a scan, then the rest at its end.
pub struct JsonlStream<'w> {
    out: &'w mut dyn Write,
    ifaces: Vec<Interface>,
    opts: GroupOptions,
    written: HashSet<(u32, Ipv6Addr)>,
    error: Option<io::Error>,
}

impl<'w> JsonlStream<'w> {
    /// A stream writing to `out`; [`JsonlStream::start`] tells it what is scanned.
    pub fn new(out: &'w mut dyn Write) -> Self {
        JsonlStream {
            out,
            ifaces: Vec::new(),
            opts: GroupOptions::default(),
            written: HashSet::new(),
            error: None,
        }
    }

    /// The scan of `ifaces`, shown with `opts`, starts.
    pub fn start(&mut self, ifaces: &[Interface], opts: GroupOptions) {
        self.ifaces = ifaces.to_vec();
        self.opts = opts;
    }

    /// After each observation: writes `addr`'s line once its MAC is known.
    pub fn seen(&mut self, table: &HostTable, ifindex: u32, addr: Ipv6Addr) {
        if self.error.is_some() || self.written.contains(&(ifindex, addr)) {
            return;
        }
        let (Some(iface), Some(t)) = (
            self.ifaces.iter().find(|i| i.index == ifindex),
            table.ifaces.get(&ifindex),
        ) else {
            return;
        };
        if t.addrs.get(&addr).is_none_or(|e| e.mac.is_none()) {
            return;
        }
        let Some((prefix, row)) = group::single_row(iface, t, addr, self.opts) else {
            return;
        };
        self.written.insert((ifindex, addr));
        let r = host_line(self.out, &iface.name, prefix.to_string(), &row)
            .and_then(|()| self.out.flush());
        if let Err(e) = r {
            self.error = Some(e);
        }
    }

    /// At the end: every row not written yet, late names, the summary.
    pub fn finish(self, report: &Report) -> io::Result<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        write_rest(self.out, report, &self.written)?;
        self.out.flush()
    }
}

fn write_rest(
    out: &mut dyn Write,
    report: &Report,
    written: &HashSet<(u32, Ipv6Addr)>,
) -> io::Result<()> {
    for iface in &report.interfaces {
        for g in &iface.prefixes {
            for h in &g.hosts {
                if !written.contains(&(iface.index, h.address)) {
                    host_line(out, &iface.name, g.prefix.to_string(), h)?;
                } else if !h.names.is_empty() {
                    line(
                        out,
                        &NamesLine {
                            kind: "names",
                            interface: &iface.name,
                            address: h.address.to_string(),
                            scoped: &h.scoped,
                            names: &h.names,
                        },
                    )?;
                }
            }
        }
    }
    let doc = json::document(report);
    line(
        out,
        &SummaryLine {
            kind: "summary",
            version: json::VERSION,
            started: doc.started,
            duration_ms: doc.duration_ms,
            hosts: report.host_count(),
            interfaces: report.interfaces.iter().map(|i| i.name.as_str()).collect(),
            stats: doc.stats,
        },
    )
}

/// A whole report as JSON Lines (nothing streamed before): host lines, then the summary.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_rest(out, report, &HashSet::new())
}
