//! The per-interface host table and its step from one scan to the next.

use super::{Event, EventKind, WatchConfig};
use crate::mac::Mac;
use crate::model::HostKey;
use crate::oui::{self, Vendor};
use crate::report::IfaceReport;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::Ipv6Addr;
use std::time::SystemTime;

#[derive(Clone, Debug)]
pub(super) struct Tracked {
    pub(super) mac: Option<Mac>,
    pub(super) vendor: Vendor,
    pub(super) router: bool,
    /// Address → consecutive scans it was missed while the host was seen.
    pub(super) addrs: BTreeMap<Ipv6Addr, u32>,
    /// Consecutive scans the host was not seen.
    pub(super) missed: u32,
    pub(super) present: bool,
}

/// What one report shows of one host.
#[derive(Debug)]
pub(super) struct Seen {
    pub(super) mac: Option<Mac>,
    pub(super) vendor: Vendor,
    pub(super) router: bool,
    pub(super) addrs: BTreeSet<Ipv6Addr>,
}

#[derive(Default, Debug)]
pub(super) struct IfaceState {
    pub(super) hosts: BTreeMap<HostKey, Tracked>,
    /// Every tracked address → the host holding it.
    pub(super) owner: HashMap<Ipv6Addr, HostKey>,
}

/// Per-scan context handed to the interface step.
pub(super) struct Ctx<'a> {
    pub(super) cfg: WatchConfig,
    pub(super) initial: bool,
    pub(super) time: SystemTime,
    pub(super) iface: &'a str,
}

impl Ctx<'_> {
    fn event(&self, kind: EventKind, key: HostKey, t: &Tracked) -> Event {
        Event {
            kind,
            time: self.time,
            interface: self.iface.to_owned(),
            mac: t.mac.or(key.mac()),
            vendor: t.vendor,
            router: t.router,
            addresses: t.addrs.keys().copied().collect(),
            last_seen: None,
            remembered: false,
            known: false,
            message: None,
        }
    }
}

/// Groups a report's live neighbour rows into hosts; at most `cap` addresses, hosts already
/// tracked first. Returns the hosts and the number of addresses left out.
pub(super) fn seen_hosts(
    ir: &IfaceReport,
    state: &IfaceState,
    cap: usize,
) -> (BTreeMap<HostKey, Seen>, u64) {
    let mut seen: BTreeMap<HostKey, Seen> = BTreeMap::new();
    let mut claimed = HashSet::new();
    for row in ir.prefixes.iter().flat_map(|p| &p.hosts) {
        if row.is_self || row.stale || !claimed.insert(row.address) {
            continue;
        }
        let key = match row.mac {
            Some(m) => HostKey::Mac(m),
            // No MAC this time: the host that owns the address, if any.
            None => state
                .owner
                .get(&row.address)
                .copied()
                .unwrap_or(HostKey::Addr(row.address)),
        };
        let s = seen.entry(key).or_insert_with(|| Seen {
            mac: None,
            vendor: Vendor::Unknown,
            router: false,
            addrs: BTreeSet::new(),
        });
        if let Some(m) = row.mac {
            s.mac = Some(m);
            s.vendor = row.vendor;
        }
        s.router |= row.router;
        s.addrs.insert(row.address);
    }
    let total: usize = seen.values().map(|s| s.addrs.len()).sum();
    if total <= cap {
        return (seen, 0);
    }
    let (mut known, new): (Vec<_>, Vec<_>) = seen
        .into_iter()
        .partition(|(k, _)| state.hosts.contains_key(k));
    known.extend(new);
    let mut kept = BTreeMap::new();
    let mut room = cap;
    for (k, mut s) in known {
        if room == 0 {
            break;
        }
        while s.addrs.len() > room {
            s.addrs.pop_last();
        }
        room -= s.addrs.len();
        kept.insert(k, s);
    }
    (kept, (total - cap) as u64)
}

impl IfaceState {
    pub(super) fn step(
        &mut self,
        seen: BTreeMap<HostKey, Seen>,
        ctx: &Ctx<'_>,
        events: &mut Vec<Event>,
    ) {
        let mut seen_keys = HashSet::new();
        for (key, s) in seen {
            self.take_over_address_hosts(key, &s);
            let moved = self.move_addresses(key, &s, ctx, events);
            self.update(key, s, &moved, ctx, events);
            seen_keys.insert(key);
        }
        self.age_unseen(&seen_keys, ctx, events);
        self.enforce_cap(&seen_keys, ctx, events);
    }

    /// An address seen before without a MAC now comes with one: the same device, from now
    /// on known by its MAC (no event, unless that MAC was already tracked elsewhere).
    fn take_over_address_hosts(&mut self, key: HostKey, s: &Seen) {
        let HostKey::Mac(m) = key else { return };
        for a in &s.addrs {
            let old = HostKey::Addr(*a);
            if self.owner.get(a) != Some(&old) {
                continue;
            }
            let Some(mut t) = self.hosts.remove(&old) else {
                continue;
            };
            if self.hosts.contains_key(&key) {
                self.owner.remove(a);
            } else {
                t.mac = Some(m);
                t.vendor = oui::lookup(m);
                for addr in t.addrs.keys() {
                    self.owner.insert(*addr, key);
                }
                self.hosts.insert(key, t);
            }
        }
    }

    /// Addresses owned by another MAC: takes them away from it; returns them with that MAC.
    /// A present host that loses its last address this way is reported gone (its MAC
    /// changed, or another device took its place), with the addresses it had.
    fn move_addresses(
        &mut self,
        key: HostKey,
        s: &Seen,
        ctx: &Ctx<'_>,
        events: &mut Vec<Event>,
    ) -> BTreeMap<Ipv6Addr, Mac> {
        let mut moved = BTreeMap::new();
        for a in &s.addrs {
            let Some(&other) = self.owner.get(a) else {
                continue;
            };
            if other == key {
                continue;
            }
            if let HostKey::Mac(prev) = other {
                moved.insert(*a, prev);
            }
            self.owner.remove(a);
            if let Some(t) = self.hosts.get_mut(&other) {
                if t.addrs.len() == 1 && t.addrs.contains_key(a) {
                    if t.present {
                        events.push(ctx.event(EventKind::Gone, other, t));
                    }
                    self.hosts.remove(&other);
                } else {
                    t.addrs.remove(a);
                }
            }
        }
        moved
    }

    fn update(
        &mut self,
        key: HostKey,
        s: Seen,
        moved: &BTreeMap<Ipv6Addr, Mac>,
        ctx: &Ctx<'_>,
        events: &mut Vec<Event>,
    ) {
        let mut pending = Vec::new();
        let t = match self.hosts.get_mut(&key) {
            Some(t) if t.present => {
                for a in &s.addrs {
                    if !t.addrs.contains_key(a) && !moved.contains_key(a) {
                        pending.push(EventKind::AddressAdded(*a));
                    }
                }
                let mut removed = Vec::new();
                for (a, missed) in t.addrs.iter_mut() {
                    if s.addrs.contains(a) {
                        *missed = 0;
                    } else {
                        *missed += 1;
                        if *missed >= ctx.cfg.gone_after {
                            removed.push(*a);
                        }
                    }
                }
                for a in removed {
                    t.addrs.remove(&a);
                    self.owner.remove(&a);
                    pending.push(EventKind::AddressRemoved(a));
                }
                t
            }
            Some(t) => {
                // Back after being gone: it has the addresses it has now.
                for a in t.addrs.keys() {
                    if !s.addrs.contains(a) {
                        self.owner.remove(a);
                    }
                }
                t.addrs.clear();
                pending.insert(0, EventKind::Appeared { returning: true });
                t
            }
            None => {
                pending.insert(
                    0,
                    if ctx.initial {
                        EventKind::Present
                    } else {
                        EventKind::Appeared { returning: false }
                    },
                );
                self.hosts.entry(key).or_insert(Tracked {
                    mac: None,
                    vendor: Vendor::Unknown,
                    router: false,
                    addrs: BTreeMap::new(),
                    missed: 0,
                    present: true,
                })
            }
        };
        if let Some(m) = s.mac {
            t.mac = Some(m);
            t.vendor = s.vendor;
        }
        t.router = s.router;
        t.missed = 0;
        t.present = true;
        for a in &s.addrs {
            t.addrs.entry(*a).or_insert(0);
            self.owner.insert(*a, key);
        }
        pending.extend(moved.iter().map(|(a, prev)| EventKind::MacChanged {
            address: *a,
            previous: *prev,
        }));
        let t = &self.hosts[&key];
        // Address events list the addresses after the change, which `t` now holds.
        events.extend(pending.into_iter().map(|k| ctx.event(k, key, t)));
    }

    /// Hosts not in this scan: counts the miss, reports gone, forgets the long gone.
    fn age_unseen(&mut self, seen: &HashSet<HostKey>, ctx: &Ctx<'_>, events: &mut Vec<Event>) {
        let mut forget = Vec::new();
        for (key, t) in &mut self.hosts {
            if seen.contains(key) {
                continue;
            }
            t.missed = t.missed.saturating_add(1);
            if t.present && t.missed >= ctx.cfg.gone_after {
                t.present = false;
                events.push(ctx.event(EventKind::Gone, *key, t));
            }
            if !t.present && t.missed >= ctx.cfg.gone_after.saturating_add(ctx.cfg.forget_after) {
                forget.push(*key);
            }
        }
        for key in forget {
            self.forget(key);
        }
    }

    fn forget(&mut self, key: HostKey) {
        if let Some(t) = self.hosts.remove(&key) {
            for a in t.addrs.keys() {
                self.owner.remove(a);
            }
        }
    }

    /// Brings the tracked addresses back under the cap (see the module doc for the order).
    fn enforce_cap(&mut self, seen: &HashSet<HostKey>, ctx: &Ctx<'_>, events: &mut Vec<Event>) {
        let cap = ctx.cfg.max_tracked;
        if self.owner.len() <= cap {
            return;
        }
        // 1. Gone hosts, longest gone first.
        let mut gone: Vec<_> = (self.hosts.iter())
            .filter(|(_, t)| !t.present)
            .map(|(k, t)| (t.missed, *k))
            .collect();
        gone.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, key) in gone {
            if self.owner.len() <= cap {
                return;
            }
            self.forget(key);
        }
        // 2. Present hosts missed in this scan, most missed first: reported gone.
        let mut missed: Vec<_> = (self.hosts.iter())
            .filter(|(k, _)| !seen.contains(k))
            .map(|(k, t)| (t.missed, *k))
            .collect();
        missed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, key) in missed {
            if self.owner.len() <= cap {
                return;
            }
            if let Some(t) = self.hosts.get(&key) {
                events.push(ctx.event(EventKind::Gone, key, t));
            }
            self.forget(key);
        }
        // 3. Addresses of seen hosts missed in this scan: reported removed.
        let mut stale: Vec<_> = (self.hosts.iter())
            .flat_map(|(k, t)| {
                t.addrs
                    .iter()
                    .filter(|(_, m)| **m > 0)
                    .map(move |(a, m)| (*m, *k, *a))
            })
            .collect();
        stale.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        for (_, key, a) in stale {
            if self.owner.len() <= cap {
                return;
            }
            if let Some(t) = self.hosts.get_mut(&key) {
                t.addrs.remove(&a);
                self.owner.remove(&a);
                if t.addrs.is_empty() {
                    self.hosts.remove(&key);
                } else {
                    let t = &self.hosts[&key];
                    events.push(ctx.event(EventKind::AddressRemoved(a), key, t));
                }
            }
        }
    }
}
