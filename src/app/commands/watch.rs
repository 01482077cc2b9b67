//! `v6scout watch`: scan, diff against the previous scans, print the events, sleep, again.
//! The event logic is `crate::watch`; this is the loop, the signals, the clock and `--exec`.

mod follow;
mod site;

use super::signals::{install_signal_handlers, sleep_until, stopped};
use crate::app::adapters::metrics_http::{self, Snapshot};
use crate::app::adapters::notify::Notifier;
use crate::app::engine::Scanner;
use crate::config::{MetricsListen, WatchSettings};
use crate::metrics::{Metrics, MetricsConfig};
use crate::output::warnings::warn_stderr;
use crate::report::Report;
use crate::warning::Warning;
use crate::watch::render::{env_vars, human_line, json_line};
use crate::watch::{Event, EventKind, Watcher};
use anyhow::{Context, Result};
use follow::Follow;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use site::Publishing;
use std::collections::HashSet;
use std::io::Write;
use std::os::fd::AsFd;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// `HH:MM:SS` of `t` in `tz`, the local time zone; without one (it could not be
/// determined), the time in UTC as RFC 3339, which says so.
fn local_clock(t: SystemTime, tz: Option<&TimeZone>) -> String {
    match (tz, Timestamp::try_from(t)) {
        (Some(tz), Ok(ts)) => tz.to_datetime(ts).strftime("%H:%M:%S").to_string(),
        _ => humantime::format_rfc3339_seconds(t).to_string(),
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
            warn_stderr(Warning::ExecBusy {
                running: MAX_RUNNING,
                event: e.kind.name(),
            });
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
            Err(err) => warn_stderr(Warning::ExecFailed {
                why: crate::warning::io_reason(&err),
            }),
        }
    }

    /// Collects the commands that ended; says which failed.
    fn reap(&mut self) {
        self.running
            .retain_mut(|(child, kind)| match child.try_wait() {
                Ok(None) => true,
                Ok(Some(status)) => {
                    if !status.success() {
                        warn_stderr(Warning::ExecStatus {
                            event: kind,
                            status: status.to_string(),
                        });
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
pub fn run_watch(args: &WatchSettings) -> Result<ExitCode> {
    install_signal_handlers()?;
    let mut watcher = Watcher::new(args.events);
    // Every scan repeats the same warnings (an unusable interface…): say each once.
    let mut said = HashSet::new();
    let mut warn = |w: Warning| {
        if said.len() < 1000 && !said.contains(&w) {
            said.insert(w.clone());
            warn_stderr(w);
        }
    };
    // Before any socket of the scan: a refused or busy address ends watch before it probes.
    let (mut metrics, listener) = start_metrics(args)?.unzip();
    // The sockets are opened once; every privilege is dropped right after but a
    // permitted CAP_NET_RAW, raised only to open the sockets of interfaces that appear.
    let mut scanner = Scanner::open_for_watch(&args.scan, &args.inventory)?;
    // Capabilities are per thread: the server's thread starts only now, so it holds none.
    if let (Some((_, snap)), Some(l)) = (&metrics, listener) {
        metrics_http::serve(l, snap.clone())?;
    }
    let mut exec = args.exec.clone().map(Exec::new);
    // Its threads too start without privileges.
    let notifier = Notifier::start(&args.notify)?;
    let mut publishing = (args.mqtt.as_ref())
        .map(|m| Publishing::start(m, args.events.gone_after))
        .transpose()?;
    let started = Instant::now();
    let mut events = 0u64;
    let stdout = std::io::stdout();
    let mut follow = Follow::new(&args.scan.interfaces);
    while !stopped() {
        let t0 = Instant::now();
        let mut round = follow.step(&mut scanner, SystemTime::now(), &mut warn)?;
        let mut warnings = Vec::new();
        let report = scanner.scan_with(&mut |w| warnings.push(w));
        let (warnings, gone) = follow.settle(&mut scanner, warnings, SystemTime::now());
        warnings.into_iter().for_each(&mut warn);
        round.extend(watcher.observe(&report));
        round.extend(gone);
        mark_remembered(&mut round, &report, &mut scanner, &mut warn);
        // Asked each scan (jiff caches it for minutes), so a changed zone is seen.
        let tz = if args.jsonl {
            None
        } else {
            TimeZone::try_system().ok()
        };
        if let Some(p) = publishing.as_mut() {
            p.round(&report, &round, scanner.labels(), &watcher);
        }
        if let Some((m, snap)) = metrics.as_mut() {
            m.observe(&report, &round);
            m.notified(notifier.counts());
            if let Some(p) = &publishing {
                m.published(p.counts());
            }
            snap.publish(m.render());
        }
        for e in round {
            events += 1;
            let line = if args.jsonl {
                json_line(&e)
            } else {
                human_line(&e, &local_clock(e.time, tz.as_ref()))
            };
            let mut out = stdout.lock();
            writeln!(out, "{line}")
                .and_then(|()| out.flush())
                .context("writing an event")?;
            drop(out);
            if let Some(x) = exec.as_mut() {
                x.spawn(&e);
            }
            notifier.offer(&e);
        }
        if let Some(x) = exec.as_mut() {
            x.reap();
        }
        scanner.remember(&report, &mut warn);
        sleep_until(t0 + args.interval);
    }
    if let Some(x) = exec.as_mut() {
        x.finish(Duration::from_secs(2));
        if x.skipped > 0 {
            warn_stderr(Warning::ExecSkipped { events: x.skipped });
        }
    }
    notifier.finish(Duration::from_secs(2));
    if let Some(p) = publishing {
        p.finish(Duration::from_secs(2));
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

/// Known (labelled) or not, new or returning, as the inventory knew it before this round:
/// marks the events and sets when each present or appeared host was last seen.
fn mark_remembered(
    round: &mut [Event],
    report: &Report,
    scanner: &mut Scanner,
    warn: &mut dyn FnMut(Warning),
) {
    crate::watch::label_events(round, scanner.labels());
    if !scanner.memory().is_open() {
        return;
    }
    for e in round {
        e.remembered = true;
        if let (EventKind::Present | EventKind::Appeared { .. }, Some(mac)) = (e.kind, e.mac) {
            let iface_mac = report
                .interfaces
                .iter()
                .find(|i| i.name == e.interface)
                .and_then(|i| i.mac);
            e.last_seen = scanner
                .memory()
                .last_seen(&e.interface, iface_mac, mac, warn);
        }
    }
}

/// `--metrics`: refuses a wildcard address unless `--metrics-public`, binds before the
/// first scan (so a bad address is a clear error at once) and returns the listener to
/// serve on once the privileges are gone; an empty state is served until the first round
/// is done.
fn start_metrics(
    args: &WatchSettings,
) -> Result<Option<((Metrics, Snapshot), std::net::TcpListener)>> {
    let Some(listen) = args.metrics else {
        return Ok(None);
    };
    check_listen(listen)?;
    let m = Metrics::new(MetricsConfig {
        // A scraper's series stay a count it can afford, whatever the link holds.
        max_devices: args.scan.max_hosts,
        forget_after: u64::from(args.events.forget_after),
    });
    let snap = Snapshot::default();
    snap.publish(m.render());
    let listener = metrics_http::bind(listen.addr)?;
    Ok(Some(((m, snap), listener)))
}

/// A wildcard address only with `--metrics-public`.
fn check_listen(listen: MetricsListen) -> Result<()> {
    if listen.addr.ip().is_unspecified() && !listen.public {
        anyhow::bail!(
            "--metrics {}: a wildcard address serves every network; use a specific address \
             such as [::1]:{} or add --metrics-public",
            listen.addr,
            listen.addr.port()
        );
    }
    Ok(())
}

fn plural(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
