//! `farm`: N emulated IPv6 hosts behind one veth end, for scale tests and benches
//! (tests/farm.rs, bench/farm.sh).
//!
//! ```text
//! farm --dev IFACE --hosts N --seed S [--profiles linux=60,windows=20,...]
//!      [--prefix 2001:db8:f::/64] [--jitter-ms 4] [--loss 30] [--forge RATE]
//!      --truth FILE [--stats FILE]
//! ```
//!
//! Runs in a namespace whose kernel IPv6 is off on `IFACE` (so the kernel neither answers
//! nor keeps neighbour entries there) and speaks for every host through one `AF_PACKET`
//! socket. Each host has a MAC drawn from the seed (60 % vendor OUIs, 40 % random locally
//! administered ones), its EUI-64 link-local address and, for every other host, an
//! address in `--prefix` (EUI-64 or a random interface ID), and a profile dealt from
//! `--profiles` in exact proportions:
//!
//! | profile | ff02::1 echo | unicast echo | probe behind an unknown option (0x80) | NS | MLD query | other |
//! |---|---|---|---|---|---|---|
//! | linux | reply | reply | Parameter Problem 2, quoting the packet from its IPv6 header | NA | MLDv2 report | resolves the scanner first |
//! | windows | – | reply | as linux | NA | report | |
//! | lwip | reply | reply | quoting the IPv6 header + 8 bytes, hop limit 255 | NA | report | |
//! | smoltcp | reply | reply | as linux | NA | – | |
//! | bsd | reply | reply | as linux | NA | report | Node Information replies (addresses, name) |
//! | dozing | – | reply | – (every multicast packet with an extension header dropped) | NA | – (router alert) | |
//! | wifi | reply | reply | as linux | NA | report | loses `--loss` % of incoming multicast, a sixth of that of unicast |
//! | late | reply | reply | as linux | NA | report | what answers multicast leaves 100–300 ms late (its DTIM) |
//! | silent | – | – | – | NA | – | |
//!
//! Answers go from the host's address of the probe source's scope (a host without a
//! global address does not answer a global source: it has no route back), NAs are
//! solicited with override and the target link-layer option. A *resolving* host (linux)
//! keeps its own small neighbour cache: before it sends anything unicast to an address it
//! does not know, it solicits that address (3 times, 1 s apart, like Linux) and sends
//! only once the advertisement comes; a solicitation with a source link-layer option
//! teaches it the sender. SIGUSR1 ends a run: what still waits (answers, resolutions) is
//! counted and dropped, those caches are emptied (the next run starts cold), the stats are
//! written and counting starts afresh.
//!
//! `--forge RATE`: beside its hosts, the farm forges RATE frames a second at the scanner,
//! from the scanner's first echo request from a link-local address until the run ends
//! (SIGUSR1; the next echo request starts it again): unsolicited Router Advertisements
//! (hop limit 255) from a pool of 64 link-local sources, unsolicited Neighbour
//! Advertisements of random addresses (half of them with the Router flag), Neighbour
//! Solicitations for the scanner's address from a pool of 64 sources, Echo Replies and
//! Parameter Problems for the scanner's latest echo request with its cookie changed,
//! and Router and Neighbour Advertisements with a wrong checksum. Every one goes to the
//! scanner's MAC only; forged MACs are `02:f0:…` and forged addresses have the interface
//! ID `f0:KIND:…` (the wrong checksums `f0:bad:…`), a range no host draws from. See
//! `farm/forge.rs`.
//!
//! Timing: every answer gets its own moment (uniform within `--jitter-ms` of the frame
//! that asked, plus the late profile's delay; MLD reports within the query's maximum
//! response delay) on one timer heap; due answers are built in place into a send batch
//! and leave by `sendmmsg`.
//!
//! Files: `--truth` (written before the ready line) has one JSON line per host:
//! `{"mac","profile","silent","findable","addresses","loss_pct","late_ms"}` — `silent`:
//! ignores multicast echo (as the lab manifest's field); `findable`: a multicast probe
//! (echo, the unknown-option probe, an MLD query) reaches it. Then `farm ready` on stdout.
//! `--stats` (on SIGUSR1 and at exit: the counters since the previous SIGUSR1, with
//! `generation`, how many SIGUSR1 came, and `interval_s`) is one JSON object: frames
//! received and sent, send errors, answers more than 5 ms late and the latest, lossy and
//! ignored frames, answers dropped unresolved, answers still queued at the end, the
//! largest timer queue, the socket's kernel drops, the time spent sending and the frames
//! per second that gives; with `--forge`, what was forged, by kind (`forged_ra`,
//! `forged_na`, `forged_na_router`, `forged_ns`, `forged_echo`, `forged_param_problem`,
//! `forged_bad_checksum`) and what a stall made it skip (`forge_skipped`).
#![cfg(target_os = "linux")]

#[path = "farm/forge.rs"]
mod forge;
#[path = "farm/hosts.rs"]
mod hosts;
#[path = "farm/io.rs"]
mod io;
#[path = "farm/react.rs"]
mod react;
#[path = "farm/wire.rs"]
mod wire;

use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use forge::{ForgeStats, Forger};
use hosts::Profile;
use react::{Farm, Stats, Timing};

const DEFAULT_PROFILES: &str =
    "linux=50,windows=20,lwip=5,smoltcp=5,bsd=5,dozing=5,wifi=5,late=3,silent=2";

/// Command-line options.
struct Args {
    dev: String,
    hosts: usize,
    seed: u64,
    mix: Vec<(Profile, u32)>,
    prefix: [u8; 8],
    jitter_ms: u64,
    loss_pct: u32,
    forge: Option<u64>,
    truth: PathBuf,
    stats: Option<PathBuf>,
}

fn usage() -> &'static str {
    "usage: farm --dev IFACE --hosts N --seed S [--profiles linux=60,windows=20,...] \
     [--prefix 2001:db8:f::/64] [--jitter-ms 4] [--loss 30] [--forge RATE] \
     --truth FILE [--stats FILE]"
}

fn parse_prefix(s: &str) -> Result<[u8; 8]> {
    let (a, len) = s.split_once('/').unwrap_or((s, "64"));
    if len != "64" {
        bail!("--prefix {s}: only a /64");
    }
    let a: Ipv6Addr = a.parse().with_context(|| format!("bad prefix {s:?}"))?;
    let mut p = [0u8; 8];
    p.copy_from_slice(&a.octets()[..8]);
    Ok(p)
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        dev: String::new(),
        hosts: 0,
        seed: 1,
        mix: hosts::parse_mix(DEFAULT_PROFILES).map_err(anyhow::Error::msg)?,
        prefix: parse_prefix("2001:db8:f::/64")?,
        jitter_ms: 4,
        loss_pct: 30,
        forge: None,
        truth: PathBuf::new(),
        stats: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let v = match arg.as_str() {
            "-h" | "--help" => {
                println!("{}", usage());
                std::process::exit(0);
            }
            _ => it
                .next()
                .with_context(|| format!("{arg} needs a value\n{}", usage()))?,
        };
        let num = |v: &str| v.parse::<u64>().with_context(|| format!("{arg} {v:?}"));
        match arg.as_str() {
            "--dev" => a.dev = v,
            "--hosts" => a.hosts = num(&v)? as usize,
            "--seed" => a.seed = num(&v)?,
            "--profiles" => a.mix = hosts::parse_mix(&v).map_err(anyhow::Error::msg)?,
            "--prefix" => a.prefix = parse_prefix(&v)?,
            "--jitter-ms" => a.jitter_ms = num(&v)?,
            "--loss" => a.loss_pct = num(&v)?.min(100) as u32,
            "--forge" => a.forge = Some(num(&v)?).filter(|&r| r > 0),
            "--truth" => a.truth = v.into(),
            "--stats" => a.stats = Some(v.into()),
            other => bail!("unknown argument {other:?}\n{}", usage()),
        }
    }
    if a.dev.is_empty() || a.hosts == 0 || a.truth.as_os_str().is_empty() {
        bail!("{}", usage());
    }
    Ok(a)
}

/// Writes `text` to `path` whole or not at all (a reader never sees half a file).
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("rename to {}", path.display()))
}

/// The stats file: the counters (the forger's too, when forging), the signal generation,
/// and the send rate.
fn write_stats(
    path: Option<&Path>,
    stats: &Stats,
    forged: Option<&ForgeStats>,
    generation: u64,
    interval: Duration,
) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let busy = stats.wire.tx_busy_ns as f64 / 1e9;
    let mut v = serde_json::to_value(stats)?;
    if let (Some(f), Some(obj)) = (forged, v.as_object_mut()) {
        if let serde_json::Value::Object(f) = serde_json::to_value(f)? {
            obj.extend(f);
        }
    }
    v["generation"] = generation.into();
    v["interval_s"] = interval.as_secs_f64().into();
    v["tx_fps"] = (if busy > 0.0 {
        stats.wire.tx_frames as f64 / busy
    } else {
        0.0
    })
    .into();
    write_atomic(path, &format!("{v}\n"))
}

/// Flags the signals set: stop, and cold (forget neighbours, write stats).
struct Signals {
    stop: Arc<AtomicBool>,
    cold: Arc<AtomicBool>,
}

impl Signals {
    fn register() -> Result<Signals> {
        let s = Signals {
            stop: Arc::new(AtomicBool::new(false)),
            cold: Arc::new(AtomicBool::new(false)),
        };
        for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            signal_hook::flag::register(sig, Arc::clone(&s.stop)).context("signal handler")?;
        }
        signal_hook::flag::register(signal_hook::consts::SIGUSR1, Arc::clone(&s.cold))
            .context("signal handler")?;
        Ok(s)
    }
}

/// What speaks on the link: the hosts, and the forger when forging.
struct Link {
    farm: Farm,
    forger: Option<Forger>,
}

impl Link {
    /// Nanoseconds from `now` to the next frame due, if any.
    fn next_in(&self, now: u64) -> Option<u64> {
        let forge = self.forger.as_ref().and_then(|f| f.next_in(now));
        match (self.farm.next_in(now), forge) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn on_frame(&mut self, now: u64, frame: &[u8]) {
        if let Some(f) = &mut self.forger {
            f.sniff(now, frame);
        }
        self.farm.on_frame(now, frame);
    }

    fn run_due(&mut self, now: u64, port: &mut io::Port) {
        self.farm.run_due(now, port);
        if let Some(f) = &mut self.forger {
            f.run(now, port);
        }
    }

    /// Ends a run (SIGUSR1): the hosts go cold, the forger waits for the next scan.
    fn cold(&mut self) {
        self.farm.cold();
        if let Some(f) = &mut self.forger {
            f.cold();
        }
    }

    /// Writes the counters and starts them afresh.
    fn write_stats(
        &mut self,
        path: Option<&Path>,
        generation: u64,
        interval: Duration,
    ) -> Result<()> {
        let forged = self.forger.as_mut().map(|f| std::mem::take(&mut f.stats));
        let stats = std::mem::take(&mut self.farm.stats);
        write_stats(path, &stats, forged.as_ref(), generation, interval)
    }
}

/// Receives, answers and sends until a stop signal.
fn run(args: &Args, link: &mut Link, port: &mut io::Port, signals: &Signals) -> Result<()> {
    let start = Instant::now();
    let now = || start.elapsed().as_nanos() as u64;
    let mut generation = 0;
    let mut interval = start;
    while !signals.stop.load(Ordering::Relaxed) {
        if signals.cold.swap(false, Ordering::Relaxed) {
            link.cold();
            generation += 1;
            link.farm.stats.wire.kernel_drops += port.kernel_drops();
            link.write_stats(args.stats.as_deref(), generation, interval.elapsed())?;
            port.tx_frames = 0;
            port.tx_errors = 0;
            interval = Instant::now();
        }
        let idle = Duration::from_millis(50);
        let wait = link
            .next_in(now())
            .map_or(idle, |ns| Duration::from_nanos(ns).min(idle));
        if !wait.is_zero() {
            port.wait(wait)?;
        }
        loop {
            let n = port.recv().context("receive")?;
            for i in 0..n {
                link.on_frame(now(), port.frame(i));
            }
            if n == 0 {
                break;
            }
        }
        let t0 = Instant::now();
        link.run_due(now(), port);
        port.flush();
        let stats = &mut link.farm.stats.wire;
        stats.tx_busy_ns += t0.elapsed().as_nanos() as u64;
        stats.tx_frames = port.tx_frames;
        stats.tx_errors = port.tx_errors;
    }
    link.farm.stats.wire.kernel_drops += port.kernel_drops();
    eprintln!("farm: stopped; {:?}", link.farm.stats);
    link.write_stats(args.stats.as_deref(), generation, interval.elapsed())
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let signals = Signals::register()?;
    let mut port = io::Port::open(&args.dev).with_context(|| format!("open {}", args.dev))?;
    let hosts = hosts::population(args.hosts, args.seed, &args.mix, args.prefix);
    let truth: String = hosts
        .iter()
        .map(|h| h.truth_line(args.loss_pct) + "\n")
        .collect();
    write_atomic(&args.truth, &truth)?;
    let timing = Timing {
        jitter_ns: args.jitter_ms * 1_000_000,
        loss_pct: args.loss_pct,
    };
    let mut link = Link {
        farm: Farm::new(hosts, args.seed, timing),
        forger: args.forge.map(|rate| Forger::new(rate, args.seed)),
    };
    match args.forge {
        Some(rate) => println!(
            "farm ready: {} hosts on {}, forging {rate} frames/s once the scanner probes",
            args.hosts, args.dev
        ),
        None => println!("farm ready: {} hosts on {}", args.hosts, args.dev),
    }
    use std::io::Write as _;
    std::io::stdout().flush().context("stdout")?;
    run(&args, &mut link, &mut port, &signals)
}
