//! Writes `DIR/man/` and `DIR/completions/` from the clap definition:
//! `cargo run --example generate -- .`, then commit both directories.
//! A developer's tool, so the shmtool binary carries neither clap_mangen
//! nor clap_complete.

use std::path::PathBuf;
use std::process::ExitCode;

// The binary's own clap definitions, which depend on the library and clap only.
#[allow(dead_code)]
#[path = "../../src/cli.rs"]
mod cli;
mod man_and_completions;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        let _ = writeln_stderr("usage: cargo run --example generate -- DIR");
        return ExitCode::from(2);
    };
    match man_and_completions::generate(&PathBuf::from(dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln_stderr(&format!("generate: {e}"));
            ExitCode::FAILURE
        }
    }
}

fn writeln_stderr(line: &str) -> std::io::Result<()> {
    use std::io::Write;
    writeln!(std::io::stderr(), "{line}")
}
