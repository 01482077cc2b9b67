//! Wake-on-LAN: which remembered device a QUERY wakes, on which interface, and the magic
//! packet in the two forms it is sent in. Pure but for the [`Sender`] trait the platform
//! implements.
//!
//! The magic payload is 6 bytes of `0xff` then the device's MAC 16 times (102 bytes); a
//! NIC armed for Wake-on-LAN scans every frame it receives for it, whatever carries it.
//! It goes out twice, because NICs and firmwares differ in what they let through while
//! asleep:
//! - as an Ethernet frame of EtherType 0x0842 to the broadcast address: no IP stack is
//!   needed on either side, and a broadcast reaches the device through any switch,
//!   also when the switch has forgotten the sleeping device's port (it ages out its
//!   address, or flushes it when the link renegotiates a lower speed for sleep) or
//!   does not flood unicast to unknown addresses, and every sleeping NIC accepts
//!   broadcast. The 116-byte frame reaches every host of the link once; the others
//!   ignore a payload that does not carry their MAC.
//! - as a UDP datagram to port 9 (discard) at ff02::1 (all nodes, which snooping switches
//!   flood to every port): what `wakeonlan`-style tools send, for NICs that only match
//!   magic packets inside IP, and it needs no privilege.

use crate::iface::Interface;
use crate::inventory::{self, Device, IfaceKey};
use crate::mac::Mac;
use crate::model::scoped;
use crate::query::{HostMatch, MatchedAddr, Query};
use crate::warning::Warning;
use std::fmt;
use std::io;
use std::net::Ipv6Addr;

/// The EtherType of a Wake-on-LAN frame.
pub const ETHERTYPE_WOL: u16 = 0x0842;
/// The UDP port the datagram goes to (discard).
pub const UDP_PORT: u16 = 9;
/// The UDP datagram's destination: all nodes of the link.
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// The Ethernet frame's destination.
pub const BROADCAST: Mac = Mac([0xff; 6]);
/// Length of the magic payload: 6 synchronization bytes and 16 copies of the MAC.
pub const MAGIC_LEN: usize = 6 + 16 * 6;
/// Length of the Ethernet header.
const ETHER_HEADER_LEN: usize = 14;

/// The magic payload that wakes the NIC with MAC `target`.
pub fn magic(target: Mac) -> [u8; MAGIC_LEN] {
    let mut out = [0xff; MAGIC_LEN];
    for copy in out[6..].chunks_exact_mut(6) {
        copy.copy_from_slice(&target.0);
    }
    out
}

/// The whole Ethernet frame: to [`BROADCAST`] from `source` (our interface's MAC), of
/// type [`ETHERTYPE_WOL`], carrying the magic payload for `target`. At 116 bytes it needs
/// no padding (an Ethernet payload is at least 46).
pub fn ether_frame(source: Mac, target: Mac) -> Vec<u8> {
    let mut f = Vec::with_capacity(ETHER_HEADER_LEN + MAGIC_LEN);
    f.extend_from_slice(&BROADCAST.0);
    f.extend_from_slice(&source.0);
    f.extend_from_slice(&ETHERTYPE_WOL.to_be_bytes());
    f.extend_from_slice(&magic(target));
    f
}

/// Why the Ethernet frame could not be sent.
#[derive(Debug)]
pub enum FrameError {
    /// Sending a whole frame needs CAP_NET_RAW, which the process lacks.
    NoPrivilege,
    /// The interface has no Ethernet framing (no MAC): only the UDP form can go.
    NotEthernet,
    /// The system refused it.
    Io(io::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::NoPrivilege => f.write_str(
                "sending an Ethernet frame needs the CAP_NET_RAW capability (the UDP datagram \
                 does not)",
            ),
            FrameError::NotEthernet => f.write_str("the interface has no Ethernet framing"),
            FrameError::Io(e) => f.write_str(&crate::warning::io_reason(e)),
        }
    }
}

/// Sends the two forms of the magic packet: implemented by the platform.
pub trait Sender {
    /// Sends `frame`, a whole Ethernet frame, on interface `ifindex`.
    fn send_frame(&mut self, ifindex: u32, frame: &[u8]) -> Result<(), FrameError>;
    /// Sends `payload` in a UDP datagram to `[ALL_NODES%ifindex]:UDP_PORT`.
    fn send_udp(&mut self, ifindex: u32, payload: &[u8]) -> io::Result<()>;
}

/// What [`send`] got out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// The Ethernet frame (EtherType 0x0842).
    pub frame: bool,
    /// The UDP datagram to ff02::1 port 9.
    pub udp: bool,
}

impl Sent {
    /// Whether any form went out.
    pub fn any(self) -> bool {
        self.frame || self.udp
    }
}

/// How the Ethernet form is named in a warning.
pub const FRAME_FORM: &str = "as an Ethernet frame (type 0x0842)";
/// How the UDP form is named in a warning.
pub const UDP_FORM: &str = "as UDP to ff02::1 port 9";

/// Sends the magic packet for `target` on `iface` in both forms; each form that cannot
/// go is one warning (`hint`, when given, is added to a missing privilege's).
pub fn send(
    sender: &mut dyn Sender,
    iface: &Interface,
    target: Mac,
    hint: &str,
    warn: &mut dyn FnMut(Warning),
) -> Sent {
    let not_sent = |packet: &'static str, why: String| Warning::WakeNotSent {
        interface: iface.name.clone(),
        packet,
        why,
    };
    let frame = match iface.mac {
        Some(own) => sender.send_frame(iface.index, &ether_frame(own, target)),
        None => Err(FrameError::NotEthernet),
    };
    let frame = match frame {
        Ok(()) => true,
        Err(e) => {
            let why = match e {
                FrameError::NoPrivilege if !hint.is_empty() => format!("{e}: {hint}"),
                _ => e.to_string(),
            };
            warn(not_sent(FRAME_FORM, why));
            false
        }
    };
    let udp = match sender.send_udp(iface.index, &magic(target)) {
        Ok(()) => true,
        Err(e) => {
            warn(not_sent(UDP_FORM, crate::warning::io_reason(&e)));
            false
        }
    };
    Sent { frame, udp }
}

/// Which remembered device a QUERY wakes.
#[derive(Debug, PartialEq, Eq)]
pub enum Choice<'a> {
    /// No remembered device matches.
    Nothing,
    /// One device (one MAC): where it was seen last.
    One(&'a Device),
    /// Several devices (several MACs), newest first: one sighting of each.
    Several(Vec<&'a Device>),
}

/// The device `query` selects among `devices` (newest first, as the inventory lists
/// them), on `interfaces` only when that is not empty. A device is its MAC: seen on
/// several interfaces, it is woken where it was seen last; several MACs are ambiguous.
/// Only this machine's links count: a device another site saw is not woken from here.
pub fn choose<'a>(devices: &'a [Device], query: &Query, interfaces: &[String]) -> Choice<'a> {
    let mut picked: Vec<&Device> = Vec::new();
    for d in inventory::matching(devices, query) {
        let here =
            d.site.is_none() && (interfaces.is_empty() || interfaces.contains(&d.iface.name));
        if here && !picked.iter().any(|p| p.mac == d.mac) {
            picked.push(d);
        }
    }
    match picked.len() {
        0 => Choice::Nothing,
        1 => Choice::One(picked[0]),
        _ => Choice::Several(picked),
    }
}

/// The interface the inventory knows as `key`, among the system's `all`: the one of that
/// name (with that MAC, when the key has one); else, for an adapter renamed since, the
/// only one with that MAC.
pub fn interface_for<'a>(all: &'a [Interface], key: &IfaceKey) -> Option<&'a Interface> {
    let same_mac = |i: &Interface| key.mac.is_none() || i.mac == key.mac;
    if let Some(i) = all.iter().find(|i| i.name == key.name && same_mac(i)) {
        return Some(i);
    }
    let mut by_mac = all.iter().filter(|i| key.mac.is_some() && i.mac == key.mac);
    match (by_mac.next(), by_mac.next()) {
        (Some(i), None) => Some(i),
        _ => None,
    }
}

/// A remembered device as a candidate line shows it (as `resolve` lists candidates):
/// its interface, MAC, vendor, names and newest address.
pub fn candidate(d: &Device) -> HostMatch {
    HostMatch {
        iface: d.iface.name.clone(),
        index: 0,
        mac: Some(d.mac),
        vendor: crate::oui::lookup(d.mac),
        names: d.names.clone(),
        addresses: d
            .addresses
            .first()
            .map(|a| MatchedAddr {
                address: a.address,
                scoped: scoped(a.address, &d.iface.name),
            })
            .into_iter()
            .collect(),
    }
}

#[cfg(test)]
#[path = "wake_tests.rs"]
mod tests;
