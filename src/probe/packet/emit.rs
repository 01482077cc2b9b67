//! The emit side of [`Icmp`]: the inverse of [`super::parse`], smoltcp-style. `buffer_len`
//! says how many bytes a message takes, `emit` writes exactly those (checksum 0: the
//! kernel computes it on send), and the tests check both directions on fixed byte arrays.

use super::bytes::Writer;
use super::echo::{echo_len, emit_echo, emit_param_problem, param_problem_len};
use super::ndp::{
    LLADDR_OPT_LEN, NA_OVERRIDE, NA_ROUTER, NA_SOLICITED, ND_FIXED_LEN, RS_FIXED_LEN,
};
use super::ra::{router_advert_len, write_router_advert};
use super::{
    EmitError, Icmp, OPT_SOURCE_LLADDR, OPT_TARGET_LLADDR, TYPE_ECHO_REPLY, TYPE_ECHO_REQUEST,
    TYPE_NEIGHBOUR_ADVERT, TYPE_NEIGHBOUR_SOLICIT, TYPE_ROUTER_SOLICIT,
};
use crate::mac::Mac;

/// Length of a link-layer address option carrying `mac`, 0 without one.
fn lladdr_len(mac: Option<Mac>) -> usize {
    mac.map_or(0, |_| LLADDR_OPT_LEN)
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
            Icmp::RouterAdvert(a) => router_advert_len(a),
            Icmp::MldQuery(q) => q.buffer_len(),
            Icmp::MldReport(r) => r.buffer_len(),
            Icmp::NodeInfoQuery(q) => q.to_bytes().len(),
            Icmp::NodeInfoReply(r) => r.to_bytes().len(),
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
            Icmp::RouterAdvert(a) => write_router_advert(w, a),
            // Their own reprs write them, as `parse` reads them.
            Icmp::MldQuery(q) => w.put(&q.to_bytes()?),
            Icmp::MldReport(r) => w.put(&r.to_bytes()?),
            Icmp::NodeInfoQuery(q) => w.put(&q.to_bytes()),
            Icmp::NodeInfoReply(r) => w.put(&r.to_bytes()),
            Icmp::Other { icmp_type, code } => w.header(*icmp_type, *code),
        }
    }
}

#[cfg(test)]
#[path = "emit_tests.rs"]
mod tests;
