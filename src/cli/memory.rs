//! Arguments of the device inventory: where it is and how far back it remembers, shared
//! by the scan, watch and the find commands; and `history`.

use crate::config::{FormatChoice, HistoryConfig, InventoryConfig, InventoryPlace, LabelConfig};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// Where the inventory is and what it keeps.
#[derive(Args, Debug, Clone)]
pub struct InventoryArgs {
    /// The device inventory (SQLite). Default: $V6SCOUT_INVENTORY, else
    /// $XDG_STATE_HOME/v6scout/inventory.sqlite3 (~/.local/state/v6scout/…); under sudo,
    /// the invoking user's.
    #[arg(long, value_name = "PATH", conflicts_with = "no_inventory")]
    pub inventory: Option<PathBuf>,

    /// Neither read nor write the inventory (as V6SCOUT_INVENTORY=off).
    #[arg(long)]
    pub no_inventory: bool,

    /// Solicit again the addresses the inventory saw within this long (e.g. 30d, 12h).
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = parse_age)]
    pub recall: Duration,

    /// Forget devices not seen for this long.
    #[arg(long, value_name = "DURATION", default_value = "180d", value_parser = parse_age)]
    pub prune_after: Duration,
}

impl InventoryArgs {
    /// The inventory these options ask for.
    pub fn config(&self) -> InventoryConfig {
        InventoryConfig {
            place: place(self.inventory.as_ref(), self.no_inventory),
            recall: self.recall,
            prune_after: self.prune_after,
        }
    }
}

/// The inventory `--inventory` names, else the default one.
pub(super) fn place_of(path: Option<&PathBuf>) -> InventoryPlace {
    place(path, false)
}

fn place(path: Option<&PathBuf>, off: bool) -> InventoryPlace {
    match (path, off) {
        (_, true) => InventoryPlace::Off,
        (Some(p), false) => InventoryPlace::Path(p.clone()),
        (None, false) => InventoryPlace::Default,
    }
}

/// `v6scout history`.
#[derive(Args, Debug, Clone)]
pub struct HistoryArgs {
    /// Only devices matching this (a MAC, MAC prefix, vendor, name, label, address or
    /// prefix, as for resolve).
    #[arg(value_name = "QUERY")]
    pub query: Option<String>,

    /// Only devices seen within this long (e.g. 7d, 2h).
    #[arg(long, value_name = "DURATION", value_parser = parse_age)]
    pub since: Option<Duration>,

    /// Only devices of this site, as a hub collecting several sites recorded them from
    /// that site's watcher (its name exactly).
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,

    /// Print one JSON document (history schema version 1, see README).
    #[arg(long, group = "history_format")]
    pub json: bool,

    /// Print one address a line in stable columns (default when stdout is not a terminal).
    #[arg(long, group = "history_format")]
    pub plain: bool,

    /// The device inventory to read (default as for the scan).
    #[arg(long, value_name = "PATH")]
    pub inventory: Option<PathBuf>,

    /// Only check the file (SQLite's integrity check): exit 0 when it is sound.
    #[arg(long)]
    pub check: bool,
}

impl HistoryArgs {
    /// What history is asked to show.
    pub fn config(&self) -> HistoryConfig {
        HistoryConfig {
            query: self.query.clone(),
            since: self.since,
            site: self.site.clone(),
            format: if self.json {
                FormatChoice::Json
            } else if self.plain {
                FormatChoice::Plain
            } else {
                FormatChoice::Auto
            },
            place: place(self.inventory.as_ref(), false),
            check: self.check,
        }
    }
}

/// `v6scout label`.
#[derive(Args, Debug, Clone)]
pub struct LabelArgs {
    /// The remembered device: a MAC, MAC prefix, vendor, name, label, address or prefix, as
    /// for resolve (see `v6scout history`).
    #[arg(value_name = "QUERY")]
    pub query: String,

    /// Its label: one word of at most 64 characters that is not a MAC or an address
    /// (kitchen-pi). It replaces the label the device had.
    #[arg(value_name = "NAME", required_unless_present = "remove")]
    pub name: Option<String>,

    /// Take the device's label away instead.
    #[arg(long, conflicts_with = "name")]
    pub remove: bool,

    /// The device inventory (default as for the scan).
    #[arg(long, value_name = "PATH")]
    pub inventory: Option<PathBuf>,
}

impl LabelArgs {
    /// What label is asked to do.
    pub fn config(&self) -> LabelConfig {
        LabelConfig {
            query: self.query.clone(),
            label: if self.remove { None } else { self.name.clone() },
            place: place(self.inventory.as_ref(), false),
        }
    }
}

/// Parses an age such as `30d`, `12h`, `90min` or `1w` (humantime), at least a second and
/// at most ten years.
pub fn parse_age(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("'{s}' is not a duration ({e}); try 30d, 12h or 1w"))?;
    if d < Duration::from_secs(1) {
        return Err(format!("'{s}' is too short; at least 1s"));
    }
    if d > Duration::from_secs(10 * 365 * 86_400) {
        return Err(format!("'{s}' is too long; at most ten years"));
    }
    Ok(d)
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
