//! `wake`: a Wake-on-LAN magic packet to a device the inventory remembers, on the
//! interface it was last seen on; then, with `--wait-for` (and for `ssh --wake`), the
//! search of `resolve` for that device on that interface until it answers.

use super::find::{list_ambiguous, run_find, EXIT_AMBIGUOUS};
use crate::app::adapters::memory::resolve_path;
use crate::config::{FindConfig, WakeConfig};
use crate::iface::Interface;
use crate::inventory::{Device, Inventory, InventoryError};
use crate::output::warnings::warn_stderr;
use crate::query::Query;
use crate::report::ago;
use crate::wake::{self, Choice, Sent};
use anyhow::{anyhow, bail, Result};
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

/// What to do when the device is not remembered.
const REMEMBER_HINT: &str = "wake sends to the MAC the inventory remembers: scan or watch \
     while the device is awake so it is remembered (v6scout history lists what is)";

/// Wakes the device (exit 0 once a packet is sent), then with `then` finds it as
/// `resolve` does. Not remembered: exit 1; several devices: exit 3.
pub fn run_wake(cfg: &WakeConfig) -> Result<ExitCode> {
    let query: Query = cfg.query.parse().map_err(|e| anyhow!("{e}"))?;
    // Under sudo, the invoking user's inventory, as a scan would use it.
    let user = crate::platform::invoking_user();
    let Some(path) = resolve_path(&cfg.inventory.place, user.as_ref()) else {
        bail!(
            "wake needs the inventory (it remembers each device's MAC and where it was \
             seen), which is off: drop --no-inventory or V6SCOUT_INVENTORY=off, or give \
             --inventory PATH"
        );
    };
    let Some(devices) = remembered(&path)? else {
        crate::say!(
            "v6scout: no device is remembered yet: {} does not exist; {REMEMBER_HINT}",
            path.display()
        );
        return Ok(ExitCode::from(1));
    };
    let device = match one_device(cfg, &query, &devices, &path) {
        Ok(d) => d,
        Err(code) => return Ok(code),
    };
    let all = crate::platform::interfaces();
    let Some(iface) = wake::interface_for(&all, &device.iface) else {
        bail!(
            "{} was last seen on {}, which this system does not have now: connect it, or \
             scan where the device is so it is remembered there",
            device.mac,
            device.iface.name
        );
    };
    if !iface.up {
        bail!(
            "{} was last seen on {}, which is down: bring it up (ip link set {} up)",
            device.mac,
            iface.name,
            iface.name
        );
    }
    let hint = format!(
        "run v6scout with sudo, or grant it once with: {}",
        crate::platform::SETCAP
    );
    let mut sender = crate::platform::wake_sender();
    let sent = wake::send(&mut *sender, iface, device.mac, &hint, &mut warn_stderr);
    if !sent.any() {
        bail!("no magic packet could be sent on {}", iface.name);
    }
    crate::say!("v6scout: {}", sent_line(device, iface, sent));
    match &cfg.then {
        None => Ok(ExitCode::SUCCESS),
        Some(find) => run_find(&after_wake(find, device, iface)),
    }
}

/// The one device `query` wakes, or the exit code that says why there is none (the
/// reason, or the candidates, said on stderr).
fn one_device<'a>(
    cfg: &WakeConfig,
    query: &Query,
    devices: &'a [Device],
    path: &Path,
) -> Result<&'a Device, ExitCode> {
    match wake::choose(devices, query, &cfg.interfaces) {
        Choice::One(d) => Ok(d),
        Choice::Nothing => {
            let on = match cfg.interfaces.as_slice() {
                [] => String::new(),
                names => format!(" on {}", names.join(", ")),
            };
            crate::say!(
                "v6scout: no remembered device{on} matches '{}' ({} known in {}); {REMEMBER_HINT}",
                cfg.query,
                devices.len(),
                path.display()
            );
            Err(ExitCode::from(1))
        }
        Choice::Several(ds) => {
            let candidates: Vec<_> = ds.into_iter().map(wake::candidate).collect();
            list_ambiguous(&cfg.query, &candidates);
            Err(ExitCode::from(EXIT_AMBIGUOUS))
        }
    }
}

/// The devices the inventory at `path` remembers, newest first; `None` when the file does
/// not exist yet. Read without writing anything (the search after the wake, which
/// records, opens it as the user it runs as).
fn remembered(path: &Path) -> Result<Option<Vec<Device>>> {
    let inv = match Inventory::open_read_only(path) {
        Ok(inv) => inv,
        Err(InventoryError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(anyhow!("{e}")),
    };
    Ok(Some(inv.devices(None).map_err(|e| anyhow!("{e}"))?))
}

/// What was sent, for stderr: the device, where it was last seen, and the forms.
fn sent_line(device: &Device, iface: &Interface, sent: Sent) -> String {
    let vendor = device
        .vendor
        .as_deref()
        .map_or(String::new(), |v| format!(" ({v})"));
    let frame = format!(
        "as an Ethernet frame (type 0x{:04x}) to {}",
        wake::ETHERTYPE_WOL,
        wake::BROADCAST
    );
    let udp = format!(
        "as UDP to [{}%{}]:{}",
        wake::ALL_NODES,
        iface.name,
        wake::UDP_PORT
    );
    let forms = match (sent.frame, sent.udp) {
        (true, true) => format!("{frame} and {udp}"),
        (true, false) => frame,
        _ => udp,
    };
    format!(
        "magic packet for {}{vendor}, last seen {} on {}, sent {forms}",
        device.mac,
        ago(SystemTime::now(), device.last_seen),
        iface.name
    )
}

/// The search after a wake: for the woken device's MAC, on the interface it was woken on.
fn after_wake(find: &FindConfig, device: &Device, iface: &Interface) -> FindConfig {
    let mut f = find.clone();
    f.query = device.mac.to_string();
    f.scan.interfaces = vec![iface.name.clone()];
    f
}

#[cfg(test)]
#[path = "wake_tests.rs"]
mod tests;
