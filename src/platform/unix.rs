//! What every Unix backend shares: the name resolver (mDNS over UDP, `getnameinfo`) and
//! replacing the process with another program.

mod mdns;
pub mod resolver;

use std::ffi::{CStr, OsStr};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// Replaces this process with `prog args…`; returns only the error when that failed.
pub fn exec(prog: &str, args: &[String]) -> io::Error {
    use std::os::unix::process::CommandExt;
    std::process::Command::new(prog).args(args).exec()
}

/// The home directory the password database gives user `uid`.
pub fn home_of(uid: u32) -> Option<PathBuf> {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: a zeroed passwd is a valid value of the type; getpwuid_r fills it with
    // pointers into `buf`, which outlives their use below.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to a live local sized as passed.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc != 0 || found.is_null() || pw.pw_dir.is_null() {
        return None;
    }
    // SAFETY: pw_dir points at a NUL-terminated string inside `buf`.
    let dir = unsafe { CStr::from_ptr(pw.pw_dir) };
    let dir = PathBuf::from(OsStr::from_bytes(dir.to_bytes()));
    dir.is_absolute().then_some(dir)
}
