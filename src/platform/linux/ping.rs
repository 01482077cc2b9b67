//! The unprivileged Linux [`Link`]: ICMPv6 ping sockets (`SOCK_DGRAM`, `IPPROTO_ICMPV6`),
//! one per source address, for users without CAP_NET_RAW.
//!
//! The kernel allows them when the caller's group is inside `net.ipv4.ping_group_range`
//! (the IPv4-named sysctl governs IPv6 ping sockets too, per network namespace). It writes
//! the socket's bound "port" into the echo identifier and delivers only echo replies that
//! carry it, so every socket of a link is bound to the same port (`SO_REUSEADDR`) and the
//! link reports that identifier through [`LinkMode::Ping`]; the cookie still has to match.
//! Such sockets can send echo requests only: no destination options (setting them needs
//! CAP_NET_RAW), no Neighbour or Router Solicitations, no MLD.

use super::cmsg::{multicast_on, prepare_receiver, recv_one, setup};
use crate::platform::OpenError;
use crate::probe::packet::TYPE_ECHO_REQUEST;
use crate::probe::{Link, LinkMode, Probe, Received};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io;
use std::net::{Ipv6Addr, SocketAddrV6};
use std::os::fd::AsRawFd;
use std::time::Duration;

/// Ping sockets for one interface, one per source address, sharing one echo identifier.
pub struct PingLink {
    socks: Vec<(Ipv6Addr, Socket)>,
    ifindex: u32,
    echo_id: u16,
}

/// A ping socket, or [`OpenError::NoPingSocket`] when `ping_group_range` leaves us out.
fn ping_socket() -> Result<Socket, OpenError> {
    match Socket::new(Domain::IPV6, Type::DGRAM, Some(Protocol::ICMPV6)) {
        Ok(s) => Ok(s),
        Err(e) if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)) => {
            Err(OpenError::NoPingSocket)
        }
        Err(e) => Err(OpenError::Io("opening an ICMPv6 ping socket", e)),
    }
}

impl PingLink {
    /// Opens one socket per source address on interface `ifindex`. Link-local sources
    /// bind the socket to the interface through their scope; every socket sends its
    /// multicast on `ifindex` and drops what arrives on another interface.
    pub fn open(ifindex: u32, sources: &[Ipv6Addr]) -> Result<Self, OpenError> {
        let mut socks = Vec::new();
        let mut port = 0u16;
        for &src in sources {
            let sock = ping_socket()?;
            setup("sharing the echo identifier", sock.set_reuse_address(true))?;
            let scope = if crate::model::is_link_local(src) {
                ifindex
            } else {
                0
            };
            let addr = SockAddr::from(SocketAddrV6::new(src, port, 0, scope));
            setup(
                "binding a ping socket to its source address",
                sock.bind(&addr),
            )?;
            if port == 0 {
                let local = setup("reading the echo identifier", sock.local_addr())?;
                port = local.as_socket_ipv6().map_or(0, |a| a.port());
            }
            multicast_on(&sock, ifindex)?;
            prepare_receiver(&sock)?;
            socks.push((src, sock));
        }
        if socks.is_empty() {
            return Err(OpenError::Io(
                "opening ping sockets",
                io::Error::new(io::ErrorKind::NotFound, "no IPv6 source address"),
            ));
        }
        Ok(PingLink {
            socks,
            ifindex,
            echo_id: port,
        })
    }
}

/// Link-scope destinations need the interface as their zone.
fn dest(addr: Ipv6Addr, ifindex: u32) -> SockAddr {
    let seg0 = addr.segments()[0];
    let scoped = seg0 & 0xffc0 == 0xfe80 || seg0 & 0xff0f == 0xff02;
    SockAddr::from(SocketAddrV6::new(
        addr,
        0,
        0,
        if scoped { ifindex } else { 0 },
    ))
}

fn unsupported(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("a ping socket cannot send {what}"),
    )
}

impl Link for PingLink {
    fn mode(&self) -> LinkMode {
        LinkMode::Ping {
            echo_id: self.echo_id,
        }
    }

    fn send(&mut self, probe: &Probe<'_>) -> io::Result<()> {
        if probe.message.first() != Some(&TYPE_ECHO_REQUEST) {
            return Err(unsupported("anything but echo requests"));
        }
        if probe.dest_opts.is_some() || probe.hop_opts.is_some() || probe.hop_limit.is_some() {
            return Err(unsupported("extension headers"));
        }
        let sock = match probe.src {
            Some(src) => self.socks.iter().find(|(a, _)| *a == src),
            None => self.socks.first(),
        }
        .map(|(_, s)| s)
        .ok_or_else(|| unsupported("from an address it was not opened for"))?;
        sock.send_to(probe.message, &dest(probe.dst, self.ifindex))
            .map(drop)
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Option<Received>> {
        let mut pfds: Vec<libc::pollfd> = self
            .socks
            .iter()
            .map(|(_, s)| libc::pollfd {
                fd: s.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        let ms = timeout.as_millis().clamp(0, i32::MAX as u128) as libc::c_int;
        let ms = if ms == 0 && !timeout.is_zero() { 1 } else { ms };
        // SAFETY: `pfds` is a live array of `pfds.len()` pollfds for the call.
        let n = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(None)
            } else {
                Err(e)
            };
        }
        let Some(ready) = pfds.iter().find(|p| p.revents != 0) else {
            return Ok(None);
        };
        match recv_one(ready.fd, buf)? {
            // A reply to our global address that came in on another interface is not
            // about this link.
            Some((rx, ifindex)) if ifindex.is_none_or(|i| i == self.ifindex) => Ok(Some(rx)),
            _ => Ok(None),
        }
    }
}
