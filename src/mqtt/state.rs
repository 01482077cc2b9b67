//! A device's state, the retained message of `v6scout/<site>/<interface>/<mac>`: one type
//! that the watch writes and the hub reads back.

use crate::inventory::{AddrSighting, IfaceKey, Sighting};
use crate::mac::Mac;
use crate::model::{scoped, IidKind, SeenBy};
use crate::oui;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::SystemTime;

/// The version of the state object; an incompatible change bumps it.
pub const VERSION: u32 = 1;

/// Most addresses of each family a state carries (as many as the inventory keeps).
pub const MAX_ADDRESSES: usize = 64;

/// Most names a state carries.
pub const MAX_NAMES: usize = 8;

/// One IPv6 address of a device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateAddr {
    /// The address.
    pub address: Ipv6Addr,
    /// As `ssh` takes it: `fe80::…%eth0` for link-local, else the address.
    pub scoped: String,
    /// How it was seen (`echo`, `param-problem`, `ndp`, …), in display order.
    pub seen_by: Vec<String>,
}

/// A device (a MAC on an interface of a site) as its watch last saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceState {
    /// [`VERSION`].
    pub v: u32,
    /// The site of the watch.
    pub site: String,
    /// The interface it answers on.
    pub interface: String,
    /// Its MAC, `b8:27:eb:12:34:56`.
    pub mac: String,
    /// Seen in the watch's latest rounds (false once reported gone).
    pub present: bool,
    /// The registered vendor of the MAC, or null.
    pub vendor: Option<String>,
    /// The MAC is locally administered.
    pub private_mac: bool,
    /// It is a router.
    pub router: bool,
    /// The name the admin gave it (`v6scout label`), or null.
    pub label: Option<String>,
    /// Host names found for it (mDNS, reverse DNS).
    pub names: Vec<String>,
    /// Its IPv6 addresses, with how each was seen.
    pub addresses: Vec<StateAddr>,
    /// Its IPv4 addresses.
    pub ipv4: Vec<Ipv4Addr>,
    /// When it was last seen, RFC 3339 UTC with milliseconds.
    pub last_seen: String,
}

/// RFC 3339 UTC with milliseconds.
pub fn stamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

impl DeviceState {
    /// The state of a device a scan at `seen` confirmed, labelled `label`.
    pub fn present(site: &str, s: &Sighting, label: Option<&str>, seen: SystemTime) -> Self {
        let mut addresses: Vec<StateAddr> = (s.addresses.iter().take(MAX_ADDRESSES))
            .map(|a| StateAddr {
                address: a.address,
                scoped: scoped(a.address, &s.iface.name),
                seen_by: a.seen_by.iter().map(|b| b.as_str().to_owned()).collect(),
            })
            .collect();
        addresses.sort_by_key(|a| a.address);
        let mut ipv4: Vec<Ipv4Addr> = s.ipv4.iter().take(MAX_ADDRESSES).copied().collect();
        ipv4.sort_unstable();
        DeviceState {
            v: VERSION,
            site: site.to_owned(),
            interface: s.iface.name.clone(),
            mac: s.mac.to_string(),
            present: true,
            vendor: s.vendor.clone(),
            private_mac: oui::lookup(s.mac).is_private(),
            router: s.router,
            label: label.map(str::to_owned),
            names: s.names.iter().take(MAX_NAMES).cloned().collect(),
            addresses,
            ipv4,
            last_seen: stamp(seen),
        }
    }

    /// The same device facts, but perhaps for when it was last seen and how each address
    /// was seen this time (which vary from round to round): nothing worth publishing.
    pub fn same_facts(&self, o: &DeviceState) -> bool {
        let facts = |s: &DeviceState| DeviceState {
            last_seen: String::new(),
            addresses: (s.addresses.iter())
                .map(|a| StateAddr {
                    seen_by: Vec::new(),
                    ..a.clone()
                })
                .collect(),
            ..s.clone()
        };
        facts(self) == facts(o)
    }

    /// Makes its addresses `tracked` (the watch's, sorted; at most [`MAX_ADDRESSES`]): how
    /// each was seen comes from this sighting, else from `before`, the state published
    /// last.
    pub fn keep_addresses(
        &mut self,
        tracked: &[Ipv6Addr],
        iface: &str,
        before: Option<&DeviceState>,
    ) {
        let seen_now = std::mem::take(&mut self.addresses);
        let earlier = before.map_or(&[][..], |b| &b.addresses[..]);
        self.addresses = (tracked.iter().take(MAX_ADDRESSES))
            .map(|a| {
                let seen_by = (seen_now.iter().chain(earlier))
                    .find(|s| s.address == *a)
                    .map(|s| s.seen_by.clone())
                    .unwrap_or_default();
                StateAddr {
                    address: *a,
                    scoped: scoped(*a, iface),
                    seen_by,
                }
            })
            .collect();
    }

    /// The JSON payload.
    pub fn to_json(&self) -> String {
        // Strings, numbers, booleans and lists of them: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// What a hub records of it: a sighting on interface `interface` (no interface MAC:
    /// a remote one is known by its site and name), the label first among its names.
    /// Names of how-seen this version does not know are skipped.
    pub fn sighting(&self, mac: Mac) -> Sighting {
        let mut names: Vec<String> = self.label.iter().cloned().collect();
        for n in &self.names {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        Sighting {
            iface: IfaceKey {
                name: self.interface.clone(),
                mac: None,
            },
            mac,
            vendor: self.vendor.clone(),
            names,
            router: self.router,
            addresses: (self.addresses.iter())
                .map(|a| AddrSighting {
                    address: a.address,
                    seen_by: seen_by(&a.seen_by),
                    iid: IidKind::of(a.address, Some(mac)),
                })
                .collect(),
            ipv4: self.ipv4.clone(),
            advert: None,
        }
    }
}

/// The how-seen kinds named in `names` that this version knows, in display order.
fn seen_by(names: &[String]) -> Vec<SeenBy> {
    let mut v: Vec<SeenBy> = names.iter().filter_map(|n| SeenBy::from_name(n)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
