//! Node Information (RFC 4620) in the probe loop: a Node Addresses query to ff02::1 in
//! the first round, the same query unicast to the first hosts that answer our probes
//! (Wi-Fi drops multicast; bounded, and only from the spare unicast budget), and each
//! reply's addresses confirmed by a Neighbour Solicitation before they are listed —
//! credited to Node Information only when the replier's MAC answers. When the scan looks
//! up names, a Node Name query goes beside each Node Addresses one, within the same
//! bounds, and the names replies give are passed on for the replier's address.

use super::Worker;
use crate::mac::Mac;
use crate::model::{is_host_address, is_link_local, Observation, SeenBy};
use crate::probe::nodeinfo;
use crate::probe::{Link, Probe, Received};
use std::net::Ipv6Addr;
use std::time::Instant;

/// Most hosts one interface sends a unicast query to: the multicast query reaches every
/// node that answers it; unicast is for the few that answer only to their own address.
pub(super) const MAX_UNICAST_QUERIES: usize = 64;
/// Most addresses from replies one interface solicits per scan.
pub(super) const MAX_REPLY_CANDIDATES: usize = 256;

impl<L: Link> Worker<'_, L> {
    /// The Node Addresses query, to `dst` about `dst`, from our link-local address.
    pub(super) fn send_ni_query(&mut self, dst: Ipv6Addr) {
        let query = nodeinfo::node_addresses_query(self.tag.cookie, dst);
        self.send_ni(dst, &query);
    }

    /// The Node Name query, to `dst` about `dst`, when the scan looks up names.
    pub(super) fn send_ni_name_query(&mut self, dst: Ipv6Addr) {
        let query = nodeinfo::node_name_query(self.tag.cookie, dst);
        self.send_ni(dst, &query);
    }

    fn send_ni(&mut self, dst: Ipv6Addr, query: &[u8]) {
        self.send(Probe {
            dst,
            src: self.cfg.sources.first().copied(),
            message: query,
            dest_opts: None,
            hop_opts: None,
            hop_limit: None,
        });
    }

    /// Asks a host that answered our probes by unicast, once, within the bounds.
    pub(super) fn ask_node_info(&mut self, addr: Ipv6Addr, via: SeenBy) {
        if !self.full
            || !is_link_local(addr)
            || !matches!(via, SeenBy::Echo | SeenBy::ParamProblem)
            || self.ni_asked.len() >= MAX_UNICAST_QUERIES
            || !self.ni_asked.insert(addr)
        {
            return;
        }
        if self.pending.take_spare_unicast(Instant::now()) {
            self.send_ni_query(addr);
        } else {
            self.stats.skipped += 1;
        }
        if !self.cfg.node_name {
            return;
        }
        if self.pending.take_spare_unicast(Instant::now()) {
            self.send_ni_name_query(addr);
        } else {
            self.stats.skipped += 1;
        }
    }

    /// A parsed reply, or `None` with the reason counted: refusals and other Qtypes are
    /// well-formed answers we cannot use; anything else is malformed.
    fn counted<T>(&mut self, r: Result<T, nodeinfo::Malformed>) -> Option<T> {
        match r {
            Ok(r) => Some(r),
            Err(nodeinfo::Malformed::Refused | nodeinfo::Malformed::OtherQtype) => {
                self.stats.foreign += 1;
                None
            }
            Err(_) => {
                self.stats.malformed += 1;
                None
            }
        }
    }

    /// A Node Addresses reply: the replier is a live host, and each on-link address it
    /// lists is solicited; it takes no room among the hosts until it answers.
    pub(super) fn handle_ni_reply(&mut self, rx: &Received, bytes: &[u8]) {
        if nodeinfo::qtype(bytes) == Some(nodeinfo::QTYPE_NODE_NAME) {
            self.handle_ni_name_reply(rx, bytes);
            return;
        }
        let Some(reply) = self.counted(nodeinfo::parse_reply(bytes)) else {
            return;
        };
        if reply.nonce != self.tag.cookie {
            self.stats.foreign += 1;
            return;
        }
        if !is_host_address(rx.src) || self.cfg.own.contains(&rx.src) {
            self.stats.malformed += 1;
            return;
        }
        let frame_mac = rx.mac.filter(|m| m.is_host());
        if !self.track(rx.src) {
            return;
        }
        self.observe(rx.src, SeenBy::NodeInfo, None, frame_mac, None, false);
        let now = Instant::now();
        for addr in reply.addresses {
            let on_link = is_link_local(addr) || self.prefixes.iter().any(|p| p.contains(addr));
            if addr == rx.src
                || !on_link
                || !is_host_address(addr)
                || self.cfg.own.contains(&addr)
                || self.ni_claims.len() >= MAX_REPLY_CANDIDATES
                || self.ni_claims.contains_key(&addr)
            {
                continue;
            }
            self.ni_claims.insert(addr, frame_mac);
            // Already confirmed before the reply came: credit it now.
            if let Some(mac) = self.macs.get(&addr).copied() {
                self.credit_node_info(addr, mac, None);
            } else if !self.solicited.contains_key(&addr) {
                self.confirm(addr, now);
            }
        }
    }

    /// A Node Name reply: the replier is a live host, and the names it gives itself are
    /// passed on for its address (the first reply from each address: the multicast and
    /// the unicast query are both answered).
    fn handle_ni_name_reply(&mut self, rx: &Received, bytes: &[u8]) {
        let Some(reply) = self.counted(nodeinfo::parse_name_reply(bytes)) else {
            return;
        };
        // Not asked (names are off): another program's answer.
        if !self.cfg.node_name || reply.nonce != self.tag.cookie {
            self.stats.foreign += 1;
            return;
        }
        if !is_host_address(rx.src) || self.cfg.own.contains(&rx.src) {
            self.stats.malformed += 1;
            return;
        }
        if self.ni_named.contains(&rx.src) || !self.track(rx.src) {
            return;
        }
        self.ni_named.insert(rx.src);
        let frame_mac = rx.mac.filter(|m| m.is_host());
        self.observe(rx.src, SeenBy::NodeInfo, None, frame_mac, None, false);
        for name in reply.names {
            (self.emit)(Observation::Name {
                ifindex: self.cfg.ifindex,
                addr: rx.src,
                name,
            });
        }
    }

    /// Credits Node Information with an address a reply listed, once its Neighbour
    /// Advertisement carries `mac`: only when that is the replier's MAC (or the replier's
    /// frame was not seen).
    pub(super) fn credit_node_info(&mut self, target: Ipv6Addr, mac: Mac, frame_mac: Option<Mac>) {
        match self.ni_claims.get(&target) {
            Some(claimed) if claimed.is_none_or(|m| m == mac) => {
                self.ni_claims.insert(target, Some(mac));
                if self.ni_credited.insert(target) {
                    self.observe(target, SeenBy::NodeInfo, Some(mac), frame_mac, None, false);
                }
            }
            _ => {}
        }
    }
}
