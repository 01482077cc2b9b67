//! The source MAC of every answer, from the Ethernet frame that carried it: an `AF_PACKET`
//! socket on the interface, filtered in the kernel to incoming IPv6 frames and cut to the
//! bytes read here (MACs, EtherType, the IPv6 source). A host whose Neighbour
//! Advertisement is lost (Wi-Fi) or never sent still has its MAC.
//!
//! The socket listens on every protocol (`ETH_P_ALL`): such taps see a frame before the
//! IPv6 stack does, so by the time an answer is read from the ICMPv6 socket its frame is
//! already queued here.

use crate::mac::Mac;
use crate::probe::packet::bytes::{addr, array};
use socket2::{Domain, SockAddr, SockFilter, Socket, Type};
use std::collections::HashMap;
use std::io;
use std::mem::size_of;
use std::net::Ipv6Addr;

/// Ethernet header length.
const ETH_HEADER: usize = 14;
/// Bytes of a frame kept: the Ethernet header and the IPv6 header up to its source.
const SNAP_LEN: u32 = (ETH_HEADER + 24) as u32;
/// Addresses remembered; past this the oldest knowledge goes (a flood must not grow it).
const MAX_SOURCES: usize = 8192;
/// Frames read per call at most, so a flooded link cannot keep the worker here.
const MAX_FRAMES_PER_READ: usize = 4096;

/// The kernel filter: drop what we send ourselves, keep IPv6 frames cut to [`SNAP_LEN`].
fn filter() -> [SockFilter; 6] {
    const LD_B_ABS: u16 = (libc::BPF_LD | libc::BPF_B | libc::BPF_ABS) as u16;
    const LD_H_ABS: u16 = (libc::BPF_LD | libc::BPF_H | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    // SKF_AD_OFF + SKF_AD_PKTTYPE: the packet type (PACKET_OUTGOING = 4 for our own).
    let pkttype = (-0x1000i32 + 4) as u32;
    [
        SockFilter::new(LD_B_ABS, 0, 0, pkttype),
        SockFilter::new(JEQ_K, 3, 0, u32::from(libc::PACKET_OUTGOING)),
        SockFilter::new(LD_H_ABS, 0, 0, 12),
        SockFilter::new(JEQ_K, 0, 1, libc::ETH_P_IPV6 as u32),
        SockFilter::new(RET_K, 0, 0, SNAP_LEN),
        SockFilter::new(RET_K, 0, 0, 0),
    ]
}

/// The IPv6 source and Ethernet source MAC of a (cut) frame.
pub(super) fn frame_source(frame: &[u8]) -> Option<(Ipv6Addr, Mac)> {
    if array::<2>(frame, 12)? != [0x86, 0xdd] {
        return None;
    }
    let mac = Mac(array::<6>(frame, 6)?);
    let src = addr(frame, ETH_HEADER + 8)?;
    mac.is_host().then_some((src, mac))
}

/// An open tap on one interface and what it has learned.
pub struct FrameMacs {
    sock: Socket,
    seen: HashMap<Ipv6Addr, Mac>,
}

impl FrameMacs {
    /// Opens the tap on interface `ifindex` (needs CAP_NET_RAW).
    pub fn open(ifindex: u32) -> io::Result<FrameMacs> {
        // Protocol 0: the socket hears nothing until bind() names the protocol and the
        // interface. Created with ETH_P_ALL it would be hooked at once, and bind() would
        // unhook it first, waiting out an RCU grace period (~13 ms per interface on the
        // lab machine, all of it before the first probe).
        let sock = Socket::new(Domain::PACKET, Type::RAW, None)?;
        sock.attach_filter(&filter())?;
        sock.set_nonblocking(true)?;
        // SAFETY: the closure writes one sockaddr_ll into storage that holds any socket
        // address, and reports its size.
        let ((), sa) = unsafe {
            SockAddr::try_init(|storage, len| {
                let ll = storage.cast::<libc::sockaddr_ll>();
                (*ll).sll_family = libc::AF_PACKET as u16;
                (*ll).sll_protocol = (libc::ETH_P_ALL as u16).to_be();
                (*ll).sll_ifindex = i32::try_from(ifindex).unwrap_or(0);
                *len = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
                Ok(())
            })
        }?;
        sock.bind(&sa)?;
        let mut tap = FrameMacs {
            sock,
            seen: HashMap::new(),
        };
        // Nothing can have queued before bind(); a kernel that hooks protocol 0 anyway
        // would have queued other interfaces' frames.
        tap.drain_discarding();
        Ok(tap)
    }

    fn drain_discarding(&mut self) {
        let mut buf = [0u8; 64];
        for _ in 0..MAX_FRAMES_PER_READ {
            if io::Read::read(&mut &self.sock, &mut buf).is_err() {
                return;
            }
        }
    }

    /// Reads every frame queued so far.
    fn drain(&mut self) {
        let mut buf = [0u8; 64];
        for _ in 0..MAX_FRAMES_PER_READ {
            match io::Read::read(&mut &self.sock, &mut buf) {
                Ok(n) => {
                    if let Some((src, mac)) = frame_source(&buf[..n.min(buf.len())]) {
                        if self.seen.len() >= MAX_SOURCES && !self.seen.contains_key(&src) {
                            self.seen.clear();
                        }
                        self.seen.insert(src, mac);
                    }
                }
                Err(_) => return,
            }
        }
    }

    /// The MAC of the latest frame from `src`, reading what has arrived first.
    pub fn mac_of(&mut self, src: Ipv6Addr) -> Option<Mac> {
        self.drain();
        self.seen.get(&src).copied()
    }
}

#[cfg(test)]
#[path = "frames_tests.rs"]
mod tests;
