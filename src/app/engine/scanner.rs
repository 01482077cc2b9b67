//! The real scanner: takes the platform's [`Os`] value (every socket already open, every
//! privilege already gone) and scans as often as its caller asks — `resolve --wait-for`
//! and `watch` rescan without privileges. Watch's alone keeps CAP_NET_RAW permitted, to
//! open the links of interfaces that appear ([`Scanner::add_interface`]).

use super::collector::{Collector, ScanObserver, Stages};
use super::dualstack;
use super::scan::{probe_window, Feeders, Recall};
use super::sure::SureAnswer;
use crate::app::adapters::memory::Memory;
use crate::config::{InventoryConfig, ScanConfig};
use crate::iface::Interface;
use crate::names::Resolver;
use crate::neigh::NeighSource;
use crate::output::warnings::warn_stderr;
use crate::platform::{self, Added, Keep, Os};
use crate::reach;
use crate::report::{Labels, Report};
use crate::warning::Warning;
use anyhow::Result;
use std::time::{Instant, SystemTime};

/// Most of a searched device's last-known addresses solicited first, per interface.
const SEARCH_RECALL: usize = 16;

/// Open sockets (and the inventory) for a series of scans.
pub struct Scanner {
    os: Os,
    cfg: ScanConfig,
    memory: Memory,
    /// The labels the latest scan read.
    labels: Labels,
}

impl Scanner {
    /// A scanner over what the platform opened for `cfg`, remembering in `memory`.
    pub fn new(os: Os, cfg: ScanConfig, memory: Memory) -> Scanner {
        Scanner {
            os,
            cfg,
            memory,
            labels: Labels::default(),
        }
    }

    /// Selects the interfaces of `cfg`, opens their sockets, gives up every privilege,
    /// then opens the inventory (as the user the process now is); warnings go to
    /// stderr, and the unprivileged fallback is said once.
    pub fn open(cfg: &ScanConfig, inventory: &InventoryConfig) -> Result<Scanner> {
        Scanner::open_keeping(cfg, inventory, Keep::Nothing)
    }

    /// Like [`Scanner::open`], but CAP_NET_RAW stays permitted (not effective), so
    /// [`Scanner::add_interface`] can open the links of interfaces that appear later.
    pub fn open_for_watch(cfg: &ScanConfig, inventory: &InventoryConfig) -> Result<Scanner> {
        Scanner::open_keeping(cfg, inventory, Keep::NetRaw)
    }

    fn open_keeping(cfg: &ScanConfig, inventory: &InventoryConfig, keep: Keep) -> Result<Scanner> {
        let os = platform::open(cfg, keep, &mut warn_stderr)?;
        if os.unprivileged {
            crate::say!("{}", unprivileged_note(cfg.unprivileged, cfg.mld));
        }
        let memory = Memory::open(inventory, os.user.as_ref(), &mut warn_stderr);
        Ok(Scanner::new(os, cfg.clone(), memory))
    }

    /// Opens the links of interface `name`, which appeared since the scanner was opened
    /// (see [`platform::add_interface_with`]); the next scans probe it.
    pub fn add_interface(&mut self, name: &str, warn: &mut dyn FnMut(Warning)) -> Result<Added> {
        platform::add_interface(&mut self.os, name, &self.cfg, warn)
    }

    /// Closes the links of interface `name` (it vanished); whether it had any.
    pub fn remove_interface(&mut self, name: &str) -> bool {
        platform::remove_interface(&mut self.os, name)
    }

    /// Looks no names up from now on: a search that turned out to be for one MAC (a
    /// label's) is answered without them, as a search by MAC is.
    pub fn without_names(&mut self) {
        self.os.resolver = None;
        self.cfg.names = false;
    }

    /// The labels the latest scan read (and gave its report's rows): what the events of
    /// its round are labelled with, gone devices' too.
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// The inventory.
    pub fn memory(&mut self) -> &mut Memory {
        &mut self.memory
    }

    /// Records what `report` confirmed in the inventory (after its output is printed:
    /// the inventory never delays a result).
    pub fn remember(&mut self, report: &Report, warn: &mut dyn FnMut(Warning)) {
        // Only devices that answered are recorded: bounded like the hosts a scan keeps.
        let max = self.cfg.max_answers();
        self.memory.record(report, max, SystemTime::now(), warn);
    }

    /// The configuration every scan uses.
    pub fn config(&self) -> &ScanConfig {
        &self.cfg
    }

    /// The platform's TCP connector (the ssh helper's port check uses it too).
    pub fn connector(&self) -> &dyn reach::Connector {
        &*self.os.connector
    }

    /// One scan (alerts included), warnings to `warn` (watch mode says each only once).
    pub fn scan_with(&mut self, warn: &mut dyn FnMut(Warning)) -> Report {
        self.scan(ScanRequest::shown(None), warn)
    }

    /// One scan (alerts included), telling `observer` (streaming output, progress) about
    /// each observation.
    pub fn scan_observed(
        &mut self,
        observer: Option<&mut dyn ScanObserver>,
        warn: &mut dyn FnMut(Warning),
    ) -> Report {
        self.scan(ScanRequest::shown(observer), warn)
    }

    /// One scan of a search, warnings on stderr: probing stops as soon as `sure` has its
    /// answer.
    pub fn scan_for(&mut self, sure: Option<SureAnswer>) -> Report {
        self.scan(ScanRequest::search(sure), &mut warn_stderr)
    }

    /// One scan: the probe window on every link (and the ARP sweep beside it), then the
    /// neighbour caches, the names, the IPv4 addresses, the connect checks and the alerts;
    /// warnings go to `warn` (watch mode says each only once).
    pub fn scan(&mut self, req: ScanRequest<'_>, warn: &mut dyn FnMut(Warning)) -> Report {
        let deadline = Instant::now() + self.cfg.wait;
        let Scanner {
            os,
            cfg,
            memory,
            labels,
        } = self;
        let ifaces: Vec<_> = os.links.iter().map(|(i, _)| i.clone()).collect();
        // A handful of rows, read before the first probe: streamed lines show them too.
        *labels = memory.labels(&mut *warn);
        // A search looks where its device was first: read now, as the first probes.
        let first = req.sure.as_ref().map(|s| {
            let remembered = memory.device_recall(&ifaces, &s.macs(), SEARCH_RECALL, &mut *warn);
            s.look_first(remembered, ifaces.iter().map(|i| i.index))
        });
        let mut resolver = os.resolver.as_ref().map(|make| make());
        let resolver = resolver.as_deref_mut().map(|r| r as &mut dyn Resolver);
        // A fresh borrow, so the observer may live shorter than the caller's.
        let observer = req.observer.map(|o| o as &mut dyn ScanObserver);
        let mut collector = Collector::new(ifaces.clone(), cfg, resolver, observer, req.sure);
        collector.label_with(labels.clone());
        let neigh = os.neigh.as_deref().map(|n| n as &dyn NeighSource);
        let (links, arp) = (&mut os.links, &mut os.arp);
        // The ARP sweep runs beside the probe window, so it costs no extra time.
        let swept = std::thread::scope(|s| {
            let sweeps = dualstack::start_sweeps(s, arp, cfg.ipv4_sweep, deadline);
            let feeders = Feeders {
                neigh,
                recall: Some(recall(memory, ifaces)),
                first: first.as_ref(),
            };
            probe_window(links, cfg, feeders, &mut collector, &mut *warn);
            dualstack::join_sweeps(sweeps, &mut *warn)
        });
        let stages = Stages {
            ipv4: Some((swept, neigh)),
            ports: (cfg.ports.as_deref()).map(|p| (p, &*os.connector as &dyn reach::Connector)),
            alerts: req.alerts.then_some(memory),
        };
        collector.finish(stages, warn)
    }
}

/// What one scan is for, besides the scanner's configuration.
#[derive(Default)]
pub struct ScanRequest<'o> {
    /// Told about each observation (streaming output, progress).
    pub observer: Option<&'o mut dyn ScanObserver>,
    /// A search's sure answer: probing stops once it is in.
    pub sure: Option<SureAnswer>,
    /// Add the alerts that need the inventory (a shown report; a search's is not).
    pub alerts: bool,
}

impl<'o> ScanRequest<'o> {
    /// A scan whose report is shown: with the inventory's alerts, told to `observer`.
    pub fn shown(observer: Option<&'o mut dyn ScanObserver>) -> Self {
        ScanRequest {
            observer,
            sure: None,
            alerts: true,
        }
    }

    /// A search's scan, until `sure` has its answer; its report is not shown, so it
    /// carries no alerts.
    pub fn search(sure: Option<SureAnswer>) -> Self {
        ScanRequest {
            observer: None,
            sure,
            alerts: false,
        }
    }
}

/// Reads what `memory` remembers of `ifaces`, on the scan's own thread once the probes
/// are going.
fn recall(memory: &mut Memory, ifaces: Vec<Interface>) -> Recall<'_> {
    Box::new(move || {
        let mut warnings = Vec::new();
        let addrs = memory.recall(
            &ifaces,
            SystemTime::now(),
            crate::probe::worker::MAX_RECALL,
            &mut |w| warnings.push(w),
        );
        (addrs, warnings)
    })
}

/// Scans the real interfaces `cfg` names (or every usable one), once, without the
/// inventory.
pub fn scan(cfg: &ScanConfig) -> Result<Report> {
    let off = InventoryConfig {
        place: crate::config::InventoryPlace::Off,
        ..InventoryConfig::default()
    };
    Ok(Scanner::open(cfg, &off)?.scan_with(&mut warn_stderr))
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
        crate::platform::SETCAP
    )
}
