//! The system calls around ICMPv6 datagrams that socket2 does not wrap: integer socket
//! options, control messages for `sendmsg`, and `recvmsg` with the hop limit and arrival
//! interface. Shared by the raw ([`super::socket`]) and ping ([`super::ping`]) links.

use crate::platform::OpenError;
use crate::probe::Received;
use socket2::Socket;
use std::io;
use std::mem::{size_of, zeroed};
use std::net::Ipv6Addr;
use std::os::fd::AsRawFd;

/// `r`, or the error of opening a link at step `what`.
pub(super) fn setup<T>(what: &'static str, r: io::Result<T>) -> Result<T, OpenError> {
    r.map_err(|e| OpenError::Io(what, e))
}

/// Prepares a socket that receives answers: a large buffer (a thousand hosts answering one
/// multicast probe arrive at once, and the default would drop most; the kernel caps it at
/// net.core.rmem_max), and the hop limit and arrival interface of every datagram.
pub(super) fn prepare_receiver(sock: &Socket) -> Result<(), OpenError> {
    let _ = sock.set_recv_buffer_size(4 << 20);
    let ipv6 = libc::IPPROTO_IPV6;
    setup(
        "asking for packet info",
        setsockopt_int(sock, ipv6, libc::IPV6_RECVPKTINFO, 1),
    )?;
    setup(
        "asking for hop limits",
        setsockopt_int(sock, ipv6, libc::IPV6_RECVHOPLIMIT, 1),
    )
}

/// Sends multicast out of interface `ifindex` only, without looping it back to ourselves.
pub(super) fn multicast_on(sock: &Socket, ifindex: u32) -> Result<(), OpenError> {
    setup(
        "choosing the multicast interface",
        sock.set_multicast_if_v6(ifindex),
    )?;
    setup(
        "turning multicast loop off",
        sock.set_multicast_loop_v6(false),
    )
}

/// Sets an integer socket option.
fn setsockopt_int(
    sock: &Socket,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: the pointer and length describe a live c_int for the duration of the call.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            level,
            name,
            (&value as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Room for IPV6_PKTINFO, IPV6_HOPLIMIT and two 8-byte option headers, with alignment.
pub(super) const CMSG_BUF: usize = 160;

/// Appends one control message to `buf` at `*used`; returns false if it would not fit.
pub(super) fn push_cmsg(
    buf: &mut [u8; CMSG_BUF],
    used: &mut usize,
    kind: libc::c_int,
    data: &[u8],
) -> bool {
    // SAFETY: CMSG_SPACE/CMSG_LEN are pure arithmetic on a length.
    let (space, len) = unsafe {
        (
            libc::CMSG_SPACE(data.len() as u32) as usize,
            libc::CMSG_LEN(data.len() as u32) as usize,
        )
    };
    if *used + space > buf.len() {
        return false;
    }
    let hdr = libc::cmsghdr {
        cmsg_len: len as _,
        cmsg_level: libc::IPPROTO_IPV6,
        cmsg_type: kind,
    };
    let hdr_len = size_of::<libc::cmsghdr>();
    // SAFETY: cmsghdr is plain data; we copy its bytes into our own buffer.
    let hdr_bytes =
        unsafe { std::slice::from_raw_parts((&hdr as *const libc::cmsghdr).cast::<u8>(), hdr_len) };
    buf[*used..*used + hdr_len].copy_from_slice(hdr_bytes);
    // On Linux the data follows the header directly (CMSG_DATA = header + aligned size).
    let data_at = *used + (len - data.len());
    buf[data_at..data_at + data.len()].copy_from_slice(data);
    *used += space;
    true
}

/// One datagram from `fd` without blocking, with its arrival interface when reported.
pub(super) fn recv_one(
    fd: libc::c_int,
    buf: &mut [u8],
) -> io::Result<Option<(Received, Option<u32>)>> {
    // SAFETY: plain-data structs, zero-initialised before the kernel fills them.
    let mut sa: libc::sockaddr_in6 = unsafe { zeroed() };
    let mut cbuf = [0u64; 16];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_name = (&mut sa as *mut libc::sockaddr_in6).cast();
    msg.msg_namelen = size_of::<libc::sockaddr_in6>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr().cast();
    msg.msg_controllen = size_of::<[u64; 16]>() as _;
    // SAFETY: all pointers refer to live locals sized as declared in msg.
    let n = unsafe { libc::recvmsg(fd, &mut msg, libc::MSG_DONTWAIT) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(None),
            _ => Err(e),
        };
    }
    let mut hop_limit = None;
    let mut ifindex = None;
    // SAFETY: the CMSG_* walk stays within msg_controllen as the kernel set it, and each
    // payload is read unaligned with the size its type has.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::IPPROTO_IPV6 {
                if (*c).cmsg_type == libc::IPV6_HOPLIMIT {
                    let v = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<libc::c_int>());
                    hop_limit = u8::try_from(v).ok();
                } else if (*c).cmsg_type == libc::IPV6_PKTINFO {
                    let info =
                        std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<libc::in6_pktinfo>());
                    ifindex = Some(info.ipi6_ifindex);
                }
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    Ok(Some((
        Received {
            len: n as usize,
            src: Ipv6Addr::from(sa.sin6_addr.s6_addr),
            hop_limit,
            mac: None,
        },
        ifindex,
    )))
}

#[cfg(test)]
#[path = "cmsg_tests.rs"]
mod tests;
