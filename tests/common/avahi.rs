//! A real mDNS responder for lab tests: avahi-daemon in one host namespace, with its own
//! config, /run and services directory (bound over /etc/avahi/services in a private mount
//! namespace), killed by PID and its files removed on drop.

use super::Lab;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether avahi-daemon is installed (tests/deps.sh installs it).
pub fn available() -> bool {
    ["/usr/sbin/avahi-daemon", "/sbin/avahi-daemon"]
        .iter()
        .any(|p| std::path::Path::new(p).exists())
}

/// One running avahi-daemon.
pub struct Avahi {
    child: Child,
    dir: PathBuf,
}

impl Avahi {
    /// Starts avahi in `ns` as `host_name`.local, publishing a DNS-SD service of each
    /// `(type, port)` (e.g. `("_ssh._tcp", 22)`); returns once it is up.
    pub fn start(lab: &Lab, ns: &str, host_name: &str, services: &[(&str, u16)]) -> Avahi {
        let dir = std::env::temp_dir().join(format!("v6t-{}-avahi-{host_name}", lab.runid));
        std::fs::create_dir_all(dir.join("run/avahi-daemon")).unwrap();
        std::fs::create_dir_all(dir.join("services")).unwrap();
        for (i, (t, port)) in services.iter().enumerate() {
            std::fs::write(
                dir.join(format!("services/s{i}.service")),
                format!(
                    "<?xml version=\"1.0\" standalone='no'?>\n<service-group>\n\
                     <name>{host_name} {i}</name>\n<service><type>{t}</type>\
                     <port>{port}</port></service>\n</service-group>\n"
                ),
            )
            .unwrap();
        }
        let conf = dir.join("avahi.conf");
        std::fs::write(
            &conf,
            format!(
                "[server]\nhost-name={host_name}\ndomain-name=local\nuse-ipv4=no\nuse-ipv6=yes\n\
                 allow-interfaces=eth0\nenable-dbus=no\n[wide-area]\nenable-wide-area=no\n\
                 [publish]\npublish-hinfo=no\npublish-workstation=no\n"
            ),
        )
        .unwrap();
        // avahi keeps its pid file in /run/avahi-daemon and reads services from
        // /etc/avahi/services: both private to this namespace's mount namespace.
        let script = format!(
            "mount --bind {run} /run && mount --bind {svc} /etc/avahi/services && \
             exec avahi-daemon -f {conf} --no-drop-root --no-chroot --no-rlimits --no-proc-title",
            run = dir.join("run").display(),
            svc = dir.join("services").display(),
            conf = conf.display()
        );
        let log = std::fs::File::create(dir.join("log")).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", ns, "unshare", "-m", "sh", "-c", &script])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let a = Avahi { child, dir };
        a.wait_ready(services.len());
        a
    }

    fn wait_ready(&self, services: usize) {
        let t0 = Instant::now();
        loop {
            let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
            let established = log.matches("successfully established").count();
            if log.contains("Server startup complete") && established >= services {
                return;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(15),
                "avahi-daemon did not start:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Avahi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
