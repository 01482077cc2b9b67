//! Arguments of `wake`.

use super::find::{FindArgs, QUERY_HELP};
use crate::config::{FindAction, WakeConfig};
use clap::Args;

/// `v6scout wake`.
#[derive(Args, Debug, Clone)]
pub struct WakeArgs {
    #[arg(value_name = "QUERY", help = QUERY_HELP)]
    /// The device to wake, as the inventory remembers it.
    pub query: String,

    /// With --wait-for, how to look for the device once it is woken (only on the
    /// interface it was seen on); -i: only a device seen on IFACE.
    #[command(flatten)]
    pub find: FindArgs,
}

impl WakeArgs {
    /// The wake, and with `--wait-for` the search that prints the device's address.
    pub fn config(&self) -> WakeConfig {
        let then = self.find.wait_for.is_some().then(|| {
            self.find
                .config(&self.query, FindAction::Print { all: false })
        });
        self.find.wake(&self.query, then)
    }
}

#[cfg(test)]
#[path = "wake_tests.rs"]
mod tests;
