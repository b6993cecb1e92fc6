//! read: attach read-only and copy the bytes out, straight from the mapping.

use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use shmtool::ops::{self, Route};
use shmtool::sysv::Attachment;
use shmtool::users::Names;

use crate::cli::{DataFormat, ReadArgs};
use crate::cmd::attach;
use crate::progress::Progress;
use crate::render::hexdump::HexDump;

/// Where the bytes go. Files are opened before attaching, so a bad path
/// fails with the segment untouched, and a dump is never more readable than
/// mode 0600, whatever the segment's mode.
pub(super) enum Output {
    Stdout,
    /// A dump being written to an unnamed file (or, where the file system
    /// has no `O_TMPFILE`, a hidden name beside the target), which gets its
    /// name only once complete: an interrupted read leaves nothing under the
    /// target's name and a replaced file as it was.
    Pending {
        file: File,
        /// The hidden name, when the file has one while it is written.
        temp: Option<PathBuf>,
        path: PathBuf,
        /// Replace what is at `path` (a regular file, with `--force`).
        replace: bool,
    },
    /// A device or FIFO the caller or root owns (`/dev/null`, `/dev/stdout`
    /// on a pipe): written as it is, never truncated or replaced.
    Special(File),
}

/// Creates `path` exclusively, mode 0600 (O_CREAT|O_EXCL never follows a
/// symlink in the final component).
fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// A file for the dump that will be named `path`: unnamed in its directory
/// (`O_TMPFILE`), or under a hidden name beside it where that is not
/// supported.
fn pending(path: &Path, replace: bool) -> anyhow::Result<Output> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let unnamed = OpenOptions::new()
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_TMPFILE)
        .open(dir);
    match unnamed {
        Ok(file) => {
            return Ok(Output::Pending {
                file,
                temp: None,
                path: path.to_owned(),
                replace,
            });
        }
        // No O_TMPFILE here (EOPNOTSUPP; EISDIR or EINVAL on old kernels).
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)
            ) => {}
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot create {shown}")));
        }
    }
    let mut last = None;
    for attempt in 0..16 {
        let temp = hidden_name(path, attempt);
        match create_new(&temp) {
            Ok(file) => {
                return Ok(Output::Pending {
                    file,
                    temp: Some(temp),
                    path: path.to_owned(),
                    replace,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot create {shown}"))),
        }
    }
    let e = last.unwrap_or_else(|| io::ErrorKind::AlreadyExists.into());
    Err(anyhow::Error::new(e).context(format!("cannot create {shown}")))
}

/// Refuses what another user owns: writing a segment's bytes into their
/// FIFO, device or symlink would hand them the bytes (as the kernel's
/// protected_fifos and protected_symlinks rules refuse in sticky directories).
fn owned_by_caller_or_root(
    meta: &std::fs::Metadata,
    what: &str,
    shown: &str,
) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let uid = meta.uid();
    if uid != 0 && uid != uzers::get_effective_uid() {
        anyhow::bail!(
            "{shown} is {what} owned by uid {uid}; refusing to write a segment's bytes through \
             another user's file (remove it, or name a new file)"
        );
    }
    Ok(())
}

/// Opens for writing the file an `O_PATH` descriptor refers to (through
/// /proc/self/fd, so the object checked is the object opened).
fn reopen_for_writing(handle: &File, shown: &str) -> anyhow::Result<File> {
    use std::os::fd::AsRawFd;
    OpenOptions::new()
        .write(true)
        .open(format!("/proc/self/fd/{}", handle.as_raw_fd()))
        .with_context(|| format!("cannot open {shown}"))
}

/// Opens `--output`. An existing path is replaced only with `force`; a
/// symlink in the final component is followed only when the caller or root
/// owns it, and only to a device or FIFO the caller or root owns, never to
/// a regular file (a planted link to /etc/shadow is refused).
pub(super) fn open_output(path: &Path, force: bool) -> anyhow::Result<Output> {
    if path.as_os_str() == "-" {
        return Ok(Output::Stdout);
    }
    let shown = path.display().to_string();
    // What is there now, without following a final symlink or opening it.
    let handle = |flags| {
        OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | flags)
            .open(path)
    };
    let here = match handle(libc::O_NOFOLLOW) {
        Ok(here) => here,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return pending(path, false),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot open {shown}"))),
    };
    if !force {
        anyhow::bail!("{shown} exists; pass --force to replace it");
    }
    let meta = here
        .metadata()
        .with_context(|| format!("cannot stat {shown}"))?;
    let kind = meta.file_type();
    if kind.is_file() {
        return pending(path, true);
    }
    if kind.is_dir() {
        anyhow::bail!("cannot replace {shown}: it is a directory");
    }
    let target = if kind.is_symlink() {
        owned_by_caller_or_root(&meta, "a symbolic link", &shown)?;
        let target = handle(0).with_context(|| format!("cannot open {shown}"))?;
        let meta = target
            .metadata()
            .with_context(|| format!("cannot stat {shown}"))?;
        if meta.is_file() {
            anyhow::bail!(
                "{shown} is a symbolic link to a regular file; refusing to replace what it points to \
                 (name the file itself, or use -o - for standard output)"
            );
        }
        if meta.is_dir() {
            anyhow::bail!("cannot replace {shown}: it leads to a directory");
        }
        owned_by_caller_or_root(&meta, "a device or FIFO", &shown)?;
        target
    } else {
        owned_by_caller_or_root(&meta, "a device or FIFO", &shown)?;
        here
    };
    reopen_for_writing(&target, &shown).map(Output::Special)
}

impl Output {
    pub(super) fn file(&self) -> io::Result<File> {
        match self {
            // Unbuffered, so bytes go from the mapping to the kernel in one copy.
            Output::Stdout => Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?)),
            Output::Pending { file, .. } | Output::Special(file) => file.try_clone(),
        }
    }

    /// The dump is complete: give it its name.
    pub(super) fn commit(self) -> anyhow::Result<()> {
        let Output::Pending {
            file,
            temp,
            path,
            replace,
        } = self
        else {
            return Ok(());
        };
        let shown = path.display();
        let named = match (&temp, replace) {
            // Unnamed, and the name must be free: link it there (EEXIST if
            // something took the name meanwhile).
            (None, false) => {
                return shmtool::sysv::link_unnamed(&file, &path)
                    .map_err(|e| anyhow::Error::new(e).context(format!("cannot create {shown}")));
            }
            // Unnamed, replacing: a hidden name first, then rename over.
            (None, true) => {
                let hidden = hidden_name(&path, 0);
                shmtool::sysv::link_unnamed(&file, &hidden)
                    .with_context(|| format!("cannot replace {shown}"))?;
                hidden
            }
            (Some(temp), _) => temp.clone(),
        };
        let placed = if replace {
            std::fs::rename(&named, &path)
        } else {
            // Never over something that appeared meanwhile.
            std::fs::hard_link(&named, &path).and_then(|()| std::fs::remove_file(&named))
        };
        placed.map_err(|e| {
            let _ = std::fs::remove_file(&named);
            anyhow::Error::new(e).context(format!("cannot create {shown}"))
        })
    }

    /// The read failed: leave no file behind that we made, and the old one
    /// as it was. (An unnamed file simply goes when it is closed.)
    pub(super) fn abandon(self) {
        if let Output::Pending {
            temp: Some(temp), ..
        } = self
        {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// A hidden name beside `path`, for a dump on its way there.
fn hidden_name(path: &Path, attempt: u32) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.shmtool-{}-{attempt}", std::process::id()))
}

/// Text as `--format text` writes it: as it is into files and pipes; on a
/// terminal, line by line with every control character and invalid UTF-8
/// escaped (the bytes are anyone's who may write the segment), and ending
/// in a newline.
struct TerminalText {
    terminal: bool,
    /// The start of a character split between two copies.
    carry: Vec<u8>,
    last: Option<u8>,
}

impl TerminalText {
    fn new(terminal: bool) -> TerminalText {
        TerminalText {
            terminal,
            carry: Vec::new(),
            last: None,
        }
    }

    fn write(&mut self, out: &mut impl Write, text: &[u8]) -> io::Result<()> {
        self.last = text.last().copied().or(self.last);
        if !self.terminal {
            return out.write_all(text);
        }
        self.carry.extend_from_slice(text);
        // Hold back an incomplete character at the end for the next piece.
        let whole = match std::str::from_utf8(&self.carry) {
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            _ => self.carry.len(),
        };
        let rest = self.carry.split_off(whole);
        self.emit(out)?;
        self.carry = rest;
        Ok(())
    }

    fn emit(&mut self, out: &mut impl Write) -> io::Result<()> {
        let mut line = String::new();
        for (i, piece) in self.carry.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                out.write_all(b"\n")?;
            }
            line.clear();
            shmtool::escape::escape_into(&mut line, piece);
            out.write_all(line.as_bytes())?;
        }
        self.carry.clear();
        Ok(())
    }

    fn finish(mut self, out: &mut impl Write) -> io::Result<()> {
        if !self.terminal {
            return Ok(());
        }
        self.emit(out)?;
        if self.last != Some(b'\n') {
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// How much of the segment is copied out at a time for formats that look
/// at the bytes (a multiple of 16, the hex dump's line).
const CHUNK: usize = 1 << 16;

/// Writes the range in `format`. Bytes are inspected only in this process's
/// own copies, never in the shared mapping.
pub(super) fn write_range(
    attachment: &Attachment<shmtool::sysv::ReadOnly>,
    start: usize,
    len: usize,
    format: DataFormat,
    to_terminal: bool,
    sink: &File,
    no_progress: bool,
) -> anyhow::Result<(usize, Route)> {
    let mut progress = Progress::new("read", len as u64, no_progress, Some(sink));
    let done = write_range_with(
        attachment,
        start,
        len,
        format,
        to_terminal,
        sink,
        &mut progress,
    )?;
    progress.finish();
    Ok(done)
}

fn write_range_with(
    attachment: &Attachment<shmtool::sysv::ReadOnly>,
    start: usize,
    len: usize,
    format: DataFormat,
    to_terminal: bool,
    sink: &File,
    progress: &mut Progress,
) -> anyhow::Result<(usize, Route)> {
    let chunks = || {
        (start..start + len)
            .step_by(CHUNK)
            .map(move |at| (at, CHUNK.min(start + len - at)))
    };
    let mut buf = vec![0u8; CHUNK.min(len)];
    Ok(match format {
        DataFormat::Raw => (
            len,
            ops::send_with_progress(attachment, start, len, sink, |n| progress.set(n))?,
        ),
        DataFormat::Hex => {
            let mut out = io::BufWriter::with_capacity(CHUNK, sink);
            let mut dump = HexDump::new(start as u64);
            for (at, n) in chunks() {
                attachment.copy_to(at, &mut buf[..n])?;
                dump.push(&mut out, &buf[..n])?;
                progress.set((at + n - start) as u64);
            }
            dump.finish(&mut out)?;
            (len, Route::Mapping)
        }
        DataFormat::Text => {
            let mut out = io::BufWriter::with_capacity(CHUNK, sink);
            let mut shown = TerminalText::new(to_terminal);
            let mut written = 0;
            for (at, n) in chunks() {
                attachment.copy_to(at, &mut buf[..n])?;
                let end = buf[..n].iter().position(|&b| b == 0);
                let text = &buf[..end.unwrap_or(n)];
                shown.write(&mut out, text)?;
                written += text.len();
                progress.set((at + n - start) as u64);
                if end.is_some() {
                    break;
                }
            }
            shown.finish(&mut out)?;
            out.flush()?;
            (written, Route::Mapping)
        }
    })
}

pub fn run(args: &ReadArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = args.target.posix_name() {
        return crate::cmd::posix::read(args, name);
    }
    let seg = ops::find(args.target.target()?)?;
    let place = attach::placement(&args.attach)?;
    let length = args.length.unwrap_or(seg.size.saturating_sub(args.offset));
    // Checked before attaching, so a bad range leaves the segment untouched.
    ops::check_range(args.offset, length, seg.size)?;
    let output = match args.output.as_deref() {
        Some(path) => open_output(path, args.force)?,
        None => Output::Stdout,
    };
    let to_terminal = matches!(output, Output::Stdout) && io::stdout().is_terminal();
    let format = args.format.unwrap_or(if to_terminal {
        DataFormat::Hex
    } else {
        DataFormat::Raw
    });
    let copied = ops::attach_read(&seg, place, &mut Names::new())
        .map_err(anyhow::Error::from)
        .and_then(|attachment| {
            ops::check_range(args.offset, length, attachment.len() as u64)?;
            let sink = output.file().context("the output")?;
            // check_range proved offset + length <= the mapped length.
            let (start, len) = (args.offset as usize, length as usize);
            let (written, route) = write_range(
                &attachment,
                start,
                len,
                format,
                to_terminal,
                &sink,
                args.attach.no_progress,
            )?;
            Ok((written, route, attachment.address()))
        });
    let (written, route, address) = match copied {
        Ok(done) => done,
        Err(e) => {
            output.abandon();
            return Err(e);
        }
    };
    output.commit()?;
    if args.attach.verbose {
        warn!(
            "shmtool: read: {written} bytes from id {} at offset {} (attached at {address:#x}){}",
            seg.shmid,
            args.offset,
            match route {
                Route::SegmentFile => ", copied by sendfile from the segment's file",
                Route::Mapping => "",
            },
        );
    }
    Ok(ExitCode::SUCCESS)
}
