//! How many devices a hub adds per hour: per site interface and in all. Known devices are
//! always updated; only new ones count. Anyone allowed to publish under `v6scout/` could
//! otherwise fill the hub's inventory with forged devices by the million (the broker's
//! ACLs are the real gate; this bounds what gets past them).

use std::collections::HashMap;

/// New devices a site interface may add per hour.
pub const PER_IFACE: usize = 1024;

/// New devices all sites together may add per hour.
pub const TOTAL: usize = 4096;

/// This hour's new devices, per (site, interface) and in all.
#[derive(Debug, Default)]
pub struct NewDevices {
    hour: u64,
    spent: HashMap<(String, String), usize>,
    total: usize,
}

impl NewDevices {
    /// How many new devices `site`'s `iface` may still add in hour `hour` (any count
    /// that only grows: the hub gives seconds since the epoch / 3600).
    pub fn allowance(&mut self, site: &str, iface: &str, hour: u64) -> usize {
        if hour != self.hour {
            *self = NewDevices {
                hour,
                ..NewDevices::default()
            };
        }
        let key = (site.to_owned(), iface.to_owned());
        let own = PER_IFACE.saturating_sub(self.spent.get(&key).copied().unwrap_or(0));
        own.min(TOTAL.saturating_sub(self.total))
    }

    /// `n` new devices added by `site`'s `iface` (after [`NewDevices::allowance`] in the
    /// same hour).
    pub fn spend(&mut self, site: &str, iface: &str, n: usize) {
        if n == 0 {
            return;
        }
        *self
            .spent
            .entry((site.to_owned(), iface.to_owned()))
            .or_default() += n;
        self.total += n;
    }
}

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
