use std::io::{self, Write};
use std::process::ExitCode;

use shmtool::Segment;
use shmtool::field::Row;
use shmtool::field::{Field, Resolver};
use shmtool::filter::SegmentFilter;
use shmtool::procfs_shm::{self, Source};

use crate::cli::{Format, Kind, ListArgs};
use crate::exit::UsageError;
use crate::render::{self, Style, ipcs::View};

/// Reads the segment table, saying so on stderr with `verbose` when the
/// shmctl fallback had to stand in for /proc.
/// Without `usage` (no rss or swap shown or sorted by), from the cheaper
/// shmctl walk.
pub fn read_segments(command: &str, verbose: bool, usage: bool) -> anyhow::Result<Vec<Segment>> {
    let (segments, source) = if usage {
        procfs_shm::read_segments()?
    } else {
        procfs_shm::read_segments_without_usage()?
    };
    if verbose && let Source::Shmctl(why) = &source {
        warn!(
            "shmtool: {command}: {} unreadable ({why}); listing with shmctl(IPC_INFO, SHM_STAT_ANY)",
            procfs_shm::PROC_SHM
        );
    }
    Ok(segments)
}

fn ipcs_view(args: &ListArgs) -> Result<View, UsageError> {
    if !args.columns.is_empty() {
        return Err(UsageError(
            "--columns does not apply to --format ipcs".into(),
        ));
    }
    match (args.time, args.pids, args.creator) {
        (false, false, false) => Ok(View::Segments),
        (true, false, false) => Ok(View::Times),
        (false, true, false) => Ok(View::Pids),
        (false, false, true) => Ok(View::Creators),
        _ => Err(UsageError(
            "--format ipcs shows one view: choose one of --time, --pids and --creator".into(),
        )),
    }
}

pub fn run(args: &ListArgs) -> anyhow::Result<ExitCode> {
    super::fleet::check_columns(args)?;
    if super::fleet::handles(args) {
        return super::fleet::list(args);
    }
    // Validate the whole command line before reading anything.
    let view = if args.format == Format::Ipcs {
        Some(ipcs_view(args)?)
    } else {
        None
    };
    let kind = args.filter.kind();
    if kind != crate::cli::Kind::Sysv {
        return posix(args, kind);
    }
    let mut ctx = Resolver::new();
    let filter = SegmentFilter {
        key: args.key,
        id: args.id,
        ..args.filter.to_filter()
    };
    let usage = view.is_none()
        && super::columns::sysv(args)
            .iter()
            .chain(args.sort.as_ref())
            .any(|f| matches!(f, Field::Rss | Field::Swap));
    let table = read_segments("list", args.verbose, usage)?;
    let mut segments = filter.select(table, &mut ctx.procs);
    if args.verbose {
        for (shmid, why) in ctx.procs.take_declined() {
            warn!("shmtool: list: id {shmid} not taken as orphaned: {why}");
        }
    }
    if let Some(field) = args.sort {
        segments.sort_by_cached_key(|s| field.value(s, &mut ctx));
    }
    if args.reverse {
        segments.reverse();
    }
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    if let Some(view) = view {
        render::ipcs::write(&mut out, &segments, &mut ctx.names, view, args.human)?;
    } else {
        let fields = super::columns::sysv(args);
        // Rows are made as they are written, never all held at once.
        let rows = segments
            .iter()
            .map(|seg| fields.iter().map(|f| f.value(seg, &mut ctx)).collect());
        // ipcs was written above; Prometheus is routed to cmd::fleet.
        let style = Style { human: args.human };
        render::write_rows(&mut out, args.format, &fields, rows, style)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `list --kind posix|all`.
fn posix(args: &ListArgs, kind: Kind) -> anyhow::Result<ExitCode> {
    if args.format == Format::Ipcs {
        return Err(UsageError(
            "--format ipcs shows System V segments only; use table, json, csv, raw or markdown with --kind posix or all".into(),
        )
        .into());
    }
    let mut ctx = Resolver::new();
    let dir = super::posix::open_dir()?;
    // --key and --id name System V segments only.
    let (mut objects, users) = super::posix::select("list", &dir, &args.filter, args.verbose)?;
    if args.key.is_some() || args.id.is_some() {
        objects.clear();
    }
    if args.verbose {
        super::posix::say_hidden("list", &users, &args.filter);
    }
    let segments = if kind == Kind::All {
        let filter = shmtool::filter::SegmentFilter {
            key: args.key,
            id: args.id,
            ..args.filter.to_filter()
        };
        // Both kinds in one table may show rss and swap: the /proc source.
        let segs = read_segments("list", args.verbose, true)?;
        if args.filter.glob.is_some() {
            Vec::new()
        } else {
            filter.select(segs, &mut ctx.procs)
        }
    } else {
        Vec::new()
    };
    let mut rows: Vec<Row<'_>> = segments
        .iter()
        .map(Row::Sysv)
        .chain(objects.iter().map(Row::Posix))
        .collect();
    if let Some(field) = args.sort {
        rows.sort_by_cached_key(|r| field.value(*r, &mut ctx));
    }
    if args.reverse {
        rows.reverse();
    }
    let fields = super::columns::of_kind(args, kind);
    let table = matches!(args.format, Format::Table | Format::Markdown);
    let values = rows.iter().map(|r| {
        fields
            .iter()
            .map(|f| super::posix::cell(*f, *r, table, &mut ctx))
            .collect()
    });
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    // ipcs and Prometheus are refused or routed before anything is read (cmd::list).
    let style = Style { human: args.human };
    render::write_rows(&mut out, args.format, &fields, values, style)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
