//! The terminal on stdout: whether there is one, its width, and `NO_COLOR`, read once for
//! settling the output format.

use crate::config::Terminal;
use std::io::IsTerminal;

/// The terminal on stdout, as the output format is settled against it.
pub fn stdout() -> Terminal {
    let is_tty = std::io::stdout().is_terminal();
    Terminal {
        is_tty,
        width: if is_tty { width() } else { None },
        no_color: std::env::var_os("NO_COLOR"),
    }
}

/// Columns of the terminal on stdout, if it is one; `COLUMNS` wins when set.
pub fn width() -> Option<u16> {
    width_from(std::env::var("COLUMNS").ok().as_deref(), || {
        terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0)
    })
}

/// The width given `COLUMNS` (when set) and a way to ask the terminal. A `COLUMNS` that is
/// a number wins, and `0` means no limit; anything else in it is ignored.
fn width_from(columns: Option<&str>, terminal: impl FnOnce() -> Option<u16>) -> Option<u16> {
    match columns.and_then(|c| c.parse::<u16>().ok()) {
        Some(c) => Some(c).filter(|c| *c > 0),
        None => terminal().filter(|c| *c > 0),
    }
}

#[cfg(test)]
#[path = "terminal_tests.rs"]
mod tests;
