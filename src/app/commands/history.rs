//! `v6scout history`: the devices the inventory knows, newest first.

use crate::app::adapters::memory::resolve_path;
use crate::config::{FormatChoice, HistoryConfig, InventoryPlace};
use crate::inventory::{self, Inventory};
use crate::output::history;
use crate::query::Query;
use anyhow::{anyhow, bail, Context, Result};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

/// The inventory file of `place` (under sudo the invoking user's, as a scan would use
/// it), for a command that reads what scans remembered: an error when the inventory is
/// off; `None`, after telling the user, when no scan has written it yet.
pub(super) fn existing_inventory(place: &InventoryPlace) -> Result<Option<PathBuf>> {
    let user = crate::platform::invoking_user();
    let Some(path) = resolve_path(place, user.as_ref()) else {
        bail!("the inventory is off (V6SCOUT_INVENTORY=off): unset it, or give --inventory PATH");
    };
    if !path.exists() {
        crate::say!(
            "v6scout: no device known yet: {} does not exist (every scan records into it)",
            path.display()
        );
        return Ok(None);
    }
    Ok(Some(path))
}

/// Lists the known devices (exit 0), or says there are none (exit 1).
pub fn run_history(cfg: &HistoryConfig) -> Result<ExitCode> {
    let query: Option<Query> = cfg
        .query
        .as_deref()
        .map(|q| q.parse().map_err(|e| anyhow!("{e}")))
        .transpose()?;
    let Some(path) = existing_inventory(&cfg.place)? else {
        return Ok(ExitCode::from(1));
    };
    let inv = Inventory::open_read_only(&path).map_err(|e| anyhow!("{e}"))?;
    if cfg.check {
        return Ok(if inv.integrity_ok().map_err(|e| anyhow!("{e}"))? {
            crate::say!("v6scout: {}: sound", path.display());
            ExitCode::SUCCESS
        } else {
            crate::say!(
                "v6scout: {}: damaged (SQLite's integrity check failed)",
                path.display()
            );
            ExitCode::from(2)
        });
    }
    let now = SystemTime::now();
    let since = cfg.since.and_then(|d| now.checked_sub(d));
    let mut devices = inv.devices(since).map_err(|e| anyhow!("{e}"))?;
    if let Some(site) = &cfg.site {
        devices = inventory::at_site(&devices, site)
            .into_iter()
            .cloned()
            .collect();
    }
    if let Some(q) = &query {
        let keep: Vec<_> = inventory::matching(&devices, q)
            .into_iter()
            .cloned()
            .collect();
        devices = keep;
    }
    let stdout = std::io::stdout();
    let tty = stdout.is_terminal();
    let mut out = stdout.lock();
    match cfg.format {
        FormatChoice::Json => history::render_json(&devices, now, &mut out),
        FormatChoice::Plain | FormatChoice::Jsonl => {
            history::render_plain(&devices, true, &mut out)
        }
        FormatChoice::Table => history::render_text(&devices, now, &mut out),
        FormatChoice::Auto if tty => history::render_text(&devices, now, &mut out),
        FormatChoice::Auto => history::render_plain(&devices, true, &mut out),
    }
    .and_then(|()| out.flush())
    .context("writing the history")?;
    if devices.is_empty() && cfg.format != FormatChoice::Json {
        crate::say!("v6scout: no device matches");
    }
    Ok(if devices.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
