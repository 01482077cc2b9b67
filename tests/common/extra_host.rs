//! A host plugged into a running lab's link A: for tests of what watches the link as
//! devices come (watch, notifications).

use std::process::Command;

use super::{ip, Lab};

/// An extra host plugged into the lab's link A (with MAC `mac`) while the test runs; its
/// namespace is deleted on drop (the lab's destroy would catch it too: it is named
/// `v6t-<runid>-h90`).
pub struct ExtraHost {
    /// Its namespace.
    pub ns: String,
}

impl ExtraHost {
    /// Plugs a host with MAC `mac` into link A's bridge.
    pub fn plug(lab: &Lab, mac: &str) -> ExtraHost {
        let ns = format!("v6t-{}-h90", lab.runid);
        let sw = format!("v6t-{}-swa", lab.runid);
        ip(&["netns", "add", &ns]);
        let host = ExtraHost { ns };
        let ns = host.ns.as_str();
        let sysctl = Command::new("ip")
            .args(["netns", "exec", ns, "sysctl", "-qw"])
            .args([
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0",
                "net.ipv6.conf.all.use_tempaddr=0",
                "net.ipv6.conf.default.use_tempaddr=0",
                "net.ipv6.conf.all.accept_ra=0",
                "net.ipv6.conf.default.accept_ra=0",
            ])
            .status()
            .unwrap();
        assert!(sysctl.success());
        ip(&["-n", ns, "link", "set", "lo", "up"]);
        ip(&[
            "-n", ns, "link", "add", "eth0", "address", mac, "type", "veth", "peer", "name", "h90",
            "netns", &sw,
        ]);
        ip(&["-n", &sw, "link", "set", "h90", "master", "br0", "up"]);
        ip(&["-n", ns, "link", "set", "eth0", "up"]);
        host
    }
}

impl Drop for ExtraHost {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
    }
}
