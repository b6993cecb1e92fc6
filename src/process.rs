//! Processes behind segments: whether a segment's creator still runs, and
//! which processes have a segment attached.

use std::collections::HashMap;
use std::path::Path;

use procfs::process::{MMapPath, Process};

use crate::segment::Segment;

/// A running process, as much as shmtool needs of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessInfo {
    pub pid: i32,
    pub uid: u32,
    /// The command line, arguments joined by spaces; `[comm]` for kernel threads.
    pub command: std::rc::Rc<str>,
    /// Start time, epoch seconds.
    pub start: i64,
}

fn info(pid: i32, boot_time: i64) -> Option<ProcessInfo> {
    let process = Process::new(pid).ok()?;
    let stat = process.stat().ok()?;
    let ticks = crate::sysv::clock_ticks();
    let start = boot_time + (stat.starttime / ticks) as i64;
    let args = process.cmdline().unwrap_or_default();
    let command = if args.is_empty() {
        format!("[{}]", stat.comm)
    } else {
        args.join(" ")
    };
    Some(ProcessInfo {
        pid,
        uid: process.uid().ok()?,
        command: command.into(),
        start,
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
fn ipc_namespace(proc_dir: &Path) -> Option<std::path::PathBuf> {
    std::fs::read_link(proc_dir.join("ns/ipc")).ok()
}

/// A process that has a segment mapped, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attacher {
    pub process: ProcessInfo,
    /// Start and end address of each mapping of the segment.
    pub ranges: Vec<(u64, u64)>,
}

/// The processes, in this IPC namespace, that have segment `shmid` mapped.
/// A SysV mapping's inode is the shmid. Processes that cannot be read (they
/// exited, or belong to someone else and we are not root) are passed over.
pub fn attached(shmid: i32) -> Vec<Attacher> {
    let Some(own_ns) = ipc_namespace(Path::new("/proc/self")) else {
        return Vec::new();
    };
    let Ok(all) = procfs::process::all_processes() else {
        return Vec::new();
    };
    let boot_time = boot_time();
    let mut found = Vec::new();
    for process in all.flatten() {
        if ipc_namespace(&Path::new("/proc").join(process.pid.to_string())) != Some(own_ns.clone())
        {
            continue;
        }
        let Ok(maps) = process.maps() else { continue };
        let ranges: Vec<(u64, u64)> = maps
            .iter()
            .filter(|m| matches!(m.pathname, MMapPath::Vsys(_)) && m.inode == shmid as u64)
            .map(|m| m.address)
            .collect();
        if !ranges.is_empty()
            && let Some(process) = info(process.pid, boot_time)
        {
            found.push(Attacher { process, ranges });
        }
    }
    found
}
