use super::*;

/// Runs `child` in a forked child (dropping is irreversible and process-wide) and
/// returns its exit status.
fn in_child(child: fn() -> i32) -> i32 {
    // SAFETY: the child only makes system calls and exits; it touches no locks the
    // parent's other threads could hold (no allocation after fork on success paths).
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let code = child();
        // SAFETY: leaving the forked child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status));
    libc::WEXITSTATUS(status)
}

/// Whether capset can make `effective`/`permitted` this thread's sets.
fn can_set(effective: u64, permitted: u64) -> bool {
    set(effective, permitted, 0, "test").is_ok()
}

fn no_new_privs() -> bool {
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 }
}

/// Whether a raw ICMPv6 socket can be created now (nothing is sent on it).
fn raw_socket_opens() -> bool {
    // SAFETY: socket and close with integer arguments; the fd is ours.
    unsafe {
        let fd = libc::socket(libc::AF_INET6, libc::SOCK_RAW, libc::IPPROTO_ICMPV6);
        if fd >= 0 {
            libc::close(fd);
        }
        fd >= 0
    }
}

#[test]
fn drop_all_leaves_nothing() {
    let code = in_child(|| match drop_all(None) {
        Ok(s) if s.effective == 0 && s.permitted == 0 && s.inheritable == 0 => {
            // Dropped for good: raising CAP_NET_RAW again must fail.
            if !can_set(NET_RAW, NET_RAW) && no_new_privs() && set_net_raw(true).is_err() {
                0
            } else {
                3
            }
        }
        Ok(_) => 2,
        Err(_) => 1,
    });
    assert_eq!(code, 0, "1 error, 2 caps left, 3 regained");
}

/// The keep-NET_RAW drop, then raising and lowering it; `user` as in the drop.
fn keeps_net_raw_only(user: Option<(u32, u32)>) -> i32 {
    let had = current().is_ok_and(|s| s.permitted & NET_RAW != 0);
    let s = match drop_all_but_net_raw(user) {
        Ok(s) => s,
        Err(_) => return 1,
    };
    if !had {
        // Nothing to keep: nothing kept.
        return if s.permitted | s.effective == 0 { 0 } else { 2 };
    }
    if s.effective != 0 || s.permitted != NET_RAW || s.inheritable != 0 || !no_new_privs() {
        return 2;
    }
    if user.is_some_and(|(uid, _)| s.uids != [uid; 3]) {
        return 3;
    }
    // Permitted but not effective: no raw socket until raised.
    if raw_socket_opens() {
        return 4;
    }
    if set_net_raw(true).is_err()
        || current().map(|s| s.effective).ok() != Some(NET_RAW)
        || !raw_socket_opens()
    {
        return 5;
    }
    if set_net_raw(false).is_err()
        || current().map(|s| s.effective).ok() != Some(0)
        || raw_socket_opens()
    {
        return 6;
    }
    // Nothing else can be regained (CAP_NET_ADMIN is bit 12).
    if can_set(1 << 12, NET_RAW | 1 << 12) {
        return 7;
    }
    0
}

#[test]
fn drop_all_but_net_raw_keeps_it_permitted_and_nothing_else() {
    assert_eq!(
        in_child(|| keeps_net_raw_only(None)),
        0,
        "1 error, 2 wrong sets, 3 wrong uids, 4 effective after drop, 5 cannot raise, \
         6 cannot lower, 7 another capability regained"
    );
}

/// Root switching to another user (the `sudo` case) keeps CAP_NET_RAW through
/// `setresuid`.
#[test]
fn drop_all_but_net_raw_survives_the_user_switch() {
    // SAFETY: plain id query.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIPPED: not root, no user to switch from");
        return;
    }
    assert_eq!(
        in_child(|| keeps_net_raw_only(Some((65534, 65534)))),
        0,
        "see drop_all_but_net_raw_keeps_it_permitted_and_nothing_else"
    );
}
