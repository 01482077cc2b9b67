//! Opening the inventory file and writing to it: every write is one transaction.

use super::codec::{
    addr_blob, mac_blob, merge_names, names_from, names_text, seen_by_text, seen_by_union, to_ms,
};
use super::error::{InventoryError, ReadOnlyReason};
use super::schema::{self, Found, MIGRATIONS, SCHEMA_VERSION};
use super::{sql, IfaceKey, Limits, Recorded, Sighting};
use crate::mac::Mac;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};
use rusqlite::{TransactionBehavior, MAIN_DB};
use std::collections::HashMap;
use std::fs::{self, DirBuilder, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Names kept per device at most (a resolver flood cannot grow a row without bound).
const MAX_NAMES: usize = 16;

/// An open inventory file.
#[derive(Debug)]
pub struct Inventory {
    pub(crate) conn: Connection,
    path: PathBuf,
    read_only: Option<ReadOnlyReason>,
}

impl Inventory {
    /// Opens the inventory at `path` for reading and writing, creating it (mode 0600) and
    /// its missing directories (mode 0700) as needed, and migrating an older schema. A
    /// file written by a newer v6scout is opened read-only instead: [`Inventory::is_read_only`]
    /// is then true, [`Inventory::read_only_reason`] says why (for a warning), writes fail
    /// with [`InventoryError::ReadOnly`] and reads still work. A file or directory we may
    /// not write is [`InventoryError::ReadOnly`].
    pub fn open(path: &Path) -> Result<Inventory, InventoryError> {
        create_file(path)?;
        retry_busy(|| Self::open_once(path))
    }

    fn open_once(path: &Path) -> Result<Inventory, InventoryError> {
        // The file exists and we could open it for writing (create_file): an "unable to
        // open" from SQLite now is the -wal or -shm file beside it that cannot be created,
        // i.e. a directory we may not write.
        let err = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::CannotOpen) => InventoryError::ReadOnly {
                path: path.to_path_buf(),
                reason: ReadOnlyReason::NotWritable,
            },
            _ => InventoryError::sqlite(path, &e),
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(err)?;
        schema::configure(&conn).map_err(err)?;
        // SQLite quietly opens a file it may not write read-only.
        if conn.is_readonly(MAIN_DB).map_err(err)? {
            return Err(InventoryError::ReadOnly {
                path: path.to_path_buf(),
                reason: ReadOnlyReason::NotWritable,
            });
        }
        let read_only = match schema::migrate(&mut conn, MIGRATIONS).map_err(err)? {
            Found::Current => None,
            Found::Newer(found) => {
                // Belt and braces: SQLite itself refuses writes on this connection too.
                conn.pragma_update(None, "query_only", true).map_err(err)?;
                Some(ReadOnlyReason::NewerSchema {
                    found,
                    known: SCHEMA_VERSION,
                })
            }
        };
        Ok(Inventory {
            conn,
            path: path.to_path_buf(),
            read_only,
        })
    }

    /// Opens the inventory at `path` only for reading: it never creates, migrates or
    /// writes anything. A missing file, or an empty one (schema version 0), is
    /// [`InventoryError::NotFound`]: there is nothing recorded yet.
    pub fn open_read_only(path: &Path) -> Result<Inventory, InventoryError> {
        match fs::metadata(path) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(InventoryError::NotFound {
                    path: path.to_path_buf(),
                })
            }
            Err(e) => return Err(InventoryError::io(path, "reading it", &e)),
        }
        let err = |e: rusqlite::Error| InventoryError::sqlite(path, &e);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(err)?;
        conn.busy_timeout(schema::BUSY_TIMEOUT).map_err(err)?;
        let version = retry_busy(|| schema::user_version(&conn).map_err(err))?;
        let reason = match version {
            0 => {
                return Err(InventoryError::NotFound {
                    path: path.to_path_buf(),
                })
            }
            v if v > SCHEMA_VERSION => ReadOnlyReason::NewerSchema {
                found: v,
                known: SCHEMA_VERSION,
            },
            // An older schema than ours needs its migration, a write that `open` does; read
            // as it is, it has no labels or sites yet.
            v => {
                if v < schema::LABELS_SINCE {
                    conn.execute_batch(sql::NO_LABELS_YET).map_err(err)?;
                }
                if v < schema::SITES_SINCE {
                    conn.execute_batch(sql::NO_SITES_YET).map_err(err)?;
                }
                ReadOnlyReason::OpenedReadOnly
            }
        };
        Ok(Inventory {
            conn,
            path: path.to_path_buf(),
            read_only: Some(reason),
        })
    }

    /// True when writes are refused (opened read-only, or a newer schema).
    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// Why writes are refused, if they are: what a caller turns into a warning.
    pub fn read_only_reason(&self) -> Option<&ReadOnlyReason> {
        self.read_only.as_ref()
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records what one scan confirmed, at time `now`, in one transaction: new devices
    /// and addresses are added (at most [`Limits::max_new_devices_per_iface`] new devices
    /// per interface), known ones get `now` as last seen (and their first seen stays, or
    /// moves back if `now` is earlier), how-seen lists grow, names are merged (newest
    /// first), the vendor is replaced when known, the router flag is kept once set. Each
    /// device keeps at most [`Limits::max_addresses_per_device`] addresses of each family,
    /// the most recently seen.
    pub fn record(
        &mut self,
        sightings: &[Sighting],
        now: SystemTime,
        limits: Limits,
    ) -> Result<Recorded, InventoryError> {
        let now = to_ms(now);
        self.write(|tx| record_in(tx, None, sightings, now, limits))
    }

    /// Records what site `site`'s watcher saw (a hub collecting several sites), as
    /// [`Inventory::record`] does, in one transaction and with the same limits, except
    /// that each sighting's interface is the site's: known by `site` and
    /// `sighting.iface.name` (`sighting.iface.mac` is ignored), never one of this
    /// machine's, never another site's. Its devices read back with `site` set.
    pub fn record_site(
        &mut self,
        site: &str,
        sightings: &[Sighting],
        seen: SystemTime,
        limits: Limits,
    ) -> Result<Recorded, InventoryError> {
        let now = to_ms(seen);
        self.write(|tx| record_in(tx, Some(site), sightings, now, limits))
    }

    /// Forgets devices not seen since `older_than` (with their addresses, and the label of
    /// a MAC none of whose devices remains), and the addresses of remaining devices not
    /// seen since then; returns how many devices went.
    pub fn prune(&mut self, older_than: SystemTime) -> Result<usize, InventoryError> {
        let t = to_ms(older_than);
        self.write(|tx| {
            let devices = tx.execute(sql::PRUNE_DEVICES, [t])?;
            tx.execute(sql::PRUNE_ADDRESSES, [t])?;
            tx.execute(sql::PRUNE_IPV4, [t])?;
            tx.execute(sql::PRUNE_INTERFACES, [t])?;
            if devices > 0 {
                tx.execute(sql::PRUNE_LABELS, [])?;
            }
            Ok(devices)
        })
    }

    /// Runs `f` in one write transaction (taking the write lock at its start, so it
    /// waits for other writers instead of failing half-way); a busy file is tried once
    /// more after the busy timeout.
    pub(super) fn write<T>(
        &mut self,
        f: impl Fn(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, InventoryError> {
        if let Some(reason) = &self.read_only {
            return Err(InventoryError::ReadOnly {
                path: self.path.clone(),
                reason: reason.clone(),
            });
        }
        let path = self.path.clone();
        let conn = &mut self.conn;
        retry_busy(|| write_once(conn, &f).map_err(|e| InventoryError::sqlite(&path, &e)))
    }

    /// The row id of this machine's interface `key`, if it is known.
    pub(crate) fn iface_id(&self, key: &IfaceKey) -> rusqlite::Result<Option<i64>> {
        find_iface(&self.conn, IfaceAt::Local(key))
    }
}

fn write_once<T>(
    conn: &mut Connection,
    f: &impl Fn(&Transaction<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// `f`, and once more if it failed with [`InventoryError::Busy`] (the busy timeout was
/// already waited inside it).
fn retry_busy<T>(mut f: impl FnMut() -> Result<T, InventoryError>) -> Result<T, InventoryError> {
    match f() {
        Err(e) if e.is_busy() => f(),
        other => other,
    }
}

/// Creates the file (mode 0600) and its missing directories (0700) if it does not exist,
/// and checks that an existing one is writable. Existing directories are left as they are.
fn create_file(path: &Path) -> Result<(), InventoryError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| InventoryError::io(path, "creating its directory", &e))?;
        }
    }
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(_) => Ok(()),
        // It exists (maybe another process created it this instant): may we write it?
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map(drop)
            .map_err(|e| InventoryError::io(path, "opening it", &e)),
        Err(e) => Err(InventoryError::io(path, "creating it", &e)),
    }
}

/// An interface as one record call knows it: one of this machine's (by its MAC when it
/// has one, else by its name), or a site's (by the site and its name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum IfaceAt<'a> {
    Local(&'a IfaceKey),
    Site { site: &'a str, name: &'a str },
}

impl<'a> IfaceAt<'a> {
    /// Interface `key` of site `site` (`None`: of this machine).
    fn of(site: Option<&'a str>, key: &'a IfaceKey) -> IfaceAt<'a> {
        match site {
            None => IfaceAt::Local(key),
            Some(site) => IfaceAt::Site {
                site,
                name: &key.name,
            },
        }
    }
}

fn find_iface(conn: &Connection, at: IfaceAt<'_>) -> rusqlite::Result<Option<i64>> {
    let id = |query: &str, p: &[&dyn rusqlite::ToSql]| {
        conn.prepare_cached(query)?
            .query_row(p, |r| r.get(0))
            .optional()
    };
    match at {
        IfaceAt::Local(IfaceKey { mac: Some(m), .. }) => id(sql::IFACE_BY_MAC, &[&mac_blob(*m)]),
        IfaceAt::Local(IfaceKey { name, mac: None }) => id(sql::IFACE_BY_NAME, &[name]),
        IfaceAt::Site { site, name } => id(sql::IFACE_BY_SITE, &[&site, &name]),
    }
}

/// The interface's row id, added if new, its name updated if it was renamed.
fn ensure_iface(tx: &Transaction<'_>, at: IfaceAt<'_>, now: i64) -> rusqlite::Result<i64> {
    let (name, mac, site): (&str, Option<Mac>, Option<&str>) = match at {
        IfaceAt::Local(key) => (&key.name, key.mac, None),
        IfaceAt::Site { site, name } => (name, None, Some(site)),
    };
    if let Some(id) = find_iface(tx, at)? {
        tx.prepare_cached(sql::IFACE_TOUCH)?
            .execute(params![id, name, now])?;
        return Ok(id);
    }
    tx.prepare_cached(sql::IFACE_INSERT)?
        .execute(params![name, mac.map(mac_blob), site, now])?;
    Ok(tx.last_insert_rowid())
}

/// Records `sightings` on the interfaces of `site` (`None`: this machine's).
fn record_in(
    tx: &Transaction<'_>,
    site: Option<&str>,
    sightings: &[Sighting],
    now: i64,
    limits: Limits,
) -> rusqlite::Result<Recorded> {
    let mut out = Recorded::default();
    // Per interface: its row id and the devices added to it in this call.
    let mut ifaces: HashMap<IfaceAt<'_>, (i64, usize)> = HashMap::new();
    for s in sightings {
        let at = IfaceAt::of(site, &s.iface);
        let (iface_id, added) = match ifaces.get(&at) {
            Some(v) => *v,
            None => (ensure_iface(tx, at, now)?, 0),
        };
        let existing: Option<(i64, String)> = tx
            .prepare_cached(sql::DEVICE_GET)?
            .query_row(params![iface_id, mac_blob(s.mac)], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let device_id = match existing {
            Some((id, names)) => {
                let names = merge_names(&names_from(&names), &s.names, MAX_NAMES);
                tx.prepare_cached(sql::DEVICE_UPDATE)?.execute(params![
                    id,
                    s.vendor,
                    names_text(&names),
                    s.router,
                    now
                ])?;
                out.updated += 1;
                ifaces.insert(at, (iface_id, added));
                id
            }
            None if added >= limits.max_new_devices_per_iface => {
                out.dropped_over_limit += 1;
                ifaces.insert(at, (iface_id, added));
                continue;
            }
            None => {
                let names = merge_names(&[], &s.names, MAX_NAMES);
                tx.prepare_cached(sql::DEVICE_INSERT)?.execute(params![
                    iface_id,
                    mac_blob(s.mac),
                    s.vendor,
                    names_text(&names),
                    s.router,
                    now
                ])?;
                out.new_devices += 1;
                ifaces.insert(at, (iface_id, added + 1));
                tx.last_insert_rowid()
            }
        };
        record_details(tx, device_id, s, now, limits)?;
    }
    Ok(out)
}

/// A recorded device's addresses (at most [`Limits::max_addresses_per_device`] of each
/// family kept) and what it advertised.
fn record_details(
    tx: &Transaction<'_>,
    device_id: i64,
    s: &Sighting,
    now: i64,
    limits: Limits,
) -> rusqlite::Result<()> {
    let keep = i64::try_from(limits.max_addresses_per_device).unwrap_or(i64::MAX);
    for a in &s.addresses {
        let blob = addr_blob(a.address);
        let old: Option<String> = tx
            .prepare_cached(sql::ADDR_GET)?
            .query_row(params![device_id, blob], |r| r.get(0))
            .optional()?;
        let (stmt, seen_by) = match old {
            Some(old) => (sql::ADDR_UPDATE, seen_by_union(&old, &a.seen_by)),
            None => (sql::ADDR_INSERT, seen_by_text(&a.seen_by)),
        };
        tx.prepare_cached(stmt)?
            .execute(params![device_id, blob, now, seen_by, a.iid.as_str()])?;
    }
    for v4 in &s.ipv4 {
        tx.prepare_cached(sql::IPV4_UPSERT)?
            .execute(params![device_id, u32::from(*v4), now])?;
    }
    if let Some(a) = &s.advert {
        tx.prepare_cached(sql::ADVERT_UPSERT)?.execute(params![
            device_id,
            a.lifetime,
            a.preference.as_str(),
            super::codec::prefixes_text(&a.prefixes),
            now
        ])?;
    }
    if !s.addresses.is_empty() {
        tx.prepare_cached(sql::ADDR_TRIM)?
            .execute(params![device_id, keep])?;
    }
    if !s.ipv4.is_empty() {
        tx.prepare_cached(sql::IPV4_TRIM)?
            .execute(params![device_id, keep])?;
    }
    Ok(())
}
