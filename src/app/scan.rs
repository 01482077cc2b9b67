//! The scan: interfaces, one probe thread per link, the collector, the neighbour cache.

use crate::cli::ScanArgs;
use crate::collect::HostTable;
use crate::group::{self, GroupOptions};
use crate::iface::{self, Interface};
use crate::model::is_link_local;
use crate::neigh::NeighSource;
use crate::probe::packet::ProbeTag;
use crate::probe::worker::{self, WorkerConfig, WorkerStats};
use crate::probe::{Link, OpenError};
use crate::report::{Report, ScanStats};
use anyhow::{bail, Result};
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
}

impl ScanOptions {
    /// The options of a command line.
    pub fn from_args(a: &ScanArgs) -> Self {
        ScanOptions {
            wait: a.wait,
            rounds: a.rounds,
            link_local_only: a.link_local,
            include_self: a.include_self,
            include_stale: a.include_stale,
            max_hosts: a.max_hosts as usize,
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

fn worker_config(iface: &Interface, opts: &ScanOptions, tag: ProbeTag) -> WorkerConfig {
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
    WorkerConfig {
        ifindex: iface.index,
        mac: iface.mac,
        sources,
        own: iface.addrs.iter().map(|a| a.addr).collect(),
        wait: opts.wait,
        rounds: opts.rounds,
        tag,
        max_hosts: opts.max_hosts,
    }
}

/// Runs one worker thread per link, collects what they find, merges the neighbour cache
/// and groups the result. Links whose worker could not send anything are reported
/// through `warn`. Generic over the link so tests run it on simulated links.
pub fn scan_links<L: Link + Send>(
    links: Vec<(Interface, L)>,
    opts: &ScanOptions,
    neigh: Option<&dyn NeighSource>,
    warn: &mut dyn FnMut(String),
) -> Report {
    let started = SystemTime::now();
    let t0 = Instant::now();
    let tag = random_tag();
    let ifaces: Vec<Interface> = links.iter().map(|(i, _)| i.clone()).collect();
    let mut table = HostTable::new(opts.max_hosts);
    let (tx, rx) = mpsc::channel();
    let results: Vec<(String, Result<WorkerStats, std::io::Error>)> = std::thread::scope(|s| {
        let handles: Vec<_> = links
            .into_iter()
            .map(|(iface, mut link)| {
                let tx = tx.clone();
                let cfg = worker_config(&iface, opts, tag);
                s.spawn(move || {
                    let r = worker::run(&mut link, &cfg, &mut |o| {
                        let _ = tx.send(o);
                    });
                    (iface.name, r)
                })
            })
            .collect();
        drop(tx);
        for obs in rx {
            table.add(obs);
        }
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut stats = WorkerStats::default();
    for (name, r) in results {
        match r {
            Ok(s) => stats.add(&s),
            Err(e) => warn(format!(
                "{name}: no probe could be sent ({e}); nothing found there"
            )),
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
    let group_opts = GroupOptions {
        include_self: opts.include_self,
        link_local_only: opts.link_local_only,
    };
    Report {
        started,
        duration: t0.elapsed(),
        interfaces: group::group(&table, &ifaces, group_opts),
        stats: ScanStats {
            probes_sent: stats.probes_sent,
            replies: stats.replies,
            malformed: stats.malformed,
            dropped_over_limit: stats.dropped_over_limit + table.dropped_over_limit,
        },
    }
}

/// Prints a warning on stderr.
pub fn warn_stderr(msg: String) {
    eprintln!("v6scout: warning: {msg}");
}

/// Scans the real interfaces named in `args` (or every usable one).
pub fn scan(args: &ScanArgs) -> Result<Report> {
    scan_with(args, &mut warn_stderr)
}

/// Like [`scan`], with warnings going to `warn` (watch mode says each one only once).
#[cfg(target_os = "linux")]
pub fn scan_with(args: &ScanArgs, warn: &mut dyn FnMut(String)) -> Result<Report> {
    use crate::probe::socket::RawLink;
    let all = iface::system_interfaces();
    let selection = iface::select(&all, &args.interfaces)?;
    for (name, why) in &selection.skipped {
        warn(format!("{name} is not scanned: {why}"));
    }
    let mut links = Vec::new();
    for i in selection.scan {
        match RawLink::open(i.index) {
            Ok(l) => links.push((i, l)),
            Err(OpenError::NoPrivilege) => bail!(OpenError::NoPrivilege),
            Err(e) => warn(format!("{}: {e}", i.name)),
        }
    }
    if links.is_empty() {
        bail!("no interface could be opened for probing");
    }
    let neigh = crate::neigh::linux::Netlink;
    let cache: Option<&dyn NeighSource> = if args.no_ndp_cache {
        None
    } else {
        Some(&neigh)
    };
    Ok(scan_links(
        links,
        &ScanOptions::from_args(args),
        cache,
        warn,
    ))
}

/// Scanning needs a platform backend; only Linux has one so far.
#[cfg(not(target_os = "linux"))]
pub fn scan_with(_args: &ScanArgs, _warn: &mut dyn FnMut(String)) -> Result<Report> {
    bail!("this platform is not supported yet (Linux only)")
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
