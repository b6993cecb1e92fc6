use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use shmtool::ops;
use shmtool::sysv::Placement;
use shmtool::users::Names;

use crate::cli::ReadArgs;
use crate::render::hexdump;

pub fn run(args: &ReadArgs) -> anyhow::Result<ExitCode> {
    let seg = ops::find(args.target.target()?)?;
    let length = args.length.unwrap_or(seg.size.saturating_sub(args.offset));
    // Checked before attaching, so a bad range leaves the segment untouched.
    ops::check_range(args.offset, length, seg.size)?;
    let attachment = ops::attach_read(seg.shmid, Placement::default(), &mut Names::new())?;
    let bytes = attachment.bytes();
    ops::check_range(args.offset, length, bytes.len() as u64)?;
    // check_range proved offset + length <= the mapped length.
    let range = &bytes[args.offset as usize..(args.offset + length) as usize];
    let stdout = io::stdout();
    if stdout.is_terminal() {
        hexdump::write(&mut io::BufWriter::new(stdout.lock()), range, args.offset)?;
    } else {
        let mut out = stdout.lock();
        out.write_all(range)?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
