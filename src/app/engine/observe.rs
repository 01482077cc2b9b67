//! What watches a scan as it runs: the JSON Lines stream and the progress line.

use super::collector::ScanObserver;
use crate::collect::HostTable;
use crate::config::ScanConfig;
use crate::group::RowStream;
use crate::iface::Interface;
use crate::model::HostKey;
use crate::output::jsonl::JsonlStream;
use crate::report::Labels;
use std::collections::HashSet;
use std::io::Write;
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

/// How often the progress line is redrawn, at most.
const REDRAW: Duration = Duration::from_millis(100);

/// "scanning… eth0 12 hosts, eth1 3 hosts": distinct MACs plus addresses without one.
pub fn progress_line(table: &HostTable, ifaces: &[Interface]) -> String {
    let parts: Vec<String> = ifaces
        .iter()
        .map(|i| {
            let own: HashSet<Ipv6Addr> = i.addrs.iter().map(|a| a.addr).collect();
            let n = table.ifaces.get(&i.index).map_or(0, |t| {
                t.addrs
                    .iter()
                    .filter(|(a, _)| !own.contains(a))
                    .map(|(a, e)| HostKey::of(e.mac, *a))
                    .collect::<HashSet<_>>()
                    .len()
            });
            format!("{} {n} host{}", i.name, if n == 1 { "" } else { "s" })
        })
        .collect();
    format!("scanning… {}", parts.join(", "))
}

/// A one-line progress indicator on a terminal (stderr), cleared when dropped.
pub struct Progress<W: Write> {
    out: W,
    ifaces: Vec<Interface>,
    last: Option<Instant>,
    drawn: bool,
}

impl<W: Write> Progress<W> {
    /// Draws on `out` (a terminal).
    pub fn new(out: W) -> Self {
        Progress {
            out,
            ifaces: Vec::new(),
            last: None,
            drawn: false,
        }
    }

    fn draw(&mut self, table: &HostTable) {
        let line = progress_line(table, &self.ifaces);
        // \r and "erase line": the next draw, or the clear, replaces it.
        let _ = write!(self.out, "\r\x1b[2K{line}");
        let _ = self.out.flush();
        self.drawn = true;
        self.last = Some(Instant::now());
    }

    /// Erases the line.
    pub fn clear(&mut self) {
        if self.drawn {
            let _ = write!(self.out, "\r\x1b[2K");
            let _ = self.out.flush();
            self.drawn = false;
        }
    }
}

impl<W: Write> Drop for Progress<W> {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Everything watching one scan.
#[derive(Default)]
pub struct Observers<'a, W: Write> {
    /// The JSON Lines stream (`--jsonl`), fed by the rows grouping finishes one by one.
    pub jsonl: Option<(RowStream, JsonlStream<'a>)>,
    /// The progress line.
    pub progress: Option<Progress<W>>,
}

impl<W: Write> ScanObserver for Observers<'_, W> {
    fn start(&mut self, ifaces: &[Interface], cfg: &ScanConfig) {
        if let Some((rows, _)) = &mut self.jsonl {
            *rows = RowStream::new(ifaces, cfg.group_options());
        }
        if let Some(p) = &mut self.progress {
            p.ifaces = ifaces.to_vec();
            p.draw(&HostTable::new(1));
        }
    }

    fn labels(&mut self, labels: &Labels) {
        if let Some((_, out)) = &mut self.jsonl {
            out.set_labels(labels);
        }
    }

    fn seen(&mut self, table: &HostTable, ifindex: u32, addr: Ipv6Addr) {
        if let Some((rows, out)) = &mut self.jsonl {
            if let Some(live) = rows.seen(table, ifindex, addr) {
                out.host(&live);
            }
        }
        if let Some(p) = &mut self.progress {
            if p.last.is_none_or(|t| t.elapsed() >= REDRAW) {
                p.draw(table);
            }
        }
    }
}

#[cfg(test)]
#[path = "observe_tests.rs"]
mod tests;
