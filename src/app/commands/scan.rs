//! `v6scout` (the scan command): one scan, printed in the chosen format, then remembered
//! in the inventory.

use crate::app::adapters::terminal;
use crate::app::engine::{observe, Scanner};
use crate::config::{ColorChoice, FormatChoice, InventoryConfig, OutputConfig, ScanConfig};
use crate::group::RowStream;
use crate::output::jsonl::JsonlStream;
use crate::output::table::TableStyle;
use crate::output::warnings::warn_stderr;
use crate::output::{self, Format};
use anyhow::{Context, Result};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn format_for(out: &OutputConfig, stdout_is_tty: bool) -> Format {
    match out.format {
        FormatChoice::Json => Format::Json,
        FormatChoice::Jsonl => Format::Jsonl,
        FormatChoice::Table => Format::Table,
        FormatChoice::Auto if stdout_is_tty => Format::Table,
        FormatChoice::Plain | FormatChoice::Auto => Format::Plain { header: out.header },
    }
}

/// Whether to colour: `--color always`/`never` decide; `auto` colours only a terminal,
/// and never when `NO_COLOR` is set to anything non-empty (no-color.org).
pub fn use_color(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// Runs the scan command: exit code 0 when it found a host, 1 when none.
pub fn run_scan(
    cfg: &ScanConfig,
    output: &OutputConfig,
    inventory: &InventoryConfig,
) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let stdout_tty = stdout.is_terminal();
    let format = format_for(output, stdout_tty);
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
        if format == Format::Table {
            let style = TableStyle {
                width: if stdout_tty { terminal::width() } else { None },
                color: use_color(
                    output.color,
                    stdout_tty,
                    std::env::var_os("NO_COLOR").as_deref(),
                ),
            };
            match output.by_host {
                Some(sort) => output::byhost::render_table(&report, sort, &style, &mut out),
                None => output::table::render_styled(&report, &style, &mut out),
            }
        } else {
            match (output.by_host, format) {
                (Some(sort), Format::Plain { header }) => {
                    output::byhost::render_plain(&report, sort, header, &mut out)
                }
                _ => output::render(&report, format, &mut out),
            }
        }
        .context("writing the report")?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn colour_decision() {
        use ColorChoice::{Always, Auto, Never};
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(use_color(Auto, true, None));
        assert!(
            use_color(Auto, true, empty),
            "an empty NO_COLOR does not count"
        );
        assert!(!use_color(Auto, true, set));
        assert!(!use_color(Auto, false, None));
        assert!(use_color(Always, false, set));
        assert!(!use_color(Never, true, None));
    }
}
