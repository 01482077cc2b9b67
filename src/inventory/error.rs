//! What can go wrong with the inventory file, typed, each said in one line with what to
//! do about it (never a raw `os error N`).

use rusqlite::ErrorCode;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why an inventory cannot be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadOnlyReason {
    /// The file or its directory is not writable by us.
    NotWritable,
    /// It was opened with [`crate::inventory::Inventory::open_read_only`].
    OpenedReadOnly,
    /// A newer v6scout wrote it (its schema version is higher than ours): we read it but
    /// never write it.
    NewerSchema {
        /// The file's schema version.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
}

/// An inventory problem. Every variant names the file; its `Display` is one line saying
/// what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InventoryError {
    /// Another process held the file locked past the busy timeout (and one retry).
    Busy {
        /// The file.
        path: PathBuf,
    },
    /// The file is damaged or not an SQLite database.
    Corrupt {
        /// The file.
        path: PathBuf,
    },
    /// The file cannot be written (see the reason); reads may still work.
    ReadOnly {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: ReadOnlyReason,
    },
    /// The disk (or quota) is full.
    Full {
        /// The file.
        path: PathBuf,
    },
    /// There is no inventory file yet (a read-only open never creates one).
    NotFound {
        /// The file.
        path: PathBuf,
    },
    /// Anything else, in words.
    Io {
        /// The file.
        path: PathBuf,
        /// What failed, without error codes.
        detail: String,
    },
}

impl InventoryError {
    /// The file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            InventoryError::Busy { path }
            | InventoryError::Corrupt { path }
            | InventoryError::ReadOnly { path, .. }
            | InventoryError::Full { path }
            | InventoryError::NotFound { path }
            | InventoryError::Io { path, .. } => path,
        }
    }

    /// The error of SQLite call `err` on the file at `path`.
    pub(crate) fn sqlite(path: &Path, err: &rusqlite::Error) -> InventoryError {
        let path = path.to_path_buf();
        let Some(code) = err.sqlite_error_code() else {
            return InventoryError::Io {
                path,
                detail: err.to_string(),
            };
        };
        match code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => InventoryError::Busy { path },
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
                InventoryError::Corrupt { path }
            }
            ErrorCode::DiskFull => InventoryError::Full { path },
            ErrorCode::ReadOnly | ErrorCode::PermissionDenied => InventoryError::ReadOnly {
                path,
                reason: ReadOnlyReason::NotWritable,
            },
            _ => InventoryError::Io {
                path,
                detail: sqlite_detail(err),
            },
        }
    }

    /// The error of file operation `what` (e.g. "creating its directory") at `path`.
    pub(crate) fn io(path: &Path, what: &str, err: &io::Error) -> InventoryError {
        let path = path.to_path_buf();
        match err.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                InventoryError::ReadOnly {
                    path,
                    reason: ReadOnlyReason::NotWritable,
                }
            }
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                InventoryError::Full { path }
            }
            // ErrorKind's own text ("not a directory", "no such file or directory"…),
            // which never carries the `os error N` code.
            kind => InventoryError::Io {
                path,
                detail: format!("{what}: {kind}"),
            },
        }
    }

    /// True for [`InventoryError::Busy`] (worth one more try).
    pub(crate) fn is_busy(&self) -> bool {
        matches!(self, InventoryError::Busy { .. })
    }
}

/// SQLite's message for `err`, without the numeric codes rusqlite may add.
fn sqlite_detail(err: &rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqliteFailure(e, Some(msg)) => format!("{msg} ({})", e.code_text()),
        rusqlite::Error::SqliteFailure(e, None) => e.code_text(),
        other => other.to_string(),
    }
}

/// Words for an SQLite result code.
trait CodeText {
    fn code_text(&self) -> String;
}

impl CodeText for rusqlite::ffi::Error {
    fn code_text(&self) -> String {
        rusqlite::ffi::code_to_str(self.extended_code).to_lowercase()
    }
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.path().display();
        match self {
            InventoryError::Busy { .. } => write!(
                f,
                "the inventory at {p} is locked by another process (another v6scout?): try again when it is done"
            ),
            InventoryError::Corrupt { .. } => write!(
                f,
                "the inventory at {p} is corrupt: move it away, v6scout starts a new one"
            ),
            InventoryError::ReadOnly { reason, .. } => match reason {
                ReadOnlyReason::NotWritable => write!(
                    f,
                    "the inventory at {p} is not writable: fix the permissions of it and its directory, or set V6SCOUT_INVENTORY=off"
                ),
                ReadOnlyReason::OpenedReadOnly => {
                    write!(f, "the inventory at {p} was opened only for reading")
                }
                ReadOnlyReason::NewerSchema { found, known } => write!(
                    f,
                    "the inventory at {p} was written by a newer v6scout (schema {found}, this one knows {known}): it is only read; upgrade v6scout to record again"
                ),
            },
            InventoryError::Full { .. } => write!(
                f,
                "the disk holding the inventory at {p} is full: free some space, or set V6SCOUT_INVENTORY=off"
            ),
            InventoryError::NotFound { .. } => write!(
                f,
                "there is no inventory at {p} yet: a scan records one"
            ),
            InventoryError::Io { detail, .. } => write!(
                f,
                "cannot use the inventory at {p} ({detail}): check the path, or set V6SCOUT_INVENTORY=off"
            ),
        }
    }
}

impl std::error::Error for InventoryError {}
