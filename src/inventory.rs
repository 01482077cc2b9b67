//! The device inventory: one SQLite file that remembers what scans confirmed, so the next
//! scan can ask again for addresses it once saw, `watch` can tell a new device from a
//! returning one, and `history`/`resolve` can answer for devices that are not answering
//! right now.
//!
//! What is stored, per interface (known by its MAC when it has one, so a renamed adapter
//! keeps its history, else by its name; another site's, recorded by a hub with
//! [`Inventory::record_site`], by its site and name, apart from this machine's): every
//! device (MAC) with its vendor, names, router flag and first/last sighting (and, for a
//! router, what it last advertised: lifetime, preference, prefixes); per device its IPv6 addresses (first/last seen, how, the
//! kind of interface ID) and its IPv4 addresses (last seen); per MAC the label an admin
//! gave the device. Times are integer milliseconds since the Unix epoch.
//!
//! The file is opened in WAL mode with a busy timeout; every write is one transaction, so
//! a process killed at any moment leaves the previous state or the new one, and several
//! processes may use it at once. Its size is bounded: each [`Inventory::record`] adds at
//! most [`Limits::max_new_devices_per_iface`] devices per interface and keeps at most
//! [`Limits::max_addresses_per_device`] addresses per device, and
//! [`Inventory::prune`] forgets what was not seen for a while.
//!
//! The pure pieces ([`sightings`], [`default_path`], [`matching`], [`at_site`]) do no I/O.

mod codec;
mod error;
mod label;
mod pure;
mod read;
mod schema;
mod sql;
mod store;

pub use error::{InventoryError, ReadOnlyReason};
pub use label::LabelSet;
pub use pure::{at_site, default_path, matching, sightings};
pub use schema::SCHEMA_VERSION;
pub use store::Inventory;

use crate::health::KnownAdvert;
use crate::mac::Mac;
use crate::model::{IidKind, SeenBy};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::SystemTime;

/// One interface as the inventory knows it: by its MAC when it has one (a renamed USB
/// adapter keeps its history), else by its name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IfaceKey {
    /// Its name (the latest one, when read back).
    pub name: String,
    /// Its MAC, if it has one.
    pub mac: Option<Mac>,
}

/// One address of a device, as one scan confirmed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrSighting {
    /// The address.
    pub address: Ipv6Addr,
    /// How the scan saw it.
    pub seen_by: Vec<SeenBy>,
    /// How its interface ID was formed.
    pub iid: IidKind,
}

/// One device (a MAC on an interface) as one scan confirmed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sighting {
    /// The interface it answered on.
    pub iface: IfaceKey,
    /// Its MAC.
    pub mac: Mac,
    /// Its vendor's name, when the OUI table knows it.
    pub vendor: Option<String>,
    /// Host names found for it.
    pub names: Vec<String>,
    /// It advertised itself as a router.
    pub router: bool,
    /// Its confirmed addresses.
    pub addresses: Vec<AddrSighting>,
    /// Its IPv4 addresses.
    pub ipv4: Vec<Ipv4Addr>,
    /// What it advertised, when it is a router that sent an RA.
    pub advert: Option<KnownAdvert>,
}

/// One stored address of a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownAddr {
    /// The address.
    pub address: Ipv6Addr,
    /// When a scan first confirmed it.
    pub first_seen: SystemTime,
    /// When a scan last confirmed it.
    pub last_seen: SystemTime,
    /// Every way it was ever seen, in display order.
    pub seen_by: Vec<SeenBy>,
    /// How its interface ID was formed (as last seen).
    pub iid: IidKind,
}

/// One stored device: a MAC on an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// Its interface (under its latest name).
    pub iface: IfaceKey,
    /// Its MAC.
    pub mac: Mac,
    /// Its vendor's name, as last known.
    pub vendor: Option<String>,
    /// Its names, most recently seen first.
    pub names: Vec<String>,
    /// It advertised itself as a router in some scan (the flag sticks until pruned).
    pub router: bool,
    /// When a scan first confirmed it.
    pub first_seen: SystemTime,
    /// When a scan last confirmed it.
    pub last_seen: SystemTime,
    /// Its addresses, newest `last_seen` first.
    pub addresses: Vec<KnownAddr>,
    /// Its IPv4 addresses with when each was last seen, newest first.
    pub ipv4: Vec<(Ipv4Addr, SystemTime)>,
    /// The name an admin gave it (`v6scout label`; every interface's row of its MAC).
    pub label: Option<String>,
    /// The site whose interface it was seen on ([`Inventory::record_site`]); `None`: one
    /// of this machine's own links.
    pub site: Option<String>,
}

/// How much one [`Inventory::record`] call may add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Devices added per interface per call at most; further new ones are dropped (a
    /// flood of forged MACs cannot fill the file). Known devices are always updated.
    pub max_new_devices_per_iface: usize,
    /// Addresses (IPv6, and separately IPv4) kept per device at most: the ones seen
    /// longest ago go first (privacy addresses churn; a forger may claim thousands).
    pub max_addresses_per_device: usize,
}

impl Default for Limits {
    /// 256 new devices per interface per scan, 64 addresses per device.
    fn default() -> Self {
        Limits {
            max_new_devices_per_iface: 256,
            max_addresses_per_device: 64,
        }
    }
}

/// What one [`Inventory::record`] call did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Devices added.
    pub new_devices: usize,
    /// Known devices updated.
    pub updated: usize,
    /// New devices not added because their interface reached
    /// [`Limits::max_new_devices_per_iface`] in this call.
    pub dropped_over_limit: usize,
}

#[cfg(test)]
mod fixture;

#[cfg(test)]
#[path = "inventory_tests.rs"]
mod tests;
