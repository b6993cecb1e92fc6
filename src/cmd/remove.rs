//! remove: IPC_RMID on named segments, or on those a filter selects.

use std::borrow::Cow;
use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::rc::Rc;

use shmtool::cgroup::Cgroup;
use shmtool::field::{DEFAULT_COLUMNS, Field, Resolver, Value};
use shmtool::filter::SegmentFilter;
use shmtool::ops::{self, Removal, Target};
use shmtool::segment::Key;
use shmtool::{Error, Segment};

use crate::cli::{DryRunFormat, RemoveArgs};
use crate::cmd::record::{Outcome, Record};
use crate::exit::{self, UsageError};
use crate::render::json::Json;
use crate::render::{self, Style};
use shmtool::escape::escaped;

/// A record of `remove -A --json`: where, then what.
enum PlacedRecord {
    /// A System V segment, in its IPC namespace.
    Ipc {
        ns: u64,
        nspid: i32,
        cgroup: Option<Rc<Cgroup>>,
        record: Record,
    },
    /// A POSIX object, in its /dev/shm.
    DevShm {
        mntns: u64,
        devshm: String,
        nspid: i32,
        cgroup: Option<Rc<Cgroup>>,
        name: Option<String>,
        result: &'static str,
        message: String,
    },
}

impl PlacedRecord {
    fn json(&self) -> Json<'_> {
        match self {
            PlacedRecord::Ipc {
                ns,
                nspid,
                cgroup,
                record,
            } => {
                let mut entries = vec![("ns", (*ns).into()), ("nspid", (*nspid).into())];
                entries.extend(container_entries(cgroup.as_deref()));
                entries.extend(record.json_entries());
                Json::Object(entries)
            }
            PlacedRecord::DevShm {
                mntns,
                devshm,
                nspid,
                cgroup,
                name,
                result,
                message,
            } => {
                let mut entries = vec![
                    ("mntns", (*mntns).into()),
                    ("devshm", devshm.as_str().into()),
                    ("nspid", (*nspid).into()),
                ];
                entries.extend(container_entries(cgroup.as_deref()));
                entries.extend([
                    ("name", name.as_deref().into()),
                    ("result", (*result).into()),
                    ("message", message.as_str().into()),
                ]);
                Json::Object(entries)
            }
        }
    }
}

/// `container`, `container_uid` and `cgroup`, as `list -A --format json` has them.
fn container_entries(cgroup: Option<&Cgroup>) -> [(&'static str, Json<'_>); 3] {
    let container = cgroup.and_then(|c| c.container.as_ref());
    [
        ("container", container.map(|c| c.id.as_str()).into()),
        ("container_uid", container.and_then(|c| c.uid).into()),
        ("cgroup", cgroup.map(|c| c.path.as_str()).into()),
    ]
}

/// A target to act on: a segment found in the table, or why a named one
/// is not there (`NoSuchId` or `NoSuchKey`, which carry the name).
type Selected = Result<Segment, Error>;

fn named_targets(args: &RemoveArgs, segments: &[Segment]) -> Vec<Selected> {
    let ids = args.ids.iter().chain(&args.id).map(|&id| Target::Id(id));
    let keys = args.key.iter().map(|&key| Target::Key(key));
    ids.chain(keys)
        .map(|target| ops::find_in(segments, target).cloned())
        .collect()
}

/// Asks on the terminal before removing every segment; true to go ahead.
fn confirm(count: usize) -> io::Result<bool> {
    warn_prompt!("shmtool: remove: remove all {count} segments? [y/N] ");
    io::stderr().flush()?;
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

impl Record {
    /// A failure, printed now as one line with its hint, and kept for --json.
    fn failed(shmid: Option<i32>, key: Option<Key>, outcome: Outcome, e: Error) -> Record {
        exit::print_failure("remove", &e);
        Record {
            shmid,
            key,
            outcome,
            message: e.to_string().into(),
            name: None,
        }
    }
}

impl Record {
    /// The target as `-v` names it: `/name`, `id N (key K)`, `id N` or `key K`.
    fn target(&self) -> String {
        match (&self.name, self.shmid, self.key) {
            (Some(name), ..) => name.clone(),
            (None, Some(id), Some(key)) => format!("id {id} (key {key})"),
            (None, Some(id), None) => format!("id {id}"),
            (None, None, Some(key)) => format!("key {key}"),
            (None, None, None) => "segment".into(),
        }
    }

    /// The `-v` line: the result as `--json` names it, the target (and
    /// `place`, such as ` in ns N`), and why when it was not simply removed.
    pub(super) fn outcome_line(&self, place: &str) -> String {
        let (result, target) = (self.outcome.name(), self.target());
        if self.outcome == Outcome::Removed {
            format!("{result} {target}{place}")
        } else {
            // Messages quote names and errors other users chose.
            format!("{result} {target}{place}: {}", escaped(&self.message))
        }
    }
}

/// How a target was picked, which decides what its outcomes mean.
#[derive(Clone, Copy, Debug)]
struct Picked {
    by_filter: bool,
    missing_ok: bool,
    /// The filter selects only unattached segments (--unattached, --orphaned).
    unattached: bool,
}

/// A removal: settled, or given `IPC_RMID` with its outcome (destroyed or
/// only marked) still to be found out by [`settle`].
enum Step {
    Done(Record),
    Marked(Segment),
}

/// Finds out what became of every segment given `IPC_RMID` and not yet
/// settled: when none is left in the namespace at all, one `SHM_INFO`
/// proves them all destroyed (`remove --all` makes half the system calls
/// it would otherwise); otherwise each is re-read. `settled` sees each
/// record settled here.
fn settle(
    steps: Vec<Step>,
    picked: Picked,
    ctx: &mut Resolver,
    mut settled: impl FnMut(&Record),
) -> Vec<Record> {
    let marked = steps.iter().any(|s| matches!(s, Step::Marked(_)));
    let all_gone = marked && ops::no_segments_left();
    steps
        .into_iter()
        .map(|step| match step {
            Step::Done(record) => record,
            Step::Marked(seg) => {
                let removal = if all_gone {
                    Removal::Removed
                } else {
                    ops::removal(&seg, &mut ctx.names)
                };
                let record = removal_record(&seg, removal, picked);
                settled(&record);
                record
            }
        })
        .collect()
}

/// What `IPC_RMID` did to one segment, as its record.
fn removal_record(seg: &Segment, removal: Removal, picked: Picked) -> Record {
    let (shmid, key) = (Some(seg.shmid), Some(seg.key));
    let (outcome, message) = match removal {
        Removal::Removed => (Outcome::Removed, Cow::Borrowed("removed")),
        Removal::Marked { nattch } if picked.unattached => {
            let e = Error::io(
                format!("id {} marked (in use), not removed", seg.shmid),
                io::Error::other(format!(
                    "a process attached after it was selected as unattached (nattch {nattch} now); it goes at the last detach"
                )),
            );
            return Record::failed(shmid, key, Outcome::MarkedInUse, e);
        }
        Removal::Marked { nattch } => (
            Outcome::Marked,
            Cow::Owned(format!(
                "marked for destruction; still attached (nattch {nattch}); it goes at the last detach"
            )),
        ),
    };
    Record {
        shmid,
        key,
        outcome,
        message,
        name: None,
    }
}

/// Gives one selected segment `IPC_RMID`, or says why not. What became of
/// it is looked at at once where it decides success (a filter that picks
/// only unattached segments fails for one a process attached meanwhile,
/// and a check made later could miss an attach that has ended since) and
/// for named segments, whose messages keep the order they were named in;
/// otherwise [`settle`] finds out for all at the end.
fn remove_one(seg: &Segment, picked: Picked, ctx: &mut Resolver) -> Step {
    let (shmid, key) = (Some(seg.shmid), Some(seg.key));
    let (outcome, message) = match ops::mark_removed(seg, &mut ctx.names) {
        Ok(()) if picked.unattached || !picked.by_filter => {
            let removal = ops::removal(seg, &mut ctx.names);
            return Step::Done(removal_record(seg, removal, picked));
        }
        Ok(()) => return Step::Marked(seg.clone()),
        // Already marked: nothing left to do when selected by a filter.
        Err(Error::AlreadyRemoved { nattch, .. }) if picked.by_filter || picked.missing_ok => (
            Outcome::Marked,
            Cow::Owned(format!(
                "already marked for destruction (nattch {nattch}); it goes at the last detach"
            )),
        ),
        Err(e @ Error::Denied { .. }) if picked.by_filter => {
            (Outcome::Skipped, e.to_string().into())
        }
        // Gone between the table read and IPC_RMID.
        Err(e @ (Error::NoSuchId(_) | Error::Removed(_)))
            if picked.by_filter || picked.missing_ok =>
        {
            (Outcome::Missing, e.to_string().into())
        }
        Err(e @ Error::Denied { .. }) => {
            return Step::Done(Record::failed(shmid, key, Outcome::Denied, e));
        }
        Err(e) => return Step::Done(Record::failed(shmid, key, Outcome::Error, e)),
    };
    Step::Done(Record {
        shmid,
        key,
        outcome,
        message,
        name: None,
    })
}

/// Re-reads a segment a filter selected from the snapshot, immediately
/// before removing it, and removes it only if the filter still selects it.
fn recheck_and_remove(
    seg: &Segment,
    filter: &SegmentFilter,
    picked: Picked,
    ctx: &mut Resolver,
) -> Step {
    let (shmid, key) = (Some(seg.shmid), Some(seg.key));
    let record = |outcome, message: String| {
        Step::Done(Record {
            shmid,
            key,
            outcome,
            message: message.into(),
            name: None,
        })
    };
    let now = match ops::current(seg, &mut ctx.names) {
        Ok(Some(now)) => now,
        Ok(None) => {
            return record(
                Outcome::Missing,
                format!("id {} is gone (removed since it was selected)", seg.shmid),
            );
        }
        Err(e @ Error::Denied { .. }) => return record(Outcome::Skipped, e.to_string()),
        Err(e) => return Step::Done(Record::failed(shmid, key, Outcome::Error, e)),
    };
    // Processes are looked at afresh: the last user may have changed.
    ctx.procs.forget();
    if !filter.matches(&now, epoch_now(), &mut ctx.procs) {
        return record(
            Outcome::Changed,
            format!(
                "id {} no longer matches the filters (now nattch {}, cpid {}, lpid {}); left alone",
                now.shmid, now.nattch, now.cpid, now.lpid
            ),
        );
    }
    remove_one(&now, picked, ctx)
}

fn epoch_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The record of a named target that is not there.
fn missing(e: Error, missing_ok: bool) -> Record {
    let (shmid, key) = match e {
        Error::NoSuchId(id) => (Some(id), None),
        Error::NoSuchKey(key) => (None, Some(key)),
        _ => (None, None),
    };
    if missing_ok {
        Record {
            shmid,
            key,
            outcome: Outcome::Missing,
            message: e.to_string().into(),
            name: None,
        }
    } else {
        Record::failed(shmid, key, Outcome::Error, e)
    }
}

const SKIPPED_LABEL: &str = "skipped (owned by others, permission denied)";

fn summary(records: &[Record]) -> String {
    let count = |o: Outcome| records.iter().filter(|r| r.outcome == o).count();
    let mut line = format!("removed {}", count(Outcome::Removed));
    for (outcome, label) in [
        (Outcome::Marked, "marked (still attached)"),
        (Outcome::MarkedInUse, "marked (in use)"),
        (Outcome::Skipped, SKIPPED_LABEL),
        (Outcome::Changed, "no longer matching"),
        (Outcome::Missing, "gone meanwhile"),
        (Outcome::Error, "failed"),
    ] {
        let n = count(outcome);
        if n > 0 {
            line.push_str(&format!(", {n} {label}"));
        }
    }
    line
}

/// With -v: why segments were not taken as orphaned.
fn print_declined(ctx: &mut Resolver) {
    for (shmid, why) in ctx.procs.take_declined() {
        warn!("shmtool: remove: id {shmid} not taken as orphaned: {why}");
    }
}

pub fn run(args: &RemoveArgs) -> anyhow::Result<ExitCode> {
    use crate::cli::Kind;
    let filter = args.filter.to_filter();
    if args.all_namespaces {
        return all_namespaces(args, &filter);
    }
    let by_filter = args.all || !filter.is_empty() || args.filter.glob.is_some();
    let named = args.has_named() || !args.name.is_empty();
    if named && by_filter {
        return Err(UsageError(
            "name segments (ID, --id, --key, --name) or select them (--all or filters), not both"
                .into(),
        )
        .into());
    }
    if !named && !by_filter {
        return Err(UsageError(
            "no target: name ids, --id, --key or --name, or select with --all or a filter".into(),
        )
        .into());
    }
    let kind = args.filter.kind();
    let (sysv, posix) = if by_filter {
        // Segments have no name: --match selects none of them.
        let named_only = args.filter.glob.is_some();
        (kind != Kind::Posix && !named_only, kind != Kind::Sysv)
    } else {
        (args.has_named(), !args.name.is_empty())
    };
    let objects = if posix {
        Some(crate::cmd::posix::removal_selection(args, by_filter)?)
    } else {
        None
    };
    let mut ctx = Resolver::new();
    // A dry run shows rows as list does, rss and swap included: from /proc.
    let segments = if !sysv {
        Vec::new()
    } else if args.dry_run {
        shmtool::procfs_shm::read_segments()?.0
    } else {
        shmtool::procfs_shm::read_segments_for_removal()?
    };
    let selected: Vec<Selected> = if by_filter {
        filter
            .select(segments, &mut ctx.procs)
            .into_iter()
            .map(Ok)
            .collect()
    } else {
        named_targets(args, &segments)
    };

    if args.verbose
        && let Some(sel) = &objects
    {
        crate::cmd::posix::say_hidden("remove", &sel.users, &args.filter);
    }
    if args.dry_run {
        if args.verbose {
            print_declined(&mut ctx);
        }
        let objects = objects.as_ref().map(|sel| (sel, sysv));
        return dry_run(args, &selected, objects, by_filter, &mut ctx);
    }
    let count = selected.len() + objects.as_ref().map_or(0, |s| s.objects.len());
    let asks = args.all && filter.is_empty() && args.filter.glob.is_none() && !args.yes;
    if asks && count > 0 && io::stdin().is_terminal() && !confirm(count)? {
        warn!("shmtool: remove: nothing removed");
        return Ok(ExitCode::from(exit::FAILURE));
    }

    let picked = Picked {
        by_filter,
        missing_ok: args.missing_ok,
        unattached: filter.implies_unattached(),
    };
    // A segment left marked is said on stderr when its outcome is known,
    // so named segments keep their order among the failures.
    let say_marked = |record: &Record| {
        if record.outcome == Outcome::Marked && !args.json && !args.verbose {
            let id = record.shmid.unwrap_or(-1);
            warn!("shmtool: remove: id {id} {}", record.message);
        }
    };
    let steps = selected
        .into_iter()
        .map(|found| {
            let step = match found {
                Ok(seg) if !filter.is_empty() => {
                    recheck_and_remove(&seg, &filter, picked, &mut ctx)
                }
                Ok(seg) => remove_one(&seg, picked, &mut ctx),
                Err(e) => Step::Done(missing(e, args.missing_ok)),
            };
            if let Step::Done(record) = &step {
                say_marked(record);
            }
            step
        })
        .collect();
    let mut records = settle(steps, picked, &mut ctx, say_marked);
    if let Some(sel) = &objects {
        records.extend(crate::cmd::posix::remove(args, sel, by_filter, None));
    }
    if args.verbose {
        print_declined(&mut ctx);
    }

    let failed = records.iter().any(|r| r.outcome.failed());
    let code = if failed { exit::FAILURE } else { exit::SUCCESS };
    let written = (|| -> io::Result<()> {
        let mut out = io::BufWriter::new(io::stdout().lock());
        if args.json {
            let list = records.iter().map(|r| Json::Object(r.json_entries()));
            render::json::write_document(&mut out, &Json::Array(list.collect()))?;
        } else if args.verbose {
            for r in &records {
                writeln!(out, "{}", r.outcome_line(""))?;
            }
        }
        out.flush()
    })();
    if by_filter && !args.json {
        let blind = objects.as_ref().map_or_else(String::new, |sel| {
            crate::cmd::posix::blind_note(&args.filter, &sel.users)
        });
        warn!("shmtool: remove: {}{blind}", summary(&records));
    }
    exit::after_output(code, written)
}

/// The rows of a dry run: as `list --format json` with --json, otherwise a
/// table (Markdown with --format markdown).
/// A cell of `remove -A --dry-run`, as `list -A` shows it.
fn dry_run_cell(
    field: Field,
    row: shmtool::field::Row<'_>,
    fields: &[Field],
    args: &RemoveArgs,
    ctx: &mut Resolver,
) -> Value {
    let table = !args.json;
    let value = crate::cmd::posix::cell(field, row, table, ctx);
    super::fleet::container_cell(field, value, row, fields, table, ctx)
}

fn write_dry_run_rows(
    out: &mut impl Write,
    args: &RemoveArgs,
    fields: &[Field],
    rows: Vec<Vec<Value>>,
) -> io::Result<()> {
    if args.json {
        render::json::write_rows(out, fields, rows)
    } else {
        render::write_table(
            out,
            args.format == Some(DryRunFormat::Markdown),
            fields,
            rows,
            Style::default(),
        )
    }
}

/// Prints what would be removed, as `list` prints it, and changes nothing.
/// What the real run would skip or refuse is left out and counted, or
/// reported as the real run reports it.
fn dry_run(
    args: &RemoveArgs,
    selected: &[Selected],
    // POSIX objects selected, and whether System V segments were too.
    objects: Option<(&crate::cmd::posix::Selection, bool)>,
    by_filter: bool,
    ctx: &mut Resolver,
) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let (mut skipped, mut marked) = (0, 0);
    let mut segments: Vec<&Segment> = Vec::new();
    for found in selected {
        match found {
            Ok(seg) if seg.status().dest && (by_filter || args.missing_ok) => marked += 1,
            Ok(seg) if seg.status().dest => {
                failed = true;
                exit::print_failure(
                    "remove",
                    &Error::AlreadyRemoved {
                        shmid: seg.shmid,
                        nattch: seg.nattch,
                    },
                );
            }
            Ok(seg) if !ops::may_remove(seg) && by_filter => skipped += 1,
            Ok(seg) if !ops::may_remove(seg) => {
                failed = true;
                exit::print_failure(
                    "remove",
                    &Error::Denied {
                        shmid: seg.shmid,
                        owner: ctx.names.name_or_uid(seg.uid).to_string(),
                    },
                );
            }
            Ok(seg) => segments.push(seg),
            Err(_) if args.missing_ok => {}
            Err(e) => {
                failed = true;
                exit::print_failure("remove", e);
            }
        }
    }
    let mut shown_objects = Vec::new();
    if let Some((sel, _)) = objects {
        for found in &sel.objects {
            match found {
                Ok(obj) if crate::cmd::posix::may_remove(obj) => shown_objects.push(obj),
                Ok(_) if by_filter => skipped += 1,
                Ok(obj) => {
                    failed = true;
                    warn!(
                        "shmtool: remove: permission denied for {}, owned by uid {}",
                        escaped(&obj.name.shown()),
                        obj.stat.uid
                    );
                }
                Err(_) if args.missing_ok => {}
                Err(name) => {
                    failed = true;
                    warn!(
                        "shmtool: remove: no POSIX object {}",
                        escaped(&name.shown())
                    );
                }
            }
        }
    }
    let fields: Vec<Field> = match (args.filter.kind, objects.is_some(), args.json) {
        (None, false, true) => shmtool::field::SYSV.to_vec(),
        (None, false, false) => DEFAULT_COLUMNS.to_vec(),
        (_, true, true) if segments.is_empty() => shmtool::field::POSIX.to_vec(),
        (_, true, false) if segments.is_empty() => shmtool::field::POSIX_COLUMNS.to_vec(),
        (_, _, true) => [Field::Kind]
            .into_iter()
            .chain(shmtool::field::SYSV.iter().copied())
            .chain([Field::Name, Field::Allocated, Field::Mtime])
            .collect(),
        (_, _, false) => shmtool::field::ALL_COLUMNS.to_vec(),
    };
    let mut rows: Vec<Vec<Value>> = segments
        .iter()
        .map(|s| fields.iter().map(|f| f.value(*s, ctx)).collect())
        .collect();
    for obj in &shown_objects {
        let row = shmtool::field::Row::Posix(obj);
        let table = !args.json;
        rows.push(
            fields
                .iter()
                .map(|f| crate::cmd::posix::cell(*f, row, table, ctx))
                .collect(),
        );
    }
    let written = (|| -> io::Result<()> {
        let mut out = io::BufWriter::new(io::stdout().lock());
        write_dry_run_rows(&mut out, args, &fields, rows)?;
        out.flush()
    })();
    let line = match objects {
        None => format!("dry run: {} segment(s) would be removed", segments.len()),
        Some((_, false)) => format!(
            "dry run: {} POSIX object(s) would be removed",
            shown_objects.len()
        ),
        Some((_, true)) => format!(
            "dry run: {} segment(s) and {} POSIX object(s) would be removed",
            segments.len(),
            shown_objects.len()
        ),
    };
    let blind = objects.map_or_else(String::new, |(sel, _)| {
        crate::cmd::posix::blind_note(&args.filter, &sel.users)
    });
    say_dry_run(line, marked, skipped, &blind);
    exit::after_output(if failed { exit::FAILURE } else { exit::SUCCESS }, written)
}

/// The summary of a dry run on stderr: `line` (what would be removed), then
/// what the real run would leave.
fn say_dry_run(mut line: String, marked: usize, skipped: usize, blind: &str) {
    if marked > 0 {
        line.push_str(&format!(", {marked} already marked (still attached)"));
    }
    if skipped > 0 {
        line.push_str(&format!(", {skipped} {SKIPPED_LABEL}"));
    }
    warn!("shmtool: remove: {line}{blind}; nothing changed");
}

/// What `remove -A` did in one namespace.
enum InNamespace {
    /// A dry run: the selected segments, those it would remove first.
    Dry {
        shown: Vec<Segment>,
        marked: usize,
        skipped: usize,
    },
    Done(Vec<Record>),
}

/// `remove --all-namespaces`: the filters' selection removed in every IPC
/// namespace, each entered on a thread of its own.
fn all_namespaces(args: &RemoveArgs, filter: &SegmentFilter) -> anyhow::Result<ExitCode> {
    let named = args.has_named() || !args.name.is_empty();
    if named || args.all || (filter.is_empty() && args.filter.glob.is_none()) {
        return Err(UsageError(
            "--all-namespaces selects with filters only (--orphaned, --unattached, --owner, --older-than, --larger-than, --status, --match), never --all, named ids or --name".into(),
        )
        .into());
    }
    let found = shmtool::namespace::discover(args.filter.kind() != crate::cli::Kind::Sysv)?;
    let mut unentered = 0;
    let picked = Picked {
        by_filter: true,
        missing_ok: args.missing_ok,
        unattached: filter.implies_unattached(),
    };
    let kind = args.filter.kind();
    // Segments have no name: --match selects none of them.
    let sysv = kind != crate::cli::Kind::Posix && args.filter.glob.is_none();
    let mut results = Vec::with_capacity(found.namespaces.len());
    for ns in found.namespaces.iter().filter(|_| sysv) {
        let work = || -> Result<InNamespace, Error> {
            let mut ctx = Resolver::new();
            let segments = if args.dry_run {
                shmtool::procfs_shm::read_segments()?.0
            } else {
                shmtool::procfs_shm::read_segments_for_removal()?
            };
            let selected = filter.select(segments, &mut ctx.procs);
            if args.verbose {
                for (shmid, why) in ctx.procs.take_declined() {
                    warn!(
                        "shmtool: remove: id {shmid} (ns {}) not taken as orphaned: {why}",
                        ns.inode
                    );
                }
            }
            if args.dry_run {
                let (mut marked, mut skipped) = (0, 0);
                let mut shown = Vec::new();
                for seg in selected {
                    if seg.status().dest {
                        marked += 1;
                    } else if !ops::may_remove(&seg) {
                        skipped += 1;
                    } else {
                        shown.push(seg);
                    }
                }
                return Ok(InNamespace::Dry {
                    shown,
                    marked,
                    skipped,
                });
            }
            let steps = selected
                .iter()
                .map(|seg| recheck_and_remove(seg, filter, picked, &mut ctx))
                .collect();
            Ok(InNamespace::Done(settle(steps, picked, &mut ctx, |_| {})))
        };
        match ns.run(work).and_then(|r| r) {
            Ok(result) => results.push((ns, result)),
            Err(e) if !ns.own => {
                unentered += ns.processes;
                if args.verbose {
                    warn!("shmtool: remove: skipped: {e}");
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let posix = if kind == crate::cli::Kind::Sysv {
        super::fleet::PosixRemoval::default()
    } else {
        super::fleet::say_rejected("remove", &found.rejected);
        super::fleet::remove_posix(args, &found.devshms)?
    };
    if args.verbose {
        let lists = [found.uninspected.as_slice(), posix.users.uninspected()];
        super::blind::name_each("remove", &shmtool::process::distinct(lists));
        crate::cmd::posix::say_unknown_use("remove", &posix.users, &args.filter);
    }
    let blind = crate::cmd::posix::blind_note(&args.filter, &posix.users);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut failed = false;
    let mut written = Ok(());
    let mut ctx = Resolver::new();
    let tag = |ns: &shmtool::namespace::IpcNamespace| {
        std::rc::Rc::new(shmtool::field::NamespaceTag {
            inode: ns.inode,
            nspid: ns.nspid,
            cgroup: ns.cgroup.clone().map(std::rc::Rc::new),
        })
    };
    if args.dry_run {
        let fields = super::fleet::dry_run_columns(kind, args.json);
        let (mut count, mut marked, mut skipped) = (0, 0, 0);
        let mut rows = Vec::new();
        for (ns, result) in &results {
            if let InNamespace::Dry {
                shown,
                marked: m,
                skipped: s,
            } = result
            {
                ctx.namespace = Some(tag(ns));
                count += shown.len();
                marked += m;
                skipped += s;
                for seg in shown {
                    rows.push(
                        fields
                            .iter()
                            .map(|f| dry_run_cell(*f, seg.into(), &fields, args, &mut ctx))
                            .collect(),
                    );
                }
            }
        }
        ctx.namespace = None;
        for (tag, obj) in &posix.shown {
            ctx.devshm = Some(tag.clone());
            rows.push(
                fields
                    .iter()
                    .map(|f| dry_run_cell(*f, obj.into(), &fields, args, &mut ctx))
                    .collect(),
            );
        }
        count += posix.shown.len();
        skipped += posix.skipped;
        write_dry_run_rows(&mut out, args, &fields, rows)?;
        out.flush()?;
        use crate::cli::Kind;
        let (what, place) = match kind {
            Kind::Sysv => ("segment(s)", format!("{} namespace(s)", results.len())),
            Kind::Posix => ("object(s)", format!("{} /dev/shm", posix.examined)),
            Kind::All => (
                "segment(s) and object(s)",
                format!(
                    "{} namespace(s) and {} /dev/shm",
                    results.len(),
                    posix.examined
                ),
            ),
        };
        let line = format!("dry run: {count} {what} in {place} would be removed");
        say_dry_run(line, marked, skipped, &blind);
    } else {
        let mut all = Vec::new();
        let mut json = Vec::new();
        // Held until the outcome is known: a reader that goes away must not
        // turn a failure into success.
        let mut text = Vec::new();
        for (ns, result) in results {
            let InNamespace::Done(records) = result else {
                continue;
            };
            for r in records {
                if r.outcome == Outcome::Marked && !args.json && !args.verbose {
                    let id = r.shmid.unwrap_or(-1);
                    warn!("shmtool: remove: id {id} (ns {}) {}", ns.inode, r.message);
                }
                if args.json {
                    json.push(PlacedRecord::Ipc {
                        ns: ns.inode,
                        nspid: ns.nspid,
                        cgroup: ns.cgroup.clone().map(Rc::new),
                        record: r.clone(),
                    });
                } else if args.verbose {
                    let place = format!(" in ns {}", ns.inode);
                    writeln!(text, "{}", r.outcome_line(&place))?;
                }
                all.push(r);
            }
        }
        for (tag, r) in posix.records {
            let devshm = format!("{}:{}", tag.major, tag.minor);
            if args.json {
                json.push(PlacedRecord::DevShm {
                    mntns: tag.mntns,
                    devshm,
                    nspid: tag.nspid,
                    cgroup: tag.cgroup.clone(),
                    name: r.name.clone(),
                    result: r.outcome.name(),
                    message: r.message.to_string(),
                });
            } else if args.verbose {
                let place = format!(" in /dev/shm {devshm} (mntns {})", tag.mntns);
                writeln!(text, "{}", r.outcome_line(&place))?;
            }
            all.push(r);
        }
        if args.json {
            let list = json.iter().map(PlacedRecord::json).collect();
            render::json::write_document(&mut text, &Json::Array(list))?;
        }
        failed = all.iter().any(|r| r.outcome.failed());
        written = out.write_all(&text).and_then(|()| out.flush());
        if !args.json {
            warn!("shmtool: remove: {}{blind}", summary(&all));
        }
    }
    let unreached = found.uninspected.len() + unentered;
    if unreached > 0 {
        warn!(
            "shmtool: remove: {} could not be inspected (their {} were left alone){}",
            super::blind::processes(unreached),
            super::fleet::places(kind),
            super::fleet::namespaces_hint(&found.uninspected, unentered)
        );
    }
    exit::after_output(if failed { exit::FAILURE } else { exit::SUCCESS }, written)
}
