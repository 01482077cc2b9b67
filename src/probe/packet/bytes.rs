//! Bounds-checked reads and writes of big-endian fields, shared by every message's parse
//! and emit.

use super::EmitError;
use crate::mac::Mac;
use std::net::Ipv6Addr;

/// Big-endian u16 at `at`, if in bounds.
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    array(b, at).map(u16::from_be_bytes)
}

/// Big-endian u32 at `at`, if in bounds.
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    array(b, at).map(u32::from_be_bytes)
}

/// Fixed-size array at `at`, if in bounds.
pub(crate) fn array<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// IPv6 address at `at`, if in bounds.
pub(crate) fn addr(b: &[u8], at: usize) -> Option<Ipv6Addr> {
    array::<16>(b, at).map(Ipv6Addr::from)
}

/// Writes a message front to back into a caller's buffer. Emitters size the buffer from
/// `buffer_len` first, so a failed write means the two disagree: an error, not a panic.
pub(crate) struct Writer<'a> {
    buf: &'a mut [u8],
    at: usize,
}

impl<'a> Writer<'a> {
    /// A writer at the start of `buf`.
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, at: 0 }
    }

    /// Bytes written so far.
    pub(crate) fn written(&self) -> usize {
        self.at
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) -> Result<(), EmitError> {
        let end = self
            .at
            .checked_add(bytes.len())
            .ok_or(EmitError::BufferTooShort)?;
        self.buf
            .get_mut(self.at..end)
            .ok_or(EmitError::BufferTooShort)?
            .copy_from_slice(bytes);
        self.at = end;
        Ok(())
    }

    pub(crate) fn u16(&mut self, v: u16) -> Result<(), EmitError> {
        self.put(&v.to_be_bytes())
    }

    pub(crate) fn u32(&mut self, v: u32) -> Result<(), EmitError> {
        self.put(&v.to_be_bytes())
    }

    pub(crate) fn addr(&mut self, a: Ipv6Addr) -> Result<(), EmitError> {
        self.put(&a.octets())
    }

    /// An ICMPv6 header: type, code, and a zero checksum for the kernel to fill.
    pub(crate) fn header(&mut self, icmp_type: u8, code: u8) -> Result<(), EmitError> {
        self.put(&[icmp_type, code, 0, 0])
    }

    /// An NDP link-layer address option of `kind` (length 1: Ethernet), when there is a MAC.
    pub(crate) fn lladdr(&mut self, kind: u8, mac: Option<Mac>) -> Result<(), EmitError> {
        match mac {
            Some(m) => {
                // Length 1: 8 octets, the type/length pair and a 6-byte MAC.
                self.put(&[kind, 1])?;
                self.put(&m.0)
            }
            None => Ok(()),
        }
    }
}
