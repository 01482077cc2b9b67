//! The Linux [`Link`] of Ethernet interfaces: v6scout speaks Ethernet itself, through one
//! `AF_PACKET` socket bound to the interface.
//!
//! - Probes leave as whole frames built here ([`frame`]): multicast to 33:33 and the
//!   group's low 32 bits, unicast to the MAC the destination's own frames came from. To
//!   an address no frame has shown yet, the probe waits while we ask for its MAC
//!   ourselves (a Neighbour Solicitation frame); only when too many wait does one go
//!   through the kernel. The kernel's neighbour table is not consulted, so a scan's
//!   probes add no entry to it (a raw ICMPv6 socket adds one per multicast group it
//!   sends to and per address it resolves, and the table is one for the whole machine,
//!   1,024 entries by default).
//! - Answers are read from a memory-mapped `TPACKET_V3` ring ([`ring`]) sized for a
//!   burst, and what it could not hold is counted from the kernel's own statistics.
//!   A kernel filter keeps incoming IPv6 frames whose next header could lead to ICMPv6,
//!   cut to [`SNAP_LEN`]; our own frames (`PACKET_OUTGOING`) and frames a promiscuous
//!   interface caught for other hosts never reach the ring. Here, every frame has its
//!   ICMPv6 checksum verified (the kernel did that for raw sockets, not for packet
//!   sockets), its destination checked against ours, and its type against the raw
//!   socket's filter; anything else is dropped.
//! - Neighbour Solicitations for our addresses are answered from here too (a Neighbour
//!   Advertisement with the S and O flags and our MAC), so hosts that resolve us get an
//!   answer even when the kernel's table is full and the kernel cannot.
//! - Receiving needs no IPv6 membership: `PACKET_ADD_MEMBERSHIP` with
//!   `PACKET_MR_MULTICAST` asks the NIC for the MACs of the groups we listen to
//!   (all-nodes, all-routers, MLDv2 routers with MLD, our solicited-node groups), held
//!   while the socket is open. All-routers (and MLDv2 routers) are also joined on a
//!   plain UDP socket, only so that the kernel reports them in MLD and snooping
//!   switches forward hosts' Router Solicitations (and MLD reports) to us; the other
//!   groups the kernel has joined already.

mod frame;
mod handoff;
mod ring;

use super::raw::{RawLink, WANTED_TYPES};
use crate::iface::Interface;
use crate::mac::Mac;
use crate::platform::OpenError;
use crate::probe::packet::{Icmp, TYPE_NEIGHBOUR_SOLICIT};
use crate::probe::{Link, LinkDrops, Probe, Received};
use frame::{Destinations, MacTable, Outgoing, Pending, Queued};
use ring::Ring;
use socket2::{Domain, SockAddr, SockFilter, Socket, Type};
use std::io;
use std::mem::size_of;
use std::net::Ipv6Addr;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

/// Bytes of a frame kept in the ring: a jumbo frame whole. A message is checked (its
/// checksum covers all of it) only when its frame is whole, so a cut frame is dropped;
/// the ring packs frames by their length, so the large bound costs nothing for small
/// ones.
const SNAP_LEN: u32 = 9216;
/// Addresses whose MAC is remembered for unicast probes (about 40 bytes each).
const MAC_TABLE_BOUND: usize = 1 << 16;
/// Unicast destinations waiting for their MAC at most (a scan's last attempts to
/// addresses that did not answer are paced by its unicast budget).
const PENDING_BOUND: usize = 1024;
/// How long a unicast frame waits for its destination's MAC (the kernel's
/// retransmission interval).
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(1);
/// A pause in reading this long means the window ended (a watch between its scans):
/// what the ring dropped meanwhile is not the next window's.
const IDLE: Duration = Duration::from_secs(1);
/// Frames examined per call at most when none is for us, so a flood cannot hold the
/// worker past its deadline.
const MAX_FRAMES_PER_CALL: usize = 4096;

/// The kernel filter: incoming IPv6 frames (not our own, not other hosts' caught by a
/// promiscuous interface) whose first next header is ICMPv6 or an extension header that
/// may precede it, cut to [`SNAP_LEN`].
fn filter() -> [SockFilter; 12] {
    const LD_B_ABS: u16 = (libc::BPF_LD | libc::BPF_B | libc::BPF_ABS) as u16;
    const LD_H_ABS: u16 = (libc::BPF_LD | libc::BPF_H | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    // SKF_AD_OFF + SKF_AD_PKTTYPE: the packet type of the frame.
    let pkttype = (-0x1000i32 + 4) as u32;
    let drop = |from: u8| 11 - from - 1;
    let keep = |from: u8| 10 - from - 1;
    [
        SockFilter::new(LD_B_ABS, 0, 0, pkttype),
        SockFilter::new(JEQ_K, drop(1), 0, u32::from(libc::PACKET_OUTGOING)),
        SockFilter::new(JEQ_K, drop(2), 0, u32::from(libc::PACKET_OTHERHOST)),
        SockFilter::new(LD_H_ABS, 0, 0, 12),
        SockFilter::new(JEQ_K, 0, drop(4), u32::from(frame::ETHERTYPE_IPV6)),
        SockFilter::new(LD_B_ABS, 0, 0, 20),
        SockFilter::new(JEQ_K, keep(6), 0, 58),
        SockFilter::new(JEQ_K, keep(7), 0, 0),
        SockFilter::new(JEQ_K, keep(8), 0, 60),
        SockFilter::new(JEQ_K, keep(9), drop(9), 43),
        SockFilter::new(RET_K, 0, 0, SNAP_LEN),
        SockFilter::new(RET_K, 0, 0, 0),
    ]
}

/// Whether the kernel's neighbour cache of the interface was read.
#[derive(Clone, Copy, Debug)]
struct KernelCache {
    ifindex: u32,
    read: bool,
}

/// An Ethernet link: the packet socket, its ring, and what it knows of the link.
pub struct EtherLink {
    sock: Socket,
    ring: Ring,
    mac: Mac,
    link_local: Ipv6Addr,
    ours: Destinations,
    macs: MacTable,
    /// Unicast frames waiting for their destination's MAC.
    pending: Pending,
    /// Unicast probes that cannot wait (too many wait already) go through the kernel (a
    /// send-only raw ICMPv6 socket), which resolves the address: that probe alone then
    /// costs an entry in the kernel's neighbour table.
    kernel: RawLink,
    /// The frame being sent (kept to reuse its allocation).
    out: Vec<u8>,
    /// When the ring was last read: a send after a long pause starts a new window.
    last_read: Instant,
    /// The kernel's neighbour cache, read once when a unicast destination's MAC is first
    /// unknown.
    kernel_cache: KernelCache,
    /// Frames dropped as malformed (wrong checksum, truncated) since the last count.
    malformed: u64,
    /// Holds the IPv6 memberships snooping switches need to see (never read).
    _member: Socket,
    /// Set when the link is dropped: the grandchild that closes the socket last waits
    /// until this, dropped after `sock` and `ring` (fields drop in order), is closed.
    last_close: Option<std::os::fd::OwnedFd>,
}

impl Drop for EtherLink {
    fn drop(&mut self) {
        self.last_close = handoff::hand_off(self.sock.as_raw_fd());
    }
}

/// Whether interface `name` has Ethernet framing (`ARPHRD_ETHER`), asked on `sock`.
fn is_ethernet(sock: &Socket, name: &str) -> io::Result<bool> {
    // SAFETY: ifreq is plain data; all-zero is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    let bytes = name.as_bytes();
    if bytes.len() >= req.ifr_name.len() {
        return Ok(false);
    }
    for (d, s) in req.ifr_name.iter_mut().zip(bytes) {
        *d = *s as libc::c_char;
    }
    // SAFETY: SIOCGIFHWADDR reads the name from and writes the address into `req`.
    let rc = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFHWADDR, &mut req) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel filled the hardware-address member of the union.
    let family = unsafe { req.ifr_ifru.ifru_hwaddr.sa_family };
    Ok(family == libc::ARPHRD_ETHER)
}

/// The link-layer address of interface `ifindex` for protocol `protocol` (0: none yet).
pub(super) fn link_addr(ifindex: u32, protocol: u16) -> io::Result<SockAddr> {
    // SAFETY: the closure writes one sockaddr_ll into storage that holds any socket
    // address, and reports its size.
    let ((), sa) = unsafe {
        SockAddr::try_init(|storage, len| {
            let ll = storage.cast::<libc::sockaddr_ll>();
            (*ll).sll_family = libc::AF_PACKET as u16;
            (*ll).sll_protocol = protocol.to_be();
            (*ll).sll_ifindex = i32::try_from(ifindex).unwrap_or(0);
            *len = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
            Ok(())
        })
    }?;
    Ok(sa)
}

/// Asks the NIC of `ifindex` to deliver frames to multicast `mac`.
fn add_membership(sock: &Socket, ifindex: u32, mac: Mac) -> io::Result<()> {
    let mut address = [0u8; 8];
    address[..6].copy_from_slice(&mac.0);
    let mreq = libc::packet_mreq {
        mr_ifindex: i32::try_from(ifindex).unwrap_or(0),
        mr_type: libc::PACKET_MR_MULTICAST as u16,
        mr_alen: 6,
        mr_address: address,
    };
    ring::setsockopt(sock.as_fd(), libc::PACKET_ADD_MEMBERSHIP, &mreq)
}

/// A UDP socket in the all-routers group (and the MLDv2 routers group with `mld`) on
/// `ifindex`, so the kernel announces those memberships in MLD.
fn member(ifindex: u32, mld: bool) -> Result<Socket, OpenError> {
    let io = |what| move |e| OpenError::Io(what, e);
    let sock = Socket::new(Domain::IPV6, Type::DGRAM, None)
        .map_err(io("opening a socket for multicast memberships"))?;
    sock.join_multicast_v6(&frame::ALL_ROUTERS, ifindex)
        .map_err(io("joining ff02::2 to hear Router Solicitations"))?;
    if mld {
        sock.join_multicast_v6(&crate::probe::packet::mld::ALL_MLDV2_ROUTERS, ifindex)
            .map_err(io("joining ff02::16 for MLD reports"))?;
    }
    // It receives nothing: every datagram to it would wait, unread.
    let _ = sock.set_recv_buffer_size(0);
    Ok(sock)
}

impl EtherLink {
    /// Opens the packet socket and its ring on `iface` (needs CAP_NET_RAW), for probing
    /// from `sources` (link-local first); with `mld`, also receives MLD reports.
    /// [`OpenError::NotEthernet`] when the interface has no Ethernet framing.
    pub fn open(iface: &Interface, sources: &[Ipv6Addr], mld: bool) -> Result<Self, OpenError> {
        let (Some(mac), Some(link_local)) = (iface.mac, iface.link_local()) else {
            return Err(OpenError::NotEthernet);
        };
        let io = |what| move |e| OpenError::Io(what, e);
        // Protocol 0: the socket hears nothing until bind() names the protocol, so
        // nothing unfiltered is queued before the filter and the ring are in place.
        let sock = match Socket::new(Domain::PACKET, Type::RAW, None) {
            Ok(s) => s,
            Err(e) if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)) => {
                return Err(OpenError::NoPrivilege)
            }
            Err(e) => return Err(OpenError::Io("opening a packet socket", e)),
        };
        if !is_ethernet(&sock, &iface.name).map_err(io("asking the interface's type"))? {
            return Err(OpenError::NotEthernet);
        }
        sock.attach_filter(&filter()).map_err(io(
            "setting the packet filter (--link raw scans without one)",
        ))?;
        let ring = Ring::open(sock.as_fd())
            .map_err(io("mapping the packet ring (--link raw scans without one)"))?;
        let protocol = frame::ETHERTYPE_IPV6;
        sock.bind(&link_addr(iface.index, protocol).map_err(io("binding"))?)
            .map_err(io("binding the packet socket to its interface"))?;
        let mut own: Vec<Ipv6Addr> = iface.addrs.iter().map(|a| a.addr).collect();
        own.extend(
            sources
                .iter()
                .filter(|s| !own.contains(s))
                .collect::<Vec<_>>(),
        );
        let ours = Destinations::new(&own, mld);
        for g in ours.groups() {
            add_membership(&sock, iface.index, frame::multicast_mac(*g))
                .map_err(io("asking the interface for multicast frames"))?;
        }
        Ok(EtherLink {
            sock,
            ring,
            mac,
            link_local: sources
                .iter()
                .copied()
                .find(|a| crate::model::is_link_local(*a))
                .unwrap_or(link_local),
            ours,
            macs: MacTable::new(MAC_TABLE_BOUND),
            pending: Pending::new(PENDING_BOUND, RESOLVE_TIMEOUT),
            kernel: RawLink::open_sender(iface.index)?,
            out: Vec::with_capacity(2048),
            last_read: Instant::now(),
            kernel_cache: KernelCache {
                ifindex: iface.index,
                read: false,
            },
            malformed: 0,
            _member: member(iface.index, mld)?,
            last_close: None,
        })
    }

    /// The MAC the kernel's neighbour cache holds for `addr`: read once per link, the
    /// first time a unicast destination's MAC is unknown, every entry with a MAC learnt
    /// (a stale one too: where the kernel itself would send first). A dozing phone that
    /// lets in no multicast is reached that way, as through the kernel's own sockets.
    fn kernel_cache_mac(&mut self, addr: Ipv6Addr) -> Option<Mac> {
        if !self.kernel_cache.read {
            self.kernel_cache.read = true;
            let entries = crate::neigh::NeighSource::dump(&super::netlink::Netlink);
            for e in entries.unwrap_or_default() {
                if let (true, Some(mac)) = (e.ifindex == self.kernel_cache.ifindex, e.mac) {
                    if mac.is_host() {
                        self.macs.learn(e.addr, mac);
                    }
                }
            }
        }
        self.macs.get(addr)
    }

    /// Sends a unicast `probe` to an address whose MAC no frame has shown: it waits while
    /// we ask for the MAC (a Neighbour Solicitation to its solicited-node group, as the
    /// kernel would, but without filing an entry in the kernel's table) and leaves when
    /// the answer comes. When too many wait already, the probe goes through the kernel,
    /// which resolves the address itself, at the cost of an entry in its table.
    fn send_unresolved(&mut self, probe: &Probe<'_>) -> io::Result<()> {
        let o = outgoing(probe, Mac([0; 6]), self.mac, self.link_local);
        frame::build(&o, &mut self.out)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        match self
            .pending
            .push(probe.dst, self.out.clone(), Instant::now())
        {
            Queued::Waiting => Ok(()),
            Queued::Full => self.kernel.send(probe),
            Queued::Resolve => {
                let ns = crate::probe::packet::neighbour_solicitation(probe.dst, self.mac);
                let group = crate::probe::packet::solicited_node(probe.dst);
                self.send_frame(&Outgoing {
                    eth: (frame::multicast_mac(group), self.mac),
                    src: self.link_local,
                    dst: group,
                    hop_limit: 255,
                    hop_opts: None,
                    dest_opts: None,
                    message: &ns,
                })
            }
        }
    }

    /// Builds and sends one frame.
    fn send_frame(&mut self, o: &Outgoing<'_>) -> io::Result<()> {
        frame::build(o, &mut self.out)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
        self.sock.send(&self.out).map(|_| ())
    }

    /// Answers a Neighbour Solicitation for our address `target` from `to` (behind `mac`).
    fn advertise(&mut self, (to, mac, target): (Ipv6Addr, Mac, Ipv6Addr)) {
        let na = Icmp::NeighbourAdvert {
            target,
            router: false,
            solicited: true,
            override_flag: true,
            target_mac: Some(self.mac),
        }
        .to_bytes();
        // Best effort, like the kernel's own answer: the host asks again if it is lost.
        let _ = self.send_frame(&Outgoing {
            eth: (mac, self.mac),
            src: target,
            dst: to,
            hop_limit: 255,
            hop_opts: None,
            dest_opts: None,
            message: &na,
        });
    }

    /// The next frame for us from the ring, if one is there: its message copied into
    /// `buf`. `Some(None)`: a frame was there but not for us.
    fn next_message(&mut self, buf: &mut [u8]) -> Option<Option<Received>> {
        let EtherLink {
            ring,
            ours,
            macs,
            pending,
            malformed,
            ..
        } = self;
        let mut ready = Vec::new();
        let (rx, answer) = ring.next(|f| {
            // Dropped, as the kernel drops them before a raw socket: wrong checksums
            // (forgeries among them) and truncated frames counted as malformed; other
            // destinations and types not (the kernel's filter would not have passed them).
            let m = match frame::receive(f, ours, &WANTED_TYPES) {
                Ok(m) => m,
                Err(frame::Dropped::BadChecksum | frame::Dropped::Truncated) => {
                    *malformed += 1;
                    return (None, None);
                }
                Err(_) => return (None, None),
            };
            let mac = m.src_mac.is_host().then_some(m.src_mac);
            if let Some(mac) = mac.filter(|_| !m.src.is_unspecified()) {
                macs.learn(m.src, mac);
                ready = pending.resolved(m.src, mac);
            }
            let answer = if m.message[0] == TYPE_NEIGHBOUR_SOLICIT {
                frame::na_for(&m, ours)
            } else {
                None
            };
            let len = m.message.len().min(buf.len());
            buf[..len].copy_from_slice(&m.message[..len]);
            let rx = Received {
                len,
                src: m.src,
                hop_limit: Some(m.hop_limit),
                mac,
            };
            (Some(rx), answer)
        })?;
        // Best effort, like the kernel's sends after resolution.
        for f in ready {
            let _ = self.sock.send(&f);
        }
        if let Some(a) = answer {
            self.advertise(a);
        }
        Some(rx)
    }

    /// Waits at most `ms` milliseconds for the kernel to hand a block over.
    fn wait(&self, ms: libc::c_int) -> io::Result<()> {
        let mut pfd = libc::pollfd {
            fd: self.sock.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
        Ok(())
    }
}

/// The frame of `probe` from `mac`, to `dst_mac`.
fn outgoing<'a>(probe: &Probe<'a>, dst_mac: Mac, mac: Mac, link_local: Ipv6Addr) -> Outgoing<'a> {
    Outgoing {
        eth: (dst_mac, mac),
        src: probe.src.unwrap_or(link_local),
        dst: probe.dst,
        hop_limit: probe.hop_limit.unwrap_or(255),
        hop_opts: probe.hop_opts,
        dest_opts: probe.dest_opts,
        message: probe.message,
    }
}

impl Link for EtherLink {
    fn send(&mut self, probe: &Probe<'_>) -> io::Result<()> {
        if self.last_read.elapsed() >= IDLE {
            // Reading the statistics resets them.
            let _ = ring::drops(self.sock.as_fd());
            self.last_read = Instant::now();
        }
        let dst_mac = if probe.dst.is_multicast() {
            frame::multicast_mac(probe.dst)
        } else if let Some(mac) = self.macs.get(probe.dst) {
            mac
        } else if let Some(mac) = self.kernel_cache_mac(probe.dst) {
            mac
        } else {
            return self.send_unresolved(probe);
        };
        self.send_frame(&outgoing(probe, dst_mac, self.mac, self.link_local))
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Option<Received>> {
        let deadline = Instant::now() + timeout;
        self.last_read = Instant::now();
        loop {
            for _ in 0..MAX_FRAMES_PER_CALL {
                match self.next_message(buf) {
                    Some(Some(rx)) => return Ok(Some(rx)),
                    Some(None) => continue,
                    None => break,
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            // Round sub-millisecond waits up, or the loop would spin until the deadline.
            let ms = left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
            self.wait(ms)?;
        }
    }

    fn take_drops(&mut self) -> LinkDrops {
        LinkDrops {
            ring: ring::drops(self.sock.as_fd()).unwrap_or(0),
            malformed: std::mem::take(&mut self.malformed),
        }
    }
}

#[cfg(test)]
#[path = "ether_tests.rs"]
mod tests;
