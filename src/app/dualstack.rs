//! Wires the dual-stack extras into a scan: IPv4 addresses by MAC (kernel ARP table, and
//! with `--ipv4` an ARP sweep beside the probe window) and `--ports` connect checks.

use crate::cli::ScanArgs;
use crate::ipv4::{self, sweep, Ipv4Neighbour};
use crate::mac::Mac;
use crate::neigh::NeighSource;
use crate::reach;
use crate::report::Report;
use anyhow::Result;
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

/// How long a connect check may take: on a link a closed port answers with a reset in
/// well under a millisecond, so this only bounds hosts that drop the SYN.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(250);

/// What the command line asked for.
#[derive(Clone, Debug)]
pub struct DualStack {
    /// `--ipv4`: (requests a second, largest subnet).
    sweep: Option<(u32, u32)>,
    ports: Option<Vec<u16>>,
}

type SweepHandle<'s> = (
    u32,
    String,
    ScopedJoinHandle<'s, Result<Vec<Ipv4Neighbour>, sweep::SweepFailure>>,
);

/// An interface ready to be swept: its channel was opened with privileges.
pub struct OpenSweep {
    index: u32,
    name: String,
    mac: Mac,
    own: (std::net::Ipv4Addr, u8),
    chan: sweep::ArpChannel,
}

/// What the sweeps found, and which interfaces were swept completely (only there does
/// "no IPv4 address" mean the host has none).
#[derive(Debug, Default)]
pub struct Swept {
    /// Every answer.
    pub neighbours: Vec<Ipv4Neighbour>,
    /// Interfaces whose sweep finished.
    pub complete: Vec<u32>,
}

impl DualStack {
    /// Reads `--ipv4`, `--ipv4-max-hosts`, `--ipv4-rate`, `--ports` and `--services`.
    pub fn from_args(args: &ScanArgs) -> Result<Self> {
        let ports = match (&args.ports, args.services) {
            (Some(p), _) => Some(p.0.clone()),
            (None, true) => Some(vec![22]),
            (None, false) => None,
        };
        Ok(DualStack {
            sweep: args.ipv4.then_some((args.ipv4_rate, args.ipv4_max_hosts)),
            ports,
        })
    }

    /// Opens the layer-2 channel of every interface that has IPv4 (with `--ipv4`); must run
    /// before privileges are dropped. An interface that cannot be swept is a warning.
    pub fn open_sweeps(
        &self,
        ifaces: &[(u32, String, Option<Mac>)],
        warn: &mut dyn FnMut(String),
    ) -> Vec<OpenSweep> {
        if self.sweep.is_none() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (index, name, mac) in ifaces {
            let (Some(own), Some(mac)) = (sweep::interface_ipv4(*index), *mac) else {
                continue;
            };
            match sweep::open(*index) {
                Ok(chan) => out.push(OpenSweep {
                    index: *index,
                    name: name.clone(),
                    mac,
                    own,
                    chan,
                }),
                Err(e) => warn(format!("{name}: {e}")),
            }
        }
        out
    }

    /// Starts one sweep thread per opened channel.
    pub fn start_sweeps<'s>(
        &self,
        s: &'s Scope<'s, '_>,
        opened: &'s mut [OpenSweep],
        deadline: Instant,
    ) -> Vec<SweepHandle<'s>> {
        let Some((rate, max_hosts)) = self.sweep else {
            return Vec::new();
        };
        let cfg = sweep::SweepConfig {
            rate,
            max_hosts,
            deadline,
        };
        opened
            .iter_mut()
            .map(|o| {
                let (index, mac, own) = (o.index, o.mac, o.own);
                let chan = &mut o.chan;
                (
                    index,
                    o.name.clone(),
                    s.spawn(move || sweep::sweep(chan, index, mac, own, cfg)),
                )
            })
            .collect()
    }

    /// Attaches IPv4 addresses (sweep answers and recently confirmed ARP entries) and runs
    /// the connect checks.
    pub fn finish(
        &self,
        report: &mut Report,
        neigh: Option<&dyn NeighSource>,
        swept: Swept,
        warn: &mut dyn FnMut(String),
    ) {
        let mut found = swept.neighbours;
        match neigh.map(|n| n.dump_ipv4()) {
            Some(Ok(cache)) => found.extend(cache),
            Some(Err(e)) => warn(format!("could not read the IPv4 neighbour table ({e})")),
            None => {}
        }
        for iface in &mut report.interfaces {
            iface.ipv4_checked = swept.complete.contains(&iface.index);
        }
        ipv4::attach(&mut report.interfaces, &found);
        if let Some(ports) = &self.ports {
            let targets = reach::targets(report);
            let open = reach::check(&targets, ports, CONNECT_TIMEOUT);
            reach::apply(report, ports, &open);
        }
    }
}

/// Waits for the sweeps; a failed one is a warning, not an error.
pub fn join_sweeps(sweeps: Vec<SweepHandle<'_>>, warn: &mut dyn FnMut(String)) -> Swept {
    let mut out = Swept::default();
    for (index, name, h) in sweeps {
        match h.join() {
            Ok(Ok(found)) => {
                out.neighbours.extend(found);
                out.complete.push(index);
            }
            Ok(Err(e)) => warn(format!("{name}: {e}")),
            Err(_) => warn(format!("{name}: the ARP sweep stopped unexpectedly")),
        }
    }
    out
}
