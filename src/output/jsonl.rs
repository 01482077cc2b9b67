//! JSON Lines: one object a line, for streaming (`v6scout --jsonl | jq`).
//!
//! - `{"type":"host", "interface", "prefix", …every field of a JSON v1 host entry}` per
//!   address, written (and flushed) as soon as the address is confirmed: its MAC is known,
//!   or the probe window ended. Fields are as known at that moment.
//! - `{"type":"update", "interface", "address", "scoped", "names"?, "ipv4"?, "open_ports"?}`
//!   for an address already written whose names, IPv4 addresses or port checks became known
//!   later (lookups, the ARP sweep and connect checks finish after the window); each field
//!   present holds its final value.
//! - `{"type":"ipv4-only", "interface", "address", "mac", "vendor", "private_mac"}` per host
//!   that answered only over IPv4.
//! - `{"type":"summary", "version", "started", "duration_ms", "hosts", "interfaces",
//!   "stats"}` last.

use super::json::{self, JsonHost, JsonIpv4Only};
use crate::report::{Labels, LiveRow, Report};
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
struct UpdateLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    interface: &'a str,
    address: String,
    scoped: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    names: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv4: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    open_ports: Option<Vec<u16>>,
}

#[derive(Serialize)]
struct Ipv4OnlyLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    interface: &'a str,
    #[serde(flatten)]
    host: JsonIpv4Only,
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
    stats: json::JsonStats,
}

fn line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    // Serialise first, write once (a closed pipe is then a plain BrokenPipe io::Error).
    let mut text = serde_json::to_vec(value).map_err(io::Error::other)?;
    text.push(b'\n');
    out.write_all(&text)
}

fn host_line(
    out: &mut dyn Write,
    iface: &str,
    prefix: String,
    host: JsonHost<'_>,
) -> io::Result<()> {
    line(
        out,
        &HostLine {
            kind: "host",
            interface: iface,
            prefix,
            host,
        },
    )
}

/// Streams host lines during a scan, then the rest at its end.
pub struct JsonlStream<'w> {
    out: &'w mut dyn Write,
    written: HashSet<(u32, Ipv6Addr)>,
    labels: Labels,
    error: Option<io::Error>,
}

impl<'w> JsonlStream<'w> {
    /// A stream writing to `out`.
    pub fn new(out: &'w mut dyn Write) -> Self {
        JsonlStream {
            out,
            written: HashSet::new(),
            labels: Labels::default(),
            error: None,
        }
    }

    /// The devices' labels, for the lines written before the report has them.
    pub fn set_labels(&mut self, labels: &Labels) {
        self.labels = labels.clone();
    }

    /// Writes (and flushes) the line of an address confirmed during the scan, once.
    pub fn host(&mut self, live: &LiveRow) {
        if self.error.is_some() || !self.written.insert((live.index, live.row.address)) {
            return;
        }
        let mut host = json::host(&live.row, false);
        host.label = host
            .label
            .or_else(|| live.row.mac.and_then(|m| self.labels.get(m)));
        let r = host_line(self.out, &live.interface, live.prefix.to_string(), host)
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
                let host = json::host(h, iface.ipv4_checked);
                if !written.contains(&(iface.index, h.address)) {
                    host_line(out, &iface.name, g.prefix.to_string(), host)?;
                } else if !h.names.is_empty() || host.ipv4.is_some() || host.open_ports.is_some() {
                    line(
                        out,
                        &UpdateLine {
                            kind: "update",
                            interface: &iface.name,
                            address: host.address,
                            scoped: &h.scoped,
                            names: &h.names,
                            ipv4: host.ipv4,
                            open_ports: host.open_ports,
                        },
                    )?;
                }
            }
        }
        for host in json::ipv4_only(iface) {
            line(
                out,
                &Ipv4OnlyLine {
                    kind: "ipv4-only",
                    interface: &iface.name,
                    host,
                },
            )?;
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
