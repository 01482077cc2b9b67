//! The farm's one `AF_PACKET` socket: frames in by `recvmmsg`, out by `sendmmsg` in
//! batches, and the kernel's drop counter.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use super::react::Sink;
use super::wire::FRAME_MAX;

/// Frames read per `recvmmsg`.
const RX_BATCH: usize = 64;
/// Frames sent per `sendmmsg`.
const TX_BATCH: usize = 256;
/// Room for a received frame.
const RX_FRAME: usize = 2048;
/// Socket buffers: a burst of 10,000 answers and the scanner's probes fit.
const SOCKET_BUFFER: libc::c_int = 32 << 20;

/// Linux socket options not in every libc release.
const PACKET_QDISC_BYPASS: libc::c_int = 20;
const PACKET_IGNORE_OUTGOING: libc::c_int = 23;

fn check(rc: libc::c_int, what: &str) -> io::Result<()> {
    if rc < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("{what}: {e}")));
    }
    Ok(())
}

fn set_int(
    fd: &OwnedFd,
    level: libc::c_int,
    opt: libc::c_int,
    v: libc::c_int,
    what: &str,
) -> io::Result<()> {
    // SAFETY: v lives for the call and its size is given.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as u32,
        )
    };
    check(rc, what)
}

/// Big buffers for bursts; no copy of our own frames back; no qdisc on the way out.
fn tune(fd: &OwnedFd) -> io::Result<()> {
    let (sol, pkt) = (libc::SOL_SOCKET, libc::SOL_PACKET);
    set_int(
        fd,
        sol,
        libc::SO_RCVBUFFORCE,
        SOCKET_BUFFER,
        "SO_RCVBUFFORCE",
    )?;
    set_int(
        fd,
        sol,
        libc::SO_SNDBUFFORCE,
        SOCKET_BUFFER,
        "SO_SNDBUFFORCE",
    )?;
    set_int(fd, pkt, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING")?;
    set_int(fd, pkt, PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS")
}

/// Puts the device in promiscuous mode for as long as `fd` is open: the hosts' frames
/// are for MACs the device does not have.
fn promiscuous(fd: &OwnedFd, index: u32) -> io::Result<()> {
    // SAFETY: packet_mreq is plain data.
    let mut mreq: libc::packet_mreq = unsafe { std::mem::zeroed() };
    mreq.mr_ifindex = index as i32;
    mreq.mr_type = libc::PACKET_MR_PROMISC as u16;
    // SAFETY: mreq lives for the call and its size is given.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_ADD_MEMBERSHIP,
            (&mreq as *const libc::packet_mreq).cast(),
            std::mem::size_of::<libc::packet_mreq>() as u32,
        )
    };
    check(rc, "PACKET_ADD_MEMBERSHIP")
}

/// The packet socket on one device, with its send and receive batches.
pub struct Port {
    fd: OwnedFd,
    rx: Vec<u8>,
    rx_len: Vec<usize>,
    tx: Vec<u8>,
    tx_len: Vec<usize>,
    /// Frames the kernel refused to send.
    pub tx_errors: u64,
    /// Frames handed to the kernel.
    pub tx_frames: u64,
}

impl Port {
    /// Opens an IPv6 packet socket bound to `dev`, promiscuous, blind to its own frames.
    pub fn open(dev: &str) -> io::Result<Port> {
        let proto = (libc::ETH_P_IPV6 as u16).to_be();
        // SAFETY: plain socket creation; the fd goes to OwnedFd right away.
        let raw = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                i32::from(proto),
            )
        };
        check(raw, "socket(AF_PACKET)")?;
        // SAFETY: raw is a fresh descriptor nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let name = std::ffi::CString::new(dev).map_err(|_| io::Error::other("bad device name"))?;
        // SAFETY: a NUL-terminated name.
        let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
        if index == 0 {
            return Err(io::Error::other(format!("no device {dev}")));
        }
        // SAFETY: sockaddr_ll is plain data.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = proto;
        sll.sll_ifindex = index as i32;
        // SAFETY: sll is a live sockaddr_ll of the size given.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&sll as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            )
        };
        check(rc, "bind")?;
        tune(&fd)?;
        promiscuous(&fd, index)?;
        Ok(Port {
            fd,
            rx: vec![0; RX_BATCH * RX_FRAME],
            rx_len: Vec::with_capacity(RX_BATCH),
            tx: vec![0; TX_BATCH * FRAME_MAX],
            tx_len: Vec::with_capacity(TX_BATCH),
            tx_errors: 0,
            tx_frames: 0,
        })
    }

    /// Waits at most `timeout` for a frame to read.
    pub fn wait(&self, timeout: Duration) -> io::Result<()> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ts = libc::timespec {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_nsec: libc::c_long::from(timeout.subsec_nanos() as i32),
        };
        // SAFETY: pfd and ts live for the call; no signal mask is changed.
        let rc = unsafe { libc::ppoll(&mut pfd, 1, &ts, std::ptr::null()) };
        match check(rc, "ppoll") {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            other => other,
        }
    }

    /// Reads the frames waiting (at most a batch, without blocking); see [`Port::frame`].
    pub fn recv(&mut self) -> io::Result<usize> {
        let mut iov: Vec<libc::iovec> = self
            .rx
            .chunks_mut(RX_FRAME)
            .map(|c| libc::iovec {
                iov_base: c.as_mut_ptr().cast(),
                iov_len: RX_FRAME,
            })
            .collect();
        // SAFETY: mmsghdr is plain data; the zeroed fields are valid (no name, no control).
        let mut msgs: Vec<libc::mmsghdr> = (0..RX_BATCH)
            .map(|_| unsafe { std::mem::zeroed() })
            .collect();
        for (m, v) in msgs.iter_mut().zip(iov.iter_mut()) {
            m.msg_hdr.msg_iov = v;
            m.msg_hdr.msg_iovlen = 1;
        }
        // SAFETY: every message points at its own live iovec over self.rx.
        let n = unsafe {
            libc::recvmmsg(
                self.fd.as_raw_fd(),
                msgs.as_mut_ptr(),
                RX_BATCH as u32,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(0),
                _ => Err(e),
            };
        }
        self.rx_len.clear();
        self.rx_len.extend(
            msgs[..n as usize]
                .iter()
                .map(|m| (m.msg_len as usize).min(RX_FRAME)),
        );
        Ok(n as usize)
    }

    /// The `i`th frame of the last [`Port::recv`].
    pub fn frame(&self, i: usize) -> &[u8] {
        &self.rx[i * RX_FRAME..i * RX_FRAME + self.rx_len[i]]
    }

    /// Sends the frames batched so far.
    pub fn flush(&mut self) {
        let mut iov: Vec<libc::iovec> = self
            .tx_len
            .iter()
            .enumerate()
            .map(|(i, &len)| libc::iovec {
                iov_base: self.tx[i * FRAME_MAX..].as_mut_ptr().cast(),
                iov_len: len,
            })
            .collect();
        // SAFETY: mmsghdr is plain data; the zeroed fields are valid (the bound socket
        // sends on its device: no name needed).
        let mut msgs: Vec<libc::mmsghdr> =
            iov.iter().map(|_| unsafe { std::mem::zeroed() }).collect();
        for (m, v) in msgs.iter_mut().zip(iov.iter_mut()) {
            m.msg_hdr.msg_iov = v;
            m.msg_hdr.msg_iovlen = 1;
        }
        let mut done = 0;
        while done < msgs.len() {
            // SAFETY: every message points at its own live iovec over self.tx.
            let n = unsafe {
                libc::sendmmsg(
                    self.fd.as_raw_fd(),
                    msgs[done..].as_mut_ptr(),
                    (msgs.len() - done) as u32,
                    0,
                )
            };
            if n <= 0 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                // The first message failed: count it, go on with the rest.
                self.tx_errors += 1;
                done += 1;
                continue;
            }
            self.tx_frames += n as u64;
            done += n as usize;
        }
        self.tx_len.clear();
    }

    /// Frames the kernel dropped for want of room since the last call (PACKET_STATISTICS).
    pub fn kernel_drops(&self) -> u64 {
        // SAFETY: tpacket_stats is plain data.
        let mut st: libc::tpacket_stats = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::tpacket_stats>() as libc::socklen_t;
        // SAFETY: st and len live for the call; len is st's size.
        let rc = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_STATISTICS,
                (&mut st as *mut libc::tpacket_stats).cast(),
                &mut len,
            )
        };
        if rc == 0 {
            u64::from(st.tp_drops)
        } else {
            0
        }
    }
}

impl Sink for Port {
    fn slot(&mut self) -> &mut [u8] {
        if self.tx_len.len() == TX_BATCH {
            self.flush();
        }
        let i = self.tx_len.len();
        &mut self.tx[i * FRAME_MAX..(i + 1) * FRAME_MAX]
    }

    fn commit(&mut self, len: usize) {
        self.tx_len.push(len);
    }
}
