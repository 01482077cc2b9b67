//! The mDNS side of the [`SystemResolver`](super::resolver::SystemResolver): one UDP
//! socket, the questions in flight, and the thread that reads the answers: a name found
//! for an address starts the forward lookup of all its addresses.

use super::resolver::Event;
use crate::names::announce::{MAX_ADDRESSES, MAX_SERVICES};
use crate::names::dns::{self, clean_name};
use crate::names::{Addresses, Answer, NameAnswer, NameSource, Services};
use std::collections::{HashMap, HashSet};
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The mDNS group and port.
const MDNS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);
const MDNS_PORT: u16 = 5353;
/// Most `.local` names looked up forward per scan: each costs two small queries.
const MAX_FORWARD: usize = 512;

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

/// The mDNS side: the socket, the questions in flight, message ids.
pub(super) struct Mdns {
    sock: UdpSocket,
    pending: Mutex<HashMap<u16, Asked>>,
    next_id: AtomicU16,
    /// `(interface, lower-case name)` already looked up forward.
    forwarded: Mutex<HashSet<(u32, String)>>,
}

impl Mdns {
    /// The socket, or `None` when it cannot be opened (names then come from DNS only).
    pub(super) fn open() -> Option<Mdns> {
        let mut seed = [0u8; 2];
        let _ = getrandom::fill(&mut seed);
        let sock = UdpSocket::bind(SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)))
            .ok()
            .filter(|s| {
                // RFC 6762 §11: mDNS packets go out with hop limit 255.
                set_multicast_hops(s, 255);
                s.set_multicast_loop_v6(false).is_ok()
                    && s.set_read_timeout(Some(Duration::from_millis(20))).is_ok()
            })?;
        Some(Mdns {
            sock,
            pending: Mutex::default(),
            next_id: AtomicU16::new(u16::from_le_bytes(seed)),
            forwarded: Mutex::default(),
        })
    }

    /// Asks the link for the name of `addr`; true when the question went out.
    pub(super) fn ask_name(&self, ifindex: u32, addr: Ipv6Addr) -> bool {
        let id = self.id();
        let q = dns::ptr_query(id, addr);
        self.send(&q, id, Asked::Ptr { ifindex, addr }, group(ifindex))
    }

    /// Asks every responder of the link for its service types: one question for the
    /// whole link (responders answer as they are, no need to wait for them), where a
    /// unicast question to a host would be refused by avahi unless our source shared one
    /// of its prefixes.
    pub(super) fn browse(&self, ifindex: u32) {
        let id = self.id();
        let q = dns::services_query(id);
        self.send(&q, id, Asked::Browse { ifindex }, group(ifindex));
    }
    /// Sends `msg` for `asked` to `dest`; true when it went out.
    fn send(&self, msg: &[u8], id: u16, asked: Asked, dest: SocketAddrV6) -> bool {
        let Ok(mut p) = self.pending.lock() else {
            return false;
        };
        if msg.is_empty() || self.sock.send_to(msg, dest).is_err() {
            return false;
        }
        p.insert(id, asked);
        true
    }

    fn id(&self) -> u16 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// For a `.local` name found for `addr`: asks the link for all its addresses.
    /// Returns how many questions went out.
    fn follow(&self, ifindex: u32, addr: Ipv6Addr, name: &str) -> usize {
        if !dns::is_local(name) {
            return 0;
        }
        match self.forwarded.lock() {
            Ok(mut f) if f.len() < MAX_FORWARD => {
                if !f.insert((ifindex, name.to_ascii_lowercase())) {
                    return 0;
                }
            }
            _ => return 0,
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
        usize::from(self.send(&q, id, asked, group(ifindex)))
    }
}

/// The mDNS group on interface `ifindex`.
fn group(ifindex: u32) -> SocketAddrV6 {
    SocketAddrV6::new(MDNS, MDNS_PORT, 0, ifindex)
}

fn set_multicast_hops(s: &UdpSocket, hops: u32) {
    let _ = socket2::SockRef::from(s).set_multicast_hops_v6(hops);
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

/// Reads answers until told to stop; each answer must match a pending question's id and
/// name, come from the mDNS port and the question's interface (link-local sources). A
/// name found for an address starts its forward lookups.
pub(super) fn receive_mdns(mdns: &Mdns, tx: &Sender<Event>, stop: &AtomicBool) {
    let mut buf = [0u8; 9000];
    while !stop.load(Ordering::Relaxed) {
        let Ok((n, SocketAddr::V6(from))) = mdns.sock.recv_from(&mut buf) else {
            continue;
        };
        if from.port() != MDNS_PORT {
            continue;
        }
        let Some(resp) = buf.get(..n).and_then(dns::parse_response) else {
            continue;
        };
        let Some(asked) = mdns
            .pending
            .lock()
            .ok()
            .and_then(|p| p.get(&resp.id).cloned())
        else {
            continue;
        };
        if from.scope_id() != 0 && from.scope_id() != asked.ifindex() {
            continue;
        }
        let Some(found) = answers(&asked, &resp, *from.ip()) else {
            continue;
        };
        if let Asked::Browse { .. } = asked {
            // Every responder answers this one: it stays pending, and is not waited for.
            for a in found {
                let _ = tx.send(Event::Answer(a));
            }
            continue;
        }
        if mdns
            .pending
            .lock()
            .ok()
            .and_then(|mut p| p.remove(&resp.id))
            .is_none()
        {
            continue; // answered already (a responder may send twice)
        }
        for a in found {
            if let Answer::Name(n) = &a {
                for _ in 0..mdns.follow(n.ifindex, n.addr, &n.name) {
                    let _ = tx.send(Event::MdnsAsked(Instant::now()));
                }
            }
            let _ = tx.send(Event::Answer(a));
        }
        let _ = tx.send(Event::MdnsDone);
    }
}
