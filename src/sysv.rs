//! Every System V shared memory system call, and every `unsafe` block of the
//! crate, lives here. Callers get safe functions returning `io::Result` and an
//! [`Attachment`] that detaches on drop.

#![allow(unsafe_code)]

use std::io;
use std::marker::PhantomData;
use std::os::fd::{AsFd, AsRawFd, FromRawFd};
use std::ptr::NonNull;

use libc::{c_int, c_ulong};

use crate::segment::{Key, Segment};

// Commands and structs the libc crate does not define (linux/shm.h, linux/ipc.h).
const IPC_INFO: c_int = 3;
const SHM_STAT: c_int = 13;
const SHM_INFO: c_int = 14;
const SHM_STAT_ANY: c_int = 15;

/// `struct shm_info`, filled by `shmctl(SHM_INFO)`.
#[repr(C)]
#[derive(Default)]
struct RawShmInfo {
    used_ids: c_int,
    shm_tot: c_ulong,
    shm_rss: c_ulong,
    shm_swp: c_ulong,
    swap_attempts: c_ulong,
    swap_successes: c_ulong,
}

/// `struct shminfo`, filled by `shmctl(IPC_INFO)`.
#[repr(C)]
#[derive(Default)]
struct RawShmLimits {
    shmmax: c_ulong,
    shmmin: c_ulong,
    shmmni: c_ulong,
    shmseg: c_ulong,
    shmall: c_ulong,
    unused: [c_ulong; 4],
}

/// Current use of shared memory in this IPC namespace (`SHM_INFO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    pub segments: u64,
    /// Pages allocated, resident and swapped.
    pub pages: u64,
    pub resident_pages: u64,
    pub swapped_pages: u64,
}

/// The namespace's limits (`IPC_INFO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest segment, bytes.
    pub shmmax: u64,
    /// Smallest segment, bytes.
    pub shmmin: u64,
    /// Most segments.
    pub shmmni: u64,
    /// Most attaches per process.
    pub shmseg: u64,
    /// Most shared memory in all, pages.
    pub shmall: u64,
}

fn check(ret: c_int) -> io::Result<c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// `shmget(key, size, flags)`, returning the shmid.
pub fn shmget(key: Key, size: u64, flags: c_int) -> io::Result<i32> {
    let size = usize::try_from(size).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: shmget takes no pointers; any argument values are valid to pass.
    check(unsafe { libc::shmget(key.0, size, flags) })
}

fn segment_from(id: i32, ds: &libc::shmid_ds) -> Segment {
    Segment {
        key: Key(ds.shm_perm.__key),
        shmid: id,
        mode: u32::from(ds.shm_perm.mode),
        size: ds.shm_segsz as u64,
        cpid: ds.shm_cpid,
        lpid: ds.shm_lpid,
        nattch: ds.shm_nattch,
        uid: ds.shm_perm.uid,
        gid: ds.shm_perm.gid,
        cuid: ds.shm_perm.cuid,
        cgid: ds.shm_perm.cgid,
        atime: ds.shm_atime,
        dtime: ds.shm_dtime,
        ctime: ds.shm_ctime,
        rss: None,
        swap: None,
    }
}

fn zeroed_ds() -> libc::shmid_ds {
    // SAFETY: shmid_ds is plain integers; all-zero bytes are a valid value.
    unsafe { std::mem::zeroed() }
}

/// `shmctl(id, IPC_STAT)`: needs read permission on the segment.
pub fn stat(id: i32) -> io::Result<Segment> {
    let mut ds = zeroed_ds();
    // SAFETY: ds is a valid, writable shmid_ds that the kernel fills.
    check(unsafe { libc::shmctl(id, libc::IPC_STAT, &mut ds) })?;
    Ok(segment_from(id, &ds))
}

fn stat_index(index: i32, cmd: c_int) -> io::Result<Segment> {
    let mut ds = zeroed_ds();
    // SAFETY: ds is a valid, writable shmid_ds that the kernel fills.
    let id = check(unsafe { libc::shmctl(index, cmd, &mut ds) })?;
    Ok(segment_from(id, &ds))
}

/// Lists every segment without /proc: `IPC_INFO` for the highest index, then
/// `SHM_STAT_ANY` per index (`SHM_STAT`, which needs read permission, on
/// kernels before 4.17). Indexes that are free or vanish meanwhile are skipped.
pub fn stat_all() -> io::Result<Vec<Segment>> {
    stat_walk(&[SHM_STAT_ANY, SHM_STAT])
}

/// Like [`stat_all`], but only with `SHM_STAT_ANY`, which sees what
/// /proc/sysvipc/shm shows; fails with `ENOSYS` on kernels before 4.17
/// rather than list only the segments the caller may read.
pub fn stat_all_any() -> io::Result<Vec<Segment>> {
    stat_walk(&[SHM_STAT_ANY])
}

/// From this many indexes on, [`stat_walk`] walks on two threads.
const SPLIT_WALK_FROM: c_int = 2048;

/// `cmd` on every index in `indexes`: the segments found, and whether the
/// kernel knew the command (some index held a segment, readable or not).
fn stat_range(
    indexes: std::ops::RangeInclusive<c_int>,
    cmd: c_int,
) -> io::Result<(Vec<Segment>, bool)> {
    let mut segments = Vec::with_capacity(indexes.clone().count());
    let mut answered = false;
    for index in indexes {
        match stat_index(index, cmd) {
            Ok(seg) => {
                answered = true;
                segments.push(seg);
            }
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EIDRM)) => {}
            Err(e) if e.raw_os_error() == Some(libc::EACCES) => answered = true,
            Err(e) => return Err(e),
        }
    }
    Ok((segments, answered))
}

fn stat_walk(cmds: &[c_int]) -> io::Result<Vec<Segment>> {
    // IPC_INFO, not SHM_INFO, for the highest index: SHM_INFO walks every
    // segment in the kernel to total rss and swap.
    let (_, max_index) = limits_and_max_index()?;
    for &cmd in cmds {
        let split = (max_index + 1 >= SPLIT_WALK_FROM).then(|| {
            // Two threads, each walking half the indexes: one system call
            // per index is the whole cost, and the kernel serves them side
            // by side. The halves are joined in index order.
            let middle = max_index / 2;
            std::thread::scope(|scope| {
                // No thread to be had (a process or cgroup limit): one thread.
                let upper = std::thread::Builder::new()
                    .spawn_scoped(scope, move || stat_range(middle + 1..=max_index, cmd))
                    .ok()?;
                let lower = stat_range(0..=middle, cmd);
                let upper = upper
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("the walking thread failed")));
                Some(lower.and_then(|(mut segments, low)| {
                    let (rest, high) = upper?;
                    segments.extend(rest);
                    Ok((segments, low || high))
                }))
            })
        });
        let (segments, answered) = match split.flatten() {
            Some(walked) => walked?,
            None => stat_range(0..=max_index, cmd)?,
        };
        // The highest index is in use, so no answer at all means the command
        // itself is unknown (SHM_STAT_ANY before Linux 4.17).
        if answered || max_index < 0 {
            return Ok(segments);
        }
        // IPC_INFO says 0 for an empty table too: only SHM_INFO's count
        // (cheap here, with at most one segment to total) tells that from a
        // command the kernel does not know.
        if max_index == 0 && usage()?.segments == 0 {
            return Ok(segments);
        }
    }
    if cmds.contains(&SHM_STAT) {
        Ok(Vec::new())
    } else {
        Err(io::Error::from_raw_os_error(libc::ENOSYS))
    }
}

/// `shmctl(SHM_INFO)`.
pub fn usage() -> io::Result<Usage> {
    let mut info = RawShmInfo::default();
    // SAFETY: SHM_INFO writes a struct shm_info through the pointer, which
    // points to a live value of exactly that layout.
    check(unsafe { libc::shmctl(0, SHM_INFO, (&raw mut info).cast::<libc::shmid_ds>()) })?;
    Ok(Usage {
        segments: info.used_ids as u64,
        pages: info.shm_tot,
        resident_pages: info.shm_rss,
        swapped_pages: info.shm_swp,
    })
}

/// `shmctl(IPC_INFO)`.
pub fn limits() -> io::Result<Limits> {
    limits_and_max_index().map(|(limits, _)| limits)
}

/// The highest index in use, -1 for none (`shmctl(IPC_INFO)`).
pub fn max_index() -> io::Result<i32> {
    limits_and_max_index().map(|(_, max)| max)
}

/// `shmctl(IPC_INFO)`: the limits, and the highest index in use (-1 for none).
fn limits_and_max_index() -> io::Result<(Limits, i32)> {
    let mut raw = RawShmLimits::default();
    // SAFETY: IPC_INFO writes a struct shminfo through the pointer, which
    // points to a live value of exactly that layout.
    let max_index =
        check(unsafe { libc::shmctl(0, IPC_INFO, (&raw mut raw).cast::<libc::shmid_ds>()) })?;
    let limits = Limits {
        shmmax: raw.shmmax,
        shmmin: raw.shmmin,
        shmmni: raw.shmmni,
        shmseg: raw.shmseg,
        shmall: raw.shmall,
    };
    Ok((limits, max_index))
}

fn ctl(id: i32, cmd: c_int) -> io::Result<()> {
    // SAFETY: these commands do not read or write through the buffer pointer.
    check(unsafe { libc::shmctl(id, cmd, std::ptr::null_mut()) }).map(drop)
}

/// `shmctl(id, IPC_RMID)`: destroys the segment, or marks it for destruction
/// at the last detach.
pub fn remove(id: i32) -> io::Result<()> {
    ctl(id, libc::IPC_RMID)
}

/// `shmctl(id, SHM_LOCK)`.
pub fn lock(id: i32) -> io::Result<()> {
    ctl(id, libc::SHM_LOCK)
}

/// `shmctl(id, SHM_UNLOCK)`.
pub fn unlock(id: i32) -> io::Result<()> {
    ctl(id, libc::SHM_UNLOCK)
}

/// `shmctl(id, IPC_SET)`: sets owner uid, gid and permission bits.
pub fn set(id: i32, uid: u32, gid: u32, mode: u32) -> io::Result<()> {
    let mut ds = zeroed_ds();
    ds.shm_perm.uid = uid;
    ds.shm_perm.gid = gid;
    // u16 on x86_64, u32 on arm64: nine bits fit either.
    ds.shm_perm.mode = (mode & 0o777).try_into().unwrap_or_default();
    // SAFETY: ds is a valid shmid_ds; IPC_SET only reads it.
    check(unsafe { libc::shmctl(id, libc::IPC_SET, &mut ds) }).map(drop)
}

/// Grows the pipe `fd` to `size` bytes (`F_SETPIPE_SZ`), returning the size
/// it got; unprivileged users are held to /proc/sys/fs/pipe-max-size.
pub fn set_pipe_size(fd: &impl std::os::fd::AsFd, size: usize) -> io::Result<usize> {
    let size = c_int::try_from(size).unwrap_or(c_int::MAX);
    // SAFETY: F_SETPIPE_SZ takes an integer; no pointers.
    check(unsafe { libc::fcntl(fd.as_fd().as_raw_fd(), libc::F_SETPIPE_SZ, size) })
        .map(|n| n as usize)
}

/// `sendfile(out, input, offset, count)`: the kernel copies up to `count`
/// bytes of `input` into `out` (from `offset`, which it advances, or from
/// and advancing `input`'s own position when `offset` is `None`), with no
/// buffer in this process. Returns how many bytes it moved.
pub fn sendfile(
    out: &impl AsFd,
    input: &impl AsFd,
    offset: Option<&mut u64>,
    count: usize,
) -> io::Result<usize> {
    let too_far = || io::Error::from_raw_os_error(libc::EOVERFLOW);
    let mut off: libc::off_t = match &offset {
        Some(at) => libc::off_t::try_from(**at).map_err(|_| too_far())?,
        None => 0,
    };
    let off_ptr = if offset.is_some() {
        &raw mut off
    } else {
        std::ptr::null_mut()
    };
    // SAFETY: off_ptr is null or points to the live local `off`, which the
    // kernel reads and updates; the descriptors are borrowed open files.
    let n = unsafe {
        libc::sendfile(
            out.as_fd().as_raw_fd(),
            input.as_fd().as_raw_fd(),
            off_ptr,
            count,
        )
    };
    let n = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
    if let Some(at) = offset {
        *at = u64::try_from(off).map_err(|_| too_far())?;
    }
    Ok(n)
}

/// Moves the calling thread into the IPC namespace that `file` (an open
/// `/proc/PID/ns/ipc`, or a bind mount of one) refers to (needs
/// CAP_SYS_ADMIN).
pub fn setns_ipc(file: &impl std::os::fd::AsFd) -> io::Result<()> {
    // SAFETY: setns takes a file descriptor and a flag; no pointers.
    check(unsafe { libc::setns(file.as_fd().as_raw_fd(), libc::CLONE_NEWIPC) }).map(drop)
}

/// Moves the calling thread into a new, empty IPC namespace (needs
/// CAP_SYS_ADMIN). Processes it spawns afterwards are in it too.
pub fn unshare_ipc() -> io::Result<()> {
    // SAFETY: unshare takes no pointers.
    check(unsafe { libc::unshare(libc::CLONE_NEWIPC) }).map(drop)
}

/// The page size, from `sysconf(_SC_PAGESIZE)`. (Not procfs's, which reads
/// the auxiliary vector itself and crashes under valgrind.)
pub fn page_size() -> u64 {
    // SAFETY: sysconf takes an integer name and returns an integer.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).unwrap_or(4096).max(1)
}

/// SHMLBA: the alignment `shmat` requires of an address given without
/// `SHM_RND`. It is the page size on every Linux architecture this builds
/// for (arm64 included: its four-page value is for 32-bit compat tasks
/// only) except 32-bit ARM, whose caches alias (arch/*/include/asm/shmparam.h).
pub fn shmlba() -> usize {
    let page = page_size() as usize;
    if cfg!(target_arch = "arm") {
        4 * page
    } else {
        page
    }
}

/// Where to ask `shmat` to map a segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    /// The requested address; `None` lets the kernel choose.
    pub addr: Option<usize>,
    /// `SHM_RND`: round `addr` down to SHMLBA.
    pub round: bool,
}

/// Marker for an attachment made with `SHM_RDONLY`.
#[derive(Debug)]
pub enum ReadOnly {}
/// Marker for a read-write attachment.
#[derive(Debug)]
pub enum ReadWrite {}

/// An attached segment: where it is mapped and how long it is. It detaches
/// (`shmdt`) when dropped.
///
/// Other processes, and other attachments in this one, may write the memory
/// at any time. So this hands out no Rust reference into it: a `&[u8]` over
/// memory that changes underneath breaks the aliasing rules the compiler
/// optimises by (two attachments of one segment would be two slices over the
/// same bytes). Bytes move only by explicit copies, each of which sees the
/// memory as it is at that moment: [`copy_to`](Self::copy_to) and
/// [`write_to`](Self::write_to) out, and on a read-write attachment
/// [`copy_from`](Self::copy_from), [`fill`](Self::fill) and
/// [`read_from`](Self::read_from) in. Code that inspects bytes does so in
/// its own copy. Every offset and length is checked against the segment.
#[derive(Debug)]
pub struct Attachment<Mode> {
    addr: NonNull<u8>,
    len: usize,
    /// The segment as `IPC_STAT` saw it right after attaching.
    segment: Segment,
    /// What the memory is: a System V attach, or a mapped POSIX object.
    backing: Backing,
    _mode: PhantomData<Mode>,
}

impl<Mode> Attachment<Mode> {
    fn attach(id: i32, place: Placement, flags: c_int) -> io::Result<Self> {
        let flags = flags | if place.round { libc::SHM_RND } else { 0 };
        let want = place.addr.unwrap_or(0) as *const libc::c_void;
        // SAFETY: shmat maps new memory; a requested address without
        // SHM_REMAP never replaces an existing mapping (the kernel refuses).
        let addr = unsafe { libc::shmat(id, want, flags) };
        if addr as isize == -1 {
            return Err(io::Error::last_os_error());
        }
        let Some(addr) = NonNull::new(addr.cast::<u8>()) else {
            return Err(io::Error::other("shmat returned a null address"));
        };
        // Attached means we hold read permission, so IPC_STAT succeeds.
        let segment = stat(id).and_then(|segment| {
            let len = usize::try_from(segment.size)
                .map_err(|_| io::Error::from_raw_os_error(libc::EFBIG))?;
            Ok((segment, len))
        });
        let (segment, len) = match segment {
            Ok(found) => found,
            Err(e) => {
                // SAFETY: addr came from the shmat above and nothing refers
                // to the mapping yet.
                unsafe { libc::shmdt(addr.as_ptr().cast()) };
                return Err(e);
            }
        };
        let attachment = Attachment {
            addr,
            len,
            segment,
            backing: Backing::Shm,
            _mode: PhantomData,
        };
        Ok(attachment)
    }

    /// The segment as it was right after attaching: its size, and whether
    /// it was already marked for destruction (`status().dest`).
    pub fn segment(&self) -> &Segment {
        &self.segment
    }

    /// The address of `len` bytes at `offset`, once they are proved to lie
    /// inside the segment.
    fn span(&self, offset: usize, len: usize) -> io::Result<*mut u8> {
        match offset.checked_add(len) {
            // SAFETY: offset <= self.len, so the result stays inside (or one
            // past the end of) the mapping.
            Some(end) if end <= self.len => Ok(unsafe { self.addr.as_ptr().add(offset) }),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{len} bytes at offset {offset} lie outside the {}-byte segment",
                    self.len
                ),
            )),
        }
    }

    /// Copies the bytes at `offset` into `buf`, filling it.
    pub fn copy_to(&self, offset: usize, buf: &mut [u8]) -> io::Result<()> {
        let src = self.span(offset, buf.len())?;
        if let Backing::File(file) = &self.backing {
            return file_copy_to(file, offset, buf);
        }
        // SAFETY: span proved src..src+len lies in the readable mapping, and
        // buf is this process's own memory, which no mapping of the segment
        // can overlap (no reference into the mapping is ever handed out).
        // Other writers may change the source meanwhile: the copy then holds
        // a mix of old and new bytes, which is what shared memory holds.
        unsafe { std::ptr::copy_nonoverlapping(src, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }

    /// Writes up to `len` bytes at `offset` to `fd` with one `write(2)`
    /// straight from the mapping (the kernel makes the one copy), returning
    /// how many it took. For a pipe, too, the bytes are copied into the pipe
    /// before this returns, so a slow reader still gets what was there.
    pub fn write_to(&self, offset: usize, len: usize, fd: &impl AsFd) -> io::Result<usize> {
        let src = self.span(offset, len)?;
        // SAFETY: src..src+len lies in the readable mapping; write(2) only
        // reads it.
        let n = unsafe { libc::write(fd.as_fd().as_raw_fd(), src.cast(), len) };
        usize::try_from(n).map_err(|_| io::Error::last_os_error())
    }

    /// Maps every page holding `len` bytes at `offset` into this process now,
    /// in one call (`MADV_POPULATE_READ`), instead of one page fault at a time
    /// during the copy. Kernels before 5.14 refuse it; the copy then faults
    /// as usual.
    pub fn populate(&self, offset: usize, len: usize) -> io::Result<()> {
        self.advise(libc::MADV_POPULATE_READ, offset, len)
    }

    /// madvise over the pages holding `len` bytes at `offset`.
    fn advise(&self, advice: c_int, offset: usize, len: usize) -> io::Result<()> {
        let end = offset.saturating_add(len).min(self.len);
        if offset >= end {
            return Ok(());
        }
        let page = page_size() as usize;
        let start = offset - offset % page;
        // SAFETY: start..end lies within this attachment's own page-aligned
        // mapping; populating advice only faults pages in, never changes data.
        let ret =
            unsafe { libc::madvise(self.addr.as_ptr().add(start).cast(), end - start, advice) };
        check(ret).map(drop)
    }

    /// Opens the segment's own shmem file through this attachment's entry in
    /// `/proc/self/map_files`, so the kernel can copy its page cache to
    /// another file without this process mapping a page. Opening those
    /// entries needs CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE); without it
    /// this fails (EPERM) and callers copy through the mapping instead.
    /// A mapped POSIX object is its own file: its descriptor, duplicated,
    /// needs no privilege. For reading only: a write through it would grow
    /// an object another process shrank meanwhile, where a write through
    /// the mapping fails (EFAULT) and leaves the object as that process
    /// left it.
    fn open_segment_file(&self, flags: c_int) -> io::Result<std::fs::File> {
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        if let Backing::File(file) = &self.backing {
            if flags & libc::O_ACCMODE != libc::O_RDONLY {
                return Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP));
            }
            return file.try_clone();
        }
        let page = page_size() as usize;
        let start = self.address();
        // shmat maps the size rounded up to whole pages: that is the entry's name.
        let end = start + self.len.div_ceil(page) * page;
        let file = std::fs::OpenOptions::new()
            .read(flags & libc::O_ACCMODE != libc::O_WRONLY)
            .write(flags & libc::O_ACCMODE != libc::O_RDONLY)
            .custom_flags(libc::O_CLOEXEC)
            .open(format!("/proc/self/map_files/{start:x}-{end:x}"))?;
        // The file of a System V segment has the shmid as its inode number
        // and the segment's size; anything else is not what we attached.
        let meta = file.metadata()?;
        if meta.ino() != self.segment.shmid as u64 || meta.len() < self.len as u64 {
            return Err(io::Error::from_raw_os_error(libc::ENODEV));
        }
        Ok(file)
    }

    /// The segment's own file, open read-only (see `open_segment_file`).
    pub fn segment_file(&self) -> io::Result<std::fs::File> {
        self.open_segment_file(libc::O_RDONLY)
    }

    /// The address the segment is mapped at.
    pub fn address(&self) -> usize {
        self.addr.as_ptr() as usize
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Attachment<ReadOnly> {
    /// `shmat(id, addr, SHM_RDONLY)`.
    pub fn read_only(id: i32, place: Placement) -> io::Result<Self> {
        Self::attach(id, place, libc::SHM_RDONLY)
    }
}

impl Attachment<ReadWrite> {
    /// `shmat(id, addr, 0)`: needs read and write permission.
    pub fn read_write(id: i32, place: Placement) -> io::Result<Self> {
        Self::attach(id, place, 0)
    }

    /// Like [`Attachment::populate`], for writing (`MADV_POPULATE_WRITE`):
    /// pages are allocated and mapped writable before the copy.
    pub fn populate_write(&self, offset: usize, len: usize) -> io::Result<()> {
        self.advise(libc::MADV_POPULATE_WRITE, offset, len)
    }

    /// Copies `data` into the segment at `offset`.
    pub fn copy_from(&self, offset: usize, data: &[u8]) -> io::Result<()> {
        let dest = self.span(offset, data.len())?;
        if let Backing::File(_) = &self.backing {
            return self.copy_through_pipe(offset, data.chunks(PIPE_CHUNK));
        }
        // SAFETY: span proved dest..dest+len lies in the mapping, writable
        // since it was attached without SHM_RDONLY; data is this process's
        // own memory, which the mapping cannot overlap (no reference into it
        // is ever handed out).
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), dest, data.len()) };
        Ok(())
    }

    /// Sets `len` bytes at `offset` to `byte`.
    pub fn fill(&self, offset: usize, len: usize, byte: u8) -> io::Result<()> {
        let dest = self.span(offset, len)?;
        if let Backing::File(_) = &self.backing {
            let block = [byte; PIPE_CHUNK];
            let blocks = (0..len)
                .step_by(PIPE_CHUNK)
                .map(|at| &block[..PIPE_CHUNK.min(len - at)]);
            return self.copy_through_pipe(offset, blocks);
        }
        // SAFETY: span proved dest..dest+len lies in the writable mapping.
        unsafe { std::ptr::write_bytes(dest, byte, len) };
        Ok(())
    }

    /// Writes `pieces` one after another from `offset` into a mapped POSIX
    /// object, each through a pipe and [`Attachment::read_from`], so the
    /// kernel makes the copy into the mapping: where another process shrank
    /// the object it fails with EFAULT, where a copy of our own would die of
    /// SIGBUS and `pwrite` would grow the object back.
    fn copy_through_pipe<'a>(
        &self,
        offset: usize,
        pieces: impl Iterator<Item = &'a [u8]>,
    ) -> io::Result<()> {
        use std::io::Write;
        let (reader, mut writer) = std::io::pipe()?;
        let mut at = offset;
        for piece in pieces {
            // A piece fits an empty pipe (a page at the least), so this
            // write never waits for a reader.
            writer.write_all(piece)?;
            let end = at + piece.len();
            while at < end {
                match self.read_from(at, end - at, &reader) {
                    Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                    Ok(n) => at += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// The segment's own file, open for writing (see `open_segment_file`):
    /// bytes written to it at an offset inside the segment are the segment's.
    pub fn segment_file_for_writing(&self) -> io::Result<std::fs::File> {
        self.open_segment_file(libc::O_WRONLY)
    }

    /// Reads up to `len` bytes from `fd` into the segment at `offset` with
    /// one `read(2)` straight into the mapping, returning how many came
    /// (0 at the end of the input).
    pub fn read_from(&self, offset: usize, len: usize, fd: &impl AsFd) -> io::Result<usize> {
        let dest = self.span(offset, len)?;
        // SAFETY: dest..dest+len lies in the writable mapping; read(2) writes
        // at most len bytes there and nothing else.
        let n = unsafe { libc::read(fd.as_fd().as_raw_fd(), dest.cast(), len) };
        usize::try_from(n).map_err(|_| io::Error::last_os_error())
    }
}

impl<Mode> Drop for Attachment<Mode> {
    fn drop(&mut self) {
        match self.backing {
            // SAFETY: addr came from a successful shmat and is detached only
            // here; no reference into the mapping exists to outlive it.
            Backing::Shm => unsafe { libc::shmdt(self.addr.as_ptr().cast()) },
            // An empty object was never mapped.
            Backing::File(_) if self.len == 0 => 0,
            // SAFETY: addr..addr+len came from a successful mmap and is
            // unmapped only here; no reference into it exists to outlive it.
            Backing::File(_) => unsafe { libc::munmap(self.addr.as_ptr().cast(), self.len) },
        };
    }
}

/// The kernel's IPCMNI: an id is `seq * IPCMNI + index`. 32768, or 2^24
/// when booted with `ipcmni_extend`; both are tried, since nothing tells.
const IPCMNI: [i32; 2] = [1 << 15, 1 << 24];

/// `shmctl(index, SHM_STAT_ANY)` on the index of segment `id`, which needs
/// no read permission: the segment's entry now, or `EINVAL` when that id is
/// gone (its index is free or holds another segment). Linux 4.17 and later.
pub fn stat_any_by_id(id: i32) -> io::Result<Segment> {
    if id < 0 {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let mut last = io::Error::from_raw_os_error(libc::EINVAL);
    for ipcmni in IPCMNI {
        match stat_index(id % ipcmni, SHM_STAT_ANY) {
            Ok(seg) if seg.shmid == id => return Ok(seg),
            Ok(_) => last = io::Error::from_raw_os_error(libc::EINVAL),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// What `kill(pid, 0)` says about a pid in the caller's pid namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PidProbe {
    /// A process (or zombie) has this pid, and we may signal it.
    Exists,
    /// A process (or zombie) has this pid, owned by someone we may not signal (EPERM).
    ExistsNotOurs,
    /// No process has this pid (ESRCH).
    NoSuchProcess,
}

/// `kill(pid, 0)`: sends nothing, only asks whether the pid exists. Refuses
/// pids that are not a single positive pid (0 and negatives name groups).
pub fn probe_pid(pid: i32) -> io::Result<PidProbe> {
    if pid <= 0 {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    // SAFETY: kill takes integers; signal 0 delivers nothing, and pid > 0
    // names exactly one process, never a group.
    match check(unsafe { libc::kill(pid, 0) }) {
        Ok(_) => Ok(PidProbe::Exists),
        Err(e) => match e.raw_os_error() {
            Some(libc::EPERM) => Ok(PidProbe::ExistsNotOurs),
            Some(libc::ESRCH) => Ok(PidProbe::NoSuchProcess),
            _ => Err(e),
        },
    }
}

/// Gives the unnamed file `file` (opened with `O_TMPFILE`) the name `path`,
/// failing with `EEXIST` if the name is taken: `linkat` through
/// /proc/self/fd with `AT_SYMLINK_FOLLOW`, which needs no privilege.
pub fn link_unnamed(file: &impl AsFd, path: &std::path::Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let fd_path = std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_fd().as_raw_fd()))
        .map_err(io::Error::other)?;
    let path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: both are NUL-terminated strings live for the call.
    check(unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            fd_path.as_ptr(),
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    })
    .map(drop)
}

// POSIX shared memory: objects in /dev/shm, reached through a directory
// descriptor so that no symlink is ever followed.

/// What an [`Attachment`]'s memory is.
#[derive(Debug)]
enum Backing {
    /// A System V segment attached with `shmat`, detached with `shmdt`.
    Shm,
    /// A POSIX object mapped `MAP_SHARED` from this descriptor; unmapped
    /// with `munmap`. Copies out into our own buffers use pread on it, and
    /// copies in go through a pipe into the mapping, so a peer that shrinks
    /// the object meanwhile gives an error (EFAULT), never SIGBUS in this
    /// process, and is never grown back.
    File(std::fs::File),
}

fn file_copy_to(file: &std::fs::File, offset: usize, buf: &mut [u8]) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    // Short: the object shrank. Said as a copy through the mapping says it
    // (EFAULT), so callers tell one case, not two.
    file.read_exact_at(buf, offset as u64).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            io::Error::from_raw_os_error(libc::EFAULT)
        } else {
            e
        }
    })
}

/// The most [`Attachment::copy_through_pipe`] puts in its pipe at once:
/// a page, what every pipe holds however little it was given.
const PIPE_CHUNK: usize = 4096;

impl<Mode> Attachment<Mode> {
    fn map_file(file: std::os::fd::OwnedFd, len: usize, prot: c_int) -> io::Result<Self> {
        let addr = if len == 0 {
            NonNull::dangling()
        } else {
            // SAFETY: mmap with a null hint makes a new mapping and replaces none.
            let addr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    prot,
                    libc::MAP_SHARED,
                    file.as_raw_fd(),
                    0,
                )
            };
            if addr == libc::MAP_FAILED {
                return Err(io::Error::last_os_error());
            }
            NonNull::new(addr.cast::<u8>())
                .ok_or_else(|| io::Error::other("mmap returned a null address"))?
        };
        Ok(Attachment {
            addr,
            len,
            segment: object_segment(len as u64),
            backing: Backing::File(file.into()),
            _mode: PhantomData,
        })
    }
}

/// The segment entry a mapped POSIX object reports: only its size means
/// anything (it has no key, id, or System V times).
fn object_segment(size: u64) -> Segment {
    Segment {
        key: Key::PRIVATE,
        shmid: -1,
        mode: 0,
        size,
        cpid: 0,
        lpid: 0,
        nattch: 0,
        uid: 0,
        gid: 0,
        cuid: 0,
        cgid: 0,
        atime: 0,
        dtime: 0,
        ctime: 0,
        rss: None,
        swap: None,
    }
}

impl Attachment<ReadOnly> {
    /// Maps `len` bytes of an object opened for reading, `PROT_READ`.
    pub fn map_read(file: std::os::fd::OwnedFd, len: usize) -> io::Result<Self> {
        Self::map_file(file, len, libc::PROT_READ)
    }
}

impl Attachment<ReadWrite> {
    /// Maps `len` bytes of an object opened for reading and writing.
    pub fn map_write(file: std::os::fd::OwnedFd, len: usize) -> io::Result<Self> {
        Self::map_file(file, len, libc::PROT_READ | libc::PROT_WRITE)
    }
}

fn c_name(name: &std::ffi::OsStr) -> io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(name.as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

/// The parts of `struct stat` an object listing needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStat {
    pub dev: u64,
    pub ino: u64,
    /// `st_mode`: file type and permission bits.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    /// `st_blocks * 512`.
    pub allocated: u64,
    pub mtime: i64,
    pub ctime: i64,
}

impl FileStat {
    pub fn is_regular(&self) -> bool {
        self.mode & libc::S_IFMT == libc::S_IFREG
    }
}

fn file_stat(st: &libc::stat) -> FileStat {
    FileStat {
        dev: st.st_dev,
        ino: st.st_ino,
        mode: st.st_mode,
        uid: st.st_uid,
        gid: st.st_gid,
        size: st.st_size.max(0) as u64,
        allocated: (st.st_blocks.max(0) as u64).saturating_mul(512),
        mtime: st.st_mtime,
        ctime: st.st_ctime,
    }
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`: the entry itself, never what a
/// symlink points to.
pub fn stat_at(dir: &impl AsFd, name: &std::ffi::OsStr) -> io::Result<FileStat> {
    let name = c_name(name)?;
    // SAFETY: zeroed is a valid struct stat (integers only).
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: name is NUL-terminated; fstatat writes one struct stat into st.
    check(unsafe {
        libc::fstatat(
            dir.as_fd().as_raw_fd(),
            name.as_ptr(),
            &mut st,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    })?;
    Ok(file_stat(&st))
}

/// `fstat(fd)`.
pub fn stat_fd(fd: &impl AsFd) -> io::Result<FileStat> {
    // SAFETY: zeroed is a valid struct stat (integers only).
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat writes one struct stat into st.
    check(unsafe { libc::fstat(fd.as_fd().as_raw_fd(), &mut st) })?;
    Ok(file_stat(&st))
}

/// `openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)`: a symlink as
/// the name fails ELOOP instead of being followed.
pub fn open_at(
    dir: &impl AsFd,
    name: &std::ffi::OsStr,
    flags: c_int,
    mode: u32,
) -> io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    let name = c_name(name)?;
    let flags = flags | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: name is NUL-terminated; openat returns a new descriptor or -1.
    let fd = check(unsafe {
        libc::openat(
            dir.as_fd().as_raw_fd(),
            name.as_ptr(),
            flags,
            mode as libc::c_uint,
        )
    })?;
    // SAFETY: fd was just opened and is owned by nobody else.
    Ok(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) })
}

/// `unlinkat(dir, name, 0)`: removes the entry itself (a symlink is never
/// followed by unlink).
pub fn unlink_at(dir: &impl AsFd, name: &std::ffi::OsStr) -> io::Result<()> {
    let name = c_name(name)?;
    // SAFETY: name is NUL-terminated; unlinkat takes no other pointers.
    check(unsafe { libc::unlinkat(dir.as_fd().as_raw_fd(), name.as_ptr(), 0) }).map(drop)
}

/// `fchmod(fd, mode)`.
pub fn chmod_fd(fd: &impl AsFd, mode: u32) -> io::Result<()> {
    // SAFETY: fchmod takes integers.
    check(unsafe { libc::fchmod(fd.as_fd().as_raw_fd(), mode as libc::mode_t) }).map(drop)
}

/// `ftruncate(fd, size)`.
pub fn truncate_fd(fd: &impl AsFd, size: u64) -> io::Result<()> {
    let size =
        libc::off_t::try_from(size).map_err(|_| io::Error::from_raw_os_error(libc::EFBIG))?;
    // SAFETY: ftruncate takes integers.
    check(unsafe { libc::ftruncate(fd.as_fd().as_raw_fd(), size) }).map(drop)
}

/// A file system's size and use, from `fstatfs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FsUsage {
    pub size: u64,
    pub used: u64,
    pub available: u64,
}

/// `fstatfs(fd)`: the size and use of the file system holding `fd`.
pub fn fs_usage(fd: &impl AsFd) -> io::Result<FsUsage> {
    // SAFETY: zeroed is a valid struct statfs (integers only).
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: fstatfs writes one struct statfs into st.
    check(unsafe { libc::fstatfs(fd.as_fd().as_raw_fd(), &mut st) })?;
    // Block counts are in fragments (f_frsize), as df counts them.
    let block = st.f_frsize as u64;
    Ok(FsUsage {
        size: (st.f_blocks as u64).saturating_mul(block),
        used: (st.f_blocks as u64)
            .saturating_sub(st.f_bfree as u64)
            .saturating_mul(block),
        available: (st.f_bavail as u64).saturating_mul(block),
    })
}

/// Moves the calling thread into a new, private mount namespace (needs
/// CAP_SYS_ADMIN): what tests use to give /dev/shm a tmpfs of its own.
pub fn unshare_mount() -> io::Result<()> {
    // SAFETY: unshare takes no pointers.
    check(unsafe { libc::unshare(libc::CLONE_NEWNS) }).map(drop)
}

/// The devices (`st_dev`) of the kernel's own shared memory file systems,
/// which back every System V segment: found from a `memfd_create` file,
/// which lives on the same internal tmpfs (and the internal hugetlbfs for
/// `SHM_HUGETLB` segments), and removed again at once. No other file system
/// can have these devices, so a mapping on another device is not a segment,
/// whatever its name and inode. Empty when the kernel will not say.
pub fn shmem_devices() -> Vec<u64> {
    use std::os::unix::fs::MetadataExt;
    let name = c"shmtool-device-probe";
    let mut devices = Vec::new();
    for flags in [libc::MFD_CLOEXEC, libc::MFD_CLOEXEC | libc::MFD_HUGETLB] {
        // SAFETY: name is a NUL-terminated string live for the call.
        let fd = unsafe { libc::memfd_create(name.as_ptr(), flags) };
        if fd < 0 {
            continue;
        }
        // SAFETY: fd is a new descriptor that nothing else owns.
        let file = std::fs::File::from(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) });
        if let Ok(meta) = file.metadata() {
            devices.push(meta.dev());
        }
    }
    devices
}

/// `openat2(dir, path, O_PATH|O_DIRECTORY, RESOLVE_IN_ROOT |
/// RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`: `path` looked up beneath
/// `dir` as if `dir` were `/`, failing (ELOOP) on any symlink, so a
/// directory another process controls can never lead outside itself.
pub fn open_dir_beneath(dir: &impl AsFd, path: &str) -> io::Result<std::os::fd::OwnedFd> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    rustix::fs::openat2(
        dir,
        path,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::IN_ROOT | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
    )
    .map_err(io::Error::from)
}

/// What the kernel has cached of a directory descriptor's mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MountFacts {
    /// The device (`st_dev`).
    pub dev: u64,
    /// `statx` says the directory is the root of its mount
    /// (`STATX_ATTR_MOUNT_ROOT`); `None` where the kernel does not say.
    pub mount_root: Option<bool>,
    /// The mount's id (`STATX_MNT_ID`), as /proc/PID/mountinfo numbers it.
    pub mount_id: Option<u64>,
}

/// `statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC)` of a descriptor
/// (O_PATH will do): never a lookup by name, and from what the kernel has
/// cached, so a file system that does not answer (FUSE) cannot block it.
pub fn mount_facts(fd: &impl AsFd) -> io::Result<MountFacts> {
    use rustix::fs::{AtFlags, StatxAttributes, StatxFlags};
    let x = rustix::fs::statx(
        fd,
        "",
        AtFlags::EMPTY_PATH | AtFlags::STATX_DONT_SYNC,
        StatxFlags::BASIC_STATS | StatxFlags::MNT_ID,
    )?;
    let known = x.stx_attributes_mask;
    let attributes = x.stx_attributes;
    Ok(MountFacts {
        dev: libc::makedev(x.stx_dev_major, x.stx_dev_minor),
        mount_root: known
            .contains(StatxAttributes::MOUNT_ROOT)
            .then(|| attributes.contains(StatxAttributes::MOUNT_ROOT)),
        mount_id: StatxFlags::from_bits_retain(x.stx_mask)
            .contains(StatxFlags::MNT_ID)
            .then_some(x.stx_mnt_id),
    })
}

/// `NS_GET_USERNS` (include/uapi/linux/nsfs.h: `_IO(0xb7, 0x1)`).
const NS_GET_USERNS: c_ulong = 0xb701;

/// The inode of the user namespace that owns the namespace `ns` (an open
/// `/proc/PID/ns/*` file): `ioctl(NS_GET_USERNS)`, whose answer is a new
/// descriptor, closed again here.
pub fn owning_userns(ns: &impl AsFd) -> io::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: NS_GET_USERNS takes no argument and returns a new descriptor or -1.
    let fd = check(unsafe { libc::ioctl(ns.as_fd().as_raw_fd(), NS_GET_USERNS as _) })?;
    // SAFETY: fd was just returned by the kernel and is owned by nobody else.
    let owner = std::fs::File::from(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) });
    Ok(owner.metadata()?.ino())
}

/// What a link such as `/proc/PID/fd/N` points to, from the attributes the
/// kernel has cached (`statx` with `AT_STATX_DONT_SYNC`): the file's file
/// system is not asked, so a FUSE server that never answers cannot block it.
pub fn stat_cached(path: &std::path::Path) -> io::Result<FileStat> {
    use rustix::fs::{AtFlags, CWD, StatxFlags};
    let st = rustix::fs::statx(CWD, path, AtFlags::STATX_DONT_SYNC, StatxFlags::BASIC_STATS)?;
    Ok(FileStat {
        dev: libc::makedev(st.stx_dev_major, st.stx_dev_minor),
        ino: st.stx_ino,
        mode: u32::from(st.stx_mode),
        uid: st.stx_uid,
        gid: st.stx_gid,
        size: st.stx_size,
        allocated: st.stx_blocks.saturating_mul(512),
        mtime: st.stx_mtime.tv_sec,
        ctime: st.stx_ctime.tv_sec,
    })
}

/// Whether tasks `a` and `b` share one file descriptor table
/// (`kcmp(a, b, KCMP_FILES, 0, 0)`); ENOSYS where the kernel lacks kcmp.
pub fn same_fd_table(a: i32, b: i32) -> io::Result<bool> {
    // include/uapi/linux/kcmp.h
    const KCMP_FILES: libc::c_long = 2;
    // SAFETY: kcmp takes integers only and touches no memory of ours.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_kcmp,
            libc::c_long::from(a),
            libc::c_long::from(b),
            KCMP_FILES,
            0 as libc::c_long,
            0 as libc::c_long,
        )
    };
    match ret {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(true),
        _ => Ok(false),
    }
}
