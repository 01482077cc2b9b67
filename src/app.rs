//! The one place that wires real I/O together: it runs the chosen command and maps its
//! outcome to an exit code. [`commands`] holds each command, [`engine`] the scan they
//! share, and [`adapters`] what they plug into it from outside.

pub mod adapters;
pub mod commands;
pub mod engine;

pub use engine::{scan, scan_links, scan_links_with, ScanHooks, ScanObserver, Scanner};

use crate::config::Job;
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
        } => commands::scan::run_scan(scan, output, inventory),
        Job::History(h) => commands::history::run_history(h),
        Job::Label(l) => commands::label::run_label(l),
        Job::Find(find) => commands::find::run_find(find),
        Job::Wake(wake) => commands::wake::run_wake(wake),
        Job::Watch(w) => commands::watch::run_watch(w),
        Job::Collect(c) => commands::hub::run_collect(c),
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
