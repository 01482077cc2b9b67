//! Echo request/reply and Parameter Problem (RFC 4443), with the echo request a Parameter
//! Problem quotes.

use super::bytes::{addr, array, be16, be32, Writer};
use super::{
    EmitError, Icmp, Invoking, Malformed, COOKIE_LEN, ECHO_HEADER_LEN, IPV6_HEADER_LEN,
    MAX_EXTENSION_HEADERS, NH_DEST_OPTS, NH_HOP_BY_HOP, NH_ICMPV6, NH_ROUTING, TYPE_ECHO_REQUEST,
    TYPE_PARAM_PROBLEM,
};

/// Hop limit of the probes we send, as a Parameter Problem quotes it back.
const PROBE_HOP_LIMIT: u8 = 255;
/// Length of the Destination Options header we attach to probes.
const DEST_OPTS_LEN: usize = 8;

/// Decodes an echo message body (`id`, `seq`, optional cookie) starting at its type byte.
fn echo_fields(b: &[u8]) -> Option<(u16, u16, Option<[u8; 8]>)> {
    let id = be16(b, 4)?;
    let seq = be16(b, 6)?;
    Some((id, seq, array::<COOKIE_LEN>(b, ECHO_HEADER_LEN)))
}

pub(super) fn parse_echo_reply(b: &[u8]) -> Result<Icmp, Malformed> {
    let (id, seq, cookie) = echo_fields(b).ok_or(Malformed::Truncated)?;
    Ok(Icmp::EchoReply { id, seq, cookie })
}

pub(super) fn parse_echo_request(b: &[u8]) -> Result<Icmp, Malformed> {
    let (id, seq, cookie) = echo_fields(b).ok_or(Malformed::Truncated)?;
    Ok(Icmp::EchoRequest { id, seq, cookie })
}

/// Bytes of an echo message with this cookie.
pub(super) fn echo_len(cookie: Option<[u8; 8]>) -> usize {
    ECHO_HEADER_LEN + cookie.map_or(0, |c| c.len())
}

pub(super) fn emit_echo(
    w: &mut Writer<'_>,
    icmp_type: u8,
    id: u16,
    seq: u16,
    cookie: Option<[u8; 8]>,
) -> Result<(), EmitError> {
    w.header(icmp_type, 0)?;
    w.u16(id)?;
    w.u16(seq)?;
    match cookie {
        Some(c) => w.put(&c),
        None => Ok(()),
    }
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

/// Decodes the packet quoted in an ICMPv6 error as IPv6 header, then up to
/// [`MAX_EXTENSION_HEADERS`] hop-by-hop/routing/destination-options headers, then an echo
/// request. `None` when the quote is cut short or is anything else.
fn parse_invoking(q: &[u8]) -> Option<Invoking> {
    let first = *q.first()?;
    if first >> 4 != 6 {
        return None;
    }
    let mut next = *q.get(6)?;
    let src = addr(q, 8)?;
    let dst = addr(q, 24)?;
    let mut at = IPV6_HEADER_LEN;
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
    let echo = q.get(at..)?;
    if *echo.first()? != TYPE_ECHO_REQUEST {
        return None;
    }
    let (id, seq, cookie) = echo_fields(echo)?;
    Some(Invoking {
        src,
        dst,
        id,
        seq,
        cookie,
    })
}

/// Bytes of a Parameter Problem quoting `invoking`.
pub(super) fn param_problem_len(invoking: Option<&Invoking>) -> usize {
    8 + invoking.map_or(0, |i| IPV6_HEADER_LEN + DEST_OPTS_LEN + echo_len(i.cookie))
}

/// A Parameter Problem whose quote is our probe as it left us: IPv6 header (no traffic
/// class or flow label, hop limit 255), our unknown-option Destination Options header,
/// the echo request with a zero checksum. The parser reads only `invoking`'s fields from
/// a quote, so that is the one quote that round-trips.
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
    let payload = DEST_OPTS_LEN + echo_len(inv.cookie);
    w.put(&[0x60, 0, 0, 0])?;
    w.u16(u16::try_from(payload).map_err(|_| EmitError::TooMany)?)?;
    w.put(&[NH_DEST_OPTS, PROBE_HOP_LIMIT])?;
    w.addr(inv.src)?;
    w.addr(inv.dst)?;
    let mut opts = super::unknown_option_dest_opts();
    opts[0] = NH_ICMPV6;
    w.put(&opts)?;
    emit_echo(w, TYPE_ECHO_REQUEST, inv.id, inv.seq, inv.cookie)
}
