//! MLD (RFC 3810): the general query we send with `--mld`, the reports hosts answer with
//! (each a [`Query`] / [`Report`] repr with parse and emit, like [`super::packet::Icmp`]),
//! and the address candidates their solicited-node groups imply. Pure: no I/O.
//!
//! Every IPv6 address a host has makes it join the solicited-node group
//! ff02::1:ffXX:XXXX carrying the address's low 24 bits, and an MLD report lists those
//! groups. 24 bits are not an address, but combined with the prefixes on the link and the
//! interface IDs we can guess (MAC-derived EUI-64, small manual IDs such as `::10`, IDs the
//! host uses in another prefix) they give candidates, which a Neighbour Solicitation then
//! confirms or not: nothing is reported that the host itself did not confirm.

use super::bytes::{addr, be16, Writer};
use super::{EmitError, Malformed, TYPE_MLD_QUERY, TYPE_MLD_REPORT_V1, TYPE_MLD_REPORT_V2};
use crate::mac::Mac;
use crate::model::Ipv6Prefix;
use std::net::Ipv6Addr;
use std::time::Duration;

/// Where MLDv2 reports go: we join it to hear them.
pub const ALL_MLDV2_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);
/// Most candidates tried per host, so a host reporting many groups cannot make us flood.
pub const MAX_CANDIDATES_PER_HOST: usize = 64;
/// MLDv2 record type MODE_IS_EXCLUDE (RFC 3810 §5.2.12): what a listener answers a query
/// with for every group it joined without source filter.
pub const RECORD_MODE_IS_EXCLUDE: u8 = 2;
/// MLDv2 record type CHANGE_TO_EXCLUDE_MODE (RFC 3810 §5.2.12): an unsolicited join.
pub const RECORD_CHANGE_TO_EXCLUDE: u8 = 4;
/// Robustness variable of our query: the protocol default (RFC 3810 §9.1).
const DEFAULT_ROBUSTNESS: u8 = 2;
/// Query interval code of our query: the default 125 s (RFC 3810 §9.2).
const DEFAULT_INTERVAL_CODE: u8 = 125;

/// Fixed part of an MLDv1 message and of an MLDv2 query: header, delay, reserved, group.
const MLD_FIXED_LEN: usize = 24;
/// Fixed part of an MLDv2 query: the MLDv1 part, flags/QRV, QQIC, number of sources.
const QUERY_V2_FIXED_LEN: usize = 28;
/// Fixed part of an MLDv2 report: header, reserved, number of records.
const REPORT_V2_FIXED_LEN: usize = 8;
/// Fixed part of an MLDv2 address record: type, aux length, number of sources, group.
const RECORD_FIXED_LEN: usize = 20;
/// The S (suppress router-side processing) flag of an MLDv2 query.
const QUERY_SUPPRESS: u8 = 0x08;
/// The QRV bits of an MLDv2 query.
const QUERY_QRV: u8 = 0x07;

/// An MLDv2 query (RFC 3810 §5.1), the one MLD message we send. MLDv1 queries (24 bytes)
/// do not parse as one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Maximum Response Code; below 32768 it is the delay in milliseconds (§5.1.3).
    pub max_response_code: u16,
    /// The group asked about; unspecified for a general query.
    pub group: Ipv6Addr,
    /// S flag: suppress router-side processing.
    pub suppress: bool,
    /// Querier's Robustness Variable, 0..=7 (3 bits).
    pub robustness: u8,
    /// Querier's Query Interval Code.
    pub interval_code: u8,
    /// Sources asked about (a group-and-source-specific query).
    pub sources: Vec<Ipv6Addr>,
}

/// A Multicast Listener Report, either version: the groups a host listens to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// MLDv1 report (RFC 2710 §3): one group, maximum response delay 0.
    V1 {
        /// The group listened to.
        group: Ipv6Addr,
    },
    /// MLDv2 report (RFC 3810 §5.2): a list of address records.
    V2 {
        /// The records, in packet order.
        records: Vec<Record>,
    },
}

/// One Multicast Address Record of an MLDv2 report (RFC 3810 §5.2.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Record type, e.g. [`RECORD_MODE_IS_EXCLUDE`].
    pub record_type: u8,
    /// The multicast address the record is about.
    pub group: Ipv6Addr,
    /// Its source addresses.
    pub sources: Vec<Ipv6Addr>,
    /// Auxiliary data, in 32-bit words.
    pub aux_data: Vec<[u8; 4]>,
}

/// `n` as a u16 count field.
fn count16(n: usize) -> Result<u16, EmitError> {
    u16::try_from(n).map_err(|_| EmitError::TooMany)
}

/// The sources of a count-prefixed address list at `at`.
fn sources(b: &[u8], at: usize, n: u16) -> Result<Vec<Ipv6Addr>, Malformed> {
    (0..usize::from(n))
        .map(|i| {
            let off = i.checked_mul(16).and_then(|o| o.checked_add(at));
            off.and_then(|o| addr(b, o)).ok_or(Malformed::Truncated)
        })
        .collect()
}

/// Writes a message of `len` bytes with `write` into the front of `buf`.
fn emit_with(
    buf: &mut [u8],
    len: usize,
    write: impl FnOnce(&mut Writer<'_>) -> Result<(), EmitError>,
) -> Result<usize, EmitError> {
    let mut w = Writer::new(buf.get_mut(..len).ok_or(EmitError::BufferTooShort)?);
    write(&mut w)?;
    Ok(w.written())
}

/// `emit` into a new buffer of `len` bytes.
fn bytes_with(
    len: usize,
    emit: impl FnOnce(&mut [u8]) -> Result<usize, EmitError>,
) -> Result<Vec<u8>, EmitError> {
    let mut b = vec![0; len];
    let n = emit(&mut b)?;
    b.truncate(n);
    Ok(b)
}

impl Query {
    /// Decodes an MLDv2 query.
    ///
    /// # Errors
    ///
    /// [`Malformed::BadCode`] for another type, [`Malformed::Truncated`] when shorter than
    /// its fixed part (an MLDv1 query) or its source list.
    pub fn parse(b: &[u8]) -> Result<Self, Malformed> {
        if b.first() != Some(&TYPE_MLD_QUERY) {
            return Err(Malformed::BadCode);
        }
        if b.len() < QUERY_V2_FIXED_LEN {
            return Err(Malformed::Truncated);
        }
        let max_response_code = be16(b, 4).ok_or(Malformed::Truncated)?;
        let group = addr(b, 8).ok_or(Malformed::Truncated)?;
        let flags = *b.get(24).ok_or(Malformed::Truncated)?;
        let interval_code = *b.get(25).ok_or(Malformed::Truncated)?;
        let n = be16(b, 26).ok_or(Malformed::Truncated)?;
        Ok(Query {
            max_response_code,
            group,
            suppress: flags & QUERY_SUPPRESS != 0,
            robustness: flags & QUERY_QRV,
            interval_code,
            sources: sources(b, QUERY_V2_FIXED_LEN, n)?,
        })
    }

    /// Length in bytes of the query [`Query::emit`] writes.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        QUERY_V2_FIXED_LEN + 16 * self.sources.len()
    }

    /// Writes the query into the front of `buf` (checksum 0) and returns its length.
    ///
    /// # Errors
    ///
    /// [`EmitError::BufferTooShort`] when `buf` is shorter than [`Query::buffer_len`];
    /// [`EmitError::TooMany`] with more than 65535 sources.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let n = count16(self.sources.len())?;
        emit_with(buf, self.buffer_len(), |w| {
            w.header(TYPE_MLD_QUERY, 0)?;
            w.u16(self.max_response_code)?;
            w.u16(0)?;
            w.addr(self.group)?;
            let suppress = if self.suppress { QUERY_SUPPRESS } else { 0 };
            w.put(&[suppress | (self.robustness & QUERY_QRV), self.interval_code])?;
            w.u16(n)?;
            self.sources.iter().try_for_each(|s| w.addr(*s))
        })
    }

    /// The query as a new buffer, as [`Query::emit`] writes it.
    ///
    /// # Errors
    ///
    /// As [`Query::emit`]: more than 65535 sources.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EmitError> {
        bytes_with(self.buffer_len(), |b| self.emit(b))
    }
}

impl Report {
    /// Decodes an MLDv1 or MLDv2 report. Records are never read past the end, whatever
    /// lengths they claim; bytes after the last record are ignored.
    ///
    /// # Errors
    ///
    /// [`Malformed::BadCode`] for another type, [`Malformed::Truncated`] when the report or
    /// a record runs past the end.
    pub fn parse(b: &[u8]) -> Result<Self, Malformed> {
        match b.first() {
            Some(&TYPE_MLD_REPORT_V1) => Ok(Report::V1 {
                group: addr(b, 8).ok_or(Malformed::Truncated)?,
            }),
            Some(&TYPE_MLD_REPORT_V2) => {
                let count = be16(b, 6).ok_or(Malformed::Truncated)?;
                let mut records = Vec::with_capacity(usize::from(count).min(64));
                let mut at = REPORT_V2_FIXED_LEN;
                for _ in 0..count {
                    let (record, len) = parse_record(b, at)?;
                    records.push(record);
                    at = at.checked_add(len).ok_or(Malformed::Truncated)?;
                }
                Ok(Report::V2 { records })
            }
            Some(_) => Err(Malformed::BadCode),
            None => Err(Malformed::Truncated),
        }
    }

    /// The groups the report lists, in packet order.
    #[must_use]
    pub fn groups(self) -> Vec<Ipv6Addr> {
        match self {
            Report::V1 { group } => vec![group],
            Report::V2 { records } => records.into_iter().map(|r| r.group).collect(),
        }
    }

    /// Length in bytes of the report [`Report::emit`] writes.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        match self {
            Report::V1 { .. } => MLD_FIXED_LEN,
            Report::V2 { records } => {
                let body: usize = records
                    .iter()
                    .map(|r| RECORD_FIXED_LEN + 16 * r.sources.len() + 4 * r.aux_data.len())
                    .sum();
                REPORT_V2_FIXED_LEN + body
            }
        }
    }

    /// Writes the report into the front of `buf` (checksum 0) and returns its length.
    ///
    /// # Errors
    ///
    /// [`EmitError::BufferTooShort`] when `buf` is shorter than [`Report::buffer_len`];
    /// [`EmitError::TooMany`] with more than 65535 records or sources in a record, or more
    /// than 255 words of auxiliary data.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        emit_with(buf, self.buffer_len(), |w| match self {
            Report::V1 { group } => {
                w.header(TYPE_MLD_REPORT_V1, 0)?;
                w.u32(0)?;
                w.addr(*group)
            }
            Report::V2 { records } => {
                w.header(TYPE_MLD_REPORT_V2, 0)?;
                w.u16(0)?;
                w.u16(count16(records.len())?)?;
                records.iter().try_for_each(|r| write_record(w, r))
            }
        })
    }

    /// The report as a new buffer, as [`Report::emit`] writes it.
    ///
    /// # Errors
    ///
    /// As [`Report::emit`]: a count too large for its field.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EmitError> {
        bytes_with(self.buffer_len(), |b| self.emit(b))
    }
}

/// The record at `at` and its length in bytes.
fn parse_record(b: &[u8], at: usize) -> Result<(Record, usize), Malformed> {
    // `at` never passes the end of `b` (every earlier record was read in bounds), so the
    // offsets below cannot overflow.
    let record_type = *b.get(at).ok_or(Malformed::Truncated)?;
    let aux_words = *b.get(at + 1).ok_or(Malformed::Truncated)?;
    let n = be16(b, at + 2).ok_or(Malformed::Truncated)?;
    let group = addr(b, at + 4).ok_or(Malformed::Truncated)?;
    let sources_at = at + RECORD_FIXED_LEN;
    let sources = sources(b, sources_at, n)?;
    let aux_at = sources_at + 16 * sources.len();
    let aux_data = (0..usize::from(aux_words))
        .map(|i| super::bytes::array::<4>(b, aux_at + 4 * i).ok_or(Malformed::Truncated))
        .collect::<Result<Vec<_>, _>>()?;
    let len = RECORD_FIXED_LEN + 16 * sources.len() + 4 * aux_data.len();
    Ok((
        Record {
            record_type,
            group,
            sources,
            aux_data,
        },
        len,
    ))
}

fn write_record(w: &mut Writer<'_>, r: &Record) -> Result<(), EmitError> {
    let aux = u8::try_from(r.aux_data.len()).map_err(|_| EmitError::TooMany)?;
    w.put(&[r.record_type, aux])?;
    w.u16(count16(r.sources.len())?)?;
    w.addr(r.group)?;
    r.sources.iter().try_for_each(|s| w.addr(*s))?;
    r.aux_data.iter().try_for_each(|a| w.put(a))
}

/// An MLDv2 general query (RFC 3810 §5.1) asking for reports within `max_response`.
/// Robustness variable and query interval are the protocol defaults (2, 125 s), so a
/// snooping switch that hears it learns nothing unusual.
pub fn general_query(max_response: Duration) -> Vec<u8> {
    // Below 32768 ms the Maximum Response Code is the delay itself (§5.1.3).
    let ms = u16::try_from(max_response.as_millis().clamp(1, 32_767)).unwrap_or(32_767);
    Query {
        max_response_code: ms,
        group: Ipv6Addr::UNSPECIFIED,
        suppress: false,
        robustness: DEFAULT_ROBUSTNESS,
        interval_code: DEFAULT_INTERVAL_CODE,
        sources: Vec::new(),
    }
    .to_bytes()
    // No sources: nothing to overflow.
    .unwrap_or_default()
}

/// The Hop-by-Hop Options header with the Router Alert option (RFC 2711, value 0 = MLD)
/// that every MLD message carries; the kernel sets its Next Header byte.
pub fn router_alert_hop_by_hop() -> [u8; 8] {
    [0, 0, 5, 2, 0, 0, 1, 0]
}

/// The groups an MLDv1 or MLDv2 report lists ([`Report::parse`], then its groups).
/// Malformed reports are errors; records of unknown length are never read past the end.
pub fn parse_report(b: &[u8]) -> Result<Vec<Ipv6Addr>, Malformed> {
    Report::parse(b).map(Report::groups)
}

/// The low 24 bits a solicited-node group (ff02::1:ffXX:XXXX) carries, or `None` for any
/// other group.
pub fn solicited_node_bits(group: Ipv6Addr) -> Option<u32> {
    let o = group.octets();
    let head = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff];
    (o[..13] == head).then(|| u32::from_be_bytes([0, o[13], o[14], o[15]]))
}

/// Addresses a host may have, given the solicited-node bits it reported, the prefixes on
/// the link (only /64 or shorter: an interface ID needs 64 bits), its MAC, and interface
/// IDs it is known to use elsewhere. Only candidates whose low 24 bits match a reported
/// group are returned, at most [`MAX_CANDIDATES_PER_HOST`], in a stable order.
pub fn candidates(
    bits: &[u32],
    prefixes: &[Ipv6Prefix],
    mac: Option<Mac>,
    known_iids: &[u64],
) -> Vec<Ipv6Addr> {
    let mut iids: Vec<u64> = known_iids.to_vec();
    iids.extend(mac.map(|m| u64::from_be_bytes(m.eui64_interface_id())));
    // A small manual ID lies wholly inside the group's bits, so the group alone gives it;
    // larger values are almost always the tail of a random ID and would only waste an NS.
    iids.extend(
        bits.iter()
            .map(|b| u64::from(*b))
            .filter(|b| (1..1 << 16).contains(b)),
    );
    iids.sort_unstable();
    iids.dedup();
    let mut out = Vec::new();
    for p in prefixes.iter().filter(|p| p.len() <= 64) {
        for iid in &iids {
            if !bits.contains(&((*iid & 0xff_ffff) as u32)) {
                continue;
            }
            let addr = Ipv6Addr::from(u128::from(p.addr()) | u128::from(*iid));
            if !out.contains(&addr) {
                out.push(addr);
            }
            if out.len() >= MAX_CANDIDATES_PER_HOST {
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "mld_tests.rs"]
mod tests;
