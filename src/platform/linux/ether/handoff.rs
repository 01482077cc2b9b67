//! Closing a packet socket that has a ring costs the closer two RCU grace periods (the
//! kernel unhooks the socket, waits, frees the ring, waits again): 20–40 ms in all, spent
//! after the scan's answer is printed and before the process can exit. [`hand_off`]
//! gives that wait to a short-lived grandchild process: it holds one more reference to
//! the socket (and, inherited, to the ring's mapping) until this process has let go of
//! its own, then exits, so the last reference, and the wait, are its.
//!
//! The grandchild runs nothing but system calls (no allocation, no lock: the parent may
//! have other threads), keeps no other descriptor open (a listening socket or a lock must
//! not outlive this process), and belongs to init once its parent, the intermediate
//! child, has exited, so nobody has a zombie to reap.

use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// Lets a grandchild process do the last close of `fd`. Returns the guard to drop once
/// this process has closed `fd` and unmapped its ring: until then the grandchild waits.
/// `None` (fork refused, no pipe): this process closes the socket itself, as usual.
pub(super) fn hand_off(fd: RawFd) -> Option<OwnedFd> {
    let mut pipe = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array it is given.
    if unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return None;
    }
    let [read_end, write_end] = pipe;
    // SAFETY: the child only makes system calls before it exits (see `hold_then_exit`).
    let child = unsafe { libc::fork() };
    if child == 0 {
        // SAFETY: fork is a system call; both branches end in _exit.
        match unsafe { libc::fork() } {
            0 => hold_then_exit(fd, read_end),
            // SAFETY: _exit ends the intermediate child at once, without running anything.
            _ => unsafe { libc::_exit(0) },
        }
    }
    // SAFETY: the read end is ours and closed once; the grandchild has its own copy.
    unsafe { libc::close(read_end) };
    // SAFETY: write_end came from pipe2 above and is owned by nobody else in this process.
    let guard = unsafe { OwnedFd::from_raw_fd(write_end) };
    if child < 0 {
        return None;
    }
    // The intermediate child exits at once: reap it so it leaves no zombie.
    let mut status = 0;
    // SAFETY: waiting for our own child, with a valid status pointer.
    while unsafe { libc::waitpid(child, &mut status, 0) } < 0
        && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
    {}
    Some(guard)
}

/// The grandchild: closes every descriptor but `fd` and the pipe's read end, waits until
/// every write end is closed (the parent's guard dropped, or the parent gone), and exits,
/// which closes `fd` for the last time.
fn hold_then_exit(fd: RawFd, read_end: RawFd) -> ! {
    let (low, high) = (fd.min(read_end), fd.max(read_end));
    close_range(0, low - 1);
    close_range(low + 1, high - 1);
    close_range(high + 1, libc::c_int::MAX);
    let mut byte = 0u8;
    loop {
        // SAFETY: reads at most one byte into a local.
        let n = unsafe { libc::read(read_end, (&mut byte as *mut u8).cast(), 1) };
        if n >= 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            break;
        }
    }
    // SAFETY: ends this process without running any of the parent's code.
    unsafe { libc::_exit(0) }
}

/// Closes descriptors `from..=to` (nothing when the range is empty).
fn close_range(from: RawFd, to: RawFd) {
    if from > to || to < 0 {
        return;
    }
    let (from, to) = (from.max(0) as libc::c_uint, to as libc::c_uint);
    // SAFETY: close_range only closes descriptors of this process.
    let rc = unsafe { libc::syscall(libc::SYS_close_range, from, to, 0) };
    if rc == 0 {
        return;
    }
    // Kernels before 5.9: close one by one, up to the descriptor limit.
    // SAFETY: plain query.
    let max = unsafe { libc::sysconf(libc::_SC_OPEN_MAX) };
    let last = if max > 0 {
        to.min(max as libc::c_uint - 1)
    } else {
        to.min(1 << 16)
    };
    for fd in from..=last {
        // SAFETY: closing a descriptor number, open or not.
        unsafe { libc::close(fd as RawFd) };
    }
}
