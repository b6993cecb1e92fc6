//! lock, unlock and set: changes to one segment's state.

use std::process::ExitCode;

use shmtool::ops;
use shmtool::users::Names;

use crate::cli::{LockArgs, SetArgs};

pub fn lock(args: &LockArgs, lock: bool) -> anyhow::Result<ExitCode> {
    if args.target.posix_name().is_some() {
        return Err(crate::exit::UsageError(
            "lock and unlock work on System V segments; a POSIX object (--name) has no SHM_LOCK"
                .into(),
        )
        .into());
    }
    let seg = ops::find(args.target.target()?)?;
    ops::set_locked(&seg, lock, &mut Names::new())?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: &SetArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = args.target.posix_name() {
        return crate::cmd::posix::set(args, name);
    }
    let seg = ops::find(args.target.target()?)?;
    let (uid, gid) = args.owner.map_or((None, None), |o| (o.0, o.1));
    ops::set_owner_mode(&seg, uid, gid, args.mode, &mut Names::new())?;
    Ok(ExitCode::SUCCESS)
}
