//! Where `read` and `attach-write` attach: `--addr` and `--rnd` as a shmat placement.

use shmtool::sysv::{self, Placement};

use crate::cli::AttachOpts;
use crate::exit::UsageError;

/// Turns `--addr` and `--rnd` into a placement, refusing what shmat would:
/// without SHM_RND an address must be a multiple of SHMLBA.
pub fn placement(opts: &AttachOpts) -> Result<Placement, UsageError> {
    let shmlba = sysv::shmlba();
    if let Some(addr) = opts.addr
        && addr % shmlba != 0
        && !opts.rnd
    {
        return Err(UsageError(format!(
            "address {addr:#x} is not a multiple of SHMLBA ({shmlba:#x}): shmat(2) refuses it \
             unless SHM_RND rounds it down; pass --rnd, or use {:#x}",
            addr - addr % shmlba
        )));
    }
    Ok(Placement {
        addr: opts.addr,
        round: opts.rnd,
    })
}
