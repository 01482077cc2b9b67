//! The receiving half of the probe loop: one dispatch over the parsed message, which hands
//! each kind to what it teaches — an answer to our probes (echo, Parameter Problem, MLD,
//! Node Information), or neighbour discovery ([`super::ndp`]) — and what is dropped and
//! counted.

use super::{Sighting, Worker};
use crate::mac::Mac;
use crate::model::{is_host_address, is_link_local, Observation, SeenBy};
use crate::probe::packet::{self, mld, nodeinfo, Icmp};
use crate::probe::{Link, Received};
use std::time::Instant;

/// The hop limit every genuine NDP message arrives with (RFC 4861 §6.1, §7.1).
const NDP_HOP_LIMIT: u8 = 255;

/// One received message with what its envelope says.
#[derive(Clone, Copy, Debug)]
pub(super) struct Envelope {
    /// The IPv6 source.
    pub(super) src: std::net::Ipv6Addr,
    /// The sender's MAC from its frame, when it is a host's.
    pub(super) frame_mac: Option<Mac>,
    /// Whether it may be neighbour discovery: it came with hop limit 255 (or the
    /// platform cannot tell).
    pub(super) ndp_ok: bool,
    /// The hop limit it came with, when the platform tells.
    pub(super) hop_limit: Option<u8>,
    /// When it arrived.
    pub(super) now: Instant,
}

impl<L: Link> Worker<'_, L> {
    /// Handles one received message.
    pub(super) fn handle(&mut self, rx: &Received, bytes: &[u8], now: Instant) {
        let Some(msg) = self.parse(bytes) else {
            return;
        };
        let env = Envelope {
            src: rx.src,
            frame_mac: rx.mac.filter(|m| m.is_host()),
            ndp_ok: rx.hop_limit.is_none_or(|h| h == NDP_HOP_LIMIT),
            hop_limit: rx.hop_limit,
            now,
        };
        if rx.src.is_unspecified() {
            // Duplicate address detection (RFC 4862 §5.4.2): a device joining the link
            // asks whether its new address is taken; the frame says who it is.
            return self.on_unspecified_source(&msg, rx.mac.filter(|m| m.is_host()), env);
        }
        if !is_host_address(rx.src) {
            self.port.stats.malformed += 1;
            return;
        }
        if self.cfg.own.contains(&rx.src) {
            // We query no address of ours, so a Node Information reply from one is
            // forged; anything else from it is our own traffic.
            match msg {
                Icmp::NodeInfoReply(_) => self.port.stats.malformed += 1,
                _ => self.port.stats.foreign += 1,
            }
            return;
        }
        self.dispatch(msg, env);
    }

    /// The message `bytes` hold, or `None` when it is to be ignored (and counted, when
    /// malformed).
    fn parse(&mut self, bytes: &[u8]) -> Option<Icmp> {
        let first = bytes.first().copied();
        let mld_report = matches!(
            first,
            Some(packet::TYPE_MLD_REPORT_V1 | packet::TYPE_MLD_REPORT_V2)
        );
        // Without --mld, reports are not answers of ours, whatever they hold.
        if mld_report && !self.cfg.mld {
            return None;
        }
        match packet::parse(bytes) {
            Ok(m) => Some(m),
            // Echo requests, RSs and queries are not answers; a malformed one is as
            // ignorable as a well-formed one.
            Err(_) if matches!(first, Some(t) if packet::never_an_answer(t)) => None,
            Err(_) => {
                self.port.stats.malformed += 1;
                None
            }
        }
    }

    /// A message from the unspecified address: only a DAD probe tells anything.
    fn on_unspecified_source(&mut self, msg: &Icmp, frame_mac: Option<Mac>, env: Envelope) {
        match msg {
            Icmp::NeighbourSolicit { target, .. } if env.ndp_ok => {
                self.heard_from(*target, None, frame_mac);
            }
            Icmp::RouterSolicit { .. } | Icmp::NeighbourSolicit { .. } => {}
            _ => self.port.stats.malformed += 1,
        }
    }

    /// Hands each kind of message to what it teaches.
    fn dispatch(&mut self, msg: Icmp, env: Envelope) {
        let tag = *self.port.tag();
        match msg {
            Icmp::EchoReply { seq, .. } if msg.matches(&tag) => {
                self.on_answer(env, SeenBy::Echo, seq);
            }
            // Any code: some stacks answer the unknown option with another one.
            Icmp::ParamProblem {
                invoking: Some(inv),
                ..
            } if msg.matches(&tag) => self.on_answer(env, SeenBy::ParamProblem, inv.seq),
            Icmp::MldReport(report) => self.on_mld_report(env, report),
            Icmp::NodeInfoReply(reply) => self.on_node_info(env, reply),
            Icmp::NeighbourAdvert { .. }
            | Icmp::NeighbourSolicit { .. }
            | Icmp::RouterSolicit { .. }
            | Icmp::RouterAdvert { .. } => self.on_ndp(msg, env),
            // An error that quotes nothing of ours (or too little to tell): counted, as
            // it may be an answer from a stack that quotes in a way we do not read yet.
            Icmp::ParamProblem { .. } => self.port.stats.unmatched_errors += 1,
            Icmp::Other { icmp_type, .. } if icmp_type < packet::FIRST_INFORMATIONAL_TYPE => {
                self.port.stats.unmatched_errors += 1
            }
            Icmp::EchoRequest { .. }
            | Icmp::MldQuery(_)
            | Icmp::NodeInfoQuery { .. }
            | Icmp::Other { .. } => {}
            Icmp::EchoReply { .. } => self.port.stats.foreign += 1,
        }
    }

    /// An answer carrying our cookie: its sender is a live host.
    fn on_answer(&mut self, env: Envelope, via: SeenBy, seq: u16) {
        self.port.stats.frames_elicited += 1;
        if self.track(env.src, env.frame_mac) {
            self.rounds.answered(env.src, seq);
            let rtt = self.rounds.rtt(seq, env.now);
            if let Some(d) = rtt {
                self.quiet.answered(env.now, d);
            }
            self.observe(Sighting::new(env.src, via, env.frame_mac).rtt(rtt));
        }
    }

    /// Reports one sighting; a MAC from an option or a frame ends its solicitations. An
    /// answer to our own probes also spreads its interface ID to the link's other
    /// prefixes, and may earn it a unicast Node Information query.
    pub(super) fn observe(&mut self, s: Sighting) {
        self.port.stats.replies += 1;
        // Our cookie or our query's nonce: an MLD report carries neither, and anyone
        // can send one.
        if matches!(
            s.via,
            SeenBy::Echo | SeenBy::ParamProblem | SeenBy::NodeInfo
        ) {
            self.bounds.answered(s.addr);
        }
        if self.port.full() {
            let tries = self.ids.seen(s.addr, s.via, self.learned.prefixes());
            self.try_ids(tries);
            if self.ni.ask(s.addr, s.via) {
                self.ask_node_info(s.addr);
            }
        }
        if (s.mac.is_some() || s.frame_mac.is_some()) && self.asks.mac_known(s.addr) {
            self.quiet.found(self.now());
        }
        self.port.emit(Observation::Address {
            ifindex: self.port.ifindex(),
            addr: s.addr,
            via: s.via,
            mac: s.mac,
            frame_mac: s.frame_mac,
            rtt: s.rtt,
            router: s.router,
        });
    }

    /// The unicast Node Information queries to a host that answered our probes, from
    /// the spare unicast budget.
    fn ask_node_info(&mut self, addr: std::net::Ipv6Addr) {
        if self.asks.take_spare_unicast(self.now()) {
            self.send_ni_query(addr);
        } else {
            self.port.stats.skipped += 1;
        }
        if !self.cfg.node_name {
            return;
        }
        if self.asks.take_spare_unicast(self.now()) {
            self.send_ni_name_query(addr);
        } else {
            self.port.stats.skipped += 1;
        }
    }

    /// An MLD report: its sender is a live host (even one that ignores every echo), and
    /// its solicited-node groups give address candidates to confirm.
    fn on_mld_report(&mut self, env: Envelope, report: mld::Report) {
        // RFC 3810 §5.2.13: reports come from a link-local source with hop limit 1.
        if !is_link_local(env.src) || env.hop_limit.is_some_and(|h| h != 1) {
            self.port.stats.malformed += 1;
            return;
        }
        self.port.stats.frames_elicited += 1;
        // A report carries no nonce of ours: a reporter is bounded like a host heard
        // announcing itself until it answers something of ours.
        if !self.track_unsolicited(env.src, env.frame_mac) {
            return;
        }
        self.observe(Sighting::new(env.src, SeenBy::Mld, env.frame_mac));
        self.mld.report(env.src, report.groups());
        self.solicit_mld_candidates();
    }

    /// Tracks every new candidate address of every host that reported its groups.
    pub(super) fn solicit_mld_candidates(&mut self) {
        let own = &self.cfg.own;
        let asks = &self.asks;
        let new = self
            .mld
            .candidates(self.learned.prefixes(), self.learned.macs(), |c| {
                asks.is_tracked(c) || own.contains(&c)
            });
        for c in new {
            if self.track(c, None) {
                self.mld.mark(c);
            }
        }
    }

    /// A Node Information reply ours asked for: its replier is a live host.
    fn on_node_info(&mut self, env: Envelope, reply: nodeinfo::Reply) {
        let nonce = match &reply {
            nodeinfo::Reply::Addresses(r) => r.nonce,
            nodeinfo::Reply::Name(r) => r.nonce,
            // Refusals and other Qtypes are well-formed answers we cannot use.
            nodeinfo::Reply::Unusable { .. } => {
                self.port.stats.foreign += 1;
                return;
            }
        };
        let names_off = matches!(reply, nodeinfo::Reply::Name(_)) && !self.cfg.node_name;
        // Not ours, or not asked (names are off): another program's answer.
        if nonce != self.port.tag().cookie || names_off {
            self.port.stats.foreign += 1;
            return;
        }
        self.port.stats.frames_elicited += 1;
        match reply {
            nodeinfo::Reply::Addresses(r) => self.on_node_addresses(env, r),
            nodeinfo::Reply::Name(r) => self.on_node_name(env, r),
            nodeinfo::Reply::Unusable { .. } => {}
        }
    }

    /// A Node Addresses reply: each on-link address it lists is solicited; it takes no
    /// room among the hosts until it answers.
    fn on_node_addresses(&mut self, env: Envelope, reply: nodeinfo::AddressesReply) {
        if !self.track(env.src, env.frame_mac) {
            return;
        }
        self.observe(Sighting::new(env.src, SeenBy::NodeInfo, env.frame_mac));
        for addr in reply.addresses {
            if addr == env.src
                || !self.learned.on_link(addr)
                || !is_host_address(addr)
                || self.cfg.own.contains(&addr)
                || !self.ni.listed(addr, env.frame_mac)
            {
                continue;
            }
            // Already confirmed before the reply came: credit it now.
            if let Some(mac) = self.learned.mac_of(addr) {
                self.credit_node_info(addr, mac, None);
            } else if !self.asks.is_tracked(addr) {
                self.confirm(addr, env.now);
            }
        }
    }

    /// A Node Name reply: the names the replier gives itself are passed on for its
    /// address (the first reply from each address: the multicast and the unicast query
    /// are both answered).
    fn on_node_name(&mut self, env: Envelope, reply: nodeinfo::NameReply) {
        if !self.track(env.src, env.frame_mac) || !self.ni.named(env.src) {
            return;
        }
        self.observe(Sighting::new(env.src, SeenBy::NodeInfo, env.frame_mac));
        for name in reply.names {
            self.port.emit(Observation::Name {
                ifindex: self.port.ifindex(),
                addr: env.src,
                name,
            });
        }
    }

    /// Credits Node Information with an address a reply listed, once its Neighbour
    /// Advertisement carries `mac`: only when that is the replier's MAC (or the replier's
    /// frame was not seen).
    pub(super) fn credit_node_info(
        &mut self,
        target: std::net::Ipv6Addr,
        mac: Mac,
        frame_mac: Option<Mac>,
    ) {
        if self.ni.credit(target, mac) {
            self.observe(Sighting::new(target, SeenBy::NodeInfo, frame_mac).mac(Some(mac)));
        }
    }
}
