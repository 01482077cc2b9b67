//! `v6scout collect`: the hub. Subscribes to every site's topics and records each device
//! state into the inventory with its site; prints a line when a site's watch comes online
//! or goes offline; drops (and counts) whatever is not what a watch publishes.

use super::signals::{install_signal_handlers, stopped};
use crate::app::adapters::memory::resolve_path;
use crate::app::adapters::mqtt::{self, Handler, Mqtt, MqttConfig};
use crate::config::{CollectConfig, DEFAULT_PRUNE_AFTER};
use crate::inventory::{Inventory, InventoryError, Limits, Sighting};
use crate::mqtt::budget::NewDevices;
use crate::mqtt::inbound::{self, DropCounts, Dropped, Inbound};
use crate::mqtt::topic::{self, Site};
use crate::output::warnings::warn_stderr;
use crate::warning::Warning;
use anyhow::{anyhow, bail, Context, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

/// Messages waiting between the MQTT thread and the recording at most (the MQTT thread
/// waits when it is full: the broker holds the rest).
const WAITING: usize = 1024;

/// The largest message taken from the broker; anything larger breaks the connection (the
/// broker's own `max_packet_size` should be smaller).
const MAX_INCOMING: usize = 16 * 1024 * 1024;

/// How often the hub forgets devices not seen for the inventory's horizon (as every scan
/// does when it records).
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Sites whose status lines the hub follows at most (more are recorded all the same).
const MAX_SITES: usize = 4096;

/// What the hub did so far.
#[derive(Default)]
struct Tally {
    recorded: u64,
    /// States the inventory could not take (said once).
    failed: u64,
    cleared: u64,
    events: u64,
    dropped: DropCounts,
    /// New devices added this hour.
    budget: NewDevices,
    /// Each site heard from, and whether its watch is online (`None`: not said yet).
    sites: BTreeMap<Site, Option<bool>>,
}

/// Runs the hub until Ctrl-C/SIGTERM (status 0).
pub fn run_collect(cfg: &CollectConfig) -> Result<ExitCode> {
    install_signal_handlers()?;
    let (mut inv, path) = open_inventory(cfg)?;
    let (tx, rx) = mpsc::sync_channel::<(String, Vec<u8>)>(WAITING);
    let conn = connect(cfg, tx)?;
    crate::say!(
        "v6scout: collecting every site from {} into {}",
        cfg.broker.url,
        path.display()
    );
    let mut tally = Tally::default();
    let mut pruned: Option<Instant> = None;
    while !stopped() {
        if pruned.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
            pruned = Some(Instant::now());
            let horizon = SystemTime::now().checked_sub(DEFAULT_PRUNE_AFTER);
            if let Err(e) = inv.prune(horizon.unwrap_or(SystemTime::UNIX_EPOCH)) {
                warn_stderr(Warning::HubRecord { why: e.to_string() });
            }
        }
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok((t, p)) => take(&mut inv, &mut tally, &t, &p)?,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    conn.finish(Duration::from_secs(1));
    summary(&tally, &path);
    Ok(ExitCode::SUCCESS)
}

/// The inventory to record into, opened as the user with every privilege given up first
/// (a hub reads files the user names and takes input from the network); a read-only one
/// is an error.
fn open_inventory(cfg: &CollectConfig) -> Result<(Inventory, PathBuf)> {
    let user = crate::platform::invoking_user();
    let Some(path) = resolve_path(&cfg.inventory, user.as_ref()) else {
        bail!("collect records into the inventory: give --inventory PATH (V6SCOUT_INVENTORY=off turns it off)");
    };
    crate::platform::drop_all_privileges()
        .map_err(|e| anyhow!("giving up privileges: {}", crate::warning::io_reason(&e)))?;
    let inv = Inventory::open(&path).map_err(|e| anyhow!("{e}"))?;
    if let Some(reason) = inv.read_only_reason() {
        let e = InventoryError::ReadOnly {
            path: path.clone(),
            reason: reason.clone(),
        };
        bail!("{e} (collect records into it)");
    }
    Ok((inv, path))
}

/// Subscribes to every site; what arrives goes to `tx`.
fn connect(cfg: &CollectConfig, tx: mpsc::SyncSender<(String, Vec<u8>)>) -> Result<Mqtt> {
    let config = MqttConfig {
        password: mqtt::password(&cfg.broker)?,
        url: cfg.broker.url.clone(),
        client_id: mqtt::client_id("collect"),
        status: None,
        subscribe: vec![topic::all_sites()],
        max_incoming: MAX_INCOMING,
    };
    let handler: Handler = Box::new(move |t: &str, p: &[u8]| {
        // A byte more than a message may have is enough to tell it is too big: what waits
        // here stays bounded whatever the broker sends.
        let keep = p.len().min(inbound::MAX_PAYLOAD + 1);
        let _ = tx.send((t.to_owned(), p[..keep].to_vec()));
    });
    Mqtt::start(config, Some(handler))
}

/// Checks and records one message.
fn take(inv: &mut Inventory, tally: &mut Tally, topic: &str, payload: &[u8]) -> Result<()> {
    match inbound::parse(topic, payload, SystemTime::now()) {
        Ok(Inbound::Device {
            site,
            mac,
            state,
            seen,
        }) => {
            record(inv, tally, topic, &site, &state.sighting(mac), seen);
            if tally.sites.len() < MAX_SITES {
                tally.sites.entry(site).or_insert(None);
            }
        }
        Ok(Inbound::Cleared { .. }) => tally.cleared += 1,
        Ok(Inbound::Event { .. }) => tally.events += 1,
        Ok(Inbound::Status { site, online }) => {
            if tally.sites.len() >= MAX_SITES && !tally.sites.contains_key(&site) {
                return Ok(());
            }
            let before = tally.sites.insert(site.clone(), Some(online));
            if before != Some(Some(online)) {
                let mut out = std::io::stdout().lock();
                let (mark, word) = if online {
                    ('+', "online")
                } else {
                    ('-', "offline")
                };
                writeln!(out, "{mark} site {site} {word}")
                    .and_then(|()| out.flush())
                    .context("writing a site's status")?;
            }
        }
        Err(why) => {
            if tally.dropped.add(why) {
                warn_stderr(Warning::MqttDropped {
                    topic: shown(topic),
                    why: why.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Records one device state of `site` within this hour's budget of new devices. A failed
/// write is said once and the hub goes on: the device's next state comes with its refresh.
fn record(
    inv: &mut Inventory,
    tally: &mut Tally,
    topic: &str,
    site: &Site,
    sighting: &Sighting,
    seen: SystemTime,
) {
    let hour = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 3600);
    let iface = sighting.iface.name.as_str();
    let limits = Limits {
        max_new_devices_per_iface: tally.budget.allowance(site.as_str(), iface, hour),
        ..Limits::default()
    };
    match inv.record_site(site.as_str(), std::slice::from_ref(sighting), seen, limits) {
        Ok(r) if r.dropped_over_limit > 0 => {
            if tally.dropped.add(Dropped::Budget) {
                warn_stderr(Warning::MqttDropped {
                    topic: shown(topic),
                    why: Dropped::Budget.to_string(),
                });
            }
        }
        Ok(r) => {
            tally.budget.spend(site.as_str(), iface, r.new_devices);
            tally.recorded += 1;
        }
        Err(e) => {
            tally.failed += 1;
            if tally.failed == 1 {
                warn_stderr(Warning::HubRecord { why: e.to_string() });
            }
        }
    }
}

/// A received topic as it may be shown: at most 80 characters, control characters escaped.
fn shown(topic: &str) -> String {
    let t: String = topic
        .chars()
        .take(80)
        .flat_map(char::escape_debug)
        .collect();
    if topic.chars().count() > 80 {
        format!("{t}…")
    } else {
        t
    }
}

fn plural(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn summary(t: &Tally, path: &std::path::Path) {
    let reasons: Vec<String> = Dropped::ALL
        .iter()
        .filter(|d| t.dropped.get(**d) > 0)
        .map(|d| format!("{} {}", d.as_str(), t.dropped.get(*d)))
        .collect();
    let dropped = if reasons.is_empty() {
        "none".to_owned()
    } else {
        format!("{} ({})", t.dropped.total(), reasons.join(", "))
    };
    crate::say!(
        "v6scout: recorded {} from {} into {} ({} not recorded, {} cleared, {} events); \
         dropped {dropped}",
        plural(t.recorded, "device state"),
        plural(t.sites.len() as u64, "site"),
        path.display(),
        t.failed,
        t.cleared,
        t.events
    );
}
