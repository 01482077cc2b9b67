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
    /// Send an MLD query and confirm the addresses the reports imply.
    pub mld: bool,
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
            mld: a.mld,
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
fn probe_sources(iface: &Interface, opts: &ScanOptions) -> Vec<std::net::Ipv6Addr> {
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
    let dropped = stats.dropped_over_limit + table.dropped_over_limit;
    if dropped > 0 {
        warn(format!(
            "dropped {dropped} addresses over --max-hosts {} (counted per packet; a flood, or raise the limit)",
            opts.max_hosts
        ));
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
            dropped_over_limit: dropped,
        },
    }
}

/// Prints a warning on stderr.
pub fn warn_stderr(msg: String) {
    eprintln!("v6scout: warning: {msg}");
}

/// Scans the real interfaces named in `args` (or every usable one).
#[cfg(target_os = "linux")]
pub fn scan(args: &ScanArgs) -> Result<Report> {
    use crate::probe::ping::PingLink;
    use crate::probe::socket::RawLink;
    let all = iface::system_interfaces();
    let selection = iface::select(&all, &args.interfaces)?;
    for (name, why) in &selection.skipped {
        warn_stderr(format!("{name} is not scanned: {why}"));
    }
    let opts = ScanOptions::from_args(args);
    let mut links: Vec<(Interface, Box<dyn Link + Send>)> = Vec::new();
    let mut unprivileged = args.unprivileged;
    for i in selection.scan {
        if !unprivileged {
            match RawLink::open(i.index, args.mld, &probe_sources(&i, &opts)) {
                Ok(l) => {
                    links.push((i, Box::new(l)));
                    continue;
                }
                // Without CAP_NET_RAW: fall back to ping sockets, for this link and the rest.
                Err(OpenError::NoPrivilege) => unprivileged = true,
                Err(e) => {
                    warn_stderr(format!("{}: {e}", i.name));
                    continue;
                }
            }
        }
        match PingLink::open(i.index, &probe_sources(&i, &opts)) {
            Ok(l) => links.push((i, Box::new(l))),
            Err(OpenError::NoPingSocket) if args.unprivileged => bail!(
                "--unprivileged: ping sockets are not allowed for your group; drop \
                 --unprivileged, or (the administrator's choice) enable them with: \
                 sudo sysctl net.ipv4.ping_group_range=\"0 2147483647\""
            ),
            Err(OpenError::NoPingSocket) => bail!(OpenError::NoPingSocket),
            Err(e) => warn_stderr(format!("{}: {e}", i.name)),
        }
    }
    if links.is_empty() {
        bail!("no interface could be opened for probing");
    }
    // Every socket is open: nothing below needs a privilege, and packets are parsed next.
    crate::privilege::drop_all()
        .map_err(|e| anyhow::anyhow!("could not give up privileges: {e}"))?;
    if unprivileged {
        eprintln!("{}", unprivileged_note(args.unprivileged, args.mld));
    }
    let neigh = crate::neigh::linux::Netlink;
    let cache: Option<&dyn NeighSource> = if args.no_ndp_cache {
        None
    } else {
        Some(&neigh)
    };
    Ok(scan_links(links, &opts, cache, &mut warn_stderr))
}

/// What an unprivileged scan cannot see, and how to get the full scan; said once.
pub fn unprivileged_note(forced: bool, mld: bool) -> String {
    let why = if forced {
        "--unprivileged"
    } else {
        "no CAP_NET_RAW"
    };
    let mld = if mld { ", MLD reports (--mld)" } else { "" };
    format!(
        "v6scout: note: {why}: scanning with unprivileged ping sockets (echo only). Not seen: \
         hosts that ignore multicast echo, MACs confirmed by Neighbour Advertisements (MACs \
         come from the kernel's neighbour cache), routers and their advertisements{mld}. \
         For the full scan run v6scout with sudo, or once: \
         sudo setcap cap_net_raw+ep \"$(command -v v6scout)\""
    )
}

/// Scanning needs a platform backend; only Linux has one so far.
#[cfg(not(target_os = "linux"))]
pub fn scan(_args: &ScanArgs) -> Result<Report> {
    bail!("this platform is not supported yet (Linux only)")
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
