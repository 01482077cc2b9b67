//! Neighbour discovery in the probe loop: advertisements answering our solicitations
//! (a MAC, a router), and what nobody asked for — hosts announcing themselves, resolving
//! us, soliciting routers, and Router Advertisements — each within [`super::bounds`].

use super::receive::Envelope;
use super::{Sighting, Worker};
use crate::mac::Mac;
use crate::model::{is_host_address, is_link_local, ClaimVia, Ipv6Prefix, Observation, SeenBy};
use crate::probe::packet::Icmp;
use crate::probe::Link;
use crate::router::Advert;
use std::net::Ipv6Addr;

/// A Neighbour Advertisement's fields that matter here.
#[derive(Clone, Copy, Debug)]
struct Na {
    target: Ipv6Addr,
    router: bool,
    override_flag: bool,
    target_mac: Option<Mac>,
}

impl<L: Link> Worker<'_, L> {
    /// Hands a neighbour discovery message to its handler; NDP from off-link (hop limit
    /// below 255, RFC 4861 §6.1, §7.1) is forged.
    pub(super) fn on_ndp(&mut self, msg: Icmp, env: Envelope) {
        if !env.ndp_ok {
            self.port.stats.malformed += 1;
            return;
        }
        match msg {
            Icmp::NeighbourAdvert {
                target,
                router,
                override_flag,
                target_mac,
                ..
            } => self.on_advert(
                env,
                Na {
                    target,
                    router,
                    override_flag,
                    target_mac,
                },
            ),
            // A host resolving an address (ours, before it answers us) says its MAC.
            Icmp::NeighbourSolicit {
                target,
                source_mac: Some(mac),
            } if mac.is_host() => self.on_solicit(env, target, mac),
            Icmp::RouterSolicit {
                source_mac: Some(mac),
            } if is_link_local(env.src) && mac.is_host() => {
                self.heard_from(env.src, Some(mac), env.frame_mac);
            }
            Icmp::RouterSolicit { .. } => {}
            Icmp::RouterAdvert(advert) if is_link_local(env.src) => {
                self.on_router_advert(env, &advert);
            }
            _ => self.port.stats.foreign += 1,
        }
    }

    /// A Neighbour Advertisement: an answer when we asked about its target, else a host
    /// announcing itself.
    fn on_advert(&mut self, env: Envelope, na: Na) {
        if self.asks.asked(na.target) {
            return self.on_answered_solicitation(env, na);
        }
        match na.target_mac {
            Some(mac) if mac.is_host() => {
                if self.bounds.room_for_heard() {
                    let via = ClaimVia::advert(na.override_flag, na.router);
                    self.claim(na.target, mac, via);
                }
                self.heard_from(na.target, Some(mac), env.frame_mac);
            }
            _ => self.port.stats.foreign += 1,
        }
    }

    /// An advertisement for an address we asked about: its MAC, and whether it is a
    /// router.
    fn on_answered_solicitation(&mut self, env: Envelope, na: Na) {
        self.port.stats.frames_elicited += 1;
        let target = na.target;
        // A remembered address answering takes its room among the hosts now.
        match self.asks.track(target, na.target_mac.or(env.frame_mac)) {
            super::Track::Full => {
                self.port.stats.dropped_over_memory += 1;
                return;
            }
            super::Track::New => self.quiet.found(env.now),
            super::Track::Known => {}
        }
        if let Some(latency) = self.asks.latency(target, env.now) {
            self.quiet.answered(env.now, latency);
        }
        // A malformed advertisement's Router flag takes no router's room.
        let valid = na.target_mac.is_none_or(|m| m.is_host());
        let router = na.router && valid && self.bounds.router_flag(target);
        if router {
            if let Some(until) = self.routers.await_ra(na.target_mac.or(env.frame_mac)) {
                self.quiet.hold_until(until);
            }
        }
        let seen = Sighting::new(target, SeenBy::Ndp, env.frame_mac).router(router);
        match na.target_mac {
            Some(mac) if mac.is_host() => {
                self.claim(target, mac, ClaimVia::advert(na.override_flag, na.router));
                let first = self.asks.mac_unknown(target);
                self.observe(seen.mac(Some(mac)));
                if first && self.mld.is_candidate(target) {
                    self.observe(
                        Sighting {
                            via: SeenBy::Mld,
                            ..seen
                        }
                        .mac(Some(mac)),
                    );
                }
                self.credit_node_info(target, mac, env.frame_mac);
                if self.learned.mac(target, mac) {
                    self.solicit_mld_candidates();
                }
            }
            // The answer to a unicast NS (Linux leaves the option out): the host is
            // there, and its frame may say who it is.
            None => self.observe(seen),
            Some(_) => self.port.stats.malformed += 1,
        }
    }

    /// A Neighbour Solicitation from a host with `mac`, resolving `target`.
    fn on_solicit(&mut self, env: Envelope, target: Ipv6Addr, mac: Mac) {
        if self.cfg.own.contains(&target) {
            self.quiet.resolving(env.now);
        }
        if self.asks.is_tracked(env.src) || self.bounds.room_for_heard() {
            self.claim(env.src, mac, ClaimVia::Solicit);
            self.heard_from(env.src, Some(mac), env.frame_mac);
        } else if self.cfg.own.contains(&target) {
            self.port.emit(Observation::MacHint {
                ifindex: self.port.ifindex(),
                addr: env.src,
                mac,
            });
        } else {
            self.port.stats.dropped_over_limit += 1;
        }
    }

    /// A host heard on its own: tracked (bounded) and reported with the MAC it announced.
    pub(super) fn heard_from(&mut self, addr: Ipv6Addr, mac: Option<Mac>, frame_mac: Option<Mac>) {
        if !is_host_address(addr) || self.cfg.own.contains(&addr) {
            return;
        }
        if self.track_unsolicited(addr, mac.or(frame_mac)) {
            self.observe(Sighting::new(addr, SeenBy::Heard, frame_mac).mac(mac));
        }
    }

    /// Tracks `addr`, known only from what it sent on its own (in a frame from `mac`),
    /// within the bound on heard hosts; false when there is no room.
    pub(super) fn track_unsolicited(&mut self, addr: Ipv6Addr, mac: Option<Mac>) -> bool {
        let tracked = self.asks.is_tracked(addr);
        if !tracked && !self.bounds.room_for_heard() {
            self.port.stats.dropped_over_limit += 1;
            return false;
        }
        if !self.track(addr, mac) {
            return false;
        }
        if !tracked {
            self.bounds.note_heard(addr);
        }
        true
    }

    /// A Router Advertisement from a link-local source: a router, its prefixes and
    /// options — within the bound on routers nobody found otherwise.
    fn on_router_advert(&mut self, env: Envelope, advert: &Advert) {
        let tracked = self.asks.is_tracked(env.src);
        if !self.bounds.router_room(env.src, tracked) {
            self.port.stats.dropped_over_limit += 1;
            return;
        }
        let mac = advert.source_mac.filter(|m| m.is_host());
        if !self.track(env.src, mac.or(env.frame_mac)) {
            return;
        }
        self.bounds.note_router(env.src, tracked);
        let macs: Vec<Mac> = env.frame_mac.into_iter().chain(mac).collect();
        if self.routers.advertised(&macs) {
            self.quiet.release();
        }
        if let Some(m) = mac {
            self.claim(env.src, m, ClaimVia::RouterAdvert);
        }
        let seen = Sighting::new(env.src, SeenBy::Ra, env.frame_mac).mac(mac);
        self.observe(seen.router(advert.is_default_router()));
        self.port.emit(Observation::Router {
            ifindex: self.port.ifindex(),
            addr: env.src,
            mac: env.frame_mac.or(mac),
            advert: Box::new(advert.clone()),
        });
        self.learn_prefixes(advert);
        self.solicit_mld_candidates();
    }

    /// The on-link prefixes a router advertised: each new one gets every known interface
    /// ID tried in it.
    fn learn_prefixes(&mut self, advert: &Advert) {
        let prefixes = advert
            .prefixes
            .iter()
            .filter(|p| p.on_link && !is_link_local(p.prefix) && !p.prefix.is_multicast())
            .map(|p| Ipv6Prefix::new(p.prefix, p.len));
        for prefix in prefixes {
            if self.learned.prefix(prefix) && self.port.full() {
                let tries = self.ids.in_new_prefix(&prefix);
                self.try_ids(tries);
            }
            self.port.emit(Observation::Prefix {
                ifindex: self.port.ifindex(),
                prefix,
            });
        }
    }

    /// Passes on a neighbour's word about whose MAC an address is.
    fn claim(&mut self, addr: Ipv6Addr, mac: Mac, via: ClaimVia) {
        self.port.emit(Observation::Claim {
            ifindex: self.port.ifindex(),
            addr,
            mac,
            via,
        });
    }
}
