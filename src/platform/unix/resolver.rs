//! The real [`Resolver`]: one-shot mDNS queries over a UDP socket (reverse PTR; for each
//! `.local` name found, its AAAA/A records; per link, every responder's DNS-SD service
//! types; the protocol is [`names::mdns`](crate::names::mdns), the socket
//! [`super::mdns`]), and the system resolver (`getnameinfo`) in a few worker threads.

use super::mdns::MdnsSocket;
use crate::names::dns::clean_name;
use crate::names::mdns::Heard;
use crate::names::{wants_dns, Answer, NameAnswer, NameSource, Resolver, GRACE};
use std::collections::HashSet;
use std::net::{Ipv6Addr, SocketAddrV6};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Reverse DNS lookups running at once.
const DNS_THREADS: usize = 4;

/// What the lookup threads tell the resolver.
enum Event {
    Answer(Answer),
    /// A reverse DNS lookup ended (with or without a name).
    DnsDone,
    /// An mDNS question got its answer.
    MdnsDone,
    /// The receiver asked a follow-up question (a forward lookup) at this time.
    MdnsAsked(Instant),
}

/// mDNS and reverse DNS; see the module doc. Opening never fails: a part that cannot
/// start (no socket) is left out and the rest still works.
pub struct SystemResolver {
    mdns: Option<Arc<MdnsSocket>>,
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
        SystemResolver {
            mdns: MdnsSocket::open().map(Arc::new),
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
        std::thread::spawn(move || {
            mdns.receive(&stop, |heard| {
                let _ = tx.send(match heard {
                    Heard::Answer(a) => Event::Answer(a),
                    Heard::Asked => Event::MdnsAsked(Instant::now()),
                    Heard::Done => Event::MdnsDone,
                });
            });
        });
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
            if self.browsed.insert(ifindex) {
                m.browse(ifindex);
            }
            if m.ask_name(ifindex, addr) {
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
            // socklen_t on Linux, size_t on the BSDs.
            host.len() as _,
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
