//! read: attach read-only and copy the bytes out, straight from the mapping.

use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Write};
use std::os::fd::AsFd;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use shmtool::ops;
use shmtool::users::Names;

use crate::cli::{DataFormat, ReadArgs};
use crate::cmd::attach;
use crate::render::hexdump;

/// Opens `--output`, refusing to replace a file unless `force`.
fn open_output(path: &Path, force: bool) -> anyhow::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options.open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            anyhow::anyhow!("{} exists; pass --force to replace it", path.display())
        } else {
            anyhow::Error::new(e).context(format!("cannot create {}", path.display()))
        }
    })
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
    let mut sink = match &args.output {
        Some(path) => open_output(path, args.force)?,
        None => stdout_file().context("standard output")?,
    };

    let attachment = ops::attach_read(&seg, place, &mut Names::new())?;
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
        eprintln!(
            "shmtool: read: {written} bytes from id {} at offset {} (attached at {:#x})",
            seg.shmid,
            args.offset,
            attachment.address()
        );
    }
    Ok(ExitCode::SUCCESS)
}
