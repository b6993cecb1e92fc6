//! POSIX objects in /dev/shm: what each command does given --name or
//! --kind posix|all. Bytes move as for System V (src/ops.rs `send` and
//! `receive`): the object's descriptor is mapped and write(2)/read(2) copy
//! straight between it and the other file, once, each copy a snapshot.

use std::borrow::Cow;
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::OnceLock;

use anyhow::{Context, anyhow};
use shmtool::escape::escaped;
use shmtool::field::{self, Field, Resolver, Row, Value};
use shmtool::posix::{Dir, Name, Object, Users, glob_match};

use crate::cli::{AttachOpts, FilterArgs, InfoArgs, RemoveArgs, SetArgs, Status};
use crate::cmd::record::{Outcome, Record};
use crate::exit::UsageError;
use crate::render::json::Json;
use crate::render::{self, Style};

/// The global --ns, as given: POSIX objects are in the mount namespace of
/// that process (`/proc/PID/root/dev/shm`).
static NS: OnceLock<Option<String>> = OnceLock::new();

pub fn set_ns(ns: Option<String>) {
    let _ = NS.set(ns);
}

/// The process whose /dev/shm holds the objects: PID with --ns PID.
fn ns_pid() -> Result<Option<i32>, UsageError> {
    match NS.get().and_then(Option::as_deref) {
        None => Ok(None),
        Some(text)
            if let Ok(pid) = text.parse::<i32>()
                && pid > 0
                && text.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(Some(pid))
        }
        Some(path) => Err(UsageError(format!(
            "--ns {path}: a namespace file names an IPC namespace, not the mount namespace that holds /dev/shm; give the PID of a process in the container to work on POSIX objects"
        ))),
    }
}

/// Opens the /dev/shm of this mount namespace, or with --ns PID that
/// process's, resolved beneath its root and taken only as the root of a
/// tmpfs mount (a container's /dev/shm must never lead to host files).
pub fn open_dir() -> anyhow::Result<Dir> {
    match ns_pid()? {
        None => Dir::open().context("cannot open /dev/shm"),
        Some(pid) => Dir::open_of(pid).map_err(|e| {
            anyhow!(
                "cannot use the /dev/shm of process {pid}: {}",
                escaped(&e.to_string())
            )
        }),
    }
}

pub(super) fn shown(name: &Name) -> String {
    escaped(&name.shown()).into_owned()
}

/// The error of looking `name` up in `dir`.
pub(super) fn lookup_error(name: &Name, e: io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::PermissionDenied {
        // The owner is not the container's (posix::not_theirs says so).
        anyhow!("{}: {e}", shown(name))
    } else {
        anyhow!("cannot stat {}: {e}", shown(name))
    }
}

/// The object `name`, or an error naming it.
pub(super) fn find(dir: &Dir, name: &Name) -> anyhow::Result<Object> {
    dir.object(name)
        .map_err(|e| lookup_error(name, e))?
        .ok_or_else(|| {
            anyhow!(
                "no POSIX object {} in {}; hint: 'shmtool list --kind posix' shows the objects",
                shown(name),
                dir.path.display()
            )
        })
}

/// The error of opening an object.
pub(super) fn open_error(obj: &Object, e: io::Error) -> anyhow::Error {
    match e.raw_os_error() {
        Some(libc::EACCES | libc::EPERM) => anyhow!(
            "permission denied for {} (mode {:04o}, owner uid {}); hint: run as its owner or as root",
            shown(&obj.name),
            obj.perms(),
            obj.stat.uid
        ),
        Some(libc::ELOOP) => anyhow!("{} is a symlink, not an object", shown(&obj.name)),
        Some(libc::EWOULDBLOCK) => anyhow!(
            "{} is leased by another process (fcntl F_SETLEASE), so opening it would wait until the lease is broken; not opened, try again",
            shown(&obj.name)
        ),
        _ => anyhow!("cannot open {}: {e}", shown(&obj.name)),
    }
}

/// --addr and --rnd place a System V attach; an object is mapped where the
/// kernel chooses.
pub(super) fn refuse_addr(opts: &AttachOpts) -> Result<(), UsageError> {
    if opts.addr.is_some() || opts.rnd {
        return Err(UsageError(
            "--addr and --rnd apply to System V segments, not to --name".into(),
        ));
    }
    Ok(())
}

/// A copy through the mapping of an object that another process truncated
/// meanwhile faults (EFAULT): say so, rather than "Bad address".
pub(super) fn shrunk(e: anyhow::Error, name: &Name) -> anyhow::Error {
    let faulted = e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.raw_os_error() == Some(libc::EFAULT))
    });
    if faulted {
        anyhow!(
            "{}: the object shrank while being copied (another process truncated it)",
            shown(name)
        )
    } else {
        e
    }
}

pub(super) fn epoch_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Whether the filters select `obj`. Unknown use is not unused, unless
/// --assume-hidden-unused judges it from the processes inspected (nattch
/// is unknown only while none of them uses it).
pub(super) fn matches(filter: &FilterArgs, obj: &Object, now: i64) -> bool {
    // The opt-in covers processes refused, never one that did not answer.
    let seen_unused = obj.nattch == Some(0)
        || (filter.assume_hidden_unused && obj.nattch.is_none() && !obj.unanswered);
    let unused = seen_unused && !obj.dest;
    filter.owner.is_none_or(|uid| obj.stat.uid == uid)
        && (!filter.unattached || unused)
        && (!filter.orphaned || unused)
        && filter.larger_than.is_none_or(|n| obj.stat.size > n)
        && filter
            .older_than
            .is_none_or(|secs| now.saturating_sub(obj.stat.mtime) >= secs as i64)
        && filter.status.is_none_or(|s| s == Status::Dest && obj.dest)
        && filter.glob.as_deref().is_none_or(|g| {
            glob_match(
                g.as_bytes(),
                std::os::unix::ffi::OsStrExt::as_bytes(obj.name.file_name()),
            )
        })
}

/// The objects of `dir` with their users, and those the filters select;
/// with `verbose`, says how many others' objects were left out.
pub(super) fn select(
    command: &str,
    dir: &Dir,
    filter: &FilterArgs,
    verbose: bool,
) -> anyhow::Result<(Vec<Object>, Users)> {
    let users = Users::scan(dir.dev);
    let listing = dir
        .list(&users)
        .with_context(|| format!("cannot list {}", dir.path.display()))?;
    if verbose {
        say_unowned(command, dir, listing.unowned);
    }
    let mut objects = listing.objects;
    let now = epoch_now();
    objects.retain(|o| matches(filter, o, now));
    Ok((objects, users))
}

/// With -v: how many files of `dir` belong to uids its user namespace does
/// not map, and so were neither shown nor acted on.
pub(super) fn say_unowned(command: &str, dir: &Dir, unowned: usize) {
    if unowned > 0 {
        warn!(
            "shmtool: {command}: {} left {unowned} file{} alone: owned by uids that user namespace {} (which set it up) does not map, so not the container's",
            escaped(&dir.path.to_string_lossy()),
            if unowned == 1 { "" } else { "s" },
            dir.owners.userns().unwrap_or(0)
        );
    }
}

/// With -v: each process not inspected, and why objects in use may be unseen.
pub(super) fn say_hidden(command: &str, users: &Users, filter: &FilterArgs) {
    let list: Vec<_> = users.uninspected().iter().collect();
    super::blind::name_each(command, &list);
    say_unknown_use(command, users, filter);
}

/// With -v: why objects in use may be unseen, and what that does to them
/// (each process is named by [`super::blind::name_each`]).
pub(super) fn say_unknown_use(command: &str, users: &Users, filter: &FilterArgs) {
    let list: Vec<_> = users.uninspected().iter().collect();
    let consequence = if filter.assume_hidden_unused && users.unanswered_processes() > 0 {
        "objects nothing inspected uses are taken as unused (--assume-hidden-unused), except where a process that did not answer in time may use them"
    } else if filter.assume_hidden_unused {
        "objects nothing inspected uses are taken as unused (--assume-hidden-unused)"
    } else {
        "objects nothing visible uses have nattch unknown, and are neither --unattached nor --orphaned without --assume-hidden-unused"
    };
    if !list.is_empty() {
        warn!(
            "shmtool: {command}: {} could not be inspected: {consequence}{}",
            super::blind::processes(list.len()),
            super::blind::hint(&list)
        );
    }
    if let Some(why) = &users.unseen {
        warn!("shmtool: {command}: {why}; {consequence}");
    }
}

/// For remove's summary: how many processes could not be inspected and what
/// that did to objects selected as unused; empty where it did not matter.
pub(super) fn blind_note(filter: &FilterArgs, users: &Users) -> String {
    let n = users.hidden();
    if n == 0 || !(filter.orphaned || filter.unattached) {
        return String::new();
    }
    let processes = super::blind::processes(n);
    let list: Vec<_> = users.uninspected().iter().collect();
    let hint = super::blind::hint(&list);
    if !filter.assume_hidden_unused {
        return format!(
            "; {processes} could not be inspected: objects they may use were kept (--assume-hidden-unused judges use from the processes inspected){hint}"
        );
    }
    // The opt-in covers processes refused, never those that did not answer.
    let unanswered = users.unanswered_processes();
    match (n - unanswered, unanswered) {
        (_, 0) => format!(
            "; {processes} could not be inspected, taken as using nothing (--assume-hidden-unused)"
        ),
        (0, late) => format!(
            "; {} did not answer in time: objects they may use were kept, even with --assume-hidden-unused{hint}",
            super::blind::processes(late)
        ),
        (refused, late) => format!(
            "; {} could not be inspected, taken as using nothing (--assume-hidden-unused), and {} did not answer in time: objects they may use were kept{hint}",
            super::blind::processes(refused),
            super::blind::processes(late)
        ),
    }
}

/// A field's value for a row; in a table, empty where the row's kind lacks
/// the field (JSON has null there, CSV an empty cell, raw `-`).
pub(super) fn cell(field: Field, row: Row<'_>, table: bool, ctx: &mut Resolver) -> Value {
    if table && !field.applies(row) {
        return Value::Text("".into());
    }
    field.value(row, ctx)
}

/// `info --name`.
pub fn info(args: &InfoArgs, name: &Name) -> anyhow::Result<ExitCode> {
    let dir = open_dir()?;
    let mut obj = find(&dir, name)?;
    let users = Users::scan(dir.dev);
    obj.nattch = users.count(obj.key());
    obj.unanswered = users.unanswered(obj.key());
    // Named where they matter: the object's use is unknown.
    if args.verbose && obj.nattch.is_none() {
        super::blind::name_each("info", &users.uninspected().iter().collect::<Vec<_>>());
    }
    let uses = users.of(obj.key());
    let mut ctx = Resolver::new();
    let values: Vec<(Field, Value)> = field::POSIX
        .iter()
        .map(|&f| (f, f.value(&obj, &mut ctx)))
        .collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        let mut object = render::json::field_entries(&values);
        object.push(("mode", format!("{:04o}", obj.perms()).into()));
        let device = format!(
            "{}:{}",
            libc::major(obj.stat.dev),
            libc::minor(obj.stat.dev)
        );
        object.push(("device", device.into()));
        object.push(("inode", obj.stat.ino.into()));
        let processes: Vec<_> = uses
            .iter()
            .map(|u| (u, shmtool::process::process_info(u.pid)))
            .collect();
        let list: Vec<Json> = processes
            .iter()
            .map(|(u, p)| {
                let addresses: Vec<String> = u
                    .ranges
                    .iter()
                    .map(|(s, e)| format!("{s:#x}-{e:#x}"))
                    .collect();
                Json::Object(vec![
                    ("pid", u.pid.into()),
                    ("uid", p.as_ref().map(|p| p.uid).into()),
                    (
                        "user",
                        p.as_ref()
                            .map(|p| ctx.names.name_or_uid(p.uid).to_string())
                            .into(),
                    ),
                    (
                        "command",
                        p.as_ref().map(|p| Json::Command(&p.command)).into(),
                    ),
                    ("addresses", addresses.into()),
                    ("fds", u.fds.clone().into()),
                ])
            })
            .collect();
        object.push(("used_by", Json::Array(list)));
        object.push(("hidden_processes", users.hidden().into()));
        render::json::write_document(&mut out, &Json::Object(object))?;
    } else {
        for (field, value) in &values {
            let text = match (field, value) {
                (_, Value::Time(Some(t))) => format!("{} ({t})", render::full_time(*t)),
                (Field::Perms, Value::Perms(p)) => format!("{p:04o}"),
                (Field::Status, Value::Status(s)) if s.names().is_empty() => "-".into(),
                (Field::Nattch, Value::Null) => {
                    "unknown (some processes could not be inspected)".into()
                }
                (_, v) => render::text(v, Style::default()),
            };
            writeln!(out, "{:<9} {text}", field.name())?;
        }
        writeln!(
            out,
            "{:<9} {}:{} inode {}",
            "device",
            libc::major(obj.stat.dev),
            libc::minor(obj.stat.dev),
            obj.stat.ino
        )?;
        writeln!(out)?;
        if uses.is_empty() {
            writeln!(out, "used by no process visible here")?;
        } else {
            writeln!(
                out,
                "used by {} process{}:",
                uses.len(),
                if uses.len() == 1 { "" } else { "es" }
            )?;
            let terminal = render::terminal::current();
            if terminal.is_none() {
                writeln!(
                    out,
                    "{:>8}  {:<12}  {:<40}  {:<10}  command",
                    "pid", "user", "mapped at", "fds"
                )?;
            }
            let mut rows = Vec::new();
            for u in uses {
                let p = shmtool::process::process_info(u.pid);
                let user = p
                    .as_ref()
                    .map_or("-".into(), |p| ctx.names.name_or_uid(p.uid).to_string());
                let command = p
                    .as_ref()
                    .map_or("-".into(), |p| p.command.escaped().to_owned());
                let ranges: Vec<String> = u
                    .ranges
                    .iter()
                    .map(|(s, e)| format!("{s:#x}-{e:#x}"))
                    .collect();
                let fds: Vec<String> = u.fds.iter().map(i32::to_string).collect();
                let dash = |v: Vec<String>| {
                    if v.is_empty() {
                        "-".to_owned()
                    } else {
                        v.join(",")
                    }
                };
                let row = vec![
                    u.pid.to_string(),
                    escaped(&user).into_owned(),
                    dash(ranges),
                    dash(fds),
                    command,
                ];
                if terminal.is_none() {
                    writeln!(
                        out,
                        "{:>8}  {:<12}  {:<40}  {:<10}  {}",
                        row[0], row[1], row[2], row[3], row[4]
                    )?;
                } else {
                    rows.push(row);
                }
            }
            if let Some(term) = terminal {
                use render::terminal::Fit::{Whole, Wrap};
                term.write_cells(
                    &mut out,
                    &["pid", "user", "mapped at", "fds", "command"],
                    &[true, false, false, false, false],
                    &[Whole, Whole, Whole, Whole, Wrap],
                    rows.into_iter(),
                )?;
            }
        }
        let hidden: Vec<_> = users.uninspected().iter().collect();
        if !hidden.is_empty() {
            writeln!(
                out,
                "{} could not be inspected ({})",
                super::blind::processes(hidden.len()),
                super::blind::remedy(&hidden).unwrap_or_else(|| super::blind::no_remedy(&hidden))
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `set --name`.
pub fn set(args: &SetArgs, name: &Name) -> anyhow::Result<ExitCode> {
    let dir = open_dir()?;
    let obj = find(&dir, name)?;
    let (uid, gid) = args.owner.map_or((None, None), |o| (o.0, o.1));
    dir.set(&obj, uid, gid, args.mode)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::EPERM | libc::EACCES) => anyhow!(
                "permission denied for {} (owner uid {}); hint: run as its owner or as root",
                shown(name),
                obj.stat.uid
            ),
            Some(libc::EINVAL) => anyhow!(
                "cannot change the owner of {}: the kernel refused the uid or gid as invalid",
                shown(name)
            ),
            _ => anyhow!("setting {}: {e}", shown(name)),
        })?;
    Ok(ExitCode::SUCCESS)
}

/// What `remove` found for POSIX: the directory, the objects selected (or
/// named), and for named ones that are not there, the name.
pub(super) struct Selection {
    pub(super) dir: Dir,
    pub(super) objects: Vec<Result<Object, Name>>,
    pub(super) users: Users,
}

/// The objects `remove` acts on: those named, or those the filters select
/// (every one with --all alone). Objects already unlinked (dest) are left out.
pub(super) fn removal_selection(args: &RemoveArgs, by_filter: bool) -> anyhow::Result<Selection> {
    let dir = open_dir()?;
    if by_filter {
        let (objects, users) = select("remove", &dir, &args.filter, args.verbose)?;
        let objects = objects.into_iter().filter(|o| !o.dest).map(Ok).collect();
        return Ok(Selection {
            dir,
            objects,
            users,
        });
    }
    let mut objects = Vec::new();
    for name in &args.name {
        objects.push(match dir.object(name).map_err(|e| lookup_error(name, e))? {
            Some(obj) => Ok(obj),
            None => Err(name.clone()),
        });
    }
    Ok(Selection {
        dir,
        objects,
        users: Users::default(),
    })
}

fn record(name: &Name, outcome: Outcome, message: impl Into<Cow<'static, str>>) -> Record {
    Record {
        shmid: None,
        key: None,
        outcome,
        message: message.into(),
        name: Some(shown(name)),
    }
}

/// The second look at use that `remove` takes right before unlinking what
/// it selected as unused: one scan of /proc for the whole batch (one per
/// object would not scale to a node), restricted to the selected (device,
/// inode). `None` when the filters do not ask about use.
pub(super) fn fresh_users<'a>(
    args: &RemoveArgs,
    selected: impl IntoIterator<Item = &'a Object>,
) -> Option<Users> {
    let wants_unused = args.filter.unattached || args.filter.orphaned;
    wants_unused
        .then(|| Users::scan_objects(&selected.into_iter().map(Object::key).collect::<Vec<_>>()))
}

/// Unlinks what was selected. Each object is re-checked just before: the
/// same device and inode under its name, still matching the filters, and,
/// selected as unused, still unused by `fresh` ([`fresh_users`], taken
/// after selection; computed here when `None` is passed for a selection by filter).
pub(super) fn remove(
    args: &RemoveArgs,
    sel: &Selection,
    by_filter: bool,
    fresh: Option<&Users>,
) -> Vec<Record> {
    let own;
    let fresh = match fresh {
        Some(users) => Some(users),
        None if by_filter => {
            own = fresh_users(args, sel.objects.iter().flatten());
            own.as_ref()
        }
        None => None,
    };
    let now = epoch_now();
    let mut records = Vec::with_capacity(sel.objects.len());
    for found in &sel.objects {
        let obj = match found {
            Ok(obj) => obj,
            Err(name) => {
                let message = format!("no POSIX object {}", shown(name));
                if args.missing_ok {
                    records.push(record(name, Outcome::Missing, message));
                } else {
                    warn!(
                        "shmtool: remove: {message}; hint: 'shmtool list --kind posix' shows the objects"
                    );
                    records.push(record(name, Outcome::Error, message));
                }
                continue;
            }
        };
        let name = &obj.name;
        let mut current = match sel.dir.object(name) {
            Ok(Some(now)) if now.key() == obj.key() => now,
            Ok(Some(_)) => {
                records.push(record(
                    name,
                    Outcome::Changed,
                    format!(
                        "{} was replaced by another file since it was selected; left alone",
                        shown(name)
                    ),
                ));
                continue;
            }
            Ok(None) => {
                records.push(record(
                    name,
                    Outcome::Missing,
                    format!("{} is gone (removed since it was selected)", shown(name)),
                ));
                continue;
            }
            Err(e) => {
                let message = format!("re-reading {}: {e}", shown(name));
                warn!("shmtool: remove: {message}");
                records.push(record(name, Outcome::Error, message));
                continue;
            }
        };
        if by_filter {
            (current.nattch, current.unanswered) = match fresh {
                Some(users) => (users.count(current.key()), users.unanswered(current.key())),
                None => (obj.nattch, obj.unanswered),
            };
            if !matches(&args.filter, &current, now) {
                let nattch = current.nattch.map_or("unknown".into(), |n| n.to_string());
                records.push(record(
                    name,
                    Outcome::Changed,
                    format!(
                        "{} no longer matches the filters (now nattch {nattch}); left alone",
                        shown(name)
                    ),
                ));
                continue;
            }
        }
        records.push(match sel.dir.unlink(name) {
            Ok(()) => record(name, Outcome::Removed, "removed"),
            Err(e) if e.kind() == io::ErrorKind::NotFound => record(
                name,
                Outcome::Missing,
                format!("{} is gone (removed since it was selected)", shown(name)),
            ),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)) => {
                let message = format!(
                    "permission denied for {}, owned by uid {}",
                    shown(name),
                    current.stat.uid
                );
                if by_filter {
                    record(name, Outcome::Skipped, message)
                } else {
                    warn!("shmtool: remove: {message}; hint: run as the object's owner or as root");
                    record(name, Outcome::Denied, message)
                }
            }
            Err(e) => {
                let message = format!("unlinking {}: {e}", shown(name));
                warn!("shmtool: remove: {message}");
                record(name, Outcome::Error, message)
            }
        });
    }
    records
}

/// Whether the caller may unlink `obj` from the sticky /dev/shm: its owner,
/// or root.
pub(super) fn may_remove(obj: &Object) -> bool {
    let euid = uzers::get_effective_uid();
    euid == 0 || euid == obj.stat.uid
}
