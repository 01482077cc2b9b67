//! DNS messages for reverse lookups: build a PTR query, parse the answer. Pure and total:
//! a malformed message gives `None`, never a panic or a guess.

use std::fmt::Write as _;
use std::net::Ipv6Addr;

/// DNS record type PTR.
const TYPE_PTR: u16 = 12;
/// DNS class IN.
const CLASS_IN: u16 = 1;
/// The mDNS "unicast response" bit in a question's class (RFC 6762 §5.4), and the
/// "cache flush" bit in an answer's class (§10.2): the same bit, masked off when comparing.
const CLASS_TOP_BIT: u16 = 0x8000;
/// Compression pointers a name may follow; more means a loop.
const MAX_POINTERS: usize = 32;

/// The reverse-lookup name of an address: `1.0.…ip6.arpa` (RFC 3596 §2.5), no final dot.
pub fn reverse_name(addr: Ipv6Addr) -> String {
    let mut s = String::with_capacity(72);
    for byte in addr.octets().iter().rev() {
        let _ = write!(s, "{:x}.{:x}.", byte & 0x0f, byte >> 4);
    }
    s.push_str("ip6.arpa");
    s
}

/// A one-shot PTR query for `addr` with the mDNS unicast-response bit set.
pub fn ptr_query(id: u16, addr: Ipv6Addr) -> Vec<u8> {
    let mut m = Vec::with_capacity(90);
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0, 0]); // standard query, no flags (mDNS ignores RD)
    m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // one question
    for label in reverse_name(addr).split('.') {
        // Every label is one hex digit, "ip6" or "arpa": far below 63 bytes.
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.push(0);
    m.extend_from_slice(&TYPE_PTR.to_be_bytes());
    m.extend_from_slice(&(CLASS_IN | CLASS_TOP_BIT).to_be_bytes());
    m
}

/// What a response says: its id and every PTR record among its answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Message id (a legacy-unicast mDNS answer echoes the query's).
    pub id: u16,
    /// `(owner, target)` of each PTR answer, names without the final dot.
    pub ptrs: Vec<(String, String)>,
}

fn u16_at(m: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*m.get(at)?, *m.get(at + 1)?]))
}

/// Reads a (possibly compressed) name at `at`; returns it and the offset after it.
fn read_name(m: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut name = String::new();
    let mut end = None;
    let mut jumps = 0;
    loop {
        let len = *m.get(at)?;
        match len & 0xc0 {
            0x00 if len == 0 => {
                return Some((name, end.unwrap_or(at + 1)));
            }
            0x00 => {
                let label = m.get(at + 1..at + 1 + usize::from(len))?;
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(std::str::from_utf8(label).ok()?);
                if name.len() > 255 {
                    return None;
                }
                at += 1 + usize::from(len);
            }
            0xc0 => {
                jumps += 1;
                if jumps > MAX_POINTERS {
                    return None;
                }
                let target = usize::from(u16_at(m, at)? & 0x3fff);
                end.get_or_insert(at + 2);
                at = target;
            }
            _ => return None, // extended label types: not in use, not trusted
        }
    }
}

/// Parses a DNS response. `None` if it is not a well-formed response.
pub fn parse_response(m: &[u8]) -> Option<Response> {
    let id = u16_at(m, 0)?;
    let flags = u16_at(m, 2)?;
    if flags & 0x8000 == 0 || flags & 0x000f != 0 {
        return None; // a query, or an error code
    }
    let qd = u16_at(m, 4)?;
    let an = u16_at(m, 6)?;
    let mut at = 12;
    for _ in 0..qd {
        let (_, next) = read_name(m, at)?;
        at = next.checked_add(4)?;
        if at > m.len() {
            return None;
        }
    }
    let mut ptrs = Vec::new();
    for _ in 0..an {
        let (owner, next) = read_name(m, at)?;
        let rtype = u16_at(m, next)?;
        let class = u16_at(m, next + 2)? & !CLASS_TOP_BIT;
        let rdlen = usize::from(u16_at(m, next + 8)?);
        let rdata = next + 10;
        let after = rdata.checked_add(rdlen)?;
        if after > m.len() {
            return None;
        }
        if rtype == TYPE_PTR && class == CLASS_IN {
            let (target, end) = read_name(m, rdata)?;
            if end != after {
                return None;
            }
            ptrs.push((owner, target));
        }
        at = after;
    }
    Some(Response { id, ptrs })
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

#[cfg(test)]
#[path = "dns_tests.rs"]
mod tests;
