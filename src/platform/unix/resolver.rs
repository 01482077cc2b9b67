//! The real [`Resolver`]: one-shot mDNS queries over a UDP socket (reverse PTR; for each
//! `.local` name found, its AAAA/A records; per link, every responder's DNS-SD service
//! types), and the system resolver (`getnameinfo`) in a few worker threads.

use crate::names::announce::{MAX_ADDRESSES, MAX_SERVICES};
use crate::names::dns::{self, clean_name};
use crate::names::{
    wants_dns, Addresses, Answer, NameAnswer, NameSource, Resolver, Services, GRACE,
};
use std::collections::{HashMap, HashSet};
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The mDNS group and port.
const MDNS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);
const MDNS_PORT: u16 = 5353;
/// Reverse DNS lookups running at once.
const DNS_THREADS: usize = 4;
/// Most `.local` names looked up forward per scan: each costs two small queries.
const MAX_FORWARD: usize = 512;

enum Event {
    Answer(Answer),
    /// A reverse DNS lookup ended (with or without a name).
    DnsDone,
    /// An mDNS question got its answer.
    MdnsDone,
    /// The receiver asked a follow-up question (a forward lookup) at this time.
    MdnsAsked(Instant),
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

/// The mDNS side: the socket, the questions in flight, message ids.
struct Mdns {
    sock: UdpSocket,
    pending: Mutex<HashMap<u16, Asked>>,
    next_id: AtomicU16,
    /// `(interface, lower-case name)` already looked up forward.
    forwarded: Mutex<HashSet<(u32, String)>>,
}

impl Mdns {
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
        let group = SocketAddrV6::new(MDNS, MDNS_PORT, 0, ifindex);
        usize::from(self.send(&q, id, asked, group))
    }
}

/// mDNS and reverse DNS; see the module doc. Opening never fails: a part that cannot
/// start (no socket) is left out and the rest still works.
pub struct SystemResolver {
    mdns: Option<Arc<Mdns>>,
    events_tx: Sender<Event>,
    events: Receiver<Event>,
    receiver_started: bool,
    stop: Arc<AtomicBool>,
    dns_jobs: Option<Sender<(u32, Ipv6Addr)>>,
    dns_threads: usize,
    outstanding: usize,
    /// When the receiver last asked a follow-up question: `finish` gives it [`GRACE`].
    last_follow: Option<Instant>,
    /// Interfaces whose responders were asked for their service types.
    browsed: HashSet<u32>,
}

impl SystemResolver {
    /// A resolver; `dns` false leaves reverse DNS out (mDNS only).
    pub fn new(dns: bool) -> Self {
        let (events_tx, events) = mpsc::channel();
        let mut seed = [0u8; 2];
        let _ = getrandom::fill(&mut seed);
        let sock = UdpSocket::bind(SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)))
            .ok()
            .filter(|s| {
                // RFC 6762 §11: mDNS packets go out with hop limit 255.
                set_multicast_hops(s, 255);
                s.set_multicast_loop_v6(false).is_ok()
                    && s.set_read_timeout(Some(Duration::from_millis(20))).is_ok()
            });
        SystemResolver {
            mdns: sock.map(|sock| {
                Arc::new(Mdns {
                    sock,
                    pending: Mutex::default(),
                    next_id: AtomicU16::new(u16::from_le_bytes(seed)),
                    forwarded: Mutex::default(),
                })
            }),
            events_tx,
            events,
            receiver_started: false,
            stop: Arc::default(),
            dns_jobs: None,
            dns_threads: if dns { DNS_THREADS } else { 0 },
            outstanding: 0,
            last_follow: None,
            browsed: HashSet::new(),
        }
    }

    fn start_receiver(&mut self) {
        let Some(mdns) = self.mdns.clone() else {
            return;
        };
        let tx = self.events_tx.clone();
        let stop = Arc::clone(&self.stop);
        std::thread::spawn(move || receive_mdns(&mdns, &tx, &stop));
        self.receiver_started = true;
    }

    fn ask_dns(&mut self, ifindex: u32, addr: Ipv6Addr) {
        if self.dns_jobs.is_none() {
            let (tx, rx) = mpsc::channel::<(u32, Ipv6Addr)>();
            let rx = Arc::new(Mutex::new(rx));
            for _ in 0..self.dns_threads {
                let rx = Arc::clone(&rx);
                let out = self.events_tx.clone();
                // Detached: a lookup stuck in the resolver must not hold up the scan.
                std::thread::spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    let Ok((ifindex, addr)) = job else { return };
                    if let Some(name) = reverse_dns(addr) {
                        let _ = out.send(Event::Answer(Answer::Name(NameAnswer {
                            ifindex,
                            addr,
                            name,
                            source: NameSource::Dns,
                        })));
                    }
                    if out.send(Event::DnsDone).is_err() {
                        return;
                    }
                });
            }
            self.dns_jobs = Some(tx);
        }
        if let Some(jobs) = &self.dns_jobs {
            if jobs.send((ifindex, addr)).is_ok() {
                self.outstanding += 1;
            }
        }
    }

    /// Books one event; returns its answer, if it is one.
    fn take(&mut self, e: Event) -> Option<Answer> {
        match e {
            Event::Answer(a) => return Some(a),
            Event::DnsDone | Event::MdnsDone => {
                self.outstanding = self.outstanding.saturating_sub(1);
            }
            Event::MdnsAsked(at) => {
                self.outstanding += 1;
                self.last_follow = Some(at);
            }
        }
        None
    }
}

impl Resolver for SystemResolver {
    fn ask(&mut self, ifindex: u32, addr: Ipv6Addr) {
        if !self.receiver_started {
            self.start_receiver();
        }
        if let Some(m) = &self.mdns {
            let dest = SocketAddrV6::new(MDNS, MDNS_PORT, 0, ifindex);
            // One question for the whole link, asked with its first address: responders
            // answer as they are (no need to wait), and unicast to a host would be
            // refused by avahi unless our source shares one of its prefixes.
            if self.browsed.insert(ifindex) {
                let id = m.id();
                m.send(
                    &dns::services_query(id),
                    id,
                    Asked::Browse { ifindex },
                    dest,
                );
            }
            let id = m.id();
            if m.send(
                &dns::ptr_query(id, addr),
                id,
                Asked::Ptr { ifindex, addr },
                dest,
            ) {
                self.outstanding += 1;
            }
        }
        if self.dns_threads > 0 && wants_dns(addr) {
            self.ask_dns(ifindex, addr);
        }
    }

    fn poll(&mut self) -> Vec<Answer> {
        let mut out = Vec::new();
        while let Ok(e) = self.events.try_recv() {
            out.extend(self.take(e));
        }
        out
    }

    fn finish(&mut self, deadline: Instant) -> Vec<Answer> {
        let mut out = Vec::new();
        while self.outstanding > 0 {
            let until = match self.last_follow {
                Some(t) => deadline.max(t + GRACE),
                None => deadline,
            };
            let left = until.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(e) => out.extend(self.take(e)),
                Err(_) => break,
            }
        }
        // Answers that arrived together with the last "done".
        out.extend(self.poll());
        self.stop.store(true, Ordering::Relaxed);
        self.dns_jobs = None;
        out
    }
}

impl Drop for SystemResolver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
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
fn receive_mdns(mdns: &Mdns, tx: &Sender<Event>, stop: &AtomicBool) {
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

/// The system resolver's name for `addr` (reverse DNS or /etc/hosts), if it has one.
fn reverse_dns(addr: Ipv6Addr) -> Option<String> {
    let sa = SocketAddrV6::new(addr, 0, 0, 0);
    let raw = socket2::SockAddr::from(sa);
    let mut host = [0 as libc::c_char; 1025];
    // SAFETY: `raw` is a valid sockaddr_in6 of the given length; `host` is a writable
    // buffer of the given length; no service buffer is requested (null, length 0).
    let rc = unsafe {
        libc::getnameinfo(
            raw.as_ptr().cast(),
            raw.len(),
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: getnameinfo succeeded, so `host` holds a NUL-terminated string.
    let name = unsafe { std::ffi::CStr::from_ptr(host.as_ptr()) };
    clean_name(name.to_str().ok()?)
}
