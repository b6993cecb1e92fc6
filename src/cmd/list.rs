use std::io::{self, Write};
use std::process::ExitCode;

use shmtool::Segment;
use shmtool::field::{DEFAULT_COLUMNS, Field, Resolver};
use shmtool::filter::SegmentFilter;
use shmtool::procfs_shm::{self, Source};

use crate::cli::{Format, ListArgs};
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

pub(crate) fn columns(args: &ListArgs) -> Vec<Field> {
    if !args.columns.is_empty() {
        return args.columns.clone();
    }
    if args.format == Format::Json {
        // Rows carry their kind whenever --kind is given.
        let kind = args.filter.kind.map(|_| Field::Kind);
        return kind
            .into_iter()
            .chain(shmtool::field::SYSV.iter().copied())
            .collect();
    }
    let mut fields = DEFAULT_COLUMNS.to_vec();
    if args.time {
        fields.extend([Field::Atime, Field::Dtime, Field::Ctime]);
    }
    if args.pids {
        fields.extend([Field::Cpid, Field::Lpid]);
    }
    if args.creator {
        fields.extend([Field::Creator, Field::Cgid]);
    }
    fields
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
        return crate::cmd::posix::list(args, kind);
    }
    let mut ctx = Resolver::new();
    let filter = SegmentFilter {
        key: args.key,
        id: args.id,
        ..args.filter.to_filter()
    };
    let usage = view.is_none()
        && columns(args)
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
        let fields = columns(args);
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
