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
use crate::render::hexdump::HexDump;

/// Where the bytes go. Files are opened before attaching, so a bad path
/// fails with the segment untouched, and a dump is never more readable than
/// mode 0600, whatever the segment's mode.
enum Output {
    Stdout,
    /// A file this run made; removed again if the read fails.
    New {
        file: File,
        path: PathBuf,
    },
    /// A regular file to replace with `--force`: the dump goes to `temp`
    /// beside it and is renamed over it only once complete, so a failed
    /// read keeps the old file.
    Replace {
        file: File,
        temp: PathBuf,
        path: PathBuf,
    },
    /// A device, FIFO or socket (`/dev/null`, `/dev/stdout` on a pipe):
    /// written as it is, never truncated or replaced.
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

/// A new name beside `path`, for the dump that replaces it.
fn temp_beside(path: &Path) -> anyhow::Result<(File, PathBuf)> {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut last = None;
    for attempt in 0..16 {
        let temp = dir.join(format!(".{name}.shmtool-{}-{attempt}", std::process::id()));
        match create_new(&temp) {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("cannot create a file beside {}", path.display())));
            }
        }
    }
    Err(
        anyhow::Error::new(last.unwrap_or_else(|| io::ErrorKind::AlreadyExists.into()))
            .context(format!("cannot create a file beside {}", path.display())),
    )
}

/// Opens `--output`. An existing path is replaced only with `force`, and a
/// symlink in the final component is followed only to something that is not
/// a regular file (a planted link to /etc/shadow is refused).
fn open_output(path: &Path, force: bool) -> anyhow::Result<Output> {
    if path.as_os_str() == "-" {
        return Ok(Output::Stdout);
    }
    let shown = path.display();
    match create_new(path) {
        Ok(file) => {
            return Ok(Output::New {
                file,
                path: path.to_owned(),
            });
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && force => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            anyhow::bail!("{shown} exists; pass --force to replace it")
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot create {shown}"))),
    }
    // Neither creating nor truncating: what is there decides.
    let open = |flags| {
        OpenOptions::new()
            .write(true)
            .custom_flags(flags)
            .open(path)
    };
    let (file, via_link) = match open(libc::O_NOFOLLOW) {
        Ok(file) => (file, false),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => (
            open(0).with_context(|| format!("cannot open {shown}"))?,
            true,
        ),
        Err(e) if e.raw_os_error() == Some(libc::EISDIR) => {
            anyhow::bail!("cannot replace {shown}: it is a directory")
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot open {shown}"))),
    };
    let kind = file
        .metadata()
        .with_context(|| format!("cannot stat {shown}"))?
        .file_type();
    if !kind.is_file() {
        return Ok(Output::Special(file));
    }
    if via_link {
        anyhow::bail!(
            "{shown} is a symbolic link to a regular file; refusing to replace what it points to \
             (name the file itself, or use -o - for standard output)"
        );
    }
    let (temp_file, temp) = temp_beside(path)?;
    Ok(Output::Replace {
        file: temp_file,
        temp,
        path: path.to_owned(),
    })
}

impl Output {
    fn file(&self) -> io::Result<File> {
        match self {
            // Unbuffered, so bytes go from the mapping to the kernel in one copy.
            Output::Stdout => Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?)),
            Output::New { file, .. } | Output::Replace { file, .. } | Output::Special(file) => {
                file.try_clone()
            }
        }
    }

    /// The dump is complete: put a replacement in place.
    fn commit(self) -> anyhow::Result<()> {
        if let Output::Replace { temp, path, .. } = self
            && let Err(e) = std::fs::rename(&temp, &path)
        {
            let _ = std::fs::remove_file(&temp);
            return Err(anyhow::Error::new(e).context(format!("cannot replace {}", path.display())));
        }
        Ok(())
    }

    /// The read failed: leave no file behind that we made, and the old one
    /// as it was.
    fn abandon(self) {
        match self {
            Output::New { path, .. } => drop(std::fs::remove_file(path)),
            Output::Replace { temp, .. } => drop(std::fs::remove_file(temp)),
            Output::Stdout | Output::Special(_) => {}
        }
    }
}

/// How much of the segment is copied out at a time for formats that look
/// at the bytes (a multiple of 16, the hex dump's line).
const CHUNK: usize = 1 << 16;

/// Writes the range in `format`. Bytes are inspected only in this process's
/// own copies, never in the shared mapping.
fn write_range(
    attachment: &Attachment<shmtool::sysv::ReadOnly>,
    start: usize,
    len: usize,
    format: DataFormat,
    to_terminal: bool,
    sink: &File,
) -> anyhow::Result<(usize, Route)> {
    let chunks = || {
        (start..start + len)
            .step_by(CHUNK)
            .map(move |at| (at, CHUNK.min(start + len - at)))
    };
    let mut buf = vec![0u8; CHUNK.min(len)];
    Ok(match format {
        DataFormat::Raw => (len, ops::send(attachment, start, len, sink)?),
        DataFormat::Hex => {
            let mut out = io::BufWriter::with_capacity(CHUNK, sink);
            let mut dump = HexDump::new(start as u64);
            for (at, n) in chunks() {
                attachment.copy_to(at, &mut buf[..n])?;
                dump.push(&mut out, &buf[..n])?;
            }
            dump.finish(&mut out)?;
            (len, Route::Mapping)
        }
        DataFormat::Text => {
            let mut out = io::BufWriter::with_capacity(CHUNK, sink);
            let mut written = 0;
            let mut last = None;
            for (at, n) in chunks() {
                attachment.copy_to(at, &mut buf[..n])?;
                let end = buf[..n].iter().position(|&b| b == 0);
                let text = &buf[..end.unwrap_or(n)];
                out.write_all(text)?;
                written += text.len();
                last = text.last().copied().or(last);
                if end.is_some() {
                    break;
                }
            }
            if to_terminal && last != Some(b'\n') {
                out.write_all(b"\n")?;
            }
            out.flush()?;
            (written, Route::Mapping)
        }
    })
}

pub fn run(args: &ReadArgs) -> anyhow::Result<ExitCode> {
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
            let (written, route) =
                write_range(&attachment, start, len, format, to_terminal, &sink)?;
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
