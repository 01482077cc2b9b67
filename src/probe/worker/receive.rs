//! The receiving half of the probe loop: which messages are answers to our probes, what
//! each one teaches (an address, a MAC, a router, a prefix, MLD candidates), and what is
//! dropped and counted.

use super::{router_limit, Worker};
use crate::mac::Mac;
use crate::model::{is_host_address, is_link_local, ClaimVia, Ipv6Prefix, Observation, SeenBy};
use crate::probe::packet::{self, Icmp};
use crate::probe::{mld, Link, Received};
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

/// The hop limit every genuine NDP message arrives with (RFC 4861 §6.1, §7.1).
const NDP_HOP_LIMIT: u8 = 255;

impl<L: Link> Worker<'_, L> {
    /// Handles an MLD report: its sender is a live host (even one that ignores every
    /// echo), and its solicited-node groups give address candidates to confirm.
    pub(super) fn handle_mld_report(&mut self, rx: &Received, bytes: &[u8]) {
        let Ok(groups) = mld::parse_report(bytes) else {
            self.stats.malformed += 1;
            return;
        };
        // RFC 3810 §5.2.13: reports come from a link-local source with hop limit 1.
        if !is_link_local(rx.src) || rx.hop_limit.is_some_and(|h| h != 1) {
            self.stats.malformed += 1;
            return;
        }
        if !self.track(rx.src) {
            return;
        }
        self.observe(rx.src, SeenBy::Mld, None, rx.mac, None, false);
        let bits = self.mld_hosts.entry(rx.src).or_default();
        for b in groups.into_iter().filter_map(mld::solicited_node_bits) {
            if bits.len() < mld::MAX_CANDIDATES_PER_HOST && !bits.contains(&b) {
                bits.push(b);
            }
        }
        self.solicit_mld_candidates();
    }

    /// Sends an NS for every new candidate address of every host that reported its
    /// groups. Called whenever a report, a MAC or a prefix arrives, since each can
    /// complete a candidate.
    pub(super) fn solicit_mld_candidates(&mut self) {
        if self.mld_hosts.is_empty() {
            return;
        }
        let mut prefixes = self.prefixes.clone();
        prefixes.retain(|p| !is_link_local(p.addr()));
        let mut new = Vec::new();
        for (host, bits) in &self.mld_hosts {
            let mac = self.macs.get(host).copied();
            let known: Vec<u64> = self
                .macs
                .iter()
                .filter(|(_, m)| mac.is_some_and(|mac| **m == mac))
                .map(|(a, _)| crate::model::interface_id(*a))
                .chain(std::iter::once(crate::model::interface_id(*host)))
                .collect();
            for c in mld::candidates(bits, &prefixes, mac, &known) {
                if !self.solicited.contains_key(&c) && !self.cfg.own.contains(&c) {
                    new.push(c);
                }
            }
        }
        for c in new {
            if self.track(c) {
                self.from_mld.insert(c);
            }
        }
    }

    /// Notes a newly seen address and solicits its MAC once.
    pub(super) fn track(&mut self, addr: Ipv6Addr) -> bool {
        if self.solicited.contains_key(&addr) {
            return true;
        }
        if self.solicited.len() >= self.cfg.max_hosts {
            self.stats.dropped_over_limit += 1;
            return false;
        }
        self.solicited.insert(addr, false);
        self.quiet.found(Instant::now());
        self.send_ns(addr);
        self.pending.schedule(addr, Instant::now());
        true
    }

    /// Reports one sighting of `addr`; a MAC from an option or a frame ends its
    /// solicitations.
    pub(super) fn observe(
        &mut self,
        addr: Ipv6Addr,
        via: SeenBy,
        mac: Option<Mac>,
        frame_mac: Option<Mac>,
        rtt: Option<Duration>,
        router: bool,
    ) {
        self.stats.replies += 1;
        self.spread_id(addr, via);
        self.ask_node_info(addr, via);
        if mac.is_some() || frame_mac.is_some() {
            if let Some(done) = self.solicited.get_mut(&addr) {
                if !*done {
                    self.quiet.found(Instant::now());
                }
                *done = true;
            }
        }
        (self.emit)(Observation::Address {
            ifindex: self.cfg.ifindex,
            addr,
            via,
            mac,
            frame_mac,
            rtt,
            router,
        });
    }

    /// Starts tracking an address that answered a solicitation we already sent (it needs
    /// no new one), within `max_hosts`.
    fn adopt(&mut self, addr: Ipv6Addr) -> bool {
        if self.solicited.len() >= self.cfg.max_hosts {
            self.stats.dropped_over_limit += 1;
            return false;
        }
        self.solicited.insert(addr, false);
        self.quiet.found(Instant::now());
        true
    }

    /// Tracks an address we only heard (its own NS, RS or NA): at most as many as routers
    /// known only from RAs, so forged messages cannot crowd out answering hosts.
    fn track_heard(&mut self, addr: Ipv6Addr) -> bool {
        let known = self.solicited.contains_key(&addr);
        if !known && self.heard >= router_limit(self.cfg.max_hosts) {
            self.stats.dropped_over_limit += 1;
            return false;
        }
        if self.track(addr) {
            self.heard += usize::from(!known);
            return true;
        }
        false
    }

    /// A host heard on its own: tracked (bounded) and reported with the MAC it announced.
    fn heard_from(&mut self, addr: Ipv6Addr, mac: Option<Mac>, frame_mac: Option<Mac>) {
        if is_host_address(addr) && !self.cfg.own.contains(&addr) && self.track_heard(addr) {
            self.observe(addr, SeenBy::Heard, mac, frame_mac, None, false);
        }
    }

    /// A host said it is a router (NA with the R flag): unless its RA was heard already,
    /// the window stays open until a router has had the time to answer our RS.
    fn await_ra(&mut self, mac: Option<Mac>) {
        let Some(mac) = mac.filter(|m| !self.ra_macs.contains(m)) else {
            return;
        };
        if let Some(rs) = self.rs_sent {
            if self.awaiting_ra.len() < router_limit(self.cfg.max_hosts) {
                self.awaiting_ra.insert(mac);
                self.quiet.hold_until(rs + super::RA_WAIT);
            }
        }
    }

    /// Passes on a neighbour's word about whose MAC an address is.
    fn claim(&mut self, addr: Ipv6Addr, mac: Mac, via: ClaimVia) {
        (self.emit)(Observation::Claim {
            ifindex: self.cfg.ifindex,
            addr,
            mac,
            via,
        });
    }

    pub(super) fn handle(&mut self, rx: &Received, bytes: &[u8], now: Instant) {
        if bytes.first() == Some(&crate::probe::nodeinfo::TYPE_NI_REPLY) {
            self.handle_ni_reply(rx, bytes);
            return;
        }
        if matches!(
            bytes.first(),
            Some(&(packet::TYPE_MLD_REPORT_V1 | packet::TYPE_MLD_REPORT_V2))
        ) {
            if self.cfg.mld {
                self.handle_mld_report(rx, bytes);
            }
            return;
        }
        let msg = match packet::parse(bytes) {
            Ok(m) => m,
            // Echo requests and RSs are not answers; a malformed one is as ignorable as a
            // well-formed one.
            Err(_)
                if matches!(
                    bytes.first(),
                    Some(&(packet::TYPE_ECHO_REQUEST | packet::TYPE_ROUTER_SOLICIT))
                ) =>
            {
                Icmp::Other {
                    icmp_type: bytes.first().copied().unwrap_or_default(),
                    code: bytes.get(1).copied().unwrap_or_default(),
                }
            }
            Err(_) => {
                self.stats.malformed += 1;
                return;
            }
        };
        // RFC 4861 §6.1, §7.1: NDP from off-link (hop limit below 255) is forged.
        let ndp_ok = rx.hop_limit.is_none_or(|h| h == NDP_HOP_LIMIT);
        if rx.src.is_unspecified() {
            // Duplicate address detection (RFC 4862 §5.4.2): a device joining the link
            // asks whether its new address is taken; the frame says who it is.
            match msg {
                Icmp::NeighbourSolicit { target, .. } if ndp_ok => {
                    self.heard_from(target, None, rx.mac.filter(|m| m.is_host()));
                }
                Icmp::RouterSolicit { .. } | Icmp::NeighbourSolicit { .. } => {}
                _ => self.stats.malformed += 1,
            }
            return;
        }
        if !is_host_address(rx.src) {
            self.stats.malformed += 1;
            return;
        }
        if self.cfg.own.contains(&rx.src) {
            self.stats.foreign += 1;
            return;
        }
        let frame_mac = rx.mac.filter(|m| m.is_host());
        match msg {
            Icmp::EchoReply { seq, .. } if msg.matches(&self.tag) => {
                if self.track(rx.src) {
                    let rtt = self.rtt(seq, now);
                    self.observe(rx.src, SeenBy::Echo, None, frame_mac, rtt, false);
                }
            }
            // Any code: some stacks answer the unknown option with another one.
            Icmp::ParamProblem {
                invoking: Some(inv),
                ..
            } if msg.matches(&self.tag) => {
                if self.track(rx.src) {
                    let rtt = self.rtt(inv.seq, now);
                    self.observe(rx.src, SeenBy::ParamProblem, None, frame_mac, rtt, false);
                }
            }
            Icmp::NeighbourAdvert {
                target,
                router,
                override_flag,
                target_mac,
                ..
            } if ndp_ok
                && (self.solicited.contains_key(&target) || self.recalled.contains(&target)) =>
            {
                // A remembered address answering takes its room among the hosts now.
                if !self.solicited.contains_key(&target) && !self.adopt(target) {
                    return;
                }
                if let Some(t) = self.ns_sent.get(&target) {
                    self.quiet.answered(now.saturating_duration_since(*t));
                }
                if router {
                    self.await_ra(target_mac.or(frame_mac));
                }
                match target_mac {
                    Some(mac) if mac.is_host() => {
                        self.claim(target, mac, ClaimVia::advert(override_flag, router));
                        let first = self.solicited.get(&target) == Some(&false);
                        self.observe(target, SeenBy::Ndp, Some(mac), frame_mac, None, router);
                        if first && self.from_mld.contains(&target) {
                            self.observe(target, SeenBy::Mld, Some(mac), frame_mac, None, router);
                        }
                        self.credit_node_info(target, mac, frame_mac);
                        if self.macs.len() < self.cfg.max_hosts
                            && self.macs.insert(target, mac).is_none()
                        {
                            self.solicit_mld_candidates();
                        }
                    }
                    // The answer to a unicast NS (Linux leaves the option out): the host is
                    // there, and its frame may say who it is.
                    None => self.observe(target, SeenBy::Ndp, None, frame_mac, None, router),
                    Some(_) => self.stats.malformed += 1,
                }
            }
            // An advertisement nobody here asked for: a host announcing itself.
            Icmp::NeighbourAdvert {
                target,
                target_mac: Some(mac),
                router,
                override_flag,
                ..
            } if ndp_ok && mac.is_host() => {
                if self.solicited.contains_key(&target)
                    || self.heard < router_limit(self.cfg.max_hosts)
                {
                    self.claim(target, mac, ClaimVia::advert(override_flag, router));
                }
                self.heard_from(target, Some(mac), frame_mac)
            }
            // A host resolving an address (ours, before it answers us) says its MAC.
            Icmp::NeighbourSolicit {
                target,
                source_mac: Some(mac),
            } if ndp_ok && mac.is_host() => {
                let known = self.solicited.contains_key(&rx.src);
                if known || self.heard < router_limit(self.cfg.max_hosts) {
                    self.claim(rx.src, mac, ClaimVia::Solicit);
                    self.heard_from(rx.src, Some(mac), frame_mac);
                } else if self.cfg.own.contains(&target) {
                    (self.emit)(Observation::MacHint {
                        ifindex: self.cfg.ifindex,
                        addr: rx.src,
                        mac,
                    });
                } else {
                    self.stats.dropped_over_limit += 1;
                }
            }
            Icmp::RouterSolicit {
                source_mac: Some(mac),
            } if ndp_ok && is_link_local(rx.src) && mac.is_host() => {
                self.heard_from(rx.src, Some(mac), frame_mac);
            }
            Icmp::RouterAdvert(ref advert) if ndp_ok && is_link_local(rx.src) => {
                let known = self.solicited.contains_key(&rx.src);
                if !known && self.routers >= router_limit(self.cfg.max_hosts) {
                    self.stats.dropped_over_limit += 1;
                    return;
                }
                let prefixes: Vec<Ipv6Prefix> = advert
                    .prefixes
                    .iter()
                    .filter(|p| p.on_link && !is_link_local(p.prefix) && !p.prefix.is_multicast())
                    .map(|p| Ipv6Prefix::new(p.prefix, p.len))
                    .collect();
                if self.track(rx.src) {
                    self.routers += usize::from(!known);
                    let mac = advert.source_mac.filter(|m| m.is_host());
                    if self.ra_macs.len() < router_limit(self.cfg.max_hosts) {
                        self.ra_macs.extend(frame_mac.into_iter().chain(mac));
                    }
                    for m in frame_mac.into_iter().chain(mac) {
                        self.awaiting_ra.remove(&m);
                    }
                    if self.awaiting_ra.is_empty() {
                        self.quiet.release();
                    }
                    if let Some(m) = mac {
                        self.claim(rx.src, m, ClaimVia::RouterAdvert);
                    }
                    self.observe(
                        rx.src,
                        SeenBy::Ra,
                        mac,
                        frame_mac,
                        None,
                        advert.is_default_router(),
                    );
                    (self.emit)(Observation::Router {
                        ifindex: self.cfg.ifindex,
                        addr: rx.src,
                        mac: frame_mac.or(mac),
                        advert: advert.clone(),
                    });
                    for prefix in prefixes {
                        if self.prefixes.len() < 64 && !self.prefixes.contains(&prefix) {
                            self.prefixes.push(prefix);
                            self.spread_ids_to(prefix);
                        }
                        (self.emit)(Observation::Prefix {
                            ifindex: self.cfg.ifindex,
                            prefix,
                        });
                    }
                    self.solicit_mld_candidates();
                }
            }
            Icmp::NeighbourAdvert { .. }
            | Icmp::NeighbourSolicit { .. }
            | Icmp::RouterSolicit { .. }
            | Icmp::RouterAdvert { .. }
                if !ndp_ok =>
            {
                self.stats.malformed += 1
            }
            // An error that quotes nothing of ours (or too little to tell): counted, as
            // it may be an answer from a stack that quotes in a way we do not read yet.
            Icmp::ParamProblem { .. } => self.stats.unmatched_errors += 1,
            Icmp::Other { icmp_type, .. } if icmp_type < packet::FIRST_INFORMATIONAL_TYPE => {
                self.stats.unmatched_errors += 1
            }
            Icmp::EchoRequest { .. } | Icmp::RouterSolicit { .. } | Icmp::Other { .. } => {}
            _ => self.stats.foreign += 1,
        }
    }

    /// Round-trip time of the answer to probe `seq`.
    fn rtt(&mut self, seq: u16, now: Instant) -> Option<Duration> {
        let rtt = self
            .sent_at
            .get(&seq)
            .map(|t| now.saturating_duration_since(*t));
        if let Some(d) = rtt {
            self.quiet.answered(d);
        }
        rtt
    }
}
