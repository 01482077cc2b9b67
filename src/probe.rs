//! Probing one link: what a probe worker sends and receives, through the small [`Link`]
//! trait so the worker runs on the platform's sockets (`platform`) or on a simulated link
//! ([`sim`]).

pub mod packet;
pub mod sim;
pub mod worker;

use std::io;
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

/// One ICMPv6 message to send.
#[derive(Clone, Copy, Debug)]
pub struct Probe<'a> {
    /// Destination (ff02::1, ff02::2, a solicited-node group…).
    pub dst: Ipv6Addr,
    /// Source address to send from; the kernel chooses when `None`.
    pub src: Option<Ipv6Addr>,
    /// The ICMPv6 message, checksum left zero (the kernel fills it).
    pub message: &'a [u8],
    /// A Destination Options header to put in front of the message.
    pub dest_opts: Option<&'a [u8]>,
    /// A Hop-by-Hop Options header (MLD's router alert).
    pub hop_opts: Option<&'a [u8]>,
    /// Hop limit for this message only (MLD needs 1); the socket's 255 otherwise.
    pub hop_limit: Option<u8>,
}

/// Metadata of one received ICMPv6 message; its bytes are in the caller's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// Number of bytes written to the buffer.
    pub len: usize,
    /// Source address of the IPv6 packet.
    pub src: Ipv6Addr,
    /// Hop limit it arrived with, when the platform reports it (NDP requires 255).
    pub hop_limit: Option<u8>,
    /// Source MAC of the Ethernet frame that carried it, when the platform sees frames:
    /// every answer then has its sender's MAC, even when no Neighbour Advertisement comes.
    pub mac: Option<crate::mac::Mac>,
}

/// What kind of socket a link sends through, and so which probes it can send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkMode {
    /// A raw ICMPv6 socket: every probe (echo, destination options, RS, NS, MLD).
    Raw,
    /// An unprivileged ICMPv6 ping socket: echo requests only. The kernel replaces the
    /// echo identifier with the socket's own (`echo_id`) and delivers only the echo
    /// replies that carry it.
    Ping {
        /// The identifier every echo of this link carries on the wire.
        echo_id: u16,
    },
}

/// A link that probes can be sent on and answers received from.
pub trait Link {
    /// Which probes this link can send; raw by default.
    fn mode(&self) -> LinkMode {
        LinkMode::Raw
    }
    /// The time now on this link's clock: the system's, or a simulated link's own.
    fn now(&self) -> Instant {
        Instant::now()
    }
    /// Sends one message.
    fn send(&mut self, probe: &Probe<'_>) -> io::Result<()>;
    /// Waits at most `timeout` for one message; `Ok(None)` when none came.
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Option<Received>>;
    /// What this link dropped before a message reached [`Link::recv`], since the last
    /// call (nothing, for links whose system drops and counts on its own).
    fn take_drops(&mut self) -> LinkDrops {
        LinkDrops::default()
    }
}

/// Messages a link dropped on its own, before the worker saw them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkDrops {
    /// Dropped by the system because the link's receive ring was full.
    pub ring: u64,
    /// Malformed: a wrong ICMPv6 checksum (forgeries among them), or shorter than its
    /// headers say. (The kernel drops these before a raw socket, and counts them as
    /// `Icmp6InCsumErrors` in /proc/net/snmp6.)
    pub malformed: u64,
}

/// A boxed link is a link, so one scan can mix raw and ping links.
impl<L: Link + ?Sized> Link for Box<L> {
    fn mode(&self) -> LinkMode {
        (**self).mode()
    }
    fn now(&self) -> Instant {
        (**self).now()
    }
    fn send(&mut self, probe: &Probe<'_>) -> io::Result<()> {
        (**self).send(probe)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Option<Received>> {
        (**self).recv(buf, timeout)
    }
    fn take_drops(&mut self) -> LinkDrops {
        (**self).take_drops()
    }
}
