//! Library errors: each carries what was being done and to which segment,
//! worded for the person who has to act on it.

use std::io;

use crate::segment::Key;

/// Why a text could not be read as a segment table (`/proc/sysvipc/shm`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ParseError {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("key {key} already exists (shmid {shmid}, owner {owner})")]
    KeyExists { key: Key, shmid: i32, owner: String },

    #[error(
        "key {key} already exists (shmid {shmid}) with {existing} bytes, fewer than the {wanted} bytes asked for"
    )]
    ExistingTooSmall {
        key: Key,
        shmid: i32,
        existing: u64,
        wanted: u64,
    },

    #[error("no segment with key {0}")]
    NoSuchKey(Key),

    #[error("no segment with id {0}")]
    NoSuchId(i32),

    #[error(
        "id {shmid} was already removed (marked for destruction, still attached: nattch {nattch})"
    )]
    AlreadyRemoved { shmid: i32, nattch: u64 },

    #[error("id {0} was removed while in use")]
    Removed(i32),

    #[error("permission denied for id {shmid}, owned by {owner}")]
    Denied { shmid: i32, owner: String },

    #[error(
        "permission denied for id {shmid}: you own it ({owner}), but its mode {mode:04o} denies its owner this access"
    )]
    OwnDenied {
        shmid: i32,
        owner: String,
        mode: u32,
    },

    #[error("cannot change the owner of id {shmid}: {reason}")]
    InvalidOwner { shmid: i32, reason: String },

    #[error("size {size} bytes is larger than shmmax ({shmmax} bytes)")]
    TooLarge { size: u64, shmmax: u64 },

    #[error(
        "size {size} bytes is out of the range the kernel accepts ({shmmin} to {shmmax} bytes)"
    )]
    SizeOutOfRange { size: u64, shmmin: u64, shmmax: u64 },

    #[error("the segment limit is reached: shmmni is {shmmni} and {used} segments exist")]
    SegmentLimit { shmmni: u64, used: u64 },

    #[error(
        "the shared memory limit is reached: shmall is {shmall} pages, {used} are in use and this segment needs {needed}"
    )]
    PageLimit { shmall: u64, used: u64, needed: u64 },

    #[error(
        "size {size} bytes needs {needed} pages, more than shmall allows in all ({shmall} pages)"
    )]
    OverShmall { size: u64, needed: u64, shmall: u64 },

    #[error("cannot lock id {shmid}: {reason}")]
    LockLimit { shmid: i32, reason: String },

    #[error("{what}: not enough memory (ENOMEM)")]
    NoMemory { what: String },

    #[error(
        "cannot attach id {shmid} at {addr:#x}: the range is already mapped or outside the address space"
    )]
    AttachAddress { shmid: i32, addr: usize },

    #[error("{len} bytes at offset {offset} do not fit in the {size}-byte segment")]
    DoesNotFit { len: u64, offset: u64, size: u64 },

    #[error("offset {offset} is past the end of the {size}-byte segment")]
    OffsetPastEnd { offset: u64, size: u64 },

    #[error(
        "wrote {written} bytes at offset {offset}, filling the {size}-byte segment, but input remained"
    )]
    InputRemained {
        written: u64,
        offset: u64,
        size: u64,
    },

    #[error(
        "key {key}: id {shmid} was removed meanwhile (marked for destruction before it could be written); nothing written"
    )]
    RemovedMeanwhile { key: Key, shmid: i32 },

    /// Finding or entering an IPC namespace failed (the binary says which option).
    #[error("{0}")]
    Namespace(String),

    #[error("cannot parse {path}: {source}")]
    Table {
        path: &'static str,
        source: ParseError,
    },

    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
}

impl Error {
    /// Wraps an errno that has no more specific meaning here.
    pub fn io(what: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }
}
