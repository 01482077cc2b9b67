//! What every Unix backend shares: the name resolver (mDNS over UDP, `getnameinfo`) and
//! replacing the process with another program.

pub mod resolver;

use std::io;

/// Replaces this process with `prog args…`; returns only the error when that failed.
pub fn exec(prog: &str, args: &[String]) -> io::Error {
    use std::os::unix::process::CommandExt;
    std::process::Command::new(prog).args(args).exec()
}
