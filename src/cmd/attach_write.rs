use std::fs::File;
use std::io::{self, Read};
use std::process::ExitCode;

use anyhow::Context;
use shmtool::Error;
use shmtool::ops;
use shmtool::sysv::Placement;
use shmtool::users::Names;

use crate::cli::AttachWriteArgs;

/// Where the bytes come from.
enum Input {
    Data(Vec<u8>),
    /// A regular file, whose length is known before writing.
    File(File, u64),
    Stream(Box<dyn Read>),
}

fn open_input(args: &AttachWriteArgs) -> anyhow::Result<Input> {
    if let Some(data) = &args.data {
        return Ok(Input::Data(data.as_bytes().to_vec()));
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
        anyhow::bail!("{shown} is a directory");
    }
    Ok(if meta.is_file() {
        Input::File(file, meta.len())
    } else {
        Input::Stream(Box::new(file))
    })
}

pub fn run(args: &AttachWriteArgs) -> anyhow::Result<ExitCode> {
    let seg = ops::find(args.target.target()?)?;
    let mut input = open_input(args)?;
    let offset = args.offset;
    // Checked before attaching, so bad input leaves the segment untouched.
    let known_len = match &input {
        Input::Data(data) => data.len() as u64,
        Input::File(_, len) => *len,
        Input::Stream(_) => 0,
    };
    ops::check_range(offset, known_len, seg.size)?;
    let mut attachment = ops::attach_write(seg.shmid, Placement::default(), &mut Names::new())?;
    let size = attachment.len() as u64;
    ops::check_range(offset, known_len, size)?;
    let space = &mut attachment.bytes_mut()[offset as usize..];
    match &mut input {
        Input::Data(data) => space[..data.len()].copy_from_slice(data),
        Input::File(file, len) => {
            // The file may grow meanwhile: write what it had, ignore the rest.
            let (_, _) = ops::fill_from(&mut space[..*len as usize], file)
                .context("reading the input file")?;
        }
        Input::Stream(stream) => {
            let (written, remained) =
                ops::fill_from(space, stream.as_mut()).context("reading the input")?;
            if remained {
                return Err(Error::InputRemained {
                    written: written as u64,
                    offset,
                    size,
                }
                .into());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
