//! read: attach read-only and copy the bytes out, straight from the mapping.

use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use shmtool::ops;
use shmtool::users::Names;

use crate::cli::{DataFormat, ReadArgs};
use crate::cmd::attach;
use crate::render::hexdump;

/// The `--output` file: opened before attaching, so a bad path fails with
/// the segment untouched, but not changed until the segment is attached.
struct Output {
    file: File,
    path: PathBuf,
    /// Made by us: removed again if attaching fails.
    created: bool,
}

/// Opens `--output`, refusing to replace a file unless `force`. An existing
/// file is not truncated yet: see [`Output::ready`].
fn open_output(path: &Path, force: bool) -> anyhow::Result<Output> {
    let shown = path.display();
    let output = |file, created| Output {
        file,
        path: path.to_owned(),
        created,
    };
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => Ok(output(file, true)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && force => {
            let file = OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot open {shown}"))?;
            Ok(output(file, false))
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            anyhow::bail!("{shown} exists; pass --force to replace it")
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot create {shown}"))),
    }
}

impl Output {
    /// The segment is attached: cut a replaced file to nothing.
    fn ready(self) -> anyhow::Result<File> {
        if !self.created {
            self.file
                .set_len(0)
                .with_context(|| format!("cannot truncate {}", self.path.display()))?;
        }
        Ok(self.file)
    }

    /// Attaching failed: leave no file behind that we made.
    fn abandon(self) {
        if self.created {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Standard output as an unbuffered file, so bytes go from the mapping to
/// the kernel in one copy.
fn stdout_file() -> io::Result<File> {
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

pub fn run(args: &ReadArgs) -> anyhow::Result<ExitCode> {
    let seg = ops::find(args.target.target()?)?;
    let place = attach::placement(&args.attach)?;
    let length = args.length.unwrap_or(seg.size.saturating_sub(args.offset));
    // Checked before attaching, so a bad range leaves the segment untouched.
    ops::check_range(args.offset, length, seg.size)?;
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let format = args.format.unwrap_or(if to_terminal {
        DataFormat::Hex
    } else {
        DataFormat::Raw
    });
    let output = args
        .output
        .as_deref()
        .map(|p| open_output(p, args.force))
        .transpose()?;
    let attachment = match ops::attach_read(&seg, place, &mut Names::new()) {
        Ok(attachment) => attachment,
        Err(e) => {
            if let Some(output) = output {
                output.abandon();
            }
            return Err(e.into());
        }
    };
    let mut sink = match output {
        Some(output) => output.ready()?,
        None => stdout_file().context("standard output")?,
    };
    let bytes = attachment.bytes();
    ops::check_range(args.offset, length, bytes.len() as u64)?;
    // check_range proved offset + length <= the mapped length.
    let range = &bytes[args.offset as usize..(args.offset + length) as usize];
    let written = match format {
        DataFormat::Hex => {
            hexdump::write(
                &mut io::BufWriter::with_capacity(1 << 16, &mut sink),
                range,
                args.offset,
            )?;
            range.len()
        }
        DataFormat::Raw => {
            ops::send(&attachment, args.offset as usize, range.len(), &mut sink)?;
            range.len()
        }
        DataFormat::Text => {
            let text = range
                .iter()
                .position(|&b| b == 0)
                .map_or(range, |end| &range[..end]);
            sink.write_all(text)?;
            if to_terminal && !text.ends_with(b"\n") {
                sink.write_all(b"\n")?;
            }
            text.len()
        }
    };
    if args.attach.verbose {
        warn!(
            "shmtool: read: {written} bytes from id {} at offset {} (attached at {:#x})",
            seg.shmid,
            args.offset,
            attachment.address()
        );
    }
    Ok(ExitCode::SUCCESS)
}
