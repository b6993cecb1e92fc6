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

use crate::parse::ValueError;
use crate::process::Uninspected;
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
}

impl AsFd for Dir {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Dir {
    /// Opens `/dev/shm`, or with `root` (such as `/proc/PID/root`) that
    /// root's `/dev/shm`.
    pub fn open(root: Option<&Path>) -> io::Result<Dir> {
        let path = match root {
            Some(root) => root.join("dev/shm"),
            None => PathBuf::from(DEV_SHM),
        };
        use std::os::unix::fs::OpenOptionsExt;
        let fd: OwnedFd = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(&path)?
            .into();
        let dev = sysv::stat_fd(&fd)?.dev;
        Ok(Dir { fd, path, dev })
    }

    /// The directory an `O_PATH` handle names (such as one opened through
    /// `/proc/PID/root/dev/shm` while that process was known to see it),
    /// opened for reading through our own descriptor, so no path is
    /// looked up again.
    pub fn reopen(handle: &std::fs::File, path: PathBuf) -> io::Result<Dir> {
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
        Ok(Dir { fd, path, dev })
    }

    /// Every object: regular files directly in the directory, except
    /// `sem.*` (POSIX semaphores). Directories, FIFOs, symlinks and others
    /// are never objects.
    pub fn objects(&self) -> io::Result<Vec<Object>> {
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
            });
        }
        objects.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(objects)
    }

    /// The object named `name` as it is now; `None` when there is none (or
    /// the name is not a regular file, or is a semaphore).
    pub fn object(&self, name: &Name) -> io::Result<Option<Object>> {
        if name.0.as_bytes().starts_with(b"sem.") {
            return Ok(None);
        }
        match sysv::stat_at(&self.fd, name.file_name()) {
            Ok(stat) if stat.is_regular() => Ok(Some(Object {
                name: name.clone(),
                stat,
                dest: false,
                nattch: None,
            })),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens an object, read-only or read-write, never through a symlink,
    /// and checks that it is still the file `expected` describes.
    pub fn open_object(&self, obj: &Object, write: bool) -> io::Result<OwnedFd> {
        let flags = if write { libc::O_RDWR } else { libc::O_RDONLY };
        let fd = sysv::open_at(&self.fd, obj.name.file_name(), flags, 0)?;
        let now = sysv::stat_fd(&fd)?;
        if (now.dev, now.ino) != obj.key() || !now.is_regular() {
            return Err(io::Error::other("the object was replaced meanwhile"));
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

    /// Unlinks an object by name, relative to this directory.
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
        let fd = sysv::open_at(&self.fd, obj.name.file_name(), libc::O_PATH, 0)?;
        let now = sysv::stat_fd(&fd)?;
        if (now.dev, now.ino) != obj.key() || !now.is_regular() {
            return Err(io::Error::other("the object was replaced meanwhile"));
        }
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
    /// Processes whose maps or descriptors this user may not read.
    uninspected: Vec<Uninspected>,
    /// Why /proc may not show every process at all: mounted with hidepid
    /// (other users' processes), or belonging to another pid namespace.
    pub unseen: Option<String>,
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
        // Devices as maps shows them ("08:01"), to the device number.
        let dev_texts: HashMap<Vec<u8>, u64> = devs
            .iter()
            .map(|&dev| {
                let (major, minor) = (libc::major(dev), libc::minor(dev));
                (format!("{major:02x}:{minor:02x}").into_bytes(), dev)
            })
            .collect();
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<i32>().ok())
            else {
                continue;
            };
            if pid == own {
                continue;
            }
            let proc_dir = Path::new("/proc").join(entry.file_name());
            let mut found: HashMap<(u64, u64), Use> = HashMap::new();
            let mut denied = false;
            match std::fs::read(proc_dir.join("maps")) {
                Ok(maps) => users.scan_maps(pid, &proc_dir, &maps, &dev_texts, &mut found),
                Err(e) => denied |= e.kind() == io::ErrorKind::PermissionDenied,
            }
            match std::fs::read_dir(proc_dir.join("fd")) {
                Ok(fds) => {
                    for fd in fds.flatten() {
                        let path = fd.path();
                        let Ok(meta) = std::fs::metadata(&path) else {
                            continue;
                        };
                        use std::os::unix::fs::MetadataExt;
                        if !devs.contains(&meta.dev()) || !meta.file_type().is_file() {
                            continue;
                        }
                        let key = (meta.dev(), meta.ino());
                        let n = fd
                            .file_name()
                            .to_str()
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(-1);
                        let entry = found.entry(key).or_insert_with(|| Use {
                            pid,
                            ..Use::default()
                        });
                        entry.fds.push(n);
                        if let Ok(target) = std::fs::read_link(&path)
                            && let Some(name) = deleted_name(target.as_os_str().as_bytes())
                        {
                            users
                                .unlinked
                                .entry(key)
                                .or_insert(Unlinked { name, handle: path });
                        }
                    }
                }
                Err(e) => denied |= e.kind() == io::ErrorKind::PermissionDenied,
            }
            users.not_inspected(pid, denied);
            for (key, u) in found {
                users.by_file.entry(key).or_default().push(u);
            }
        }
        users
    }

    /// Records `pid` as not inspected when `denied` (its maps or
    /// descriptors were refused), with why.
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

    fn scan_maps(
        &mut self,
        pid: i32,
        proc_dir: &Path,
        maps: &[u8],
        dev_texts: &HashMap<Vec<u8>, u64>,
        found: &mut HashMap<(u64, u64), Use>,
    ) {
        for line in maps.split(|&b| b == b'\n') {
            // "start-end perms offset dev inode   path": five fields with one
            // space between, then padding and the path (which may hold spaces).
            let mut fields = line.splitn(6, |&b| b == b' ');
            let (Some(range), Some(_perms), Some(_offset), Some(line_dev), Some(inode)) = (
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
            ) else {
                continue;
            };
            let Some(&dev) = dev_texts.get(line_dev) else {
                continue;
            };
            let Some(ino) = std::str::from_utf8(inode)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
            else {
                continue;
            };
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
            found
                .entry(key)
                .or_insert_with(|| Use {
                    pid,
                    ..Use::default()
                })
                .ranges
                .push((start, end));
            if let Some(path) = fields.next() {
                let path = path.trim_ascii_start();
                if let Some(name) = deleted_name(path) {
                    self.unlinked.entry(key).or_insert(Unlinked {
                        name,
                        handle: proc_dir
                            .join(format!("map_files/{}", String::from_utf8_lossy(range))),
                    });
                }
            }
        }
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
            let Ok(meta) = std::fs::metadata(&gone.handle) else {
                continue;
            };
            use std::os::unix::fs::MetadataExt;
            if (meta.dev(), meta.ino()) != *key {
                continue;
            }
            objects.push(Object {
                name: Name(gone.name.clone()),
                stat: FileStat {
                    dev: meta.dev(),
                    ino: meta.ino(),
                    mode: meta.mode(),
                    uid: meta.uid(),
                    gid: meta.gid(),
                    size: meta.size(),
                    allocated: meta.blocks().saturating_mul(512),
                    mtime: meta.mtime(),
                    ctime: meta.ctime(),
                },
                dest: true,
                nattch: None,
            });
        }
        for obj in objects.iter_mut() {
            obj.nattch = self.count(obj.key());
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
        let mut users = Users::default();
        let mut found = HashMap::new();
        let devs = HashMap::from([(b"00:2a".to_vec(), dev)]);
        users.scan_maps(7, Path::new("/proc/7"), maps, &devs, &mut found);
        assert_eq!(found.len(), 2, "the libc line is on another device");
        assert_eq!(
            found[&(dev, 2)].ranges,
            [(0x7f00_0000_2000, 0x7f00_0000_3000)]
        );
        let gone = &users.unlinked[&(dev, 2)];
        assert_eq!(gone.name, "a b");
        assert_eq!(
            gone.handle,
            Path::new("/proc/7/map_files/7f0000002000-7f0000003000")
        );
        assert!(!users.unlinked.contains_key(&(dev, 3)));
    }

    #[test]
    fn deleted_names() {
        assert_eq!(deleted_name(b"/dev/shm/x (deleted)"), Some("x".into()));
        assert_eq!(deleted_name(b"/dev/shm/x"), None);
    }
}
