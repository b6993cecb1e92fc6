//! Processes behind segments: whether a segment's creator still runs, and
//! which processes have a segment attached.

use std::collections::HashMap;
use std::path::Path;

use procfs::process::Process;

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
    /// The state letter of /proc/PID/stat: `R`, `S`, `Z` (zombie), `X` (dead)…
    pub state: char,
    /// A kernel thread (PF_KTHREAD), which has no command line of its own.
    pub kernel_thread: bool,
}

/// PF_KTHREAD in the flags field of /proc/PID/stat (include/linux/sched.h).
const PF_KTHREAD: u32 = 0x0020_0000;

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
        state: stat.state,
        kernel_thread: stat.flags & PF_KTHREAD != 0,
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
        let proc_dir = Path::new("/proc").join(process.pid.to_string());
        if ipc_namespace(&proc_dir).as_deref() != Some(own_ns.as_path()) {
            continue;
        }
        let Ok(maps) = std::fs::read_to_string(format!("/proc/{}/maps", process.pid)) else {
            continue;
        };
        let ranges = sysv_ranges(&maps, shmid);
        if !ranges.is_empty()
            && let Some(process) = info(process.pid, boot_time)
        {
            found.push(Attacher { process, ranges });
        }
    }
    found
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

    proptest! {
        #[test]
        fn arbitrary_maps_never_panic(text in "\\PC*", shmid in any::<i32>()) {
            let _ = sysv_ranges(&text, shmid);
        }
    }
}
