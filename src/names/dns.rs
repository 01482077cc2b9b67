//! mDNS and DNS messages: the queries we send (reverse PTR, a host's AAAA and A records,
//! its DNS-SD service types) and what we read from a response. Built and parsed with
//! `simple-dns`; this module adds the checks we need on top and is total: a malformed
//! message gives `None`, never a panic or a guess.

use simple_dns::rdata::RData;
use simple_dns::{Name, Packet, PacketFlag, Question, ResourceRecord, CLASS, QCLASS, QTYPE, TYPE};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The name a host asks to learn every DNS-SD service type a responder offers
/// (RFC 6763 §9).
pub const SERVICES: &str = "_services._dns-sd._udp.local";
/// Records one response may carry before we stop reading it: a responder sends a few
/// dozen; a header claiming thousands is hostile and not parsed at all.
const MAX_RECORDS: usize = 256;
/// Each record (or question) takes at least this many bytes: a one-byte name, then type
/// and class (and for a record TTL and RDLENGTH).
const MIN_QUESTION_LEN: usize = 5;

/// The reverse-lookup name of an address: `1.0.…ip6.arpa` (RFC 3596 §2.5), no final dot.
pub fn reverse_name(addr: Ipv6Addr) -> String {
    let mut s = String::with_capacity(72);
    for byte in addr.octets().iter().rev() {
        let _ = write!(s, "{:x}.{:x}.", byte & 0x0f, byte >> 4);
    }
    s.push_str("ip6.arpa");
    s
}

/// A query with one question per `(name, type)`, each with the mDNS unicast-response bit
/// set (RFC 6762 §5.4: a one-shot querier wants the answer sent straight back to it).
fn query(id: u16, questions: &[(&str, TYPE)]) -> Option<Vec<u8>> {
    let mut p = Packet::new_query(id);
    // mDNS ignores recursion; a plain query carries no flags at all.
    p.remove_flags(PacketFlag::RECURSION_DESIRED);
    for (name, t) in questions {
        let q = Question::new(
            Name::new(name).ok()?,
            QTYPE::TYPE(*t),
            QCLASS::CLASS(CLASS::IN),
            true,
        );
        p.questions.push(q);
    }
    p.build_bytes_vec_compressed().ok()
}

/// A one-shot PTR query for `addr` (its name).
pub fn ptr_query(id: u16, addr: Ipv6Addr) -> Vec<u8> {
    // A reverse name is 34 one-character labels: always a valid name.
    query(id, &[(&reverse_name(addr), TYPE::PTR)]).unwrap_or_default()
}

/// A one-shot query for every AAAA and A record of `host` (a `.local` name); `None` when
/// the name cannot be put into a message.
pub fn host_query(id: u16, host: &str) -> Option<Vec<u8>> {
    query(id, &[(host, TYPE::AAAA), (host, TYPE::A)])
}

/// A one-shot query for the DNS-SD service types a responder offers.
pub fn services_query(id: u16) -> Vec<u8> {
    query(id, &[(SERVICES, TYPE::PTR)]).unwrap_or_default()
}

/// What a response says. Records are read from the answer and the additional sections
/// alike (a responder puts a host's other addresses in the additional section); names are
/// as sent, without the final dot, so compare them ignoring ASCII case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// Message id (a legacy-unicast mDNS answer echoes the query's).
    pub id: u16,
    /// The responder set TC: there is more than this message holds (what it holds is
    /// still whole, and used).
    pub truncated: bool,
    /// `(owner, target)` of each PTR record.
    pub ptrs: Vec<(String, String)>,
    /// `(owner, address)` of each AAAA record.
    pub v6: Vec<(String, Ipv6Addr)>,
    /// `(owner, address)` of each A record.
    pub v4: Vec<(String, Ipv4Addr)>,
}

impl Response {
    /// Every IPv6 address the response gives for `host`, in order, without repeats.
    pub fn v6_of(&self, host: &str) -> Vec<Ipv6Addr> {
        records_of(&self.v6, host)
    }

    /// Every IPv4 address the response gives for `host`, in order, without repeats.
    pub fn v4_of(&self, host: &str) -> Vec<Ipv4Addr> {
        records_of(&self.v4, host)
    }

    /// The targets of the PTR records owned by `owner`.
    pub fn ptr_targets<'a>(&'a self, owner: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.ptrs
            .iter()
            .filter(move |(o, _)| o.eq_ignore_ascii_case(owner))
            .map(|(_, t)| t.as_str())
    }
}

/// The values of the `(owner, value)` records owned by `host` (ignoring case), in order,
/// without repeats.
fn records_of<T: Copy + PartialEq>(records: &[(String, T)], host: &str) -> Vec<T> {
    let mut out = Vec::new();
    for (o, v) in records {
        if o.eq_ignore_ascii_case(host) && !out.contains(v) {
            out.push(*v);
        }
    }
    out
}

fn u16_at(m: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *m.get(at)?,
        *m.get(at + 1)?,
    ])))
}

/// Parses a DNS response. `None` if it is not a well-formed, successful response.
pub fn parse_response(m: &[u8]) -> Option<Response> {
    // The counts are checked against the length first: the parser reserves room for as
    // many records as the header claims.
    let counts: usize = (4..12)
        .step_by(2)
        .map(|at| u16_at(m, at))
        .sum::<Option<_>>()?;
    if counts > MAX_RECORDS || counts * MIN_QUESTION_LEN > m.len() {
        return None;
    }
    let p = Packet::parse(m).ok()?;
    if !p.has_flags(PacketFlag::RESPONSE) || p.rcode() != simple_dns::RCODE::NoError {
        return None;
    }
    let mut r = Response {
        id: p.id(),
        truncated: p.has_flags(PacketFlag::TRUNCATION),
        ..Response::default()
    };
    for rr in p.answers.iter().chain(&p.additional_records) {
        read_record(rr, &mut r);
    }
    Some(r)
}

fn read_record(rr: &ResourceRecord<'_>, r: &mut Response) {
    if rr.class != CLASS::IN {
        return;
    }
    let owner = rr.name.to_string();
    match &rr.rdata {
        RData::PTR(t) => r.ptrs.push((owner, t.0.to_string())),
        RData::AAAA(a) => r.v6.push((owner, Ipv6Addr::from(a.address))),
        RData::A(a) => r.v4.push((owner, Ipv4Addr::from(a.address))),
        _ => {}
    }
}

/// A DNS-SD service type as users know it (`_ssh._tcp`) from a service-type PTR target
/// (`_ssh._tcp.local`): an underscore label of at most 15 characters (RFC 6335 §5.1)
/// and `_tcp` or `_udp`. Anything else is dropped.
pub fn service_type(target: &str) -> Option<String> {
    let t = target.strip_suffix('.').unwrap_or(target);
    let mut labels = t.split('.');
    let (service, proto, domain) = (labels.next()?, labels.next()?, labels.next()?);
    let name = service.strip_prefix('_')?;
    let ok = labels.next().is_none()
        && domain.eq_ignore_ascii_case("local")
        && (proto.eq_ignore_ascii_case("_tcp") || proto.eq_ignore_ascii_case("_udp"))
        && (1..=15).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then(|| format!("_{}.{}", name, proto).to_ascii_lowercase())
}

/// A host name fit to print: printable ASCII letters, digits, `-`, `_` and dots, at most
/// 253 characters, no empty label, without the final dot. Anything else is dropped.
pub fn clean_name(name: &str) -> Option<String> {
    let n = name.strip_suffix('.').unwrap_or(name);
    let ok = !n.is_empty()
        && n.len() <= 253
        && n.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    ok.then(|| n.to_string())
}

/// Whether `name` is an mDNS name (`….local`), the only kind we ask the link about.
pub fn is_local(name: &str) -> bool {
    let n = name.strip_suffix('.').unwrap_or(name);
    n.len() > ".local".len()
        && n.get(n.len() - ".local".len()..)
            .is_some_and(|s| s.eq_ignore_ascii_case(".local"))
}

#[cfg(test)]
#[path = "dns_tests.rs"]
mod tests;
