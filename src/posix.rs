//! POSIX shared memory: the objects `shm_open` makes in `/dev/shm`, and the
//! processes that map them or hold them open.
//!
//! Objects are reached through a descriptor of the directory, by name, and
//! never through a symlink. Who uses an object is found by device and
//! inode (names differ across mount namespaces), in one scan of /proc.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::foreign::Owners;
use crate::parse::ValueError;
use crate::process::{Refusal, Uninspected};
use crate::procread;
use crate::sysv::{self, FileStat};

/// Where glibc's shm_open puts objects.
pub const DEV_SHM: &str = "/dev/shm";

/// An object's name as shm_open takes it: `/NAME`, or `NAME`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(OsString);

impl Name {
    /// Parses a name: the leading slash is optional; the rest must be one
    /// file name (no slash, not `.` or `..`, at most 255 bytes).
    pub fn parse(text: &str) -> Result<Name, ValueError> {
        let bare = text.strip_prefix('/').unwrap_or(text);
        if bare.is_empty() || bare == "." || bare == ".." {
            return Err(ValueError::ObjectName(text.into()));
        }
        if bare.contains('/') || bare.contains('\0') {
            return Err(ValueError::ObjectNameSlash(text.into()));
        }
        if bare.len() > 255 {
            return Err(ValueError::ObjectNameLength(text.into()));
        }
        // glibc's sem_open makes sem.NAME here: semaphores, not objects.
        if bare.starts_with("sem.") {
            return Err(ValueError::ObjectNameSemaphore(text.into()));
        }
        Ok(Name(bare.into()))
    }

    /// The file name in /dev/shm, without the slash.
    pub fn file_name(&self) -> &OsStr {
        &self.0
    }

    /// `/NAME` as exact bytes.
    pub fn slashed(&self) -> Vec<u8> {
        [b"/", self.0.as_bytes()].concat()
    }

    /// `/NAME`, for people (escape it before showing: others choose names).
    pub fn shown(&self) -> String {
        format!("/{}", String::from_utf8_lossy(self.0.as_bytes()))
    }
}

/// One POSIX object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub name: Name,
    pub stat: FileStat,
    /// Unlinked, still mapped or held open by some process.
    pub dest: bool,
    /// Distinct processes mapping it or holding it open; `None` when some
    /// processes could not be inspected, so the count is not known.
    pub nattch: Option<u64>,
    /// Unknown because a process did not answer in time, not only because
    /// some were refused: a process that is slow, or made itself slow, may
    /// be using it, so not even `--assume-hidden-unused` takes it as unused.
    pub unanswered: bool,
}

impl Object {
    pub fn perms(&self) -> u32 {
        self.stat.mode & 0o7777
    }

    pub fn key(&self) -> (u64, u64) {
        (self.stat.dev, self.stat.ino)
    }
}

/// A /dev/shm directory, open: every operation is relative to it.
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    /// How the user would name it.
    pub path: PathBuf,
    /// The device of the file system, which the attacher scan matches.
    pub dev: u64,
    /// Whose objects may be named and acted on: in a /dev/shm a user
    /// namespace set up, only those of the uids it maps.
    pub owners: Owners,
}

/// What a listing of a /dev/shm holds.
#[derive(Debug, Default)]
pub struct Listing {
    /// The objects shmtool may name and act on, with their use.
    pub objects: Vec<Object>,
    /// Objects of owners the directory's user namespace does not map:
    /// counted, never named (see [`Owners`]).
    pub unowned: usize,
}

/// Why an object is left alone: its owner is not mapped in the user
/// namespace that set up its /dev/shm.
fn not_theirs(uid: u32, owners: &Owners) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "it is owned by uid {uid}, which is not mapped in user namespace {} that set up this /dev/shm, so it is not the container's; left alone",
            owners.userns().unwrap_or(0)
        ),
    )
}

impl AsFd for Dir {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Dir {
    /// Opens the caller's own `/dev/shm` (its own root, so a path).
    pub fn open() -> io::Result<Dir> {
        use std::os::unix::fs::OpenOptionsExt;
        let fd: OwnedFd = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(DEV_SHM)?
            .into();
        let dev = sysv::stat_fd(&fd)?.dev;
        Ok(Dir {
            fd,
            path: PathBuf::from(DEV_SHM),
            dev,
            owners: Owners::Any,
        })
    }

    /// Opens process `pid`'s `/dev/shm`, resolved beneath its root and
    /// taken only as the root of a tmpfs mount ([`crate::foreign`]).
    pub fn open_of(pid: i32) -> io::Result<Dir> {
        let found = crate::foreign::devshm_of(pid)?;
        let handle = std::fs::File::from(found.dir);
        Dir::reopen(
            &handle,
            PathBuf::from(format!("/proc/{pid}/root/dev/shm")),
            found.owners,
        )
    }

    /// The directory an `O_PATH` handle names (such as one opened through
    /// `/proc/PID/root/dev/shm` while that process was known to see it),
    /// opened for reading through our own descriptor, so no path is
    /// looked up again.
    pub fn reopen(handle: &std::fs::File, path: PathBuf, owners: Owners) -> io::Result<Dir> {
        use std::os::unix::fs::OpenOptionsExt;
        let link = format!(
            "/proc/thread-self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(handle)
        );
        let fd: OwnedFd = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(link)?
            .into();
        let dev = sysv::stat_fd(&fd)?.dev;
        if dev != sysv::stat_fd(handle)?.dev {
            return Err(io::Error::other("the directory changed meanwhile"));
        }
        Ok(Dir {
            fd,
            path,
            dev,
            owners,
        })
    }

    /// The objects shmtool may name, with their use as `users` found it
    /// (those unlinked but still in use as well), and how many others
    /// there are.
    pub fn list(&self, users: &Users) -> io::Result<Listing> {
        let mut objects = self.objects()?;
        users.annotate_device(Some(self.dev), &mut objects);
        let all = objects.len();
        objects.retain(|o| self.owners.admit(o.stat.uid));
        Ok(Listing {
            unowned: all - objects.len(),
            objects,
        })
    }

    /// Every object: regular files directly in the directory, except
    /// `sem.*` (POSIX semaphores). Directories, FIFOs, symlinks and others
    /// are never objects.
    fn objects(&self) -> io::Result<Vec<Object>> {
        // Listed through our own descriptor, so it is the directory we hold.
        let listing = PathBuf::from(format!(
            "/proc/thread-self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&self.fd)
        ));
        let mut objects = Vec::new();
        for entry in std::fs::read_dir(listing)? {
            let entry = entry?;
            let name = entry.file_name();
            if name.as_bytes().starts_with(b"sem.") {
                continue;
            }
            // d_type saves a stat for what is plainly not a file.
            if let Ok(t) = entry.file_type()
                && !t.is_file()
            {
                continue;
            }
            let stat = match sysv::stat_at(&self.fd, &name) {
                Ok(stat) => stat,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            if !stat.is_regular() {
                continue;
            }
            objects.push(Object {
                name: Name(name),
                stat,
                dest: false,
                nattch: None,
                unanswered: false,
            });
        }
        objects.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(objects)
    }

    /// The object named `name` as it is now; `None` when there is none (or
    /// the name is not a regular file, or is a semaphore). An object whose
    /// owner [`Owners`] does not admit is an error (PermissionDenied).
    pub fn object(&self, name: &Name) -> io::Result<Option<Object>> {
        if name.0.as_bytes().starts_with(b"sem.") {
            return Ok(None);
        }
        match sysv::stat_at(&self.fd, name.file_name()) {
            Ok(stat) if stat.is_regular() && !self.owners.admit(stat.uid) => {
                Err(not_theirs(stat.uid, &self.owners))
            }
            Ok(stat) if stat.is_regular() => Ok(Some(Object {
                name: name.clone(),
                stat,
                dest: false,
                nattch: None,
                unanswered: false,
            })),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens an object, read-only or read-write, never through a symlink
    /// and never by a blocking open of a name others control: the name is
    /// opened `O_PATH` (which opens nothing: a FIFO swapped in cannot make
    /// it wait), checked to be the very regular file `obj` describes and
    /// one whose owner is admitted, and only that inode is then opened,
    /// through its /proc/thread-self/fd link.
    pub fn open_object(&self, obj: &Object, write: bool) -> io::Result<OwnedFd> {
        let handle = self.handle(obj)?;
        let link = format!(
            "/proc/thread-self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&handle)
        );
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: a lease another process holds on the file (F_SETLEASE,
        // the signal it gets ignored) fails the open with EWOULDBLOCK
        // instead of making it wait out the lease break time.
        let fd: OwnedFd = std::fs::OpenOptions::new()
            .read(true)
            .write(write)
            .custom_flags(libc::O_CLOEXEC | libc::O_NONBLOCK)
            .open(link)?
            .into();
        let flags = rustix::fs::fcntl_getfl(&fd)?;
        rustix::fs::fcntl_setfl(&fd, flags - rustix::fs::OFlags::NONBLOCK)?;
        let now = sysv::stat_fd(&fd)?;
        if (now.dev, now.ino) != obj.key() {
            return Err(io::Error::other("the object was replaced meanwhile"));
        }
        Ok(fd)
    }

    /// `obj` opened `O_PATH|O_NOFOLLOW` by name and checked on the
    /// descriptor: the same regular file (device and inode), of an owner
    /// this directory admits.
    fn handle(&self, obj: &Object) -> io::Result<OwnedFd> {
        let fd = sysv::open_at(&self.fd, obj.name.file_name(), libc::O_PATH, 0)?;
        let now = sysv::stat_fd(&fd)?;
        if (now.dev, now.ino) != obj.key() || !now.is_regular() {
            return Err(io::Error::other("the object was replaced meanwhile"));
        }
        if !self.owners.admit(now.uid) {
            return Err(not_theirs(now.uid, &self.owners));
        }
        Ok(fd)
    }

    /// Creates an object exclusively (`O_CREAT|O_EXCL`), sized and with
    /// exactly `mode` (the umask is undone with fchmod). With `reuse`, an
    /// existing one of at least `size` bytes is opened instead; `Ok(false)`
    /// says it existed.
    pub fn create(
        &self,
        name: &Name,
        size: u64,
        mode: u32,
        reuse: bool,
    ) -> Result<bool, CreateError> {
        let euid = uzers::get_effective_uid();
        if !self.owners.admit(euid) {
            return Err(CreateError::NotMapped(euid));
        }
        let flags = libc::O_RDWR | libc::O_CREAT | libc::O_EXCL;
        match sysv::open_at(&self.fd, name.file_name(), flags, mode & 0o777) {
            Ok(fd) => {
                let made =
                    sysv::chmod_fd(&fd, mode & 0o777).and_then(|()| sysv::truncate_fd(&fd, size));
                if let Err(e) = made {
                    let _ = sysv::unlink_at(&self.fd, name.file_name());
                    return Err(CreateError::Io(e));
                }
                Ok(true)
            }
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                let existing = self.object(name).map_err(CreateError::Io)?;
                match existing {
                    Some(obj) if reuse && obj.stat.size >= size => Ok(false),
                    Some(obj) if reuse => Err(CreateError::TooSmall(obj.stat.size)),
                    Some(obj) => Err(CreateError::Exists(obj.stat.uid)),
                    None => Err(CreateError::NotAnObject),
                }
            }
            Err(e) => Err(CreateError::Io(e)),
        }
    }

    /// Unlinks an object by name, relative to this directory. Callers
    /// re-check the name with [`Dir::object`] just before (same inode, an
    /// admitted owner): unlinkat cannot check, but whoever could swap
    /// another file in under the name meanwhile could as well have
    /// unlinked it (rename needs the same write permission on the directory,
    /// and a sticky /dev/shm lets no one rename another's file).
    pub fn unlink(&self, name: &Name) -> io::Result<()> {
        sysv::unlink_at(&self.fd, name.file_name())
    }

    /// Changes an object's owner, group and mode. The object is opened
    /// `O_PATH` without following symlinks (no read permission needed, as
    /// for chmod) and checked to be the file selected; the changes go to
    /// that very inode through its /proc/thread-self/fd link, as glibc's
    /// fchmodat does, since fchmod refuses an O_PATH descriptor.
    pub fn set(
        &self,
        obj: &Object,
        uid: Option<u32>,
        gid: Option<u32>,
        mode: Option<u32>,
    ) -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let fd = self.handle(obj)?;
        let link = PathBuf::from(format!(
            "/proc/thread-self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&fd)
        ));
        if uid.is_some() || gid.is_some() {
            std::os::unix::fs::chown(&link, uid, gid)?;
        }
        if let Some(mode) = mode {
            std::fs::set_permissions(&link, std::fs::Permissions::from_mode(mode & 0o7777))?;
        }
        Ok(())
    }

    /// The file system's size and use.
    pub fn usage(&self) -> io::Result<sysv::FsUsage> {
        sysv::fs_usage(&self.fd)
    }
}

/// Why `create` failed.
#[derive(Debug)]
pub enum CreateError {
    /// The name exists; its owner's uid.
    Exists(u32),
    /// `reuse`, but the existing object has only this many bytes.
    TooSmall(u64),
    /// The name exists and is no object (a directory, FIFO, symlink, sem.*).
    NotAnObject,
    /// The caller's uid (this one) is not mapped in the user namespace
    /// that set up the /dev/shm: what it made there would not be the
    /// container's.
    NotMapped(u32),
    Io(io::Error),
}

/// How a process uses an object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Use {
    pub pid: i32,
    /// Start and end address of each mapping.
    pub ranges: Vec<(u64, u64)>,
    /// Descriptors it holds open on the object.
    pub fds: Vec<i32>,
}

/// An object seen only in some process's maps or descriptors: unlinked
/// while in use (`name (deleted)`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Unlinked {
    name: OsString,
    /// A path that stats the file itself: /proc/PID/map_files/… or /proc/PID/fd/N.
    handle: PathBuf,
}

/// Who uses which object of one /dev/shm file system: one scan of /proc.
#[derive(Clone, Debug, Default)]
pub struct Users {
    by_file: HashMap<(u64, u64), Vec<Use>>,
    unlinked: HashMap<(u64, u64), Unlinked>,
    /// Processes whose maps or descriptors (of any of their threads) could
    /// not be read, or that did not answer within [`procread::DEADLINE`].
    uninspected: Vec<Uninspected>,
    /// Why /proc may not show every process at all: mounted with hidepid
    /// (other users' processes), or belonging to another pid namespace.
    pub unseen: Option<String>,
}

/// What a scan looks for: files on these devices, and of those only
/// these (device, inode) when given.
#[derive(Debug)]
struct Wanted {
    devs: Vec<u64>,
    /// Devices as maps shows them ("08:01"), to the device number.
    dev_texts: HashMap<Vec<u8>, u64>,
    only: Option<std::collections::HashSet<(u64, u64)>>,
}

impl Wanted {
    fn new(devs: Vec<u64>, only: Option<std::collections::HashSet<(u64, u64)>>) -> Wanted {
        let dev_texts = devs
            .iter()
            .map(|&dev| {
                let (major, minor) = (libc::major(dev), libc::minor(dev));
                (format!("{major:02x}:{minor:02x}").into_bytes(), dev)
            })
            .collect();
        Wanted {
            devs,
            dev_texts,
            only,
        }
    }

    fn wants(&self, key: (u64, u64)) -> bool {
        self.devs.contains(&key.0) && self.only.as_ref().is_none_or(|only| only.contains(&key))
    }
}

/// What one process was seen using.
#[derive(Debug, Default)]
struct Seen {
    found: HashMap<(u64, u64), Use>,
    unlinked: Vec<((u64, u64), Unlinked)>,
    /// Some of its maps or descriptor tables could not be read.
    unknown: bool,
}

impl Seen {
    /// Reads what process `pid` maps and holds open: the leader's maps and
    /// fd, the maps of another thread where the leader exited, and the fd
    /// of each thread with a table of its own.
    fn probe(pid: i32, wanted: &Wanted) -> Seen {
        let proc_dir = PathBuf::from(format!("/proc/{pid}"));
        let mut seen = Seen::default();
        let state = match procread::TaskState::read(&proc_dir) {
            Ok(state) => state,
            Err(e) => {
                seen.unknown = !procread::gone(&e);
                return seen;
            }
        };
        match procread::memory_dirs(&proc_dir, pid, &state) {
            Ok(dirs) => {
                for dir in dirs {
                    let read = std::fs::File::open(dir.join("maps"))
                        .and_then(|maps| seen.scan_maps(pid, &dir, maps, wanted));
                    match read {
                        Ok(true) => break,
                        // Gone, or a thread that is exiting: try the next.
                        Ok(false) => {}
                        Err(e) if procread::gone(&e) => {}
                        Err(_) => {
                            seen.unknown = true;
                            break;
                        }
                    }
                }
            }
            Err(e) => seen.unknown |= !procread::gone(&e),
        }
        match procread::fd_dirs(&proc_dir, pid, &state) {
            Ok(dirs) => {
                for dir in dirs {
                    if let Err(e) = seen.scan_fds(pid, &dir, wanted) {
                        seen.unknown |= !procread::gone(&e);
                    }
                }
            }
            Err(e) => seen.unknown |= !procread::gone(&e),
        }
        seen
    }

    fn scan_fds(&mut self, pid: i32, dir: &Path, wanted: &Wanted) -> io::Result<()> {
        for fd in std::fs::read_dir(dir)? {
            let Ok(fd) = fd else {
                continue;
            };
            let path = fd.path();
            // Cached attributes: never a question to the file's file system.
            let Ok(stat) = sysv::stat_cached(&path) else {
                continue;
            };
            let key = (stat.dev, stat.ino);
            if !stat.is_regular() || !wanted.wants(key) {
                continue;
            }
            let n = fd
                .file_name()
                .to_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1);
            let entry = self.found.entry(key).or_insert_with(|| Use {
                pid,
                ..Use::default()
            });
            entry.fds.push(n);
            if let Ok(target) = std::fs::read_link(&path)
                && let Some(name) = deleted_name(target.as_os_str().as_bytes())
            {
                self.unlinked.push((key, Unlinked { name, handle: path }));
            }
        }
        Ok(())
    }

    /// Reads the maps of `dir` (a process's or thread's /proc directory) a
    /// line at a time, keeping the lines of wanted files; whether it had
    /// any line at all (an exited task's has none).
    fn scan_maps(
        &mut self,
        pid: i32,
        dir: &Path,
        maps: impl io::Read,
        wanted: &Wanted,
    ) -> io::Result<bool> {
        let mut lines = procread::MapsLines::new(maps);
        let mut any = false;
        while let Some(line) = lines.next_line()? {
            any = true;
            // "start-end perms offset dev inode   path": five fields with one
            // space between, then padding and the path (which may hold spaces).
            let mut fields = line.head.splitn(6, |&b| b == b' ');
            let (Some(range), Some(_perms), Some(_offset), Some(line_dev), Some(inode)) = (
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
            ) else {
                continue;
            };
            let Some(&dev) = wanted.dev_texts.get(line_dev) else {
                continue;
            };
            let Some(ino) = std::str::from_utf8(inode)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
            else {
                continue;
            };
            if !wanted.wants((dev, ino)) {
                continue;
            }
            let Some((start, end)) = std::str::from_utf8(range).ok().and_then(|r| {
                let (s, e) = r.split_once('-')?;
                Some((
                    u64::from_str_radix(s, 16).ok()?,
                    u64::from_str_radix(e, 16).ok()?,
                ))
            }) else {
                continue;
            };
            let key = (dev, ino);
            self.found
                .entry(key)
                .or_insert_with(|| Use {
                    pid,
                    ..Use::default()
                })
                .ranges
                .push((start, end));
            // The path's end: the tail holds the whole line when it is short.
            if let Some(name) = deleted_name(line.tail) {
                let handle = dir.join(format!("map_files/{}", String::from_utf8_lossy(range)));
                self.unlinked.push((key, Unlinked { name, handle }));
            }
        }
        Ok(any)
    }
}

impl Users {
    /// Scans every process of /proc for mappings and descriptors of files
    /// on device `dev`. Processes that exit meanwhile are passed over;
    /// those that cannot be read are recorded ([`Users::uninspected`]).
    pub fn scan(dev: u64) -> Users {
        Users::scan_devices(&[dev])
    }

    /// [`Users::scan`] for several /dev/shm file systems in one pass of
    /// /proc (`list -A` reads every container's).
    pub fn scan_devices(devs: &[u64]) -> Users {
        Users::scan_wanted(Wanted::new(devs.to_vec(), None))
    }

    /// [`Users::scan`] for these objects only, by (device, inode): the
    /// check just before `remove` unlinks what it selected.
    pub fn scan_objects(keys: &[(u64, u64)]) -> Users {
        if keys.is_empty() {
            return Users::default();
        }
        let mut devs: Vec<u64> = keys.iter().map(|k| k.0).collect();
        devs.sort_unstable();
        devs.dedup();
        Users::scan_wanted(Wanted::new(devs, Some(keys.iter().copied().collect())))
    }

    fn scan_wanted(wanted: Wanted) -> Users {
        let own = std::process::id() as i32;
        let proc_self = std::fs::read_link("/proc/self").ok();
        let unseen = if proc_self.as_deref().and_then(Path::to_str) != Some(&own.to_string()) {
            Some("/proc belongs to another pid namespace, so processes of this one are not all shown".to_owned())
        } else if uzers::get_effective_uid() == 0 {
            None
        } else {
            crate::process::hidepid()
                .map(|h| format!("/proc is mounted with {h}: other users' processes are invisible"))
        };
        let mut users = Users {
            unseen,
            ..Users::default()
        };
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return users;
        };
        let pids: Vec<i32> = dir
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
            .filter(|&pid| pid != own)
            .collect();
        let wanted = std::sync::Arc::new(wanted);
        let probe = move |pid| Seen::probe(pid, &wanted);
        procread::each_within(pids, procread::DEADLINE, probe, |pid, seen| {
            // Unreadable, or not answering in time: use unknown.
            match &seen {
                None => {
                    users
                        .uninspected
                        .push(Uninspected::because(pid, "maps", Refusal::NoAnswer))
                }
                Some(seen) => users.not_inspected(pid, seen.unknown),
            }
            if let Some(seen) = seen {
                for (key, gone) in seen.unlinked {
                    users.unlinked.entry(key).or_insert(gone);
                }
                for (key, u) in seen.found {
                    users.by_file.entry(key).or_default().push(u);
                }
            }
        });
        users
    }

    /// Records `pid` as not inspected when `denied` (its maps or
    /// descriptors, of some thread, were refused), with why.
    fn not_inspected(&mut self, pid: i32, denied: bool) {
        if denied {
            let maps = std::fs::File::open(format!("/proc/{pid}/maps"));
            let file = if maps.is_err() { "maps" } else { "fd" };
            self.uninspected.push(Uninspected::probe(pid, file));
        }
    }

    /// The processes whose maps or descriptors could not be read.
    pub fn uninspected(&self) -> &[Uninspected] {
        &self.uninspected
    }

    /// How many processes could not be inspected.
    pub fn hidden(&self) -> usize {
        self.uninspected.len()
    }

    /// Whether some process may use objects unseen.
    pub fn incomplete(&self) -> bool {
        self.hidden() > 0 || self.unseen.is_some()
    }

    /// The processes using the object at (dev, ino), by pid.
    pub fn of(&self, key: (u64, u64)) -> &[Use] {
        self.by_file.get(&key).map_or(&[], Vec::as_slice)
    }

    /// How many distinct processes use it; `None` when unknown.
    pub fn count(&self, key: (u64, u64)) -> Option<u64> {
        let n = self.of(key).len() as u64;
        // Seen in use is a fact; unseen is unknown while some are hidden.
        if n == 0 && self.incomplete() {
            None
        } else {
            Some(n)
        }
    }

    /// How many processes did not answer in time.
    pub fn unanswered_processes(&self) -> usize {
        self.uninspected
            .iter()
            .filter(|u| u.why == Refusal::NoAnswer)
            .count()
    }

    /// Whether the object at (dev, ino) is of unknown use because some
    /// process did not answer in time (seen in use is still a fact).
    pub fn unanswered(&self, key: (u64, u64)) -> bool {
        self.of(key).is_empty() && self.uninspected.iter().any(|u| u.why == Refusal::NoAnswer)
    }

    /// Fills in each object's nattch, and adds the objects that are unlinked
    /// but still in use (status dest), as far as they can be stat'ed.
    pub fn annotate(&self, objects: &mut Vec<Object>) {
        self.annotate_device(None, objects);
    }

    /// [`Users::annotate`] for the objects of device `dev` only, after a
    /// scan of several devices.
    pub fn annotate_device(&self, dev: Option<u64>, objects: &mut Vec<Object>) {
        let listed: std::collections::HashSet<(u64, u64)> =
            objects.iter().map(Object::key).collect();
        for (key, gone) in &self.unlinked {
            if listed.contains(key) || dev.is_some_and(|d| d != key.0) {
                continue;
            }
            // The descriptor may be another file by now: never ask its file system.
            let Ok(stat) = sysv::stat_cached(&gone.handle) else {
                continue;
            };
            if (stat.dev, stat.ino) != *key {
                continue;
            }
            objects.push(Object {
                name: Name(gone.name.clone()),
                stat,
                dest: true,
                nattch: None,
                unanswered: false,
            });
        }
        for obj in objects.iter_mut() {
            obj.nattch = self.count(obj.key());
            obj.unanswered = self.unanswered(obj.key());
        }
    }
}

/// The object name in a maps path or fd link `…/NAME (deleted)`.
fn deleted_name(path: &[u8]) -> Option<OsString> {
    let path = path.strip_suffix(b" (deleted)")?;
    let name = &path[path.iter().rposition(|&b| b == b'/')? + 1..];
    (!name.is_empty()).then(|| OsString::from_vec(name.to_vec()))
}

/// Whether `name` matches the shell glob `pattern`: `*`, `?`, `[abc]`,
/// `[a-z]`, `[!x]`, `\` quoting the next character.
pub fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p, n));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    n += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class(&pattern[p..], name[n]) {
                        if matched {
                            p += next;
                            n += 1;
                            continue;
                        }
                    } else if name[n] == b'[' {
                        p += 1;
                        n += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pattern.len() && pattern[p + 1] == name[n] => {
                    p += 2;
                    n += 1;
                    continue;
                }
                b'\\' if p + 1 < pattern.len() => {}
                c if c == name[n] => {
                    p += 1;
                    n += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                p = sp + 1;
                n = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches `c` against the bracket expression at the start of `pattern`:
/// whether it matched and the expression's length; `None` if unterminated.
fn class(pattern: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < pattern.len() {
        let lo = pattern[i];
        if lo == b']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if pattern.get(i + 1) == Some(&b'-') && pattern.get(i + 2).is_some_and(|&h| h != b']') {
            let hi = pattern[i + 2];
            matched |= (lo..=hi).contains(&c);
            i += 3;
        } else {
            matched |= lo == c;
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_with_or_without_slash() {
        assert_eq!(Name::parse("/psm_1").unwrap().shown(), "/psm_1");
        assert_eq!(Name::parse("psm_1").unwrap().shown(), "/psm_1");
        assert!(Name::parse("/").is_err());
        assert!(Name::parse("/a/b").is_err());
        assert!(Name::parse("..").is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_match(b"psm_*", b"psm_abc"));
        assert!(!glob_match(b"psm_*", b"PostgreSQL.1"));
        assert!(glob_match(b"PostgreSQL.*", b"PostgreSQL.12"));
        assert!(glob_match(b"a?c", b"abc"));
        assert!(glob_match(b"[a-c]x", b"bx"));
        assert!(!glob_match(b"[!a-c]x", b"bx"));
        assert!(glob_match(b"*", b""));
        assert!(glob_match(b"*b*", b"abc"));
        assert!(!glob_match(b"a", b"ab"));
    }

    #[test]
    fn maps_lines_match_by_device_and_inode() {
        let dev = libc::makedev(0, 0x2a);
        let maps = b"7f0000002000-7f0000003000 rw-s 00000000 00:2a 2                          /dev/shm/a b (deleted)\n\
7f0000004000-7f0000005000 r--s 00000000 00:2a 3                          /x/dev/shm/c\n\
7f0000006000-7f0000007000 r--p 00000000 08:01 2                          /usr/lib/libc.so.6\n";
        let mut seen = Seen::default();
        let wanted = Wanted::new(vec![dev], None);
        let any = seen.scan_maps(7, Path::new("/proc/7"), &maps[..], &wanted);
        assert!(any.unwrap());
        let found = &seen.found;
        assert_eq!(found.len(), 2, "the libc line is on another device");
        assert_eq!(
            found[&(dev, 2)].ranges,
            [(0x7f00_0000_2000, 0x7f00_0000_3000)]
        );
        assert_eq!(seen.unlinked.len(), 1, "only /dev/shm/a b is deleted");
        let ((key, gone),) = (&seen.unlinked[0],);
        assert_eq!(*key, (dev, 2));
        assert_eq!(gone.name, "a b");
        assert_eq!(
            gone.handle,
            Path::new("/proc/7/map_files/7f0000002000-7f0000003000")
        );
        // Restricted to one inode, the other lines are passed over.
        let mut only = Seen::default();
        let one = Wanted::new(vec![dev], Some([(dev, 3)].into()));
        only.scan_maps(7, Path::new("/proc/7"), &maps[..], &one)
            .unwrap();
        assert_eq!(only.found.keys().collect::<Vec<_>>(), [&(dev, 3)]);
    }

    #[test]
    fn a_deleted_name_is_found_at_the_end_of_a_line_of_any_length() {
        let dev = libc::makedev(0, 0x2a);
        let deep = "/d".repeat(20_000);
        let maps = format!(
            "7f00-7f01 rw-s 00000000 00:2a 9      {deep}/x (deleted)\n7f02-7f03 rw-s 00000000 00:2a 9      {deep}/x (deleted)\n"
        );
        let mut seen = Seen::default();
        let wanted = Wanted::new(vec![dev], None);
        seen.scan_maps(7, Path::new("/proc/7"), maps.as_bytes(), &wanted)
            .unwrap();
        assert_eq!(
            seen.found[&(dev, 9)].ranges,
            [(0x7f00, 0x7f01), (0x7f02, 0x7f03)]
        );
        assert_eq!(seen.unlinked[0].1.name, "x");
    }

    #[test]
    fn deleted_names() {
        assert_eq!(deleted_name(b"/dev/shm/x (deleted)"), Some("x".into()));
        assert_eq!(deleted_name(b"/dev/shm/x"), None);
    }
}
