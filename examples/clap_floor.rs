//! A start-up floor for bench/run.sh: everything shmtool does before its
//! own work. shmtool's clap definition parses the command line, libm is
//! loaded (shmtool links it for indicatif's rate estimate, `pow`), and
//! list's header is printed. What this costs over `ipcs -m` is the Rust
//! runtime's, clap's and the loader's.
use std::hint::black_box;
use std::io::Write;

use clap::Parser;

#[allow(dead_code)]
#[path = "../src/cli.rs"]
mod cli;

fn main() {
    let cli = cli::Cli::parse();
    // Links libm as shmtool does; the result is never used.
    black_box(black_box(2.0f64).powf(black_box(0.5)));
    if matches!(cli.command, cli::Command::List(_)) {
        let _ = std::io::stdout().write_all(b"key  shmid  owner  perms  bytes  nattch  status\n");
    }
}
