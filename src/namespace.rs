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
    /// The container or Kubernetes pod id of its processes; `None` on the
    /// caller's own namespace and where no cgroup names one.
    pub container: Option<String>,
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
    pub container: Option<String>,
    /// Whether it is the caller's own `/dev/shm`.
    pub own: bool,
    /// `/proc/NSPID/root/dev/shm`, for messages.
    pub path: PathBuf,
    /// That directory, opened (O_PATH) while the process was known to see it.
    pub dir: File,
}

/// What a walk of `/proc` found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Distinct IPC namespaces, the caller's first, then by lowest pid.
    pub namespaces: Vec<IpcNamespace>,
    /// Distinct `/dev/shm` devices, the caller's first, then by lowest pid.
    pub devshms: Vec<DevShm>,
    /// Processes whose namespaces could not be looked at (permission), and
    /// processes in namespaces that could not be opened, with why.
    pub uninspected: Vec<Uninspected>,
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

fn open_dir_path(path: &str) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
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
        let container = || std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok();
        match ipc_index.get(&ipc) {
            Some(&i) => {
                let ns = &mut found.namespaces[i];
                ns.processes += 1;
                if !ns.own && ns.container.is_none() {
                    ns.container = container().and_then(|text| container_id(&text));
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
                    container: if own {
                        None
                    } else {
                        container().and_then(|text| container_id(&text))
                    },
                    own,
                    processes: 1,
                    file,
                });
            }
        }
        if devshm {
            discover_devshm(pid, own_mnt, own_devshm, &mut found, &mut devshm_index);
        }
    }
    let unopened = unopened.into_values().flatten();
    found
        .uninspected
        .extend(unopened.map(|pid| Uninspected::probe(pid, "ns/ipc")));
    // The caller's own first: it is "the host" in every listing.
    found.namespaces.sort_by_key(|ns| (!ns.own, ns.nspid));
    found.devshms.sort_by_key(|d| (!d.own, d.nspid));
    Ok(found)
}

/// Records `/proc/PID/root/dev/shm` if its device is new.
fn discover_devshm(
    pid: i32,
    own_mnt: Option<u64>,
    own_devshm: Option<u64>,
    found: &mut Discovery,
    index: &mut HashMap<u64, usize>,
) {
    let path = format!("/proc/{pid}/root/dev/shm");
    let Ok(meta) = std::fs::metadata(&path) else {
        return;
    };
    let dev = meta.dev();
    if let Some(&i) = index.get(&dev) {
        let d = &mut found.devshms[i];
        if !d.own && d.container.is_none() {
            d.container = std::fs::read_to_string(format!("/proc/{pid}/cgroup"))
                .ok()
                .and_then(|text| container_id(&text));
        }
        return;
    }
    let Ok(dir) = open_dir_path(&path) else {
        return;
    };
    if !dir.metadata().is_ok_and(|m| m.dev() == dev) {
        return;
    }
    let mntns = std::fs::metadata(format!("/proc/{pid}/ns/mnt")).map_or(0, |m| m.ino());
    let own = Some(dev) == own_devshm && (own_mnt.is_none() || own_mnt == Some(mntns) || pid == 1);
    index.insert(dev, found.devshms.len());
    found.devshms.push(DevShm {
        mntns,
        major: libc::major(dev),
        minor: libc::minor(dev),
        nspid: pid,
        container: if own {
            None
        } else {
            std::fs::read_to_string(format!("/proc/{pid}/cgroup"))
                .ok()
                .and_then(|text| container_id(&text))
        },
        own,
        path: path.into(),
        dir,
    });
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
            container: None,
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
        crate::posix::Dir::reopen(&self.dir, self.path.clone())
    }
}

/// The container id (Docker, containerd/CRI, CRI-O, Podman) or Kubernetes
/// pod uid named in a `/proc/PID/cgroup` text; the unified (`0::`) line is
/// looked at first, then the others in order. A pod uid wins over a
/// container id on the same line: a pod's containers share one IPC
/// namespace.
pub fn container_id(cgroup: &str) -> Option<String> {
    let unified = cgroup.lines().filter(|l| l.starts_with("0::"));
    let others = cgroup.lines().filter(|l| !l.starts_with("0::"));
    unified.chain(others).find_map(|line| {
        let path = line.splitn(3, ':').nth(2)?;
        pod_uid(path).or_else(|| runtime_id(path))
    })
}

/// `kubepods-besteffort-pod<uid_>.slice` (systemd driver) or
/// `/kubepods/<qos>/pod<uid>` (cgroupfs driver).
fn pod_uid(path: &str) -> Option<String> {
    let mut in_kubepods = false;
    for part in path.split('/') {
        if part.starts_with("kubepods") {
            in_kubepods = true;
            if let Some(slice) = part.strip_suffix(".slice")
                && let Some((_, uid)) = slice.rsplit_once("-pod")
                && is_uid(uid)
            {
                return Some(uid.replace('_', "-"));
            }
        } else if in_kubepods
            && let Some(uid) = part.strip_prefix("pod")
            && is_uid(uid)
        {
            return Some(uid.replace('_', "-"));
        }
    }
    None
}

fn is_uid(text: &str) -> bool {
    text.len() >= 8
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'-' || b == b'_')
}

fn is_hex_id(text: &str) -> bool {
    text.len() >= 12 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`,
/// `libpod-<id>.scope` (systemd drivers) or `/docker/<id>` (cgroupfs).
fn runtime_id(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let name = part.strip_suffix(".scope").unwrap_or(part);
        for prefix in ["docker-", "cri-containerd-", "crio-", "libpod-"] {
            if let Some(id) = name.strip_prefix(prefix)
                && is_hex_id(id)
            {
                return Some(id.to_owned());
            }
        }
        if matches!(*part, "docker" | "libpod_parent" | "crio")
            && let Some(next) = parts.get(i + 1)
            && is_hex_id(next.strip_prefix("libpod-").unwrap_or(next))
        {
            return Some(next.strip_prefix("libpod-").unwrap_or(next).to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::container_id;

    const ID: &str = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";

    #[test]
    fn container_ids_of_each_runtime() {
        for (text, want) in [
            (
                format!("0::/system.slice/docker-{ID}.scope\n"),
                ID.to_owned(),
            ),
            (format!("12:memory:/docker/{ID}\n0::/\n"), ID.to_owned()),
            (
                format!("0::/system.slice/cri-containerd-{ID}.scope\n"),
                ID.to_owned(),
            ),
            (
                format!("0::/machine.slice/crio-{ID}.scope\n"),
                ID.to_owned(),
            ),
            (
                format!(
                    "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope/container\n"
                ),
                ID.to_owned(),
            ),
            (
                format!(
                    "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1a2b3c4d_0000_4e5f_8a9b_001122334455.slice/cri-containerd-{ID}.scope\n"
                ),
                "1a2b3c4d-0000-4e5f-8a9b-001122334455".to_owned(),
            ),
            (
                format!(
                    "4:memory:/kubepods/burstable/pod1a2b3c4d-0000-4e5f-8a9b-001122334455/{ID}\n0::/\n"
                ),
                "1a2b3c4d-0000-4e5f-8a9b-001122334455".to_owned(),
            ),
            (
                format!(
                    "0::/kubepods.slice/kubepods-pod1a2b3c4d_0000_4e5f_8a9b_001122334455.slice/crio-{ID}.scope\n"
                ),
                "1a2b3c4d-0000-4e5f-8a9b-001122334455".to_owned(),
            ),
        ] {
            assert_eq!(container_id(&text).as_deref(), Some(&*want), "{text}");
        }
    }

    #[test]
    fn unified_line_first_and_host_paths_name_nothing() {
        let other = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let text = format!("9:name=systemd:/docker/{other}\n0::/system.slice/docker-{ID}.scope\n");
        assert_eq!(container_id(&text).as_deref(), Some(ID));
        for host in [
            "0::/\n",
            "0::/system.slice/ssh.service\n1:name=systemd:/user.slice/user-0.slice/session-1.scope\n",
            "0::/system.slice/docker.service\n",
            "0::/docker-notanid.scope\n",
        ] {
            assert_eq!(container_id(host), None, "{host}");
        }
    }
}
