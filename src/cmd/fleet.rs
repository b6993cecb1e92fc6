//! `list` across IPC namespaces (`--all-namespaces`), as Prometheus metrics
//! (`--format prometheus`), and into a file replaced atomically
//! (`--output-atomic`).

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use anyhow::Context;
use shmtool::Segment;
use shmtool::cgroup::Cgroup;
use shmtool::field::{DevShmTag, Field, METRICS, NamespaceTag, Resolver, Row, Value};
use shmtool::filter::SegmentFilter;
use shmtool::namespace::{self, DevShm, IpcNamespace};
use shmtool::posix::{Dir, Listing, Object, Users};
use shmtool::process::{Orphan, Uninspected};
use shmtool::sysv::Limits;

use crate::cli::{Format, Kind, ListArgs, RemoveArgs};
use crate::cmd::record::Record;
use crate::exit::UsageError;
use crate::render::prometheus::{Family, Sample};
use crate::render::{self, Style};

/// Whether `list` goes through this module rather than the one-namespace path.
pub fn handles(args: &ListArgs) -> bool {
    args.all_namespaces || args.format == Format::Prometheus || args.output_atomic.is_some()
}

/// The namespace fields exist only under `--all-namespaces`.
pub fn check_columns(args: &ListArgs) -> Result<(), UsageError> {
    let asked = args.columns.iter().chain(&args.sort);
    if !args.all_namespaces
        && let Some(f) = asked.into_iter().find(|f| f.fleet_only())
    {
        return Err(UsageError(format!(
            "the {} field exists only with --all-namespaces (-A)",
            f.name()
        )));
    }
    Ok(())
}

/// One namespace's rows.
struct Group {
    tag: Rc<NamespaceTag>,
    /// The selected segments.
    segments: Vec<Segment>,
    limits: Option<Limits>,
}

/// One `/dev/shm`'s rows.
struct PosixGroup {
    /// `None` without `--all-namespaces`: the rows have no devshm fields.
    tag: Option<Rc<DevShmTag>>,
    /// The selected objects.
    objects: Vec<Object>,
    /// Objects of owners its user namespace does not map: counted only.
    unowned: usize,
}

/// What was read: each namespace's selected segments, each `/dev/shm`'s
/// selected objects, and the processes that could not be inspected.
struct Read {
    groups: Vec<Group>,
    posix: Vec<PosixGroup>,
    devshms: Vec<DevShm>,
    /// `/dev/shm` directories left alone (not the root of a tmpfs of their own).
    rejected: Vec<namespace::RejectedDevShm>,
    /// Processes whose namespaces could not be read (-A).
    undiscovered: Vec<Uninspected>,
    /// Processes not inspected by either scan, each once.
    blind: Vec<Uninspected>,
    /// Processes in IPC namespaces that could not be entered.
    unentered: usize,
}

/// The tag POSIX rows of `d` carry.
fn devshm_tag(d: &DevShm) -> Rc<DevShmTag> {
    Rc::new(DevShmTag {
        mntns: d.mntns,
        major: d.major,
        minor: d.minor,
        nspid: d.nspid,
        cgroup: d.cgroup.clone().map(Rc::new),
    })
}

/// Each `/dev/shm`'s objects the filters select (and how many others'
/// objects it holds, never named), their users found in one scan of /proc
/// (matched by device and inode); an error for a `/dev/shm` that could not
/// be listed.
fn read_devshms(
    dirs: &[Dir],
    filter: &crate::cli::FilterArgs,
) -> (Vec<anyhow::Result<Listing>>, Users) {
    let devs: Vec<u64> = dirs.iter().map(|d| d.dev).collect();
    let users = Users::scan_devices(&devs);
    let now = super::posix::epoch_now();
    let selected = dirs
        .iter()
        .map(|dir| {
            let mut listing = dir
                .list(&users)
                .with_context(|| format!("cannot list {}", dir.path.display()))?;
            listing
                .objects
                .retain(|o| super::posix::matches(filter, o, now));
            Ok(listing)
        })
        .collect();
    (selected, users)
}

/// Says on stderr which `/dev/shm` directories were left alone and why.
pub(super) fn say_rejected(command: &str, rejected: &[namespace::RejectedDevShm]) {
    for r in rejected {
        warn!(
            "shmtool: {command}: skipped the /dev/shm of mount namespace {} (pid {}): {}",
            r.mntns,
            r.pid,
            shmtool::escape::escaped(&r.why)
        );
    }
}

/// The `/dev/shm` directories of `devshms` that open, with their tags;
/// each that does not is said on stderr and left out.
fn open_devshms(command: &str, devshms: &[DevShm]) -> (Vec<Dir>, Vec<Rc<DevShmTag>>) {
    let (mut dirs, mut tags) = (Vec::new(), Vec::new());
    for d in devshms {
        match d.open() {
            Ok(dir) => {
                dirs.push(dir);
                tags.push(devshm_tag(d));
            }
            // Gone since discovery, or not ours to read: the rest still count.
            Err(e) => warn!(
                "shmtool: {command}: skipped {} (devshm {}:{}): {e}",
                shmtool::escape::escaped(&d.path.to_string_lossy()),
                d.major,
                d.minor
            ),
        }
    }
    (dirs, tags)
}

fn read(args: &ListArgs, ctx: &mut Resolver) -> anyhow::Result<Read> {
    let filter = SegmentFilter {
        key: args.key,
        id: args.id,
        ..args.filter.to_filter()
    };
    let kind = args.filter.kind();
    let prometheus = args.format == Format::Prometheus;
    // Only what the output needs: /dev/shm discovery for POSIX rows and the
    // devshm metrics, rss and swap (the /proc source) where shown.
    let devshm = kind != Kind::Sysv || prometheus;
    let usage = prometheus
        || columns(args)
            .iter()
            .chain(args.sort.as_ref())
            .any(|f| matches!(f, Field::Rss | Field::Swap));
    let (namespaces, devshms, rejected, undiscovered) = if args.all_namespaces {
        let found = namespace::discover(devshm)?;
        (
            found.namespaces,
            found.devshms,
            found.rejected,
            found.uninspected,
        )
    } else {
        (
            vec![IpcNamespace::own()?],
            Vec::new(),
            Vec::new(),
            Vec::new(),
        )
    };
    // In metrics they are counted; a line each where a person reads.
    if !prometheus || args.verbose {
        say_rejected("list", &rejected);
    }
    let mut unentered = 0;
    // Segments have no name: --match selects none of them.
    let sysv = kind != Kind::Posix && args.filter.glob.is_none();
    let mut groups = Vec::with_capacity(namespaces.len());
    let tables = if sysv {
        namespace::read_all(&namespaces, usage)
    } else {
        Vec::new()
    };
    for (ns, table) in namespaces.iter().zip(tables) {
        let table = match table {
            Ok(table) => table,
            // Without root, other namespaces cannot be entered: counted, not fatal.
            Err(e) if args.all_namespaces && !ns.own => {
                unentered += ns.processes;
                if args.verbose {
                    warn!("shmtool: list: skipped: {e}");
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let segments = filter.select(table.segments, &mut ctx.procs);
        if args.verbose {
            for (shmid, why) in ctx.procs.take_declined() {
                warn!(
                    "shmtool: list: id {shmid} (ns {}) not taken as orphaned: {why}",
                    ns.inode
                );
            }
        }
        groups.push(Group {
            tag: Rc::new(NamespaceTag {
                inode: ns.inode,
                nspid: ns.nspid,
                cgroup: ns.cgroup.clone().map(Rc::new),
            }),
            segments,
            limits: table.limits,
        });
    }
    let mut posix = Vec::new();
    let mut users = Users::default();
    // --key and --id name System V segments only.
    if kind != Kind::Sysv && args.key.is_none() && args.id.is_none() {
        let (dirs, tags) = if args.all_namespaces {
            let (dirs, tags) = open_devshms("list", &devshms);
            (dirs, tags.into_iter().map(Some).collect())
        } else {
            (vec![super::posix::open_dir()?], vec![None])
        };
        let selected;
        (selected, users) = read_devshms(&dirs, &args.filter);
        for ((listing, tag), dir) in selected.into_iter().zip(tags).zip(&dirs) {
            let listing = listing?;
            if args.verbose {
                super::posix::say_unowned("list", dir, listing.unowned);
            }
            posix.push(PosixGroup {
                tag,
                objects: listing.objects,
                unowned: listing.unowned,
            });
        }
    }
    let blind: Vec<Uninspected> =
        shmtool::process::distinct([undiscovered.as_slice(), users.uninspected()])
            .into_iter()
            .cloned()
            .collect();
    if args.verbose {
        super::blind::name_each("list", &blind.iter().collect::<Vec<_>>());
        super::posix::say_unknown_use("list", &users, &args.filter);
    }
    Ok(Read {
        groups,
        posix,
        devshms,
        rejected,
        undiscovered,
        blind,
        unentered,
    })
}

/// The columns: list's, with the namespace fields first under -A in
/// human and delimited formats (last in JSON).
fn columns(args: &ListArgs) -> Vec<Field> {
    if !args.columns.is_empty() {
        return args.columns.clone();
    }
    let kind = args.filter.kind();
    let local = match kind {
        Kind::Sysv => super::columns::sysv(args),
        _ => super::columns::of_kind(args, kind),
    };
    if !args.all_namespaces {
        return local;
    }
    with_fleet_fields(local, kind, args.format == Format::Json)
}

/// `local` columns with the -A fields of `kind`: first in tables, last in JSON.
fn with_fleet_fields(local: Vec<Field>, kind: Kind, json: bool) -> Vec<Field> {
    // Tables mark a user's container in the container cell (container_cell).
    let fleet: &[Field] = match (kind, json) {
        (Kind::Sysv, true) => Field::NAMESPACE,
        (Kind::Sysv, false) => &[Field::Ns, Field::Nspid, Field::Container],
        (Kind::Posix, true) => Field::DEVSHM,
        (Kind::Posix, false) => &[Field::Mntns, Field::Devshm, Field::Nspid, Field::Container],
        (Kind::All, true) => &[
            Field::Ns,
            Field::Nspid,
            Field::Container,
            Field::ContainerUid,
            Field::Cgroup,
            Field::Mntns,
            Field::Devshm,
        ],
        (Kind::All, false) => &[
            Field::Ns,
            Field::Mntns,
            Field::Devshm,
            Field::Nspid,
            Field::Container,
        ],
    };
    if json {
        local.into_iter().chain(fleet.iter().copied()).collect()
    } else {
        fleet.iter().copied().chain(local).collect()
    }
}

/// The columns `remove -A --dry-run` shows for `kind`: list -A's.
pub fn dry_run_columns(kind: Kind, json: bool) -> Vec<Field> {
    use shmtool::field;
    let local = match (kind, json) {
        (Kind::Sysv, true) => field::SYSV.to_vec(),
        (Kind::Sysv, false) => field::DEFAULT_COLUMNS.to_vec(),
        (Kind::Posix, true) => field::POSIX.to_vec(),
        (Kind::Posix, false) => field::POSIX_COLUMNS.to_vec(),
        (Kind::All, true) => super::columns::all_fields(),
        (Kind::All, false) => field::ALL_COLUMNS.to_vec(),
    };
    with_fleet_fields(local, kind, json)
}

pub fn list(args: &ListArgs) -> anyhow::Result<ExitCode> {
    if args.format == Format::Ipcs {
        return Err(UsageError(
            "--format ipcs prints one namespace as ipcs -m does; choose another format with --all-namespaces or --output-atomic"
                .into(),
        )
        .into());
    }
    if args.format == Format::Prometheus && !args.columns.is_empty() {
        return Err(UsageError("--columns does not apply to --format prometheus".into()).into());
    }
    let mut ctx = Resolver::new();
    let read = read(args, &mut ctx)?;
    let mut text = Vec::with_capacity(1 << 16);
    if args.format == Format::Prometheus {
        let families = metrics(&read, args.all_namespaces, &mut ctx);
        render::prometheus::write(&mut text, &families)?;
    } else {
        write_rows(&mut text, args, &read, &mut ctx)?;
    }
    match &args.output_atomic {
        Some(path) => write_atomic(path, &text)?,
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&text)?;
            out.flush()?;
        }
    }
    // The metrics count them every run; a line a minute only with -v.
    let unlisted = read.undiscovered.len() + read.unentered;
    if unlisted > 0 && (args.format != Format::Prometheus || args.verbose) {
        warn!(
            "shmtool: list: {} could not be inspected (their {} are not listed){}",
            super::blind::processes(unlisted),
            places(args.filter.kind()),
            namespaces_hint(&read.undiscovered, read.unentered)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What -A did not reach in a process it could not inspect, for `kind`.
pub(super) fn places(kind: Kind) -> &'static str {
    match kind {
        Kind::Sysv => "IPC namespaces",
        Kind::Posix => "/dev/shm",
        Kind::All => "IPC namespaces and /dev/shm",
    }
}

/// The hint for processes whose IPC namespaces were not read: what would
/// reach them, if anything the one running shmtool can do.
pub(super) fn namespaces_hint(undiscovered: &[Uninspected], unentered: usize) -> String {
    let list: Vec<&Uninspected> = undiscovered.iter().collect();
    match super::blind::remedy(&list) {
        Some(remedy) => format!("; hint: {remedy}"),
        // setns needs CAP_SYS_ADMIN, which root has.
        None if unentered > 0 && uzers::get_effective_uid() != 0 => {
            "; hint: run as root to enter them".to_owned()
        }
        None if !list.is_empty() => format!("; {}", super::blind::no_remedy(&list)),
        None => String::new(),
    }
}

/// One row of a -A listing, with the namespace or /dev/shm it is in.
#[derive(Clone, Copy)]
enum Line<'a> {
    Sysv(&'a Group, &'a Segment),
    Posix(&'a PosixGroup, &'a Object),
}

impl<'a> Line<'a> {
    /// The row, with `ctx` set to show its namespace fields.
    fn row(self, ctx: &mut Resolver) -> Row<'a> {
        match self {
            Line::Sysv(g, s) => {
                ctx.namespace = Some(g.tag.clone());
                ctx.devshm = None;
                Row::Sysv(s)
            }
            Line::Posix(g, o) => {
                ctx.namespace = None;
                ctx.devshm = g.tag.clone();
                Row::Posix(o)
            }
        }
    }
}

fn write_rows(
    out: &mut Vec<u8>,
    args: &ListArgs,
    read: &Read,
    ctx: &mut Resolver,
) -> anyhow::Result<()> {
    let fields = columns(args);
    let mut rows: Vec<Line<'_>> = read
        .groups
        .iter()
        .flat_map(|g| g.segments.iter().map(move |s| Line::Sysv(g, s)))
        .chain(
            read.posix
                .iter()
                .flat_map(|g| g.objects.iter().map(move |o| Line::Posix(g, o))),
        )
        .collect();
    if let Some(field) = args.sort {
        rows.sort_by_cached_key(|line| {
            let row = line.row(ctx);
            field.value(row, ctx)
        });
    }
    if args.reverse {
        rows.reverse();
    }
    let table = args.format == Format::Table;
    // Cells a kind lacks are empty in tables when both kinds may show.
    let mixed = args.filter.kind() != Kind::Sysv;
    let values = rows.into_iter().map(|line| {
        let row = line.row(ctx);
        fields
            .iter()
            .map(|f| {
                let value = if mixed {
                    super::posix::cell(*f, row, table, ctx)
                } else {
                    f.value(row, ctx)
                };
                container_cell(*f, value, row, &fields, table, ctx)
            })
            .collect::<Vec<Value>>()
    });
    let style = Style { human: args.human };
    Ok(render::write_rows(
        out,
        args.format,
        &fields,
        values,
        style,
    )?)
}

/// A cell as shown: tables show 12 characters of a container id, as docker
/// ps does; a container in a user's delegated cgroup subtree is marked
/// `(uid N)` where no container_uid column says whose it is, so it never
/// reads as a root-run one.
pub(super) fn container_cell(
    field: Field,
    value: Value,
    row: Row<'_>,
    fields: &[Field],
    table: bool,
    ctx: &mut Resolver,
) -> Value {
    let (Field::Container, Value::Text(id)) = (field, &value) else {
        return value;
    };
    let shown = match id.get(..12) {
        Some(short) if table => short,
        _ => id,
    };
    match Field::ContainerUid.value(row, ctx) {
        Value::UInt(uid) if !fields.contains(&Field::ContainerUid) => {
            Value::Text(Rc::from(format!("{shown} (uid {uid})")))
        }
        _ => Value::Text(Rc::from(shown)),
    }
}

/// The labels of a namespace's container under -A: `container`, and
/// `container_uid` for one in a user's delegated cgroup subtree.
fn container_labels(cgroup: Option<&Cgroup>) -> Vec<(&'static str, String)> {
    let container = cgroup.and_then(|c| c.container.as_ref());
    let mut labels = vec![(
        "container",
        container.map_or_else(String::new, |c| c.id.clone()),
    )];
    if let Some(uid) = container.and_then(|c| c.uid) {
        labels.push(("container_uid", uid.to_string()));
    }
    labels
}

/// The label a number of the field takes in a metric, when it has one.
fn number(value: &Value) -> Option<i128> {
    match value {
        Value::Int(n) => Some((*n).into()),
        Value::UInt(n) | Value::Bytes(n) => Some((*n).into()),
        Value::Time(Some(t)) => Some((*t).into()),
        _ => None,
    }
}

/// Every metric family, from the selected segments of each namespace.
fn metrics(read: &Read, all_namespaces: bool, ctx: &mut Resolver) -> Vec<Family> {
    let mut per_segment: Vec<Family> = METRICS
        .iter()
        .map(|m| Family::new(m.name, m.help))
        .collect();
    let mut orphaned = Family::new(
        "shmtool_segment_orphaned",
        "1 when the segment is unattached and its creator and last user are proven gone; for a POSIX object, when no process maps it or holds it open (known, not guessed).",
    );
    let mut ns_segments = Family::new(
        "shmtool_namespace_segments",
        "Shared memory segments selected in the IPC namespace.",
    );
    let mut ns_bytes = Family::new(
        "shmtool_namespace_bytes",
        "Bytes of the segments selected in the IPC namespace.",
    );
    let mut ns_orphaned = Family::new(
        "shmtool_namespace_orphaned_segments",
        "Orphaned segments among those selected in the IPC namespace.",
    );
    let mut ns_shmmni = Family::new(
        "shmtool_namespace_segments_limit",
        "Most segments the IPC namespace allows (kernel.shmmni).",
    );
    let mut ns_shmall = Family::new(
        "shmtool_namespace_pages_limit",
        "Most shared memory pages the IPC namespace allows (kernel.shmall).",
    );
    for group in &read.groups {
        let ns_labels: Vec<(&'static str, String)> = if all_namespaces {
            let mut labels = vec![("ns", group.tag.inode.to_string())];
            labels.extend(container_labels(group.tag.cgroup.as_deref()));
            labels
        } else {
            Vec::new()
        };
        ctx.namespace = Some(group.tag.clone());
        let mut orphans = 0;
        for seg in &group.segments {
            let mut labels: Vec<(&'static str, String)> = vec![
                ("kind", "sysv".into()),
                ("id", seg.shmid.to_string()),
                ("key", seg.key.to_string()),
                ("owner", ctx.names.name_or_uid(seg.uid).to_string()),
            ];
            labels.extend(ns_labels.iter().cloned());
            for (metric, family) in METRICS.iter().zip(per_segment.iter_mut()) {
                if let Some(value) = number(&metric.field.value(seg, ctx)) {
                    family.samples.push(Sample {
                        labels: labels.clone(),
                        value,
                    });
                }
            }
            let is_orphan = ctx.procs.orphan(seg) == Orphan::Yes;
            orphans += i128::from(is_orphan);
            orphaned.samples.push(Sample {
                labels,
                value: is_orphan.into(),
            });
        }
        let sample = |value: i128| Sample {
            labels: ns_labels.clone(),
            value,
        };
        ns_segments
            .samples
            .push(sample(group.segments.len() as i128));
        ns_bytes.samples.push(sample(
            group.segments.iter().map(|s| i128::from(s.size)).sum(),
        ));
        ns_orphaned.samples.push(sample(orphans));
        if let Some(limits) = group.limits {
            ns_shmmni.samples.push(sample(limits.shmmni.into()));
            ns_shmall.samples.push(sample(limits.shmall.into()));
        }
    }
    ctx.procs.take_declined();
    let mut devshm_objects = Family::new(
        "shmtool_devshm_objects",
        "POSIX shared memory objects selected in the /dev/shm.",
    );
    let mut devshm_orphaned = Family::new(
        "shmtool_devshm_orphaned_objects",
        "POSIX objects among those selected in the /dev/shm that no process maps or holds open.",
    );
    let mut devshm_unowned = Family::new(
        "shmtool_devshm_unowned_objects",
        "Files in a /dev/shm that a user namespace set up, owned by uids it does not map: not the container's, so never named or acted on.",
    );
    let mut skipped = Family::new(
        "shmtool_devshm_skipped",
        "Mount namespaces whose /dev/shm was left alone: not the root of a tmpfs of its own, or reached only through a symlink.",
    );
    if all_namespaces {
        skipped.samples.push(Sample {
            labels: Vec::new(),
            value: read.rejected.len() as i128,
        });
    }
    for group in &read.posix {
        let devshm_labels = group.tag.as_deref().map_or_else(Vec::new, devshm_labels);
        let mut orphans = 0;
        for obj in &group.objects {
            let mut labels: Vec<(&'static str, String)> = vec![
                ("kind", "posix".into()),
                // Label values are UTF-8; the inode tells apart names this blurs.
                ("id", obj.name.shown()),
                ("inode", obj.stat.ino.to_string()),
                ("owner", ctx.names.name_or_uid(obj.stat.uid).to_string()),
            ];
            labels.extend(devshm_labels.iter().cloned());
            for (metric, family) in METRICS.iter().zip(per_segment.iter_mut()) {
                let field = match metric.field {
                    Field::Rss => Field::Allocated,
                    f => f,
                };
                if let Some(value) = number(&field.value(obj, ctx)) {
                    family.samples.push(Sample {
                        labels: labels.clone(),
                        value,
                    });
                }
            }
            // Unknown use (processes hidden) is not unused.
            let is_orphan = obj.nattch == Some(0) && !obj.dest;
            orphans += i128::from(is_orphan);
            orphaned.samples.push(Sample {
                labels,
                value: is_orphan.into(),
            });
        }
        devshm_objects.samples.push(Sample {
            labels: devshm_labels.clone(),
            value: group.objects.len() as i128,
        });
        devshm_orphaned.samples.push(Sample {
            labels: devshm_labels.clone(),
            value: orphans,
        });
        devshm_unowned.samples.push(Sample {
            labels: devshm_labels,
            value: group.unowned as i128,
        });
    }
    let mut uninspected = Family::new(
        "shmtool_uninspected_processes",
        "Processes this run could not inspect (maps, descriptors or namespaces unreadable, even to root where a security module hides them): shared memory they use is not seen, and POSIX objects nothing inspected uses have nattch unknown.",
    );
    uninspected.samples.push(Sample {
        labels: Vec::new(),
        value: (read.blind.len() + read.unentered) as i128,
    });
    let (devshm_size, devshm_used) = devshm_families(read, all_namespaces);
    per_segment.push(orphaned);
    per_segment.extend([
        ns_segments,
        ns_bytes,
        ns_orphaned,
        ns_shmmni,
        ns_shmall,
        devshm_size,
        devshm_used,
        devshm_objects,
        devshm_orphaned,
        devshm_unowned,
        skipped,
        uninspected,
    ]);
    per_segment
}

/// The labels of a `/dev/shm` under -A.
fn devshm_labels(d: &DevShmTag) -> Vec<(&'static str, String)> {
    let mut labels = vec![
        ("mntns", d.mntns.to_string()),
        ("devshm", format!("{}:{}", d.major, d.minor)),
    ];
    labels.extend(container_labels(d.cgroup.as_deref()));
    labels
}

/// `/dev/shm` size and use: each one under -A, else the caller's.
fn devshm_families(read: &Read, all_namespaces: bool) -> (Family, Family) {
    let mut size = Family::new(
        "shmtool_devshm_size_bytes",
        "Size of the /dev/shm file system in bytes.",
    );
    let mut used = Family::new(
        "shmtool_devshm_used_bytes",
        "Bytes used in the /dev/shm file system.",
    );
    let mut push = |labels: Vec<(&'static str, String)>, usage: shmtool::sysv::FsUsage| {
        size.samples.push(Sample {
            labels: labels.clone(),
            value: usage.size.into(),
        });
        used.samples.push(Sample {
            labels,
            value: usage.used.into(),
        });
    };
    if all_namespaces {
        for d in &read.devshms {
            if let Ok(usage) = d.usage() {
                push(devshm_labels(&devshm_tag(d)), usage);
            }
        }
    } else if let Ok(dir) = super::posix::open_dir()
        && let Ok(usage) = dir.usage()
    {
        push(Vec::new(), usage);
    }
    (size, used)
}

/// Writes `bytes` to `path` atomically: into a new file beside it (created
/// O_EXCL, so never through a planted symlink; not named `*.prom`, so a
/// textfile collector never reads it half written), mode 0644, then
/// renamed over `path` (rename replaces a symlink, never what it points to).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let shown = path.display();
    let name = path
        .file_name()
        .with_context(|| format!("{shown} names no file"))?
        .to_string_lossy()
        .into_owned();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut attempt = 0;
    let (mut file, temp) = loop {
        let temp = dir.join(format!(".{name}.{}-{attempt}.tmp", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&temp)
        {
            Ok(file) => break (file, temp),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
            Err(e)
                if e.kind() == io::ErrorKind::PermissionDenied
                    && uzers::get_effective_uid() == 0
                    // CAP_DAC_OVERRIDE is capability 1.
                    && !shmtool::process::has_capability(1) =>
            {
                // Root refused: it runs without CAP_DAC_OVERRIDE (as the
                // metrics unit does), so only a root-owned directory will do.
                return Err(anyhow::anyhow!(
                    "cannot create a file in {}: permission denied; hint: the directory must be root's (mode 0755), since shmtool runs without CAP_DAC_OVERRIDE here",
                    dir.display()
                ));
            }
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("cannot create a file in {}", dir.display())));
            }
        }
    };
    let written = (|| -> io::Result<()> {
        // The umask may have taken bits away: the collector must read it.
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(anyhow::Error::new(e).context(format!("cannot write {shown}")));
    }
    Ok(())
}

/// What `remove -A` found, or did, in every `/dev/shm`.
#[derive(Default)]
pub(super) struct PosixRemoval {
    /// A dry run: the objects it would remove, with their `/dev/shm`.
    pub(super) shown: Vec<(Rc<DevShmTag>, Object)>,
    /// A dry run: selected objects owned by others (permission denied).
    pub(super) skipped: usize,
    pub(super) records: Vec<(Rc<DevShmTag>, Record)>,
    /// `/dev/shm` directories looked in.
    pub(super) examined: usize,
    /// Who uses the objects: the scan, and the processes it could not inspect.
    pub(super) users: Users,
}

/// `remove -A --kind posix|all`: the objects the filters select in every
/// distinct `/dev/shm`, each re-checked just before it is unlinked (same
/// device and inode, still matching, still unused by a fresh scan of /proc).
pub(super) fn remove_posix(args: &RemoveArgs, devshms: &[DevShm]) -> anyhow::Result<PosixRemoval> {
    let mut removal = PosixRemoval::default();
    let (dirs, tags) = open_devshms("remove", devshms);
    removal.examined = dirs.len();
    let selected;
    (selected, removal.users) = read_devshms(&dirs, &args.filter);
    let mut batch = Vec::new();
    for ((dir, tag), objects) in dirs.into_iter().zip(tags).zip(selected) {
        let listing = objects?;
        if args.verbose {
            super::posix::say_unowned("remove", &dir, listing.unowned);
        }
        // Already unlinked (dest): nothing left to remove.
        let objects = listing.objects.into_iter().filter(|o| !o.dest);
        if args.dry_run {
            for obj in objects {
                if super::posix::may_remove(&obj) {
                    removal.shown.push((tag.clone(), obj));
                } else {
                    removal.skipped += 1;
                }
            }
            continue;
        }
        let selection = super::posix::Selection {
            dir,
            objects: objects.map(Ok).collect(),
            users: Users::default(),
        };
        batch.push((tag, selection));
    }
    // One fresh look at use for every /dev/shm, right before the unlinks.
    let selected = batch
        .iter()
        .flat_map(|(_, sel)| sel.objects.iter().flatten());
    let fresh = super::posix::fresh_users(args, selected);
    for (tag, selection) in &batch {
        for record in super::posix::remove(args, selection, true, fresh.as_ref()) {
            removal.records.push((tag.clone(), record));
        }
    }
    Ok(removal)
}
