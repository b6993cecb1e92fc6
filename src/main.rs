//! shmtool: parse the command line, run one subcommand, print any error once.

#![forbid(unsafe_code)]

mod cli;
mod cmd;
mod exit;
mod render;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return exit::report_clap(err),
    };
    let name = cli.command.name();
    match cmd::run(cli.command) {
        Ok(code) => code,
        Err(err) => exit::report(name, err),
    }
}
