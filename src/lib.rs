//! shmtool: System V and POSIX shared memory, inspected and handled safely.
//!
//! This library is the `shmtool` binary's internals, public only so that the
//! integration tests (`tests/`) and the fuzz targets (`fuzz/`) can reach
//! them: it is not published (`publish = false`) and its API may change with
//! any commit. It never prints, and its errors are typed ([`Error`],
//! [`parse::ValueError`]) and name no command-line option; the binary
//! (`src/main.rs`, `cli.rs`, `cmd/`, `render/`) parses arguments, renders
//! results and words errors for the command line.
//!
//! [`sysv`] holds every system call and all the unsafe code; [`procfs_shm`]
//! parses `/proc/sysvipc/shm`; [`ops`] implements the operations.

// Unsafe code is allowed in one module only, `sysv`, and every block there
// says why it is sound.
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod cgroup;
pub mod error;
pub mod escape;
pub mod field;
pub mod filter;
pub mod foreign;
pub mod namespace;
pub mod ops;
pub mod parse;
pub mod posix;
pub mod process;
pub mod procfs_shm;
pub mod procread;
pub mod segment;
pub mod sysv;
pub mod users;

pub use error::Error;
pub use segment::{Key, Segment, Status};
