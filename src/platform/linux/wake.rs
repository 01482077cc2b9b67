//! Sending the Wake-on-LAN magic packet on Linux: the Ethernet frame through a packet
//! socket (CAP_NET_RAW), the UDP datagram through an ordinary UDP socket (no privilege).

use super::ether::link_addr;
use crate::wake::{FrameError, Sender, ALL_NODES, ETHERTYPE_WOL, UDP_PORT};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::SocketAddrV6;

/// Opens a socket per packet: a wake sends two, once.
#[derive(Clone, Copy, Debug, Default)]
pub struct WakeSender;

impl Sender for WakeSender {
    fn send_frame(&mut self, ifindex: u32, frame: &[u8]) -> Result<(), FrameError> {
        // Protocol 0: the socket only sends, it hears nothing.
        let sock = match Socket::new(Domain::PACKET, Type::RAW, None) {
            Ok(s) => s,
            Err(e) if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)) => {
                return Err(FrameError::NoPrivilege)
            }
            Err(e) => return Err(FrameError::Io(e)),
        };
        let to = link_addr(ifindex, ETHERTYPE_WOL).map_err(FrameError::Io)?;
        let n = sock.send_to(frame, &to).map_err(FrameError::Io)?;
        if n == frame.len() {
            Ok(())
        } else {
            Err(FrameError::Io(io::Error::other(format!(
                "the kernel sent {n} of the frame's {} bytes",
                frame.len()
            ))))
        }
    }

    fn send_udp(&mut self, ifindex: u32, payload: &[u8]) -> io::Result<()> {
        let sock = Socket::new(Domain::IPV6, Type::DGRAM, Some(Protocol::UDP))?;
        sock.set_only_v6(true)?;
        sock.set_multicast_if_v6(ifindex)?;
        // Our own host is not the one to wake.
        sock.set_multicast_loop_v6(false)?;
        let to = SocketAddrV6::new(ALL_NODES, UDP_PORT, 0, ifindex);
        sock.send_to(payload, &to.into()).map(|_| ())
    }
}
