//! One-shot mDNS lookups as a state value: the questions in flight and the names already
//! followed. Asking builds a question and sends it through [`MdnsSend`] (the platform's
//! UDP socket; a recorder in the tests); [`Mdns::receive`] takes one received message and
//! says what it tells. A name found for an address starts the forward lookup of all the
//! addresses of that name. No I/O of its own: everything here is unit-tested on bytes.

use super::announce::{MAX_ADDRESSES, MAX_SERVICES};
use super::dns::{self, clean_name};
use super::{Addresses, Answer, NameAnswer, NameSource, Services};
use std::collections::{HashMap, HashSet};
use std::net::{Ipv6Addr, SocketAddrV6};

/// The mDNS group.
pub const MDNS_GROUP: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);
/// The mDNS port: questions go to it, and answers come from it.
pub const MDNS_PORT: u16 = 5353;
/// Most `.local` names looked up forward per scan: each costs two small queries.
pub const MAX_FORWARD: usize = 512;

/// Sends one mDNS message.
pub trait MdnsSend {
    /// Sends `msg` to `dest`; true when it went out.
    fn send_to(&self, msg: &[u8], dest: SocketAddrV6) -> bool;
}

/// The mDNS group on interface `ifindex`.
pub fn group(ifindex: u32) -> SocketAddrV6 {
    SocketAddrV6::new(MDNS_GROUP, MDNS_PORT, 0, ifindex)
}

/// What one received message told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    /// Something learnt.
    Answer(Answer),
    /// A follow-up question (the forward lookup of a name just found) went out: one more
    /// answer to wait for.
    Asked,
    /// A question got its answer: one fewer to wait for.
    Done,
}

/// What an mDNS question in flight asked.
#[derive(Clone, Debug)]
enum Asked {
    /// The name of `addr`.
    Ptr { ifindex: u32, addr: Ipv6Addr },
    /// The addresses of `name`, found for `asked`.
    Host {
        ifindex: u32,
        asked: Ipv6Addr,
        name: String,
    },
    /// Every responder's service types: asked once per interface; each responder
    /// answers for itself, from one of its addresses.
    Browse { ifindex: u32 },
}

impl Asked {
    fn ifindex(&self) -> u32 {
        match self {
            Asked::Ptr { ifindex, .. }
            | Asked::Host { ifindex, .. }
            | Asked::Browse { ifindex } => *ifindex,
        }
    }
}

/// The questions in flight (by message id), the next id, and the names looked up
/// forward.
#[derive(Debug)]
pub struct Mdns {
    pending: HashMap<u16, Asked>,
    next_id: u16,
    /// `(interface, lower-case name)` already looked up forward.
    forwarded: HashSet<(u32, String)>,
}

impl Mdns {
    /// No question in flight; the first one gets id `first_id` (random, so that answers
    /// meant for an earlier run are not taken for ours).
    pub fn new(first_id: u16) -> Mdns {
        Mdns {
            pending: HashMap::new(),
            next_id: first_id,
            forwarded: HashSet::new(),
        }
    }

    /// Asks the link for the name of `addr`; true when the question went out.
    pub fn ask_name(&mut self, net: &dyn MdnsSend, ifindex: u32, addr: Ipv6Addr) -> bool {
        let id = self.id();
        let q = dns::ptr_query(id, addr);
        self.send(net, &q, id, Asked::Ptr { ifindex, addr })
    }

    /// Asks every responder of the link for its service types: one question for the
    /// whole link (responders answer as they are, no need to wait for them), where a
    /// unicast question to a host would be refused by avahi unless our source shared one
    /// of its prefixes.
    pub fn browse(&mut self, net: &dyn MdnsSend, ifindex: u32) {
        let id = self.id();
        let q = dns::services_query(id);
        self.send(net, &q, id, Asked::Browse { ifindex });
    }

    /// Takes one message received from `from`. It counts only when it is a response to
    /// a question in flight (by id), from the mDNS port and from the question's interface
    /// (link-local sources carry it), and answers what was asked. A name found for an
    /// address starts its forward lookup ([`Heard::Asked`] for each question sent).
    pub fn receive(&mut self, net: &dyn MdnsSend, msg: &[u8], from: SocketAddrV6) -> Vec<Heard> {
        if from.port() != MDNS_PORT {
            return Vec::new();
        }
        let Some(resp) = dns::parse_response(msg) else {
            return Vec::new();
        };
        let Some(asked) = self.pending.get(&resp.id).cloned() else {
            return Vec::new();
        };
        if from.scope_id() != 0 && from.scope_id() != asked.ifindex() {
            return Vec::new();
        }
        let Some(found) = answers(&asked, &resp, *from.ip()) else {
            return Vec::new();
        };
        if let Asked::Browse { .. } = asked {
            // Every responder answers this one: it stays pending, and is not waited for.
            return found.into_iter().map(Heard::Answer).collect();
        }
        // The first answer settles the question (a responder may send twice).
        self.pending.remove(&resp.id);
        let mut heard = Vec::new();
        for a in found {
            if let Answer::Name(n) = &a {
                for _ in 0..self.follow(net, n.ifindex, n.addr, &n.name) {
                    heard.push(Heard::Asked);
                }
            }
            heard.push(Heard::Answer(a));
        }
        heard.push(Heard::Done);
        heard
    }

    /// Sends `msg` for `asked` to the group on its interface; true when it went out.
    fn send(&mut self, net: &dyn MdnsSend, msg: &[u8], id: u16, asked: Asked) -> bool {
        if msg.is_empty() || !net.send_to(msg, group(asked.ifindex())) {
            return false;
        }
        self.pending.insert(id, asked);
        true
    }

    fn id(&mut self) -> u16 {
        let id = self.next_id;
        self.next_id = id.wrapping_add(1);
        id
    }

    /// For a `.local` name found for `addr`: asks the link for all its addresses, once
    /// per interface and name, for at most [`MAX_FORWARD`] names. Returns how many
    /// questions went out.
    fn follow(&mut self, net: &dyn MdnsSend, ifindex: u32, addr: Ipv6Addr, name: &str) -> usize {
        if !dns::is_local(name)
            || self.forwarded.len() >= MAX_FORWARD
            || !self.forwarded.insert((ifindex, name.to_ascii_lowercase()))
        {
            return 0;
        }
        let id = self.id();
        let Some(q) = dns::host_query(id, name) else {
            return 0;
        };
        let asked = Asked::Host {
            ifindex,
            asked: addr,
            name: name.to_string(),
        };
        usize::from(self.send(net, &q, id, asked))
    }
}

/// What a response to `asked`, from `from`, tells; `None` when it does not answer it.
fn answers(asked: &Asked, resp: &dns::Response, from: Ipv6Addr) -> Option<Vec<Answer>> {
    let out: Vec<Answer> = match asked {
        Asked::Ptr { ifindex, addr } => {
            let owner = dns::reverse_name(*addr);
            resp.ptr_targets(&owner)
                .filter_map(clean_name)
                .map(|name| {
                    Answer::Name(NameAnswer {
                        ifindex: *ifindex,
                        addr: *addr,
                        name,
                        source: NameSource::Mdns,
                    })
                })
                .collect()
        }
        Asked::Host {
            ifindex,
            asked,
            name,
        } => {
            let mut v6 = resp.v6_of(name);
            let mut v4 = resp.v4_of(name);
            v6.truncate(MAX_ADDRESSES);
            v4.truncate(MAX_ADDRESSES);
            if v6.is_empty() && v4.is_empty() {
                Vec::new()
            } else {
                vec![Answer::Addresses(Addresses {
                    ifindex: *ifindex,
                    asked: *asked,
                    name: name.clone(),
                    v6,
                    v4,
                })]
            }
        }
        Asked::Browse { ifindex } => {
            let mut services: Vec<String> = resp
                .ptr_targets(dns::SERVICES)
                .filter_map(dns::service_type)
                .collect();
            services.sort();
            services.dedup();
            services.truncate(MAX_SERVICES);
            if services.is_empty() {
                Vec::new()
            } else {
                vec![Answer::Services(Services {
                    ifindex: *ifindex,
                    asked: from,
                    services,
                })]
            }
        }
    };
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
#[path = "mdns_tests.rs"]
mod tests;
