//! The `v6scout` binary: parse the command line, run, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;
use v6scout::cli::{print_completions, usage_error_line, Cli, Invocation};

fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => match cli.invocation() {
            Invocation::Run(job) => v6scout::app::run(&job),
            Invocation::Completions(shell) => print_completions(shell),
        },
        // --help and --version: clap prints them to stdout and exits 0.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            v6scout::say!("{}", usage_error_line(&e));
            ExitCode::from(2)
        }
    }
}
