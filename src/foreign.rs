//! Another process's `/dev/shm`, reached without trusting that process.
//!
//! `/proc/PID/root/dev/shm` as a path follows the container's symlinks and
//! `..` with root's view of the file system: a container that makes its
//! /dev/shm a symlink to a host directory would have root list, read,
//! chmod and unlink host files. So the directory is opened beneath the
//! process's root (`openat2` with `RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
//! RESOLVE_NO_MAGICLINKS`) and taken only when it is the root of a tmpfs
//! mount of its own, as every container runtime gives (Docker and
//! containerd mount a tmpfs per container and bind it in; Kubernetes an
//! emptyDir of medium Memory). A user namespace can still bind a host
//! tmpfs it can see (`/run`, `/run/user/N`) over its /dev/shm, so where the
//! mount namespace belongs to another user namespace than shmtool's, only
//! objects whose owner that namespace maps are its own ([`Owners`]).

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt;

use rustix::fs::{Mode, OFlags};

use crate::sysv;

/// The ranges of a `/proc/PID/uid_map`, as root of the initial user
/// namespace reads it: (first uid inside, first uid outside, count).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UidMap(Vec<(u32, u32, u32)>);

impl UidMap {
    /// Parses the text of a uid_map: up to 340 lines of three numbers.
    pub fn parse(text: &str) -> Option<UidMap> {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let mut n = line.split_ascii_whitespace().map(|w| w.parse::<u32>().ok());
                match (n.next(), n.next(), n.next(), n.next()) {
                    (Some(Some(inside)), Some(Some(outside)), Some(Some(count)), None) => {
                        Some((inside, outside, count))
                    }
                    _ => None,
                }
            })
            .collect::<Option<Vec<_>>>()
            .map(UidMap)
    }

    /// The uids of both maps.
    pub fn union(&mut self, other: &UidMap) {
        self.0.extend_from_slice(&other.0);
    }

    /// Whether `uid` (as the host sees it) is mapped.
    pub fn maps(&self, uid: u32) -> bool {
        self.0.iter().any(|&(_, outside, count)| {
            uid >= outside && u64::from(uid) < u64::from(outside) + u64::from(count)
        })
    }
}

/// Whose objects of a /dev/shm shmtool may name and act on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Owners {
    /// Everyone's: the mount namespace belongs to shmtool's own user
    /// namespace, so only someone as privileged as the caller set it up.
    #[default]
    Any,
    /// Only the uids this map holds: the mount namespace belongs to user
    /// namespace `userns`, which may have bound any tmpfs it can see.
    Mapped { userns: u64, map: UidMap },
}

impl Owners {
    /// Whether an object owned by `uid` may be shown by name and acted on.
    pub fn admit(&self, uid: u32) -> bool {
        match self {
            Owners::Any => true,
            Owners::Mapped { map, .. } => map.maps(uid),
        }
    }

    /// What another process that sees the same /dev/shm adds: everyone's
    /// objects when it may act on them all, else the uids of both maps.
    /// Each map is a user namespace's that a process seeing the /dev/shm
    /// is in, so it names only uids that namespace's owner holds.
    pub fn join(&mut self, other: Owners) {
        match (&mut *self, other) {
            (Owners::Any, _) => {}
            (_, Owners::Any) => *self = Owners::Any,
            (Owners::Mapped { map, .. }, Owners::Mapped { map: more, .. }) => map.union(&more),
        }
    }

    /// The user namespace that limits them, if one does.
    pub fn userns(&self) -> Option<u64> {
        match self {
            Owners::Any => None,
            Owners::Mapped { userns, .. } => Some(*userns),
        }
    }
}

/// Why a process's /dev/shm was not taken.
#[derive(Debug)]
pub enum Refusal {
    /// It could not be reached (the process is gone, no /dev/shm,
    /// permission): nothing to say about the container.
    Unreachable(io::Error),
    /// It is not a tmpfs of the container's own: the text says what it is.
    Rejected(String),
    /// Looking it up would ask a file system that may never answer (the
    /// process's root or /dev on FUSE or a network file system): the
    /// process is not inspected. The text says which.
    Unanswerable(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unreachable(e) => write!(f, "{e}"),
            Refusal::Rejected(why) => write!(f, "{why}; left alone"),
            Refusal::Unanswerable(why) => write!(f, "{why}; not looked into"),
        }
    }
}

impl From<Refusal> for io::Error {
    fn from(refusal: Refusal) -> io::Error {
        match refusal {
            Refusal::Unreachable(e) => e,
            Refusal::Rejected(_) | Refusal::Unanswerable(_) => {
                io::Error::new(io::ErrorKind::PermissionDenied, refusal.to_string())
            }
        }
    }
}

/// A process's /dev/shm, checked.
#[derive(Debug)]
pub struct DevShmOf {
    /// The directory, `O_PATH`.
    pub dir: OwnedFd,
    /// Its device (`st_dev`).
    pub dev: u64,
    /// The process's mount namespace inode.
    pub mntns: u64,
    /// The process's user namespace inode.
    pub userns: u64,
    pub owners: Owners,
}

/// The most of a mountinfo line kept: the fields looked at come first.
const MOUNTINFO_LINE: u64 = 64 << 10;

/// File systems whose lookups the kernel answers itself, from memory or a
/// local disk: a path is looked up beneath another process's root only
/// through these. FUSE (fuse-overlayfs, sshfs, anything a user mounts) and
/// network file systems can leave a lookup waiting forever, in a state not
/// even SIGKILL ends once the server has read the request.
const ANSWERING: &[&[u8]] = &[
    b"tmpfs",
    b"devtmpfs",
    b"overlay",
    b"ext2",
    b"ext3",
    b"ext4",
    b"xfs",
    b"btrfs",
    b"zfs",
    b"squashfs",
    b"erofs",
    b"ramfs",
    b"rootfs",
    b"f2fs",
    b"bcachefs",
    b"vfat",
    b"iso9660",
    b"jfs",
];

/// What a mountinfo line says of a mount.
#[derive(Clone, Debug, PartialEq, Eq)]
struct MountKind {
    /// The file system type (the field after the ` - ` separator).
    fstype: Box<[u8]>,
    /// Whether a whole file system is mounted (its root field is `/`), not
    /// a directory of one bound there.
    whole: bool,
}

/// The mounts seen in the mountinfo of the processes looked at, by mount
/// id (ids are the kernel's, one numbering for every mount namespace), so
/// that a thousand processes of one container read their mountinfo once.
#[derive(Debug, Default)]
pub struct Mounts(std::sync::Mutex<std::collections::HashMap<u64, MountKind>>);

impl Mounts {
    /// Mount `id`, read from the process's mountinfo when not yet known.
    fn get(&self, proc_dir: &impl AsFd, id: u64) -> io::Result<Option<MountKind>> {
        let known = |mounts: &Self| {
            mounts
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(&id)
                .cloned()
        };
        if let Some(kind) = known(self) {
            return Ok(Some(kind));
        }
        let file = open_in(proc_dir, "mountinfo", OFlags::empty())?;
        let read = mount_lines(file)?;
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(read);
        if let Some(kind) = known(self) {
            return Ok(Some(kind));
        }
        // A process chrooted below a mount does not see that mount in its
        // mountinfo; shmtool's own shows it when it is in the same namespace.
        let own = mount_lines(File::open("/proc/thread-self/mountinfo")?)?;
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(own);
        Ok(known(self))
    }

    /// Refuses a directory whose mount is not of a file system that
    /// answers lookups itself ([`ANSWERING`]).
    fn answering(&self, proc_dir: &impl AsFd, dir: &impl AsFd, what: &str) -> Result<(), Refusal> {
        let facts = sysv::mount_facts(dir).map_err(Refusal::Unreachable)?;
        let kind = match facts.mount_id {
            Some(id) => self.get(proc_dir, id).map_err(Refusal::Unreachable)?,
            None => None,
        };
        match kind {
            Some(kind) if ANSWERING.contains(&&*kind.fstype) => Ok(()),
            Some(kind) => Err(Refusal::Unanswerable(format!(
                "{what} is on a {} file system, which may never answer a lookup",
                String::from_utf8_lossy(&kind.fstype)
            ))),
            None => Err(Refusal::Unanswerable(format!(
                "{what}: the kernel does not say which file system it is on"
            ))),
        }
    }
}

/// `/proc/PID` and, beneath that process's root, its `dev/shm`, both
/// `O_PATH`: found, not yet checked (see [`check`]).
#[derive(Debug)]
pub struct Located {
    proc_dir: OwnedFd,
    pub dir: OwnedFd,
    /// What the kernel has cached of the directory (its device among them).
    pub facts: sysv::MountFacts,
}

/// Opens `/proc/PID/root/dev/shm` beneath that root, never through a
/// symlink, and a component at a time, each looked up only in a file
/// system that answers itself (see [`ANSWERING`]).
pub fn locate(pid: i32, mounts: &Mounts) -> Result<Located, Refusal> {
    let unreachable = Refusal::Unreachable;
    // Every later look goes through this descriptor: a pid reused meanwhile
    // cannot redirect one of them to another process.
    let proc_dir = rustix::fs::open(
        format!("/proc/{pid}"),
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| unreachable(e.into()))?;
    // The magic link is followed on purpose: it is the process's root.
    let root = rustix::fs::openat(
        &proc_dir,
        "root",
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| unreachable(e.into()))?;
    let beneath = |dir: &OwnedFd, name: &str| {
        sysv::open_dir_beneath(dir, name).map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => Refusal::Rejected(format!(
                "/proc/{pid}/root/dev/shm: its path holds a symlink, which could lead outside the process's root"
            )),
            Some(libc::EXDEV) => Refusal::Rejected(format!(
                "/proc/{pid}/root/dev/shm: its path leads outside the process's root"
            )),
            _ => unreachable(e),
        })
    };
    mounts.answering(&proc_dir, &root, &format!("the root of process {pid}"))?;
    let dev = beneath(&root, "dev")?;
    mounts.answering(&proc_dir, &dev, &format!("/proc/{pid}/root/dev"))?;
    let dir = beneath(&dev, "shm")?;
    let facts = sysv::mount_facts(&dir).map_err(unreachable)?;
    Ok(Located {
        proc_dir,
        dir,
        facts,
    })
}

/// Opens `/proc/PID/root/dev/shm` beneath that root and checks that it is
/// the root of a tmpfs mount; says whose objects in it are the process's.
pub fn devshm_of(pid: i32) -> Result<DevShmOf, Refusal> {
    let mounts = Mounts::default();
    check(pid, locate(pid, &mounts)?, &mounts)
}

/// Checks a located /dev/shm: the root of a tmpfs mount of its own (not
/// a directory of one bound over it), and whose objects are the process's.
pub fn check(pid: i32, located: Located, mounts: &Mounts) -> Result<DevShmOf, Refusal> {
    let unreachable = Refusal::Unreachable;
    let Located {
        proc_dir,
        dir,
        facts,
    } = located;
    let shown = format!("/proc/{pid}/root/dev/shm");
    if facts.mount_root != Some(true) {
        return Err(Refusal::Rejected(format!(
            "{shown} is not the root of a tmpfs mount (a directory of one)"
        )));
    }
    let Some(mount_id) = facts.mount_id else {
        return Err(Refusal::Rejected(format!(
            "{shown}: the kernel does not say which mount it is on (statx STATX_MNT_ID, Linux 5.8)"
        )));
    };
    // The file system type comes from mountinfo, not fstatfs: fstatfs asks
    // the file system, which (a FUSE server gone silent) may never answer.
    match mounts.get(&proc_dir, mount_id).map_err(unreachable)? {
        Some(kind) if &*kind.fstype != b"tmpfs" => {
            return Err(Refusal::Rejected(format!(
                "{shown} is not the root of a tmpfs mount (it is {})",
                String::from_utf8_lossy(&kind.fstype)
            )));
        }
        Some(kind) if kind.whole => {}
        Some(_) => {
            return Err(Refusal::Rejected(format!(
                "{shown} is not the root of a tmpfs mount (a directory of a tmpfs bound over it, not a tmpfs of its own)"
            )));
        }
        None => {
            return Err(Refusal::Rejected(format!(
                "{shown}: its mount {mount_id} is not in /proc/{pid}/mountinfo"
            )));
        }
    }
    let dev = facts.dev;
    let mntns_file = open_in(&proc_dir, "ns/mnt", OFlags::NONBLOCK).map_err(unreachable)?;
    let mntns = mntns_file.metadata().map_err(unreachable)?.ino();
    let owner = sysv::owning_userns(&mntns_file).map_err(unreachable)?;
    let own = std::fs::metadata("/proc/self/ns/user")
        .map_err(unreachable)?
        .ino();
    let userns = rustix::fs::statat(&proc_dir, "ns/user", rustix::fs::AtFlags::empty())
        .map_err(|e| unreachable(e.into()))?
        .st_ino;
    let owners = if owner == own && userns == own {
        Owners::Any
    } else if userns == own {
        // A process of shmtool's own user namespace that entered a user
        // namespace's mount namespace (nsenter): its map is everyone's and
        // says nothing of whose the objects there are.
        Owners::Mapped {
            userns: owner,
            map: UidMap::default(),
        }
    } else {
        // Its own user namespace, even where the mount namespace is the
        // host's: such a process can chroot into any directory it can
        // reach, a host tmpfs at some */dev/shm among them.
        Owners::Mapped {
            userns,
            map: uid_map(&proc_dir).map_err(unreachable)?,
        }
    };
    Ok(DevShmOf {
        dir,
        dev,
        mntns,
        userns,
        owners,
    })
}

/// The uids the process's user namespace maps (its uid_map, as seen from
/// shmtool's user namespace: host uids).
fn uid_map(proc_dir: &impl AsFd) -> io::Result<UidMap> {
    let file = open_in(proc_dir, "uid_map", OFlags::empty())?;
    let mut text = String::new();
    file.take(64 << 10).read_to_string(&mut text)?;
    // A map that does not parse maps nothing.
    Ok(UidMap::parse(&text).unwrap_or_default())
}

/// A file of a process's /proc directory, opened for reading through the
/// directory's descriptor (so never another process that took the pid).
fn open_in(proc_dir: &impl AsFd, name: &str, flags: OFlags) -> io::Result<File> {
    let fd = rustix::fs::openat(
        proc_dir,
        name,
        OFlags::RDONLY | OFlags::CLOEXEC | flags,
        Mode::empty(),
    )?;
    Ok(fd.into())
}

/// Every mount of a mountinfo text, read a line at a time with each line
/// capped: a line too long to keep whole is passed over.
fn mount_lines(mountinfo: impl Read) -> io::Result<Vec<(u64, MountKind)>> {
    let mut lines = io::BufReader::new(mountinfo);
    let mut line = Vec::new();
    let mut mounts = Vec::new();
    loop {
        line.clear();
        let read = (&mut lines)
            .take(MOUNTINFO_LINE)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(mounts);
        }
        if !line.ends_with(b"\n") && read as u64 == MOUNTINFO_LINE {
            let mut rest = Vec::new();
            lines.read_until(b'\n', &mut rest)?;
            continue;
        }
        mounts.extend(mount_line(&line));
    }
}

/// One mountinfo line: "36 35 98:0 /mnt1 /mnt2 rw master:1 - ext3
/// /dev/root rw" is id, parent, major:minor, root, mount point, options,
/// optional fields up to "-", then the type.
fn mount_line(line: &[u8]) -> Option<(u64, MountKind)> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let fields: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    let id = std::str::from_utf8(fields.first()?).ok()?.parse().ok()?;
    let dash = fields.iter().skip(6).position(|f| *f == b"-")?;
    Some((
        id,
        MountKind {
            fstype: (*fields.get(6 + dash + 1)?).into(),
            whole: *fields.get(3)? == b"/",
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_maps_parse_and_map_host_uids() {
        let map = UidMap::parse("         0      65534          1\n").unwrap();
        assert!(map.maps(65534));
        assert!(!map.maps(0) && !map.maps(65535));
        let wide = UidMap::parse("0 100000 65536\n65536 4294967294 1\n").unwrap();
        assert!(wide.maps(100000) && wide.maps(165535) && wide.maps(4294967294));
        assert!(!wide.maps(165536) && !wide.maps(0));
        assert_eq!(UidMap::parse("0 1\n"), None);
        assert_eq!(UidMap::parse("a b c\n"), None);
        assert!(!UidMap::default().maps(0));
    }

    #[test]
    fn owners_admit_only_mapped_uids() {
        assert!(Owners::Any.admit(0));
        let mapped = Owners::Mapped {
            userns: 7,
            map: UidMap::parse("0 65534 1").unwrap(),
        };
        assert!(mapped.admit(65534) && !mapped.admit(0));
        assert_eq!(mapped.userns(), Some(7));
    }

    #[test]
    fn mount_lines_give_the_type_and_whether_a_whole_file_system() {
        let text = "22 1 0:21 / /proc rw - proc proc rw\n\
                    41 22 0:44 /run/user /dev/shm rw shared:5 - tmpfs run rw\n\
                    42 22 0:45 / /dev/shm rw - tmpfs shm rw\n\
                    44 22 0:47 / /dev/shm rw master:1 shared:2 - fuse.tmpfs x rw\n\
                    garbage\n";
        let kind = |fstype: &str, whole| MountKind {
            fstype: fstype.as_bytes().into(),
            whole,
        };
        assert_eq!(
            mount_lines(text.as_bytes()).unwrap(),
            [
                (22, kind("proc", true)),
                (41, kind("tmpfs", false)),
                (42, kind("tmpfs", true)),
                (44, kind("fuse.tmpfs", true)),
            ]
        );
        let long = format!(
            "43 22 0:46 /{} /x rw - tmpfs t rw\n42 22 0:45 / /dev/shm rw - tmpfs shm rw\n",
            "a".repeat(70_000)
        );
        assert_eq!(
            mount_lines(long.as_bytes()).unwrap(),
            [(42, kind("tmpfs", true))],
            "a line too long is passed over"
        );
    }
}
