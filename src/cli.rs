//! The command line, as clap definitions only. The same definitions feed
//! `--help`, the man pages and the shell completions.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use shmtool::parse;
use shmtool::segment::Key;

#[derive(Debug, Parser)]
#[command(
    name = "shmtool",
    version,
    about = "Create, inspect, read, write and remove System V shared memory segments",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a segment and print its shmid
    Create(CreateArgs),
    /// Attach a segment and write bytes into it
    AttachWrite(AttachWriteArgs),
    /// Attach a segment read-only and print its bytes
    Read(ReadArgs),
    /// List segments, like ipcs -m
    List(ListArgs),
    /// Remove segments (IPC_RMID)
    Remove(RemoveArgs),
}

impl Command {
    /// The subcommand's name, as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Create(_) => "create",
            Command::AttachWrite(_) => "attach-write",
            Command::Read(_) => "read",
            Command::List(_) => "list",
            Command::Remove(_) => "remove",
        }
    }
}

/// A key for `create`: `private` or a key.
#[derive(Clone, Copy, Debug)]
pub struct CreateKey(pub Option<Key>);

fn create_key(text: &str) -> Result<CreateKey, String> {
    parse::create_key(text).map(CreateKey)
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["key", "private"])))]
pub struct CreateArgs {
    /// Key: 0x hex, decimal (negative as the kernel prints it), or `private`
    #[arg(long, value_name = "KEY", value_parser = create_key, allow_negative_numbers = true)]
    pub key: Option<CreateKey>,
    /// Create a private segment (IPC_PRIVATE), reachable by id only
    #[arg(long)]
    pub private: bool,
    /// Size: bytes, or a number with a unit: 25K, 25KiB, 1M, 1G (powers of 1024)
    #[arg(long, value_name = "SIZE", value_parser = parse::size)]
    pub size: u64,
    /// Permission bits, octal (640 or 0640)
    #[arg(long, value_name = "MODE", value_parser = parse::mode, default_value = "600")]
    pub mode: u32,
    /// If the key exists with at least SIZE bytes, print its id instead of failing
    #[arg(long)]
    pub reuse: bool,
}

/// The segment an operation works on.
#[derive(Debug, Args)]
#[group(id = "target", required = true, multiple = false)]
pub struct TargetArgs {
    /// The segment's id
    #[arg(long, value_name = "ID", value_parser = parse::shmid)]
    pub id: Option<i32>,
    /// The segment's key
    #[arg(long, value_name = "KEY", value_parser = parse::key, allow_negative_numbers = true)]
    pub key: Option<Key>,
}

impl TargetArgs {
    pub fn target(&self) -> Result<shmtool::ops::Target, crate::exit::UsageError> {
        match (self.id, self.key) {
            (Some(id), _) => Ok(shmtool::ops::Target::Id(id)),
            (None, Some(key)) => Ok(shmtool::ops::Target::Key(key)),
            (None, None) => Err(crate::exit::UsageError(
                "name a segment with --id or --key".into(),
            )),
        }
    }
}

#[derive(Debug, Args)]
pub struct AttachWriteArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Where to start writing, in bytes from the segment's start
    #[arg(long, value_name = "N", value_parser = parse::byte_count, default_value = "0")]
    pub offset: u64,
    /// Write this text (without a trailing newline)
    #[arg(long, value_name = "TEXT", conflicts_with = "file")]
    pub data: Option<String>,
    /// Write the bytes of this file; standard input when neither --data nor --file is given
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Where to start reading, in bytes from the segment's start
    #[arg(long, value_name = "N", value_parser = parse::byte_count, default_value = "0")]
    pub offset: u64,
    /// How many bytes to read; to the segment's end when absent
    #[arg(long, value_name = "N", value_parser = parse::byte_count)]
    pub length: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ListArgs {}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("targets").required(true).multiple(true).args(["ids", "id", "key", "all"])))]
pub struct RemoveArgs {
    /// Ids of segments to remove
    #[arg(value_name = "ID", value_parser = parse::shmid)]
    pub ids: Vec<i32>,
    /// Remove the segment with this id (repeatable)
    #[arg(long, value_name = "ID", value_parser = parse::shmid)]
    pub id: Vec<i32>,
    /// Remove the segment with this key (repeatable)
    #[arg(long, value_name = "KEY", value_parser = parse::key, allow_negative_numbers = true)]
    pub key: Vec<Key>,
    /// Remove every segment
    #[arg(long, conflicts_with_all = ["ids", "id", "key"])]
    pub all: bool,
}
