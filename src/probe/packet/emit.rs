//! The emit side of [`Icmp`]: the inverse of [`super::parse`], smoltcp-style. `buffer_len`
//! says how many bytes a message takes, `emit` writes exactly those (checksum 0: the
//! kernel computes it on send), and the tests check both directions on fixed byte arrays.

use super::bytes::Writer;
use super::echo::{echo_len, emit_echo, emit_param_problem, param_problem_len};
use super::ndp::{
    LLADDR_OPT_LEN, MTU_OPT_LEN, NA_OVERRIDE, NA_ROUTER, NA_SOLICITED, ND_FIXED_LEN,
    PREFIX_AUTONOMOUS, PREFIX_ON_LINK, PREFIX_OPT_LEN, RA_FIXED_LEN, RA_MANAGED, RA_OTHER,
    RS_FIXED_LEN,
};
use super::{
    EmitError, Icmp, PrefixInfo, OPT_MTU, OPT_PREFIX_INFO, OPT_SOURCE_LLADDR, OPT_TARGET_LLADDR,
    TYPE_ECHO_REPLY, TYPE_ECHO_REQUEST, TYPE_NEIGHBOUR_ADVERT, TYPE_NEIGHBOUR_SOLICIT,
    TYPE_ROUTER_ADVERT, TYPE_ROUTER_SOLICIT,
};
use crate::mac::Mac;

/// Length of a link-layer address option carrying `mac`, 0 without one.
fn lladdr_len(mac: Option<Mac>) -> usize {
    mac.map_or(0, |_| LLADDR_OPT_LEN)
}

/// The length byte of an NDP option of `len` bytes (RFC 4861 §4.6: units of 8 octets).
const fn units(len: usize) -> u8 {
    (len / 8) as u8
}

/// `flag` if `on`, else 0.
fn bit(on: bool, flag: u8) -> u8 {
    if on {
        flag
    } else {
        0
    }
}

impl Icmp {
    /// Length in bytes of the message [`Icmp::emit`] writes.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        match self {
            Icmp::EchoRequest { cookie, .. } | Icmp::EchoReply { cookie, .. } => echo_len(*cookie),
            Icmp::ParamProblem { invoking, .. } => param_problem_len(invoking.as_ref()),
            Icmp::NeighbourSolicit { source_mac, .. } => ND_FIXED_LEN + lladdr_len(*source_mac),
            Icmp::NeighbourAdvert { target_mac, .. } => ND_FIXED_LEN + lladdr_len(*target_mac),
            Icmp::RouterSolicit { source_mac } => RS_FIXED_LEN + lladdr_len(*source_mac),
            Icmp::RouterAdvert {
                source_mac,
                mtu,
                prefixes,
                ..
            } => {
                RA_FIXED_LEN
                    + lladdr_len(*source_mac)
                    + mtu.map_or(0, |_| MTU_OPT_LEN)
                    + prefixes.len() * PREFIX_OPT_LEN
            }
            Icmp::Other { .. } => 4,
        }
    }

    /// Writes the message into the front of `buf`, checksum field 0, and returns its length
    /// ([`Icmp::buffer_len`]); bytes of `buf` past it are left alone.
    ///
    /// # Errors
    ///
    /// [`EmitError::BufferTooShort`] when `buf` is shorter than [`Icmp::buffer_len`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let len = self.buffer_len();
        let mut w = Writer::new(buf.get_mut(..len).ok_or(EmitError::BufferTooShort)?);
        self.write(&mut w)?;
        Ok(w.written())
    }

    /// The message as a new buffer of [`Icmp::buffer_len`] bytes, as [`Icmp::emit`] writes it.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = vec![0; self.buffer_len()];
        // The buffer is sized from buffer_len, so emit has nothing to fail on.
        let n = self.emit(&mut b).unwrap_or(0);
        b.truncate(n);
        b
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), EmitError> {
        match self {
            Icmp::EchoRequest { id, seq, cookie } => {
                emit_echo(w, TYPE_ECHO_REQUEST, *id, *seq, *cookie)
            }
            Icmp::EchoReply { id, seq, cookie } => {
                emit_echo(w, TYPE_ECHO_REPLY, *id, *seq, *cookie)
            }
            Icmp::ParamProblem {
                code,
                pointer,
                invoking,
            } => emit_param_problem(w, *code, *pointer, invoking.as_ref()),
            Icmp::NeighbourSolicit { target, source_mac } => {
                w.header(TYPE_NEIGHBOUR_SOLICIT, 0)?;
                w.u32(0)?;
                w.addr(*target)?;
                w.lladdr(OPT_SOURCE_LLADDR, *source_mac)
            }
            Icmp::NeighbourAdvert {
                target,
                router,
                solicited,
                override_flag,
                target_mac,
            } => {
                let flags = bit(*router, NA_ROUTER)
                    | bit(*solicited, NA_SOLICITED)
                    | bit(*override_flag, NA_OVERRIDE);
                w.header(TYPE_NEIGHBOUR_ADVERT, 0)?;
                w.put(&[flags, 0, 0, 0])?;
                w.addr(*target)?;
                w.lladdr(OPT_TARGET_LLADDR, *target_mac)
            }
            Icmp::RouterSolicit { source_mac } => {
                w.header(TYPE_ROUTER_SOLICIT, 0)?;
                w.u32(0)?;
                w.lladdr(OPT_SOURCE_LLADDR, *source_mac)
            }
            Icmp::RouterAdvert {
                cur_hop_limit,
                managed,
                other,
                router_lifetime,
                source_mac,
                mtu,
                prefixes,
            } => {
                w.header(TYPE_ROUTER_ADVERT, 0)?;
                w.put(&[
                    *cur_hop_limit,
                    bit(*managed, RA_MANAGED) | bit(*other, RA_OTHER),
                ])?;
                w.u16(*router_lifetime)?;
                // Reachable time and retransmit timer: 0 = unspecified (RFC 4861 §4.2).
                w.u32(0)?;
                w.u32(0)?;
                w.lladdr(OPT_SOURCE_LLADDR, *source_mac)?;
                if let Some(mtu) = mtu {
                    w.put(&[OPT_MTU, units(MTU_OPT_LEN), 0, 0])?;
                    w.u32(*mtu)?;
                }
                prefixes.iter().try_for_each(|p| write_prefix(w, p))
            }
            Icmp::Other { icmp_type, code } => w.header(*icmp_type, *code),
        }
    }
}

/// A Prefix Information option (RFC 4861 §4.6.2), the prefix written as given.
fn write_prefix(w: &mut Writer<'_>, p: &PrefixInfo) -> Result<(), EmitError> {
    let flags = bit(p.on_link, PREFIX_ON_LINK) | bit(p.autonomous, PREFIX_AUTONOMOUS);
    w.put(&[OPT_PREFIX_INFO, units(PREFIX_OPT_LEN), p.len, flags])?;
    w.u32(p.valid_lifetime)?;
    w.u32(p.preferred_lifetime)?;
    w.u32(0)?;
    w.addr(p.prefix)
}

#[cfg(test)]
#[path = "emit_tests.rs"]
mod tests;
