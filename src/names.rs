//! Host names and what hosts announce: mDNS reverse lookups (one-shot PTR queries to
//! ff02::fb) and reverse DNS for global addresses (and the names hosts give in Node
//! Information replies, which the probes ask for), merged into the report's `names`
//! lists; for each `.local` name found, the mDNS forward lookup of all its AAAA and A
//! records and the DNS-SD service types its host offers.
//!
//! The I/O sits behind [`Resolver`]: the scan asks for each address as soon as it is seen,
//! so lookups run while the probe window is still open, takes the forward answers while
//! it runs (their addresses are confirmed by the probes), and collects the rest at its
//! end under a short deadline. Everything else here is pure, the mDNS lookups included
//! ([`mdns`]: the questions and what answers tell, on bytes; the platform only sends and
//! receives them).

pub mod announce;
pub mod dns;
pub mod hosts;
pub mod mdns;

pub use announce::{Addresses, Services};

use crate::model::is_link_local;
use crate::report::Report;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

/// How long an answer may take after its question, at most: mDNS responders on a link
/// answer within milliseconds; a resolver that takes longer is not waited for.
pub const GRACE: Duration = Duration::from_millis(150);

/// Where a name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameSource {
    /// An mDNS responder on the link.
    Mdns,
    /// The node itself, in its Node Information reply (RFC 4620 Node Name).
    NodeInfo,
    /// The system resolver (reverse DNS, /etc/hosts).
    Dns,
}

/// One name found for one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAnswer {
    /// Interface the address is on.
    pub ifindex: u32,
    /// The address asked about.
    pub addr: Ipv6Addr,
    /// The name (already cleaned by [`dns::clean_name`]).
    pub name: String,
    /// Who said so.
    pub source: NameSource,
}

/// One thing a resolver learnt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A name for an address.
    Name(NameAnswer),
    /// The addresses a host announces for its name.
    Addresses(Addresses),
    /// The service types a host offers.
    Services(Services),
}

impl From<NameAnswer> for Answer {
    fn from(a: NameAnswer) -> Self {
        Answer::Name(a)
    }
}

/// Looks names up. `ask` must not block: it starts a lookup (and, for a `.local` name
/// found, the forward lookups that follow from it); `poll` takes what has come without
/// waiting; `finish` waits for the rest until every lookup is done or `deadline` passes,
/// whichever is first (a forward lookup started just before may get [`GRACE`] more).
pub trait Resolver: Send {
    /// Starts the lookups for one address on one interface.
    fn ask(&mut self, ifindex: u32, addr: Ipv6Addr);
    /// The answers that came since the last `poll`, without waiting.
    fn poll(&mut self) -> Vec<Answer> {
        Vec::new()
    }
    /// Every answer not yet polled, and those until `deadline`.
    fn finish(&mut self, deadline: Instant) -> Vec<Answer>;
}

/// Whether an address gets a reverse DNS lookup: global unicast only (link-local and ULA
/// reverse zones are not in the public DNS, and asking for them only leaks and waits).
pub fn wants_dns(addr: Ipv6Addr) -> bool {
    let s = addr.segments();
    !is_link_local(addr) && (s[0] & 0xfe00) != 0xfc00 && (s[0] & 0xe000) == 0x2000
}

/// When to stop waiting for answers: `GRACE` after the last question, but never before
/// `now` (questions asked early in the probe window are answered by its end).
pub fn deadline(now: Instant, last_ask: Option<Instant>, grace: Duration) -> Instant {
    match last_ask {
        Some(t) => (t + grace).max(now),
        None => now,
    }
}

/// Asks each (interface, address) once, remembering when the last question went out.
pub struct Asker<'a> {
    resolver: &'a mut dyn Resolver,
    asked: BTreeSet<(u32, Ipv6Addr)>,
    own: BTreeSet<Ipv6Addr>,
    limit: usize,
    last: Option<Instant>,
    polled: Vec<Answer>,
}

impl<'a> Asker<'a> {
    /// Asks through `resolver`, never about `own` addresses, at most `limit` addresses.
    pub fn new(resolver: &'a mut dyn Resolver, own: BTreeSet<Ipv6Addr>, limit: usize) -> Self {
        Asker {
            resolver,
            asked: BTreeSet::new(),
            own,
            limit,
            last: None,
            polled: Vec::new(),
        }
    }

    /// Asks about `addr` on `ifindex` unless it was asked already, is ours, or the limit
    /// is reached.
    pub fn ask(&mut self, ifindex: u32, addr: Ipv6Addr) {
        if self.own.contains(&addr)
            || self.asked.len() >= self.limit
            || !self.asked.insert((ifindex, addr))
        {
            return;
        }
        self.resolver.ask(ifindex, addr);
        self.last = Some(Instant::now());
    }

    /// The answers that came since the last call; they are also part of what
    /// [`Asker::finish`] returns.
    pub fn poll(&mut self) -> &[Answer] {
        let seen = self.polled.len();
        if !self.asked.is_empty() {
            let new = self.resolver.poll();
            self.polled.extend(new);
        }
        &self.polled[seen..]
    }

    /// Waits (at most [`GRACE`] after the last question) and returns every answer, the
    /// polled ones first.
    pub fn finish(mut self) -> Vec<Answer> {
        if self.asked.is_empty() {
            return Vec::new();
        }
        let until = deadline(Instant::now(), self.last, GRACE);
        let rest = self.resolver.finish(until);
        self.polled.extend(rest);
        self.polled
    }
}

/// Puts the answers into the report. Each row gets the names found for its own address
/// first (mDNS, then Node Information, then DNS), then the names found for the other addresses of the same MAC
/// on the same interface: a name belongs to the host, and responders often answer for
/// only one of its addresses. Names are deduplicated ignoring case.
///
/// Then puts what hosts announced on their rows ([`announce::apply`]).
pub fn apply(report: &mut Report, answers: &[Answer]) {
    let mut by_addr: HashMap<(u32, Ipv6Addr), Vec<(NameSource, &str)>> = HashMap::new();
    for a in answers.iter().filter_map(|a| match a {
        Answer::Name(n) => Some(n),
        _ => None,
    }) {
        by_addr
            .entry((a.ifindex, a.addr))
            .or_default()
            .push((a.source, &a.name));
    }
    for v in by_addr.values_mut() {
        v.sort_by_key(|(s, _)| *s); // stable: mDNS first, else in arrival order
    }
    for iface in &mut report.interfaces {
        let mut by_mac: BTreeMap<crate::mac::Mac, Vec<&str>> = BTreeMap::new();
        for h in iface.prefixes.iter().flat_map(|p| &p.hosts) {
            if let (Some(mac), Some(v)) = (h.mac, by_addr.get(&(iface.index, h.address))) {
                by_mac
                    .entry(mac)
                    .or_default()
                    .extend(v.iter().map(|(_, n)| *n));
            }
        }
        for h in iface.prefixes.iter_mut().flat_map(|p| &mut p.hosts) {
            let own = by_addr
                .get(&(iface.index, h.address))
                .into_iter()
                .flatten()
                .map(|(_, n)| *n);
            let shared = h
                .mac
                .and_then(|m| by_mac.get(&m))
                .into_iter()
                .flatten()
                .copied();
            for n in own.chain(shared) {
                if !h.names.iter().any(|x| x.eq_ignore_ascii_case(n)) {
                    h.names.push(n.to_string());
                }
            }
        }
    }
    announce::apply(report, answers);
}

#[cfg(test)]
#[path = "names_tests.rs"]
mod tests;
