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
mod tests {
    use super::*;
    use crate::output::fixture;

    const HOSTS: &str = "\
127.0.0.1\tlocalhost
# the lab's Pi
fe80::ba27:ebff:fe89:bc51%eth0  rpi pi-one   # on the desk
fe80::1%wlan0 elsewhere
2001:db8:1:0:ba27:ebff:fe89:bc51 pi-global
192.0.2.10 pi-four
not-an-address name
fe80::2
";

    #[test]
    fn parses_names_aliases_zones_and_skips_junk() {
        let e = parse(HOSTS);
        assert_eq!(e.len(), 5, "{e:#?}");
        assert_eq!(e[1].names, ["rpi", "pi-one"]);
        assert_eq!(e[1].zone.as_deref(), Some("eth0"));
        assert_eq!(e[0].zone, None);
        assert_eq!(e[4].addr, "192.0.2.10".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn aliases_reach_the_rows_of_their_address_on_their_interface() {
        let mut r = fixture::dual_stack_report();
        add_aliases(&mut r, &parse(HOSTS));
        let rows: Vec<_> = r.interfaces[0]
            .prefixes
            .iter()
            .flat_map(|p| &p.hosts)
            .collect();
        let ll = rows
            .iter()
            .find(|h| h.scoped == "fe80::ba27:ebff:fe89:bc51%eth0")
            .unwrap();
        for n in ["rpi.local", "rpi", "pi-one", "pi-four"] {
            assert!(ll.names.iter().any(|m| m == n), "{n}: {:?}", ll.names);
        }
        let global = rows
            .iter()
            .find(|h| h.address.segments()[0] == 0x2001)
            .unwrap();
        assert!(global.names.iter().any(|n| n == "pi-global"));
        assert!(
            !global.names.iter().any(|n| n == "pi-one"),
            "another address"
        );
        assert!(rows
            .iter()
            .all(|h| !h.names.iter().any(|n| n == "elsewhere")));
    }

    #[test]
    fn resolve_matches_an_alias() {
        let mut r = fixture::report();
        let q: crate::query::Query = "pi-one".parse().unwrap();
        assert!(crate::query::find(&r, &q).is_empty());
        add_aliases(&mut r, &parse(HOSTS));
        let found = crate::query::find(&r, &q);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].mac, r.interfaces[0].prefixes[0].hosts[2].mac);
    }
}
