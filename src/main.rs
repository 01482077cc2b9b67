//! The `v6scout` binary: parse the command line, run, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with status 2.
    v6scout::app::run(v6scout::cli::Cli::parse())
}
