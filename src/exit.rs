//! Exit codes, and the one place errors are printed.

/// `eprintln!` that never panics: see [`stderr`].
macro_rules! warn {
    ($($arg:tt)*) => { $crate::exit::stderr(format_args!($($arg)*), true) };
}

/// `eprint!` that never panics: see [`stderr`].
macro_rules! warn_prompt {
    ($($arg:tt)*) => { $crate::exit::stderr(format_args!($($arg)*), false) };
}

use std::io;
use std::process::ExitCode;

use shmtool::Error;

/// 0: done. 1: an operation failed. 2: the command line was wrong.
pub const SUCCESS: u8 = 0;
pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;

// Defined beside the clap definitions, so cli.rs needs nothing of the binary.
pub use crate::cli::UsageError;

/// True when the error is a closed stdout (`shmtool read | head`).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            || matches!(cause.downcast_ref::<Error>(),
                Some(Error::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// What the user can do about an error, when there is something.
fn hint(e: &Error) -> Option<String> {
    Some(match e {
        Error::KeyExists { key, .. } => format!(
            "add --reuse to use the existing segment, or remove it with 'shmtool remove --key {key}'"
        ),
        Error::ExistingTooSmall { key, .. } => {
            format!("ask for fewer bytes, or remove it with 'shmtool remove --key {key}'")
        }
        Error::NoSuchKey(_) | Error::NoSuchId(_) => "'shmtool list' shows the segments".into(),
        Error::Denied { .. } => "run as the segment's owner or as root".into(),
        Error::OwnDenied { shmid, mode, .. } => format!(
            "give yourself access with 'shmtool set {shmid} --mode {:o}'",
            mode & 0o777 | 0o600
        ),
        Error::InvalidOwner { .. } => {
            "name a user and group that exist in this user namespace".into()
        }
        Error::LockLimit { .. } => {
            "raise the limit with 'ulimit -l', unlock segments you no longer need, or lock as root"
                .into()
        }
        Error::OverShmall { .. } => "raise /proc/sys/kernel/shmall".into(),
        Error::TooLarge { .. } => "raise /proc/sys/kernel/shmmax".into(),
        Error::SegmentLimit { .. } => {
            "remove unused segments or raise /proc/sys/kernel/shmmni".into()
        }
        Error::PageLimit { .. } => "remove unused segments or raise /proc/sys/kernel/shmall".into(),
        _ => return None,
    })
}

/// The exit code of a command that decided `code` before writing its
/// output: a reader that went away (`| head`, `| true`) ends the output
/// quietly but never turns a failure into success.
pub fn after_output(code: u8, written: io::Result<()>) -> anyhow::Result<ExitCode> {
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::from(code)),
        Err(e) => Err(e.into()),
        Ok(()) => Ok(ExitCode::from(code)),
    }
}

/// Prints a failed command's error as one line and picks the exit code.
pub fn report(command: &str, err: anyhow::Error) -> ExitCode {
    if is_broken_pipe(&err) {
        return ExitCode::from(SUCCESS);
    }
    let code = if err.downcast_ref::<UsageError>().is_some() {
        USAGE
    } else {
        FAILURE
    };
    print_error(command, &err);
    ExitCode::from(code)
}

/// Prints one error as one line: `shmtool: <command>: <what>; hint: <hint>`.
pub fn print_error(command: &str, err: &anyhow::Error) {
    let lib = err.chain().find_map(|c| c.downcast_ref::<Error>());
    print_line(command, &format!("{err:#}"), lib.and_then(hint));
}

/// Prints one library error, as [`print_error`] does, where a command goes
/// on after it (remove's targets).
pub fn print_failure(command: &str, err: &Error) {
    print_line(command, &err.to_string(), hint(err));
}

fn print_line(command: &str, what: &str, hint: Option<String>) {
    // Errors carry names and paths other users chose: no raw control bytes.
    let what = shmtool::escape::escaped(what);
    let hint = hint.map(|h| shmtool::escape::escaped(&h).into_owned());
    match hint {
        Some(hint) => warn!("shmtool: {command}: {what}; hint: {hint}"),
        None => warn!("shmtool: {command}: {what}"),
    }
}

/// Writes one message to stderr, ignoring failure: a closed stderr
/// (`2>&1 | head -1`) must never stop the work or abort, as `eprintln!`
/// would by panicking.
pub fn stderr(args: std::fmt::Arguments<'_>, newline: bool) {
    use std::io::Write;
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args);
    if newline {
        let _ = err.write_all(b"\n");
    }
    let _ = err.flush();
}

/// Prints a clap parse error as one line (help and version go to stdout
/// as clap prints them).
pub fn report_clap(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if !err.use_stderr() || err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = err.print();
        return ExitCode::from(err.exit_code() as u8);
    }
    let rendered = err.render().to_string();
    let body = rendered.strip_prefix("error: ").unwrap_or(&rendered);
    let mut parts: Vec<&str> = Vec::new();
    for line in body.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line);
        }
    }
    let sub = subcommand_typed(err.kind());
    let prefix = sub.as_ref().map_or_else(String::new, |s| format!("{s}: "));
    let help = sub.map_or_else(
        || "shmtool --help".to_owned(),
        |s| format!("shmtool {s} --help"),
    );
    warn!("shmtool: {prefix}{}; hint: see '{help}'", parts.join(" "));
    ExitCode::from(USAGE)
}

/// The subcommand the command line reached, if any, for error prefixes:
/// clap's own parse, errors ignored, so global options may come first
/// (`shmtool --ns 1 create --bogus`). An unknown subcommand is no prefix.
fn subcommand_typed(kind: clap::error::ErrorKind) -> Option<String> {
    use clap::CommandFactory;
    if kind == clap::error::ErrorKind::InvalidSubcommand {
        return None;
    }
    let matches = crate::cli::Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(std::env::args_os())
        .ok()?;
    matches.subcommand_name().map(str::to_owned)
}
