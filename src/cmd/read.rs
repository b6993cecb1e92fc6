//! read: attach read-only and copy the bytes out, straight from the mapping,
//! in the format asked for: raw bytes move by `ops::send`, a hex dump is
//! `render::hexdump`, text is escaped here on a terminal; where they go is
//! `cmd::output_file`.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use shmtool::ops::{self, Route};
use shmtool::posix::Name;
use shmtool::sysv;
use shmtool::sysv::Attachment;
use shmtool::users::Names;

use crate::cli::{DataFormat, ReadArgs};
use crate::cmd::output_file::{Output, open_output};
use crate::cmd::placement;
use crate::progress::Progress;
use crate::render::hexdump::HexDump;

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

/// Where `read`'s bytes go, whether that is a terminal, and in what format
/// (hex on a terminal, raw elsewhere, unless --format says): opened before
/// anything is attached, so a bad path leaves the segment untouched.
pub(super) fn destination(args: &ReadArgs) -> anyhow::Result<(Output, bool, DataFormat)> {
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
    Ok((output, to_terminal, format))
}

pub fn run(args: &ReadArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = args.target.posix_name() {
        return posix(args, name);
    }
    let seg = ops::find(args.target.target()?)?;
    let place = placement::placement(&args.attach)?;
    let length = args.length.unwrap_or(seg.size.saturating_sub(args.offset));
    // Checked before attaching, so a bad range leaves the segment untouched.
    ops::check_range(args.offset, length, seg.size)?;
    let (output, to_terminal, format) = destination(args)?;
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
    let (written, route, address) = output.finish(copied)?;
    if args.attach.verbose {
        warn!(
            "shmtool: read: {written} bytes from id {} at offset {} (attached at {address:#x}){}",
            seg.shmid,
            args.offset,
            super::route_note(route, "from", "segment"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `read --name`: a POSIX object.
fn posix(args: &ReadArgs, name: &Name) -> anyhow::Result<ExitCode> {
    super::posix::refuse_addr(&args.attach)?;
    let dir = super::posix::open_dir()?;
    let obj = super::posix::find(&dir, name)?;
    let size = obj.stat.size;
    let length = args.length.unwrap_or(size.saturating_sub(args.offset));
    ops::check_range(args.offset, length, size)?;
    let (output, to_terminal, format) = destination(args)?;
    let copied = (|| -> anyhow::Result<(usize, ops::Route)> {
        let fd = dir
            .open_object(&obj, false)
            .map_err(|e| super::posix::open_error(&obj, e))?;
        // The size now, which the mapping must not pass.
        let now = sysv::stat_fd(&fd)?.size;
        ops::check_range(args.offset, length, now)?;
        let len = usize::try_from(now).map_err(|_| io::Error::from_raw_os_error(libc::EFBIG))?;
        let mapped = Attachment::map_read(fd, len).context("mapping the object")?;
        let sink = output.file().context("the output")?;
        write_range(
            &mapped,
            args.offset as usize,
            length as usize,
            format,
            to_terminal,
            &sink,
            args.attach.no_progress,
        )
    })()
    .map_err(|e| super::posix::shrunk(e, name));
    let (written, route) = output.finish(copied)?;
    if args.attach.verbose {
        warn!(
            "shmtool: read: {written} bytes from {} at offset {}{}",
            super::posix::shown(name),
            args.offset,
            super::route_note(route, "from", "object"),
        );
    }
    Ok(ExitCode::SUCCESS)
}
