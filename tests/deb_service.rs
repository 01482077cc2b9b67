//! The packaged unit's command line at work: its `ExecStart=` exactly as systemd expands
//! it (the shipped /etc/default/v6scout, a temporary state directory for `%S`) runs in a
//! lab namespace as an unprivileged user holding only CAP_NET_RAW, as the unit grants
//! it, and finds the lab; traced with strace, everything it does stays inside what the
//! unit allows (socket families, system calls, files). Needs root, cargo-deb, dpkg,
//! setpriv, curl, strace and systemd-analyze (tests/deps.sh); skipped otherwise unless
//! V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) and Debian packages: Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::deb::{self, package, Package};
use common::{skip_or_fail, wait_for, Lab};
use std::collections::BTreeSet;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The unprivileged user the run becomes (nobody), standing in for the dynamic user.
const UID: u32 = 65534;

/// setpriv giving what the unit gives (checked to be what the issue asks): another user
/// (nobody, standing in for the dynamic one), no groups, no new privileges, and only the
/// unit's capabilities, ambient so they survive the exec, alone in the bounding set.
fn as_the_unit(unit: &str) -> Vec<String> {
    let one = |key: &str| {
        let v = deb::service_values(unit, key);
        assert_eq!(v.len(), 1, "{key}= {v:?}");
        v[0].clone()
    };
    assert_eq!(one("DynamicUser"), "yes");
    assert_eq!(one("StateDirectory"), "v6scout");
    assert_eq!(one("NoNewPrivileges"), "yes");
    let ambient = one("AmbientCapabilities");
    let bounding = one("CapabilityBoundingSet");
    assert_eq!(ambient, "CAP_NET_RAW");
    assert_eq!(bounding, "CAP_NET_RAW");
    let cap = |c: &str| c.trim_start_matches("CAP_").to_lowercase();
    vec![
        "setpriv".into(),
        format!("--reuid={UID}"),
        format!("--regid={UID}"),
        "--clear-groups".into(),
        "--no-new-privs".into(),
        format!("--inh-caps=-all,+{}", cap(&ambient)),
        format!("--ambient-caps=-all,+{}", cap(&ambient)),
        format!("--bounding-set=-all,+{}", cap(&bounding)),
        "--".into(),
    ]
}

/// A `StateDirectory=` stand-in: `ROOT/v6scout`, owned by the service's user, mode 0700,
/// in a root anyone may traverse (as /var/lib); removed on drop.
struct StateDir {
    root: tempfile::TempDir,
}

impl StateDir {
    fn new() -> StateDir {
        let root = tempfile::tempdir().unwrap();
        std::fs::set_permissions(root.path(), PermissionsExt::from_mode(0o755)).unwrap();
        let dir = root.path().join("v6scout");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, PermissionsExt::from_mode(0o700)).unwrap();
        std::os::unix::fs::chown(&dir, Some(UID), Some(UID)).unwrap();
        StateDir { root }
    }

    fn dir(&self) -> PathBuf {
        self.root.path().join("v6scout")
    }
}

/// The unit's command line for this package and state directory.
fn unit_command(pkg: &Package, state: &StateDir) -> Vec<String> {
    let argv = deb::exec_start(&pkg.unit(), &pkg.root, state.root.path());
    assert_eq!(argv[0], pkg.bin().display().to_string(), "{argv:?}");
    assert_eq!(argv[1], "watch", "{argv:?}");
    assert_eq!(option(&argv, "--metrics"), "[::1]:9469", "{argv:?}");
    assert_eq!(
        Path::new(option(&argv, "--inventory")),
        state.dir().join("inventory.sqlite3")
    );
    argv
}

fn option<'a>(argv: &'a [String], name: &str) -> &'a str {
    let i = argv
        .iter()
        .position(|a| a == name)
        .unwrap_or_else(|| panic!("no {name} in {argv:?}"));
    &argv[i + 1]
}

/// The environment systemd gives the command: its default PATH, the state directory and
/// the unit's variables; nothing of the test's own (no SUDO_UID, no V6SCOUT_INVENTORY).
fn unit_env(cmd: &mut Command, pkg: &Package, state: &StateDir) {
    cmd.env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("STATE_DIRECTORY", state.dir())
        .envs(deb::environment(&pkg.unit(), &pkg.root));
}

/// The service's process tree, killed on drop (panics included); its output is kept.
struct Running {
    child: Child,
    /// The v6scout process (under strace, the tracee; else the child itself).
    pid: u32,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

fn collect(mut from: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let sink = Arc::new(Mutex::new(String::new()));
    let to = Arc::clone(&sink);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            to.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    sink
}

impl Running {
    /// Starts `prefix… ARGV` in the lab's scanner namespace with the unit's environment.
    fn start(
        lab: &Lab,
        pkg: &Package,
        state: &StateDir,
        prefix: &[String],
        argv: &[String],
    ) -> Running {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &lab.scan_ns])
            .args(prefix)
            .args(argv);
        unit_env(&mut cmd, pkg, state);
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        // `ip netns exec` and setpriv exec, so the child is v6scout, or strace.
        let pid = child.id();
        Running {
            child,
            pid,
            stdout,
            stderr,
        }
    }

    fn context(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }

    /// SIGTERM to v6scout, as `systemctl stop` sends it; returns its exit status.
    fn stop(&mut self) -> Option<i32> {
        // SAFETY: kill has no memory preconditions; the pid is our own live descendant.
        unsafe { libc::kill(self.pid as libc::pid_t, libc::SIGTERM) };
        let status = wait_for(Duration::from_secs(60), "the service to stop", || {
            self.child.try_wait().unwrap()
        });
        status.code()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // SAFETY: as in `stop`; a process already gone makes kill fail harmlessly.
        unsafe { libc::kill(self.pid as libc::pid_t, libc::SIGKILL) };
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(interface, mac)` of every device of the lab.
fn lab_devices(lab: &Lab) -> BTreeSet<(String, String)> {
    lab.manifest
        .hosts
        .iter()
        .map(|h| (h.scanner_iface.clone(), h.mac.clone()))
        .collect()
}

/// The metrics endpoint's text, scraped inside the lab's namespace.
fn scrape(lab: &Lab, addr: &str) -> Option<String> {
    let url = format!("http://{addr}/metrics");
    let out = lab.exec("curl", &["-sf", "--max-time", "5", "-g", &url]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether the metrics say every lab device is up on its interface.
fn all_up(metrics: &str, devices: &BTreeSet<(String, String)>) -> bool {
    devices.iter().all(|(iface, mac)| {
        let labels = (format!("interface=\"{iface}\""), format!("mac=\"{mac}\""));
        metrics.lines().any(|l| {
            l.starts_with("v6scout_device_up{")
                && l.contains(&labels.0)
                && l.contains(&labels.1)
                && l.ends_with(" 1")
        })
    })
}

/// What the service needs that may be missing here, beyond the lab and the package.
fn tools_missing() -> Option<String> {
    for (tool, arg) in [
        ("setpriv", "--version"),
        ("curl", "--version"),
        ("strace", "-V"),
        ("systemd-analyze", "--version"),
    ] {
        let ok = Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            return Some(format!("{tool} is missing (tests/deps.sh installs it)"));
        }
    }
    None
}

#[test]
fn unit_command_line_finds_the_lab_as_an_unprivileged_user_with_cap_net_raw() {
    if let Some(why) = tools_missing() {
        return skip_or_fail(&why);
    }
    let Some(pkg) = package() else { return };
    let Some(lab) = Lab::create(4, 2) else { return };
    let state = StateDir::new();
    let argv = unit_command(pkg, &state);
    let mut svc = Running::start(&lab, pkg, &state, &as_the_unit(&pkg.unit()), &argv);
    let devices = lab_devices(&lab);
    let metrics_at = option(&argv, "--metrics").to_string();
    let metrics = wait_for(
        Duration::from_secs(90),
        "every lab device in the metrics",
        || {
            assert!(
                svc.child.try_wait().unwrap().is_none(),
                "the service ended; {}",
                svc.context()
            );
            scrape(&lab, &metrics_at).filter(|m| all_up(m, &devices))
        },
    );

    // Running as the unit runs it: another user, CAP_NET_RAW alone and not in effect
    // (watch keeps it only to open a new interface's sockets), nothing to gain.
    let st = common::proc_status(svc.pid);
    assert!(st["Name"].starts_with("v6scout"), "{st:?}");
    assert_eq!(st["Uid"], "65534\t65534\t65534\t65534");
    assert_eq!(st["CapPrm"], "0000000000002000", "{st:?}");
    assert_eq!(st["CapEff"], "0000000000000000", "{st:?}");
    assert_eq!(st["CapBnd"], "0000000000002000", "{st:?}");
    assert_eq!(st["CapAmb"], "0000000000000000", "{st:?}");
    assert_eq!(st["NoNewPrivs"], "1");

    assert_eq!(
        svc.stop(),
        Some(0),
        "SIGTERM is a clean stop; {}",
        svc.context()
    );
    // The journal's lines: every device present, and no warning (a raw-socket scan, an
    // inventory it could write).
    let out = svc.stdout.lock().unwrap().clone();
    let err = svc.stderr.lock().unwrap().clone();
    for (iface, mac) in &devices {
        assert!(
            out.lines().any(|l| l.starts_with("= ")
                && l.contains(iface.as_str())
                && l.contains(mac.as_str())),
            "{mac} on {iface} not reported present:\n{out}\n{err}\n{metrics}"
        );
    }
    assert!(!err.contains("warning") && !err.contains("note:"), "{err}");

    // Its history, read as README says (as root, by the inventory's path), lists the lab;
    // the files stay the service's own, so its next start can write them.
    let inventory = option(&argv, "--inventory");
    let out = lab.exec(
        pkg.bin().to_str().unwrap(),
        &["history", "--inventory", inventory, "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let known: BTreeSet<(String, String)> = history["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["interface"].as_str().unwrap().into(),
                d["mac"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(devices.is_subset(&known), "history lacks some: {known:?}");
    for entry in std::fs::read_dir(state.dir()).unwrap() {
        let meta = entry.as_ref().unwrap().metadata().unwrap();
        assert_eq!(
            meta.uid(),
            UID,
            "{:?} is not the service's",
            entry.unwrap().path()
        );
        assert_eq!(meta.mode() & 0o077, 0, "{:?} is readable by others", meta);
    }
}

/// What a traced run did, from strace's log.
#[derive(Debug, Default)]
struct Trace {
    /// Every system call made.
    calls: BTreeSet<String>,
    /// The address family of every socket opened.
    families: BTreeSet<String>,
    /// Paths opened for writing, created, removed or renamed.
    written: BTreeSet<String>,
    /// Paths under /proc, /sys and /dev looked at.
    kernel_files: BTreeSet<String>,
    /// Mappings made writable and executable, or made executable later.
    exec_maps: Vec<String>,
    /// Calls that made or entered a namespace.
    namespaces: Vec<String>,
}

/// The `"…"` strings among a call's arguments.
fn quoted(args: &str) -> Vec<&str> {
    args.split('"').skip(1).step_by(2).collect()
}

/// Reads strace's `-f` log from the exec of `bin` on (what setpriv did before is not
/// the service's).
fn read_trace(log: &str, bin: &str) -> Trace {
    let exec = format!("execve(\"{bin}\"");
    let start = log
        .lines()
        .position(|l| l.contains(&exec) && l.ends_with("= 0"))
        .unwrap_or_else(|| panic!("no exec of {bin} in the trace"));
    let mut t = Trace::default();
    for line in log.lines().skip(start + 1) {
        let Some((_pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        let (name, args) = if let Some(r) = rest.strip_prefix("<... ") {
            (r.split_whitespace().next().unwrap_or_default(), "")
        } else if let Some(open) = rest.find('(').filter(|_| !rest.starts_with(['+', '-'])) {
            (&rest[..open], &rest[open + 1..])
        } else {
            continue;
        };
        t.calls.insert(name.to_string());
        match name {
            "socket" if !args.is_empty() => {
                t.families.extend(args.split(',').next().map(String::from));
            }
            "open" | "openat" | "openat2" => {
                let path = quoted(args).first().copied().unwrap_or_default();
                if ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"]
                    .iter()
                    .any(|f| args.contains(f))
                {
                    t.written.insert(path.to_string());
                }
                if ["/proc", "/sys", "/dev"]
                    .iter()
                    .any(|d| path.starts_with(d))
                {
                    t.kernel_files.insert(path.to_string());
                }
            }
            "newfstatat" | "statx" | "stat" | "lstat" | "access" | "faccessat" | "faccessat2"
            | "readlink" | "readlinkat" => {
                let path = quoted(args).first().copied().unwrap_or_default();
                if ["/proc", "/sys", "/dev"]
                    .iter()
                    .any(|d| path.starts_with(d))
                {
                    t.kernel_files.insert(path.to_string());
                }
            }
            "unlink" | "unlinkat" | "rename" | "renameat" | "renameat2" | "mkdir" | "mkdirat"
            | "rmdir" | "link" | "linkat" | "symlink" | "symlinkat" | "chmod" | "fchmodat"
            | "chown" | "fchownat" | "truncate" | "mknod" | "mknodat" => {
                t.written.extend(quoted(args).into_iter().map(String::from));
            }
            "mmap" if args.contains("PROT_WRITE") && args.contains("PROT_EXEC") => {
                t.exec_maps.push(line.to_string());
            }
            "mprotect" | "pkey_mprotect" if args.contains("PROT_EXEC") => {
                t.exec_maps.push(line.to_string());
            }
            "clone" | "clone3" | "unshare" if args.contains("CLONE_NEW") => {
                t.namespaces.push(line.to_string());
            }
            "setns" => t.namespaces.push(line.to_string()),
            _ => {}
        }
    }
    t
}

/// The system calls of a `SystemCallFilter=` group (or one call), as systemd-analyze
/// lists them, nested groups expanded.
fn syscalls_of(item: &str, out: &mut BTreeSet<String>) {
    if !item.starts_with('@') {
        out.insert(item.to_string());
        return;
    }
    let text = Command::new("systemd-analyze")
        .args(["syscall-filter", item])
        .output()
        .unwrap();
    assert!(
        text.status.success(),
        "systemd-analyze syscall-filter {item}"
    );
    for entry in String::from_utf8_lossy(&text.stdout).lines().skip(1) {
        let entry = entry.trim();
        if !entry.is_empty() && !entry.starts_with('#') {
            syscalls_of(entry, out);
        }
    }
}

/// The system calls the unit's `SystemCallFilter=` lines allow: the allow-list, less
/// every `~` deny-list.
fn allowed_syscalls(unit: &str) -> BTreeSet<String> {
    let (mut allow, mut deny) = (BTreeSet::new(), BTreeSet::new());
    for value in deb::service_values(unit, "SystemCallFilter") {
        let (list, items) = match value.strip_prefix('~') {
            Some(rest) => (&mut deny, rest.to_string()),
            None => (&mut allow, value),
        };
        for item in items.split_whitespace() {
            syscalls_of(item, list);
        }
    }
    assert!(!allow.is_empty(), "the unit has no allow-list");
    allow.difference(&deny).cloned().collect()
}

/// The devices `PrivateDevices=yes` leaves in /dev.
const PRIVATE_DEVICES: [&str; 10] = [
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
    "/dev/ptmx",
    "/dev/pts/",
    "/dev/shm/",
    "/dev/mqueue/",
];

/// Whether `ProcSubset=pid` leaves `path` (under /proc) visible: process directories only.
fn in_pid_subset(path: &str) -> bool {
    let first = path
        .trim_start_matches("/proc/")
        .split('/')
        .next()
        .unwrap_or_default();
    first == "self" || first == "thread-self" || first.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn unit_restrictions_cover_everything_the_service_does() {
    if let Some(why) = tools_missing() {
        return skip_or_fail(&why);
    }
    let Some(pkg) = package() else { return };
    let Some(lab) = Lab::create(4, 2) else { return };
    let state = StateDir::new();
    let argv = unit_command(pkg, &state);
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("strace.log");
    let mut prefix: Vec<String> = ["strace", "-f", "-qq", "-s", "512", "-o"]
        .map(String::from)
        .into();
    prefix.push(log.display().to_string());
    prefix.extend(as_the_unit(&pkg.unit()));
    let mut svc = Running::start(&lab, pkg, &state, &prefix, &argv);
    // The child is strace; the service is its child.
    let tracer = svc.pid;
    svc.pid = wait_for(Duration::from_secs(30), "strace's tracee", || {
        let path = format!("/proc/{tracer}/task/{tracer}/children");
        let kids = std::fs::read_to_string(path).unwrap_or_default();
        kids.split_whitespace().next().and_then(|p| p.parse().ok())
    });
    let devices = lab_devices(&lab);
    let metrics_at = option(&argv, "--metrics").to_string();
    wait_for(
        Duration::from_secs(180),
        "every lab device in the metrics",
        || {
            assert!(
                svc.child.try_wait().unwrap().is_none(),
                "the service ended; {}",
                svc.context()
            );
            scrape(&lab, &metrics_at).filter(|m| all_up(m, &devices))
        },
    );
    assert_eq!(svc.stop(), Some(0), "{}", svc.context());

    let t = read_trace(&std::fs::read_to_string(&log).unwrap(), &argv[0]);
    let unit = pkg.unit();
    eprintln!("socket families used: {:?}", t.families);
    eprintln!("{} system calls used: {:?}", t.calls.len(), t.calls);
    eprintln!(
        "written: {:?}; kernel files: {:?}",
        t.written, t.kernel_files
    );

    // SystemCallFilter=: each call it made is allowed (a denied one would fail EPERM).
    let allowed = allowed_syscalls(&unit);
    let denied: Vec<_> = t.calls.difference(&allowed).collect();
    assert!(
        denied.is_empty(),
        "calls the unit's filter denies: {denied:?}"
    );

    // RestrictAddressFamilies=: each family it opened is allowed; the three every scan
    // needs were used (AF_INET and AF_UNIX serve the C library's name service).
    let families: BTreeSet<String> = deb::service_values(&unit, "RestrictAddressFamilies")
        .iter()
        .flat_map(|v| deb::words(v))
        .collect();
    assert!(
        t.families.is_subset(&families),
        "{:?} not in {families:?}",
        t.families
    );
    for needed in ["AF_PACKET", "AF_INET6", "AF_NETLINK"] {
        assert!(
            t.families.contains(needed),
            "{needed} unused: {:?}",
            t.families
        );
    }

    // ProtectSystem=strict, PrivateTmp=, ProtectKernelTunables=: it writes only its state
    // directory (and what /tmp and /dev/null take).
    let state_dir = format!("{}/", state.dir().display());
    let writable = [state_dir.as_str(), "/tmp/", "/var/tmp/", "/dev/null"];
    let stray: Vec<_> = t
        .written
        .iter()
        .filter(|p| !writable.iter().any(|w| p.starts_with(w)))
        .collect();
    assert!(
        stray.is_empty(),
        "writes outside the state directory: {stray:?}"
    );
    assert!(
        t.written.iter().any(|p| p.starts_with(&state_dir)),
        "no inventory written"
    );

    // ProcSubset=pid, PrivateDevices=: only process files of /proc, only the pseudo
    // devices of a private /dev.
    for path in &t.kernel_files {
        let ok = if path.starts_with("/proc/") {
            in_pid_subset(path)
        } else if path.starts_with("/dev/") {
            PRIVATE_DEVICES.iter().any(|d| path.starts_with(d))
        } else {
            path.starts_with("/sys/")
        };
        assert!(ok, "{path} is hidden from the service");
    }

    // MemoryDenyWriteExecute=, RestrictNamespaces=, LockPersonality=.
    assert!(t.exec_maps.is_empty(), "{:?}", t.exec_maps);
    assert!(t.namespaces.is_empty(), "{:?}", t.namespaces);
    assert!(!t.calls.contains("personality"));
}
