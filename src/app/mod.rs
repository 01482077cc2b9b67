//! The one place that wires real I/O together: it runs the chosen command and maps its
//! outcome to an exit code. Each command lives in its own submodule.

mod announced;
pub mod dualstack;
mod follow;
pub mod history;
mod links;
pub mod memory;
pub mod metrics_http;
pub mod observe;
pub mod relay;
pub mod resolve;
pub mod scan;
pub mod scanner;
pub mod sure;
mod terminal;
pub mod watch;

pub use scan::{scan_links, scan_links_with, ScanHooks, ScanObserver};
pub use scanner::{scan, Scanner};

use crate::config::{InventoryConfig, Job, OutputConfig, ScanConfig};
use crate::group::RowStream;
use crate::output::jsonl::JsonlStream;
use crate::output::{self, Format};
use anyhow::{Context, Result};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// True if an error chain ends in a closed stdout (`v6scout | head -1`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs a job; returns the exit code (0 found, 1 none, 2 error; resolve: 3 ambiguous).
pub fn run(job: &Job) -> ExitCode {
    let result = match job {
        Job::Scan {
            scan,
            output,
            inventory,
        } => run_scan(scan, output, inventory),
        Job::History(h) => history::run_history(h),
        Job::Find(find) => resolve::run_find(find),
        Job::Watch(w) => watch::run_watch(w),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            crate::say!(
                "v6scout: error: {}",
                crate::warning::strip_os_codes(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}

fn run_scan(
    cfg: &ScanConfig,
    output: &OutputConfig,
    inventory: &InventoryConfig,
) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let format = output.format(&terminal::stdout());
    let stderr = std::io::stderr();
    // A progress line only where someone watches, and only when there is time to watch.
    let progress = (stderr.is_terminal() && cfg.wait > std::time::Duration::from_secs(1))
        .then(|| observe::Progress::new(stderr));
    let mut out = stdout.lock();
    let mut scanner = Scanner::open(cfg, inventory)?;
    let report = if format == Format::Jsonl {
        let mut obs = observe::Observers {
            jsonl: Some((RowStream::default(), JsonlStream::new(&mut out))),
            progress,
        };
        let report = scanner.scan_observed(Some(&mut obs), &mut scan::warn_stderr);
        drop(obs.progress.take());
        if let Some((_, j)) = obs.jsonl.take() {
            j.finish(&report).context("writing the report")?;
        }
        report
    } else {
        let mut obs: observe::Observers<'_, std::io::Stderr> = observe::Observers {
            jsonl: None,
            progress,
        };
        let report = scanner.scan_observed(Some(&mut obs), &mut scan::warn_stderr);
        drop(obs);
        output::render(&report, format, &mut out).context("writing the report")?;
        report
    };
    out.flush().context("writing the report")?;
    // Plain output's summary is for a person watching: a log or a pipeline gets only the
    // rows, unless -v asks for it.
    if matches!(format, Format::Plain { .. }) && (output.verbose || std::io::stderr().is_terminal())
    {
        crate::say!("{}", output::summary(&report));
    }
    // After the output: the inventory never delays a result.
    scanner.remember(&report, &mut scan::warn_stderr);
    Ok(if report.host_count() > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
