use std::io;
use std::io::Write;
use std::process::ExitCode;

use anyhow::anyhow;
use shmtool::escape::escaped;
use shmtool::ops::{self, CreateRequest, Created, Target};
use shmtool::posix::{CreateError, Name};
use shmtool::users::Names;

use crate::cli::CreateArgs;

/// The mode `create` gives a new segment when `--mode` is absent.
const DEFAULT_MODE: u32 = 0o600;

pub fn run(args: &CreateArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = &args.name {
        return posix(args, name);
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

/// `create --name`: a POSIX object.
fn posix(args: &CreateArgs, name: &Name) -> anyhow::Result<ExitCode> {
    if stdout_is_closed() {
        return Err(anyhow!(
            "standard output is closed, so the name could not be printed; nothing was created"
        ));
    }
    let dir = super::posix::open_dir()?;
    let mode = args.mode.unwrap_or(0o600);
    let made = match dir.create(name, args.size, mode, args.reuse) {
        Ok(made) => made,
        Err(CreateError::Exists(uid)) => {
            return Err(anyhow!(
                "object {} already exists (owner uid {uid}); hint: add --reuse to use it, or remove it with 'shmtool remove --name {}'",
                super::posix::shown(name),
                super::posix::shown(name)
            ));
        }
        Err(CreateError::TooSmall(size)) => {
            return Err(anyhow!(
                "object {} already exists with {size} bytes, fewer than the {} bytes asked for",
                super::posix::shown(name),
                args.size
            ));
        }
        Err(CreateError::NotAnObject) => {
            return Err(anyhow!(
                "{}/{} exists and is not a shared memory object (a directory, FIFO, symlink or semaphore)",
                dir.path.display(),
                escaped(&String::from_utf8_lossy(
                    std::os::unix::ffi::OsStrExt::as_bytes(name.file_name())
                ))
            ));
        }
        Err(CreateError::NotMapped(uid)) => {
            return Err(anyhow!(
                "not creating {} in {}: this user (uid {uid}) is not mapped in the user namespace that set up that /dev/shm, so what it made there would not be the container's",
                super::posix::shown(name),
                dir.path.display()
            ));
        }
        Err(CreateError::Io(e)) => {
            return Err(
                anyhow::Error::new(e).context(format!("creating {}", super::posix::shown(name)))
            );
        }
    };
    if !made
        && let Some(mode) = args.mode
        && let Ok(Some(obj)) = dir.object(name)
        && obj.perms() != mode
    {
        warn!(
            "shmtool: create: --mode {mode:o} was not applied: the existing object {} keeps mode {:04o}",
            super::posix::shown(name),
            obj.perms()
        );
    }
    let printed = {
        let mut out = io::stdout().lock();
        writeln!(out, "{}", super::posix::shown(name)).and_then(|()| out.flush())
    };
    if let Err(e) = printed {
        if made {
            let _ = dir.unlink(name);
            return Err(anyhow!(
                "printing the name {}: {e}; removed the new object again",
                super::posix::shown(name)
            ));
        }
        return Err(anyhow!(
            "printing the name {}: {e}",
            super::posix::shown(name)
        ));
    }
    Ok(ExitCode::SUCCESS)
}
