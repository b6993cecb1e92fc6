//! The start-up floor for bench/run.sh: a Rust program built like shmtool's
//! release profile (LTO, panic=abort, stripped) that prints list's header
//! and nothing else. What it costs over `ipcs -m` is the Rust runtime's, not
//! shmtool's.
use std::io::Write;

fn main() {
    let _ = std::io::stdout().write_all(b"key  shmid  owner  perms  bytes  nattch  status\n");
}
