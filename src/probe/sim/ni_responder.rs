//! Simulated hosts answering Node Information queries as FreeBSD and macOS do: a Node
//! Addresses reply from their link-local address listing every address they have, and a
//! Node Name reply with their name.

use super::SimLink;
use crate::probe::packet::nodeinfo::{self, QTYPE_NODE_ADDRESSES, QTYPE_NODE_NAME};
use crate::probe::Probe;

/// Hop limit of a Node Information reply: the responder's default (KAME: 64 unicast).
const NI_HOP_LIMIT: u8 = 64;

impl SimLink {
    pub(super) fn on_ni_query(&mut self, probe: &Probe<'_>) {
        let Some((nonce, qtype @ (QTYPE_NODE_ADDRESSES | QTYPE_NODE_NAME))) =
            nodeinfo::parse_query(probe.message)
        else {
            return;
        };
        let multicast = probe.dst.is_multicast();
        let mut answers = Vec::new();
        for i in self.receivers(probe.dst) {
            if !self.hosts[i].quirks.node_info || self.lost(i, multicast) {
                continue;
            }
            let host = &self.hosts[i];
            let Some(from) = Self::answer_from(host, None) else {
                continue;
            };
            let reply = if qtype == QTYPE_NODE_NAME {
                let names: Vec<&str> = host.quirks.node_name.into_iter().collect();
                nodeinfo::node_name_reply(nonce, 0, &names)
            } else {
                nodeinfo::node_addresses_reply(nonce, false, &host.addrs)
            };
            answers.push((from, NI_HOP_LIMIT, reply, Some(host.mac)));
        }
        for a in answers {
            self.answer(a, 1);
        }
    }
}
