use std::io::Write;
use std::process::ExitCode;

use anyhow::anyhow;
use shmtool::ops::{self, CreateRequest, Created, Target};
use shmtool::users::Names;

use crate::cli::CreateArgs;

/// The mode `create` gives a new segment when `--mode` is absent.
const DEFAULT_MODE: u32 = 0o600;

pub fn run(args: &CreateArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = &args.name {
        return crate::cmd::posix::create(args, name);
    }
    // Checked first: a segment whose id nobody sees is leaked at once.
    if stdout_is_closed() {
        return Err(anyhow!(
            "standard output is closed, so the id could not be printed; nothing was created"
        ));
    }
    let req = CreateRequest {
        key: args.key.and_then(|k| k.0),
        size: args.size,
        mode: args.mode.unwrap_or(DEFAULT_MODE),
        reuse: args.reuse,
    };
    let created = ops::create(req, &mut Names::new())?;
    if let (Created::Existing(id), Some(mode)) = (created, args.mode) {
        warn_mode_not_applied(id, mode);
    }
    let printed = {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", created.shmid()).and_then(|()| out.flush())
    };
    if let Err(e) = printed {
        // Not chained as an io::Error: a broken pipe here is a failure.
        return Err(anyhow!(print_failure(created, &e)));
    }
    Ok(ExitCode::SUCCESS)
}

/// What a failed print of the id leaves: a segment this run made is
/// removed again, since no one learnt its id; an existing one stays.
fn print_failure(created: Created, e: &std::io::Error) -> String {
    match created {
        Created::New(id) => match shmtool::sysv::remove(id) {
            Ok(()) => format!("printing the id {id}: {e}; removed the new segment again"),
            Err(rm) => {
                format!("printing the id {id}: {e}; removing the new segment failed too: {rm}")
            }
        },
        Created::Existing(id) => {
            format!("printing the id {id}: {e}; the existing segment is left as it was")
        }
    }
}

/// `--reuse` opens an existing segment as it is: says so when its
/// permission bits differ from the `--mode` asked for.
fn warn_mode_not_applied(id: i32, mode: u32) {
    let Ok(seg) = ops::find(Target::Id(id)) else {
        return;
    };
    if seg.perms() != mode {
        warn!(
            "shmtool: create: --mode {mode:o} was not applied: the existing segment {id} (key {}) keeps mode {:04o}",
            seg.key,
            seg.perms()
        );
    }
}

/// Whether stdout was closed when shmtool started. The Rust runtime then
/// opens /dev/null read-write in its place; a shell's `>/dev/null` opens
/// it write-only.
pub(super) fn stdout_is_closed() -> bool {
    let is_null = std::fs::read_link("/proc/self/fd/1")
        .is_ok_and(|target| target == std::path::Path::new("/dev/null"));
    if !is_null {
        return false;
    }
    let Ok(info) = std::fs::read_to_string("/proc/self/fdinfo/1") else {
        return false;
    };
    info.lines()
        .find_map(|line| line.strip_prefix("flags:"))
        .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
        .is_some_and(|flags| flags & libc::O_ACCMODE as u32 == libc::O_RDWR as u32)
}
