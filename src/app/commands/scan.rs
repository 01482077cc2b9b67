//! `v6scout` (the scan command): one scan, printed in the chosen format, then remembered
//! in the inventory.

use crate::app::adapters::terminal;
use crate::app::engine::{observe, Scanner};
use crate::config::{InventoryConfig, OutputConfig, ScanConfig};
use crate::group::RowStream;
use crate::output::jsonl::JsonlStream;
use crate::output::warnings::warn_stderr;
use crate::output::{self, Format};
use anyhow::{Context, Result};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Runs the scan command: exit code 0 when it found a host, 1 when none.
pub fn run_scan(
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
        let report = scanner.scan_observed(Some(&mut obs), &mut warn_stderr);
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
        let report = scanner.scan_observed(Some(&mut obs), &mut warn_stderr);
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
    scanner.remember(&report, &mut warn_stderr);
    Ok(if report.host_count() > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
