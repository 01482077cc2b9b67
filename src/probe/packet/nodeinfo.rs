//! ICMPv6 Node Information (RFC 4620): the Node Addresses query we send, and the replies
//! that list a node's addresses. FreeBSD and macOS answer it by default (Linux and Windows
//! do not), with addresses the node never sends from. Pure and total: any input gives a
//! value or a [`Malformed`] reason, never a panic.
//!
//! The Node Name query (§6.3) goes beside it: the names a node gives itself are names
//! like any other.
//!
//! Message (§4): type, code, checksum, Qtype (16), Flags (16), Nonce (64), then Data. A
//! query's data is its Subject; a Node Addresses reply's data is a list of (TTL (32),
//! IPv6 address) pairs; a Node Name reply's data is a TTL (32) then DNS-encoded names.

use std::net::Ipv6Addr;

mod name;

/// ICMPv6 type: Node Information Query.
pub const TYPE_NI_QUERY: u8 = 139;
/// ICMPv6 type: Node Information Reply.
pub const TYPE_NI_REPLY: u8 = 140;
/// Query code: the Subject is an IPv6 address.
pub const CODE_SUBJECT_IPV6: u8 = 0;
/// Reply code: a successful reply.
pub const CODE_SUCCESS: u8 = 0;
/// Qtype: Node Name.
pub const QTYPE_NODE_NAME: u16 = 2;
/// Qtype: Node Addresses.
pub const QTYPE_NODE_ADDRESSES: u16 = 3;
/// Node Addresses flags (§6.3): T (the reply was truncated), A (every interface), L, S, G
/// (link-local, site-local, global scope).
pub const FLAG_TRUNCATED: u16 = 0x0001;
const FLAG_ALL: u16 = 0x0002;
const FLAG_LINK_LOCAL: u16 = 0x0008;
const FLAG_SITE_LOCAL: u16 = 0x0010;
const FLAG_GLOBAL: u16 = 0x0020;
/// Fixed part of every NI message.
const HEADER_LEN: usize = 16;
/// One (TTL, address) entry of a Node Addresses reply.
const ENTRY_LEN: usize = 20;
/// Most addresses taken from one reply: a node with more is still a node, but a reply
/// must not make us solicit without bound.
pub const MAX_ADDRESSES: usize = 32;

/// Why a message is not a Node Addresses reply we can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// Shorter than the fixed header.
    Short,
    /// Not type 140.
    NotReply,
    /// The responder refused or did not know the Qtype (codes 1, 2).
    Refused,
    /// Another Qtype than Node Addresses.
    OtherQtype,
    /// Data not a whole number of (TTL, address) entries.
    BadLength,
    /// A Node Name reply's data is no TTL followed by whole, uncompressed DNS names.
    BadName,
}

/// A Node Information reply, as [`super::parse`] reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// A successful Node Addresses reply.
    Addresses(AddressesReply),
    /// A successful Node Name reply.
    Name(NameReply),
    /// A well-formed reply we cannot use: refused or unknown (codes 1, 2), or of another
    /// Qtype.
    Unusable {
        /// The reply's code.
        code: u8,
        /// Its Qtype.
        qtype: u16,
        /// Its flags.
        flags: u16,
        /// Its nonce.
        nonce: [u8; 8],
    },
}

/// A Node Information query about an IPv6 address (another node's: we never answer one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    /// What is asked.
    pub qtype: u16,
    /// The Qtype's flags.
    pub flags: u16,
    /// The nonce the reply must carry.
    pub nonce: [u8; 8],
    /// The address asked about.
    pub subject: Ipv6Addr,
}

/// A Node Addresses reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressesReply {
    /// The nonce, which must be the one of our query.
    pub nonce: [u8; 8],
    /// The responder said it left addresses out (flag T).
    pub truncated: bool,
    /// The addresses listed, at most [`MAX_ADDRESSES`], in the reply's order.
    pub addresses: Vec<Ipv6Addr>,
}

/// A Node Addresses query for every unicast address of every scope on every interface,
/// about `subject` (the destination itself for ff02::1: KAME-derived stacks answer a
/// multicast query whose subject is the group it was sent to). Checksum left 0.
#[must_use]
pub fn node_addresses_query(nonce: [u8; 8], subject: Ipv6Addr) -> Vec<u8> {
    let flags = FLAG_ALL | FLAG_LINK_LOCAL | FLAG_SITE_LOCAL | FLAG_GLOBAL;
    query(QTYPE_NODE_ADDRESSES, flags, nonce, subject)
}

/// A query of `qtype` about the IPv6 address `subject`. Checksum left 0.
fn query(qtype: u16, flags: u16, nonce: [u8; 8], subject: Ipv6Addr) -> Vec<u8> {
    let mut m = Vec::with_capacity(HEADER_LEN + 16);
    m.extend_from_slice(&[TYPE_NI_QUERY, CODE_SUBJECT_IPV6, 0, 0]);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&nonce);
    m.extend_from_slice(&subject.octets());
    m
}

/// The fixed part of a successful reply of `qtype`. Checksum left 0.
fn reply_head(qtype: u16, flags: u16, nonce: [u8; 8], capacity: usize) -> Vec<u8> {
    let mut m = Vec::with_capacity(HEADER_LEN + capacity);
    m.extend_from_slice(&[TYPE_NI_REPLY, CODE_SUCCESS, 0, 0]);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&nonce);
    m
}

/// A successful Node Addresses reply listing `addresses` (what a responder sends; for the
/// simulated link and the tests). Checksum left 0.
#[must_use]
pub fn node_addresses_reply(nonce: [u8; 8], truncated: bool, addresses: &[Ipv6Addr]) -> Vec<u8> {
    let flags = if truncated { FLAG_TRUNCATED } else { 0 };
    let len = ENTRY_LEN * addresses.len();
    let mut m = reply_head(QTYPE_NODE_ADDRESSES, flags, nonce, len);
    for a in addresses {
        m.extend_from_slice(&86400u32.to_be_bytes());
        m.extend_from_slice(&a.octets());
    }
    m
}

/// The query's nonce and Qtype, if `b` is a Node Information query (for responders).
pub fn parse_query(b: &[u8]) -> Option<([u8; 8], u16)> {
    if b.len() < HEADER_LEN || b[0] != TYPE_NI_QUERY {
        return None;
    }
    let qtype = u16::from_be_bytes([b[4], b[5]]);
    let nonce = b.get(8..16)?.try_into().ok()?;
    Some((nonce, qtype))
}

/// The nonce, flags and data of a successful reply with Qtype `qtype`.
fn reply_parts(b: &[u8], qtype: u16) -> Result<([u8; 8], u16, &[u8]), Malformed> {
    let head = b.get(..HEADER_LEN).ok_or(Malformed::Short)?;
    if head[0] != TYPE_NI_REPLY {
        return Err(Malformed::NotReply);
    }
    if head[1] != CODE_SUCCESS {
        return Err(Malformed::Refused);
    }
    if u16::from_be_bytes([head[4], head[5]]) != qtype {
        return Err(Malformed::OtherQtype);
    }
    let flags = u16::from_be_bytes([head[6], head[7]]);
    let mut nonce = [0u8; 8];
    nonce.copy_from_slice(&head[8..16]);
    Ok((nonce, flags, &b[HEADER_LEN..]))
}

/// The Qtype of a Node Information message, to tell which parser reads it.
pub fn qtype(b: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(4)?, *b.get(5)?]))
}

/// Reads a Node Addresses reply.
pub fn parse_reply(b: &[u8]) -> Result<AddressesReply, Malformed> {
    let (nonce, flags, data) = reply_parts(b, QTYPE_NODE_ADDRESSES)?;
    if data.len() % ENTRY_LEN != 0 {
        return Err(Malformed::BadLength);
    }
    let addresses = data
        .chunks_exact(ENTRY_LEN)
        .filter_map(|e| <[u8; 16]>::try_from(&e[4..]).ok())
        .map(Ipv6Addr::from)
        .take(MAX_ADDRESSES)
        .collect();
    Ok(AddressesReply {
        nonce,
        truncated: flags & FLAG_TRUNCATED != 0,
        addresses,
    })
}

/// Reads any Node Information reply: a successful Node Addresses or Node Name one, or
/// one we cannot use ([`Reply::Unusable`]).
pub fn parse_any_reply(b: &[u8]) -> Result<Reply, Malformed> {
    let head = b.get(..HEADER_LEN).ok_or(Malformed::Short)?;
    let (code, qtype) = (head[1], u16::from_be_bytes([head[4], head[5]]));
    let r = match qtype {
        QTYPE_NODE_ADDRESSES => parse_reply(b).map(Reply::Addresses),
        QTYPE_NODE_NAME => parse_name_reply(b).map(Reply::Name),
        _ => Err(Malformed::OtherQtype),
    };
    match r {
        Err(Malformed::Refused | Malformed::OtherQtype) => {
            let mut nonce = [0u8; 8];
            nonce.copy_from_slice(&head[8..16]);
            Ok(Reply::Unusable {
                code,
                qtype,
                flags: u16::from_be_bytes([head[6], head[7]]),
                nonce,
            })
        }
        r => r,
    }
}

/// Reads a query about an IPv6 address (code 0, a 16-byte subject); `None` for anything
/// else.
pub fn parse_address_query(b: &[u8]) -> Option<Query> {
    if b.len() != HEADER_LEN + 16 || b[0] != TYPE_NI_QUERY || b[1] != CODE_SUBJECT_IPV6 {
        return None;
    }
    let (nonce, qtype) = parse_query(b)?;
    let subject: [u8; 16] = b[HEADER_LEN..].try_into().ok()?;
    Some(Query {
        qtype,
        flags: u16::from_be_bytes([b[6], b[7]]),
        nonce,
        subject: Ipv6Addr::from(subject),
    })
}

impl Query {
    /// The query's bytes (checksum 0).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        query(self.qtype, self.flags, self.nonce, self.subject)
    }
}

impl Reply {
    /// The reply's bytes (checksum 0), as a responder sends it.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Reply::Addresses(r) => node_addresses_reply(r.nonce, r.truncated, &r.addresses),
            Reply::Name(r) => {
                let names: Vec<&str> = r.names.iter().map(String::as_str).collect();
                node_name_reply(r.nonce, r.ttl, &names)
            }
            Reply::Unusable {
                code,
                qtype,
                flags,
                nonce,
            } => {
                let mut m = reply_head(*qtype, *flags, *nonce, 0);
                m[1] = *code;
                m
            }
        }
    }
}

pub use name::{node_name_query, node_name_reply, parse_name_reply, NameReply, MAX_NAMES};

#[cfg(test)]
#[path = "nodeinfo_tests.rs"]
mod tests;
