//! What a hub receives, checked before anything is believed: a topic v6scout publishes, a
//! payload of bounded size, JSON of the right shape and bounds, and a state whose site,
//! interface and MAC are the ones its topic names (a watch allowed to publish for one site
//! cannot pass devices off as another's by their payload). Whatever fails is dropped, and
//! the reason counted.

use super::state::{self, DeviceState};
use super::topic::{self, Named, Site};
use crate::mac::Mac;
use crate::model::is_host_address;
use crate::names::dns::clean_name;
use crate::query::check_label;
use std::fmt;
use std::time::{Duration, SystemTime};

/// The largest payload read; a device state of the most addresses and names is about 9 KiB.
pub const MAX_PAYLOAD: usize = 16 * 1024;

/// The longest name, label, vendor or interface a state may carry.
pub const MAX_TEXT: usize = 255;

/// How far in the future a state's `last_seen` may be (clocks differ a little).
pub const MAX_CLOCK_AHEAD: Duration = Duration::from_secs(300);

/// A message worth acting on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inbound {
    /// A device's state.
    Device {
        /// Its site.
        site: Site,
        /// The device.
        mac: Mac,
        /// The state, checked.
        state: Box<DeviceState>,
        /// When it was last seen.
        seen: SystemTime,
    },
    /// An emptied device topic: that site's watch forgot the device.
    Cleared {
        /// Its site.
        site: Site,
    },
    /// A site's watch is online or offline.
    Status {
        /// The site.
        site: Site,
        /// `online`.
        online: bool,
    },
    /// One of a site's events (recorded through the states; only checked).
    Event {
        /// The site.
        site: Site,
    },
}

/// Why a message was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dropped {
    /// A topic under `v6scout/` that v6scout never publishes.
    Topic,
    /// Longer than [`MAX_PAYLOAD`].
    TooBig,
    /// Not UTF-8 JSON (or not `online`/`offline` on a status topic).
    Garbage,
    /// JSON, but not of the right shape: a field missing or of the wrong type, a value out
    /// of bounds.
    Shape,
    /// A state version this hub does not know.
    Version,
    /// Its site, interface or MAC is not the one its topic names.
    Forged,
    /// Seen more than [`MAX_CLOCK_AHEAD`] in the future.
    Future,
    /// A new device over the hub's hourly budget ([`crate::mqtt::budget`]).
    Budget,
}

impl Dropped {
    /// Every reason, in order.
    pub const ALL: [Dropped; 8] = [
        Dropped::Topic,
        Dropped::TooBig,
        Dropped::Garbage,
        Dropped::Shape,
        Dropped::Version,
        Dropped::Forged,
        Dropped::Future,
        Dropped::Budget,
    ];

    /// Its stable name (metrics label, summary).
    pub fn as_str(self) -> &'static str {
        match self {
            Dropped::Topic => "topic",
            Dropped::TooBig => "too-big",
            Dropped::Garbage => "garbage",
            Dropped::Shape => "shape",
            Dropped::Version => "version",
            Dropped::Forged => "forged",
            Dropped::Future => "future",
            Dropped::Budget => "budget",
        }
    }
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dropped::Topic => "a topic v6scout does not publish",
            Dropped::TooBig => "larger than 16 KiB",
            Dropped::Garbage => "not JSON",
            Dropped::Shape => "a field missing, of the wrong type or out of bounds",
            Dropped::Version => "a state version this v6scout does not know",
            Dropped::Forged => "its site, interface or MAC differs from its topic's",
            Dropped::Future => "last seen in the future",
            Dropped::Budget => "a new device over the hub's hourly budget",
        })
    }
}

/// Dropped messages per reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DropCounts([u64; Dropped::ALL.len()]);

impl DropCounts {
    /// One more dropped for `why`; whether it is the first for that reason.
    pub fn add(&mut self, why: Dropped) -> bool {
        let c = &mut self.0[why as usize];
        *c += 1;
        *c == 1
    }

    /// Dropped for `why`.
    pub fn get(&self, why: Dropped) -> u64 {
        self.0[why as usize]
    }

    /// Dropped in all.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

/// Checks one message received on `topic` at `now`.
pub fn parse(topic: &str, payload: &[u8], now: SystemTime) -> Result<Inbound, Dropped> {
    let named = topic::parse(topic).ok_or(Dropped::Topic)?;
    if payload.len() > MAX_PAYLOAD {
        return Err(Dropped::TooBig);
    }
    match named {
        Named::Status(site) => match payload {
            b"online" => Ok(Inbound::Status { site, online: true }),
            b"offline" => Ok(Inbound::Status {
                site,
                online: false,
            }),
            _ => Err(Dropped::Garbage),
        },
        Named::Events(site) => {
            let v: serde_json::Value =
                serde_json::from_slice(payload).map_err(|_| Dropped::Garbage)?;
            match v.get("type") {
                Some(serde_json::Value::String(_)) => Ok(Inbound::Event { site }),
                _ => Err(Dropped::Shape),
            }
        }
        Named::Device { site, .. } if payload.is_empty() => Ok(Inbound::Cleared { site }),
        Named::Device { site, iface, mac } => {
            let (state, seen) = device(payload, &site, &iface, mac, now)?;
            Ok(Inbound::Device {
                site,
                mac,
                state: Box::new(state),
                seen,
            })
        }
    }
}

/// A device state, checked against its topic's site, interface and MAC.
fn device(
    payload: &[u8],
    site: &Site,
    iface: &str,
    mac: Mac,
    now: SystemTime,
) -> Result<(DeviceState, SystemTime), Dropped> {
    let v: serde_json::Value = serde_json::from_slice(payload).map_err(|_| Dropped::Garbage)?;
    // The version first: a newer state may have another shape.
    match v.get("v").and_then(serde_json::Value::as_u64) {
        Some(n) if n == u64::from(state::VERSION) => {}
        Some(_) => return Err(Dropped::Version),
        None => return Err(Dropped::Shape),
    }
    let s: DeviceState = serde_json::from_value(v).map_err(|_| Dropped::Shape)?;
    if s.site != site.as_str() || s.interface != iface || s.mac.parse::<Mac>().ok() != Some(mac) {
        return Err(Dropped::Forged);
    }
    if !within_bounds(&s) {
        return Err(Dropped::Shape);
    }
    let seen = humantime::parse_rfc3339(&s.last_seen).map_err(|_| Dropped::Shape)?;
    if seen
        .duration_since(now)
        .is_ok_and(|ahead| ahead > MAX_CLOCK_AHEAD)
    {
        return Err(Dropped::Future);
    }
    Ok((s, seen))
}

/// Lists no longer than a watch sends; texts a watch could have written, so nothing
/// stored is a terminal escape, a line break or a column's worth of blanks: host names as
/// the name resolvers keep them, a label as `v6scout label` takes it, a vendor of
/// printable characters, an interface name Linux would allow; host addresses.
fn within_bounds(s: &DeviceState) -> bool {
    let printable = |t: &str| t.len() <= MAX_TEXT && !t.chars().any(char::is_control);
    s.addresses.len() <= state::MAX_ADDRESSES
        && s.ipv4.len() <= state::MAX_ADDRESSES
        && s.names.len() <= state::MAX_NAMES
        && (s.names.iter()).all(|n| clean_name(n).as_deref() == Some(n.as_str()))
        && s.label.as_deref().is_none_or(|l| check_label(l).is_ok())
        && s.vendor.as_deref().is_none_or(printable)
        && iface_name(&s.interface)
        && (s.addresses.iter()).all(|a| {
            is_host_address(a.address)
                && a.seen_by.len() <= 16
                && a.seen_by.iter().all(|b| b.len() <= 32)
        })
}

/// A name Linux allows an interface: 1 to 15 bytes, no blank, `/`, `:` or control
/// character.
fn iface_name(name: &str) -> bool {
    (1..=15).contains(&name.len())
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/' || c == ':')
}

#[cfg(test)]
#[path = "inbound_tests.rs"]
mod tests;
