//! The one place that wires real I/O together: it runs the chosen command and maps its
//! outcome to an exit code. Each command lives in its own submodule.

pub mod dualstack;
pub mod relay;
pub mod resolve;
pub mod scan;
pub mod scanner;
pub mod watch;

pub use scan::{scan_links, ScanOptions};
pub use scanner::{scan, Scanner};

use crate::cli::{Cli, Command, ScanArgs};
use crate::output::{self, Format};
use anyhow::{Context, Result};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn format_for(args: &ScanArgs, stdout_is_tty: bool) -> Format {
    if args.json {
        Format::Json
    } else if args.plain || (!args.table && !stdout_is_tty) {
        Format::Plain {
            header: !args.no_header,
        }
    } else {
        Format::Table
    }
}

/// True if an error chain ends in a closed stdout (`v6scout | head -1`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs the command line; returns the exit code (0 found, 1 none, 2 error).
pub fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        None => run_scan(&cli.scan),
        Some(Command::Scan(args)) => run_scan(args),
        Some(Command::Resolve(args)) => resolve::run_resolve(args),
        Some(Command::Ssh(args)) => resolve::run_ssh(args),
        Some(Command::Connect(args)) => resolve::run_connect(args),
        Some(Command::Watch(args)) => watch::run_watch(args),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("v6scout: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_scan(args: &ScanArgs) -> Result<ExitCode> {
    let report = scan(args)?;
    let stdout = std::io::stdout();
    let format = format_for(args, stdout.is_terminal());
    let mut out = stdout.lock();
    output::render(&report, format, &mut out).context("writing the report")?;
    out.flush().context("writing the report")?;
    if matches!(format, Format::Plain { .. }) {
        eprintln!("{}", output::summary(&report));
    }
    Ok(if report.host_count() > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
