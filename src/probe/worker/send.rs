//! The sending half of the probe loop: the multicast rounds (echo, the echoes behind the
//! unknown destination option, RS, Node Information and MLD queries), paced `gap` apart,
//! and the Neighbour Solicitations.

use super::{mld_response_delay, Worker, ALL_NODES, ALL_ROUTERS, SEQ_DEST_OPTS, SEQ_UNKNOWN_TYPE};
use crate::probe::{mld, packet, Link, Probe};
use std::net::Ipv6Addr;
use std::time::Instant;

/// A multicast probe of a round waiting for its turn.
#[derive(Clone, Copy, Debug)]
pub(super) struct Queued {
    seq: u16,
    src: Ipv6Addr,
    kind: ProbeKind,
}

/// The three multicast probes of a round, from each source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProbeKind {
    /// A plain echo request.
    Echo,
    /// The echo behind the unknown destination option.
    OptionEcho,
    /// The unknown ICMPv6 type behind the unknown destination option.
    OptionUnknownType,
}

impl<L: Link> Worker<'_, L> {
    pub(super) fn send(&mut self, probe: Probe<'_>) {
        match self.link.send(&probe) {
            Ok(()) => {
                self.stats.probes_sent += 1;
                self.quiet.sent(Instant::now());
            }
            Err(e) => {
                self.stats.send_errors += 1;
                self.first_send_error.get_or_insert(e);
            }
        }
    }

    pub(super) fn send_round(&mut self, round: u32) {
        let link_local = self.cfg.sources.first().copied();
        if !self.full {
            self.send_echo_only(round);
            return;
        }
        if round == 0 {
            let rs = packet::router_solicitation(self.cfg.mac);
            self.send(Probe {
                dst: ALL_ROUTERS,
                src: link_local,
                message: &rs,
                dest_opts: None,
                hop_opts: None,
                hop_limit: None,
            });
            self.rs_sent = Some(Instant::now());
            self.send_ni_query(ALL_NODES);
            if self.cfg.node_name {
                self.send_ni_name_query(ALL_NODES);
            }
            if self.cfg.mld {
                self.send_mld_query(link_local);
            }
        }
        for (i, src) in self.cfg.sources.iter().enumerate() {
            let seq = round_seq(round, i);
            for (kind, bit) in [
                (ProbeKind::Echo, 0),
                (ProbeKind::OptionEcho, SEQ_DEST_OPTS),
                (
                    ProbeKind::OptionUnknownType,
                    SEQ_DEST_OPTS | SEQ_UNKNOWN_TYPE,
                ),
            ] {
                self.queued.push_back(Queued {
                    seq: seq | bit,
                    src: *src,
                    kind,
                });
            }
        }
        self.send_queued();
    }

    /// A round on an echo-only link: one plain echo from each source (paced like the
    /// full rounds); the destination-options echo, RS, NS and MLD need a raw socket and
    /// are counted as skipped.
    pub(super) fn send_echo_only(&mut self, round: u32) {
        for (i, src) in self.cfg.sources.iter().enumerate() {
            self.queued.push_back(Queued {
                seq: round_seq(round, i),
                src: *src,
                kind: ProbeKind::Echo,
            });
            self.stats.skipped += 2;
        }
        if round == 0 {
            // The RS, the Node Information queries and the MLD query.
            self.stats.skipped += 2 + u64::from(self.cfg.node_name) + u64::from(self.cfg.mld);
        }
        self.send_queued();
    }

    /// Sends the queued multicast probes that are due, `gap` apart.
    pub(super) fn send_queued(&mut self) {
        let opts = packet::unknown_option_dest_opts();
        while !self.queued.is_empty() {
            let now = Instant::now();
            if now < self.next_send {
                return;
            }
            let Some(q) = self.queued.pop_front() else {
                return;
            };
            let message = match q.kind {
                ProbeKind::Echo | ProbeKind::OptionEcho => packet::echo_request(&self.tag, q.seq),
                ProbeKind::OptionUnknownType => packet::unknown_type_probe(&self.tag, q.seq),
            };
            self.sent_at.insert(q.seq, now);
            self.send(Probe {
                dst: ALL_NODES,
                src: Some(q.src),
                message: &message,
                dest_opts: (q.kind != ProbeKind::Echo).then_some(&opts[..]),
                hop_opts: None,
                hop_limit: None,
            });
            // From the end of this send: a send delayed after `now` (the thread preempted)
            // must not bring the next one closer than the gap.
            self.next_send = Instant::now() + self.gap;
        }
    }

    /// Asks `addr` for its MAC. The NS goes to its solicited-node group rather than to the
    /// address itself: Linux puts the target link-layer option in the NA only when the
    /// solicitation was multicast, and a switch delivers that group to the owner alone.
    pub(super) fn send_ns(&mut self, addr: Ipv6Addr) {
        let Some(mac) = self.cfg.mac.filter(|_| self.full) else {
            return;
        };
        let ns = packet::neighbour_solicitation(addr, mac);
        self.ns_sent.insert(addr, Instant::now());
        self.send(Probe {
            dst: packet::solicited_node(addr),
            src: self.cfg.sources.first().copied(),
            message: &ns,
            dest_opts: None,
            hop_opts: None,
            hop_limit: None,
        });
    }

    /// An MLDv2 general query to ff02::1: every listener reports its groups, and a host's
    /// solicited-node groups reveal the low 24 bits of each of its addresses. Hosts answer
    /// within half the window so the candidates can still be confirmed inside it.
    pub(super) fn send_mld_query(&mut self, link_local: Option<Ipv6Addr>) {
        let query = mld::general_query(mld_response_delay(self.cfg.wait));
        let alert = mld::router_alert_hop_by_hop();
        self.send(Probe {
            dst: ALL_NODES,
            src: link_local,
            message: &query,
            dest_opts: None,
            hop_opts: Some(&alert),
            hop_limit: Some(1),
        });
    }
}

/// The sequence number of source `i`'s probes in `round` (the kind bits added on top).
fn round_seq(round: u32, i: usize) -> u16 {
    ((round as u16 & 0x1f) << 8) | (i as u16 & 0xff)
}
