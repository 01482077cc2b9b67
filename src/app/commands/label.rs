//! `v6scout label`: gives a remembered device a name of the admin's, or takes it away. It
//! reads and writes the inventory only: nothing is sent on any link.

use crate::config::LabelConfig;
use crate::inventory::{self, Device, Inventory, LabelSet};
use crate::mac::Mac;
use crate::output::history;
use crate::query::{check_label, Query};
use anyhow::{anyhow, bail, Result};
use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::SystemTime;

use super::find::EXIT_AMBIGUOUS;
use super::history::existing_inventory;

/// Which device a label query names: a label belongs to a MAC, so the rows of one MAC on
/// several interfaces are one device.
#[derive(Debug, PartialEq, Eq)]
pub enum Pick<'a> {
    /// No remembered device matched.
    None,
    /// One MAC: its rows (one per interface it was seen on).
    One(Mac, Vec<&'a Device>),
    /// Several MACs: every matching row.
    Several(Vec<&'a Device>),
}

/// The device among `matched` (the rows a query selected, in history order).
pub fn pick<'a>(matched: Vec<&'a Device>) -> Pick<'a> {
    let Some(first) = matched.first().map(|d| d.mac) else {
        return Pick::None;
    };
    if matched.iter().all(|d| d.mac == first) {
        Pick::One(first, matched)
    } else {
        Pick::Several(matched)
    }
}

/// `b8:27:eb:89:bc:51 (Raspberry Pi Foundation)`: the device as messages name it.
fn device_words(mac: Mac, rows: &[&Device]) -> String {
    match rows.iter().find_map(|d| d.vendor.as_deref()) {
        Some(v) => format!("{mac} ({v})"),
        None => mac.to_string(),
    }
}

/// Labels the device `cfg.query` names (exit 0), or removes its label; exit 1 when no
/// remembered device matches (or it has no label to remove), 3 when several do.
pub fn run_label(cfg: &LabelConfig) -> Result<ExitCode> {
    let query: Query = cfg.query.parse().map_err(|e| anyhow!("{e}"))?;
    let label = cfg
        .label
        .as_deref()
        .map(check_label)
        .transpose()
        .map_err(|e| anyhow!("{e}"))?;
    let Some(path) = existing_inventory(&cfg.place)? else {
        return Ok(ExitCode::from(1));
    };
    let mut inv = Inventory::open(&path).map_err(|e| anyhow!("{e}"))?;
    let devices = inv.devices(None).map_err(|e| anyhow!("{e}"))?;
    let (mac, rows) = match pick(inventory::matching(&devices, &query)) {
        Pick::One(mac, rows) => (mac, rows),
        Pick::None => {
            crate::say!(
                "v6scout: no remembered device matches '{}' (v6scout history lists them; a scan records what it finds)",
                cfg.query
            );
            return Ok(ExitCode::from(1));
        }
        Pick::Several(rows) => {
            list_candidates(&cfg.query, &rows)?;
            return Ok(ExitCode::from(EXIT_AMBIGUOUS));
        }
    };
    let who = device_words(mac, &rows);
    let Some(label) = label else {
        return Ok(match inv.remove_label(mac).map_err(|e| anyhow!("{e}"))? {
            Some(old) => {
                crate::say!("v6scout: {who} is no longer labelled {old}");
                ExitCode::SUCCESS
            }
            None => {
                crate::say!("v6scout: {who} has no label to remove");
                ExitCode::from(1)
            }
        });
    };
    match inv
        .set_label(mac, &label, SystemTime::now())
        .map_err(|e| anyhow!("{e}"))?
    {
        LabelSet::Set { previous } => {
            let was = match previous {
                Some(p) if p == label => " (unchanged)".to_string(),
                Some(p) => format!(" (was {p})"),
                None => String::new(),
            };
            crate::say!("v6scout: {who} is labelled {label}{was}");
            Ok(ExitCode::SUCCESS)
        }
        LabelSet::Taken { by } => bail!(
            "'{label}' already labels {by}, and a label names one device: take it away first \
             (v6scout label --remove {label}) or pick another name"
        ),
    }
}

/// The candidates of an ambiguous query on stderr, as history lists them.
fn list_candidates(raw: &str, rows: &[&Device]) -> Result<()> {
    let macs: BTreeSet<Mac> = rows.iter().map(|d| d.mac).collect();
    let owned: Vec<Device> = rows.iter().map(|d| (*d).clone()).collect();
    let mut text = Vec::new();
    history::render_text(&owned, SystemTime::now(), &mut text)?;
    let mut msg = format!(
        "v6scout: '{raw}' matches {} devices; give a full MAC (or a label) to pick one:",
        macs.len()
    );
    for line in String::from_utf8_lossy(&text).lines() {
        msg.push_str("\n  ");
        msg.push_str(line);
    }
    crate::say!("{msg}");
    Ok(())
}

#[cfg(test)]
#[path = "label_tests.rs"]
mod tests;
