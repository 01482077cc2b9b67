//! Grouping: turns the collector's table into per-interface, per-prefix rows. Pure.

use crate::collect::{AddrEntry, HostTable, IfaceTable};
use crate::iface::Interface;
use crate::mac::Mac;
use crate::model::{answered_probe, is_link_local, Ipv6Prefix, PrefixKind, SeenBy};
use crate::report::{HostRow, IfaceReport, LiveRow, PrefixGroup, PrefixSource};
use std::collections::{BTreeMap, HashSet};
use std::net::Ipv6Addr;

/// What to show besides live neighbours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupOptions {
    /// List our own addresses, marked.
    pub include_self: bool,
    /// Only link-local addresses.
    pub link_local_only: bool,
}

const LINK_LOCAL_LEN: u8 = 64;

/// The prefix an address is listed under, and where that prefix was learned: the longest
/// matching prefix we have an address in or a router advertised, else its /64.
fn prefix_of(addr: Ipv6Addr, iface: &Interface, ra: &[Ipv6Prefix]) -> (Ipv6Prefix, PrefixSource) {
    if is_link_local(addr) {
        return (
            Ipv6Prefix::new(addr, LINK_LOCAL_LEN),
            PrefixSource::Interface,
        );
    }
    let own = iface
        .addrs
        .iter()
        .filter(|a| !is_link_local(a.addr) && a.prefix_len < 128)
        .map(|a| (a.prefix(), PrefixSource::Interface));
    let advertised = ra.iter().map(|p| (*p, PrefixSource::Ra));
    own.chain(advertised)
        .filter(|(p, _)| p.contains(addr))
        // Longest prefix first; on a tie, our own address beats the RA.
        .max_by(|(a, sa), (b, sb)| a.len().cmp(&b.len()).then(sb.cmp(sa)))
        .unwrap_or((Ipv6Prefix::new(addr, 64), PrefixSource::Reply))
}

fn row(addr: Ipv6Addr, e: &AddrEntry, iface: &str, routers: &HashSet<Mac>) -> HostRow {
    HostRow {
        router: e.router
            || (answered_probe(&e.seen_by) && e.mac.is_some_and(|m| routers.contains(&m))),
        stale: e.stale,
        seen_by: e.seen_by.iter().copied().collect(),
        rtt: e.rtt,
        ..HostRow::new(addr, iface, e.mac)
    }
}

/// Groups one interface's addresses by prefix.
pub fn group_interface(
    iface: &Interface,
    table: Option<&IfaceTable>,
    opts: GroupOptions,
) -> IfaceReport {
    let empty = IfaceTable::default();
    let table = table.unwrap_or(&empty);
    let ra: Vec<Ipv6Prefix> = table.ra_prefixes.iter().copied().collect();
    let routers: HashSet<Mac> = table
        .addrs
        .values()
        .filter(|e| e.router && !e.stale)
        .filter_map(|e| e.mac)
        .collect();
    let own: HashSet<Ipv6Addr> = iface.addrs.iter().map(|a| a.addr).collect();
    let mut rows: Vec<HostRow> = table
        .addrs
        .iter()
        .filter(|(a, _)| !own.contains(a))
        .map(|(a, e)| row(*a, e, &iface.name, &routers))
        .collect();
    // An address two MACs answered for is listed under each of them, never merged.
    let mut extra = Vec::new();
    for r in &rows {
        for m in advertised_macs(table, r.address) {
            if r.mac != Some(m) {
                extra.push(HostRow {
                    vendor: crate::oui::lookup(m),
                    mac: Some(m),
                    iid: crate::model::IidKind::of(r.address, Some(m)),
                    ..r.clone()
                });
            }
        }
    }
    rows.extend(extra);
    if opts.include_self {
        rows.extend(iface.addrs.iter().map(|a| HostRow {
            is_self: true,
            ..HostRow::new(a.addr, &iface.name, iface.mac)
        }));
    }
    if opts.link_local_only {
        rows.retain(|r| is_link_local(r.address));
    }
    let mut groups: BTreeMap<(PrefixKind, Ipv6Prefix), PrefixGroup> = BTreeMap::new();
    for r in rows {
        let (prefix, source) = prefix_of(r.address, iface, &ra);
        groups
            .entry((prefix.kind(), prefix))
            .or_insert_with(|| PrefixGroup {
                prefix,
                source,
                hosts: Vec::new(),
            })
            .hosts
            .push(r);
    }
    let mut prefixes: Vec<PrefixGroup> = groups.into_values().collect();
    for g in &mut prefixes {
        g.hosts.sort_by_key(|h| (h.address, h.mac));
    }
    let routers: Vec<_> = table.routers.values().cloned().collect();
    let own_macs: HashSet<Mac> = iface.mac.into_iter().collect();
    let alerts = crate::health::scan_alerts(table, &routers, &own_macs);
    IfaceReport {
        name: iface.name.clone(),
        index: iface.index,
        mac: iface.mac,
        prefixes,
        ipv4_checked: false,
        ipv4_only: Vec::new(),
        // BTreeMap order: by address.
        routers,
        alerts,
    }
}

/// The MACs Neighbour Advertisements claimed for `addr`, in arrival order.
fn advertised_macs(table: &IfaceTable, addr: Ipv6Addr) -> Vec<Mac> {
    let mut out = Vec::new();
    for (m, via) in table.claims.get(&addr).into_iter().flatten() {
        if matches!(via, crate::model::ClaimVia::Advert { .. }) && !out.contains(m) {
            out.push(*m);
        }
    }
    out
}

/// The row of one address and the prefix it is listed under, as grouping shows it now;
/// `None` for our own addresses, unknown addresses, or ones the options leave out.
fn single_row(
    iface: &Interface,
    table: &IfaceTable,
    addr: Ipv6Addr,
    opts: GroupOptions,
) -> Option<(Ipv6Prefix, HostRow)> {
    let e = table.addrs.get(&addr)?;
    if iface.addrs.iter().any(|a| a.addr == addr) || (opts.link_local_only && !is_link_local(addr))
    {
        return None;
    }
    let routers: HashSet<Mac> = e
        .mac
        .filter(|m| {
            table
                .addrs
                .values()
                .any(|o| o.router && !o.stale && o.mac == Some(*m))
        })
        .into_iter()
        .collect();
    let ra: Vec<Ipv6Prefix> = table.ra_prefixes.iter().copied().collect();
    Some((
        prefix_of(addr, iface, &ra).0,
        row(addr, e, &iface.name, &routers),
    ))
}

/// Rows one at a time while a scan runs, for streaming output: each address once, as soon
/// as it is confirmed (its MAC is known).
#[derive(Debug, Default)]
pub struct RowStream {
    ifaces: Vec<Interface>,
    opts: GroupOptions,
    done: HashSet<(u32, Ipv6Addr)>,
}

impl RowStream {
    /// Rows of a scan of `ifaces`, shown with `opts`.
    pub fn new(ifaces: &[Interface], opts: GroupOptions) -> Self {
        RowStream {
            ifaces: ifaces.to_vec(),
            opts,
            done: HashSet::new(),
        }
    }

    /// After each observation about `addr`: its row, the first time it has a MAC.
    pub fn seen(&mut self, table: &HostTable, ifindex: u32, addr: Ipv6Addr) -> Option<LiveRow> {
        if self.done.contains(&(ifindex, addr)) {
            return None;
        }
        let iface = self.ifaces.iter().find(|i| i.index == ifindex)?;
        let t = table.ifaces.get(&ifindex)?;
        t.addrs.get(&addr)?.mac?;
        let (prefix, row) = single_row(iface, t, addr, self.opts)?;
        self.done.insert((ifindex, addr));
        Some(LiveRow {
            interface: iface.name.clone(),
            index: ifindex,
            prefix,
            row,
        })
    }
}

/// Groups every scanned interface, in scan order.
pub fn group(table: &HostTable, ifaces: &[Interface], opts: GroupOptions) -> Vec<IfaceReport> {
    ifaces
        .iter()
        .map(|i| group_interface(i, table.ifaces.get(&i.index), opts))
        .collect()
}

/// True if a row was confirmed during this scan (not only from the cache).
pub fn is_live(r: &HostRow) -> bool {
    !r.stale && r.seen_by.iter().any(|s| *s != SeenBy::Cache)
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
