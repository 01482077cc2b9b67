//! The inventory's pure pieces: what of a report is recorded, where the file is, which
//! stored devices a query or a site selects. No I/O.

use super::{AddrSighting, Device, IfaceKey, Sighting};
use crate::health::KnownAdvert;
use crate::mac::Mac;
use crate::model::confirmed;
use crate::query::{same_label, same_name, Query, WordHit};
use crate::report::Report;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The file's name inside the state directory.
const FILE_NAME: &str = "inventory.sqlite3";

/// The confirmed devices of a finished scan: one [`Sighting`] per interface and MAC, in
/// report order, with every live address of that MAC (rows that are ours, stale cache
/// entries, rows without a MAC, and rows that answered nothing — known only from their
/// own unsolicited advertisements or solicitations, which anyone can forge by the
/// thousand — are not confirmed devices), its vendor's name, names,
/// router flag and IPv4 addresses, and what each router advertised. Hosts seen only over IPv4 (ARP) are devices too: a
/// sighting with no IPv6 address. Group or all-zero MACs (never a host) are left out.
pub fn sightings(report: &Report) -> Vec<Sighting> {
    let mut out: Vec<Sighting> = Vec::new();
    for iface in &report.interfaces {
        let key = IfaceKey {
            name: iface.name.clone(),
            mac: iface.mac,
        };
        let first = out.len();
        let rows = iface
            .prefixes
            .iter()
            .flat_map(|p| &p.hosts)
            .filter(|h| !h.is_self && !h.stale && confirmed(&h.seen_by));
        for h in rows {
            let Some(mac) = h.mac.filter(|m| m.is_host()) else {
                continue;
            };
            let at = slot(&mut out, first, &key, mac);
            let s = &mut out[at];
            if s.vendor.is_none() {
                s.vendor = h.vendor.name().map(str::to_string);
            }
            for n in &h.names {
                if !s.names.contains(n) {
                    s.names.push(n.clone());
                }
            }
            s.router |= h.router;
            for v4 in &h.ipv4 {
                if !s.ipv4.contains(v4) {
                    s.ipv4.push(*v4);
                }
            }
            match s.addresses.iter_mut().find(|a| a.address == h.address) {
                Some(a) => {
                    a.seen_by.extend(&h.seen_by);
                    a.seen_by.sort_unstable();
                    a.seen_by.dedup();
                }
                None => s.addresses.push(AddrSighting {
                    address: h.address,
                    seen_by: h.seen_by.clone(),
                    iid: h.iid,
                }),
            }
        }
        // A router's advertisement goes to its device only when that device is confirmed:
        // anyone can advertise from a thousand forged sources.
        for r in &iface.routers {
            let Some(mac) = r.mac.filter(|m| m.is_host()) else {
                continue;
            };
            let Some(at) = existing(&out, first, mac) else {
                continue;
            };
            out[at].router = true;
            out[at].advert = Some(KnownAdvert::of(r));
        }
        for h in &iface.ipv4_only {
            if !h.mac.is_host() {
                continue;
            }
            let at = slot(&mut out, first, &key, h.mac);
            let s = &mut out[at];
            if s.vendor.is_none() {
                s.vendor = h.vendor.name().map(str::to_string);
            }
            if !s.ipv4.contains(&h.addr) {
                s.ipv4.push(h.addr);
            }
        }
    }
    out
}

/// The index of the sighting of `mac` among the interface's (from `first` on), if any.
fn existing(out: &[Sighting], first: usize, mac: Mac) -> Option<usize> {
    out[first..]
        .iter()
        .position(|s| s.mac == mac)
        .map(|i| first + i)
}

/// The index of the sighting of `mac` on interface `key` (whose sightings start at
/// `first`), added empty if there is none yet.
fn slot(out: &mut Vec<Sighting>, first: usize, key: &IfaceKey, mac: Mac) -> usize {
    if let Some(i) = existing(out, first, mac) {
        return i;
    }
    out.push(Sighting {
        iface: key.clone(),
        mac,
        vendor: None,
        names: Vec::new(),
        router: false,
        addresses: Vec::new(),
        ipv4: Vec::new(),
        advert: None,
    });
    out.len() - 1
}

/// Where the inventory is, in order: `explicit` (a command-line path); else the
/// `V6SCOUT_INVENTORY` value `env_inventory` (`off` turns the inventory off; an empty value
/// counts as unset); else `$XDG_STATE_HOME/v6scout/inventory.sqlite3` (only an absolute
/// `XDG_STATE_HOME`, as the XDG spec says); else `HOME/.local/state/v6scout/inventory.sqlite3`.
/// `None`: no inventory (turned off, or no home to put it in). Takes the values as
/// arguments and reads no environment.
pub fn default_path(
    explicit: Option<&Path>,
    env_inventory: Option<&OsStr>,
    xdg_state_home: Option<&OsStr>,
    home: Option<&Path>,
) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    match env_inventory.filter(|v| !v.is_empty()) {
        Some(v) if v == "off" => return None,
        Some(v) => return Some(PathBuf::from(v)),
        None => {}
    }
    let state = xdg_state_home
        .map(Path::new)
        .filter(|p| p.is_absolute())
        .map(Path::to_path_buf)
        .or_else(|| {
            home.filter(|h| !h.as_os_str().is_empty())
                .map(|h| h.join(".local").join("state"))
        })?;
    Some(state.join("v6scout").join(FILE_NAME))
}

/// The devices `query` selects, in the order given, as `query::find` selects hosts of a
/// report: a full MAC or MAC prefix matches the device's MAC; an address (with an
/// optional zone: the interface's name — a numeric zone cannot be checked against stored
/// devices and matches any interface) or a prefix matches any of its addresses; a word
/// matches the device labelled so (ignoring case; every interface's row of its MAC), else
/// the devices carrying it as a name (ignoring case and `.local`) or, when no device has
/// that name, those whose vendor contains it (ignoring case).
pub fn matching<'a>(devices: &'a [Device], query: &Query) -> Vec<&'a Device> {
    let hit = match query {
        Query::Word(w) => WordHit::of(
            w,
            devices.iter().filter_map(|d| d.label.as_deref()),
            devices
                .iter()
                .flat_map(|d| d.names.iter().map(String::as_str)),
        ),
        _ => WordHit::Vendor,
    };
    devices.iter().filter(|d| matches(d, query, hit)).collect()
}

/// The devices seen at site `site` (its name exactly; see [`Inventory::record_site`]), in
/// the order given; this machine's own devices are no site's.
///
/// [`Inventory::record_site`]: super::Inventory::record_site
pub fn at_site<'a>(devices: &'a [Device], site: &str) -> Vec<&'a Device> {
    devices
        .iter()
        .filter(|d| d.site.as_deref() == Some(site))
        .collect()
}

fn matches(d: &Device, query: &Query, hit: WordHit) -> bool {
    match query {
        Query::Mac(m) => d.mac == *m,
        Query::MacPrefix(p) => mac_starts_with(d.mac, p),
        Query::Address(a, zone) => {
            d.addresses.iter().any(|k| k.address == *a)
                && zone
                    .as_deref()
                    .is_none_or(|z| z == d.iface.name || z.parse::<u32>().is_ok())
        }
        Query::Prefix(p) => d.addresses.iter().any(|k| p.contains(k.address)),
        Query::Ipv4(a) => d.ipv4.iter().any(|(v4, _)| v4 == a),
        Query::Word(w) => match hit {
            WordHit::Label => d.label.as_deref().is_some_and(|l| same_label(l, w)),
            WordHit::Name => d.names.iter().any(|n| same_name(n, w)),
            WordHit::Vendor => {
                let w = w.trim().to_lowercase();
                d.vendor
                    .as_deref()
                    .is_some_and(|v| v.to_lowercase().contains(&w))
            }
        },
    }
}

fn mac_starts_with(m: Mac, nibbles: &[u8]) -> bool {
    let all = m.0.iter().flat_map(|b| [b >> 4, b & 0xf]);
    nibbles.len() <= 12 && all.zip(nibbles).all(|(a, b)| a == *b)
}
