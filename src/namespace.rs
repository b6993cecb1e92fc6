//! Every IPC namespace on the host (and every `/dev/shm`), found through
//! `/proc/*/ns`, and the segments of each, read from inside it.
//!
//! `setns(CLONE_NEWIPC)` moves only the calling thread, so each namespace is
//! read on a short-lived thread of its own and the caller's thread stays
//! where it was. `/proc/sysvipc/shm` read there shows the pids of the
//! caller's pid namespace: the host's when run on the host.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::PathBuf;

use crate::cgroup::{self, Cgroup};
use crate::error::Error;
use crate::process::Uninspected;
use crate::segment::Segment;
use crate::sysv;

/// One IPC namespace.
#[derive(Debug)]
pub struct IpcNamespace {
    /// The namespace file's inode, as `lsns` prints it.
    pub inode: u64,
    /// The lowest pid in the namespace (usable with `--ns`).
    pub nspid: i32,
    /// The cgroup of its processes, with the container or Kubernetes pod
    /// that holds it ([`crate::cgroup`]); `None` on the caller's own
    /// namespace and where no cgroup could be read.
    pub cgroup: Option<Cgroup>,
    /// Whether this is the caller's own namespace (read without setns).
    pub own: bool,
    /// How many processes are in it.
    pub processes: usize,
    /// `/proc/NSPID/ns/ipc`, opened while the process was known to be in
    /// it, so a pid reused later cannot redirect the read.
    file: Option<File>,
}

/// One `/dev/shm` (a mount namespace's), for the POSIX side.
#[derive(Debug)]
pub struct DevShm {
    /// The mount namespace inode of the lowest pid that sees it.
    pub mntns: u64,
    /// The device of `/dev/shm` (`st_dev`), as major and minor.
    pub major: u32,
    pub minor: u32,
    pub nspid: i32,
    pub cgroup: Option<Cgroup>,
    /// Whether it is the caller's own `/dev/shm`.
    pub own: bool,
    /// `/proc/NSPID/root/dev/shm`, for messages.
    pub path: PathBuf,
    /// That directory, opened (O_PATH) beneath the process's root while
    /// the process was known to see it.
    pub dir: File,
    /// Whose objects in it may be named and acted on.
    pub owners: crate::foreign::Owners,
}

/// A process's `/dev/shm` that is not taken: not the root of a tmpfs of
/// its own, or reached only through a symlink.
#[derive(Debug)]
pub struct RejectedDevShm {
    /// The mount namespace inode (each counted once).
    pub mntns: u64,
    /// The lowest pid that sees it.
    pub pid: i32,
    pub why: String,
}

/// What a walk of `/proc` found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Distinct IPC namespaces, the caller's first, then by lowest pid.
    pub namespaces: Vec<IpcNamespace>,
    /// Distinct `/dev/shm` devices, the caller's first, then by lowest pid.
    pub devshms: Vec<DevShm>,
    /// Processes whose namespaces could not be looked at (permission), and
    /// processes in namespaces that could not be opened, or whose /dev/shm
    /// could not be looked for without risking a wait, with why.
    pub uninspected: Vec<Uninspected>,
    /// `/dev/shm` directories left alone, one per mount namespace.
    pub rejected: Vec<RejectedDevShm>,
    /// (device, mount namespace, user namespace) of each /dev/shm checked.
    checked: std::collections::HashSet<(u64, u64, u64)>,
}

/// The namespaces' and segments' shared error text.
fn ns_error(what: String, e: io::Error) -> Error {
    Error::Namespace(format!("{what}: {e}"))
}

fn is_denied(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM))
}

/// The pids in `/proc`, ascending.
fn pids() -> Result<Vec<i32>, Error> {
    let dir = std::fs::read_dir("/proc").map_err(|e| ns_error("reading /proc".into(), e))?;
    let mut pids: Vec<i32> = dir
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    Ok(pids)
}

/// The inode of the caller's own namespace of `kind` (`ipc`, `mnt`).
fn own_inode(kind: &str) -> Option<u64> {
    // thread-self: the namespace of this thread, which --ns may have moved.
    std::fs::metadata(format!("/proc/thread-self/ns/{kind}"))
        .ok()
        .map(|m| m.ino())
}

fn open_ns(path: &str) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
}

/// Finds every IPC namespace on the host through `/proc/*/ns/ipc` and,
/// with `devshm`, every `/dev/shm` through `/proc/*/ns/mnt` and
/// `/proc/*/root/dev/shm` (two more lookups a process, so only when wanted).
pub fn discover(devshm: bool) -> Result<Discovery, Error> {
    let own_ipc = own_inode("ipc");
    let own_mnt = own_inode("mnt");
    let own_devshm = std::fs::metadata("/dev/shm").ok().map(|m| m.dev());
    let mut found = Discovery::default();
    let mut ipc_index: HashMap<u64, usize> = HashMap::new();
    let mut devshm_index: HashMap<u64, usize> = HashMap::new();
    // Namespaces whose file could not be opened: their processes are counted.
    let mut unopened: HashMap<u64, Vec<i32>> = HashMap::new();
    // Processes whose /dev/shm is looked for, after the namespaces.
    let mut devshm_pids = Vec::new();
    for pid in pids()? {
        let ipc = match std::fs::metadata(format!("/proc/{pid}/ns/ipc")) {
            Ok(m) => m.ino(),
            Err(e) if is_denied(&e) => {
                found.uninspected.push(Uninspected::probe(pid, "ns/ipc"));
                continue;
            }
            // Gone since /proc was listed, or a kernel without the file.
            Err(_) => continue,
        };
        if let Some(pids) = unopened.get_mut(&ipc) {
            pids.push(pid);
            continue;
        }
        match ipc_index.get(&ipc) {
            Some(&i) => {
                let ns = &mut found.namespaces[i];
                ns.processes += 1;
                if !ns.own {
                    more_of(&mut ns.cgroup, pid);
                }
            }
            None => {
                let own = Some(ipc) == own_ipc;
                let file = if own {
                    None
                } else {
                    match open_ns(&format!("/proc/{pid}/ns/ipc")) {
                        // The pid may have been reused between stat and open.
                        Ok(file) if file.metadata().is_ok_and(|m| m.ino() == ipc) => Some(file),
                        Ok(_) | Err(_) => {
                            unopened.insert(ipc, vec![pid]);
                            continue;
                        }
                    }
                };
                ipc_index.insert(ipc, found.namespaces.len());
                found.namespaces.push(IpcNamespace {
                    inode: ipc,
                    nspid: pid,
                    cgroup: if own { None } else { cgroup::read(pid) },
                    own,
                    processes: 1,
                    file,
                });
            }
        }
        if devshm {
            devshm_pids.push(pid);
        }
    }
    let unopened = unopened.into_values().flatten();
    found
        .uninspected
        .extend(unopened.map(|pid| Uninspected::probe(pid, "ns/ipc")));
    // The lookup beneath a process's root asks its file system, which may
    // never answer (a root on a silent FUSE mount): each has a deadline.
    let mounts = std::sync::Arc::new(crate::foreign::Mounts::default());
    let probing = std::sync::Arc::clone(&mounts);
    crate::procread::each_within(
        devshm_pids,
        crate::procread::DEADLINE,
        move |pid| crate::foreign::locate(pid, &probing),
        |pid, located| match located {
            Some(located) => discover_devshm(
                pid,
                located,
                &mounts,
                own_mnt,
                own_devshm,
                &mut found,
                &mut devshm_index,
            ),
            None => found.uninspected.push(Uninspected::because(
                pid,
                "root",
                crate::process::Refusal::NoAnswer,
            )),
        },
    );
    // The caller's own first: it is "the host" in every listing.
    found.namespaces.sort_by_key(|ns| (!ns.own, ns.nspid));
    found.devshms.sort_by_key(|d| (!d.own, d.nspid));
    Ok(found)
}

/// Records process `pid`'s `/dev/shm` if its device is new, opened
/// beneath the process's root and checked ([`crate::foreign`]); one that
/// fails the checks is recorded as rejected, once per mount namespace. A
/// device first seen limited to a user namespace's owners and then seen
/// unlimited (set up by someone as privileged as the caller) is unlimited.
fn discover_devshm(
    pid: i32,
    located: Result<crate::foreign::Located, crate::foreign::Refusal>,
    mounts: &crate::foreign::Mounts,
    own_mnt: Option<u64>,
    own_devshm: Option<u64>,
    found: &mut Discovery,
    index: &mut HashMap<u64, usize>,
) {
    use crate::foreign::{self, Owners, Refusal};
    let mntns_of = || std::fs::metadata(format!("/proc/{pid}/ns/mnt")).map_or(0, |m| m.ino());
    // A refused /dev/shm is counted once per mount namespace; one that
    // could not be looked for without risking a wait leaves the process
    // not inspected; one not reached says nothing.
    let refused = |found: &mut Discovery, refusal: Refusal| match refusal {
        Refusal::Rejected(why) => {
            let mntns = mntns_of();
            if !found.rejected.iter().any(|r| r.mntns == mntns) {
                found.rejected.push(RejectedDevShm { mntns, pid, why });
            }
        }
        Refusal::Unanswerable(_) => found.uninspected.push(Uninspected::because(
            pid,
            "root",
            crate::process::Refusal::UnansweringFileSystem,
        )),
        Refusal::Unreachable(_) => {}
    };
    let located = match located {
        Ok(located) => located,
        Err(refusal) => return refused(found, refusal),
    };
    let dev = located.facts.dev;
    let known = index.get(&dev).copied();
    if let Some(i) = known
        && found.devshms[i].owners == Owners::Any
    {
        let d = &mut found.devshms[i];
        if !d.own {
            more_of(&mut d.cgroup, pid);
        }
        return;
    }
    // Another process of a mount and user namespace already looked at: the
    // same verdict, so a rootless container's thousand processes cost one
    // check, not a thousand reads of mountinfo.
    let userns = std::fs::metadata(format!("/proc/{pid}/ns/user")).map_or(0, |m| m.ino());
    if known.is_some() && !found.checked.insert((dev, mntns_of(), userns)) {
        return;
    }
    let checked = match foreign::check(pid, located, mounts) {
        Ok(checked) => checked,
        Err(refusal) => return refused(found, refusal),
    };
    found.checked.insert((dev, checked.mntns, checked.userns));
    let mntns = checked.mntns;
    let own = Some(dev) == own_devshm && (own_mnt.is_none() || own_mnt == Some(mntns) || pid == 1);
    let entry = DevShm {
        mntns,
        major: libc::major(dev),
        minor: libc::minor(dev),
        nspid: pid,
        cgroup: if own { None } else { cgroup::read(pid) },
        own,
        path: format!("/proc/{pid}/root/dev/shm").into(),
        dir: File::from(checked.dir),
        owners: checked.owners,
    };
    match known {
        // First seen through a user namespace, now by a process that may
        // act on every object: the /dev/shm is this process's (a pod's
        // whose tmpfs a user bound first), named and tagged by it.
        Some(i) if entry.owners == Owners::Any => found.devshms[i] = entry,
        // Another user namespace's process: the uids it maps as well.
        Some(i) => found.devshms[i].owners.join(entry.owners),
        None => {
            index.insert(dev, found.devshms.len());
            found.devshms.push(entry);
        }
    }
}

impl IpcNamespace {
    /// The caller's own namespace, alone: what `list` without `-A` reads.
    pub fn own() -> Result<IpcNamespace, Error> {
        let inode = own_inode("ipc").ok_or_else(|| {
            Error::Namespace("cannot stat /proc/thread-self/ns/ipc: is /proc mounted?".into())
        })?;
        Ok(IpcNamespace {
            inode,
            nspid: std::process::id() as i32,
            cgroup: None,
            own: true,
            processes: 1,
            file: None,
        })
    }

    /// Runs `work` inside this namespace, on a thread of its own, and
    /// returns what it returned. The caller's thread does not move.
    pub fn run<T: Send>(&self, work: impl FnOnce() -> T + Send) -> Result<T, Error> {
        if self.file.is_none() {
            return Ok(work());
        }
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    self.enter()?;
                    Ok(work())
                })
                .join()
                .unwrap_or_else(|_| Err(self.failed()))
        })
    }

    /// Moves the calling thread into this namespace (setns), when it is not
    /// the caller's own.
    fn enter(&self) -> Result<(), Error> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        sysv::setns_ipc(file).map_err(|e| {
            Error::Namespace(match e.raw_os_error() {
                Some(libc::EPERM) => format!(
                    "entering IPC namespace {} (pid {}) needs CAP_SYS_ADMIN{}",
                    self.inode,
                    self.nspid,
                    crate::process::setns_remedy()
                ),
                _ => format!(
                    "entering IPC namespace {} (pid {}): {e}",
                    self.inode, self.nspid
                ),
            })
        })
    }

    fn failed(&self) -> Error {
        Error::Namespace(format!("reading IPC namespace {} failed", self.inode))
    }
}

/// The segments and limits of the calling thread's IPC namespace: with
/// `usage` (rss and swap) from /proc, without from the cheaper shmctl walk.
fn read_here(usage: bool) -> Result<NamespaceTable, Error> {
    let (segments, _) = if usage {
        crate::procfs_shm::read_segments()?
    } else {
        crate::procfs_shm::read_segments_without_usage()?
    };
    let limits = sysv::limits().ok();
    Ok(NamespaceTable { segments, limits })
}

/// Reads every namespace's table, in order, on one thread that enters each
/// in turn (setns moves only the calling thread, so the caller's stays
/// where it is): one thread for all of them, not one each. The caller's
/// own namespace is read before the thread enters any other.
pub fn read_all(namespaces: &[IpcNamespace], usage: bool) -> Vec<Result<NamespaceTable, Error>> {
    let order: Vec<usize> = (0..namespaces.len())
        .filter(|&i| namespaces[i].file.is_none())
        .chain((0..namespaces.len()).filter(|&i| namespaces[i].file.is_some()))
        .collect();
    let tables = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                order
                    .iter()
                    .map(|&i| {
                        namespaces[i].enter()?;
                        read_here(usage)
                    })
                    .collect::<Vec<_>>()
            })
            .join()
            .ok()
    });
    let Some(tables) = tables else {
        return namespaces.iter().map(|ns| Err(ns.failed())).collect();
    };
    let mut placed: Vec<Option<Result<NamespaceTable, Error>>> =
        namespaces.iter().map(|_| None).collect();
    for (&i, table) in order.iter().zip(tables) {
        placed[i] = Some(table);
    }
    placed
        .into_iter()
        .zip(namespaces)
        .map(|(table, ns)| table.unwrap_or_else(|| Err(ns.failed())))
        .collect()
}

/// What one namespace holds.
#[derive(Debug)]
pub struct NamespaceTable {
    pub segments: Vec<Segment>,
    /// `shmctl(IPC_INFO)` there; `None` when it failed.
    pub limits: Option<sysv::Limits>,
}

impl DevShm {
    /// Size and used bytes of this `/dev/shm` (statfs).
    pub fn usage(&self) -> io::Result<sysv::FsUsage> {
        sysv::fs_usage(&self.dir)
    }

    /// This `/dev/shm`, opened to list and remove its objects.
    pub fn open(&self) -> io::Result<crate::posix::Dir> {
        crate::posix::Dir::reopen(&self.dir, self.path.clone(), self.owners.clone())
    }
}

/// Takes the cgroup of `pid`, another process in the same namespace, when
/// the lowest pid's named no container and this one's does.
fn more_of(cgroup: &mut Option<Cgroup>, pid: i32) {
    if cgroup.as_ref().is_none_or(|c| c.container.is_none())
        && let Some(more) = cgroup::read(pid)
        && (more.container.is_some() || cgroup.is_none())
    {
        *cgroup = Some(more);
    }
}
