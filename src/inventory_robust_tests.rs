use super::fixture::*;
use super::*;
use rusqlite::ffi;
use rusqlite::{Connection, OpenFlags};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A file with a few hundred devices on it (several pages of every table).
fn filled(path: &Path) {
    let mut inv = open(path);
    let eth = iface("eth0", Some(1));
    let s: Vec<Sighting> = (0..300).map(|d| sighting(&eth, d, &[1, 2, 3])).collect();
    inv.record(&s, t(0), roomy()).unwrap();
}

fn says_what_to_do(e: &InventoryError) {
    let text = e.to_string();
    assert!(!text.contains("os error"), "{text}");
    assert!(!text.contains('\n'), "{text}");
    assert!(text.contains(&e.path().display().to_string()), "{text}");
}

#[test]
fn a_newer_schema_is_read_but_never_written() {
    let (_dir, path) = temp();
    filled(&path);
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 7)
        .unwrap();
    let mut inv = open(&path);
    assert!(inv.is_read_only());
    let newer = ReadOnlyReason::NewerSchema {
        found: 7,
        known: SCHEMA_VERSION,
    };
    assert_eq!(inv.read_only_reason(), Some(&newer));
    assert_eq!(inv.devices(None).unwrap().len(), 300, "reads still work");
    let e = inv
        .record(
            &[sighting(&iface("eth0", Some(1)), 1000, &[1])],
            t(9),
            roomy(),
        )
        .unwrap_err();
    assert!(
        matches!(&e, InventoryError::ReadOnly { reason, .. } if *reason == newer),
        "{e:?}"
    );
    assert!(e.to_string().contains("newer v6scout (schema 7"), "{e}");
    says_what_to_do(&e);
    assert!(matches!(
        inv.prune(t(99)),
        Err(InventoryError::ReadOnly { .. })
    ));
    // SQLite itself refuses writes on that connection as well.
    assert!(inv.conn.execute("DELETE FROM device", []).is_err());
    drop(inv);
    let ro = Inventory::open_read_only(&path).unwrap();
    assert_eq!(ro.read_only_reason(), Some(&newer));
    let check = Connection::open(&path).unwrap();
    let v: i64 = check
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 7, "the newer version is left as it is");
}

#[test]
fn a_read_only_open_never_creates_and_never_writes() {
    let (dir, path) = temp();
    let e = Inventory::open_read_only(&path).unwrap_err();
    assert!(matches!(e, InventoryError::NotFound { .. }), "{e:?}");
    says_what_to_do(&e);
    assert!(!path.parent().unwrap().exists(), "nothing created");
    let empty = dir.path().join("empty.sqlite3");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        Inventory::open_read_only(&empty),
        Err(InventoryError::NotFound { .. })
    ));
    filled(&path);
    let mut ro = Inventory::open_read_only(&path).unwrap();
    assert_eq!(ro.read_only_reason(), Some(&ReadOnlyReason::OpenedReadOnly));
    assert_eq!(ro.devices(None).unwrap().len(), 300);
    let e = ro.prune(t(100)).unwrap_err();
    assert!(matches!(e, InventoryError::ReadOnly { .. }), "{e:?}");
    assert_eq!(ro.devices(None).unwrap().len(), 300);
}

#[test]
fn garbage_and_truncated_files_are_corrupt() {
    let (dir, path) = temp();
    let garbage = dir.path().join("garbage.sqlite3");
    let bytes: Vec<u8> = (0..16_384u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&garbage, bytes).unwrap();
    let e = Inventory::open(&garbage).unwrap_err();
    assert!(matches!(e, InventoryError::Corrupt { .. }), "{e:?}");
    assert!(e.to_string().contains("is corrupt: move it away"), "{e}");
    says_what_to_do(&e);
    assert!(matches!(
        Inventory::open_read_only(&garbage),
        Err(InventoryError::Corrupt { .. })
    ));

    filled(&path);
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len > 20_000, "several pages: {len}");
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    // Opening may still work (page 1 is intact); using it finds the damage.
    let used = Inventory::open(&path).and_then(|mut inv| {
        inv.devices(None)?;
        let eth = iface("eth0", Some(1));
        let s: Vec<Sighting> = (0..300).map(|d| sighting(&eth, d, &[4])).collect();
        inv.record(&s, t(5), roomy())
    });
    let e = used.unwrap_err();
    assert!(matches!(e, InventoryError::Corrupt { .. }), "{e:?}");
    says_what_to_do(&e);
}

/// Makes `path` unwritable until dropped: `chattr +i` as root (file modes do not stop
/// root), mode 0400/0500 otherwise. `None` when that is impossible here.
struct Unwritable(std::path::PathBuf, bool);

impl Unwritable {
    fn new(path: &Path) -> Option<Unwritable> {
        if is_root() {
            let ok = Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
            return ok.then(|| Unwritable(path.to_path_buf(), true));
        }
        let mode = if path.is_dir() { 0o500 } else { 0o400 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        Some(Unwritable(path.to_path_buf(), false))
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        } else {
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o700));
        }
    }
}

#[test]
fn an_unwritable_file_or_directory_is_read_only() {
    let (_dir, path) = temp();
    filled(&path);
    let Some(guard) = Unwritable::new(&path) else {
        // Root without chattr (or a filesystem without the immutable flag): the mapping
        // of SQLite's read-only error is still checked below.
        eprintln!("skipped: cannot make a file unwritable for root here");
        return;
    };
    let e = Inventory::open(&path).unwrap_err();
    assert!(
        matches!(
            &e,
            InventoryError::ReadOnly {
                reason: ReadOnlyReason::NotWritable,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("not writable"), "{e}");
    says_what_to_do(&e);
    // Reading still works.
    assert_eq!(
        Inventory::open_read_only(&path)
            .unwrap()
            .devices(None)
            .unwrap()
            .len(),
        300
    );
    drop(guard);

    // The file may be written, its directory not: the -wal file cannot be created. (The
    // read-only connection above left its -wal and -shm behind; the last writer to close
    // removes them.)
    drop(open(&path));
    let dir = path.parent().unwrap();
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    let _guard = Unwritable::new(dir).expect("as above");
    let r = Inventory::open(&path).and_then(|mut inv| {
        inv.record(
            &[sighting(&iface("eth0", Some(1)), 1000, &[1])],
            t(5),
            roomy(),
        )
    });
    let e = r.unwrap_err();
    assert!(matches!(e, InventoryError::ReadOnly { .. }), "{e:?}");
    says_what_to_do(&e);
}

#[test]
fn sqlite_errors_map_to_what_to_do() {
    let p = Path::new("/s/inv.sqlite3");
    let err = |code| rusqlite::Error::SqliteFailure(ffi::Error::new(code), None);
    let cases = [
        (ffi::SQLITE_BUSY, "locked by another process"),
        (ffi::SQLITE_LOCKED, "locked by another process"),
        (ffi::SQLITE_CORRUPT, "corrupt"),
        (ffi::SQLITE_NOTADB, "corrupt"),
        (ffi::SQLITE_FULL, "is full: free some space"),
        (ffi::SQLITE_READONLY, "not writable"),
        (ffi::SQLITE_PERM, "not writable"),
        (ffi::SQLITE_IOERR, "cannot use the inventory"),
    ];
    for (code, words) in cases {
        let e = InventoryError::sqlite(p, &err(code));
        assert!(e.to_string().contains(words), "{code}: {e}");
        says_what_to_do(&e);
    }
    // A connection SQLite itself opened read-only.
    let (_dir, path) = temp();
    filled(&path);
    let ro = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let e = ro.execute("DELETE FROM device", []).unwrap_err();
    assert!(matches!(
        InventoryError::sqlite(&path, &e),
        InventoryError::ReadOnly { .. }
    ));
    // File errors read as words, not codes.
    let (dir, _) = temp();
    let file = dir.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let e = Inventory::open(&file.join("inv.sqlite3")).unwrap_err();
    assert!(matches!(e, InventoryError::Io { .. }), "{e:?}");
    says_what_to_do(&e);
}

#[test]
fn a_writer_waits_for_a_lock_and_reports_one_that_stays() {
    let (_dir, path) = temp();
    let mut inv = open(&path);
    let eth = iface("eth0", None);
    let blocker = Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        blocker.execute_batch("COMMIT").unwrap();
        blocker
    });
    inv.record(&[sighting(&eth, 1, &[1])], t(0), roomy())
        .expect("waits out a short lock");
    let blocker = releaser.join().unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = Instant::now();
    let e = inv
        .record(&[sighting(&eth, 2, &[1])], t(1), roomy())
        .unwrap_err();
    assert!(matches!(e, InventoryError::Busy { .. }), "{e:?}");
    says_what_to_do(&e);
    // The busy timeout, then once more.
    assert!(
        start.elapsed() >= Duration::from_millis(3_900),
        "{:?}",
        start.elapsed()
    );
    blocker.execute_batch("ROLLBACK").unwrap();
    assert_eq!(inv.devices(None).unwrap().len(), 1);
}
