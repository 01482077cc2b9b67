//! Small throwaway namespaces for CLI tests that need a usable interface but no lab:
//! `v6t-<unique>-cli` with a veth pair into a peer namespace, removed on drop.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A scanner namespace with `v0` (peer `v1` in a second namespace), deleted on drop.
pub struct Netns {
    /// The namespace v6scout runs in.
    pub name: String,
    /// The peer namespace.
    pub peer: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn sysctl(ns: &str, key: &str, value: &str) -> Result<(), String> {
    ip(&[
        "netns",
        "exec",
        ns,
        "sysctl",
        "-qw",
        &format!("{key}={value}"),
    ])
}

impl Netns {
    /// Creates the pair. `peer_ipv6`: whether the peer has IPv6 (a neighbour that can answer).
    /// Returns `None` (after printing why) when namespaces cannot be made here and the
    /// environment does not require lab tests.
    pub fn create(peer_ipv6: bool) -> Option<Netns> {
        if let Some(reason) = super::lab_unavailable() {
            super::skip_or_fail(&reason);
            return None;
        }
        let id = format!(
            "v6t-{}{}x{}",
            super::lab_tag(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let ns = Netns {
            name: format!("{id}-cli"),
            peer: format!("{id}-peer"),
        };
        if let Err(e) = ns.setup(peer_ipv6) {
            panic!("could not build the CLI test namespaces: {e}");
        }
        Some(ns)
    }

    fn setup(&self, peer_ipv6: bool) -> Result<(), String> {
        for n in [&self.name, &self.peer] {
            ip(&["netns", "add", n])?;
            ip(&["-n", n, "link", "set", "lo", "up"])?;
            sysctl(n, "net.ipv6.conf.all.accept_dad", "0")?;
            sysctl(n, "net.ipv6.conf.default.accept_dad", "0")?;
        }
        if !peer_ipv6 {
            sysctl(&self.peer, "net.ipv6.conf.all.disable_ipv6", "1")?;
            sysctl(&self.peer, "net.ipv6.conf.default.disable_ipv6", "1")?;
        }
        ip(&[
            "-n", &self.name, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns",
            &self.peer,
        ])?;
        ip(&["-n", &self.name, "link", "set", "v0", "up"])?;
        ip(&["-n", &self.peer, "link", "set", "v1", "up"])?;
        // A new veth drops everything until linkwatch gives it a real qdisc (up to ~1 s),
        // and the address is usable only once it exists: wait for both ends (bounded).
        let ready = |ns: &str, dev: &str, want_ll: bool| -> Result<bool, String> {
            let link = Command::new("ip")
                .args(["-n", ns, "-o", "link", "show", "dev", dev])
                .output()
                .map_err(|e| e.to_string())?;
            let link = String::from_utf8_lossy(&link.stdout).into_owned();
            let addr = Command::new("ip")
                .args(["-n", ns, "-6", "addr", "show", "dev", dev, "scope", "link"])
                .output()
                .map_err(|e| e.to_string())?;
            let has_ll = String::from_utf8_lossy(&addr.stdout).contains("fe80::");
            Ok(link.contains("LOWER_UP") && !link.contains("qdisc noop") && (has_ll || !want_ll))
        };
        for _ in 0..100 {
            if ready(&self.name, "v0", true)? && ready(&self.peer, "v1", peer_ipv6)? {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Err("the veth pair never became usable".into())
    }

    /// `cmd` to run inside the scanner namespace.
    pub fn command(&self, cmd: &[&str]) -> Command {
        // No test writes a real home: the inventory is off unless a test names one; and
        // a `sudo tests/run.sh` must not make every scan drop to the developer's uid.
        let mut c = Command::new("ip");
        c.env("V6SCOUT_INVENTORY", "off")
            .env_remove("SUDO_UID")
            .args(["netns", "exec", &self.name])
            .args(cmd);
        c
    }

    /// Runs `cmd` inside the scanner namespace.
    pub fn run(&self, cmd: &[&str]) -> Output {
        self.command(cmd).output().expect("ip netns exec")
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for n in [&self.name, &self.peer] {
            let _ = Command::new("ip").args(["netns", "del", n]).output();
        }
    }
}
