//! The Linux [`Link`]: one raw ICMPv6 socket bound to one interface.

use super::cmsg::{multicast_on, prepare_receiver, push_cmsg, recv_one, setup, CMSG_BUF};
use super::frames::FrameMacs;
use crate::platform::OpenError;
use crate::probe::{packet, Link, Probe, Received};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::mem::{size_of, zeroed};
use std::net::Ipv6Addr;
use std::num::NonZeroU32;
use std::os::fd::AsRawFd;
use std::time::Duration;

/// The all-routers group, where Router Solicitations go.
const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

/// `ICMP6_FILTER` from `<netinet/icmp6.h>`; libc does not export it.
const ICMP6_FILTER: libc::c_int = 1;
/// ICMPv6 types the worker uses; every other type is blocked in the kernel. The other
/// errors are let in to be counted when they quote nothing of ours.
pub(super) const WANTED_TYPES: [u8; 11] = [
    packet::TYPE_DEST_UNREACHABLE,
    packet::TYPE_TIME_EXCEEDED,
    packet::TYPE_PARAM_PROBLEM,
    packet::TYPE_ECHO_REPLY,
    packet::TYPE_MLD_REPORT_V1,
    packet::TYPE_ROUTER_SOLICIT,
    packet::TYPE_ROUTER_ADVERT,
    packet::TYPE_NEIGHBOUR_SOLICIT,
    packet::TYPE_NEIGHBOUR_ADVERT,
    packet::TYPE_MLD_REPORT_V2,
    crate::probe::packet::nodeinfo::TYPE_NI_REPLY,
];

/// A raw ICMPv6 socket bound to one interface, plus send-only sockets armed with the
/// extension headers some probes carry.
///
/// Attaching a Destination Options or Hop-by-Hop header to a packet needs CAP_NET_RAW at
/// the moment it is set, and v6scout drops every capability before the scan starts. So
/// those headers are set as sticky options while the links are opened: one socket per
/// source address carries the unknown-option header, one link-local socket the MLD
/// router alert. They are sent on without control messages, which would replace the
/// sticky options.
pub struct RawLink {
    sock: Socket,
    ifindex: u32,
    /// Per source address: a socket bound to it with the unknown-option header set.
    dest_opts: Vec<(Ipv6Addr, Socket)>,
    /// With `--mld`: a link-local socket with the router alert and hop limit 1.
    mld: Option<(Ipv6Addr, Socket)>,
    /// The frames' source MACs (a packet socket; `None` if it could not be opened).
    frames: Option<FrameMacs>,
}

/// The Linux ICMP6_FILTER bitmap: a set bit *blocks* a type (BSD is the opposite).
fn icmp6_filter(wanted: &[u8]) -> [u32; 8] {
    let mut f = [u32::MAX; 8];
    for &t in wanted {
        f[usize::from(t >> 5)] &= !(1u32 << (t & 31));
    }
    f
}

/// A raw ICMPv6 socket on interface `ifindex` sending with hop limit `hops`.
fn raw_socket(ifindex: u32, hops: u32) -> Result<Socket, OpenError> {
    let sock = match Socket::new(Domain::IPV6, Type::RAW, Some(Protocol::ICMPV6)) {
        Ok(s) => s,
        Err(e) if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)) => {
            return Err(OpenError::NoPrivilege)
        }
        Err(e) => return Err(OpenError::Io("opening a raw ICMPv6 socket", e)),
    };
    setup(
        "binding the socket to its interface",
        sock.bind_device_by_index_v6(NonZeroU32::new(ifindex)),
    )?;
    multicast_on(&sock, ifindex)?;
    setup("setting the hop limit", sock.set_multicast_hops_v6(hops))?;
    setup("setting the hop limit", sock.set_unicast_hops_v6(hops))?;
    Ok(sock)
}

/// A send-only raw socket bound to `src` with the extension header `opts` (option
/// `kind`: IPV6_DSTOPTS or IPV6_HOPOPTS) set for every packet it sends.
fn armed_socket(
    ifindex: u32,
    src: Ipv6Addr,
    hops: u32,
    kind: libc::c_int,
    opts: &[u8],
) -> Result<Socket, OpenError> {
    let sock = raw_socket(ifindex, hops)?;
    // It only sends: block every type so it queues nothing.
    let filter = [u32::MAX; 8];
    set_filter(&sock, &filter)?;
    let _ = sock.set_recv_buffer_size(0);
    let scope = if crate::model::is_link_local(src) {
        ifindex
    } else {
        0
    };
    let addr = socket2::SockAddr::from(std::net::SocketAddrV6::new(src, 0, 0, scope));
    setup("binding a probe socket to its source", sock.bind(&addr))?;
    // SAFETY: the pointer and length describe `opts`, alive for the call.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_IPV6,
            kind,
            opts.as_ptr().cast(),
            opts.len() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(OpenError::Io(
            "setting a probe's extension header",
            io::Error::last_os_error(),
        ));
    }
    Ok(sock)
}

fn set_filter(sock: &Socket, filter: &[u32; 8]) -> Result<(), OpenError> {
    // SAFETY: the pointer and length describe `filter`, alive for the call.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_ICMPV6,
            ICMP6_FILTER,
            filter.as_ptr().cast(),
            size_of::<[u32; 8]>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(OpenError::Io(
            "setting the ICMPv6 filter",
            io::Error::last_os_error(),
        ));
    }
    Ok(())
}

impl RawLink {
    /// Opens the sockets on interface `ifindex` for probing from `sources` (link-local
    /// first); with `mld`, also joins ff02::16 so MLDv2 reports reach us. Fails with
    /// [`OpenError::NoPrivilege`] when the process lacks CAP_NET_RAW.
    pub fn open(ifindex: u32, mld: bool, sources: &[Ipv6Addr]) -> Result<Self, OpenError> {
        // NDP receivers drop anything with a hop limit below 255 (RFC 4861).
        let sock = raw_socket(ifindex, 255)?;
        prepare_receiver(&sock)?;
        set_filter(&sock, &icmp6_filter(&WANTED_TYPES))?;
        let opts = packet::unknown_option_dest_opts();
        let mut dest_opts = Vec::new();
        for &src in sources {
            let s = armed_socket(ifindex, src, 255, libc::IPV6_DSTOPTS, &opts)?;
            dest_opts.push((src, s));
        }
        // Hosts' Router Solicitations (a device booting) go to ff02::2: listening there
        // lets us hear them. The kernel ignores them, as it is not a router.
        setup(
            "joining ff02::2 to hear Router Solicitations",
            sock.join_multicast_v6(&ALL_ROUTERS, ifindex),
        )?;
        let mut mld_sock = None;
        if mld {
            setup(
                "joining ff02::16 for MLD reports",
                sock.join_multicast_v6(&crate::probe::packet::mld::ALL_MLDV2_ROUTERS, ifindex),
            )?;
            // RFC 3810: queries carry the router alert and hop limit 1.
            if let Some(&ll) = sources.iter().find(|a| crate::model::is_link_local(**a)) {
                let alert = crate::probe::packet::mld::router_alert_hop_by_hop();
                let s = armed_socket(ifindex, ll, 1, libc::IPV6_HOPOPTS, &alert)?;
                mld_sock = Some((ll, s));
            }
        }
        Ok(RawLink {
            sock,
            ifindex,
            dest_opts,
            mld: mld_sock,
            // Without it answers still count; their MACs then come from NDP alone.
            frames: FrameMacs::open(ifindex).ok(),
        })
    }

    /// A link that only sends, through the kernel, and receives nothing: the Ethernet
    /// link's way to an address whose MAC it has not learned (the kernel resolves it).
    /// Probes with extension headers cannot go through it once privileges are dropped.
    pub fn open_sender(ifindex: u32) -> Result<Self, OpenError> {
        let sock = raw_socket(ifindex, 255)?;
        set_filter(&sock, &[u32::MAX; 8])?;
        let _ = sock.set_recv_buffer_size(0);
        Ok(RawLink {
            sock,
            ifindex,
            dest_opts: Vec::new(),
            mld: None,
            frames: None,
        })
    }

    /// The armed socket that sends `probe` with its extension header, if there is one.
    fn armed_for(&self, probe: &Probe<'_>) -> Option<&Socket> {
        let src = probe.src?;
        match (probe.dest_opts, probe.hop_opts) {
            (Some(o), None) if o == packet::unknown_option_dest_opts() => self
                .dest_opts
                .iter()
                .find(|(a, _)| *a == src)
                .map(|(_, s)| s),
            (None, Some(o))
                if o == crate::probe::packet::mld::router_alert_hop_by_hop()
                    && probe.hop_limit == Some(1) =>
            {
                self.mld.as_ref().filter(|(a, _)| *a == src).map(|(_, s)| s)
            }
            _ => None,
        }
    }

    fn sockaddr(&self, addr: Ipv6Addr) -> libc::sockaddr_in6 {
        // SAFETY: sockaddr_in6 is plain old data; all-zero is a valid value.
        let mut sa: libc::sockaddr_in6 = unsafe { zeroed() };
        sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
        sa.sin6_addr.s6_addr = addr.octets();
        let seg0 = addr.segments()[0];
        // Link-scope unicast and multicast destinations need the zone.
        if seg0 & 0xffc0 == 0xfe80 || seg0 & 0xff0f == 0xff02 {
            sa.sin6_scope_id = self.ifindex;
        }
        sa
    }
}

impl Link for RawLink {
    fn send(&mut self, probe: &Probe<'_>) -> io::Result<()> {
        let mut sa = self.sockaddr(probe.dst);
        if let Some(sock) = self.armed_for(probe) {
            // SAFETY: `sa` is a live sockaddr_in6 of the length given; the kernel only
            // reads the message buffer.
            let rc = unsafe {
                libc::sendto(
                    sock.as_raw_fd(),
                    probe.message.as_ptr().cast(),
                    probe.message.len(),
                    0,
                    (&sa as *const libc::sockaddr_in6).cast(),
                    size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                )
            };
            return if rc < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(())
            };
        }
        let mut cbuf = [0u8; CMSG_BUF];
        let mut used = 0;
        if let Some(src) = probe.src {
            // SAFETY: in6_pktinfo is plain old data.
            let mut info: libc::in6_pktinfo = unsafe { zeroed() };
            info.ipi6_addr.s6_addr = src.octets();
            info.ipi6_ifindex = self.ifindex;
            // SAFETY: viewing a plain-data struct as bytes.
            let bytes = unsafe {
                std::slice::from_raw_parts(
                    (&info as *const libc::in6_pktinfo).cast::<u8>(),
                    size_of::<libc::in6_pktinfo>(),
                )
            };
            push_cmsg(&mut cbuf, &mut used, libc::IPV6_PKTINFO, bytes);
        }
        if let Some(opts) = probe.hop_opts {
            if !push_cmsg(&mut cbuf, &mut used, libc::IPV6_HOPOPTS, opts) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "options too long",
                ));
            }
        }
        if let Some(hops) = probe.hop_limit {
            let v = libc::c_int::from(hops).to_ne_bytes();
            push_cmsg(&mut cbuf, &mut used, libc::IPV6_HOPLIMIT, &v);
        }
        if let Some(opts) = probe.dest_opts {
            if !push_cmsg(&mut cbuf, &mut used, libc::IPV6_DSTOPTS, opts) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "options too long",
                ));
            }
        }
        let mut iov = libc::iovec {
            iov_base: probe.message.as_ptr() as *mut libc::c_void,
            iov_len: probe.message.len(),
        };
        // SAFETY: msghdr is plain old data; all-zero is valid before we fill it.
        let mut msg: libc::msghdr = unsafe { zeroed() };
        msg.msg_name = (&mut sa as *mut libc::sockaddr_in6).cast();
        msg.msg_namelen = size_of::<libc::sockaddr_in6>() as libc::socklen_t;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        if used > 0 {
            msg.msg_control = cbuf.as_mut_ptr().cast();
            msg.msg_controllen = used as _;
        }
        // SAFETY: every pointer in msg refers to a live local for the duration of the call,
        // and the kernel only reads the message buffer.
        let rc = unsafe { libc::sendmsg(self.sock.as_raw_fd(), &msg, 0) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Option<Received>> {
        let mut pfd = libc::pollfd {
            fd: self.sock.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_millis().clamp(0, i32::MAX as u128) as libc::c_int;
        // Round sub-millisecond waits up, or the loop would spin until the deadline.
        let ms = if ms == 0 && !timeout.is_zero() { 1 } else { ms };
        // SAFETY: one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(None)
            } else {
                Err(e)
            };
        }
        if n == 0 {
            return Ok(None);
        }
        // The socket is bound to its interface, so the arrival interface needs no check.
        let Some((mut rx, _)) = recv_one(self.sock.as_raw_fd(), buf)? else {
            return Ok(None);
        };
        rx.mac = self.frames.as_mut().and_then(|f| f.mac_of(rx.src));
        Ok(Some(rx))
    }
}

#[cfg(test)]
#[path = "raw_tests.rs"]
mod tests;
