//! attach-write: attach read-write and put bytes in, straight into the mapping.

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::process::ExitCode;

use anyhow::Context;
use shmtool::Error;
use shmtool::ops::{self, Route, Target};
use shmtool::posix::Name;
use shmtool::sysv::{self, Attachment};
use shmtool::users::Names;

use crate::cli::AttachWriteArgs;
use crate::cmd::placement;
use crate::progress::Progress;

/// Where the bytes come from.
pub(super) enum Input<'a> {
    Data(&'a [u8]),
    /// A byte repeated.
    Fill(u8),
    /// A file, pipe, FIFO or terminal, read to its end (a /proc file says
    /// its size is 0, so sizes are not trusted). A regular file's size, when
    /// it has one, is checked against the space before attaching.
    File {
        file: File,
        size: Option<u64>,
    },
}

pub(super) fn open_input(args: &AttachWriteArgs) -> anyhow::Result<Input<'_>> {
    if let Some(data) = &args.data {
        return Ok(Input::Data(data.as_bytes()));
    }
    if let Some(byte) = args.fill {
        return Ok(Input::Fill(byte));
    }
    let Some(path) = &args.file else {
        // Standard input unbuffered, so bytes go from it into the segment.
        let file = File::from(io::stdin().as_fd().try_clone_to_owned()?);
        return Ok(Input::File { file, size: None });
    };
    let shown = path.display();
    let file = File::open(path).with_context(|| format!("cannot open {shown}"))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot stat {shown}"))?;
    if meta.is_dir() {
        anyhow::bail!("cannot read {shown}: it is a directory");
    }
    let size = (meta.is_file() && meta.len() > 0).then_some(meta.len());
    Ok(Input::File { file, size })
}

/// The bytes known before attaching, capped by --length, for a target of
/// `size` bytes: checked before attaching, so input that cannot fit leaves
/// the memory untouched.
pub(super) fn known_len(args: &AttachWriteArgs, input: &Input<'_>, size: u64) -> Option<u64> {
    let space = size.saturating_sub(args.offset);
    match input {
        Input::Fill(_) => Some(args.length.unwrap_or(space)),
        Input::Data(data) => Some(
            args.length
                .map_or(data.len() as u64, |cap| cap.min(data.len() as u64)),
        ),
        // A stream must have room for --length bytes, a file for its size.
        Input::File { size, .. } => match (*size, args.length) {
            (Some(size), Some(cap)) => Some(size.min(cap)),
            (size, cap) => cap.or(size),
        },
    }
}

pub fn run(args: &AttachWriteArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = args.target.posix_name() {
        return posix(args, name);
    }
    let target = args.target.target()?;
    let seg = ops::find(target)?;
    let place = placement::placement(&args.attach)?;
    let input = open_input(args)?;
    let offset = args.offset;
    let known_len = known_len(args, &input, seg.size);
    ops::check_range(offset, known_len.unwrap_or(0), seg.size)?;
    let attachment = ops::attach_write(&seg, place, &mut Names::new())?;
    // Found by key, then attached by id: if the segment was removed in
    // between and lives on only for its other users, the bytes would vanish.
    if let Target::Key(key) = target
        && attachment.segment().status().dest
    {
        return Err(Error::RemovedMeanwhile {
            key,
            shmid: seg.shmid,
        }
        .into());
    }
    let size = attachment.len() as u64;
    ops::check_range(offset, known_len.unwrap_or(0), size)?;
    let address = attachment.address();
    let (written, route) = write_input(args, &attachment, &input, known_len)?;
    if args.attach.verbose {
        warn!(
            "shmtool: attach-write: {written} bytes to id {} at offset {offset} (attached at {address:#x}){}",
            seg.shmid,
            super::route_note(route, "into", "segment"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Puts the input into the attached memory at --offset, once check_range
/// proved offset <= size and offset + known_len <= size; returns how many
/// bytes were written, and which way.
pub(super) fn write_input(
    args: &AttachWriteArgs,
    attachment: &shmtool::sysv::Attachment<shmtool::sysv::ReadWrite>,
    input: &Input<'_>,
    known_len: Option<u64>,
) -> anyhow::Result<(usize, Route)> {
    let offset = args.offset;
    let size = attachment.len() as u64;
    let start = offset as usize;
    let no_progress = args.attach.no_progress;
    Ok(match input {
        Input::Data(data) => {
            let len = known_len.unwrap_or(0) as usize;
            attachment.copy_from(start, &data[..len])?;
            (len, Route::Mapping)
        }
        Input::Fill(byte) => {
            let len = known_len.unwrap_or(0) as usize;
            let mut progress = Progress::new("attach-write", len as u64, no_progress, None);
            // In pieces, so a bar can move over a large segment.
            for at in (start..start + len).step_by(ops::CHUNK) {
                let n = ops::CHUNK.min(start + len - at);
                let _ = attachment.populate_write(at, n);
                attachment.fill(at, n, *byte)?;
                progress.set((at + n - start) as u64);
            }
            progress.finish();
            (len, Route::Mapping)
        }
        Input::File { file, .. } => {
            let limit = args
                .length
                .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
            // What will go in: the input's size where known, else the room left.
            let total = known_len.unwrap_or(size.saturating_sub(offset));
            let mut progress = Progress::new("attach-write", total, no_progress, Some(file));
            let (written, remained, route) =
                ops::receive_with_progress(attachment, start, limit, file, |n| progress.set(n))
                    .context(if args.file.is_some() {
                        "reading the input file"
                    } else {
                        "reading the input"
                    })?;
            progress.finish();
            if remained {
                let written = written as u64;
                return Err(Error::InputRemained {
                    written,
                    offset,
                    size,
                }
                .into());
            }
            (written, route)
        }
    })
}

/// `attach-write --name`: a POSIX object.
fn posix(args: &AttachWriteArgs, name: &Name) -> anyhow::Result<ExitCode> {
    super::posix::refuse_addr(&args.attach)?;
    let dir = super::posix::open_dir()?;
    let obj = super::posix::find(&dir, name)?;
    let input = open_input(args)?;
    let known = known_len(args, &input, obj.stat.size);
    ops::check_range(args.offset, known.unwrap_or(0), obj.stat.size)?;
    let fd = dir
        .open_object(&obj, true)
        .map_err(|e| super::posix::open_error(&obj, e))?;
    let now = sysv::stat_fd(&fd)?.size;
    let known = known_len(args, &input, now);
    ops::check_range(args.offset, known.unwrap_or(0), now)?;
    let len = usize::try_from(now).map_err(|_| io::Error::from_raw_os_error(libc::EFBIG))?;
    let mapped = Attachment::map_write(fd, len).context("mapping the object")?;
    let (written, route) =
        write_input(args, &mapped, &input, known).map_err(|e| super::posix::shrunk(e, name))?;
    if args.attach.verbose {
        warn!(
            "shmtool: attach-write: {written} bytes to {} at offset {}{}",
            super::posix::shown(name),
            args.offset,
            super::route_note(route, "into", "object"),
        );
    }
    Ok(ExitCode::SUCCESS)
}
