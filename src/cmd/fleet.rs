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
use shmtool::field::{Field, METRICS, NamespaceTag, Resolver, Value};
use shmtool::filter::SegmentFilter;
use shmtool::namespace::{self, DevShm, IpcNamespace};
use shmtool::process::Orphan;
use shmtool::sysv::Limits;

use crate::cli::{Format, ListArgs};
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
        && let Some(f) = asked.into_iter().find(|f| Field::NAMESPACE.contains(f))
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

/// What was read: each namespace's selected segments, and how many
/// processes' namespaces could not be read.
struct Read {
    groups: Vec<Group>,
    devshms: Vec<DevShm>,
    uninspected: usize,
}

fn read(args: &ListArgs, ctx: &mut Resolver) -> anyhow::Result<Read> {
    let filter = SegmentFilter {
        key: args.key,
        id: args.id,
        ..args.filter.to_filter()
    };
    let (namespaces, devshms, mut uninspected) = if args.all_namespaces {
        let found = namespace::discover()?;
        (found.namespaces, found.devshms, found.uninspected)
    } else {
        (vec![IpcNamespace::own()?], Vec::new(), 0)
    };
    let mut groups = Vec::with_capacity(namespaces.len());
    for ns in &namespaces {
        let table = match ns.read() {
            Ok(table) => table,
            // Without root, other namespaces cannot be entered: counted, not fatal.
            Err(e) if args.all_namespaces && !ns.own => {
                uninspected += ns.processes;
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
                container: ns.container.as_deref().map(Rc::from),
            }),
            segments,
            limits: table.limits,
        });
    }
    Ok(Read {
        groups,
        devshms,
        uninspected,
    })
}

/// The columns: list's, with the namespace fields first under -A in
/// human and delimited formats (JSON has every field, the namespace ones last).
fn columns(args: &ListArgs) -> Vec<Field> {
    if !args.columns.is_empty() {
        return args.columns.clone();
    }
    let mut fields = super::list::columns(args);
    if args.format == Format::Json && args.all_namespaces {
        fields = Field::ALL.to_vec();
    } else if args.all_namespaces {
        fields = Field::NAMESPACE.iter().copied().chain(fields).collect();
    }
    fields
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
        write_rows(&mut text, args, &read.groups, &mut ctx)?;
    }
    match &args.output_atomic {
        Some(path) => write_atomic(path, &text)?,
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&text)?;
            out.flush()?;
        }
    }
    if read.uninspected > 0 {
        warn!(
            "shmtool: list: {} process{} could not be inspected (their IPC namespaces are not listed); run as root to see every namespace",
            read.uninspected,
            if read.uninspected == 1 { "" } else { "es" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn write_rows(
    out: &mut Vec<u8>,
    args: &ListArgs,
    groups: &[Group],
    ctx: &mut Resolver,
) -> anyhow::Result<()> {
    let fields = columns(args);
    let mut rows: Vec<(&Group, &Segment)> = groups
        .iter()
        .flat_map(|g| g.segments.iter().map(move |s| (g, s)))
        .collect();
    if let Some(field) = args.sort {
        let mut keyed: Vec<(Value, (&Group, &Segment))> = rows
            .into_iter()
            .map(|(g, s)| {
                ctx.namespace = Some(g.tag.clone());
                (field.value(s, ctx), (g, s))
            })
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        rows = keyed.into_iter().map(|(_, r)| r).collect();
    }
    if args.reverse {
        rows.reverse();
    }
    let table = args.format == Format::Table;
    let values = rows.into_iter().map(|(g, s)| {
        ctx.namespace = Some(g.tag.clone());
        fields
            .iter()
            .map(|f| match (f, f.value(s, ctx)) {
                // Tables show 12 characters of a container id, as docker ps does.
                (Field::Container, Value::Text(id)) if table && id.len() > 12 => {
                    Value::Text(Rc::from(id.get(..12).unwrap_or(&id)))
                }
                (_, v) => v,
            })
            .collect::<Vec<Value>>()
    });
    match args.format {
        Format::Table => render::table::write(out, &fields, values, Style { human: args.human })?,
        Format::Json => render::json::write_rows(out, &fields, values)?,
        Format::Csv => render::delimited::write_csv(out, &fields, values)?,
        Format::Raw => render::delimited::write_raw(out, values)?,
        Format::Ipcs | Format::Prometheus => {}
    }
    Ok(())
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
        "1 when the segment is unattached and its creator and last user are proven gone.",
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
            vec![
                ("ns", group.tag.inode.to_string()),
                (
                    "container",
                    group.tag.container.as_deref().unwrap_or("").to_owned(),
                ),
            ]
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
    ]);
    per_segment
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
                push(
                    vec![
                        ("mntns", d.mntns.to_string()),
                        ("devshm", format!("{}:{}", d.major, d.minor)),
                        ("container", d.container.clone().unwrap_or_default()),
                    ],
                    usage,
                );
            }
        }
    } else if let Ok(dir) = std::fs::File::open("/dev/shm")
        && let Ok(usage) = shmtool::sysv::fs_usage(&dir)
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
