//! Reading the inventory: what the next scan re-solicits, what history and resolve show,
//! what watch compares against.

use super::codec::{
    addr_from, from_ms, iid_from, mac_blob, mac_from, names_from, preference_from, prefixes_from,
    seen_by_from,
};
use super::error::InventoryError;
use super::{sql, Device, IfaceKey, Inventory, KnownAddr};
use crate::health::{Known, KnownAdvert, KnownRouter};
use crate::mac::Mac;
use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension, Row, ToSql};
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::SystemTime;

impl Inventory {
    /// Addresses of devices on interface `iface` last seen since `since`, newest first,
    /// at most `limit` (what the next scan asks again). An unknown interface has none.
    pub fn recall(
        &self,
        iface: &IfaceKey,
        since: SystemTime,
        limit: usize,
    ) -> Result<Vec<Ipv6Addr>, InventoryError> {
        let since = Value::Integer(super::codec::to_ms(since));
        self.iface_addresses(iface, sql::RECALL, since, limit)
    }

    /// The addresses device `mac` had on interface `iface`, newest first, at most `limit`
    /// (where a search for it looks first). An unknown device has none.
    pub fn device_recall(
        &self,
        iface: &IfaceKey,
        mac: Mac,
        limit: usize,
    ) -> Result<Vec<Ipv6Addr>, InventoryError> {
        self.iface_addresses(iface, sql::DEVICE_RECALL, Value::Blob(mac_blob(mac)), limit)
    }

    /// The addresses `query` selects on interface `iface`: its parameters are the
    /// interface's id, `arg` and `limit`; it selects one address blob per row.
    fn iface_addresses(
        &self,
        iface: &IfaceKey,
        query: &str,
        arg: Value,
        limit: usize,
    ) -> Result<Vec<Ipv6Addr>, InventoryError> {
        let run = || -> rusqlite::Result<Vec<Ipv6Addr>> {
            let Some(id) = self.iface_id(iface)? else {
                return Ok(Vec::new());
            };
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let mut stmt = self.conn.prepare_cached(query)?;
            let rows = stmt.query_map(params![id, arg, limit], |r| r.get::<_, Vec<u8>>(0))?;
            let mut out = Vec::new();
            for r in rows {
                out.extend(addr_from(&r?));
            }
            Ok(out)
        };
        run().map_err(|e| self.err(&e))
    }

    /// Every device, most recently seen first; with `since`, only those last seen since
    /// then.
    pub fn devices(&self, since: Option<SystemTime>) -> Result<Vec<Device>, InventoryError> {
        let since = since.map_or(i64::MIN, super::codec::to_ms);
        self.load(sql::DEVICES, &since).map_err(|e| self.err(&e))
    }

    /// SQLite's own check of the whole file (`PRAGMA integrity_check`): true when sound.
    pub fn integrity_ok(&self) -> Result<bool, InventoryError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            .map(|s| s == "ok")
            .map_err(|e| self.err(&e))
    }

    /// The devices that had IPv4 address `addr`, the one that had it last first.
    pub fn by_ipv4(&self, addr: Ipv4Addr) -> Result<Vec<Device>, InventoryError> {
        self.load(sql::DEVICES_BY_IPV4, &u32::from(addr))
            .map_err(|e| self.err(&e))
    }

    /// When device `mac` on interface `iface` was last seen, or `None` if it never was
    /// (for watch: a new device, or one returning).
    pub fn last_seen(
        &self,
        iface: &IfaceKey,
        mac: Mac,
    ) -> Result<Option<SystemTime>, InventoryError> {
        let run = || -> rusqlite::Result<Option<SystemTime>> {
            let Some(id) = self.iface_id(iface)? else {
                return Ok(None);
            };
            let ms: Option<i64> = self
                .conn
                .prepare_cached(sql::LAST_SEEN)?
                .query_row(params![id, mac_blob(mac)], |r| r.get(0))
                .optional()?;
            Ok(ms.map(from_ms))
        };
        run().map_err(|e| self.err(&e))
    }

    fn err(&self, e: &rusqlite::Error) -> InventoryError {
        InventoryError::sqlite(self.path(), e)
    }

    /// The devices `query` (one parameter) selects, with their addresses. Reads run in
    /// one transaction so a concurrent writer cannot tear a device from its addresses.
    fn load(&self, query: &str, param: &dyn ToSql) -> rusqlite::Result<Vec<Device>> {
        let tx = self.conn.unchecked_transaction()?;
        let mut heads = Vec::new();
        {
            let mut stmt = tx.prepare_cached(query)?;
            let rows = stmt.query_map([param], device_row)?;
            for r in rows {
                heads.extend(r?);
            }
        }
        let mut out = Vec::with_capacity(heads.len());
        for (id, mut d) in heads {
            let mut stmt = tx.prepare_cached(sql::DEVICE_ADDRESSES)?;
            for a in stmt.query_map([id], known_addr)? {
                d.addresses.extend(a?);
            }
            let mut stmt = tx.prepare_cached(sql::DEVICE_IPV4)?;
            let v4 = stmt.query_map([id], |r| {
                let a: i64 = r.get(0)?;
                let t: i64 = r.get(1)?;
                Ok(u32::try_from(a)
                    .ok()
                    .map(|a| (Ipv4Addr::from(a), from_ms(t))))
            })?;
            for a in v4 {
                d.ipv4.extend(a?);
            }
            out.push((id, d));
        }
        tx.finish()?;
        Ok(out.into_iter().map(|(_, d)| d).collect())
    }
}

/// A device row (see `sql::device_columns!`) with no addresses yet; `None` for a row whose
/// MACs are damaged.
fn device_row(r: &Row<'_>) -> rusqlite::Result<Option<(i64, Device)>> {
    let iface_mac: Option<Vec<u8>> = r.get(2)?;
    let mac: Vec<u8> = r.get(3)?;
    let names: String = r.get(5)?;
    let Some(mac) = mac_from(&mac) else {
        return Ok(None);
    };
    let iface_mac = match iface_mac {
        None => None,
        Some(b) => match mac_from(&b) {
            Some(m) => Some(m),
            None => return Ok(None),
        },
    };
    Ok(Some((
        r.get(0)?,
        Device {
            iface: IfaceKey {
                name: r.get(1)?,
                mac: iface_mac,
            },
            mac,
            vendor: r.get(4)?,
            names: names_from(&names),
            router: r.get(6)?,
            first_seen: from_ms(r.get(7)?),
            last_seen: from_ms(r.get(8)?),
            addresses: Vec::new(),
            ipv4: Vec::new(),
            label: r.get(9)?,
            site: r.get(10)?,
        },
    )))
}

fn known_addr(r: &Row<'_>) -> rusqlite::Result<Option<KnownAddr>> {
    let blob: Vec<u8> = r.get(0)?;
    let seen_by: String = r.get(3)?;
    let iid: String = r.get(4)?;
    let first: i64 = r.get(1)?;
    let last: i64 = r.get(2)?;
    Ok(addr_from(&blob).map(|address| KnownAddr {
        address,
        first_seen: from_ms(first),
        last_seen: from_ms(last),
        seen_by: seen_by_from(&seen_by),
        iid: iid_from(&iid),
    }))
}

impl Inventory {
    /// What the link-health alerts need of interface `iface`: whether it was seen before,
    /// its routers with what each last advertised, and the MAC each stored address had
    /// when last seen. An unknown interface is [`Known::default`] (first scan).
    pub fn known(&self, iface: &IfaceKey) -> Result<Known, InventoryError> {
        let run = || -> rusqlite::Result<Known> {
            let Some(id) = self.iface_id(iface)? else {
                return Ok(Known::default());
            };
            let seen_before: bool = self
                .conn
                .prepare_cached(sql::IFACE_HAS_DEVICES)?
                .query_row([id], |r| r.get(0))?;
            let mut stmt = self.conn.prepare_cached(sql::KNOWN_ROUTERS)?;
            let rows = stmt.query_map([id], |r| {
                let mac: Vec<u8> = r.get(0)?;
                let lifetime: Option<u16> = r.get(1)?;
                let pref: Option<String> = r.get(2)?;
                let prefixes: Option<String> = r.get(3)?;
                Ok((mac, lifetime, pref, prefixes))
            })?;
            let mut routers = Vec::new();
            for row in rows {
                let (mac, lifetime, pref, prefixes) = row?;
                let Some(mac) = mac_from(&mac) else { continue };
                let advert = match (lifetime, pref, prefixes) {
                    (Some(lifetime), Some(p), Some(prefixes)) => Some(KnownAdvert {
                        lifetime,
                        preference: preference_from(&p),
                        prefixes: prefixes_from(&prefixes),
                    }),
                    _ => None,
                };
                routers.push(KnownRouter { mac, advert });
            }
            let mut macs = HashMap::new();
            let mut stmt = self.conn.prepare_cached(sql::ADDRESS_MACS)?;
            let rows = stmt.query_map([id], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?;
            for row in rows {
                let (addr, mac) = row?;
                if let (Some(a), Some(m)) = (addr_from(&addr), mac_from(&mac)) {
                    macs.insert(a, m);
                }
            }
            Ok(Known {
                seen_before,
                routers,
                macs,
            })
        };
        run().map_err(|e| self.err(&e))
    }
}
