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

/// Drops every privilege for good: no new privileges through exec, ambient and bounding
/// capabilities cleared (the bounding set only where we may, i.e. with CAP_SETPCAP), the
/// real user and group ids taken back when running setuid root — or, as root, `user`'s
/// ids (the user who ran `sudo`) — and the effective, permitted and inheritable
/// capability sets emptied. Returns the resulting state, which it has checked.
pub fn drop_all(user: Option<(u32, u32)>) -> io::Result<State> {
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
        for cap in 0..64 {
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
        // root had.
        // SAFETY: id-changing calls with plain integer arguments.
        unsafe {
            check(libc::setgroups(0, std::ptr::null()), "dropping groups")?;
            check(libc::setresgid(gid, gid, gid), "dropping the group id")?;
            check(libc::setresuid(uid, uid, uid), "dropping the user id")?;
        }
    }
    let mut hdr = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let data = [CapData::default(); 2];
    // SAFETY: header and a two-element data array as capset(2) expects for version 3.
    let rc = unsafe { libc::syscall(libc::SYS_capset, &mut hdr, data.as_ptr()) };
    check(rc as libc::c_int, "dropping capabilities")?;
    let state = current()?;
    if state.effective | state.permitted | state.inheritable != 0
        || state.uids.iter().any(|u| *u != final_uid)
    {
        return Err(io::Error::other(
            "privileges are still held after dropping them",
        ));
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `drop_all` in a forked child (it is irreversible and process-wide) and
    /// returns the state it reports, encoded in the exit status of the child.
    #[test]
    fn drop_all_leaves_nothing() {
        // SAFETY: the child only makes system calls and exits; it touches no locks the
        // parent's other threads could hold (no allocation after fork).
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            let code = match drop_all(None) {
                Ok(s) if s.effective == 0 && s.permitted == 0 && s.inheritable == 0 => {
                    // Dropped for good: raising CAP_NET_RAW again must fail.
                    let mut hdr = CapHeader {
                        version: CAP_VERSION_3,
                        pid: 0,
                    };
                    let mut data = [CapData::default(); 2];
                    data[0].effective = 1 << 13;
                    data[0].permitted = 1 << 13;
                    // SAFETY: as in drop_all.
                    let rc = unsafe { libc::syscall(libc::SYS_capset, &mut hdr, data.as_ptr()) };
                    // SAFETY: prctl with integer arguments.
                    let nnp = unsafe { libc::prctl(libc::PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) };
                    if rc != 0 && nnp == 1 {
                        0
                    } else {
                        3
                    }
                }
                Ok(_) => 2,
                Err(_) => 1,
            };
            // SAFETY: leaving the forked child without running the parent's destructors.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waiting for our own child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFEXITED(status));
        assert_eq!(
            libc::WEXITSTATUS(status),
            0,
            "1 error, 2 caps left, 3 regained"
        );
    }
}
