//! The system resolver's mDNS socket: one UDP socket on an ephemeral port, what it
//! sends, and the loop that reads it. What the messages ask and tell is
//! [`names::mdns`](crate::names::mdns).

use crate::names::mdns::{Heard, Mdns, MdnsSend};
use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The socket and the lookups' state, shared by the resolver (which asks) and the thread
/// that reads the answers.
pub(super) struct MdnsSocket {
    sock: UdpSocket,
    state: Mutex<Mdns>,
}

/// Sends through the UDP socket.
struct Udp<'a>(&'a UdpSocket);

impl MdnsSend for Udp<'_> {
    fn send_to(&self, msg: &[u8], dest: SocketAddrV6) -> bool {
        self.0.send_to(msg, dest).is_ok()
    }
}

impl MdnsSocket {
    /// The socket, or `None` when it cannot be opened (names then come from DNS only).
    pub(super) fn open() -> Option<MdnsSocket> {
        let mut seed = [0u8; 2];
        let _ = getrandom::fill(&mut seed);
        let sock = UdpSocket::bind(SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)))
            .ok()
            .filter(|s| {
                // RFC 6762 §11: mDNS packets go out with hop limit 255.
                set_multicast_hops(s, 255);
                s.set_multicast_loop_v6(false).is_ok()
                    && s.set_read_timeout(Some(Duration::from_millis(20))).is_ok()
            })?;
        Some(MdnsSocket {
            sock,
            state: Mutex::new(Mdns::new(u16::from_le_bytes(seed))),
        })
    }

    /// Asks the link for the name of `addr`; true when the question went out.
    pub(super) fn ask_name(&self, ifindex: u32, addr: Ipv6Addr) -> bool {
        // The state stays locked while the question goes out, so that its answer cannot
        // be read before the question is known.
        self.state
            .lock()
            .is_ok_and(|mut m| m.ask_name(&Udp(&self.sock), ifindex, addr))
    }

    /// Asks every responder of the link for its service types.
    pub(super) fn browse(&self, ifindex: u32) {
        if let Ok(mut m) = self.state.lock() {
            m.browse(&Udp(&self.sock), ifindex);
        }
    }

    /// Reads answers until `stop` is set, handing what each tells to `heard`.
    pub(super) fn receive(&self, stop: &AtomicBool, mut heard: impl FnMut(Heard)) {
        let mut buf = [0u8; 9000];
        while !stop.load(Ordering::Relaxed) {
            let Ok((n, SocketAddr::V6(from))) = self.sock.recv_from(&mut buf) else {
                continue;
            };
            let Some(msg) = buf.get(..n) else {
                continue;
            };
            let told = match self.state.lock() {
                Ok(mut m) => m.receive(&Udp(&self.sock), msg, from),
                Err(_) => continue,
            };
            told.into_iter().for_each(&mut heard);
        }
    }
}

fn set_multicast_hops(s: &UdpSocket, hops: u32) {
    let _ = socket2::SockRef::from(s).set_multicast_hops_v6(hops);
}
