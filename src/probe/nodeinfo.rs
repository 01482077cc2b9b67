//! ICMPv6 Node Information (RFC 4620): the Node Addresses query we send, and the replies
//! that list a node's addresses. FreeBSD and macOS answer it by default (Linux and Windows
//! do not), with addresses the node never sends from. Pure and total: any input gives a
//! value or a [`Malformed`] reason, never a panic.
//!
//! Message (§4): type, code, checksum, Qtype (16), Flags (16), Nonce (64), then Data. A
//! query's data is its Subject; a Node Addresses reply's data is a list of (TTL (32),
//! IPv6 address) pairs.

use std::net::Ipv6Addr;

/// ICMPv6 type: Node Information Query.
pub const TYPE_NI_QUERY: u8 = 139;
/// ICMPv6 type: Node Information Reply.
pub const TYPE_NI_REPLY: u8 = 140;
/// Query code: the Subject is an IPv6 address.
pub const CODE_SUBJECT_IPV6: u8 = 0;
/// Reply code: a successful reply.
pub const CODE_SUCCESS: u8 = 0;
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
}

/// A Node Addresses reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
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
    let mut m = Vec::with_capacity(HEADER_LEN + 16);
    m.extend_from_slice(&[TYPE_NI_QUERY, CODE_SUBJECT_IPV6, 0, 0]);
    m.extend_from_slice(&QTYPE_NODE_ADDRESSES.to_be_bytes());
    let flags = FLAG_ALL | FLAG_LINK_LOCAL | FLAG_SITE_LOCAL | FLAG_GLOBAL;
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&nonce);
    m.extend_from_slice(&subject.octets());
    m
}

/// A successful Node Addresses reply listing `addresses` (what a responder sends; for the
/// simulated link and the tests). Checksum left 0.
#[must_use]
pub fn node_addresses_reply(nonce: [u8; 8], truncated: bool, addresses: &[Ipv6Addr]) -> Vec<u8> {
    let mut m = Vec::with_capacity(HEADER_LEN + ENTRY_LEN * addresses.len());
    m.extend_from_slice(&[TYPE_NI_REPLY, CODE_SUCCESS, 0, 0]);
    m.extend_from_slice(&QTYPE_NODE_ADDRESSES.to_be_bytes());
    let flags = if truncated { FLAG_TRUNCATED } else { 0 };
    m.extend_from_slice(&flags.to_be_bytes());
    m.extend_from_slice(&nonce);
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

/// Reads a Node Addresses reply.
pub fn parse_reply(b: &[u8]) -> Result<Reply, Malformed> {
    let head = b.get(..HEADER_LEN).ok_or(Malformed::Short)?;
    if head[0] != TYPE_NI_REPLY {
        return Err(Malformed::NotReply);
    }
    if head[1] != CODE_SUCCESS {
        return Err(Malformed::Refused);
    }
    if u16::from_be_bytes([head[4], head[5]]) != QTYPE_NODE_ADDRESSES {
        return Err(Malformed::OtherQtype);
    }
    let flags = u16::from_be_bytes([head[6], head[7]]);
    let mut nonce = [0u8; 8];
    nonce.copy_from_slice(&head[8..16]);
    let data = &b[HEADER_LEN..];
    if data.len() % ENTRY_LEN != 0 {
        return Err(Malformed::BadLength);
    }
    let addresses = data
        .chunks_exact(ENTRY_LEN)
        .filter_map(|e| <[u8; 16]>::try_from(&e[4..]).ok())
        .map(Ipv6Addr::from)
        .take(MAX_ADDRESSES)
        .collect();
    Ok(Reply {
        nonce,
        truncated: flags & FLAG_TRUNCATED != 0,
        addresses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    const NONCE: [u8; 8] = *b"n0nce!!!";

    #[test]
    fn the_query_follows_rfc_4620() {
        let q = node_addresses_query(NONCE, a("ff02::1"));
        assert_eq!(q.len(), 32);
        assert_eq!(&q[..8], &[139, 0, 0, 0, 0, 3, 0, 0x3a]);
        assert_eq!(&q[8..16], &NONCE);
        assert_eq!(&q[16..], &a("ff02::1").octets());
        assert_eq!(parse_query(&q), Some((NONCE, QTYPE_NODE_ADDRESSES)));
    }

    #[test]
    fn a_reply_round_trips_with_every_address() {
        let addrs = [
            a("fe80::1"),
            a("2001:db8:1::abcd:1234:5678:9"),
            a("fd00:1::5"),
        ];
        let r = parse_reply(&node_addresses_reply(NONCE, true, &addrs)).unwrap();
        assert_eq!(r.nonce, NONCE);
        assert!(r.truncated);
        assert_eq!(r.addresses, addrs);
    }

    #[test]
    fn a_reply_as_freebsd_sends_it() {
        // Type 140, code 0, checksum, qtype 3, flags 0, nonce, then one entry: TTL 0xffffffff
        // (infinite lifetime) and fe80::5054:ff:fe12:3456.
        let mut m = vec![140, 0, 0xab, 0xcd, 0, 3, 0, 0];
        m.extend_from_slice(&NONCE);
        m.extend_from_slice(&[0xff; 4]);
        m.extend_from_slice(&a("fe80::5054:ff:fe12:3456").octets());
        let r = parse_reply(&m).unwrap();
        assert_eq!(r.addresses, [a("fe80::5054:ff:fe12:3456")]);
        assert!(!r.truncated);
    }

    #[test]
    fn what_is_not_a_usable_reply_says_why() {
        let ok = node_addresses_reply(NONCE, false, &[a("fe80::1")]);
        assert_eq!(parse_reply(&ok[..15]), Err(Malformed::Short));
        assert_eq!(parse_reply(&ok[..35]), Err(Malformed::BadLength));
        let mut q = ok.clone();
        q[0] = TYPE_NI_QUERY;
        assert_eq!(parse_reply(&q), Err(Malformed::NotReply));
        let mut refused = ok.clone();
        refused[1] = 1;
        assert_eq!(parse_reply(&refused), Err(Malformed::Refused));
        let mut name = ok;
        name[5] = 2;
        assert_eq!(parse_reply(&name), Err(Malformed::OtherQtype));
    }

    #[test]
    fn a_long_reply_gives_at_most_the_cap() {
        let many: Vec<Ipv6Addr> = (1..=100u128)
            .map(|i| Ipv6Addr::from(0xfe80u128 << 112 | i))
            .collect();
        let r = parse_reply(&node_addresses_reply(NONCE, false, &many)).unwrap();
        assert_eq!(r.addresses, many[..MAX_ADDRESSES]);
    }
}
