//! attach-write: attach read-write and put bytes in, straight into the mapping.

use std::fs::File;
use std::io::{self, Read};
use std::process::ExitCode;

use anyhow::Context;
use shmtool::Error;
use shmtool::ops;
use shmtool::users::Names;

use crate::cli::AttachWriteArgs;
use crate::cmd::attach;

/// Where the bytes come from.
enum Input<'a> {
    Data(&'a [u8]),
    /// A byte repeated, for this many bytes or to the end.
    Fill(u8, Option<u64>),
    /// A regular file, whose length is known before writing.
    File(File, u64),
    /// A pipe, a terminal, a FIFO: the length is known only at its end.
    Stream(Box<dyn Read>),
}

fn open_input(args: &AttachWriteArgs) -> anyhow::Result<Input<'_>> {
    if let Some(data) = &args.data {
        return Ok(Input::Data(data.as_bytes()));
    }
    if let Some(byte) = args.fill {
        return Ok(Input::Fill(byte, args.length));
    }
    let Some(path) = &args.file else {
        return Ok(Input::Stream(Box::new(io::stdin().lock())));
    };
    let shown = path.display();
    let file = File::open(path).with_context(|| format!("cannot open {shown}"))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot stat {shown}"))?;
    if meta.is_dir() {
        anyhow::bail!("cannot read {shown}: it is a directory");
    }
    Ok(if meta.is_file() {
        Input::File(file, meta.len())
    } else {
        Input::Stream(Box::new(file))
    })
}

pub fn run(args: &AttachWriteArgs) -> anyhow::Result<ExitCode> {
    let seg = ops::find(args.target.target()?)?;
    let place = attach::placement(&args.attach)?;
    let mut input = open_input(args)?;
    let offset = args.offset;
    // Checked before attaching, so bad input leaves the segment untouched.
    let known_len = match &input {
        Input::Data(data) => data.len() as u64,
        Input::Fill(_, len) => len.unwrap_or(seg.size.saturating_sub(offset)),
        Input::File(_, len) => *len,
        Input::Stream(_) => 0,
    };
    ops::check_range(offset, known_len, seg.size)?;
    let mut attachment = ops::attach_write(&seg, place, &mut Names::new())?;
    let size = attachment.len() as u64;
    ops::check_range(offset, known_len, size)?;
    let address = attachment.address();
    // check_range proved offset <= size and offset + known_len <= size.
    let (start, len) = (offset as usize, known_len as usize);
    let written = match &mut input {
        Input::Data(data) => {
            attachment.bytes_mut()[start..start + len].copy_from_slice(data);
            len
        }
        Input::Fill(byte, _) => {
            let _ = attachment.populate_write(start, len);
            attachment.bytes_mut()[start..start + len].fill(*byte);
            len
        }
        // A file that grows meanwhile: write what it had when it was measured.
        Input::File(file, _) => {
            ops::receive(&mut attachment, start, len, file)
                .context("reading the input file")?
                .0
        }
        Input::Stream(stream) => {
            let (written, remained) =
                ops::receive(&mut attachment, start, usize::MAX, stream.as_mut())
                    .context("reading the input")?;
            if remained {
                let written = written as u64;
                return Err(Error::InputRemained {
                    written,
                    offset,
                    size,
                }
                .into());
            }
            written
        }
    };
    if args.attach.verbose {
        warn!(
            "shmtool: attach-write: {written} bytes to id {} at offset {offset} (attached at {address:#x})",
            seg.shmid
        );
    }
    Ok(ExitCode::SUCCESS)
}
