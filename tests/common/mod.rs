//! Network-namespace lab for integration tests (design §5).
//!
//! `Lab::create(hosts, hosts_b)` runs `tests/lab/lab.sh create`, holds a machine-wide lock
//! for its lifetime (labs disturb each other's results, so lab tests run one at a time,
//! even across test binaries and processes) and destroys the lab on drop, panics included.
//! Without root or network namespaces it returns `None` after printing
//! `SKIPPED lab test: <reason>`, unless `V6SCOUT_REQUIRE_LAB=1`, then it panics.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

pub mod avahi;
pub mod broker;
pub mod deb;
pub mod extra_host;
pub mod farm;
pub mod forge;
pub mod netns;
pub mod smol;
pub mod sshd;
pub mod tls;
pub mod watch;

/// Every IPv6 neighbour entry of `eth0` in namespace `ns`, multicast (NOARP) ones
/// included: the addresses only.
pub fn neighbour_entries(ns: &str) -> std::collections::BTreeSet<String> {
    ip_in(ns, &["-6", "neigh", "show", "dev", "eth0", "nud", "all"])
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// Runs `f` on a thread that has entered the namespace `ns` (only that thread moves).
pub fn in_ns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/run/netns/{ns}");
    std::thread::spawn(move || {
        let file = std::fs::File::open(path).unwrap();
        // SAFETY: setns on an open namespace fd; it changes this thread's namespace only.
        let entered = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(entered, 0);
        f()
    })
    .join()
    .unwrap()
}

/// A child process killed (and reaped) on drop, panics included.
pub struct Killed(pub std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Fields of `/proc/<pid>/status`.
pub fn proc_status(pid: u32) -> std::collections::BTreeMap<String, String> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
}

/// `out` of `v6scout ARGS`, which must have exited with `want` (else a panic with what it
/// printed).
pub fn exited(out: Output, args: &[&str], want: i32) -> Output {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert_eq!(
        out.status.code(),
        Some(want),
        "v6scout {args:?}\nstdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// Runs `ip ARGS` and panics, with what it printed, when it fails.
pub fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `cmd`; an error says what failed and what it printed.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Runs `ip -n NS ARGS…`; it must succeed. Returns what it printed.
pub fn ip_in(ns: &str, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["-n", ns])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ip -n {ns} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The JSON document a scan printed; the scan must have exited 0.
pub fn scan_document(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("scan JSON")
}

/// Lock file shared by every lab user on the machine (tests and benchmarks).
pub const LOCK_PATH: &str = "/tmp/v6scout-lab.lock";

/// The lab description written by `lab.sh create --manifest`.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// Manifest format version (1).
    pub version: u32,
    /// The run id: every namespace is `v6t-<runid>-<role>`.
    pub runid: String,
    /// Whether the bridges do MLD snooping (then each bridge also appears as a host).
    pub snooping: bool,
    /// The scanner's namespace and interfaces.
    pub scanner: Scanner,
    /// Prefixes the router advertises.
    pub ra_prefixes: Vec<String>,
    /// Neighbour-cache entries in the scanner for addresses no host has.
    pub stale: Vec<Stale>,
    /// Every other device on the links: hosts, the router and (with snooping) the bridges.
    pub hosts: Vec<Host>,
    /// With `--ipv4`: devices with IPv6 disabled that answer only ARP.
    #[serde(default)]
    pub ipv4_only: Vec<Ipv4OnlyDevice>,
    /// Built with `--lossy` (see [`Host::loss`], [`Host::dozing`], [`Host::cached`]).
    #[serde(default)]
    pub lossy: bool,
}

/// Random loss of a Wi-Fi-like host's incoming packets (`lab.sh create --lossy`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Loss {
    /// Probability that an incoming multicast packet is dropped (0.30–0.50).
    pub multicast: f64,
    /// Probability that an incoming unicast packet is dropped (0.05).
    pub unicast: f64,
}

/// A device reachable only over IPv4 (`lab.sh create --ipv4`).
#[derive(Debug, Clone, Deserialize)]
pub struct Ipv4OnlyDevice {
    /// Its namespace.
    pub namespace: String,
    /// The scanner interface that reaches it.
    pub scanner_iface: String,
    /// Its MAC address.
    pub mac: String,
    /// Its IPv4 addresses.
    pub ipv4: Vec<String>,
}

/// The scanner's side of the lab.
#[derive(Debug, Clone, Deserialize)]
pub struct Scanner {
    /// Namespace the scanner runs in.
    pub namespace: String,
    /// `eth0` (link A) and `eth1` (link B).
    pub interfaces: Vec<ScannerIface>,
}

/// One of the scanner's interfaces.
#[derive(Debug, Clone, Deserialize)]
pub struct ScannerIface {
    /// Interface name inside the scanner namespace.
    pub name: String,
    /// `"a"` or `"b"`.
    pub link: String,
    /// Its MAC address (lower-case, colon separated).
    pub mac: String,
    /// Every IPv6 address on it (link-local included), as the kernel prints them.
    pub addresses: Vec<String>,
}

/// A stale neighbour entry planted in the scanner's cache.
#[derive(Debug, Clone, Deserialize)]
pub struct Stale {
    /// Scanner interface the entry is on.
    pub scanner_iface: String,
    /// The (nonexistent) neighbour's address.
    pub address: String,
    /// The MAC the entry claims.
    pub mac: String,
}

/// A device on one of the links.
#[derive(Debug, Clone, Deserialize)]
pub struct Host {
    /// Its namespace.
    pub namespace: String,
    /// `"host"`, `"router"` or `"switch"` (a snooping bridge's own address).
    pub role: String,
    /// `"a"` or `"b"`.
    pub link: String,
    /// The scanner interface that reaches it (`eth0` for link A, `eth1` for link B).
    pub scanner_iface: String,
    /// Its MAC address (lower-case, colon separated).
    pub mac: String,
    /// Ignores multicast echo (`echo_ignore_multicast=1`).
    pub silent: bool,
    /// Sends Router Advertisements.
    pub router: bool,
    /// Every IPv6 address it has, link-local included.
    pub addresses: Vec<String>,
    /// Its IPv4 addresses (`lab.sh create --ipv4`; empty otherwise).
    #[serde(default)]
    pub ipv4: Vec<String>,
    /// `--lossy`: Wi-Fi-like random loss of its incoming packets (`None`: a wired host).
    #[serde(default)]
    pub loss: Option<Loss>,
    /// `--lossy`: a phone in doze: drops multicast echo requests and every multicast packet
    /// with a hop-by-hop or destination-options header (NS, RA still pass). Also lossy.
    #[serde(default)]
    pub dozing: bool,
    /// `--lossy`: every address of it is in the scanner's neighbour cache as STALE with its
    /// real MAC (restored by [`Lab::cold`]). Only dozing hosts are cached.
    #[serde(default)]
    pub cached: bool,
}

impl Host {
    /// Its addresses parsed.
    pub fn addrs(&self) -> Vec<std::net::Ipv6Addr> {
        self.addresses.iter().map(|a| parse_addr(a)).collect()
    }
}

/// Parses an address from the manifest (they are written by the kernel, so always valid).
pub fn parse_addr(s: &str) -> std::net::Ipv6Addr {
    s.parse()
        .unwrap_or_else(|e| panic!("bad address {s:?} in manifest: {e}"))
}

/// A running lab; destroyed (and the lab lock released) on drop.
pub struct Lab {
    /// Unique id of this lab (namespaces are `v6t-<runid>-<role>`).
    pub runid: String,
    /// The scanner's namespace.
    pub scan_ns: String,
    /// What the lab contains.
    pub manifest: Manifest,
    /// Held for the lab's lifetime; the `flock` is released when this closes.
    _lock: File,
}

/// Path of `tests/lab/lab.sh`.
pub fn lab_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lab/lab.sh")
}

/// The built `v6scout` binary under test.
pub fn scanner_bin() -> &'static str {
    env!("CARGO_BIN_EXE_v6scout")
}

/// Prints `SKIPPED lab test: <reason>`, or panics with it when `V6SCOUT_REQUIRE_LAB=1`.
pub fn skip_or_fail(reason: &str) {
    if std::env::var_os("V6SCOUT_REQUIRE_LAB").is_some_and(|v| v == "1") {
        panic!("lab test required (V6SCOUT_REQUIRE_LAB=1) but unusable: {reason}");
    }
    eprintln!("SKIPPED lab test: {reason}");
}

/// Why namespace tests cannot run here (not root, no `ip netns`, lab.sh prerequisites
/// missing), or `None` if they can.
pub fn lab_unavailable() -> Option<String> {
    lab_unavailable_for(&[])
}

/// Like [`lab_unavailable`] for a lab made with these `lab.sh create` flags (`--lossy`
/// also needs ip6tables-legacy and its matches).
pub fn lab_unavailable_for(extra: &[&str]) -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not root (lab tests need CAP_NET_ADMIN for network namespaces)".into());
    }
    match Command::new("bash")
        .arg(lab_script())
        .arg("check")
        .args(extra)
        .output()
    {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!(
            "lab.sh check: {}{}",
            String::from_utf8_lossy(&o.stdout).trim(),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Some(format!("cannot run bash: {e}")),
    }
}

/// Polls `f` every 50 ms until it returns `Some`, or panics with `what` after `limit`: how
/// a test waits for an event (give a generous limit; a passing test never reaches it).
pub fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "no {what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Takes the machine-wide lab lock, waiting for other labs to finish.
pub fn lock() -> File {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(LOCK_PATH)
        .unwrap_or_else(|e| panic!("open {LOCK_PATH}: {e}"));
    loop {
        // SAFETY: the fd is open for the duration of the call. flock locks the open file
        // description, so two opens in one process exclude each other like two processes.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc == 0 {
            return file;
        }
        let err = std::io::Error::last_os_error();
        assert!(
            err.kind() == std::io::ErrorKind::Interrupted,
            "flock {LOCK_PATH}: {err}"
        );
    }
}

/// `V6SCOUT_LAB_TAG` (letters, digits, `_`), put in front of every run id so a caller such
/// as CI can find exactly the namespaces its own tests made.
pub fn lab_tag() -> String {
    std::env::var("V6SCOUT_LAB_TAG")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(16)
        .collect()
}

/// A run id unique on the machine: the lab tag, this process, the time and a counter.
pub fn new_runid() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}p{}n{nanos}c{n}", lab_tag(), std::process::id())
}

impl Lab {
    /// Creates a lab with `hosts` hosts on link A (plus the router) and `hosts_b` on link B.
    /// Returns `None` (after printing why) when lab tests cannot run here.
    pub fn create(hosts: usize, hosts_b: usize) -> Option<Lab> {
        Self::create_with(hosts, hosts_b, &[])
    }

    /// Like [`Lab::create`], with extra `lab.sh create` flags (e.g. `--snooping`, `--rps`).
    pub fn create_with(hosts: usize, hosts_b: usize, extra: &[&str]) -> Option<Lab> {
        if let Some(reason) = lab_unavailable_for(extra) {
            skip_or_fail(&reason);
            return None;
        }
        let lock = lock();
        let runid = new_runid();
        let manifest_path = std::env::temp_dir().join(format!("v6t-{runid}-manifest.json"));
        let started = Instant::now();
        let out = Command::new("bash")
            .arg(lab_script())
            .args(["create", &runid, "--hosts", &hosts.to_string()])
            .args(["--hosts-b", &hosts_b.to_string(), "--manifest"])
            .arg(&manifest_path)
            .args(extra)
            .output()
            .unwrap_or_else(|e| panic!("run lab.sh: {e}"));
        let text = std::fs::read_to_string(&manifest_path);
        let _ = std::fs::remove_file(&manifest_path);
        if !out.status.success() {
            destroy(&runid);
            panic!(
                "lab.sh create {runid} failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let manifest: Manifest = match text
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("bad manifest: {e}")))
        {
            Ok(m) => m,
            Err(e) => {
                destroy(&runid);
                panic!("lab {runid}: {e}");
            }
        };
        eprintln!(
            "lab {runid}: {} devices, created in {:.1?}",
            manifest.hosts.len(),
            started.elapsed()
        );
        Some(Lab {
            scan_ns: manifest.scanner.namespace.clone(),
            runid,
            manifest,
            _lock: lock,
        })
    }

    /// Cold caches for the next scan, as on a real link (`lab.sh cold`): every lab
    /// namespace's neighbour cache flushed, then the scanner's planted STALE entries put
    /// back (the manifest's `stale` ones and, with `--cached`, the cached dozing hosts').
    pub fn cold(&self) {
        let out = Command::new("bash")
            .arg(lab_script())
            .args(["cold", &self.runid])
            .output()
            .unwrap_or_else(|e| panic!("run lab.sh cold: {e}"));
        assert!(
            out.status.success(),
            "lab.sh cold {} failed ({}): {}",
            self.runid,
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs `ip netns exec <scan_ns> v6scout ARGS…` and returns its output.
    pub fn run_scanner(&self, args: &[&str]) -> Output {
        self.exec(scanner_bin(), args)
    }

    /// Runs a JSON scan of `iface` (plus `args`) in the scanner's namespace; it must
    /// exit 0.
    pub fn scan_json(&self, iface: &str, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json", "-i", iface];
        all.extend_from_slice(args);
        scan_document(&self.run_scanner(&all))
    }

    /// Runs any program inside the scanner's namespace.
    pub fn exec(&self, program: &str, args: &[&str]) -> Output {
        self.command(program, args)
            .output()
            .unwrap_or_else(|e| panic!("ip netns exec {}: {e}", self.scan_ns))
    }

    /// `ip netns exec <scan_ns> PROGRAM ARGS…`, to spawn (`ip` execs the program, so the
    /// child's pid is the program's).
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        // No test writes a real home: the inventory is off unless a test names one; and
        // a `sudo tests/run.sh` must not make every scan drop to the developer's uid.
        let mut c = Command::new("ip");
        c.env("V6SCOUT_INVENTORY", "off")
            .env_remove("SUDO_UID")
            .args(["netns", "exec", &self.scan_ns, program])
            .args(args);
        c
    }

    /// Echo requests the devices of link A have received, summed (`Icmp6InEchos`; nothing
    /// in a lab sends echo but a scan): once it grows, a scan is probing the link.
    pub fn echoes_received(&self) -> u64 {
        self.hosts_on("eth0")
            .map(|h| {
                let out = Command::new("ip")
                    .args(["netns", "exec", &h.namespace, "cat", "/proc/net/snmp6"])
                    .output()
                    .unwrap_or_else(|e| panic!("read snmp6 of {}: {e}", h.namespace));
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .find_map(|l| l.strip_prefix("Icmp6InEchos"))
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(0)
            })
            .sum()
    }

    /// The host whose namespace ends in `-NAME` (`h03`, `b01`); panics when there is none.
    pub fn host(&self, name: &str) -> &Host {
        let suffix = format!("-{name}");
        self.manifest
            .hosts
            .iter()
            .find(|h| h.namespace.ends_with(&suffix))
            .unwrap_or_else(|| panic!("no {name} in the lab"))
    }

    /// Devices on the link behind scanner interface `iface`.
    pub fn hosts_on<'a>(&'a self, iface: &'a str) -> impl Iterator<Item = &'a Host> + 'a {
        self.manifest
            .hosts
            .iter()
            .filter(move |h| h.scanner_iface == iface)
    }

    /// The scanner interface `name` from the manifest.
    pub fn scanner_iface(&self, name: &str) -> &ScannerIface {
        self.manifest
            .scanner
            .interfaces
            .iter()
            .find(|i| i.name == name)
            .unwrap_or_else(|| panic!("no scanner interface {name} in manifest"))
    }
}

fn destroy(runid: &str) {
    match Command::new("bash")
        .arg(lab_script())
        .args(["destroy", runid])
        .output()
    {
        Ok(o) if o.status.success() => {}
        Ok(o) => eprintln!(
            "lab.sh destroy {runid} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => eprintln!("lab.sh destroy {runid}: {e}"),
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        destroy(&self.runid);
    }
}
