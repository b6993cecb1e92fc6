//! Processes behind segments: whether a segment's creator still runs, and
//! which processes have a segment attached.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use procfs::process::Process;

use crate::segment::Segment;

/// A running process, as much as shmtool needs of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessInfo {
    pub pid: i32,
    pub uid: u32,
    /// What `ps` would show: see [`CommandLine`].
    pub command: Rc<CommandLine>,
    /// The state letter of /proc/PID/stat: `R`, `S`, `Z` (zombie), `X` (dead)…
    pub state: char,
    /// A kernel thread (PF_KTHREAD), which has no command line of its own.
    pub kernel_thread: bool,
}

/// PF_KTHREAD in the flags field of /proc/PID/stat (include/linux/sched.h).
const PF_KTHREAD: u32 = 0x0020_0000;

/// A process's command as `ps` shows it, kept as the exact bytes: its
/// arguments joined by spaces; `[comm]` for a kernel thread; `[comm]
/// <defunct>` for a zombie; `(comm)` for a process whose arguments are empty
/// (it can clear them) or cannot be read. The process chooses these bytes:
/// show them to people only through [`CommandLine::escaped`].
#[derive(Debug)]
pub struct CommandLine {
    bytes: Box<[u8]>,
    escaped: OnceCell<Box<str>>,
    word: OnceCell<Box<str>>,
}

impl CommandLine {
    pub fn new(bytes: impl Into<Box<[u8]>>) -> CommandLine {
        CommandLine {
            bytes: bytes.into(),
            escaped: OnceCell::new(),
            word: OnceCell::new(),
        }
    }

    /// The exact bytes, which need not be UTF-8.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Escaped for people ([`crate::escape::escape`]), once per process
    /// however many rows show it.
    pub fn escaped(&self) -> &str {
        self.escaped
            .get_or_init(|| crate::escape::escape(&self.bytes).into())
    }

    /// Escaped as one raw-format word ([`crate::escape::word`]), once.
    pub fn word(&self) -> &str {
        self.word
            .get_or_init(|| crate::escape::word(&self.bytes).into())
    }
}

impl PartialEq for CommandLine {
    fn eq(&self, other: &CommandLine) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for CommandLine {}

impl PartialOrd for CommandLine {
    fn partial_cmp(&self, other: &CommandLine) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CommandLine {
    fn cmp(&self, other: &CommandLine) -> std::cmp::Ordering {
        self.bytes.cmp(&other.bytes)
    }
}

/// The most of /proc/PID/cmdline read: a process can make it megabytes.
const CMDLINE_LIMIT: u64 = 1 << 20;

/// The first `limit` bytes of a file of the process's /proc directory
/// (opened through the directory procfs holds, so never another process
/// that took the pid meanwhile); `None` when it cannot be read.
fn read_at_most(process: &Process, file: &str, limit: u64) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    process
        .open_relative(file)
        .ok()?
        .take(limit)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// The command `ps` would show (see [`CommandLine`]), from the bytes of
/// /proc/PID/cmdline (`args`: NUL-terminated arguments) and the name.
fn shown_command(args: &[u8], comm: &[u8], state: char, kernel_thread: bool) -> Vec<u8> {
    let wrapped = |open: &[u8], close: &[u8]| [open, comm, close].concat();
    if kernel_thread {
        return wrapped(b"[", b"]");
    }
    if matches!(state, 'Z' | 'X') {
        return wrapped(b"[", b"] <defunct>");
    }
    if args.iter().all(|&b| b == 0) {
        return wrapped(b"(", b")");
    }
    let args = args.strip_suffix(b"\0").unwrap_or(args);
    args.iter()
        .map(|&b| if b == 0 { b' ' } else { b })
        .collect()
}

fn info(pid: i32) -> Option<ProcessInfo> {
    let process = Process::new(pid).ok()?;
    let stat = process.stat().ok()?;
    let kernel_thread = stat.flags & PF_KTHREAD != 0;
    let args = if kernel_thread {
        Vec::new()
    } else {
        read_at_most(&process, "cmdline", CMDLINE_LIMIT).unwrap_or_default()
    };
    // The name as bytes (stat's is made lossy), read only when it is shown.
    let comm = if kernel_thread || matches!(stat.state, 'Z' | 'X') || args.iter().all(|&b| b == 0) {
        read_at_most(&process, "comm", 64)
            .map(|mut c| {
                c.pop_if(|b| *b == b'\n');
                c
            })
            .unwrap_or_else(|| stat.comm.clone().into_bytes())
    } else {
        Vec::new()
    };
    let command = shown_command(&args, &comm, stat.state, kernel_thread);
    Some(ProcessInfo {
        pid,
        uid: process.uid().ok()?,
        command: Rc::new(CommandLine::new(command)),
        state: stat.state,
        kernel_thread,
    })
}

/// Looks processes up once each.
#[derive(Debug, Default)]
pub struct Processes {
    cache: HashMap<i32, Option<ProcessInfo>>,
    liveness: HashMap<i32, Liveness>,
    view: Option<ProcView>,
    declined: std::collections::BTreeMap<i32, String>,
}

/// Whether the process that had a pid is known to be gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// No process has the pid (kill gives ESRCH), or it is a zombie or dead.
    Gone,
    /// A live process has the pid.
    Running,
    /// It cannot be told; the text says why.
    Unknown(String),
}

/// Whether a segment is orphaned: unattached, and its creator and last
/// user proven gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Orphan {
    Yes,
    No,
    /// Not proven either way; the text says why. Not orphaned.
    Unknown(String),
}

/// What this process can learn from the /proc it sees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ProcView {
    /// Why /proc does not show this pid namespace's processes, if it does not.
    foreign: Option<String>,
    /// The hidepid option /proc is mounted with (`hidepid=2`), if any.
    hidepid: Option<String>,
}

impl ProcView {
    fn read() -> ProcView {
        let own = std::process::id();
        let foreign = match std::fs::read_link("/proc/self") {
            Ok(link) if link.to_str().and_then(|s| s.parse::<u32>().ok()) == Some(own) => None,
            Ok(link) => Some(format!(
                "/proc belongs to another pid namespace (it calls this process {}, the kernel {own})",
                link.display()
            )),
            Err(e) => Some(format!("/proc/self is unreadable ({e})")),
        };
        let hidepid = std::fs::read_to_string("/proc/self/mountinfo")
            .ok()
            .and_then(|text| proc_hidepid(&text));
        ProcView { foreign, hidepid }
    }
}

/// The hidepid option of the /proc mount in a mountinfo text, unless it is
/// off (`hidepid=0`, `hidepid=off`).
fn proc_hidepid(mountinfo: &str) -> Option<String> {
    // The last mount at /proc is the one on top.
    let line = mountinfo
        .lines()
        .rfind(|l| l.split(' ').nth(4) == Some("/proc"))?;
    let (_, after) = line.split_once(" - ")?;
    let options = after.split(' ').nth(2)?;
    options
        .split(',')
        .find(|o| o.starts_with("hidepid=") && !matches!(*o, "hidepid=0" | "hidepid=off"))
        .map(str::to_owned)
}

impl Processes {
    pub fn new() -> Processes {
        Processes::default()
    }

    /// The running process with this pid, if any.
    pub fn get(&mut self, pid: i32) -> Option<&ProcessInfo> {
        if pid <= 0 {
            return None;
        }
        self.cache.entry(pid).or_insert_with(|| info(pid)).as_ref()
    }

    /// The process at the segment's creator pid, if one runs. It is taken
    /// as the creator, as `--orphaned` takes it: a reused pid cannot be
    /// proven from wall-clock times (a clock step moves process start times
    /// against the segment's).
    pub fn creator(&mut self, seg: &Segment) -> Option<&ProcessInfo> {
        self.get(seg.cpid)
    }

    /// Whether the process that had `pid` is proven gone. A live process at
    /// the pid counts as that process: a reused pid cannot be proven from
    /// the segment's wall-clock times (a clock step or IPC_SET moves them).
    pub fn liveness(&mut self, pid: i32) -> Liveness {
        if let Some(known) = self.liveness.get(&pid) {
            return known.clone();
        }
        let view = self.view.get_or_insert_with(ProcView::read).clone();
        let found = probe_liveness(pid, &view);
        self.liveness.insert(pid, found.clone());
        found
    }

    /// Forgets what was learnt about processes, so the next question looks again.
    pub fn forget(&mut self) {
        self.liveness.clear();
        self.cache.clear();
    }

    /// Whether `seg` is orphaned: nattch 0, its creator gone, and its last
    /// user (lpid) gone when it had one. Undecided segments are remembered
    /// with the reason, for [`Processes::take_declined`].
    pub fn orphan(&mut self, seg: &Segment) -> Orphan {
        if seg.nattch > 0 {
            return Orphan::No;
        }
        let mut unknown = Vec::new();
        if seg.cpid == 0 {
            unknown.push("creator pid 0: the creator is outside this pid namespace".into());
        } else {
            match self.liveness(seg.cpid) {
                Liveness::Running => return Orphan::No,
                Liveness::Unknown(why) => unknown.push(format!("creator {why}")),
                Liveness::Gone => {}
            }
        }
        // lpid 0 after an attach or detach: the last user is out of sight.
        let ever_used = seg.atime != 0 || seg.dtime != 0;
        if seg.lpid == 0 && ever_used {
            unknown.push("last user pid 0: that process is outside this pid namespace".into());
        } else if seg.lpid != 0 && seg.lpid != seg.cpid {
            match self.liveness(seg.lpid) {
                Liveness::Running => return Orphan::No,
                Liveness::Unknown(why) => unknown.push(format!("last user {why}")),
                Liveness::Gone => {}
            }
        }
        if unknown.is_empty() {
            self.declined.remove(&seg.shmid);
            Orphan::Yes
        } else {
            let why = unknown.join("; ");
            self.declined.insert(seg.shmid, why.clone());
            Orphan::Unknown(why)
        }
    }

    /// The segments not taken as orphaned because it could not be told,
    /// by shmid, with why; emptied by the call.
    pub fn take_declined(&mut self) -> Vec<(i32, String)> {
        std::mem::take(&mut self.declined).into_iter().collect()
    }
}

/// Finds out whether `pid` is gone: kill(pid, 0) says whether the pid is
/// taken; /proc/PID/stat whether by a zombie.
fn probe_liveness(pid: i32, view: &ProcView) -> Liveness {
    use crate::sysv::{PidProbe, probe_pid};
    if pid <= 0 {
        return Liveness::Unknown(format!("pid {pid} names no single process"));
    }
    let probe = match probe_pid(pid) {
        Ok(PidProbe::NoSuchProcess) => return Liveness::Gone,
        Ok(probe) => probe,
        Err(e) => return Liveness::Unknown(format!("pid {pid}: kill({pid}, 0) failed: {e}")),
    };
    // Taken: whether by a zombie only /proc tells, if it is this namespace's.
    if let Some(why) = &view.foreign {
        return Liveness::Unknown(format!("pid {pid} exists but {why}"));
    }
    match Process::new(pid).and_then(|p| p.stat()) {
        // A zombie leader with live threads is a running process.
        Ok(stat) if matches!(stat.state, 'Z' | 'X') && stat.num_threads <= 1 => Liveness::Gone,
        Ok(_) => Liveness::Running,
        Err(e) => {
            // It may have exited between the two looks.
            if probe_pid(pid).ok() == Some(PidProbe::NoSuchProcess) {
                return Liveness::Gone;
            }
            let not_ours = probe == PidProbe::ExistsNotOurs;
            let why = match (&view.hidepid, not_ours) {
                (Some(option), _) => {
                    format!("/proc is mounted with {option} and hides it from this user")
                }
                (None, true) => format!(
                    "it belongs to another user (kill: EPERM) and /proc/{pid}/stat is unreadable ({e})"
                ),
                (None, false) => format!("/proc/{pid}/stat is unreadable ({e})"),
            };
            Liveness::Unknown(format!("pid {pid} exists but {why}"))
        }
    }
}

/// The IPC namespace a process is in, as the link `/proc/PID/ns/ipc` names it.
fn ipc_namespace(proc_dir: &Path) -> std::io::Result<std::path::PathBuf> {
    std::fs::read_link(proc_dir.join("ns/ipc"))
}

/// The lines of a `/proc/PID/maps` that name a SysV mapping, read a line at
/// a time: a process can make its maps hundreds of megabytes (thousands of
/// mappings under long names), and only these short lines matter. As
/// bytes, since a file name in the maps need not be UTF-8. `None` when the
/// maps have no line at all (a task that exited).
fn sysv_lines(maps: impl std::io::Read) -> std::io::Result<Option<String>> {
    let mut lines = crate::procread::MapsLines::new(maps);
    let (mut any, mut kept) = (false, String::new());
    while let Some(line) = lines.next_line()? {
        any = true;
        // A SysV line is short: `/SYSV` and 8 hex digits, then ` (deleted)`.
        if line.whole() && line.head.windows(5).any(|w| w == b"/SYSV") {
            kept.push_str(&String::from_utf8_lossy(line.head));
            kept.push('\n');
        }
    }
    Ok(any.then_some(kept))
}

/// Where the text of a `/proc/PID/maps` maps SysV segment `shmid`: lines
/// whose path is the kernel's `/SYSV` + 8 hex digits and whose inode is the
/// shmid. Parsed here rather than with procfs, whose parser panics on a
/// mapped file that a process named `/SYSV…` with fewer than 8 characters
/// after it (any container can make one).
///
/// `devices` are the kernel's shared memory devices
/// ([`crate::sysv::shmem_devices`]): a mapping on any other device is a file
/// a process named and numbered to look like the segment (a tmpfs in a user
/// namespace can do it), not the segment. Empty: not checked.
fn sysv_ranges(maps: &str, shmid: i32, devices: &[u64]) -> Vec<(u64, u64)> {
    maps.lines()
        .filter_map(|line| {
            let mut fields = line.split_ascii_whitespace();
            let range = fields.next()?;
            let device = fields.nth(2)?;
            let inode = fields.next()?;
            let name = fields.next()?.strip_prefix("/SYSV")?;
            if !devices.is_empty() {
                let (major, minor) = device.split_once(':')?;
                let (major, minor) = (
                    u32::from_str_radix(major, 16).ok()?,
                    u32::from_str_radix(minor, 16).ok()?,
                );
                if !devices.contains(&libc::makedev(major, minor)) {
                    return None;
                }
            }
            let sysv_name = name.len() == 8 && name.bytes().all(|b| b.is_ascii_hexdigit());
            if !sysv_name || inode.parse::<i64>().ok()? != i64::from(shmid) {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            Some((
                u64::from_str_radix(start, 16).ok()?,
                u64::from_str_radix(end, 16).ok()?,
            ))
        })
        .collect()
}

/// A process that has a segment mapped, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attacher {
    pub process: ProcessInfo,
    /// Start and end address of each mapping of the segment.
    pub ranges: Vec<(u64, u64)>,
}

/// The processes that have a segment mapped, and how many could not be looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attachers {
    pub found: Vec<Attacher>,
    /// Processes whose IPC namespace or maps this user may not read
    /// (another user's, when not root), or that did not answer within
    /// [`crate::procread::DEADLINE`]: any of them may hold attaches.
    pub unreadable: Vec<Uninspected>,
}

impl Attachers {
    /// The mappings seen: each counts once in nattch, as each shmat, fork
    /// or split of a mapping adds one.
    pub fn mappings(&self) -> u64 {
        self.found.iter().map(|a| a.ranges.len() as u64).sum()
    }
}

/// The processes, in this IPC namespace, that have segment `shmid` mapped.
/// A SysV mapping's inode is the shmid. Processes that exit meanwhile are
/// passed over; those this user may not read, or that do not answer within
/// [`crate::procread::DEADLINE`], are counted.
pub fn attached(shmid: i32) -> Attachers {
    let mut result = Attachers::default();
    let Ok(own_ns) = ipc_namespace(Path::new("/proc/self")) else {
        return result;
    };
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return result;
    };
    let pids: Vec<i32> = dir
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect();
    let devices = crate::sysv::shmem_devices();
    let probe = move |pid| sysv_look(pid, &own_ns, shmid, &devices);
    crate::procread::each_within(
        pids,
        crate::procread::DEADLINE,
        probe,
        |pid, look| match look {
            None => result
                .unreadable
                .push(Uninspected::because(pid, "maps", Refusal::NoAnswer)),
            Some(Look::Unreadable(file)) => result.unreadable.push(Uninspected::probe(pid, file)),
            Some(Look::Ranges(ranges)) => {
                if let Some(process) = info(pid) {
                    result.found.push(Attacher { process, ranges });
                }
            }
            Some(Look::Nothing) => {}
        },
    );
    result
}

/// What one process shows of a segment.
enum Look {
    /// Not mapped, in another IPC namespace, or gone.
    Nothing,
    /// Its IPC namespace or maps (this file of /proc/PID) cannot be read.
    Unreadable(&'static str),
    /// Mapped at these ranges.
    Ranges(Vec<(u64, u64)>),
}

/// Where process `pid` maps segment `shmid` of the IPC namespace `own_ns`:
/// read from the leader, or where the leader exited while other threads
/// run, from one of them.
fn sysv_look(pid: i32, own_ns: &Path, shmid: i32, devices: &[u64]) -> Look {
    use crate::procread::{TaskState, gone, memory_dirs};
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    let failed = |e: &std::io::Error, file| {
        if gone(e) {
            Look::Nothing
        } else {
            Look::Unreadable(file)
        }
    };
    let dirs = match TaskState::read(&proc_dir).and_then(|s| memory_dirs(&proc_dir, pid, &s)) {
        Ok(dirs) => dirs,
        Err(e) => return failed(&e, "task"),
    };
    for dir in dirs {
        match ipc_namespace(&dir) {
            Ok(ns) if ns == own_ns => {}
            Ok(_) => return Look::Nothing,
            Err(e) if gone(&e) => continue,
            Err(e) => return failed(&e, "ns/ipc"),
        }
        match std::fs::File::open(dir.join("maps")).and_then(sysv_lines) {
            Ok(Some(maps)) => {
                let ranges = sysv_ranges(&maps, shmid, devices);
                return if ranges.is_empty() {
                    Look::Nothing
                } else {
                    Look::Ranges(ranges)
                };
            }
            // A thread that exited meanwhile: try the next.
            Ok(None) => continue,
            Err(e) if gone(&e) => continue,
            Err(e) => return failed(&e, "maps"),
        }
    }
    Look::Nothing
}

/// The hidepid option /proc is mounted with, if any: other users'
/// processes are then invisible, not merely unreadable.
pub fn hidepid() -> Option<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .ok()
        .and_then(|text| proc_hidepid(&text))
}

/// A process whose maps, descriptors or namespaces this run could not read:
/// shared memory it uses is unseen. Recorded, never printed, here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uninspected {
    pub pid: i32,
    /// Its effective uid (/proc/PID/status), when that can be read.
    pub uid: Option<u32>,
    /// The kernel shows /proc/PID as root's, not its user's: non-dumpable.
    /// (Not told for a process of uid 0.)
    pub non_dumpable: bool,
    /// The /proc file that refused, such as `/proc/7/maps`.
    pub file: String,
    pub why: Refusal,
}

/// Why the kernel would not let this process read another's /proc files
/// (the ptrace read check, which maps, fd and ns/* need).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Refusal {
    /// Another user's process, and this process lacks CAP_SYS_PTRACE.
    OtherUser,
    /// It holds capabilities this process lacks, which lacks CAP_SYS_PTRACE.
    MoreCapabilities,
    /// Non-dumpable (setuid, or prctl(PR_SET_DUMPABLE, 0)), and this
    /// process lacks CAP_SYS_PTRACE.
    NonDumpable,
    /// This process has CAP_SYS_PTRACE only in a user namespace (a
    /// container's) that does not own that process.
    OtherUserNamespace,
    /// Refused even with CAP_SYS_PTRACE in the initial user namespace: a
    /// security module (LSM) or sandbox policy.
    Policy,
    /// It did not answer within [`crate::procread::DEADLINE`]: a read of
    /// its /proc files waited (on its memory lock, or a file system).
    NoAnswer,
    /// Its root or /dev is on a file system that may never answer a
    /// lookup (FUSE, a network file system), so it was not looked into.
    UnansweringFileSystem,
}

impl Refusal {
    /// Why, in words.
    pub fn text(self) -> &'static str {
        match self {
            Refusal::OtherUser => "another user's process, and this one lacks CAP_SYS_PTRACE",
            Refusal::MoreCapabilities => {
                "it holds capabilities this process lacks, and this one lacks CAP_SYS_PTRACE"
            }
            Refusal::NonDumpable => {
                "non-dumpable (setuid, or prctl(PR_SET_DUMPABLE, 0)), and this process lacks CAP_SYS_PTRACE"
            }
            Refusal::OtherUserNamespace => {
                "this process has CAP_SYS_PTRACE only in a user namespace (a container's) that does not own that process"
            }
            Refusal::Policy => {
                "refused despite root's CAP_SYS_PTRACE in the initial user namespace: a security module (LSM) or sandbox policy"
            }
            Refusal::NoAnswer => {
                "it did not answer within 2 s (a read of its /proc files waited on its memory or a file system)"
            }
            Refusal::UnansweringFileSystem => {
                "its root or /dev is on a file system that may never answer a lookup (FUSE or network)"
            }
        }
    }

    /// What would let shmtool read such a process; `None` when nothing
    /// shmtool's user can do (root is never told to become root).
    pub fn remedy(self) -> Option<&'static str> {
        match self {
            Refusal::OtherUser | Refusal::MoreCapabilities | Refusal::NonDumpable
                if Caller::get().euid != 0 =>
            {
                Some("run as root")
            }
            Refusal::OtherUser | Refusal::MoreCapabilities | Refusal::NonDumpable => {
                Some("give shmtool CAP_SYS_PTRACE")
            }
            Refusal::OtherUserNamespace => {
                Some("run shmtool on the host, outside this user namespace")
            }
            Refusal::Policy | Refusal::NoAnswer | Refusal::UnansweringFileSystem => None,
        }
    }
}

/// Capabilities that pass the ptrace read check on another user's or a
/// non-dumpable process (measured on Linux 6.18: CAP_SYS_PTRACE, and
/// CAP_SYS_ADMIN or CAP_PERFMON as well), as bits of CapEff.
const PTRACE_READ_CAPS: u64 = (1 << 19) | (1 << 21) | (1 << 38);

/// What the ptrace read check looks at in this process.
#[derive(Clone, Copy, Debug)]
struct Caller {
    euid: u32,
    /// CAP_SYS_PTRACE (or another that passes the check) is in effect.
    ptrace: bool,
    /// The permitted capabilities (CapPrm), which must cover the target's.
    permitted: u64,
    /// The effective capabilities (CapEff).
    effective: u64,
    /// In the initial user namespace, where CAP_SYS_PTRACE reaches every process.
    initial_userns: bool,
}

impl Caller {
    fn get() -> Caller {
        static CALLER: std::sync::OnceLock<Caller> = std::sync::OnceLock::new();
        *CALLER.get_or_init(|| {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let cap_eff = caps(&status, "CapEff:").unwrap_or(0);
            // The initial namespace maps every uid to itself; a container's cannot.
            let map = std::fs::read_to_string("/proc/self/uid_map").unwrap_or_default();
            let identity = map.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"];
            Caller {
                euid: uzers::get_effective_uid(),
                ptrace: cap_eff & PTRACE_READ_CAPS != 0,
                permitted: caps(&status, "CapPrm:").unwrap_or(0),
                effective: cap_eff,
                initial_userns: identity,
            }
        })
    }
}

/// Whether this process has capability number `cap` (include/uapi/linux/
/// capability.h: CAP_DAC_OVERRIDE is 1) in effect.
pub fn has_capability(cap: u32) -> bool {
    Caller::get().effective & (1 << cap) != 0
}

/// A capability set (`CapPrm:`, `CapEff:`) of a /proc/PID/status text.
fn caps(status: &str, name: &str) -> Option<u64> {
    let hex = status.lines().find_map(|l| l.strip_prefix(name))?.trim();
    u64::from_str_radix(hex, 16).ok()
}

impl Uninspected {
    /// Records that `/proc/PID/FILE` of `pid` was refused, and finds out
    /// why from what anyone may read: its uid and capabilities, and the
    /// owner of /proc/PID/maps (root's, not the process's, while it is
    /// non-dumpable; /proc/PID itself keeps the process's).
    pub fn probe(pid: i32, file: &str) -> Uninspected {
        use std::os::unix::fs::MetadataExt;
        let dir = format!("/proc/{pid}");
        let status = std::fs::read_to_string(format!("{dir}/status")).unwrap_or_default();
        // The second Uid value is the effective one, which ptrace compares.
        let uid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|v| v.split_whitespace().nth(1)?.parse().ok());
        let owner = std::fs::metadata(format!("{dir}/maps"))
            .ok()
            .map(|m| m.uid());
        let caller = Caller::get();
        let why = if !caller.ptrace {
            let more = caps(&status, "CapPrm:").is_some_and(|c| c & !caller.permitted != 0);
            if uid != Some(caller.euid) {
                Refusal::OtherUser
            } else if more {
                Refusal::MoreCapabilities
            } else {
                Refusal::NonDumpable
            }
        } else if !caller.initial_userns {
            Refusal::OtherUserNamespace
        } else {
            Refusal::Policy
        };
        Uninspected {
            pid,
            uid,
            non_dumpable: uid.is_some() && owner.is_some() && uid != owner,
            file: format!("{dir}/{file}"),
            why,
        }
    }

    /// Records that `/proc/PID/FILE` of `pid` was not read, for a reason
    /// already known (no answer in time; a file system that may not answer).
    pub fn because(pid: i32, file: &str, why: Refusal) -> Uninspected {
        Uninspected {
            why,
            ..Uninspected::probe(pid, file)
        }
    }
}

/// The end of a message that setns needs CAP_SYS_ADMIN: `; run as root`
/// for a user; for root, which has it, why it was not enough.
pub fn setns_remedy() -> &'static str {
    if Caller::get().euid == 0 {
        " over the namespace's user namespace, which this process lacks (in a container, run shmtool on the host)"
    } else {
        "; run as root"
    }
}

/// Distinct processes among `lists`, by pid: one process refused by two
/// scans counts once.
pub fn distinct<'a>(lists: impl IntoIterator<Item = &'a [Uninspected]>) -> Vec<&'a Uninspected> {
    let mut seen = std::collections::BTreeMap::new();
    for list in lists {
        for u in list {
            seen.entry(u.pid).or_insert(u);
        }
    }
    seen.into_values().collect()
}

/// One process as shmtool shows it (pid, user, command), if it still runs.
pub fn process_info(pid: i32) -> Option<ProcessInfo> {
    info(pid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MAPS: &str = "\
55d0c0000000-55d0c0001000 r--p 00000000 fe:00 1234 /usr/bin/shm_peer
7f1e2a000000-7f1e2a007000 rw-s 00000000 00:01 3 /SYSV00001234 (deleted)
7f1e2b000000-7f1e2b001000 r--s 00000000 00:01 4 /SYSVdeadbeef (deleted)
7f1e2c000000-7f1e2c001000 r--s 00000000 fe:00 3 /SYSVx
7f1e2d000000-7f1e2d001000 r--s 00000000 fe:00 3 /SYSV
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
";

    #[test]
    fn finds_the_segments_mappings_by_inode() {
        assert_eq!(
            sysv_ranges(MAPS, 3, &[]),
            [(0x7f1e_2a00_0000, 0x7f1e_2a00_7000)]
        );
        assert_eq!(
            sysv_ranges(MAPS, 4, &[]),
            [(0x7f1e_2b00_0000, 0x7f1e_2b00_1000)]
        );
        assert_eq!(
            sysv_ranges(MAPS, 1234, &[]),
            [],
            "a file, not a SysV mapping"
        );
        assert_eq!(sysv_ranges(MAPS, 0, &[]), []);
    }

    #[test]
    fn a_file_named_and_numbered_like_a_segment_is_not_one() {
        let shm = [libc::makedev(0, 1)];
        let forged = "7f00-7f01 r--s 00000000 00:29 3 /SYSV00001234 (deleted)\n";
        assert_eq!(sysv_ranges(forged, 3, &shm), []);
        assert_eq!(
            sysv_ranges(MAPS, 3, &shm),
            [(0x7f1e_2a00_0000, 0x7f1e_2a00_7000)]
        );
        assert!(!crate::sysv::shmem_devices().is_empty());
    }

    #[test]
    fn commands_show_as_ps_shows_them() {
        let shown = |args: &[u8], state, kthread| {
            String::from_utf8(shown_command(args, b"name", state, kthread)).unwrap()
        };
        assert_eq!(shown(b"sleep\0x\0", 'S', false), "sleep x");
        assert_eq!(shown(b"a\0\0b\0", 'S', false), "a  b", "an empty argument");
        assert_eq!(shown(b"set title", 'S', false), "set title", "setproctitle");
        assert_eq!(shown(b"", 'I', true), "[name]");
        assert_eq!(shown(b"", 'Z', false), "[name] <defunct>");
        assert_eq!(shown(b"", 'X', false), "[name] <defunct>");
        assert_eq!(
            shown(b"", 'S', false),
            "(name)",
            "no arguments: not a kernel thread"
        );
        assert_eq!(shown(b"\0\0\0", 'R', false), "(name)", "arguments cleared");
    }

    #[test]
    fn a_kernel_thread_shows_as_its_bracketed_name() {
        // Kernel threads are visible unless this runs in its own pid namespace.
        let Some(Ok(kthread)) = procfs::process::all_processes()
            .unwrap()
            .flatten()
            .find(|p| p.stat().is_ok_and(|s| s.flags & PF_KTHREAD != 0))
            .map(|p| p.stat())
        else {
            return;
        };
        let mut procs = Processes::new();
        let info = procs.get(kthread.pid).unwrap();
        assert!(info.kernel_thread);
        assert_eq!(
            info.command.bytes(),
            format!("[{}]", kthread.comm).as_bytes()
        );
        let me = procs.get(std::process::id() as i32).unwrap();
        assert!(!me.kernel_thread && !me.command.bytes().starts_with(b"["));
    }

    #[test]
    fn finds_hidepid_on_the_top_proc_mount() {
        let plain = "22 27 0:21 / /proc rw,relatime - proc proc rw\n";
        assert_eq!(proc_hidepid(plain), None);
        let hidden = format!("{plain}40 22 0:50 / /proc rw - proc proc rw,hidepid=invisible\n");
        assert_eq!(proc_hidepid(&hidden).as_deref(), Some("hidepid=invisible"));
        let off = "22 27 0:21 / /proc rw - proc proc rw,hidepid=0\n";
        assert_eq!(proc_hidepid(off), None);
        assert_eq!(proc_hidepid("garbage"), None);
    }

    #[test]
    fn root_is_never_told_to_run_as_root() {
        if uzers::get_effective_uid() != 0 {
            return;
        }
        for why in [
            Refusal::OtherUser,
            Refusal::MoreCapabilities,
            Refusal::NonDumpable,
            Refusal::OtherUserNamespace,
            Refusal::Policy,
        ] {
            assert_ne!(why.remedy(), Some("run as root"), "{why:?}");
        }
    }

    #[test]
    fn a_process_two_scans_refused_counts_once() {
        let one = |pid, file: &str| Uninspected {
            pid,
            uid: Some(0),
            non_dumpable: false,
            file: file.into(),
            why: Refusal::Policy,
        };
        let (a, b) = ([one(1, "ns/ipc"), one(7, "ns/ipc")], [one(1, "maps")]);
        let pids: Vec<i32> = distinct([a.as_slice(), b.as_slice()])
            .iter()
            .map(|u| u.pid)
            .collect();
        assert_eq!(pids, [1, 7]);
    }

    proptest! {
        #[test]
        fn arbitrary_maps_never_panic(text in "\\PC*", shmid in any::<i32>()) {
            let _ = sysv_ranges(&text, shmid, &[libc::makedev(0, 1)]);
        }
    }
}
