//! Forged frames from inside a lab namespace: an ICMPv6 message in an Ethernet frame with
//! any source, sent on `eth0` of a host namespace through an `AF_PACKET` socket. Used by
//! tests/hostile.rs (a flood) and tests/health.rs (rogue RAs).

use std::net::Ipv6Addr;
use std::os::fd::AsRawFd;
use v6scout::mac::Mac;

/// The ICMPv6 checksum of `msg` (its checksum field zero) from `src` to `dst`.
pub fn checksum(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> u16 {
    let mut sum: u64 = 0;
    let mut add = |b: &[u8]| {
        for c in b.chunks(2) {
            sum += u64::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
        }
    };
    add(&src.octets());
    add(&dst.octets());
    add(&(msg.len() as u32).to_be_bytes());
    add(&[0, 0, 0, 58]);
    add(msg);
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An Ethernet frame carrying `msg` (checksum filled unless `bad_sum`) from `src`.
pub fn frame(
    eth: (Mac, Mac),
    src: Ipv6Addr,
    dst: Ipv6Addr,
    hops: u8,
    msg: &[u8],
    bad_sum: bool,
) -> Vec<u8> {
    let mut m = msg.to_vec();
    m[2] = 0;
    m[3] = 0;
    let mut sum = checksum(src, dst, &m);
    if bad_sum {
        sum ^= 0x5a5a;
    }
    m[2..4].copy_from_slice(&sum.to_be_bytes());
    let mut f = Vec::with_capacity(54 + m.len());
    f.extend_from_slice(&eth.1 .0);
    f.extend_from_slice(&eth.0 .0);
    f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0]);
    f.extend_from_slice(&(m.len() as u16).to_be_bytes());
    f.extend_from_slice(&[58, hops]);
    f.extend_from_slice(&src.octets());
    f.extend_from_slice(&dst.octets());
    f.extend_from_slice(&m);
    f
}

/// An AF_PACKET socket on `eth0` of namespace `ns` (entered by this thread only).
pub fn packet_socket(ns: &str) -> (std::os::fd::OwnedFd, libc::sockaddr_ll) {
    let f = std::fs::File::open(format!("/run/netns/{ns}")).unwrap();
    // SAFETY: setns on an open namespace fd; it changes this thread's namespace only.
    assert_eq!(unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) }, 0);
    // SAFETY: plain socket creation; ownership goes to OwnedFd right away.
    let fd = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_NONBLOCK,
            i32::from((libc::ETH_P_ALL as u16).to_be()),
        )
    };
    assert!(fd >= 0, "{}", std::io::Error::last_os_error());
    // SAFETY: fd is a fresh descriptor we own.
    let fd = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    // SAFETY: a NUL-terminated name.
    let index = unsafe { libc::if_nametoindex(c"eth0".as_ptr()) };

    assert!(index > 0);
    // SAFETY: sockaddr_ll is plain data.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
    sll.sll_ifindex = index as i32;
    sll.sll_halen = 6;
    // SAFETY: sll is a live sockaddr_ll of the size given.
    let rc = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as u32,
        )
    };
    assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
    (fd, sll)
}

/// Sends one frame on a socket from [`packet_socket`]; false when the kernel refused it.
pub fn send(fd: &std::os::fd::OwnedFd, sll: &libc::sockaddr_ll, f: &[u8]) -> bool {
    // SAFETY: f and sll are live for the call.
    let rc = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            f.as_ptr().cast(),
            f.len(),
            0,
            (sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as u32,
        )
    };
    rc >= 0
}
