//! shmtool: parse the command line, run one subcommand, print any error once.

#![forbid(unsafe_code)]
// stderr goes through exit::stderr, which cannot panic on a closed stream.
#![deny(clippy::print_stderr)]

#[macro_use]
mod exit;

mod cli;
mod cmd;
mod progress;
mod render;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return exit::report_clap(err),
    };
    let name = cli.command.name();
    if cli.ns.is_some() && cli.command.all_namespaces() {
        let usage = exit::UsageError(
            "--all-namespaces and --ns exclude each other: -A already reads every namespace".into(),
        );
        return exit::report(name, usage.into());
    }
    if let Some(ns) = &cli.ns
        && let Err(err) = shmtool::ops::enter_namespace(ns)
    {
        return exit::report(name, anyhow::Error::from(err).context("--ns"));
    }
    cmd::posix::set_ns(cli.ns.clone());
    render::terminal::init(cli.color, cli.command.writes_file());
    match cmd::run(cli.command) {
        Ok(code) => code,
        Err(err) => exit::report(name, err),
    }
}
