//! The Node Name query and its reply (RFC 4620 §6.3): a TTL, then one or more names in
//! DNS wire format, uncompressed. A fully qualified name ends with one zero-length label;
//! a single-label name ends with two (§6.3; KAME also gives "host.lan" the two-zero form).

use super::{query, reply_head, reply_parts, Malformed, QTYPE_NODE_NAME};
use std::net::Ipv6Addr;

/// Most names taken from one reply: a node has one name, or a few.
pub const MAX_NAMES: usize = 4;
/// Longest name in wire format (RFC 1035 §3.1).
const MAX_WIRE_NAME: usize = 255;
/// Longest label (RFC 1035 §2.3.4); longer length bytes are compression pointers or
/// extended labels, which a Node Name reply must not hold.
const MAX_LABEL: usize = 63;

/// A Node Name reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameReply {
    /// The nonce, which must be the one of our query.
    pub nonce: [u8; 8],
    /// The TTL the responder gave (KAME sends 0: meaningless).
    pub ttl: u32,
    /// The names listed, at most [`MAX_NAMES`], in the reply's order, as text without the
    /// final dot. A name with a label that is not printable ASCII (or holds a dot) is
    /// left out: it cannot be written down as it was sent.
    pub names: Vec<String>,
}

/// A Node Name query about `subject` (the destination itself for ff02::1, as for Node
/// Addresses). No flags are defined for it. Checksum left 0.
#[must_use]
pub fn node_name_query(nonce: [u8; 8], subject: Ipv6Addr) -> Vec<u8> {
    query(QTYPE_NODE_NAME, 0, nonce, subject)
}

/// A successful Node Name reply giving `names` (what a responder sends; for the
/// simulated link and the tests): a single-label name in the two-zero form, others fully
/// qualified (a final dot is allowed). A name that cannot be encoded (an empty or too
/// long label) is left out. Checksum left 0.
#[must_use]
pub fn node_name_reply(nonce: [u8; 8], ttl: u32, names: &[&str]) -> Vec<u8> {
    let mut m = reply_head(QTYPE_NODE_NAME, 0, nonce, 4 + names.len() * 32);
    m.extend_from_slice(&ttl.to_be_bytes());
    for name in names {
        let name = name.strip_suffix('.').unwrap_or(name);
        let labels: Vec<&str> = name.split('.').collect();
        if labels.iter().any(|l| l.is_empty() || l.len() > MAX_LABEL)
            || name.len() + 2 > MAX_WIRE_NAME
        {
            continue;
        }
        for l in &labels {
            m.push(l.len() as u8);
            m.extend_from_slice(l.as_bytes());
        }
        m.push(0);
        if labels.len() == 1 {
            m.push(0);
        }
    }
    m
}

/// Reads a Node Name reply. Every name is checked to its end, even past [`MAX_NAMES`].
pub fn parse_name_reply(b: &[u8]) -> Result<NameReply, Malformed> {
    let (nonce, _flags, data) = reply_parts(b, QTYPE_NODE_NAME)?;
    let ttl = data.get(..4).ok_or(Malformed::BadName)?;
    let ttl = u32::from_be_bytes([ttl[0], ttl[1], ttl[2], ttl[3]]);
    let mut names = Vec::new();
    let mut rest = &data[4..];
    while !rest.is_empty() {
        let (name, after) = one_name(rest)?;
        rest = after;
        if let (Some(n), true) = (name, names.len() < MAX_NAMES) {
            names.push(n);
        }
    }
    Ok(NameReply { nonce, ttl, names })
}

/// The first name of `b` (`None` when it is well-formed but not printable) and what
/// follows it.
fn one_name(b: &[u8]) -> Result<(Option<String>, &[u8]), Malformed> {
    let mut labels: Vec<&[u8]> = Vec::new();
    let mut at = 0;
    loop {
        let len = usize::from(*b.get(at).ok_or(Malformed::BadName)?);
        if len > MAX_LABEL || at + 1 > MAX_WIRE_NAME {
            return Err(Malformed::BadName);
        }
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(b.get(at..at + len).ok_or(Malformed::BadName)?);
        at += len;
    }
    if labels.is_empty() {
        return Err(Malformed::BadName);
    }
    // The single-label form's second zero-length label.
    if b.get(at) == Some(&0) {
        at += 1;
    }
    let printable = labels
        .iter()
        .all(|l| l.iter().all(|c| c.is_ascii_graphic() && *c != b'.'));
    let name = printable.then(|| {
        labels
            .iter()
            .map(|l| String::from_utf8_lossy(l))
            .collect::<Vec<_>>()
            .join(".")
    });
    Ok((name, &b[at..]))
}
