//! One module per subcommand. Each runs the library operation and renders
//! its result; errors go back to `main` to be printed once.

mod attach_write;
mod blind;
mod columns;
mod create;
mod fleet;
mod info;
mod limits;
pub mod list;
mod output_file;
mod placement;
pub mod posix;
mod read;
mod record;
mod remove;
mod set;

use std::process::ExitCode;

use shmtool::ops::Route;

use crate::cli::Command;

/// How `-v` says the bytes moved (`direction` "from" or "into" the
/// `what`'s own file); nothing for the usual way, through the mapping.
fn route_note(route: Route, direction: &str, what: &str) -> String {
    match route {
        Route::SegmentFile => format!(", copied by sendfile {direction} the {what}'s file"),
        Route::Mapping => String::new(),
    }
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Create(args) => create::run(&args),
        Command::AttachWrite(args) => attach_write::run(&args),
        Command::Read(args) => read::run(&args),
        Command::List(args) => list::run(&args),
        Command::Remove(args) => remove::run(&args),
        Command::Info(args) => info::run(&args),
        Command::Limits(args) => limits::run(&args),
        Command::Lock(args) => set::lock(&args, true),
        Command::Unlock(args) => set::lock(&args, false),
        Command::Set(args) => set::run(&args),
        Command::Help(args) => Ok(help(args.command.as_deref())),
    }
}

/// `shmtool help [COMMAND]`: exactly what `shmtool [COMMAND] --help` prints.
fn help(command: Option<&str>) -> ExitCode {
    use clap::CommandFactory;
    let args = ["shmtool"].into_iter().chain(command).chain(["--help"]);
    match crate::cli::Cli::command().try_get_matches_from(args) {
        Err(err) => crate::exit::report_clap(err),
        Ok(_) => ExitCode::SUCCESS,
    }
}
