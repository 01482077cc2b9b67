//! The real scanner: opens every socket once (raw, or ping sockets without CAP_NET_RAW,
//! plus the ARP sweep's layer-2 channels), drops every privilege, then scans as often as
//! its caller asks — `resolve --wait-for` and `watch` rescan without privileges.

use super::dualstack::{self, DualStack, OpenSweep};
use super::scan::{
    probe_sources, scan_links_with, warn_stderr, ScanHooks, ScanObserver, ScanOptions,
};
use crate::cli::ScanArgs;
use crate::iface::{self, Interface};
use crate::neigh::NeighSource;
use crate::probe::{Link, OpenError};
use crate::report::Report;
use anyhow::{bail, Result};
use std::time::Instant;

/// Open sockets for a series of scans.
pub struct Scanner {
    links: Vec<(Interface, Box<dyn Link + Send>)>,
    sweeps: Vec<OpenSweep>,
    dual: DualStack,
    opts: ScanOptions,
    args: ScanArgs,
}

impl Scanner {
    /// Selects the interfaces of `args`, opens their sockets and gives up every privilege.
    #[cfg(target_os = "linux")]
    pub fn open(args: &ScanArgs) -> Result<Scanner> {
        use crate::probe::ping::PingLink;
        use crate::probe::socket::RawLink;
        let all = iface::system_interfaces();
        let selection = iface::select(&all, &args.probe.interfaces)?;
        for (name, why) in &selection.skipped {
            warn_stderr(format!("{name} is not scanned: {why}"));
        }
        let opts = ScanOptions::from_args(args);
        let mut links: Vec<(Interface, Box<dyn Link + Send>)> = Vec::new();
        let mut unprivileged = args.probe.unprivileged;
        for i in selection.scan {
            if !unprivileged {
                match RawLink::open(i.index, args.probe.mld, &probe_sources(&i, &opts)) {
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
                Err(OpenError::NoPingSocket) if args.probe.unprivileged => bail!(
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
        let dual = DualStack::from_args(args)?;
        let ifaces: Vec<_> = links
            .iter()
            .map(|(i, _)| (i.index, i.name.clone(), i.mac))
            .collect();
        // The ARP sweep's layer-2 sockets need CAP_NET_RAW too: open them before the drop.
        let sweeps = dual.open_sweeps(&ifaces, &mut warn_stderr);
        // Every socket is open: nothing below needs a privilege, and packets are parsed next.
        crate::privilege::drop_all()
            .map_err(|e| anyhow::anyhow!("could not give up privileges: {e}"))?;
        if unprivileged {
            crate::say!(
                "{}",
                unprivileged_note(args.probe.unprivileged, args.probe.mld)
            );
        }
        Ok(Scanner {
            links,
            sweeps,
            dual,
            opts,
            args: args.clone(),
        })
    }

    /// Scanning needs a platform backend; only Linux has one so far.
    #[cfg(not(target_os = "linux"))]
    pub fn open(_args: &ScanArgs) -> Result<Scanner> {
        bail!("this platform is not supported yet (Linux only)")
    }

    /// One scan, warnings on stderr.
    pub fn scan(&mut self) -> Report {
        self.scan_with(&mut warn_stderr)
    }

    /// One scan: the probe window on every link (and the ARP sweep beside it), then the
    /// neighbour caches and the connect checks; warnings go to `warn` (watch mode says
    /// each only once).
    pub fn scan_with(&mut self, warn: &mut dyn FnMut(String)) -> Report {
        self.scan_observed(None, warn)
    }

    /// One scan, telling `observer` (streaming output, progress) about each observation.
    /// Names are looked up as addresses are seen, unless `--no-names`.
    pub fn scan_observed(
        &mut self,
        observer: Option<&mut dyn ScanObserver>,
        warn: &mut dyn FnMut(String),
    ) -> Report {
        let t0 = Instant::now();
        #[cfg(target_os = "linux")]
        let neigh = crate::neigh::linux::Netlink;
        #[cfg(target_os = "linux")]
        let neigh_ref: Option<&dyn NeighSource> = Some(&neigh);
        #[cfg(not(target_os = "linux"))]
        let neigh_ref: Option<&dyn NeighSource> = None;
        let cache = if self.args.probe.no_ndp_cache {
            None
        } else {
            neigh_ref
        };
        let deadline = t0 + self.args.probe.wait;
        #[cfg(target_os = "linux")]
        let mut resolver = crate::names::system::SystemResolver::new(true);
        let hooks = ScanHooks {
            #[cfg(target_os = "linux")]
            resolver: if self.args.probe.no_names {
                None
            } else {
                Some(&mut resolver)
            },
            #[cfg(not(target_os = "linux"))]
            resolver: None,
            observer: observer.map(|o| o as &mut dyn ScanObserver),
        };
        let Scanner {
            links,
            sweeps,
            dual,
            opts,
            ..
        } = self;
        // The ARP sweep runs beside the probe window, so it costs no extra time.
        let (mut report, swept) = std::thread::scope(|s| {
            let handles = dual.start_sweeps(s, sweeps, deadline);
            let report = scan_links_with(links, opts, cache, hooks, &mut *warn);
            (report, dualstack::join_sweeps(handles, &mut *warn))
        });
        self.dual.finish(&mut report, cache, swept, warn);
        report.duration = t0.elapsed();
        report
    }
}

/// Scans the real interfaces named in `args` (or every usable one), once.
pub fn scan(args: &ScanArgs) -> Result<Report> {
    Ok(Scanner::open(args)?.scan())
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
         For the full scan run v6scout with sudo, or once: {}",
        crate::privilege::SETCAP
    )
}
