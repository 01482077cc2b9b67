//! Echo request/reply and Parameter Problem (RFC 4443), with the probe a Parameter
//! Problem quotes, and our second probe of an unknown ICMPv6 type.

use super::bytes::{addr, be16, be32, Writer};
use super::{
    EmitError, Icmp, Malformed, ProbeTag, COOKIE_LEN, ECHO_HEADER_LEN, IPV6_HEADER_LEN,
    MAX_EXTENSION_HEADERS, NH_DEST_OPTS, NH_HOP_BY_HOP, NH_ICMPV6, NH_ROUTING, TYPE_ECHO_REQUEST,
    TYPE_PARAM_PROBLEM, TYPE_UNKNOWN_PROBE,
};
use std::net::Ipv6Addr;

/// The first bytes of an echo payload, at most [`COOKIE_LEN`]: where our cookie travels.
/// A message or quote cut short carries fewer of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PayloadHead {
    len: u8,
    bytes: [u8; COOKIE_LEN],
}

impl PayloadHead {
    /// All of `cookie`.
    #[must_use]
    pub const fn full(cookie: [u8; COOKIE_LEN]) -> Self {
        PayloadHead {
            len: COOKIE_LEN as u8,
            bytes: cookie,
        }
    }

    /// The first [`COOKIE_LEN`] bytes of `payload`, or all of it when shorter.
    #[must_use]
    pub fn of(payload: &[u8]) -> Self {
        let n = payload.len().min(COOKIE_LEN);
        let mut bytes = [0; COOKIE_LEN];
        bytes[..n].copy_from_slice(&payload[..n]);
        PayloadHead {
            len: n as u8,
            bytes,
        }
    }

    /// The bytes held.
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len).min(COOKIE_LEN)]
    }

    /// True when the payload had at least [`COOKIE_LEN`] bytes.
    #[must_use]
    pub fn is_full(&self) -> bool {
        usize::from(self.len) >= COOKIE_LEN
    }

    /// True if these bytes are `cookie`, or as much of it as they hold.
    #[must_use]
    pub fn agrees_with(&self, cookie: &[u8; COOKIE_LEN]) -> bool {
        cookie.starts_with(self.as_slice())
    }
}

/// Where the quote of a Parameter Problem starts. RFC 4443 asks for the invoking packet
/// from its IPv6 header on, and Linux sends that; small stacks start later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuoteStart {
    /// At the IPv6 header, which names the invoking packet's addresses.
    Ipv6Header {
        /// Its source (which of our addresses sent the probe).
        src: Ipv6Addr,
        /// Its destination (e.g. ff02::1).
        dst: Ipv6Addr,
    },
    /// At the extension header after it (our Destination Options).
    ExtensionHeader,
    /// At the ICMPv6 message itself.
    Message,
}

/// The probe quoted in a Parameter Problem: where the quote starts and the probe's
/// ICMPv6 type, identifier, sequence number and payload head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invoking {
    /// Where the quote starts.
    pub start: QuoteStart,
    /// ICMPv6 type of the quoted message: [`TYPE_ECHO_REQUEST`] or [`TYPE_UNKNOWN_PROBE`].
    pub icmp_type: u8,
    /// Identifier.
    pub id: u16,
    /// Sequence number.
    pub seq: u16,
    /// As much of the payload as the quote holds.
    pub cookie: PayloadHead,
}

/// Our second unknown-option probe: a message of type [`TYPE_UNKNOWN_PROBE`] laid out like
/// an echo request (identifier = `tag.id`, sequence = `seq`, payload = the cookie), sent
/// behind the unknown destination option. A host must answer the option with a Parameter
/// Problem quoting it, whatever it makes of the type.
#[must_use]
pub fn unknown_type_probe(tag: &ProbeTag, seq: u16) -> Vec<u8> {
    let head = PayloadHead::full(tag.cookie);
    let mut b = vec![0; echo_len(head)];
    let mut w = Writer::new(&mut b);
    // The buffer is sized for exactly this message: nothing to fail on.
    let n = emit_echo(&mut w, TYPE_UNKNOWN_PROBE, tag.id, seq, head).map_or(0, |()| w.written());
    b.truncate(n);
    b
}

/// Hop limit of the probes we send, as a Parameter Problem quotes it back.
const PROBE_HOP_LIMIT: u8 = 255;
/// Length of the Destination Options header we attach to probes.
const DEST_OPTS_LEN: usize = 8;

/// Decodes an echo-like message (`id`, `seq`, payload head) starting at its type byte.
fn echo_fields(b: &[u8]) -> Option<(u16, u16, PayloadHead)> {
    let id = be16(b, 4)?;
    let seq = be16(b, 6)?;
    Some((id, seq, PayloadHead::of(b.get(ECHO_HEADER_LEN..)?)))
}

pub(super) fn parse_echo_reply(b: &[u8]) -> Result<Icmp, Malformed> {
    let (id, seq, cookie) = echo_fields(b).ok_or(Malformed::Truncated)?;
    Ok(Icmp::EchoReply { id, seq, cookie })
}

pub(super) fn parse_echo_request(b: &[u8]) -> Result<Icmp, Malformed> {
    let (id, seq, cookie) = echo_fields(b).ok_or(Malformed::Truncated)?;
    Ok(Icmp::EchoRequest { id, seq, cookie })
}

/// Bytes of an echo message with this payload head.
pub(super) fn echo_len(cookie: PayloadHead) -> usize {
    ECHO_HEADER_LEN + cookie.as_slice().len()
}

pub(super) fn emit_echo(
    w: &mut Writer<'_>,
    icmp_type: u8,
    id: u16,
    seq: u16,
    cookie: PayloadHead,
) -> Result<(), EmitError> {
    w.header(icmp_type, 0)?;
    w.u16(id)?;
    w.u16(seq)?;
    w.put(cookie.as_slice())
}

pub(super) fn parse_param_problem(b: &[u8], code: u8) -> Result<Icmp, Malformed> {
    let pointer = be32(b, 4).ok_or(Malformed::Truncated)?;
    let invoking = b.get(8..).and_then(parse_invoking);
    Ok(Icmp::ParamProblem {
        code,
        pointer,
        invoking,
    })
}

/// Decodes the probe quoted in an ICMPv6 error. The quote may start at the invoking
/// packet's IPv6 header, at an extension header after it, or at the ICMPv6 message; up to
/// [`MAX_EXTENSION_HEADERS`] hop-by-hop/routing/destination-options headers are walked.
/// `None` unless an echo request or our unknown-type probe follows with at least its
/// identifier and sequence number.
fn parse_invoking(q: &[u8]) -> Option<Invoking> {
    let first = *q.first()?;
    let (start, mut next, mut at) = if first >> 4 == 6 {
        let start = QuoteStart::Ipv6Header {
            src: addr(q, 8)?,
            dst: addr(q, 24)?,
        };
        (start, *q.get(6)?, IPV6_HEADER_LEN)
    } else if matches!(first, TYPE_ECHO_REQUEST | TYPE_UNKNOWN_PROBE) {
        (QuoteStart::Message, NH_ICMPV6, 0)
    } else {
        // An extension header's first byte names the header after it; which kind it is
        // itself does not matter, they all say their length the same way.
        (QuoteStart::ExtensionHeader, NH_DEST_OPTS, 0)
    };
    for _ in 0..MAX_EXTENSION_HEADERS {
        if !matches!(next, NH_HOP_BY_HOP | NH_ROUTING | NH_DEST_OPTS) {
            break;
        }
        next = *q.get(at)?;
        let len = (usize::from(*q.get(at.checked_add(1)?)?) + 1) * 8;
        at = at.checked_add(len)?;
    }
    if next != NH_ICMPV6 {
        return None;
    }
    let msg = q.get(at..)?;
    let icmp_type = *msg.first()?;
    if !matches!(icmp_type, TYPE_ECHO_REQUEST | TYPE_UNKNOWN_PROBE) {
        return None;
    }
    let (id, seq, cookie) = echo_fields(msg)?;
    Some(Invoking {
        start,
        icmp_type,
        id,
        seq,
        cookie,
    })
}

/// Bytes of a Parameter Problem quoting `invoking`.
pub(super) fn param_problem_len(invoking: Option<&Invoking>) -> usize {
    8 + invoking.map_or(0, |i| {
        let ipv6 = match i.start {
            QuoteStart::Ipv6Header { .. } => IPV6_HEADER_LEN,
            _ => 0,
        };
        let ext = match i.start {
            QuoteStart::Message => 0,
            _ => DEST_OPTS_LEN,
        };
        ipv6 + ext + echo_len(i.cookie)
    })
}

/// A Parameter Problem whose quote is our probe as it left us, from where `start` says:
/// IPv6 header (no traffic class or flow label, hop limit 255), our unknown-option
/// Destination Options header, the probe with a zero checksum. The parser reads only
/// `invoking`'s fields from a quote, so that is the one quote that round-trips.
pub(super) fn emit_param_problem(
    w: &mut Writer<'_>,
    code: u8,
    pointer: u32,
    invoking: Option<&Invoking>,
) -> Result<(), EmitError> {
    w.header(TYPE_PARAM_PROBLEM, code)?;
    w.u32(pointer)?;
    let Some(inv) = invoking else {
        return Ok(());
    };
    if let QuoteStart::Ipv6Header { src, dst } = inv.start {
        let payload = DEST_OPTS_LEN + echo_len(inv.cookie);
        w.put(&[0x60, 0, 0, 0])?;
        w.u16(u16::try_from(payload).map_err(|_| EmitError::TooMany)?)?;
        w.put(&[NH_DEST_OPTS, PROBE_HOP_LIMIT])?;
        w.addr(src)?;
        w.addr(dst)?;
    }
    if inv.start != QuoteStart::Message {
        let mut opts = super::unknown_option_dest_opts();
        opts[0] = NH_ICMPV6;
        w.put(&opts)?;
    }
    emit_echo(w, inv.icmp_type, inv.id, inv.seq, inv.cookie)
}
