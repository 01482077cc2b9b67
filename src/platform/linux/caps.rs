//! Privilege hygiene on Linux: once every socket is open, give up every capability (and
//! the root identity of a setuid-root binary) before a single packet is parsed.
//!
//! Straight system calls through `libc` (already a dependency) rather than the `caps`
//! crate: the whole job is `prctl` twice, `setres[ug]id`, `setgroups` and one `capset`
//! with an all-empty set, which is less code to audit than a new dependency tree.

use std::io;

/// `_LINUX_CAPABILITY_VERSION_3` from `<linux/capability.h>`.
const CAP_VERSION_3: u32 = 0x2008_0522;

/// `struct __user_cap_header_struct`.
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

/// `struct __user_cap_data_struct`; version 3 uses two of them (64 capability bits).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// The process's capability sets and identity after [`drop_all`], for checks and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    /// Effective capabilities (bit N = capability N).
    pub effective: u64,
    /// Permitted capabilities.
    pub permitted: u64,
    /// Inheritable capabilities.
    pub inheritable: u64,
    /// Real, effective and saved user ids.
    pub uids: [u32; 3],
}

fn check(rc: libc::c_int, what: &str) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        let e = io::Error::last_os_error();
        Err(io::Error::new(e.kind(), format!("{what}: {e}")))
    }
}

/// Reads this process's capability sets and user ids.
pub fn current() -> io::Result<State> {
    let mut hdr = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: header and a two-element data array as capget(2) expects for version 3.
    let rc = unsafe { libc::syscall(libc::SYS_capget, &mut hdr, data.as_mut_ptr()) };
    check(rc as libc::c_int, "reading capabilities")?;
    let join = |f: fn(&CapData) -> u32| u64::from(f(&data[0])) | u64::from(f(&data[1])) << 32;
    let (mut r, mut e, mut s) = (0, 0, 0);
    // SAFETY: three valid out-pointers.
    let rc = unsafe { libc::getresuid(&mut r, &mut e, &mut s) };
    check(rc, "reading user ids")?;
    Ok(State {
        effective: join(|d| d.effective),
        permitted: join(|d| d.permitted),
        inheritable: join(|d| d.inheritable),
        uids: [r, e, s],
    })
}

/// CAP_NET_RAW's bit in a capability set.
pub const NET_RAW: u64 = 1 << 13;

/// Sets this thread's capability sets (capset(2): on Linux they are per thread).
fn set(effective: u64, permitted: u64, inheritable: u64, what: &str) -> io::Result<()> {
    let mut hdr = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    // The low and high 32 bits of each set.
    let half = |v: u64, i: u32| (v >> (32 * i)) as u32;
    let data = [0, 1].map(|i| CapData {
        effective: half(effective, i),
        permitted: half(permitted, i),
        inheritable: half(inheritable, i),
    });
    // SAFETY: header and a two-element data array as capset(2) expects for version 3.
    let rc = unsafe { libc::syscall(libc::SYS_capset, &mut hdr, data.as_ptr()) };
    check(rc as libc::c_int, what)
}

/// Drops every privilege for good: no new privileges through exec, ambient and bounding
/// capabilities cleared (the bounding set only where we may, i.e. with CAP_SETPCAP), the
/// real user and group ids taken back when running setuid root — or, as root, `user`'s
/// ids (the user who ran `sudo`) — and the effective, permitted and inheritable
/// capability sets emptied. Returns the resulting state, which it has checked.
pub fn drop_all(user: Option<(u32, u32)>) -> io::Result<State> {
    drop_keeping(user, 0)
}

/// Like [`drop_all`], except that CAP_NET_RAW, when the process has it, stays in the
/// permitted set (and the bounding set) — nothing else, and nothing effective — so
/// [`set_net_raw`] can raise it for the moment a new interface's sockets are opened.
/// The user id changes all the same (`PR_SET_KEEPCAPS` carries the one capability over).
pub fn drop_all_but_net_raw(user: Option<(u32, u32)>) -> io::Result<State> {
    drop_keeping(user, NET_RAW)
}

fn drop_keeping(user: Option<(u32, u32)>, keep: u64) -> io::Result<State> {
    // Only what the process holds can be kept.
    let keep = keep & current()?.permitted;
    // SAFETY: prctl with integer arguments only.
    unsafe {
        check(
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
            "setting no_new_privs",
        )?;
        // EINVAL on kernels without ambient capabilities: nothing to clear then.
        let _ = libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        );
        // Needs CAP_SETPCAP (root has it, a setcap'd binary does not; with no_new_privs
        // set and no exec ahead, the bounding set could not grant anything anyway).
        for cap in 0..64u32 {
            if keep & (1 << cap) != 0 {
                continue;
            }
            if libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) != 0
                && io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL)
            {
                break; // past the kernel's last capability
            }
        }
    }
    // SAFETY: plain id queries.
    let (ruid, euid, rgid) = unsafe { (libc::getuid(), libc::geteuid(), libc::getgid()) };
    let target = match user {
        Some(ids) if euid == 0 => Some(ids),
        // Setuid root: become the invoking user again.
        _ if euid == 0 && ruid != 0 => Some((ruid, rgid)),
        _ => None,
    };
    let final_uid = target.map_or(ruid, |(uid, _)| uid);
    if let Some((uid, gid)) = target {
        // Every id, and no extra groups; the kernel then also clears the capabilities
        // root had — all of them, unless KEEPCAPS keeps the permitted set for the capset
        // below to narrow down.
        // SAFETY: id-changing calls and prctl with plain integer arguments.
        unsafe {
            if keep != 0 {
                check(
                    libc::prctl(libc::PR_SET_KEEPCAPS, 1, 0, 0, 0),
                    "keeping CAP_NET_RAW",
                )?;
            }
            check(libc::setgroups(0, std::ptr::null()), "dropping groups")?;
            check(libc::setresgid(gid, gid, gid), "dropping the group id")?;
            check(libc::setresuid(uid, uid, uid), "dropping the user id")?;
            if keep != 0 {
                check(
                    libc::prctl(libc::PR_SET_KEEPCAPS, 0, 0, 0, 0),
                    "resetting keepcaps",
                )?;
            }
        }
    }
    set(0, keep, 0, "dropping capabilities")?;
    let state = current()?;
    if state.effective | state.inheritable != 0
        || state.permitted != keep
        || state.uids.iter().any(|u| *u != final_uid)
    {
        return Err(io::Error::other(
            "privileges are still held after dropping them",
        ));
    }
    Ok(state)
}

/// Raises CAP_NET_RAW into the effective set (`raised`) or lowers it again; it must be
/// in the permitted set, i.e. kept by [`drop_all_but_net_raw`]. This thread only.
pub fn set_net_raw(raised: bool) -> io::Result<()> {
    let s = current()?;
    if s.permitted & NET_RAW == 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "CAP_NET_RAW was given up",
        ));
    }
    let effective = if raised { NET_RAW } else { 0 };
    set(
        effective,
        s.permitted,
        s.inheritable,
        "switching CAP_NET_RAW",
    )
}

#[cfg(test)]
#[path = "caps_tests.rs"]
mod tests;
