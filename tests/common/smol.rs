//! smoltcp hosts on a lab link: the `smolhost` helper (tests/helpers/smolhost.rs, feature
//! `lab-helpers`) on a tap device that is a port of link A's bridge.
//!
//! The tap lives in the bridge's namespace (`v6t-<runid>-swa`) with the kernel's IPv6
//! turned off on it, so only smoltcp ever answers for the host. Drop stops the helper by
//! its PID and deletes the tap, panics included; the borrow of the [`Lab`] makes a
//! `SmolHost` end before its lab does.
//!
//! MLD snooping: a freshly started smoltcp host's report for its solicited-node groups is
//! not a join a snooping bridge acts on, so with `--snooping` the bridge does not deliver
//! solicited-node multicast to the tap port. The fixture deliberately does nothing about
//! it (no `mcast_router`, no static mdb entry, no flooding flag on the port): a real
//! managed switch would not either, and v6scout has to find such a host anyway.

use super::run;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::Lab;

/// The smolhost binary, when the tests were built with `--features lab-helpers`. (Cargo
/// sets `CARGO_BIN_EXE_smolhost` without the feature too, naming a binary it did not
/// build, possibly a stale one from an earlier build: hence the feature check.)
pub fn smolhost_bin() -> Option<&'static str> {
    if cfg!(feature = "lab-helpers") {
        option_env!("CARGO_BIN_EXE_smolhost")
    } else {
        None
    }
}

/// What one smoltcp host is.
#[derive(Debug, Clone)]
pub struct SmolSpec {
    /// Its MAC (lower-case, colon separated).
    pub mac: String,
    /// Whether smoltcp's echo responder is on.
    pub echo: bool,
    /// Global addresses beside the EUI-64 link-local (each a /64).
    pub globals: Vec<String>,
}

/// A running smoltcp host on link A of a lab.
pub struct SmolHost<'lab> {
    lab: &'lab Lab,
    /// Namespace of link A's bridge, where the tap is.
    pub bridge_ns: String,
    /// The tap device's name there.
    pub tap: String,
    /// What it was started as.
    pub spec: SmolSpec,
    /// Its modified EUI-64 link-local address.
    pub link_local: std::net::Ipv6Addr,
    /// Where the helper's stderr goes (`--log`: every frame in and out, as hex).
    pub log_path: PathBuf,
    child: Option<Child>,
}

/// The modified EUI-64 link-local address of `mac`.
pub fn eui64_link_local(mac: &str) -> std::net::Ipv6Addr {
    let b: Vec<u8> = mac
        .split(':')
        .map(|p| u8::from_str_radix(p, 16).unwrap_or_else(|e| panic!("bad MAC {mac}: {e}")))
        .collect();
    assert_eq!(b.len(), 6, "bad MAC {mac}");
    std::net::Ipv6Addr::from([
        0xfe,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        b[0] ^ 2,
        b[1],
        b[2],
        0xff,
        0xfe,
        b[3],
        b[4],
        b[5],
    ])
}

impl<'lab> SmolHost<'lab> {
    /// Starts a smoltcp host on link A of `lab`; panics (after cleaning up) if it cannot.
    /// Callers check [`smolhost_bin`] first.
    pub fn start(lab: &'lab Lab, spec: SmolSpec) -> SmolHost<'lab> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let bin = smolhost_bin().unwrap_or_else(|| {
            panic!("smolhost not built: run the tests with --features lab-helpers")
        });
        let bridge_ns = format!("v6t-{}-swa", lab.runid);
        let tap = format!("smol{}", COUNTER.fetch_add(1, Ordering::Relaxed));
        let log_path = std::env::temp_dir().join(format!("v6t-{}-smolhost-{tap}.log", lab.runid));
        let mut host = SmolHost {
            lab,
            link_local: eui64_link_local(&spec.mac),
            bridge_ns,
            tap,
            spec,
            log_path,
            child: None,
        };
        // From here on, Drop removes whatever was made.
        if let Err(e) = host.setup(bin) {
            panic!("smoltcp host {}: {e}", host.spec.mac);
        }
        host
    }

    fn setup(&mut self, bin: &str) -> Result<(), String> {
        let (ns, tap) = (self.bridge_ns.as_str(), self.tap.as_str());
        run(Command::new("ip").args(["-n", ns, "tuntap", "add", "dev", tap, "mode", "tap"]))?;
        // The kernel must never answer for this port (it would as a second host).
        run(Command::new("ip").args([
            "netns",
            "exec",
            ns,
            "sysctl",
            "-qw",
            &format!("net.ipv6.conf.{tap}.disable_ipv6=1"),
        ]))?;
        run(Command::new("ip").args(["-n", ns, "link", "set", tap, "master", "br0", "up"]))?;
        let log = File::create(&self.log_path)
            .map_err(|e| format!("create {}: {e}", self.log_path.display()))?;
        let mut cmd = Command::new("ip");
        cmd.args([
            "netns",
            "exec",
            ns,
            bin,
            "--tap",
            tap,
            "--mac",
            &self.spec.mac,
            "--log",
        ]);
        if !self.spec.echo {
            cmd.arg("--no-echo");
        }
        for g in &self.spec.globals {
            cmd.args(["--global", g]);
        }
        // `ip netns exec` execs the program, so the child's PID is smolhost's.
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("start {bin}: {e}"))?;
        self.child = Some(child);
        self.wait_ready()
    }

    /// Waits until the helper has the tap open (carrier on) and the port forwards.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!("smolhost exited ({status}): {}", self.log()));
                }
            }
            let out = Command::new("ip")
                .args([
                    "-n",
                    &self.bridge_ns,
                    "-o",
                    "link",
                    "show",
                    "dev",
                    &self.tap,
                ])
                .output()
                .map_err(|e| format!("ip link show: {e}"))?;
            let line = String::from_utf8_lossy(&out.stdout);
            // Carrier changes go through linkwatch (up to 1 s late): until then the qdisc
            // is noop and the port drops everything (as lab.sh waits for its veths).
            if out.status.success()
                && line.contains("LOWER_UP")
                && !line.contains("NO-CARRIER")
                && !line.contains("qdisc noop")
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("tap never came up: {line}\n{}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The helper's log so far (every frame in and out).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The lab it is on.
    pub fn lab(&self) -> &'lab Lab {
        self.lab
    }
}

impl Drop for SmolHost<'_> {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Ok(pid) = libc::pid_t::try_from(child.id()) {
                // SAFETY: kill has no memory preconditions; pid is our own child, not yet
                // reaped, so it cannot have been reused.
                unsafe { libc::kill(pid, libc::SIGTERM) };
            }
            let deadline = Instant::now() + Duration::from_secs(2);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
        let _ = run(Command::new("ip").args(["-n", &self.bridge_ns, "link", "del", &self.tap]));
        if std::thread::panicking() {
            eprintln!(
                "smolhost {} ({}) log kept at {}",
                self.spec.mac,
                self.tap,
                self.log_path.display()
            );
        } else {
            let _ = std::fs::remove_file(&self.log_path);
        }
    }
}
