//! A hosts file (`/etc/hosts` format): its aliases. The system resolver tells an address's
//! canonical name only; a user who wrote `fe80::…%eth0 pi pi-one` expects `resolve pi-one`
//! to find the device as well.

use crate::report::Report;
use std::net::IpAddr;

/// One line of a hosts file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostsEntry {
    /// The address.
    pub addr: IpAddr,
    /// Its `%zone` (an interface name), if written.
    pub zone: Option<String>,
    /// The canonical name, then the aliases.
    pub names: Vec<String>,
}

/// Every usable line of `text`: comments (`#` to the end of the line) and lines without
/// a valid address or a name are skipped, never an error.
pub fn parse(text: &str) -> Vec<HostsEntry> {
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next()?;
            let mut words = line.split_whitespace();
            let first = words.next()?;
            let (addr, zone) = match first.split_once('%') {
                Some((a, z)) => (a, Some(z.to_string())),
                None => (first, None),
            };
            let names: Vec<String> = words.map(str::to_string).collect();
            (!names.is_empty()).then_some(HostsEntry {
                addr: addr.parse().ok()?,
                zone,
                names,
            })
        })
        .collect()
}

/// Adds to every row the names a hosts entry gives its address (IPv6, or one of the row's
/// IPv4 addresses), canonical name and aliases, each once. An entry with a zone applies
/// only on that interface.
pub fn add_aliases(report: &mut Report, entries: &[HostsEntry]) {
    for iface in &mut report.interfaces {
        let name = iface.name.clone();
        for row in iface.prefixes.iter_mut().flat_map(|p| p.hosts.iter_mut()) {
            for e in entries {
                let zone_ok = e.zone.as_ref().is_none_or(|z| *z == name);
                let same = match e.addr {
                    IpAddr::V6(a) => a == row.address,
                    IpAddr::V4(a) => row.ipv4.contains(&a),
                };
                if same && zone_ok {
                    for n in &e.names {
                        if !row.names.iter().any(|m| m.eq_ignore_ascii_case(n)) {
                            row.names.push(n.clone());
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "hosts_tests.rs"]
mod tests;
