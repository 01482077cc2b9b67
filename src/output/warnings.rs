//! Warnings as the user reads them.

use crate::warning::{strip_os_codes, Warning};

/// Prints a warning on stderr: the one place warnings are worded for the user.
pub fn warn_stderr(w: Warning) {
    crate::say!("v6scout: warning: {}", strip_os_codes(&w.to_string()));
}
