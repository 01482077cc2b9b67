//! Network interfaces as plain data, and the choice of which ones to scan.

use crate::mac::Mac;
use crate::model::{is_link_local, Ipv6Prefix};
use std::fmt;
use std::net::Ipv6Addr;

/// One IPv6 address configured on an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IfAddr {
    /// The address.
    pub addr: Ipv6Addr,
    /// Its on-link prefix length.
    pub prefix_len: u8,
}

impl IfAddr {
    /// The on-link prefix this address lives in.
    pub fn prefix(&self) -> Ipv6Prefix {
        Ipv6Prefix::new(self.addr, self.prefix_len)
    }
}

/// An interface as the rest of the program sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// Kernel name, e.g. `eth0`.
    pub name: String,
    /// Kernel index (the scope id of link-local addresses).
    pub index: u32,
    /// Hardware address, if it has one.
    pub mac: Option<Mac>,
    /// Administratively up.
    pub up: bool,
    /// Supports multicast.
    pub multicast: bool,
    /// A loopback device.
    pub loopback: bool,
    /// Its IPv6 addresses.
    pub addrs: Vec<IfAddr>,
}

impl Interface {
    /// Its first link-local address, the source of link-scope probes.
    pub fn link_local(&self) -> Option<Ipv6Addr> {
        self.addrs
            .iter()
            .map(|a| a.addr)
            .find(|a| is_link_local(*a))
    }

    /// Why this interface cannot be scanned, or `None` if it can.
    pub fn unusable_reason(&self) -> Option<Unusable> {
        if self.loopback {
            Some(Unusable::Loopback)
        } else if !self.up {
            Some(Unusable::Down)
        } else if !self.multicast {
            Some(Unusable::NoMulticast)
        } else if self.link_local().is_none() {
            Some(Unusable::NoLinkLocal)
        } else {
            None
        }
    }
}

/// Why an interface is not scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// Loopback has no neighbours.
    Loopback,
    /// Not up.
    Down,
    /// Cannot send multicast (point-to-point tunnels and the like).
    NoMulticast,
    /// No IPv6 link-local address (IPv6 disabled, or not configured yet).
    NoLinkLocal,
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unusable::Loopback => "it is a loopback interface",
            Unusable::Down => "it is down (bring it up with `ip link set IFACE up`)",
            Unusable::NoMulticast => "it does not support multicast",
            Unusable::NoLinkLocal => "it has no IPv6 link-local address (is IPv6 disabled on it?)",
        })
    }
}

/// The interfaces to scan, and the requested ones that were left out with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Interfaces to scan, in the order given (or the system's order).
    pub scan: Vec<Interface>,
    /// Requested interfaces that cannot be scanned.
    pub skipped: Vec<(String, Unusable)>,
}

/// Why no scan can happen at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectError {
    /// A requested name is not an interface of this system.
    Unknown {
        /// The requested name.
        name: String,
        /// The names that exist and can be scanned.
        valid: Vec<String>,
    },
    /// Nothing is left to scan.
    NoneUsable {
        /// Each candidate and why it was left out.
        skipped: Vec<(String, Unusable)>,
    },
}

impl fmt::Display for SelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectError::Unknown { name, valid } if valid.is_empty() => write!(
                f,
                "no interface named '{name}', and no interface here can be scanned"
            ),
            SelectError::Unknown { name, valid } => write!(
                f,
                "no interface named '{name}'; interfaces that can be scanned: {}",
                valid.join(", ")
            ),
            SelectError::NoneUsable { skipped } if skipped.is_empty() => {
                f.write_str("no interface that is up, multicast-capable and has IPv6")
            }
            SelectError::NoneUsable { skipped } => {
                f.write_str("no interface can be scanned:")?;
                for (name, why) in skipped {
                    write!(f, "\n  {name}: {why}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for SelectError {}

/// How the usable interfaces changed between two listings (a docked laptop, a USB
/// adapter plugged in or pulled).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Usable now, not before (sorted).
    pub appeared: Vec<String>,
    /// Usable before, not now (sorted).
    pub vanished: Vec<String>,
}

/// An interface as a watch follows it: its name and index (an adapter plugged back in
/// gets a new index, and the old one's sockets are dead).
pub type IfaceId = (String, u32);

/// The interfaces a scan of every interface would use, sorted by name.
pub fn usable_ids(all: &[Interface]) -> Vec<IfaceId> {
    let mut v: Vec<IfaceId> = all
        .iter()
        .filter(|i| i.unusable_reason().is_none())
        .map(|i| (i.name.clone(), i.index))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// What changed from `before` to `now` (any order). An interface whose index changed
/// (unplugged and plugged back between two listings) vanished and appeared.
pub fn changes(before: &[IfaceId], now: &[IfaceId]) -> Changes {
    let names = |a: &[IfaceId], b: &[IfaceId]| -> Vec<String> {
        a.iter()
            .filter(|i| !b.contains(i))
            .map(|(n, _)| n.clone())
            .collect()
    };
    let mut c = Changes {
        appeared: names(now, before),
        vanished: names(before, now),
    };
    c.appeared.sort();
    c.vanished.sort();
    c
}

/// Chooses the interfaces to scan: the requested ones, or every usable one when none is
/// requested. Requested but unusable interfaces are reported in `skipped`; the scan goes
/// on with the rest and fails only when nothing is left.
pub fn select(all: &[Interface], requested: &[String]) -> Result<Selection, SelectError> {
    let valid = || {
        all.iter()
            .filter(|i| i.unusable_reason().is_none())
            .map(|i| i.name.clone())
            .collect::<Vec<_>>()
    };
    let mut scan = Vec::new();
    let mut skipped = Vec::new();
    if requested.is_empty() {
        scan.extend(
            all.iter()
                .filter(|i| i.unusable_reason().is_none())
                .cloned(),
        );
    } else {
        for name in requested {
            let Some(iface) = all.iter().find(|i| &i.name == name) else {
                return Err(SelectError::Unknown {
                    name: name.clone(),
                    valid: valid(),
                });
            };
            if scan.iter().any(|i: &Interface| i.index == iface.index) {
                continue;
            }
            match iface.unusable_reason() {
                None => scan.push(iface.clone()),
                Some(why) => skipped.push((name.clone(), why)),
            }
        }
    }
    if scan.is_empty() {
        return Err(SelectError::NoneUsable { skipped });
    }
    Ok(Selection { scan, skipped })
}

#[cfg(test)]
#[path = "iface_tests.rs"]
mod tests;
