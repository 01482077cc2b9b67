//! Shared pieces of the inventory's tests: temporary files, sightings, times.

use super::{AddrSighting, IfaceKey, Inventory, Limits, Sighting};
use crate::mac::Mac;
use crate::model::{IidKind, SeenBy};
use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A fresh temporary directory (removed when dropped) and the inventory path inside it.
pub fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir
        .path()
        .join("state")
        .join("v6scout")
        .join("inventory.sqlite3");
    (dir, path)
}

/// A time `s` seconds (and `ms` milliseconds) after 2024-01-01.
pub fn t(s: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_067_200 + s)
}

/// A universally administered MAC numbered `n`.
pub fn mac(n: u32) -> Mac {
    let b = n.to_be_bytes();
    Mac([0x00, 0x1b, b[0], b[1], b[2], b[3]])
}

/// The interface `name` with MAC `m`.
pub fn iface(name: &str, m: Option<u32>) -> IfaceKey {
    IfaceKey {
        name: name.to_string(),
        mac: m.map(|n| Mac([0x02, 0xee, 0, 0, 0, n as u8])),
    }
}

/// `fe80::N` style link-local address `n` of device `d`.
pub fn addr(d: u32, n: u32) -> Ipv6Addr {
    Ipv6Addr::new(0xfe80, 0, 0, 0, 0, d as u16, (d >> 16) as u16, n as u16)
}

/// Device `d` on `key` with addresses `addrs` (numbers for [`addr`]), seen by echo.
pub fn sighting(key: &IfaceKey, d: u32, addrs: &[u32]) -> Sighting {
    Sighting {
        iface: key.clone(),
        mac: mac(d),
        vendor: Some("Acme Corp".to_string()),
        names: Vec::new(),
        router: false,
        addresses: addrs
            .iter()
            .map(|n| AddrSighting {
                address: addr(d, *n),
                seen_by: vec![SeenBy::Echo],
                iid: IidKind::Temporary,
            })
            .collect(),
        ipv4: Vec::new(),
        advert: None,
    }
}

/// Limits that never get in the way.
pub fn roomy() -> Limits {
    Limits {
        max_new_devices_per_iface: 100_000,
        max_addresses_per_device: 100_000,
    }
}

/// Opens (creating) the inventory at `path`.
pub fn open(path: &std::path::Path) -> Inventory {
    Inventory::open(path).unwrap_or_else(|e| panic!("open: {e}"))
}

/// True when the tests run as root, which file modes do not stop.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}
