//! ICMPv6 probes we send and the replies we understand: pure build/parse, no I/O.
//!
//! One wire format, smoltcp-style: every message is an [`Icmp`] value that [`parse`] reads
//! and [`Icmp::emit`] writes — MLD ([`mld`]) and Node Information ([`nodeinfo`]) as
//! variants of it, like smoltcp's `icmpv6::Repr` holds `Mld` — and the builders below and
//! the simulated link ([`super::sim`]) all emit through it.
//!
//! Linux raw ICMPv6 sockets deliver and accept the ICMPv6 message only (no IPv6 header),
//! and the kernel computes the checksum on send. So emit writes ICMPv6 message bytes with
//! a zero checksum field, and [`parse`] takes ICMPv6 message bytes as received.
//! The checksum of received messages is not verified here: the kernel already did that.
//!
//! Every parser is total: any input gives a value or a [`Malformed`] reason, never a panic.
//! NDP options are walked by hand (pnet's option-length arithmetic overflows on long
//! options), with checked slicing only.
//!
//! Hop limit 255 on NDP messages (RFC 4861 §6.1/§7.1) arrives in ancillary data and is
//! checked by the caller, as are checks that need the IPv6 source/destination addresses.

use std::fmt;
use std::net::Ipv6Addr;

use crate::mac::Mac;

pub(crate) mod bytes;
mod echo;
mod emit;
pub mod mld;
mod ndp;
pub mod nodeinfo;
mod ra;
use echo::{parse_echo_reply, parse_echo_request, parse_param_problem};
pub use echo::{unknown_type_probe, Invoking, PayloadHead, QuoteStart};
use ndp::{parse_neighbour_advert, parse_neighbour_solicit, parse_router_solicit};
use ra::parse_router_advert;
pub use ra::{OPT_DNSSL, OPT_PREF64, OPT_RDNSS, OPT_ROUTE_INFO};

/// Option type of the Destination Options option in [`unknown_option_dest_opts`]: the two
/// high bits `10` mean "discard the packet and send Parameter Problem code 2, even if the
/// destination was multicast" (RFC 8200 §4.2), and no stack implements option type 0x00|0x80.
pub const UNKNOWN_OPTION_TYPE: u8 = 0x80;

// Every ICMPv6 type, code and NDP option type v6scout sends or reads, in one place: the
// socket filter, the worker, the simulator and the tests all name them from here.

/// ICMPv6 type: Destination Unreachable (RFC 4443 §3.1).
pub const TYPE_DEST_UNREACHABLE: u8 = 1;
/// ICMPv6 type: Time Exceeded (RFC 4443 §3.3).
pub const TYPE_TIME_EXCEEDED: u8 = 3;
/// ICMPv6 type: Parameter Problem (RFC 4443 §3.4).
pub const TYPE_PARAM_PROBLEM: u8 = 4;
/// ICMPv6 type: Echo Request (RFC 4443 §4.1).
pub const TYPE_ECHO_REQUEST: u8 = 128;
/// ICMPv6 type: Echo Reply (RFC 4443 §4.2).
pub const TYPE_ECHO_REPLY: u8 = 129;
/// ICMPv6 type: Multicast Listener Query (RFC 2710 §3, RFC 3810 §5.1).
pub const TYPE_MLD_QUERY: u8 = 130;
/// ICMPv6 type: MLDv1 Multicast Listener Report (RFC 2710 §3).
pub const TYPE_MLD_REPORT_V1: u8 = 131;
/// ICMPv6 type: Router Solicitation (RFC 4861 §4.1).
pub const TYPE_ROUTER_SOLICIT: u8 = 133;
/// ICMPv6 type: Router Advertisement (RFC 4861 §4.2).
pub const TYPE_ROUTER_ADVERT: u8 = 134;
/// ICMPv6 type: Neighbour Solicitation (RFC 4861 §4.3).
pub const TYPE_NEIGHBOUR_SOLICIT: u8 = 135;
/// ICMPv6 type: Neighbour Advertisement (RFC 4861 §4.4).
pub const TYPE_NEIGHBOUR_ADVERT: u8 = 136;
/// ICMPv6 type: MLDv2 Multicast Listener Report (RFC 3810 §5.2).
pub const TYPE_MLD_REPORT_V2: u8 = 143;
/// ICMPv6 type of our second unknown-option probe: reserved for the expansion of
/// informational messages (RFC 4443 §2.1), so no stack implements it. Old macOS answered
/// the unknown option only when the message behind it was of an unknown type too.
pub const TYPE_UNKNOWN_PROBE: u8 = 254;
/// ICMPv6 types below this are error messages (RFC 4443 §2.1).
pub const FIRST_INFORMATIONAL_TYPE: u8 = 128;

/// Parameter Problem code 2: unrecognized IPv6 option encountered (RFC 4443 §3.4), the
/// answer our unknown-option probe elicits.
pub const CODE_UNRECOGNIZED_OPTION: u8 = 2;
/// Parameter Problem pointer of that answer: the type byte of our option, after the
/// 40-byte IPv6 header and the 2-byte Destination Options header head.
pub const POINTER_UNKNOWN_OPTION: u32 = IPV6_HEADER_LEN as u32 + 2;

/// NDP option type: Source Link-Layer Address (RFC 4861 §4.6.1).
pub const OPT_SOURCE_LLADDR: u8 = 1;
/// NDP option type: Target Link-Layer Address (RFC 4861 §4.6.1).
pub const OPT_TARGET_LLADDR: u8 = 2;
/// NDP option type: Prefix Information (RFC 4861 §4.6.2).
pub const OPT_PREFIX_INFO: u8 = 3;
/// NDP option type: MTU (RFC 4861 §4.6.4).
pub const OPT_MTU: u8 = 5;

/// IPv6 next-header values we walk through in a quoted invoking packet.
const NH_HOP_BY_HOP: u8 = 0;
const NH_ROUTING: u8 = 43;
const NH_ICMPV6: u8 = 58;
const NH_DEST_OPTS: u8 = 60;

/// Length of the fixed part of an echo message: type, code, checksum, identifier, sequence.
const ECHO_HEADER_LEN: usize = 8;
/// Length of the cookie carried as the echo payload.
const COOKIE_LEN: usize = 8;
/// Length of an IPv6 header.
const IPV6_HEADER_LEN: usize = 40;
/// How many extension headers we follow in a quoted packet before giving up.
const MAX_EXTENSION_HEADERS: usize = 8;

/// Per-scan identity carried in every probe so replies to other programs' pings are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeTag {
    /// Echo identifier of every echo request of this scan.
    pub id: u16,
    /// Random bytes sent as the echo payload and expected back verbatim.
    pub cookie: [u8; 8],
}

/// Echo request (type 128): identifier = `tag.id`, sequence = `seq`, payload = the 8-byte
/// cookie and nothing else (16 bytes in all; checksum left 0 for the kernel).
#[must_use]
pub fn echo_request(tag: &ProbeTag, seq: u16) -> Vec<u8> {
    Icmp::EchoRequest {
        id: tag.id,
        seq,
        cookie: PayloadHead::full(tag.cookie),
    }
    .to_bytes()
}

/// The Destination Options extension header we attach to an echo request (through the
/// `IPV6_DSTOPTS` ancillary data, so the kernel sets Next Header) to elicit Parameter
/// Problem code 2 from hosts that ignore multicast echo.
///
/// 8 bytes: next header 0 (overwritten by the kernel), header extension length 0, then one
/// option of type [`UNKNOWN_OPTION_TYPE`] with 4 zero data bytes, which fills the header
/// exactly (no padding needed).
#[must_use]
pub fn unknown_option_dest_opts() -> [u8; 8] {
    [0, 0, UNKNOWN_OPTION_TYPE, 4, 0, 0, 0, 0]
}

/// Router Solicitation (type 133) with a Source Link-Layer Address option when a MAC is
/// given (leave it out when sending from the unspecified address, RFC 4861 §4.1).
#[must_use]
pub fn router_solicitation(src_mac: Option<Mac>) -> Vec<u8> {
    Icmp::RouterSolicit {
        source_mac: src_mac,
    }
    .to_bytes()
}

/// Neighbour Solicitation (type 135) for `target`, with a Source Link-Layer Address option
/// carrying our MAC (32 bytes). Send it to [`solicited_node`]`(target)` for an answer that
/// carries the target's MAC; Linux omits the Target Link-Layer Address option when it
/// answers a unicast solicitation.
#[must_use]
pub fn neighbour_solicitation(target: Ipv6Addr, src_mac: Mac) -> Vec<u8> {
    Icmp::NeighbourSolicit {
        target,
        source_mac: Some(src_mac),
    }
    .to_bytes()
}

/// The solicited-node multicast address `ff02::1:ffXX:XXXX` of `addr` (RFC 4291 §2.7.1).
#[must_use]
pub fn solicited_node(addr: Ipv6Addr) -> Ipv6Addr {
    let o = addr.octets();
    Ipv6Addr::from([
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, o[13], o[14], o[15],
    ])
}

pub use crate::router::PrefixInfo;

/// An ICMPv6 message v6scout sends or reads, as plain values: [`parse`] decodes one from
/// the wire and [`Icmp::emit`] (sized by [`Icmp::buffer_len`]) encodes one. For every value
/// `parse` returns, emitting it and parsing the bytes gives the value back (tests/fuzz.rs
/// checks it on mangled captures).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Icmp {
    /// Echo Request (type 128): what we probe with; we never answer one.
    EchoRequest {
        /// Echo identifier.
        id: u16,
        /// Echo sequence number.
        seq: u16,
        /// The first payload bytes, at most 8 (ours: the cookie).
        cookie: PayloadHead,
    },
    /// Echo Reply (type 129).
    EchoReply {
        /// Echo identifier.
        id: u16,
        /// Echo sequence number.
        seq: u16,
        /// The first payload bytes, at most 8: ours carry the cookie, a reply cut short
        /// only part of it.
        cookie: PayloadHead,
    },
    /// Parameter Problem (type 4). `invoking` is the probe quoted in it (an echo request,
    /// or our unknown-type probe), wherever the quote starts: at the IPv6 header (Linux),
    /// at an extension header, or at the ICMPv6 message. Emitted with the quote its
    /// [`QuoteStart`] names, behind our own Destination Options header.
    ParamProblem {
        /// 0 erroneous header field, 1 unrecognized next header, 2 unrecognized option, …
        code: u8,
        /// Offset in the invoking packet of the octet where the problem was found.
        pointer: u32,
        /// The quoted echo request, or `None` if the quote is truncated or is something else.
        invoking: Option<Invoking>,
    },
    /// Neighbour Advertisement (type 136).
    NeighbourAdvert {
        /// The address being advertised (never multicast).
        target: Ipv6Addr,
        /// R flag: the sender is a router.
        router: bool,
        /// S flag: sent in response to a solicitation.
        solicited: bool,
        /// O flag: should override an existing cache entry.
        override_flag: bool,
        /// Target Link-Layer Address option (first one of length 1), as sent: may be zero or
        /// multicast if the sender is broken, the caller decides.
        target_mac: Option<Mac>,
    },
    /// Neighbour Solicitation (type 135), e.g. a host resolving us before it answers.
    NeighbourSolicit {
        /// The address being resolved (never multicast).
        target: Ipv6Addr,
        /// Source Link-Layer Address option (first one of length 1), as sent.
        source_mac: Option<Mac>,
    },
    /// Router Solicitation (type 133): what we send to make routers advertise.
    RouterSolicit {
        /// Source Link-Layer Address option (first one of length 1), as sent.
        source_mac: Option<Mac>,
    },
    /// Router Advertisement (type 134), every option we read (see [`crate::router::Advert`]);
    /// boxed, as it is far larger than the other messages.
    RouterAdvert(Box<crate::router::Advert>),
    /// An MLDv2 query (another querier's: a switch's or a router's).
    MldQuery(mld::Query),
    /// An MLD report, either version: the groups a listener is in.
    MldReport(mld::Report),
    /// A Node Information query about an IPv6 address (another node's).
    NodeInfoQuery(nodeinfo::Query),
    /// A Node Information reply.
    NodeInfoReply(nodeinfo::Reply),
    /// A type we don't use here (redirect, other errors), or a query we do not read
    /// (an MLDv1 query, a Node Information query about a name or an IPv4 address): not
    /// an error, just ignored. Emitted as its 4-byte header only.
    Other {
        /// ICMPv6 type.
        icmp_type: u8,
        /// ICMPv6 code.
        code: u8,
    },
}

/// Why bytes were dropped (counted in stats by the caller).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// Shorter than its type's fixed part, or an option runs past the end of the message.
    Truncated,
    /// Trailing bytes after the last option that are too few to be an option header.
    BadLength,
    /// An NDP option with length 0 (RFC 4861 §6.1/§7.1: discard the packet).
    BadOption,
    /// An NDP message with code other than 0.
    BadCode,
    /// A Neighbour Solicitation/Advertisement whose target is a multicast address.
    MulticastTarget,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformed::Truncated => "truncated ICMPv6 message",
            Malformed::BadLength => "ICMPv6 message length is not a whole number of options",
            Malformed::BadOption => "NDP option with length 0",
            Malformed::BadCode => "NDP message with non-zero code",
            Malformed::MulticastTarget => "neighbour discovery target is multicast",
        })
    }
}

impl std::error::Error for Malformed {}

/// Why [`Icmp::emit`] (or an MLD message's `emit`) wrote nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmitError {
    /// The buffer is shorter than the message's `buffer_len`.
    BufferTooShort,
    /// A count field cannot hold that many items (more than 65535 MLD records or sources).
    TooMany,
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmitError::BufferTooShort => "buffer too short for the ICMPv6 message",
            EmitError::TooMany => "too many items for the message's count field",
        })
    }
}

impl std::error::Error for EmitError {}

/// Decodes an ICMPv6 message (as delivered by a raw ICMPv6 socket, without IPv6 header).
///
/// Validation follows RFC 4861 §6.1.1/§6.1.2/§7.1.1/§7.1.2 except the checks that need the
/// IPv6 header or ancillary data (hop limit 255, source/destination address rules), which
/// are the caller's. Prefix Information options whose length is not 4 (32 bytes) or whose
/// prefix length exceeds 128 are skipped, not fatal; link-layer address options whose length
/// is not 1 (i.e. not Ethernet) are ignored.
///
/// # Errors
///
/// [`Malformed`] says why the message must be dropped (a Node Information reply that
/// does not parse is [`Malformed::Truncated`], whatever its fault). Types and queries we
/// do not read are not errors ([`Icmp::Other`]), nor is a Parameter Problem whose quote
/// cannot be decoded.
pub fn parse(bytes: &[u8]) -> Result<Icmp, Malformed> {
    let &[icmp_type, code, _, _, ..] = bytes else {
        return Err(Malformed::Truncated);
    };
    match icmp_type {
        TYPE_ECHO_REQUEST => parse_echo_request(bytes),
        TYPE_ECHO_REPLY => parse_echo_reply(bytes),
        TYPE_PARAM_PROBLEM => parse_param_problem(bytes, code),
        TYPE_ROUTER_SOLICIT => parse_router_solicit(bytes, code),
        TYPE_NEIGHBOUR_ADVERT => parse_neighbour_advert(bytes, code),
        TYPE_NEIGHBOUR_SOLICIT => parse_neighbour_solicit(bytes, code),
        TYPE_ROUTER_ADVERT => parse_router_advert(bytes, code),
        // Another querier's: an MLDv1 query (shorter than v2's) is as ignorable as one.
        TYPE_MLD_QUERY => Ok(mld::Query::parse(bytes)
            .map(Icmp::MldQuery)
            .unwrap_or(Icmp::Other { icmp_type, code })),
        TYPE_MLD_REPORT_V1 | TYPE_MLD_REPORT_V2 => mld::Report::parse(bytes).map(Icmp::MldReport),
        // Another node's query: one about a name or an IPv4 address is ignorable too.
        nodeinfo::TYPE_NI_QUERY => Ok(nodeinfo::parse_address_query(bytes)
            .map(Icmp::NodeInfoQuery)
            .unwrap_or(Icmp::Other { icmp_type, code })),
        nodeinfo::TYPE_NI_REPLY => nodeinfo::parse_any_reply(bytes)
            .map(Icmp::NodeInfoReply)
            .map_err(|_| Malformed::Truncated),
        _ => Ok(Icmp::Other { icmp_type, code }),
    }
}

impl Icmp {
    /// True if this is an answer to a probe carrying `tag`: an echo reply with our id and
    /// cookie (or as much of the cookie as a reply cut short kept), or a Parameter Problem
    /// of any code whose quoted probe has our id and whole cookie. NDP messages
    /// are not tag-checked here and always return true (the worker matches Neighbour
    /// Advertisements against the targets it solicited); echo requests, Router
    /// Solicitations and [`Icmp::Other`] return false.
    #[must_use]
    pub fn matches(&self, tag: &ProbeTag) -> bool {
        match self {
            // A reply cut short counts if what it kept of the payload is our cookie.
            Icmp::EchoReply { id, cookie, .. } => *id == tag.id && cookie.agrees_with(&tag.cookie),
            // A quote must hold the whole cookie: a short quote proves nothing.
            Icmp::ParamProblem { invoking, .. } => invoking
                .as_ref()
                .is_some_and(|inv| inv.id == tag.id && inv.cookie == PayloadHead::full(tag.cookie)),
            Icmp::NeighbourAdvert { .. }
            | Icmp::NeighbourSolicit { .. }
            | Icmp::RouterAdvert { .. } => true,
            Icmp::EchoRequest { .. }
            | Icmp::RouterSolicit { .. }
            | Icmp::MldQuery(_)
            | Icmp::MldReport(_)
            | Icmp::NodeInfoQuery(_)
            | Icmp::NodeInfoReply(_)
            | Icmp::Other { .. } => false,
        }
    }
}

/// Whether messages of `icmp_type` are never answers to our probes (echo requests, RSs,
/// MLD and Node Information queries): one that does not parse is as ignorable as one that
/// does, not malformed.
#[must_use]
pub fn never_an_answer(icmp_type: u8) -> bool {
    matches!(
        icmp_type,
        TYPE_ECHO_REQUEST | TYPE_ROUTER_SOLICIT | TYPE_MLD_QUERY | nodeinfo::TYPE_NI_QUERY
    )
}

#[cfg(test)]
#[path = "packet_tests.rs"]
mod tests;
