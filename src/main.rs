//! The `v6scout` binary: parse the command line, run, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;
use v6scout::cli::{usage_error_line, Cli};

fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => v6scout::app::run(cli),
        // --help and --version: clap prints them to stdout and exits 0.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            v6scout::say!("{}", usage_error_line(&e));
            ExitCode::from(2)
        }
    }
}
