//! A memory-mapped `TPACKET_V3` receive ring on a packet socket (`PACKET_RX_RING`): the
//! kernel writes frames into blocks shared with us and hands a block over when it is full
//! or its retire timer fires; we read every frame of a block in place and give it back.
//! A burst of answers lands in the ring without a system call per frame, and what the
//! ring could not hold is counted by the kernel (`PACKET_STATISTICS`).

use std::io;
use std::mem::size_of;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr::NonNull;

/// Bytes per block: about 300 answers each, and a jumbo frame fits. Small blocks are
/// handed over soon after they fill and are cheap for the kernel to allocate.
pub(super) const BLOCK_SIZE: u32 = 64 << 10;
/// Blocks in the ring (8 MiB in all, about 40,000 answers): one multicast probe to ten
/// thousand hosts brings about 2 MiB; the rest absorb the next probes while the worker
/// reads. The ring costs its size in memory (all of it resident) and about 2.5 ms per
/// MiB to set up and tear down (150-host lab: 16 MiB made a scan 0.05 s slower than
/// raw sockets, 8 MiB 0.03 s); `stats.ring_drops` says when it was too small.
pub(super) const BLOCK_COUNT: u32 = 128;
/// The nominal frame size the kernel's bookkeeping wants (V3 packs frames of any size).
const FRAME_SIZE: u32 = 2048;
/// How long the kernel fills a block before handing it over anyway, in milliseconds:
/// the most an answer waits in a block that is not full.
const RETIRE_MS: u32 = 1;

/// The mapped ring of one socket.
pub(super) struct Ring {
    map: NonNull<u8>,
    /// The block being read.
    block: usize,
    /// Frames of that block left, and the offset of the next one (0: not started).
    left: u32,
    next: usize,
}

// SAFETY: the mapping belongs to this value alone; nothing else in the process touches it.
unsafe impl Send for Ring {}

impl Ring {
    /// Sets up the ring on packet socket `fd` (before it is bound) and maps it.
    pub(super) fn open(fd: BorrowedFd<'_>) -> io::Result<Ring> {
        let version = libc::tpacket_versions::TPACKET_V3 as libc::c_int;
        setsockopt(fd, libc::PACKET_VERSION, &version)?;
        let req = libc::tpacket_req3 {
            tp_block_size: BLOCK_SIZE,
            tp_block_nr: BLOCK_COUNT,
            tp_frame_size: FRAME_SIZE,
            tp_frame_nr: BLOCK_SIZE / FRAME_SIZE * BLOCK_COUNT,
            tp_retire_blk_tov: RETIRE_MS,
            tp_sizeof_priv: 0,
            tp_feature_req_word: 0,
        };
        setsockopt(fd, libc::PACKET_RX_RING, &req)?;
        // SAFETY: a shared read-write mapping of the ring the kernel just allocated, of
        // exactly its size; the result is checked before use.
        let map = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                Self::len(),
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if map == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let map = NonNull::new(map.cast::<u8>()).ok_or_else(io::Error::last_os_error)?;
        Ok(Ring {
            map,
            block: 0,
            left: 0,
            next: 0,
        })
    }

    fn len() -> usize {
        BLOCK_SIZE as usize * BLOCK_COUNT as usize
    }

    /// The descriptor of block `i`.
    fn desc(&self, i: usize) -> *mut libc::tpacket_block_desc {
        // SAFETY: i < BLOCK_COUNT, so the offset stays inside the mapping.
        unsafe { self.map.as_ptr().add(i * BLOCK_SIZE as usize).cast() }
    }

    /// The status word of block `i`, read as the kernel last wrote it.
    fn block_status(&self, i: usize) -> u32 {
        // SAFETY: the descriptor lies at the start of a block inside the mapping; the
        // kernel writes the status with a barrier before handing a block over, and a
        // volatile read sees its latest value.
        let s = unsafe { std::ptr::addr_of!((*self.desc(i)).hdr.bh1.block_status).read_volatile() };
        std::sync::atomic::fence(std::sync::atomic::Ordering::Acquire);
        s
    }

    /// Calls `f` with the next frame the kernel handed over, if there is one, and
    /// returns what it returned. The bytes are valid during the call only.
    pub(super) fn next<R>(&mut self, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        loop {
            let (at, len) = self.advance()?;
            if let Some(len) = len {
                // SAFETY: `advance` checked that the frame lies inside the current block,
                // which stays ours, unchanged, until `release` (after `f` returns).
                let frame = unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(at), len) };
                let r = f(frame);
                if self.left == 0 {
                    self.release();
                }
                return Some(r);
            }
        }
    }

    /// Moves to the next frame: its offset in the mapping and length (`None`: a frame
    /// that does not fit its block, skipped); `None` when no block is ready.
    fn advance(&mut self) -> Option<(usize, Option<usize>)> {
        if self.left == 0 {
            if self.block_status(self.block) & libc::TP_STATUS_USER == 0 {
                return None;
            }
            let d = self.desc(self.block);
            // SAFETY: the block is ours (status USER) until we give it back; its header
            // is plain data inside the mapping.
            let (num, first) = unsafe {
                let h = std::ptr::addr_of!((*d).hdr.bh1).read();
                (h.num_pkts, h.offset_to_first_pkt as usize)
            };
            if num == 0 {
                self.release();
                return Some((0, None));
            }
            self.left = num;
            self.next = first;
        }
        let block = BLOCK_SIZE as usize;
        let start = self.block * block;
        let at = self.next;
        // A frame header that would not fit its block means the ring is not what we
        // think: give the block back rather than read outside it.
        if at + size_of::<libc::tpacket3_hdr>() > block {
            self.release();
            return Some((0, None));
        }
        // SAFETY: checked above to lie inside the block, which is ours.
        let hdr = unsafe {
            self.map
                .as_ptr()
                .add(start + at)
                .cast::<libc::tpacket3_hdr>()
                .read_unaligned()
        };
        let (mac, snap) = (usize::from(hdr.tp_mac), hdr.tp_snaplen as usize);
        self.left -= 1;
        self.next = at + hdr.tp_next_offset as usize;
        if at + mac + snap > block {
            if self.left == 0 {
                self.release();
            }
            return Some((0, None));
        }
        Some((start + at + mac, Some(snap)))
    }

    /// Gives the current block back to the kernel and moves to the next.
    fn release(&mut self) {
        std::sync::atomic::fence(std::sync::atomic::Ordering::Release);
        // SAFETY: the descriptor is inside the mapping; writing KERNEL hands it back.
        unsafe {
            std::ptr::addr_of_mut!((*self.desc(self.block)).hdr.bh1.block_status)
                .write_volatile(libc::TP_STATUS_KERNEL);
        }
        self.left = 0;
        self.next = 0;
        self.block = (self.block + 1) % BLOCK_COUNT as usize;
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmapping the mapping made in open, once.
        unsafe {
            libc::munmap(self.map.as_ptr().cast(), Self::len());
        }
    }
}

/// Frames the kernel dropped because the ring was full since the last call (reading
/// the statistics resets them).
pub(super) fn drops(fd: BorrowedFd<'_>) -> io::Result<u64> {
    // SAFETY: plain data; all-zero is a valid value.
    let mut st: libc::tpacket_stats_v3 = unsafe { std::mem::zeroed() };
    let mut len = size_of::<libc::tpacket_stats_v3>() as libc::socklen_t;
    // SAFETY: the pointer and length describe `st`, alive for the call.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_STATISTICS,
            (&mut st as *mut libc::tpacket_stats_v3).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(u64::from(st.tp_drops))
}

/// Sets a `SOL_PACKET` option to `value`.
pub(super) fn setsockopt<T>(fd: BorrowedFd<'_>, name: libc::c_int, value: &T) -> io::Result<()> {
    // SAFETY: the pointer and length describe `value`, alive for the call.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            name,
            (value as *const T).cast(),
            size_of::<T>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
