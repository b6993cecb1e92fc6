//! shmtool: System V shared memory, inspected and handled safely.
//!
//! The library never prints. [`sysv`] holds every system call; [`procfs_shm`]
//! reads the segment list; [`ops`] implements the operations; the `shmtool`
//! binary parses arguments and renders results.

// Unsafe code is allowed in one module only, `sysv`, and every block there
// says why it is sound.
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod error;
pub mod escape;
pub mod field;
pub mod filter;
pub mod namespace;
pub mod ops;
pub mod parse;
pub mod posix;
pub mod process;
pub mod procfs_shm;
pub mod segment;
pub mod sysv;
pub mod users;

pub use error::Error;
pub use segment::{Key, Segment, Status};
