//! The scan: interfaces, one probe thread per link, the collector, the neighbour cache.

use crate::cli::ScanArgs;
use crate::collect::HostTable;
use crate::group::{self, GroupOptions};
use crate::iface::Interface;
use crate::model::{is_link_local, Observation};
use crate::names::{self, Asker, Resolver};
use crate::neigh::NeighSource;
use crate::probe::packet::ProbeTag;
use crate::probe::worker::{self, WorkerConfig, WorkerStats};
use crate::probe::Link;
use crate::report::{Report, ScanStats};
use std::collections::BTreeSet;
use std::net::Ipv6Addr;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

/// Everything a scan needs besides the interfaces.
#[derive(Clone, Copy, Debug)]
pub struct ScanOptions {
    /// Probe window.
    pub wait: Duration,
    /// Rounds inside the window.
    pub rounds: u32,
    /// Probe from (and list) link-local addresses only.
    pub link_local_only: bool,
    /// List our own addresses.
    pub include_self: bool,
    /// List unconfirmed neighbour-cache entries.
    pub include_stale: bool,
    /// Most addresses per interface.
    pub max_hosts: usize,
    /// Send an MLD query and confirm the addresses the reports imply.
    pub mld: bool,
}

impl ScanOptions {
    /// The options of a command line.
    pub fn from_args(a: &ScanArgs) -> Self {
        ScanOptions {
            wait: a.probe.wait,
            rounds: a.probe.rounds,
            link_local_only: a.probe.link_local,
            include_self: a.include_self,
            include_stale: a.include_stale,
            max_hosts: a.probe.max_hosts as usize,
            mld: a.probe.mld,
        }
    }
}

impl ScanOptions {
    /// What grouping shows.
    pub fn group_options(&self) -> GroupOptions {
        GroupOptions {
            include_self: self.include_self,
            link_local_only: self.link_local_only,
        }
    }
}

/// A fresh random probe identity, so answers to other programs (and other scans) are ignored.
pub fn random_tag() -> ProbeTag {
    let mut b = [0u8; 10];
    if getrandom::fill(&mut b).is_err() {
        // No entropy source: fall back to the clock and pid, still unique per run.
        let t = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let x = t ^ (u128::from(std::process::id()) << 64);
        b.copy_from_slice(&x.to_le_bytes()[..10]);
    }
    ProbeTag {
        id: u16::from_le_bytes([b[0], b[1]]),
        cookie: [b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]],
    }
}

/// The addresses a worker probes from: the link-local one first, then (unless
/// link-local only) each global/ULA one.
/// The source addresses a link probes from: its link-local, then (unless link-local
/// only) each global/ULA address.
pub fn probe_sources(iface: &Interface, opts: &ScanOptions) -> Vec<std::net::Ipv6Addr> {
    let mut sources: Vec<_> = iface.link_local().into_iter().collect();
    if !opts.link_local_only {
        sources.extend(
            iface
                .addrs
                .iter()
                .map(|a| a.addr)
                .filter(|a| !is_link_local(*a) && crate::model::is_host_address(*a)),
        );
    }
    sources
}

fn worker_config(iface: &Interface, opts: &ScanOptions, tag: ProbeTag) -> WorkerConfig {
    let sources = probe_sources(iface, opts);
    WorkerConfig {
        ifindex: iface.index,
        mac: iface.mac,
        sources,
        own: iface.addrs.iter().map(|a| a.addr).collect(),
        wait: opts.wait,
        rounds: opts.rounds,
        tag,
        max_hosts: opts.max_hosts,
        mld: opts.mld,
        prefixes: iface
            .addrs
            .iter()
            .filter(|a| a.prefix_len < 128)
            .map(|a| a.prefix())
            .collect(),
    }
}

/// Told about the scan as it runs (streaming output, progress).
pub trait ScanObserver {
    /// The scan is about to start on `ifaces`.
    fn start(&mut self, _ifaces: &[Interface], _opts: &ScanOptions) {}
    /// An observation about `addr` on interface `ifindex` was just added to `table`.
    fn seen(&mut self, table: &HostTable, ifindex: u32, addr: Ipv6Addr);
}

/// Most addresses a scan asks names for, over all interfaces.
const MAX_NAME_QUERIES: usize = 4096;

/// What a scan runs besides probing: name lookups and an observer. Both optional.
#[derive(Default)]
pub struct ScanHooks<'a> {
    /// Asked for names of each address as soon as it is seen (`None`: `--no-names`).
    pub resolver: Option<&'a mut dyn Resolver>,
    /// Told about each observation.
    pub observer: Option<&'a mut dyn ScanObserver>,
}

/// Runs one worker thread per link, collects what they find, merges the neighbour cache
/// and groups the result. Links whose worker could not send anything are reported
/// through `warn`. Generic over the link so tests run it on simulated links.
pub fn scan_links<L: Link + Send>(
    links: &mut [(Interface, L)],
    opts: &ScanOptions,
    neigh: Option<&dyn NeighSource>,
    warn: &mut dyn FnMut(String),
) -> Report {
    scan_links_with(links, opts, neigh, ScanHooks::default(), warn)
}

/// [`scan_links`] with name lookups and an observer.
pub fn scan_links_with<L: Link + Send>(
    links: &mut [(Interface, L)],
    opts: &ScanOptions,
    neigh: Option<&dyn NeighSource>,
    hooks: ScanHooks<'_>,
    warn: &mut dyn FnMut(String),
) -> Report {
    let ScanHooks {
        resolver,
        mut observer,
    } = hooks;
    let started = SystemTime::now();
    let t0 = Instant::now();
    let tag = random_tag();
    let ifaces: Vec<Interface> = links.iter().map(|(i, _)| i.clone()).collect();
    let mut table = HostTable::new(opts.max_hosts);
    let own: BTreeSet<Ipv6Addr> = ifaces
        .iter()
        .flat_map(|i| i.addrs.iter().map(|a| a.addr))
        .collect();
    let mut asker = resolver.map(|r| Asker::new(r, own, MAX_NAME_QUERIES));
    if let Some(o) = observer.as_mut() {
        o.start(&ifaces, opts);
    }
    let (tx, rx) = mpsc::channel();
    let results: Vec<(String, (WorkerStats, Option<std::io::Error>))> = std::thread::scope(|s| {
        let handles: Vec<_> = links
            .iter_mut()
            .map(|(iface, link)| {
                let tx = tx.clone();
                let cfg = worker_config(iface, opts, tag);
                let name = iface.name.clone();
                s.spawn(move || {
                    let r = worker::run(link, &cfg, &mut |o| {
                        let _ = tx.send(o);
                    });
                    (name, r)
                })
            })
            .collect();
        drop(tx);
        for obs in rx {
            let key = match obs {
                Observation::Address { ifindex, addr, .. }
                | Observation::MacHint { ifindex, addr, .. } => Some((ifindex, addr)),
                Observation::Prefix { .. } => None,
            };
            let is_address = matches!(obs, Observation::Address { .. });
            table.add(obs);
            if let Some((ifindex, addr)) = key {
                if let (true, Some(a)) = (is_address, asker.as_mut()) {
                    a.ask(ifindex, addr);
                }
                if let Some(o) = observer.as_mut() {
                    o.seen(&table, ifindex, addr);
                }
            }
        }
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut stats = WorkerStats::default();
    for (name, r) in results {
        // A link that could not send still counts what it received and dropped.
        let (s, failed) = r;
        stats.add(&s);
        if let Some(e) = failed {
            warn(format!(
                "{name}: no probe could be sent ({})",
                super::message::io_reason(&e)
            ));
        }
    }
    if let Some(n) = neigh {
        match n.dump() {
            Ok(cache) => table.merge_cache(&cache, opts.include_stale),
            Err(e) => warn(format!(
                "could not read the neighbour cache ({e}); MACs come from the probes only"
            )),
        }
    } else {
        table.merge_cache(&[], false);
    }
    let dropped = stats.dropped_over_limit + table.dropped_over_limit;
    if dropped > 0 {
        warn(format!(
            "dropped {dropped} answers from addresses over --max-hosts {} (a flood, or raise the limit)",
            opts.max_hosts
        ));
    }
    let answers = asker.map(Asker::finish).unwrap_or_default();
    let mut report = Report {
        started,
        duration: t0.elapsed(),
        interfaces: group::group(&table, &ifaces, opts.group_options()),
        stats: ScanStats {
            probes_sent: stats.probes_sent,
            replies: stats.replies,
            malformed: stats.malformed,
            dropped_over_limit: dropped,
        },
        ports_checked: None,
    };
    names::apply(&mut report, &answers);
    report.duration = t0.elapsed();
    report
}

/// Prints a warning on stderr.
pub fn warn_stderr(msg: String) {
    crate::say!("v6scout: warning: {}", super::message::strip_os_codes(&msg));
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
