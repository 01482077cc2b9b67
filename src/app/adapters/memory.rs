//! The device inventory around the scans. It is opened after the privileges are gone (so
//! under sudo its file belongs to the user who ran it), read for the addresses the next
//! scan solicits again, and written after the output is printed. Any failure of the file
//! is one warning, and the run goes on without it.

use crate::config::{InventoryConfig, InventoryPlace};
use crate::iface::Interface;
use crate::inventory::{self, Device, IfaceKey, Inventory, Limits};
use crate::mac::Mac;
use crate::platform::Identity;
use crate::report::{Labels, Report};
use crate::warning::Warning;
use std::collections::HashMap;
use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::time::SystemTime;

/// Where the inventory of `place` is for this process: `None` when it is off. Under sudo
/// the default is the invoking user's state directory, found from their home in the
/// password database (root's environment says nothing about them).
pub fn resolve_path(place: &InventoryPlace, user: Option<&Identity>) -> Option<PathBuf> {
    match place {
        InventoryPlace::Off => None,
        InventoryPlace::Path(p) => Some(p.clone()),
        InventoryPlace::Default => {
            let env = std::env::var_os("V6SCOUT_INVENTORY");
            match user {
                Some(u) => inventory::default_path(None, env.as_deref(), None, u.home.as_deref()),
                None => inventory::default_path(
                    None,
                    env.as_deref(),
                    std::env::var_os("XDG_STATE_HOME").as_deref(),
                    std::env::var_os("HOME").map(PathBuf::from).as_deref(),
                ),
            }
        }
    }
}

/// The inventory of a run, or nothing (off, or it failed and was warned about).
pub struct Memory {
    inv: Option<Inventory>,
    cfg: InventoryConfig,
}

impl Memory {
    /// No inventory.
    pub fn none() -> Memory {
        Memory {
            inv: None,
            cfg: InventoryConfig {
                place: InventoryPlace::Off,
                ..InventoryConfig::default()
            },
        }
    }

    /// Opens the inventory `cfg` names for this process (`user`: whom sudo ran it for).
    pub fn open(
        cfg: &InventoryConfig,
        user: Option<&Identity>,
        warn: &mut dyn FnMut(Warning),
    ) -> Memory {
        let inv = resolve_path(&cfg.place, user).and_then(|path| match Inventory::open(&path) {
            Ok(inv) => {
                if inv.is_read_only() {
                    warn(Warning::Inventory {
                        why: format!(
                            "the inventory at {} was written by a newer v6scout: reading it, \
                             not writing",
                            path.display()
                        ),
                    });
                }
                Some(inv)
            }
            Err(e) => {
                warn(Warning::Inventory { why: e.to_string() });
                None
            }
        });
        Memory {
            inv,
            cfg: cfg.clone(),
        }
    }

    /// An inventory already open (tests).
    pub fn with(inv: Inventory, cfg: InventoryConfig) -> Memory {
        Memory {
            inv: Some(inv),
            cfg,
        }
    }

    /// Whether there is an inventory to use.
    pub fn is_open(&self) -> bool {
        self.inv.is_some()
    }

    /// Stops using the inventory after a failure, with one warning.
    fn fail(&mut self, e: inventory::InventoryError, warn: &mut dyn FnMut(Warning)) {
        warn(Warning::Inventory { why: e.to_string() });
        self.inv = None;
    }

    /// Per interface index, the addresses it saw there within `--recall`, newest first.
    pub fn recall(
        &mut self,
        links: &[Interface],
        now: SystemTime,
        limit: usize,
        warn: &mut dyn FnMut(Warning),
    ) -> HashMap<u32, Vec<Ipv6Addr>> {
        let mut out = HashMap::new();
        let since = now
            .checked_sub(self.cfg.recall)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        for i in links {
            let Some(inv) = &self.inv else { break };
            let key = IfaceKey {
                name: i.name.clone(),
                mac: i.mac,
            };
            match inv.recall(&key, since, limit) {
                Ok(addrs) => {
                    out.insert(i.index, addrs);
                }
                Err(e) => {
                    self.fail(e, warn);
                    break;
                }
            }
        }
        out
    }

    /// Per interface index, the addresses devices `macs` had there, newest first, at most
    /// `limit` per device: where a search for them looks before anything else.
    pub fn device_recall(
        &mut self,
        links: &[Interface],
        macs: &[Mac],
        limit: usize,
        warn: &mut dyn FnMut(Warning),
    ) -> HashMap<u32, Vec<Ipv6Addr>> {
        let mut out: HashMap<u32, Vec<Ipv6Addr>> = HashMap::new();
        for i in links {
            let key = IfaceKey {
                name: i.name.clone(),
                mac: i.mac,
            };
            for m in macs {
                let Some(inv) = &self.inv else { return out };
                match inv.device_recall(&key, *m, limit) {
                    Ok(addrs) => out.entry(i.index).or_default().extend(addrs),
                    Err(e) => {
                        self.fail(e, warn);
                        return out;
                    }
                }
            }
        }
        out
    }

    /// Records what `report` confirmed, and forgets devices past `--prune-after`.
    pub fn record(
        &mut self,
        report: &Report,
        max_hosts: usize,
        now: SystemTime,
        warn: &mut dyn FnMut(Warning),
    ) {
        let Some(inv) = self.inv.as_mut() else { return };
        if inv.is_read_only() {
            return;
        }
        let limits = Limits {
            max_new_devices_per_iface: max_hosts,
            ..Limits::default()
        };
        let sightings = inventory::sightings(report);
        let result = inv.record(&sightings, now, limits).and_then(|_| {
            let horizon = now
                .checked_sub(self.cfg.prune_after)
                .unwrap_or(SystemTime::UNIX_EPOCH);
            inv.prune(horizon)
        });
        if let Err(e) = result {
            self.fail(e, warn);
        }
    }

    /// Adds to each interface of `report` the alerts that need the past: routers not seen
    /// there before, MACs that changed since the last scan (read before this scan is
    /// recorded). Without an inventory, nothing.
    pub fn add_alerts(&mut self, report: &mut Report, warn: &mut dyn FnMut(Warning)) {
        for iface in &mut report.interfaces {
            let Some(inv) = self.inv.as_ref() else { return };
            let key = IfaceKey {
                name: iface.name.clone(),
                mac: iface.mac,
            };
            match inv.known(&key) {
                Ok(known) => {
                    crate::health::drop_known_routers(&mut iface.alerts, &known);
                    iface
                        .alerts
                        .extend(crate::health::memory_alerts(iface, &known));
                    iface.alerts.sort();
                }
                Err(e) => {
                    self.fail(e, warn);
                    return;
                }
            }
        }
    }

    /// When this device was last seen on this interface, before now.
    pub fn last_seen(
        &mut self,
        iface: &str,
        iface_mac: Option<Mac>,
        mac: Mac,
        warn: &mut dyn FnMut(Warning),
    ) -> Option<SystemTime> {
        let inv = self.inv.as_ref()?;
        let key = IfaceKey {
            name: iface.to_string(),
            mac: iface_mac,
        };
        match inv.last_seen(&key, mac) {
            Ok(t) => t,
            Err(e) => {
                self.fail(e, warn);
                None
            }
        }
    }

    /// Every device known, newest first.
    pub fn devices(&mut self, warn: &mut dyn FnMut(Warning)) -> Vec<Device> {
        let Some(inv) = self.inv.as_ref() else {
            return Vec::new();
        };
        match inv.devices(None) {
            Ok(d) => d,
            Err(e) => {
                self.fail(e, warn);
                Vec::new()
            }
        }
    }

    /// The labels admins gave devices (none without an inventory).
    pub fn labels(&mut self, warn: &mut dyn FnMut(Warning)) -> Labels {
        let Some(inv) = self.inv.as_ref() else {
            return Labels::default();
        };
        match inv.labels() {
            Ok(l) => l,
            Err(e) => {
                self.fail(e, warn);
                Labels::default()
            }
        }
    }

    /// Devices that held this IPv4 address, newest first.
    pub fn by_ipv4(
        &mut self,
        addr: std::net::Ipv4Addr,
        warn: &mut dyn FnMut(Warning),
    ) -> Vec<Device> {
        let Some(inv) = self.inv.as_ref() else {
            return Vec::new();
        };
        match inv.by_ipv4(addr) {
            Ok(d) => d,
            Err(e) => {
                self.fail(e, warn);
                Vec::new()
            }
        }
    }
}
