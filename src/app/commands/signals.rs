//! SIGINT and SIGTERM for the commands that run until stopped (`watch`, `collect`).

use anyhow::{Context, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set by SIGINT/SIGTERM; the loop ends at the next check.
static STOP: AtomicBool = AtomicBool::new(false);

/// SIGINT and SIGTERM set `STOP`. signal-hook installs its handler with SA_RESTART, so
/// blocking calls are not broken off with EINTR (the probe loop copes with EINTR anyway).
pub(super) fn install_signal_handlers() -> Result<()> {
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, &STOP).context("installing the Ctrl-C handler")?;
    }
    Ok(())
}

pub(super) fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Sleeps until `deadline`, waking early when a signal asks to stop.
pub(super) fn sleep_until(deadline: Instant) {
    while !stopped() {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
    }
}
