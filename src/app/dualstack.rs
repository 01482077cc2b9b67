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
            (Some(p), _) => Some(reach::parse_ports(p).map_err(anyhow::Error::msg)?),
            (None, true) => Some(vec![22]),
            (None, false) => None,
        };
        Ok(DualStack {
            sweep: args.ipv4.then_some((args.ipv4_rate, args.ipv4_max_hosts)),
            ports,
        })
    }

    /// Starts one ARP sweep thread per interface that has IPv4 (with `--ipv4`).
    pub fn start_sweeps<'s>(
        &self,
        s: &'s Scope<'s, '_>,
        ifaces: &[(u32, String, Option<Mac>)],
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
        ifaces
            .iter()
            .filter_map(|(index, name, mac)| {
                let own = sweep::interface_ipv4(*index)?;
                let mac = (*mac)?;
                let index = *index;
                Some((
                    index,
                    name.clone(),
                    s.spawn(move || sweep::sweep(index, mac, own, cfg)),
                ))
            })
            .collect()
    }

    /// Attaches IPv4 addresses (sweep answers and recently confirmed ARP entries) and runs
    /// the connect checks.
    pub fn finish(
        &self,
        report: &mut Report,
        neigh: &dyn NeighSource,
        swept: Swept,
        warn: &mut dyn FnMut(String),
    ) {
        let mut found = swept.neighbours;
        match neigh.dump_ipv4() {
            Ok(cache) => found.extend(cache),
            Err(e) => warn(format!("could not read the IPv4 neighbour table ({e})")),
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
