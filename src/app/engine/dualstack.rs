//! Wires IPv4 into a scan: each host's IPv4 addresses by MAC, from the kernel's ARP table
//! and, with `--ipv4`, from an ARP sweep that runs beside the probe window.

use crate::config::SweepConfig;
use crate::ipv4::{self, sweep};
use crate::neigh::{Ipv4Neighbour, NeighSource};
use crate::platform::ArpPort;
use crate::report::Report;
use crate::warning::{io_reason, Warning};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::Instant;

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

/// Starts one sweep thread per opened channel (none without `--ipv4`).
pub fn start_sweeps<'s>(
    s: &'s Scope<'s, '_>,
    ports: &'s mut [ArpPort],
    cfg: Option<SweepConfig>,
    deadline: Instant,
) -> Vec<SweepHandle<'s>> {
    let Some(cfg) = cfg else {
        return Vec::new();
    };
    let win = sweep::SweepWindow {
        rate: cfg.rate,
        max_hosts: cfg.max_hosts,
        deadline,
    };
    ports
        .iter_mut()
        .map(|p| {
            let (index, mac, own) = (p.index, p.mac, p.own);
            let chan = &mut *p.chan;
            (
                index,
                p.name.clone(),
                s.spawn(move || sweep::sweep(chan, index, mac, own, win)),
            )
        })
        .collect()
}

/// Waits for the sweeps; a failed one is a warning, not an error.
pub fn join_sweeps(sweeps: Vec<SweepHandle<'_>>, warn: &mut dyn FnMut(Warning)) -> Swept {
    let mut out = Swept::default();
    for (index, name, h) in sweeps {
        match h.join() {
            Ok(Ok(found)) => {
                out.neighbours.extend(found);
                out.complete.push(index);
            }
            Ok(Err(e)) => warn(Warning::Sweep {
                interface: name,
                why: e.to_string(),
            }),
            Err(_) => warn(Warning::SweepStopped { interface: name }),
        }
    }
    out
}

/// Attaches IPv4 addresses: sweep answers and recently confirmed ARP entries.
pub fn attach(
    report: &mut Report,
    neigh: Option<&dyn NeighSource>,
    swept: Swept,
    warn: &mut dyn FnMut(Warning),
) {
    let mut found = swept.neighbours;
    match neigh.map(|n| n.dump_ipv4()) {
        Some(Ok(cache)) => found.extend(cache),
        Some(Err(e)) => warn(Warning::Ipv4Table { why: io_reason(&e) }),
        None => {}
    }
    for iface in &mut report.interfaces {
        iface.ipv4_checked = swept.complete.contains(&iface.index);
    }
    ipv4::attach(&mut report.interfaces, &found);
}
