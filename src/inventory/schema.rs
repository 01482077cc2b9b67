//! The schema version in `PRAGMA user_version` and the migrations between versions.
//!
//! Version 0 is an empty file. `MIGRATIONS[n]` turns version `n` into `n + 1`, so
//! version 5 is one more function at the end of the list (and its SQL in `sql.rs`).

use super::sql;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::time::Duration;

/// The schema version this build writes (and the newest it knows).
pub const SCHEMA_VERSION: u32 = 4;

/// One step: from the version before it to the next.
pub(crate) type Migration = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// Every step from an empty file to [`SCHEMA_VERSION`], in order.
pub(crate) const MIGRATIONS: &[Migration] = &[v0_to_v1, v1_to_v2, v2_to_v3, v3_to_v4];

// A version added without its migration (or the reverse) fails the build.
const _: () = assert!(MIGRATIONS.len() == SCHEMA_VERSION as usize);

fn v0_to_v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(sql::SCHEMA_V1)
}

fn v1_to_v2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(sql::SCHEMA_V2)
}

fn v2_to_v3(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(sql::SCHEMA_V3)
}

fn v3_to_v4(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(sql::SCHEMA_V4)
}

/// The first version with the label table.
pub(crate) const LABELS_SINCE: u32 = 3;

/// The first version with the interfaces of other sites.
pub(crate) const SITES_SINCE: u32 = 4;

/// How long a statement waits for another process's lock before it gives up with
/// `SQLITE_BUSY` (a scan's write takes milliseconds).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// What the file held when it was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// The version we know (possibly just migrated to it).
    Current,
    /// A version newer than the migrations know: read it, never write it.
    Newer(u32),
}

/// The file's schema version. A negative `user_version` (not ours) counts as newer than
/// anything we know.
pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok(u32::try_from(v).unwrap_or(u32::MAX))
}

/// Settings of every read-write connection: the busy timeout, WAL (readers never block the
/// writer, and a killed writer leaves the last committed state), `synchronous = NORMAL`
/// (in WAL mode still consistent after a crash; a power cut may lose the last scans,
/// which the next scan finds again), and foreign keys so deleting a device deletes its
/// addresses.
pub(crate) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        // Only an in-memory database refuses WAL; nothing else reaches here.
        return Err(rusqlite::Error::InvalidQuery);
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)
}

/// Brings the file to `migrations.len()` in one transaction, if it is older. Another
/// process may be migrating the same file: the version is read again under the write
/// lock, so each step runs once.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[Migration]) -> rusqlite::Result<Found> {
    let target = u32::try_from(migrations.len()).unwrap_or(u32::MAX);
    let seen = user_version(conn)?;
    if seen == target {
        return Ok(Found::Current);
    }
    if seen > target {
        return Ok(Found::Newer(seen));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let from = user_version(&tx)?;
    if from > target {
        return Ok(Found::Newer(from));
    }
    for step in migrations.iter().skip(from as usize) {
        step(&tx)?;
    }
    tx.pragma_update(None, "user_version", target)?;
    tx.commit()?;
    Ok(Found::Current)
}
