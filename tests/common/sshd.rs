//! A real OpenSSH server inside a lab namespace, with its own host key, an authorised
//! client key and config in a private temp dir; killed on drop (lab destroy kills it too).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An sshd in one lab namespace with its own keys and config in a private temp dir.
pub struct Sshd {
    child: Child,
    dir: PathBuf,
}

impl Sshd {
    /// Starts sshd in `ns`, listening on `::` port 22.
    pub fn start(ns: &str, runid: &str) -> Sshd {
        Self::start_on(ns, runid, "::")
    }

    /// Starts sshd in `ns`, listening on `listen` port 22 only.
    pub fn start_on(ns: &str, runid: &str, listen: &str) -> Sshd {
        let dir = std::env::temp_dir().join(format!("v6t-{runid}-sshd"));
        std::fs::create_dir_all(&dir).unwrap();
        // sshd refuses to start without its privilege-separation directory.
        std::fs::create_dir_all("/run/sshd").unwrap();
        for key in ["host_key", "id"] {
            let st = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", "v6scout-test", "-f"])
                .arg(dir.join(key))
                .status()
                .unwrap();
            assert!(st.success(), "ssh-keygen {key}");
        }
        std::fs::copy(dir.join("id.pub"), dir.join("authorized_keys")).unwrap();
        let d = dir.display();
        let config = format!(
            "ListenAddress {listen}\nPort 22\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n\
             PermitRootLogin prohibit-password\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile {d}/sshd.pid\n"
        );
        std::fs::write(dir.join("sshd_config"), config).unwrap();
        let log = std::fs::File::create(dir.join("sshd.log")).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", ns, "/usr/sbin/sshd", "-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .arg("-h")
            .arg(dir.join("host_key"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut sshd = Sshd { child, dir };
        let t0 = Instant::now();
        while !sshd
            .log()
            .contains(&format!("Server listening on {listen} port 22"))
        {
            if let Some(st) = sshd.child.try_wait().unwrap() {
                panic!("sshd exited ({st}): {}", sshd.log());
            }
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "sshd: {}",
                sshd.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sshd
    }

    /// What sshd logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }

    /// The client private key authorised for root.
    pub fn key(&self) -> String {
        self.dir.join("id").display().to_string()
    }

    /// True once the process has ended (reaped here).
    pub fn exited_within(&mut self, limit: Duration) -> bool {
        let t0 = Instant::now();
        while t0.elapsed() < limit {
            if self.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
