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
    /// Start time, epoch seconds.
    pub start: i64,
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

fn info(pid: i32, boot_time: i64) -> Option<ProcessInfo> {
    let process = Process::new(pid).ok()?;
    let stat = process.stat().ok()?;
    let ticks = crate::sysv::clock_ticks();
    let start = boot_time + (stat.starttime / ticks) as i64;
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
        start,
        state: stat.state,
        kernel_thread,
    })
}

/// The boot time, epoch seconds, from the `btime` line of /proc/stat. (Read
/// here rather than through procfs's KernelStats, which also reads the
/// auxiliary vector and crashes under valgrind.)
fn boot_time() -> i64 {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("btime "))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Looks processes up once each.
#[derive(Debug, Default)]
pub struct Processes {
    boot_time: Option<i64>,
    cache: HashMap<i32, Option<ProcessInfo>>,
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
        let boot_time = *self.boot_time.get_or_insert_with(boot_time);
        self.cache
            .entry(pid)
            .or_insert_with(|| info(pid, boot_time))
            .as_ref()
    }

    /// The segment's creator, if it still runs. A process with the creator's
    /// pid that started after the segment's last change reuses the pid: it is
    /// not the creator.
    pub fn creator(&mut self, seg: &Segment) -> Option<&ProcessInfo> {
        // Start times are whole seconds; allow one for rounding.
        self.get(seg.cpid).filter(|p| p.start <= seg.ctime + 1)
    }

    /// Whether the creator of a segment is known to be gone. A cpid of 0 means
    /// the creator is outside this pid namespace: unknown, so not gone.
    pub fn creator_gone(&mut self, seg: &Segment) -> bool {
        seg.cpid > 0 && self.creator(seg).is_none()
    }
}

/// The IPC namespace a process is in, as the link `/proc/PID/ns/ipc` names it.
fn ipc_namespace(proc_dir: &Path) -> std::io::Result<std::path::PathBuf> {
    std::fs::read_link(proc_dir.join("ns/ipc"))
}

/// Where the text of a `/proc/PID/maps` maps SysV segment `shmid`: lines
/// whose path is the kernel's `/SYSV` + 8 hex digits and whose inode is the
/// shmid. Parsed here rather than with procfs, whose parser panics on a
/// mapped file that a process named `/SYSV…` with fewer than 8 characters
/// after it (any container can make one).
fn sysv_ranges(maps: &str, shmid: i32) -> Vec<(u64, u64)> {
    maps.lines()
        .filter_map(|line| {
            let mut fields = line.split_ascii_whitespace();
            let range = fields.next()?;
            let inode = fields.nth(3)?;
            let name = fields.next()?.strip_prefix("/SYSV")?;
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
    /// (another user's, when not root): any of them may hold attaches.
    pub unreadable: usize,
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
/// passed over; those this user may not read are counted.
pub fn attached(shmid: i32) -> Attachers {
    let mut result = Attachers::default();
    let Ok(own_ns) = ipc_namespace(Path::new("/proc/self")) else {
        return result;
    };
    let Ok(all) = procfs::process::all_processes() else {
        return result;
    };
    let boot_time = boot_time();
    let denied = |e: &std::io::Error| e.kind() == std::io::ErrorKind::PermissionDenied;
    for process in all.flatten() {
        let proc_dir = Path::new("/proc").join(process.pid.to_string());
        match ipc_namespace(&proc_dir) {
            Ok(ns) if ns == own_ns => {}
            Ok(_) => continue,
            Err(e) => {
                result.unreadable += usize::from(denied(&e));
                continue;
            }
        }
        // As bytes: a file name in the maps need not be UTF-8.
        let maps = match std::fs::read(proc_dir.join("maps")) {
            Ok(maps) => maps,
            Err(e) => {
                result.unreadable += usize::from(denied(&e));
                continue;
            }
        };
        let ranges = sysv_ranges(&String::from_utf8_lossy(&maps), shmid);
        if !ranges.is_empty()
            && let Some(process) = info(process.pid, boot_time)
        {
            result.found.push(Attacher { process, ranges });
        }
    }
    result
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
        assert_eq!(sysv_ranges(MAPS, 3), [(0x7f1e_2a00_0000, 0x7f1e_2a00_7000)]);
        assert_eq!(sysv_ranges(MAPS, 4), [(0x7f1e_2b00_0000, 0x7f1e_2b00_1000)]);
        assert_eq!(sysv_ranges(MAPS, 1234), [], "a file, not a SysV mapping");
        assert_eq!(sysv_ranges(MAPS, 0), []);
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

    proptest! {
        #[test]
        fn arbitrary_maps_never_panic(text in "\\PC*", shmid in any::<i32>()) {
            let _ = sysv_ranges(&text, shmid);
        }
    }
}
