//! `v6scout watch`: scan, diff against the previous scans, print the events, sleep, again.
//! The event logic is `crate::watch`; this is the loop, the signals, the clock and `--exec`.

use super::scan::warn_stderr;
use super::Scanner;
use crate::cli::WatchArgs;
use crate::watch::render::{env_vars, human_line, json_line};
use crate::watch::{Event, WatchConfig, Watcher};
use anyhow::{Context, Result};
use std::collections::HashSet;
use std::io::Write;
use std::os::fd::AsFd;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// Set by SIGINT/SIGTERM; the loop ends at the next check.
static STOP: AtomicBool = AtomicBool::new(false);

/// SIGINT and SIGTERM set `STOP`. signal-hook installs its handler with SA_RESTART, so
/// blocking calls are not broken off with EINTR (the probe loop copes with EINTR anyway).
fn install_signal_handlers() -> Result<()> {
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, &STOP).context("installing the Ctrl-C handler")?;
    }
    Ok(())
}

fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Sleeps until `deadline`, waking early when a signal asks to stop.
fn sleep_until(deadline: Instant) {
    while !stopped() {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
    }
}

/// `HH:MM:SS` in local time.
fn local_clock(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let tt = libc::time_t::try_from(secs).unwrap_or(0);
    // SAFETY: localtime_r writes only into `tm`, which lives for the call; a zeroed tm is
    // a valid value of the type.
    let ok = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&tt, &mut tm).is_null() {
            None
        } else {
            Some((tm.tm_hour, tm.tm_min, tm.tm_sec))
        }
    };
    match ok {
        Some((h, m, s)) => format!("{h:02}:{m:02}:{s:02}"),
        None => humantime::format_rfc3339_seconds(t).to_string(),
    }
}

/// At most this many `--exec` commands run at once; events beyond are not run (counted).
const MAX_RUNNING: usize = 32;

/// Runs `--exec` commands in the background and reaps them.
struct Exec {
    cmd: String,
    running: Vec<(Child, &'static str)>,
    skipped: u64,
}

impl Exec {
    fn new(cmd: String) -> Self {
        Exec {
            cmd,
            running: Vec::new(),
            skipped: 0,
        }
    }

    /// Starts `sh -c CMD` with the event in its environment: the data never reaches the
    /// shell's command line, so nothing in it can be interpreted as shell syntax.
    fn spawn(&mut self, e: &Event) {
        self.reap();
        if self.running.len() >= MAX_RUNNING {
            self.skipped += 1;
            warn_stderr(format!(
                "--exec: {MAX_RUNNING} commands still running; not run for this {} event",
                e.kind.name()
            ));
            return;
        }
        // Their output must not mix with the event stream on stdout.
        let out = std::io::stderr()
            .as_fd()
            .try_clone_to_owned()
            .map_or_else(|_| Stdio::null(), Stdio::from);
        let child = Command::new("sh")
            .arg("-c")
            .arg(&self.cmd)
            .envs(env_vars(e))
            .stdin(Stdio::null())
            .stdout(out)
            .spawn();
        match child {
            Ok(c) => self.running.push((c, e.kind.name())),
            Err(err) => warn_stderr(format!("--exec: cannot run sh: {err}")),
        }
    }

    /// Collects the commands that ended; says which failed.
    fn reap(&mut self) {
        self.running
            .retain_mut(|(child, kind)| match child.try_wait() {
                Ok(None) => true,
                Ok(Some(status)) => {
                    if !status.success() {
                        warn_stderr(format!("--exec: command for a {kind} event: {status}"));
                    }
                    false
                }
                Err(_) => false,
            });
    }

    /// Gives the commands still running up to `grace` to finish; leaves the rest running.
    fn finish(&mut self, grace: Duration) {
        let deadline = Instant::now() + grace;
        loop {
            self.reap();
            if self.running.is_empty() || Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Runs `v6scout watch` until Ctrl-C/SIGTERM (status 0) or the first scan fails.
pub fn run_watch(args: &WatchArgs) -> Result<ExitCode> {
    install_signal_handlers()?;
    let scan_args = args.scan_args();
    let mut watcher = Watcher::new(WatchConfig {
        gone_after: args.gone_after,
        forget_after: args.forget_after,
        max_tracked: args.probe.max_hosts as usize,
    });
    // Every scan repeats the same warnings (an unusable interface…): say each once.
    let mut said = HashSet::new();
    let mut warn = |m: String| {
        if said.len() < 1000 && said.insert(m.clone()) {
            warn_stderr(m);
        }
    };
    // The sockets are opened once: privileges are dropped right after.
    let mut scanner = Scanner::open(&scan_args)?;
    let mut exec = args.exec.clone().map(Exec::new);
    let started = Instant::now();
    let mut events = 0u64;
    let stdout = std::io::stdout();
    while !stopped() {
        let t0 = Instant::now();
        let report = scanner.scan_with(&mut warn);
        for e in watcher.observe(&report) {
            events += 1;
            let line = if args.jsonl {
                json_line(&e)
            } else {
                human_line(&e, &local_clock(e.time))
            };
            let mut out = stdout.lock();
            writeln!(out, "{line}")
                .and_then(|()| out.flush())
                .context("writing an event")?;
            drop(out);
            if let Some(x) = exec.as_mut() {
                x.spawn(&e);
            }
        }
        if let Some(x) = exec.as_mut() {
            x.reap();
        }
        sleep_until(t0 + args.interval);
    }
    if let Some(x) = exec.as_mut() {
        x.finish(Duration::from_secs(2));
        if x.skipped > 0 {
            warn_stderr(format!(
                "--exec: {} events had no command run (too many running)",
                x.skipped
            ));
        }
    }
    crate::say!(
        "v6scout: watched {} in {}: {}, {} present",
        plural(watcher.scans(), "scan"),
        humantime::format_duration(Duration::from_secs(started.elapsed().as_secs())),
        plural(events, "event"),
        plural(watcher.present() as u64, "host")
    );
    Ok(ExitCode::SUCCESS)
}

fn plural(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
