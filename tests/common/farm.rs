//! A link of many hosts: the `farm` helper (tests/helpers/farm.rs, feature `lab-helpers`)
//! on one end of a veth pair, the scanner on the other.
//!
//! [`FarmLab::create`] makes two namespaces, `v6t-<runid>-farm-scan` (the scanner: `eth0`
//! with IPv6 on, its link-local address and `2001:db8:f::1/64`) and `v6t-<runid>-farm-hosts`
//! (`farm0`, kernel IPv6 off), starts the farm there and waits for its ready line. It holds
//! the machine-wide lab lock for its lifetime; Drop stops the farm by its PID, flushes the
//! scanner's neighbour entries (every one, multicast ones too: the table is the machine's)
//! and deletes both namespaces, panics included.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::run;
use serde::Deserialize;

/// The scanner's interface in a farm lab.
pub const SCAN_IFACE: &str = "eth0";
/// The farm's /64 (the scanner is `::1` in it).
pub const PREFIX: &str = "2001:db8:f::/64";
const SCANNER_GLOBAL: &str = "2001:db8:f::1/64";
const FARM_IFACE: &str = "farm0";

/// The farm binary, when the tests were built with `--features lab-helpers` (see
/// `smol::smolhost_bin` for why the feature is checked).
pub fn farm_bin() -> Option<&'static str> {
    if cfg!(feature = "lab-helpers") {
        option_env!("CARGO_BIN_EXE_farm")
    } else {
        None
    }
}

/// One host of the farm: a line of its truth file.
#[derive(Debug, Clone, Deserialize)]
pub struct FarmHost {
    /// Its MAC (lower-case, colon separated).
    pub mac: String,
    /// Its profile (`linux`, `windows`, `lwip`, `smoltcp`, `bsd`, `dozing`, `wifi`, `late`,
    /// `silent`).
    pub profile: String,
    /// Ignores multicast echo.
    pub silent: bool,
    /// A multicast probe reaches it (not dozing, not silent).
    pub findable: bool,
    /// Its addresses, link-local first.
    pub addresses: Vec<String>,
    /// The `wifi` profile's loss of incoming multicast, in percent.
    #[serde(default)]
    pub loss_pct: u32,
    /// The `late` profile's delay, in milliseconds.
    #[serde(default)]
    pub late_ms: u32,
}

/// What farm to build.
#[derive(Debug, Clone)]
pub struct FarmSpec {
    /// How many hosts.
    pub hosts: usize,
    /// The seed of MACs, addresses, profiles and timing.
    pub seed: u64,
    /// `--profiles`, e.g. `windows=20,lwip=10`.
    pub profiles: String,
    /// `--forge RATE`: forged frames a second at the scanner while it scans.
    pub forge: Option<u32>,
}

/// A listed row (the scanner's own left out): what the farm lab tests read of a scan.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its address.
    pub addr: std::net::Ipv6Addr,
    /// Its MAC, if any.
    pub mac: Option<String>,
    /// Whether it is listed as a router.
    pub router: bool,
    /// How it was seen (`echo`, `ra`, `heard`, …).
    pub seen_by: Vec<String>,
}

/// Every row the scan `doc` lists, the scanner's own addresses left out.
pub fn rows(doc: &serde_json::Value) -> Vec<Row> {
    let mut out = Vec::new();
    let list = |v: &serde_json::Value| v.as_array().cloned().unwrap_or_default();
    for iface in list(&doc["interfaces"]) {
        for prefix in list(&iface["prefixes"]) {
            for h in list(&prefix["hosts"]) {
                if h["self"].as_bool() == Some(true) {
                    continue;
                }
                let Some(addr) = h["address"].as_str() else {
                    continue;
                };
                out.push(Row {
                    addr: super::parse_addr(addr),
                    mac: h["mac"].as_str().map(str::to_owned),
                    router: h["router"].as_bool() == Some(true),
                    seen_by: list(&h["seen_by"])
                        .iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect(),
                });
            }
        }
    }
    out
}

/// A running farm lab; torn down on drop.
pub struct FarmLab {
    /// Unique id (namespaces are `v6t-<runid>-farm-*`).
    pub runid: String,
    /// The scanner's namespace.
    pub scan_ns: String,
    /// The farm's namespace.
    pub farm_ns: String,
    /// Every host, from the truth file.
    pub truth: Vec<FarmHost>,
    /// Where the farm writes its counters.
    pub stats_path: PathBuf,
    truth_path: PathBuf,
    log_path: PathBuf,
    child: Option<Child>,
    _lock: File,
}

fn ip(args: &[&str]) -> Result<(), String> {
    run(Command::new("ip").args(args))
}

fn sysctl(ns: &str, setting: &str) -> Result<(), String> {
    ip(&["netns", "exec", ns, "sysctl", "-qw", setting])
}

impl FarmLab {
    /// Builds the lab and starts the farm. `None` (after printing why) when lab tests
    /// cannot run here; panics, after cleaning up, when building fails.
    pub fn create(spec: &FarmSpec) -> Option<FarmLab> {
        if let Some(reason) = super::lab_unavailable() {
            super::skip_or_fail(&reason);
            return None;
        }
        let Some(bin) = farm_bin() else {
            super::skip_or_fail("the farm helper is not built (run with --features lab-helpers)");
            return None;
        };
        let lock = super::lock();
        let runid = super::new_runid();
        let tmp = std::env::temp_dir();
        let mut lab = FarmLab {
            scan_ns: format!("v6t-{runid}-farm-scan"),
            farm_ns: format!("v6t-{runid}-farm-hosts"),
            truth: Vec::new(),
            stats_path: tmp.join(format!("v6t-{runid}-farm-stats.json")),
            truth_path: tmp.join(format!("v6t-{runid}-farm-truth.jsonl")),
            log_path: tmp.join(format!("v6t-{runid}-farm.log")),
            runid,
            child: None,
            _lock: lock,
        };
        // From here on, Drop removes whatever was made.
        let started = Instant::now();
        if let Err(e) = lab.setup().and_then(|()| lab.start(bin, spec)) {
            panic!("farm lab {}: {e}\nfarm log: {}", lab.runid, lab.log());
        }
        eprintln!(
            "farm lab {}: {} hosts, ready in {:.1?}",
            lab.runid,
            lab.truth.len(),
            started.elapsed()
        );
        Some(lab)
    }

    /// The two namespaces and the veth pair between them, both ends usable.
    fn setup(&self) -> Result<(), String> {
        let (scan, farm) = (self.scan_ns.as_str(), self.farm_ns.as_str());
        for ns in [scan, farm] {
            ip(&["netns", "add", ns])?;
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
        }
        sysctl(scan, "net.ipv6.conf.all.accept_dad=0")?;
        sysctl(scan, "net.ipv6.conf.default.accept_dad=0")?;
        // The kernel must never answer for a farm host, nor keep neighbours for them.
        sysctl(farm, "net.ipv6.conf.all.disable_ipv6=1")?;
        sysctl(farm, "net.ipv6.conf.default.disable_ipv6=1")?;
        ip(&[
            "-n", scan, "link", "add", SCAN_IFACE, "type", "veth", "peer", "name", FARM_IFACE,
            "netns", farm,
        ])?;
        sysctl(farm, &format!("net.ipv6.conf.{FARM_IFACE}.disable_ipv6=1"))?;
        ip(&[
            "-n",
            scan,
            "addr",
            "add",
            SCANNER_GLOBAL,
            "dev",
            SCAN_IFACE,
            "nodad",
        ])?;
        ip(&["-n", scan, "link", "set", SCAN_IFACE, "up"])?;
        ip(&["-n", farm, "link", "set", FARM_IFACE, "up"])?;
        self.wait_link()
    }

    /// Waits (bounded) until both veth ends pass frames (linkwatch has replaced the noop
    /// qdisc) and the scanner has its link-local address.
    fn wait_link(&self) -> Result<(), String> {
        let show = |args: &[&str]| -> String {
            Command::new("ip")
                .args(args)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default()
        };
        let up = |l: &str| l.contains("LOWER_UP") && !l.contains("qdisc noop");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let scan = show(&["-n", &self.scan_ns, "-o", "link", "show", "dev", SCAN_IFACE]);
            let farm = show(&["-n", &self.farm_ns, "-o", "link", "show", "dev", FARM_IFACE]);
            let ll = show(&["-n", &self.scan_ns, "-6", "addr", "show", "dev", SCAN_IFACE]);
            if up(&scan) && up(&farm) && ll.contains("fe80::") && !ll.contains("tentative") {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the veth pair never became usable:\n{scan}\n{farm}\n{ll}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the farm and waits for its ready line, then reads its truth file.
    fn start(&mut self, bin: &str, spec: &FarmSpec) -> Result<(), String> {
        let log = File::create(&self.log_path)
            .map_err(|e| format!("create {}: {e}", self.log_path.display()))?;
        let (hosts, seed) = (spec.hosts.to_string(), spec.seed.to_string());
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.farm_ns, bin, "--dev", FARM_IFACE])
            .args(["--hosts", &hosts, "--seed", &seed, "--prefix", PREFIX])
            .args(["--profiles", &spec.profiles])
            .args(
                spec.forge
                    .iter()
                    .flat_map(|r| ["--forge".to_owned(), r.to_string()]),
            )
            .arg("--truth")
            .arg(&self.truth_path)
            .arg("--stats")
            .arg(&self.stats_path);
        // `ip netns exec` execs the program, so the child's PID is the farm's.
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("start {bin}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        self.child = Some(child);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line.starts_with("farm ready") => {}
            Ok(line) => return Err(format!("unexpected farm output {line:?}")),
            Err(_) => return Err("the farm never said it was ready".into()),
        }
        let text = std::fs::read_to_string(&self.truth_path)
            .map_err(|e| format!("read {}: {e}", self.truth_path.display()))?;
        self.truth = text
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("bad truth line: {e}"))?;
        Ok(())
    }

    /// Runs `ip netns exec <scan_ns> v6scout ARGS…`.
    pub fn run_scanner(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .env("V6SCOUT_INVENTORY", "off")
            .env_remove("SUDO_UID")
            .args(["netns", "exec", &self.scan_ns, super::scanner_bin()])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("ip netns exec {}: {e}", self.scan_ns))
    }

    /// A JSON scan of the farm's link (plus `args`); it must exit 0.
    pub fn scan_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json", "-i", SCAN_IFACE];
        all.extend_from_slice(args);
        super::scan_document(&self.run_scanner(&all))
    }

    /// Cold caches for the next scan: the scanner's neighbour entries flushed, and the
    /// farm's resolving hosts forget the scanner (SIGUSR1, which also writes the stats).
    pub fn cold(&self) {
        flush_neighbours(&self.scan_ns);
        let before = self.stats_generation();
        self.signal(libc::SIGUSR1);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.stats_generation() == before {
            assert!(Instant::now() < deadline, "the farm never took SIGUSR1");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn stats_generation(&self) -> u64 {
        self.stats()
            .map_or(0, |s| s["generation"].as_u64().unwrap_or(0))
    }

    /// The farm's counters since the previous [`FarmLab::cold`] (written by the last one).
    pub fn stats(&self) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(&self.stats_path).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The farm's log (stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    fn signal(&self, sig: libc::c_int) {
        if let Some(pid) = self
            .child
            .as_ref()
            .and_then(|c| libc::pid_t::try_from(c.id()).ok())
        {
            // SAFETY: kill has no memory preconditions; pid is our own child, not yet
            // reaped, so it cannot have been reused.
            unsafe { libc::kill(pid, sig) };
        }
    }

    /// Stops the farm (SIGTERM, then SIGKILL after 5 s) and reaps it.
    fn stop(&mut self) {
        self.signal(libc::SIGTERM);
        if let Some(mut child) = self.child.take() {
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

/// Flushes every neighbour entry of namespace `ns`, multicast (NOARP) ones too.
pub fn flush_neighbours(ns: &str) {
    let _ = ip(&["-n", ns, "-6", "neigh", "flush", "all"]);
    let _ = ip(&["-n", ns, "-6", "neigh", "flush", "nud", "noarp"]);
}

impl Drop for FarmLab {
    fn drop(&mut self) {
        self.stop();
        flush_neighbours(&self.scan_ns);
        for ns in [&self.scan_ns, &self.farm_ns] {
            let _ = ip(&["netns", "del", ns]);
        }
        let _ = std::fs::remove_file(&self.truth_path);
        if std::thread::panicking() {
            eprintln!(
                "farm lab {}: log kept at {}, stats at {}",
                self.runid,
                self.log_path.display(),
                self.stats_path.display()
            );
        } else {
            let _ = std::fs::remove_file(&self.log_path);
            let _ = std::fs::remove_file(&self.stats_path);
        }
    }
}
