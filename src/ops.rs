//! The operations behind the subcommands, on real kernel semantics. They
//! return values and errors; rendering is the binary's job.

use std::io::{self, Read};

use crate::error::Error;
use crate::procfs_shm;
use crate::segment::{Key, Segment};
use crate::sysv::{self, Attachment, Placement, ReadOnly, ReadWrite};
use crate::users::Names;

/// A segment named by the user: by id or by key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Id(i32),
    Key(Key),
}

fn errno(e: &io::Error) -> i32 {
    e.raw_os_error().unwrap_or(0)
}

/// Turns an errno from an operation on `seg` into an [`Error`]. The caller
/// found `seg` in the table already, so naming its owner costs no more I/O.
fn segment_error(seg: &Segment, what: &str, e: io::Error, names: &mut Names) -> Error {
    let shmid = seg.shmid;
    match errno(&e) {
        // The owner (or creator) is held to the owner bits like anyone else.
        libc::EACCES if is_own(seg) => Error::OwnDenied {
            shmid,
            owner: names.name_or_uid(seg.uid).to_string(),
            mode: seg.perms(),
        },
        libc::EACCES | libc::EPERM => Error::Denied {
            shmid,
            owner: names.name_or_uid(seg.uid).to_string(),
        },
        libc::EINVAL => Error::NoSuchId(shmid),
        libc::EIDRM => Error::Removed(shmid),
        libc::ENOMEM => Error::NoMemory {
            what: format!("{what} id {shmid}"),
        },
        _ => Error::io(format!("{what} id {shmid}"), e),
    }
}

/// Whether the caller owns or created `seg`, so the kernel checks it
/// against the owner bits and lets it change them.
fn is_own(seg: &Segment) -> bool {
    let euid = uzers::get_effective_uid();
    euid == seg.uid || euid == seg.cuid
}

/// What `create` is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreateRequest {
    /// `None` creates a private segment (`IPC_PRIVATE`).
    pub key: Option<Key>,
    pub size: u64,
    /// Permission bits, at most 0777.
    pub mode: u32,
    /// Accept an existing segment with this key of at least `size` bytes.
    pub reuse: bool,
}

/// What `create` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Created {
    New(i32),
    Existing(i32),
}

impl Created {
    pub fn shmid(self) -> i32 {
        match self {
            Created::New(id) | Created::Existing(id) => id,
        }
    }
}

/// Creates a segment exclusively (`IPC_CREAT | IPC_EXCL`), so an existing
/// key is never silently shared; with `reuse`, opens the existing one instead.
pub fn create(req: CreateRequest, names: &mut Names) -> Result<Created, Error> {
    let key = req.key.unwrap_or(Key::PRIVATE);
    let mode = (req.mode & 0o777) as i32;
    // A segment can vanish between EEXIST and the next look; try again then.
    for _ in 0..8 {
        let err = match sysv::shmget(key, req.size, libc::IPC_CREAT | libc::IPC_EXCL | mode) {
            Ok(id) => return Ok(Created::New(id)),
            Err(e) => e,
        };
        match errno(&err) {
            libc::EEXIST if req.reuse => match sysv::shmget(key, req.size, mode) {
                Ok(id) => return Ok(Created::Existing(id)),
                Err(e) if errno(&e) == libc::ENOENT => continue,
                Err(e) => {
                    let Some(seg) = find_live_key(key)? else {
                        continue;
                    };
                    return Err(match errno(&e) {
                        libc::EINVAL => Error::ExistingTooSmall {
                            key,
                            shmid: seg.shmid,
                            existing: seg.size,
                            wanted: req.size,
                        },
                        _ => segment_error(&seg, "opening", e, names),
                    });
                }
            },
            libc::EEXIST => {
                let Some(seg) = find_live_key(key)? else {
                    continue;
                };
                return Err(Error::KeyExists {
                    key,
                    shmid: seg.shmid,
                    owner: names.name_or_uid(seg.uid).to_string(),
                });
            }
            libc::EINVAL => {
                let limits = sysv::limits().map_err(|e| Error::io("reading limits", e))?;
                return Err(if req.size > limits.shmmax {
                    Error::TooLarge {
                        size: req.size,
                        shmmax: limits.shmmax,
                    }
                } else {
                    Error::SizeOutOfRange {
                        size: req.size,
                        shmmin: limits.shmmin,
                        shmmax: limits.shmmax,
                    }
                });
            }
            libc::ENOSPC => return Err(limit_error(req.size)),
            libc::ENOMEM => {
                return Err(Error::NoMemory {
                    what: format!("the kernel cannot back {} bytes", req.size),
                });
            }
            _ => return Err(Error::io(format!("creating key {key}"), err)),
        }
    }
    Err(Error::io(
        format!("creating key {key}"),
        io::Error::other("the key keeps appearing and vanishing; try again"),
    ))
}

/// Pages the kernel charges for `size` bytes.
fn pages_for(size: u64) -> u64 {
    size.div_ceil(sysv::page_size())
}

/// Names which limit `ENOSPC` hit for a request of `size` bytes: shmall
/// (pages, checked first by the kernel) or shmmni (segments).
fn limit_error(size: u64) -> Error {
    let (limits, usage) = match (sysv::limits(), sysv::usage()) {
        (Ok(l), Ok(u)) => (l, u),
        (Err(e), _) | (_, Err(e)) => return Error::io("reading limits after ENOSPC", e),
    };
    let needed = pages_for(size);
    if needed > limits.shmall {
        Error::OverShmall {
            size,
            needed,
            shmall: limits.shmall,
        }
    } else if usage.segments >= limits.shmmni {
        Error::SegmentLimit {
            shmmni: limits.shmmni,
            used: usage.segments,
        }
    } else {
        Error::PageLimit {
            shmall: limits.shmall,
            used: usage.pages,
            needed,
        }
    }
}

/// Finds a target among listed segments. A key names the live segment
/// with it: a removed one (dest) has had its key cleared by the kernel.
pub fn find_in(segments: &[Segment], target: Target) -> Result<&Segment, Error> {
    match target {
        Target::Id(id) => segments
            .iter()
            .find(|s| s.shmid == id)
            .ok_or(Error::NoSuchId(id)),
        Target::Key(key) => segments
            .iter()
            .find(|s| s.key == key && !s.status().dest)
            .ok_or(Error::NoSuchKey(key)),
    }
}

/// Finds a target's entry in the segment table, without attaching (which
/// would change its times and last pid) and without needing permission.
/// From the shmctl walk: rss and swap are not known (see
/// [`find_with_usage`]), and the kernel does not format /proc's text.
pub fn find(target: Target) -> Result<Segment, Error> {
    let (segments, _) = procfs_shm::read_segments_without_usage()?;
    find_in(&segments, target).cloned()
}

/// [`find`], with rss and swap (from /proc/sysvipc/shm).
pub fn find_with_usage(target: Target) -> Result<Segment, Error> {
    let (segments, _) = procfs_shm::read_segments()?;
    find_in(&segments, target).cloned()
}

/// The live segment with `key`, if there is one now.
fn find_live_key(key: Key) -> Result<Option<Segment>, Error> {
    match find(Target::Key(key)) {
        Ok(seg) => Ok(Some(seg)),
        Err(Error::NoSuchKey(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The error of a failed `shmat`: with an address asked for, EINVAL and
/// ENOMEM are about the address (in use, or outside the address space).
fn attach_error(seg: &Segment, place: Placement, e: io::Error, names: &mut Names) -> Error {
    match (place.addr, errno(&e)) {
        (Some(addr), libc::EINVAL | libc::ENOMEM) => Error::AttachAddress {
            shmid: seg.shmid,
            addr,
        },
        _ => segment_error(seg, "attaching", e, names),
    }
}

/// Attaches a segment read-only.
pub fn attach_read(
    seg: &Segment,
    place: Placement,
    names: &mut Names,
) -> Result<Attachment<ReadOnly>, Error> {
    Attachment::read_only(seg.shmid, place).map_err(|e| attach_error(seg, place, e, names))
}

/// Attaches a segment for reading and writing.
pub fn attach_write(
    seg: &Segment,
    place: Placement,
    names: &mut Names,
) -> Result<Attachment<ReadWrite>, Error> {
    Attachment::read_write(seg.shmid, place).map_err(|e| attach_error(seg, place, e, names))
}

/// Checks that `len` bytes at `offset` lie inside a segment of `size` bytes.
pub fn check_range(offset: u64, len: u64, size: u64) -> Result<(), Error> {
    if offset > size {
        return Err(Error::OffsetPastEnd { offset, size });
    }
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => Err(Error::DoesNotFit { len, offset, size }),
    }
}

/// What removing one segment did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// Destroyed at once.
    Removed,
    /// Marked for destruction; it goes when the last of `nattch` detaches.
    Marked { nattch: u64 },
}

/// A segment's entry as the kernel has it now, by id: `IPC_STAT`, or
/// `SHM_STAT_ANY` on its index where the caller may not read it. `None`
/// when the id is gone.
pub fn current(seg: &Segment, names: &mut Names) -> Result<Option<Segment>, Error> {
    let gone = |e: &io::Error| matches!(errno(e), libc::EINVAL | libc::EIDRM);
    match sysv::stat(seg.shmid) {
        Ok(now) => Ok(Some(now)),
        Err(e) if gone(&e) => Ok(None),
        Err(e) if errno(&e) == libc::EACCES => match sysv::stat_any_by_id(seg.shmid) {
            Ok(now) => Ok(Some(now)),
            // EINVAL from SHM_STAT_ANY is also a kernel without it (before
            // 4.17): only a second IPC_STAT tells whether the id is gone.
            Err(any) if gone(&any) => match sysv::stat(seg.shmid) {
                Err(e) if gone(&e) => Ok(None),
                _ => Err(Error::io(
                    format!("re-reading id {} before removal", seg.shmid),
                    io::Error::other(
                        "no read permission, and this kernel has no SHM_STAT_ANY (Linux 4.17)",
                    ),
                )),
            },
            Err(any) => Err(segment_error(seg, "re-reading", any, names)),
        },
        Err(e) => Err(segment_error(seg, "re-reading", e, names)),
    }
}

/// `IPC_RMID` on a segment, given its entry from the table; whether the
/// kernel destroyed it or only marked it, [`removal`] tells afterwards.
pub fn mark_removed(seg: &Segment, names: &mut Names) -> Result<(), Error> {
    if seg.status().dest {
        return Err(Error::AlreadyRemoved {
            shmid: seg.shmid,
            nattch: seg.nattch,
        });
    }
    sysv::remove(seg.shmid).map_err(|e| segment_error(seg, "removing", e, names))
}

/// What became of a segment given `IPC_RMID`: still present means attached
/// now, whatever the listing said, so the kernel only marked it.
pub fn removal(seg: &Segment, names: &mut Names) -> Removal {
    match current(seg, names) {
        Ok(Some(now)) if now.nattch > 0 => Removal::Marked { nattch: now.nattch },
        Ok(_) => Removal::Removed,
        Err(_) if seg.nattch > 0 => Removal::Marked { nattch: seg.nattch },
        Err(_) => Removal::Removed,
    }
}

/// Whether the caller's IPC namespace holds no segment at all (one
/// `SHM_INFO`, cheap when there are none): then every segment given
/// `IPC_RMID` was destroyed, none only marked.
pub fn no_segments_left() -> bool {
    sysv::usage().is_ok_and(|u| u.segments == 0)
}

/// Whether the caller may remove `seg` (`IPC_RMID`): as its owner or
/// creator, or with CAP_SYS_ADMIN, as the kernel checks.
pub fn may_remove(seg: &Segment) -> bool {
    let euid = uzers::get_effective_uid();
    euid == seg.uid || euid == seg.cuid || has_cap_sys_admin().unwrap_or(euid == 0)
}

/// CAP_SYS_ADMIN in the effective set, from /proc/thread-self/status: read
/// once (a dry run asks for every segment it may not own).
fn has_cap_sys_admin() -> Option<bool> {
    static CAP: std::sync::OnceLock<Option<bool>> = std::sync::OnceLock::new();
    *CAP.get_or_init(|| {
        const CAP_SYS_ADMIN: u32 = 21;
        let status = std::fs::read_to_string("/proc/thread-self/status").ok()?;
        let hex = status.lines().find_map(|l| l.strip_prefix("CapEff:"))?;
        let caps = u64::from_str_radix(hex.trim(), 16).ok()?;
        Some(caps & (1 << CAP_SYS_ADMIN) != 0)
    })
}

/// Locks (`SHM_LOCK`) or unlocks (`SHM_UNLOCK`) a segment's pages in memory.
pub fn set_locked(seg: &Segment, lock: bool, names: &mut Names) -> Result<(), Error> {
    let result = if lock {
        sysv::lock(seg.shmid)
    } else {
        sysv::unlock(seg.shmid)
    };
    result.map_err(|e| match errno(&e) {
        libc::ENOMEM => lock_limit_error(seg),
        // The owner gets EPERM, not ENOMEM, when the limit is zero.
        libc::EPERM if lock && is_own(seg) && memlock_limit() == Some(0) => Error::LockLimit {
            shmid: seg.shmid,
            reason: "RLIMIT_MEMLOCK is 0, so this user may lock nothing".into(),
        },
        _ => segment_error(seg, if lock { "locking" } else { "unlocking" }, e, names),
    })
}

/// This process's soft RLIMIT_MEMLOCK in bytes; `None` when unlimited or
/// unknown.
fn memlock_limit() -> Option<u64> {
    use procfs::process::LimitValue;
    let limits = procfs::process::Process::myself().ok()?.limits().ok()?;
    match limits.max_locked_memory.soft_limit {
        LimitValue::Value(bytes) => Some(bytes),
        LimitValue::Unlimited => None,
    }
}

/// Why SHM_LOCK gave ENOMEM. The kernel charges the pages to the locking
/// user's count of SHM_LOCKed memory, across all its processes and IPC
/// namespaces, and compares that total with the locker's RLIMIT_MEMLOCK;
/// the count itself is not visible, so the segments locked here stand in.
fn lock_limit_error(seg: &Segment) -> Error {
    let page = sysv::page_size();
    let pages = pages_for(seg.size);
    let reason = match memlock_limit() {
        Some(limit) if pages > limit / page => format!(
            "its {} bytes ({pages} pages) alone exceed RLIMIT_MEMLOCK ({limit} bytes)",
            seg.size
        ),
        Some(limit) => {
            let locked_here: u64 = procfs_shm::read_segments()
                .map(|(all, _)| {
                    all.iter()
                        .filter(|s| s.status().locked)
                        .map(|s| pages_for(s.size) * page)
                        .sum()
                })
                .unwrap_or(0);
            format!(
                "its {} bytes and the shared memory this user has already locked exceed RLIMIT_MEMLOCK ({limit} bytes), which counts every segment the user has locked; segments locked in this IPC namespace (by any user) hold {locked_here} bytes",
                seg.size
            )
        }
        None => format!(
            "its {} bytes and the shared memory this user has already locked exceed RLIMIT_MEMLOCK",
            seg.size
        ),
    };
    Error::LockLimit {
        shmid: seg.shmid,
        reason,
    }
}

/// Changes a segment's owner, group and permission bits (`IPC_SET`); what
/// is `None` stays as it is.
pub fn set_owner_mode(
    seg: &Segment,
    uid: Option<u32>,
    gid: Option<u32>,
    mode: Option<u32>,
    names: &mut Names,
) -> Result<(), Error> {
    let (new_uid, new_gid, mode) = (
        uid.unwrap_or(seg.uid),
        gid.unwrap_or(seg.gid),
        mode.unwrap_or(seg.perms()),
    );
    sysv::set(seg.shmid, new_uid, new_gid, mode).map_err(|e| {
        // EINVAL from IPC_SET: a uid or gid the kernel cannot map, unless
        // the segment went away meanwhile.
        if errno(&e) == libc::EINVAL && find(Target::Id(seg.shmid)).is_ok() {
            return Error::InvalidOwner {
                shmid: seg.shmid,
                reason: invalid_owner_reason(uid, gid),
            };
        }
        segment_error(seg, "setting", e, names)
    })
}

/// Which of a new owner and group the kernel refuses, and why.
fn invalid_owner_reason(uid: Option<u32>, gid: Option<u32>) -> String {
    let why = |id: u32, map: &str| -> Option<&'static str> {
        if id == u32::MAX {
            return Some("-1 (4294967295) is never a valid id");
        }
        let text = std::fs::read_to_string(map).ok()?;
        let mapped = text.lines().any(|line| {
            let nums: Vec<u64> = line
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            matches!(nums[..], [first, _, count] if (first..first + count).contains(&u64::from(id)))
        });
        (!mapped).then_some("it is not mapped in this user namespace")
    };
    let mut reasons = Vec::new();
    if let Some(uid) = uid
        && let Some(why) = why(uid, "/proc/self/uid_map")
    {
        reasons.push(format!("uid {uid} is not a valid owner: {why}"));
    }
    if let Some(gid) = gid
        && let Some(why) = why(gid, "/proc/self/gid_map")
    {
        reasons.push(format!("gid {gid} is not a valid group: {why}"));
    }
    if reasons.is_empty() {
        let shown = |id: Option<u32>| id.map_or("unchanged".to_owned(), |i| i.to_string());
        return format!(
            "the kernel refused uid {} and gid {} as invalid (EINVAL)",
            shown(uid),
            shown(gid)
        );
    }
    reasons.join("; ")
}

/// How `send` or `receive` moved the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The kernel copied between the segment's own file (opened through
    /// `/proc/self/map_files`) and the other file, page cache to page cache.
    SegmentFile,
    /// Through this process's mapping of the segment.
    Mapping,
}

/// Writes `len` bytes at `offset` of an attached segment to `sink`, as a
/// copy made while this runs: once it returns, nothing refers to the
/// segment's pages, so a slow reader still gets the bytes that were there.
/// (Handing a pipe the pages by reference, as vmsplice or a splice from the
/// segment's file does, would let it see later writes.)
///
/// A regular file, where the privilege allows, gets the bytes by
/// `sendfile` from the segment's own file, copied page cache to page cache
/// before the call returns: no page of the segment is mapped here. Every
/// other sink, and any rest that sendfile could not move, gets one
/// `write(2)` after another straight from the mapping, its pages mapped in
/// first with one `MADV_POPULATE_READ` rather than a fault per page (see
/// BENCHMARKS.md).
pub fn send<M>(
    attachment: &Attachment<M>,
    offset: usize,
    len: usize,
    sink: &std::fs::File,
) -> io::Result<Route> {
    send_with_progress(attachment, offset, len, sink, |_| {})
}

/// [`send`], calling `progress` with the bytes moved so far after each
/// piece of at most [`CHUNK`] bytes, so a caller can show how far it got.
pub fn send_with_progress<M>(
    attachment: &Attachment<M>,
    offset: usize,
    len: usize,
    sink: &std::fs::File,
    mut progress: impl FnMut(u64),
) -> io::Result<Route> {
    let end = offset
        .checked_add(len)
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    let kind = sink.metadata()?.file_type();
    let mut at = offset;
    if kind.is_file()
        && len > 0
        && let Ok(file) = attachment.segment_file()
    {
        at = send_from_segment_file(&file, offset, end, sink, &mut progress);
        if at == end {
            return Ok(Route::SegmentFile);
        }
    }
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        // Fewer, larger writes; unprivileged users may be held to less.
        let _ = sysv::set_pipe_size(sink, PIPE_SIZE);
    }
    while at < end {
        let chunk_end = end.min(at.saturating_add(CHUNK));
        // A kernel without MADV_POPULATE_READ (before 5.14) faults as usual.
        let _ = attachment.populate(at, chunk_end - at);
        while at < chunk_end {
            match attachment.write_to(at, chunk_end - at, sink) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => at += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        progress((at - offset) as u64);
    }
    Ok(Route::Mapping)
}

/// `sendfile` from the segment's file into `sink` over `offset..end`,
/// returning how far it got: on any refusal (EINVAL where a kernel cannot
/// splice these files, a full disk, ...) the caller carries on from there
/// through the mapping, which reports a lasting error itself.
fn send_from_segment_file(
    file: &std::fs::File,
    offset: usize,
    end: usize,
    sink: &std::fs::File,
    progress: &mut impl FnMut(u64),
) -> usize {
    let mut at = offset;
    while at < end {
        let mut pos = at as u64;
        match sysv::sendfile(sink, file, Some(&mut pos), (end - at).min(CHUNK)) {
            Ok(0) => break,
            Ok(n) => {
                at += n;
                progress((at - offset) as u64);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    at
}

/// The pipe size `send` asks for: the default unprivileged maximum.
const PIPE_SIZE: usize = 1 << 20;

/// The most `send` and `receive` move in one call before reporting
/// progress: large enough that the calls cost nothing measurable, small
/// enough that a progress bar moves several times a second. (Below
/// MAX_RW_COUNT, the most one read(2), write(2) or sendfile(2) moves.)
pub const CHUNK: usize = 64 << 20;

/// How far ahead `receive` maps pages in for a stream of unknown length:
/// enough to batch the faults, little enough not to allocate much of a
/// large segment that a short stream never reaches.
const WINDOW: usize = 16 << 20;

/// Reads `input` into the segment from `offset`, straight into the mapping
/// (`read(2)` into it: no buffer of our own), mapping pages in ahead
/// (`MADV_POPULATE_WRITE`) a window at a time. At most `limit` bytes are
/// taken; returns how many were written, whether input remained once
/// the space (or limit) was full, and how the bytes came. As root, a
/// regular file is copied by the kernel into the segment's own file
/// (`sendfile`), with no page of the segment mapped here.
pub fn receive(
    attachment: &Attachment<ReadWrite>,
    offset: usize,
    limit: usize,
    input: &std::fs::File,
) -> io::Result<(usize, bool, Route)> {
    receive_with_progress(attachment, offset, limit, input, |_| {})
}

/// [`receive`], calling `progress` with the bytes taken so far after each
/// read (at most [`CHUNK`] bytes), so a caller can show how far it got.
pub fn receive_with_progress(
    attachment: &Attachment<ReadWrite>,
    offset: usize,
    limit: usize,
    input: &std::fs::File,
    mut progress: impl FnMut(u64),
) -> io::Result<(usize, bool, Route)> {
    let end = offset.saturating_add(limit).min(attachment.len());
    // Stopped by the limit rather than the segment's end: nothing is left
    // to report, and no byte past the limit is taken from the input.
    let limited = offset.saturating_add(limit) <= attachment.len();
    let mut at = offset.min(end);
    if at < end
        && input.metadata()?.is_file()
        && let Ok(file) = attachment.segment_file_for_writing()
    {
        match receive_into_segment_file(&file, at, end, input, &mut progress) {
            (reached, true) => return Ok((reached - offset, false, Route::SegmentFile)),
            (reached, false) if reached == end => {
                return Ok((
                    end - offset,
                    !limited && has_more(input)?,
                    Route::SegmentFile,
                ));
            }
            (reached, false) => at = reached,
        }
    }
    while at < end {
        let window_end = end.min(at.saturating_add(WINDOW));
        let _ = attachment.populate_write(at, window_end - at);
        while at < window_end {
            match attachment.read_from(at, window_end - at, input) {
                Ok(0) => return Ok((at - offset, false, Route::Mapping)),
                Ok(n) => {
                    at += n;
                    progress((at - offset) as u64);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok((at - offset, !limited && has_more(input)?, Route::Mapping))
}

/// `sendfile` from a regular file `input` (from its position on) into the
/// segment's own file over `offset..end`, returning how far it got and
/// whether the input ended there. The kernel copies page cache to page
/// cache; on any refusal the caller carries on through the mapping.
fn receive_into_segment_file(
    file: &std::fs::File,
    offset: usize,
    end: usize,
    input: &std::fs::File,
    progress: &mut impl FnMut(u64),
) -> (usize, bool) {
    use std::io::Seek;
    let mut at = offset;
    let mut out = file;
    if out.seek(io::SeekFrom::Start(at as u64)).is_err() {
        return (at, false);
    }
    while at < end {
        match sysv::sendfile(file, input, None, (end - at).min(CHUNK)) {
            Ok(0) => return (at, true),
            Ok(n) => {
                at += n;
                progress((at - offset) as u64);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    (at, false)
}

/// Whether `input` has more to give (one byte is read to know).
fn has_more(mut input: &std::fs::File) -> io::Result<bool> {
    let mut byte = [0u8; 1];
    loop {
        match input.read(&mut byte) {
            Ok(n) => return Ok(n > 0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Enters another IPC namespace, named by the pid of a process in it or by
/// the path of a namespace file, so that everything after works there.
pub fn enter_namespace(spec: &str) -> Result<(), Error> {
    use std::os::unix::fs::OpenOptionsExt;
    let is_pid = !spec.is_empty() && spec.bytes().all(|b| b.is_ascii_digit());
    let path = if is_pid {
        format!("/proc/{spec}/ns/ipc")
    } else {
        spec.to_owned()
    };
    // Non-blocking, so a FIFO given by mistake is refused rather than waited on.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&path)
        .map_err(|e| {
        let reason = match (errno(&e), is_pid) {
            (libc::ENOENT, true) => format!("no process {spec}"),
            (libc::ENOENT, false) => format!("{path}: no such file"),
            // proc's ns files need ptrace read access to the process.
            (libc::EACCES | libc::EPERM, true) => format!(
                "cannot open {path}: permission denied; it needs ptrace read access to process {spec} (its user, or CAP_SYS_PTRACE)"
            ),
            (libc::EACCES | libc::EPERM, false) => format!("cannot open {path}: permission denied"),
            _ => format!("{path}: {e}"),
        };
        Error::Namespace(reason)
    })?;
    sysv::setns_ipc(&file).map_err(|e| {
        Error::Namespace(match errno(&e) {
            libc::EPERM => format!(
                "opened {path}, but setns into that IPC namespace needs CAP_SYS_ADMIN{}",
                crate::process::setns_remedy()
            ),
            libc::EINVAL => format!("{path} is not an IPC namespace"),
            _ => format!("entering {path}: {e}"),
        })
    })
}
