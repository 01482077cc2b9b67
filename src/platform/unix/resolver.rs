//! The real [`Resolver`]: one-shot mDNS PTR queries over a UDP socket, and the system
//! resolver (`getnameinfo`) in a few worker threads.

use crate::names::dns::{self, clean_name};
use crate::names::{wants_dns, NameAnswer, NameSource, Resolver};
use std::collections::HashMap;
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The mDNS group and port.
const MDNS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);
const MDNS_PORT: u16 = 5353;
/// Reverse DNS lookups running at once.
const DNS_THREADS: usize = 4;

enum Event {
    Answer(NameAnswer),
    /// A reverse DNS lookup ended (with or without a name).
    DnsDone,
    /// An mDNS question got its answer.
    MdnsDone,
}

/// mDNS and reverse DNS; see the module doc. Opening never fails: a part that cannot
/// start (no socket) is left out and the rest still works.
pub struct SystemResolver {
    mdns: Option<UdpSocket>,
    /// Message id → the question it carries.
    pending: Arc<Mutex<HashMap<u16, (u32, Ipv6Addr)>>>,
    next_id: u16,
    events_tx: Sender<Event>,
    events: Receiver<Event>,
    receiver_started: bool,
    stop: Arc<AtomicBool>,
    dns_jobs: Option<Sender<(u32, Ipv6Addr)>>,
    dns_threads: usize,
    outstanding: usize,
}

impl SystemResolver {
    /// A resolver; `dns` false leaves reverse DNS out (mDNS only).
    pub fn new(dns: bool) -> Self {
        let (events_tx, events) = mpsc::channel();
        let mut seed = [0u8; 2];
        let _ = getrandom::fill(&mut seed);
        let mdns = UdpSocket::bind(SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)))
            .ok()
            .filter(|s| {
                // RFC 6762 §11: mDNS packets go out with hop limit 255.
                set_multicast_hops(s, 255);
                s.set_multicast_loop_v6(false).is_ok()
                    && s.set_read_timeout(Some(Duration::from_millis(20))).is_ok()
            });
        SystemResolver {
            mdns,
            pending: Arc::default(),
            next_id: u16::from_le_bytes(seed),
            events_tx,
            events,
            receiver_started: false,
            stop: Arc::default(),
            dns_jobs: None,
            dns_threads: if dns { DNS_THREADS } else { 0 },
            outstanding: 0,
        }
    }

    fn start_receiver(&mut self) {
        let Some(sock) = self.mdns.as_ref().and_then(|s| s.try_clone().ok()) else {
            return;
        };
        let pending = Arc::clone(&self.pending);
        let tx = self.events_tx.clone();
        let stop = Arc::clone(&self.stop);
        std::thread::spawn(move || receive_mdns(&sock, &pending, &tx, &stop));
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
                        let _ = out.send(Event::Answer(NameAnswer {
                            ifindex,
                            addr,
                            name,
                            source: NameSource::Dns,
                        }));
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
}

impl Resolver for SystemResolver {
    fn ask(&mut self, ifindex: u32, addr: Ipv6Addr) {
        if self.mdns.is_some() {
            if !self.receiver_started {
                self.start_receiver();
            }
            let id = self.next_id;
            self.next_id = self.next_id.wrapping_add(1);
            let dest = SocketAddrV6::new(MDNS, MDNS_PORT, 0, ifindex);
            if let (Some(s), Ok(mut p)) = (&self.mdns, self.pending.lock()) {
                if s.send_to(&dns::ptr_query(id, addr), dest).is_ok() {
                    p.insert(id, (ifindex, addr));
                    self.outstanding += 1;
                }
            }
        }
        if self.dns_threads > 0 && wants_dns(addr) {
            self.ask_dns(ifindex, addr);
        }
    }

    fn finish(&mut self, deadline: Instant) -> Vec<NameAnswer> {
        let mut out = Vec::new();
        while self.outstanding > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(Event::Answer(a)) => out.push(a),
                Ok(Event::DnsDone | Event::MdnsDone) => self.outstanding -= 1,
                Err(_) => break,
            }
        }
        // Answers that arrived together with the last "done".
        while let Ok(e) = self.events.try_recv() {
            if let Event::Answer(a) = e {
                out.push(a);
            }
        }
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

/// Reads answers until told to stop; each answer must match a pending question's id and
/// name, come from the mDNS port and the question's interface (link-local sources).
fn receive_mdns(
    sock: &UdpSocket,
    pending: &Mutex<HashMap<u16, (u32, Ipv6Addr)>>,
    tx: &Sender<Event>,
    stop: &AtomicBool,
) {
    let mut buf = [0u8; 9000];
    while !stop.load(Ordering::Relaxed) {
        let Ok((n, SocketAddr::V6(from))) = sock.recv_from(&mut buf) else {
            continue;
        };
        if from.port() != MDNS_PORT {
            continue;
        }
        let Some(resp) = buf.get(..n).and_then(dns::parse_response) else {
            continue;
        };
        let Some((ifindex, addr)) = pending.lock().ok().and_then(|p| p.get(&resp.id).copied())
        else {
            continue;
        };
        if from.scope_id() != 0 && from.scope_id() != ifindex {
            continue;
        }
        let owner = dns::reverse_name(addr);
        let mut matched = false;
        for (o, target) in &resp.ptrs {
            if !o.eq_ignore_ascii_case(&owner) {
                continue;
            }
            if let Some(name) = clean_name(target) {
                matched = true;
                let _ = tx.send(Event::Answer(NameAnswer {
                    ifindex,
                    addr,
                    name,
                    source: NameSource::Mdns,
                }));
            }
        }
        if matched
            && pending
                .lock()
                .ok()
                .and_then(|mut p| p.remove(&resp.id))
                .is_some()
        {
            let _ = tx.send(Event::MdnsDone);
        }
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
