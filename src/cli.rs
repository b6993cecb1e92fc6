//! The command line, as clap definitions only. The same definitions feed
//! `--help`, the man pages and the shell completions.

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use shmtool::field::Field;
use shmtool::filter::{SegmentFilter, StatusFlag};
use shmtool::ops::Target;
use shmtool::parse;
use shmtool::posix::Name;
use shmtool::segment::Key;

#[derive(Debug, Parser)]
#[command(
    name = "shmtool",
    version,
    about = "Create, inspect, read, write and remove shared memory: System V segments and POSIX objects in /dev/shm",
    propagate_version = true,
    max_term_width = 100,
    // Our own `help`, which takes --help like every command (clap's does not).
    disable_help_subcommand = true
)]
pub struct Cli {
    /// Work in another IPC namespace: a container's, by the PID of a process
    /// in it, or by a path to its namespace file such as /proc/PID/ns/ipc.
    /// POSIX objects are then that process's /dev/shm, opened beneath its
    /// root without following symlinks and taken only as the root of a tmpfs
    /// (else exit 1); in a user namespace only the objects of uids it maps
    #[arg(long, global = true, value_name = "PID|PATH")]
    pub ns: Option<String>,
    /// Colour tables (bold header, dest and locked): auto on a terminal unless
    /// NO_COLOR is set; always colours in a pipe too (less -R, watch --color)
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
// Only the subcommand given is built: its arguments were most of start-up.
// Flattened argument structs take `//` comments, not doc comments: a
// deferred command takes their doc as its own description.
#[command(defer = true)]
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
    /// Show everything about one segment, and the processes attaching it
    Info(InfoArgs),
    /// Show the kernel's limits and current use
    Limits(LimitsArgs),
    /// Lock a segment's pages in memory (SHM_LOCK)
    Lock(LockArgs),
    /// Unlock a segment's pages (SHM_UNLOCK)
    Unlock(LockArgs),
    /// Change a segment's permission bits or owner (IPC_SET)
    Set(SetArgs),
    /// Print the help of shmtool or of one of its commands
    Help(HelpArgs),
}

impl Command {
    /// Whether the command writes its tables to a file rather than stdout.
    pub fn writes_file(&self) -> bool {
        matches!(self, Command::List(args) if args.output_atomic.is_some())
    }

    /// Whether the command works on every IPC namespace (`-A`).
    pub fn all_namespaces(&self) -> bool {
        match self {
            Command::List(args) => args.all_namespaces,
            Command::Remove(args) => args.all_namespaces,
            _ => false,
        }
    }

    /// The subcommand's name, as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Create(_) => "create",
            Command::AttachWrite(_) => "attach-write",
            Command::Read(_) => "read",
            Command::List(_) => "list",
            Command::Remove(_) => "remove",
            Command::Info(_) => "info",
            Command::Limits(_) => "limits",
            Command::Lock(_) => "lock",
            Command::Unlock(_) => "unlock",
            Command::Set(_) => "set",
            Command::Help(_) => "help",
        }
    }
}

/// A key for `create`: `private` or a key.
#[derive(Clone, Copy, Debug)]
pub struct CreateKey(pub Option<Key>);

fn create_key(text: &str) -> Result<CreateKey, parse::ValueError> {
    parse::create_key(text).map(CreateKey)
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["key", "private", "name"])))]
pub struct CreateArgs {
    /// Key: 0x hex, decimal (negative as the kernel prints it), or `private`
    #[arg(long, value_name = "KEY", value_parser = create_key, allow_negative_numbers = true)]
    pub key: Option<CreateKey>,
    /// Create a private segment (IPC_PRIVATE), reachable by id only
    #[arg(long)]
    pub private: bool,
    /// Size: bytes, or a number with a unit: 25K, 25KiB, 1M, 1G (powers of 1024)
    #[arg(long, value_name = "SIZE", value_parser = parse::size, allow_hyphen_values = true)]
    pub size: u64,
    /// Permission bits, octal (640 or 0640) [default: 600]
    #[arg(long, value_name = "MODE", value_parser = parse::mode, allow_hyphen_values = true)]
    pub mode: Option<u32>,
    /// If the key exists with at least SIZE bytes, print its id instead of failing
    /// (its mode stays as it is)
    #[arg(long)]
    pub reuse: bool,
    /// Create a POSIX object /NAME in /dev/shm (shm_open) instead of a segment, and print its name
    #[arg(long, value_name = "NAME", value_parser = Name::parse)]
    pub name: Option<Name>,
}

/// A command line that parsed but makes no sense; exits 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

// The segment an operation works on: `ID`, `--id ID` or `--key KEY`.
#[derive(Debug, Args)]
#[group(id = "segment", required = true, multiple = false)]
pub struct SegmentRef {
    /// The segment's id
    #[arg(value_name = "ID", value_parser = parse::shmid)]
    pub shmid: Option<i32>,
    /// The segment's id
    #[arg(long, value_name = "ID", value_parser = parse::shmid, allow_hyphen_values = true)]
    pub id: Option<i32>,
    /// The segment's key
    #[arg(long, value_name = "KEY", value_parser = parse::key, allow_negative_numbers = true)]
    pub key: Option<Key>,
    /// A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)
    #[arg(long, value_name = "NAME", value_parser = Name::parse)]
    pub name: Option<Name>,
}

impl SegmentRef {
    /// The POSIX object named with --name, if that is the target.
    pub fn posix_name(&self) -> Option<&Name> {
        self.name.as_ref()
    }

    pub fn target(&self) -> Result<Target, UsageError> {
        match (self.shmid.or(self.id), self.key) {
            (Some(id), _) => Ok(Target::Id(id)),
            (None, Some(key)) => Ok(Target::Key(key)),
            (None, None) => Err(UsageError(
                "name a segment: ID, --id ID or --key KEY".into(),
            )),
        }
    }
}

// How to attach: shmat's address options, and reporting.
#[derive(Debug, Args, Clone, Copy)]
pub struct AttachOpts {
    /// Ask shmat to attach at this address (0x hex or decimal)
    #[arg(long, value_name = "ADDR", value_parser = parse::address, allow_hyphen_values = true)]
    pub addr: Option<usize>,
    /// Round --addr down to SHMLBA (SHM_RND) instead of refusing an unaligned one
    #[arg(long, requires = "addr")]
    pub rnd: bool,
    /// Say on stderr how many bytes moved, where, and the attach address
    #[arg(short, long)]
    pub verbose: bool,
    /// Draw no progress bar (one is drawn on stderr when it is a terminal the
    /// data does not go to, once a copy has lasted a second)
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").multiple(false).args(["data", "file", "fill"])))]
pub struct AttachWriteArgs {
    #[command(flatten)]
    pub target: SegmentRef,
    /// Where to start writing, in bytes from the segment's start
    #[arg(long, value_name = "N", value_parser = parse::byte_count, allow_hyphen_values = true, default_value = "0")]
    pub offset: u64,
    /// Write this text (without a trailing newline)
    #[arg(long, value_name = "TEXT")]
    pub data: Option<String>,
    /// Write the bytes of this file; standard input when neither --data, --file nor --fill is given
    #[arg(long, value_name = "PATH")]
    pub file: Option<std::path::PathBuf>,
    /// Fill with this byte (0-255 or 0x00-0xff) from the offset to the end, or for --length bytes
    #[arg(long, value_name = "BYTE", value_parser = parse::byte, allow_hyphen_values = true)]
    pub fill: Option<u8>,
    /// How many bytes to write: with --fill exactly N; from --data, --file or standard input at most N
    #[arg(long, value_name = "N", value_parser = parse::byte_count, allow_hyphen_values = true)]
    pub length: Option<u64>,
    #[command(flatten)]
    pub attach: AttachOpts,
}

/// How `read` prints the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    /// The bytes as they are
    Raw,
    /// The canonical hex dump: offset, 16 bytes in hex, ASCII
    Hex,
    /// The bytes up to the first NUL, as C strings are kept
    Text,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    #[command(flatten)]
    pub target: SegmentRef,
    /// Where to start reading, in bytes from the segment's start
    #[arg(long, value_name = "N", value_parser = parse::byte_count, allow_hyphen_values = true, default_value = "0")]
    pub offset: u64,
    /// How many bytes to read; to the segment's end when absent
    #[arg(long, value_name = "N", value_parser = parse::byte_count, allow_hyphen_values = true)]
    pub length: Option<u64>,
    /// Output format [default: raw, or hex on a terminal]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<DataFormat>,
    /// Write to this file (created mode 0600) instead of standard output; `-` is standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Replace --output when it exists: a regular file only once the new content is complete; a device or FIFO is written, not truncated; never a regular file reached through a symlink
    #[arg(long, requires = "output")]
    pub force: bool,
    #[command(flatten)]
    pub attach: AttachOpts,
}

/// How `list` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table
    #[default]
    Table,
    /// Byte for byte what `ipcs -m` prints
    Ipcs,
    /// One JSON array of typed objects
    Json,
    /// Comma-separated, with a header row
    Csv,
    /// Whitespace-separated, no header, one segment a line
    Raw,
    /// Prometheus text exposition format, for node_exporter's textfile collector
    Prometheus,
    /// A GitHub-flavoured Markdown table of the table's columns (for CI job summaries)
    Markdown,
}

/// How `remove --dry-run` prints what it would remove.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DryRunFormat {
    /// An aligned table, as list prints it
    #[default]
    Table,
    /// A GitHub-flavoured Markdown table (for CI job summaries)
    Markdown,
}

/// Which kind of shared memory to work on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// System V segments
    #[default]
    Sysv,
    /// POSIX objects in /dev/shm
    Posix,
    /// Both
    All,
}

/// A status `--status` selects by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Status {
    /// Marked for destruction (IPC_RMID while still attached)
    Dest,
    /// Pages locked in memory (SHM_LOCK)
    Locked,
}

impl From<Status> for StatusFlag {
    fn from(status: Status) -> Self {
        match status {
            Status::Dest => StatusFlag::Dest,
            Status::Locked => StatusFlag::Locked,
        }
    }
}

// Selection shared by `list` and `remove`.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only segments owned by USER (a name or a uid)
    #[arg(long, value_name = "USER", value_parser = parse::user)]
    pub owner: Option<u32>,
    /// Only segments no process attaches (nattch 0)
    #[arg(long)]
    pub unattached: bool,
    /// Only unattached segments whose creator and last user are proven gone
    ///
    /// Proven gone: kill(pid, 0) finds no such process, or /proc shows a
    /// zombie. The last user (lpid) counts once anything attached. A live
    /// process at the pid counts as that process, even one that reuses the
    /// pid: a segment keeps only wall-clock times, which an IPC_SET (it moves
    /// ctime) or a clock step (btime moves, ctime does not) make unreliable.
    /// Where it cannot be told, the segment is not orphaned, and -v says why:
    /// pid 0 (outside this pid namespace), /proc mounted with hidepid or
    /// belonging to another pid namespace, another user's process that /proc
    /// will not show (EPERM). A segment used only by short-lived commands
    /// (create, then attach-write) is orphaned as soon as they exit: add
    /// --older-than to spare fresh ones. Any process that attaches becomes
    /// the last user, another user's read too: where the mode lets others
    /// attach, only the creator truly counts.
    #[arg(long)]
    pub orphaned: bool,
    /// Only segments created (or last changed) at least DURATION ago: 90s, 10m, 2h, 7d
    #[arg(long, value_name = "DURATION", value_parser = parse::duration, allow_hyphen_values = true)]
    pub older_than: Option<u64>,
    /// Only segments larger than SIZE (bytes, or 25K, 1M, 1G)
    #[arg(long, value_name = "SIZE", value_parser = parse::byte_count, allow_hyphen_values = true)]
    pub larger_than: Option<u64>,
    /// Only segments with this status
    #[arg(long, value_enum, value_name = "STATUS")]
    pub status: Option<Status>,
    /// System V segments (the default), POSIX objects in /dev/shm, or all
    ///
    /// For POSIX objects nattch counts the distinct processes that map the
    /// object or hold it open (/proc/PID/maps and /proc/PID/fd, matched by
    /// device and inode); when some processes cannot be inspected it is
    /// unknown, and such objects are neither --unattached nor --orphaned
    /// (unless --assume-hidden-unused).
    /// Objects record no creator: --orphaned means no process uses them.
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<Kind>,
    /// Judge whether POSIX objects are used from the processes this user
    /// can inspect, taking those it cannot as using nothing
    ///
    /// Without it, unknown is not unused: while any process cannot be
    /// inspected (as a user, root's and other users' processes; as root, a
    /// process a security module hides), an object no visible process uses
    /// has nattch unknown and is neither --unattached nor --orphaned. With it,
    /// such objects are selected: for a CI job that runs as a user and
    /// removes its own leaked objects (--owner), whose processes it can
    /// inspect. A process that did not answer within its 2 s deadline is
    /// never taken as using nothing: what it may use stays unknown. -v names
    /// the processes not inspected; remove's summary counts them.
    #[arg(long)]
    pub assume_hidden_unused: bool,
    /// Only POSIX objects whose name (without the slash) matches this shell
    /// glob, such as 'psm_*' (implies --kind posix unless --kind is given)
    #[arg(long = "match", value_name = "GLOB")]
    pub glob: Option<String>,
}

impl FilterArgs {
    /// The kind asked for: --kind, else posix with --match, else sysv.
    pub fn kind(&self) -> Kind {
        self.kind.unwrap_or(if self.glob.is_some() {
            Kind::Posix
        } else {
            Kind::Sysv
        })
    }

    pub fn to_filter(&self) -> SegmentFilter {
        SegmentFilter {
            owner: self.owner,
            unattached: self.unattached,
            orphaned: self.orphaned,
            older_than: self.older_than,
            larger_than: self.larger_than,
            status: self.status.map(StatusFlag::from),
            ..SegmentFilter::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Columns to show, in order, comma-separated (the JSON field names)
    #[arg(
        long,
        value_name = "FIELDS",
        value_delimiter = ',',
        value_parser = FieldParser,
        hide_possible_values = true,
        long_help = fields_help("Columns to show, in order, comma-separated.")
    )]
    pub columns: Vec<Field>,
    /// Add the attach, detach and change times (with --format ipcs: ipcs -m -t)
    #[arg(long)]
    pub time: bool,
    /// Add the creator and last-operation pids (with --format ipcs: ipcs -m -p)
    #[arg(long)]
    pub pids: bool,
    /// Add the creator's user and group (with --format ipcs: ipcs -m -c)
    #[arg(long)]
    pub creator: bool,
    /// Print sizes as 25K, 97.7K, 1M
    #[arg(long, overrides_with = "bytes")]
    pub human: bool,
    /// Print sizes in bytes (the default)
    #[arg(long, overrides_with = "human")]
    pub bytes: bool,
    /// Only the segment with this key
    #[arg(long, value_name = "KEY", value_parser = parse::key, allow_negative_numbers = true)]
    pub key: Option<Key>,
    /// Only the segment with this id
    #[arg(long, value_name = "ID", value_parser = parse::shmid, allow_hyphen_values = true)]
    pub id: Option<i32>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Sort by this field (any of the --columns fields)
    #[arg(long, value_name = "FIELD", value_parser = FieldParser, hide_possible_values = true)]
    pub sort: Option<Field>,
    /// Reverse the order
    #[arg(long)]
    pub reverse: bool,
    /// Say on stderr where the list came from when it is not /proc/sysvipc/shm, and why segments were not taken as orphaned
    #[arg(short, long)]
    pub verbose: bool,
    /// List the segments of every IPC namespace on the host (needs root), adding the ns, nspid and container fields; with --kind posix|all also the objects of every /dev/shm, adding mntns, devshm, nspid and container (a /dev/shm that is not the root of a tmpfs of its own, or is behind a symlink, is skipped)
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Write the list to FILE atomically (mode 0644): a new file beside it, renamed over it once complete, never following a symlink
    #[arg(long, value_name = "FILE")]
    pub output_atomic: Option<std::path::PathBuf>,
}

fn parse_field(text: &str) -> Result<Field, shmtool::field::UnknownField> {
    text.parse()
}

/// Parses one field name as `parse_field` does, and names every field as a
/// possible value, so shell completions offer them (the help lists them
/// with what each holds instead).
#[derive(Clone, Copy, Debug)]
struct FieldParser;

impl TypedValueParser for FieldParser {
    type Value = Field;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Field, clap::Error> {
        TypedValueParser::parse_ref(&parse_field, cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Field::ALL
                .iter()
                .map(|f| PossibleValue::new(f.name()).help(f.help())),
        ))
    }
}

/// Long help listing every field with what it holds, from the one
/// definition in `shmtool::field`, so `--help` and the man page stay true.
fn fields_help(lead: &str) -> String {
    let mut text = format!("{lead} The fields:\n");
    for field in Field::ALL {
        text.push_str(&format!("\n  {:<8} {}", field.name(), field.help()));
    }
    text
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    pub target: SegmentRef,
    /// Also show where each process has the segment mapped
    #[arg(short, long)]
    pub verbose: bool,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LimitsArgs {
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Ids of segments to remove
    #[arg(value_name = "ID", value_parser = parse::shmid)]
    pub ids: Vec<i32>,
    /// Remove the segment with this id (repeatable)
    #[arg(long, value_name = "ID", value_parser = parse::shmid, allow_hyphen_values = true)]
    pub id: Vec<i32>,
    /// Remove the segment with this key (repeatable)
    #[arg(long, value_name = "KEY", value_parser = parse::key, allow_negative_numbers = true)]
    pub key: Vec<Key>,
    /// Unlink the POSIX object /NAME from /dev/shm (repeatable)
    #[arg(long, value_name = "NAME", value_parser = Name::parse)]
    pub name: Vec<Name>,
    /// Select among every segment (with no filter: remove them all)
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Show what would be removed, and change nothing
    ///
    /// Rows are as list prints them. Segments the real run would skip (owned
    /// by others, or already marked for destruction) are counted on stderr,
    /// not shown; a named segment it would refuse is an error, as in the
    /// real run.
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// A named id or key that does not exist is not an error
    #[arg(long)]
    pub missing_ok: bool,
    /// Print a line on stdout for each segment: what happened to it, and why when it was not removed; say on stderr why segments were not taken as orphaned
    #[arg(short, long)]
    pub verbose: bool,
    /// Print one JSON record per target (with --dry-run: the segments, as list does)
    #[arg(long)]
    pub json: bool,
    /// Do not ask before removing every segment
    #[arg(short, long)]
    pub yes: bool,
    /// Remove what the filters select in every IPC namespace on the host (needs root; filters only); with --kind posix|all also in every /dev/shm
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// How --dry-run prints the segments: table, or markdown (for $GITHUB_STEP_SUMMARY)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        requires = "dry_run",
        conflicts_with = "json"
    )]
    pub format: Option<DryRunFormat>,
}

impl RemoveArgs {
    /// Whether any target is named by id or key.
    pub fn has_named(&self) -> bool {
        !(self.ids.is_empty() && self.id.is_empty() && self.key.is_empty())
    }
}

#[derive(Debug, Args)]
pub struct LockArgs {
    #[command(flatten)]
    pub target: SegmentRef,
}

/// A new owner and group, `USER[:GROUP]`.
#[derive(Clone, Copy, Debug)]
pub struct OwnerGroup(pub Option<u32>, pub Option<u32>);

fn owner_group(text: &str) -> Result<OwnerGroup, parse::ValueError> {
    parse::owner_group(text).map(|(u, g)| OwnerGroup(u, g))
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("change").required(true).multiple(true).args(["mode", "owner"])))]
pub struct SetArgs {
    #[command(flatten)]
    pub target: SegmentRef,
    /// New permission bits, octal (640 or 0640)
    #[arg(long, value_name = "MODE", value_parser = parse::mode, allow_hyphen_values = true)]
    pub mode: Option<u32>,
    /// New owner and group: USER, USER:GROUP or :GROUP (names or numbers)
    #[arg(long, value_name = "USER[:GROUP]", value_parser = owner_group)]
    pub owner: Option<OwnerGroup>,
}

/// The commands `help` explains: every visible subcommand.
const COMMANDS: [&str; 11] = [
    "create",
    "attach-write",
    "read",
    "list",
    "remove",
    "info",
    "limits",
    "lock",
    "unlock",
    "set",
    "help",
];

#[derive(Debug, Args)]
pub struct HelpArgs {
    /// The command to explain; shmtool's own help when absent
    #[arg(value_name = "COMMAND", value_parser = COMMANDS)]
    pub command: Option<String>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn help_knows_every_visible_command() {
        let cmd = super::Cli::command();
        let visible: Vec<&str> = cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| s.get_name())
            .collect();
        assert_eq!(visible, super::COMMANDS);
    }

    /// Building a deferred subcommand adds its arguments and keeps the
    /// description the command list shows.
    #[test]
    fn every_command_keeps_its_description_once_built() {
        let listed = super::Cli::command();
        let mut built = super::Cli::command();
        built.build();
        for (before, after) in listed.get_subcommands().zip(built.get_subcommands()) {
            assert_eq!(before.get_name(), after.get_name());
            assert_eq!(
                before.get_about().map(ToString::to_string),
                after.get_about().map(ToString::to_string),
                "{}",
                after.get_name()
            );
            assert!(
                after.get_name() == "help" || after.get_arguments().any(|a| a.get_id() == "ns"),
                "{} has its arguments and the global ones",
                after.get_name()
            );
        }
    }
}

/// When to colour: `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set
    #[default]
    Auto,
    /// Always, in a pipe too (for less -R, watch --color)
    Always,
    /// Never
    Never,
}
