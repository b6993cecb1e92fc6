use std::io::{self, Write};
use std::process::ExitCode;

use shmtool::sysv;

use crate::cli::LimitsArgs;
use crate::render;
use crate::render::json::{self, Json};
use crate::render::terminal::Fit;

/// The union of `ipcs -m -l`, `ipcs -m -u` and `lsipc -g`'s shared memory rows.
#[derive(Debug)]
struct Report {
    page_size: u64,
    /// Largest segment, bytes.
    shmmax: u64,
    /// Smallest segment, bytes.
    shmmin: u64,
    /// Most segments.
    shmmni: u64,
    /// Most attaches per process.
    shmseg: u64,
    /// Most shared memory, pages, and the same in bytes (wider than 64 bits at the default).
    shmall_pages: u64,
    shmall_bytes: u128,
    used_segments: u64,
    used_pages: u64,
    used_bytes: u128,
    resident_pages: u64,
    swapped_pages: u64,
    segments_percent: f64,
    pages_percent: f64,
    /// The /dev/shm of this (or --ns PID's) mount namespace, where POSIX
    /// objects live; null when it cannot be opened.
    dev_shm: Option<DevShm>,
}

/// A /dev/shm file system's size and use (statfs).
#[derive(Debug)]
struct DevShm {
    path: String,
    bytes: u64,
    used_bytes: u64,
    available_bytes: u64,
    used_percent: f64,
}

impl Report {
    /// The report as `--json` gives it: the fields in their order.
    fn json(&self) -> Json<'_> {
        Json::Object(vec![
            ("page_size", self.page_size.into()),
            ("shmmax", self.shmmax.into()),
            ("shmmin", self.shmmin.into()),
            ("shmmni", self.shmmni.into()),
            ("shmseg", self.shmseg.into()),
            ("shmall_pages", self.shmall_pages.into()),
            ("shmall_bytes", self.shmall_bytes.into()),
            ("used_segments", self.used_segments.into()),
            ("used_pages", self.used_pages.into()),
            ("used_bytes", self.used_bytes.into()),
            ("resident_pages", self.resident_pages.into()),
            ("swapped_pages", self.swapped_pages.into()),
            ("segments_percent", self.segments_percent.into()),
            ("pages_percent", self.pages_percent.into()),
            ("dev_shm", self.dev_shm.as_ref().map(DevShm::json).into()),
        ])
    }
}

impl DevShm {
    fn json(&self) -> Json<'_> {
        Json::Object(vec![
            ("path", self.path.as_str().into()),
            ("bytes", self.bytes.into()),
            ("used_bytes", self.used_bytes.into()),
            ("available_bytes", self.available_bytes.into()),
            ("used_percent", self.used_percent.into()),
        ])
    }
}

fn dev_shm() -> Option<DevShm> {
    let dir = crate::cmd::posix::open_dir().ok()?;
    let usage = dir.usage().ok()?;
    Some(DevShm {
        path: dir.path.display().to_string(),
        bytes: usage.size,
        used_bytes: usage.used,
        available_bytes: usage.available,
        used_percent: percent(usage.used.into(), usage.size.into()),
    })
}

fn percent(used: u128, limit: u128) -> f64 {
    if limit == 0 {
        0.0
    } else {
        (used as f64 / limit as f64 * 10000.0).round() / 100.0
    }
}

pub fn run(args: &LimitsArgs) -> anyhow::Result<ExitCode> {
    let limits = sysv::limits().map_err(|e| shmtool::Error::io("shmctl(IPC_INFO)", e))?;
    let usage = sysv::usage().map_err(|e| shmtool::Error::io("shmctl(SHM_INFO)", e))?;
    let page_size = shmtool::sysv::page_size();
    let r = Report {
        page_size,
        shmmax: limits.shmmax,
        shmmin: limits.shmmin,
        shmmni: limits.shmmni,
        shmseg: limits.shmseg,
        shmall_pages: limits.shmall,
        shmall_bytes: u128::from(limits.shmall) * u128::from(page_size),
        used_segments: usage.segments,
        used_pages: usage.pages,
        used_bytes: u128::from(usage.pages) * u128::from(page_size),
        resident_pages: usage.resident_pages,
        swapped_pages: usage.swapped_pages,
        segments_percent: percent(usage.segments.into(), limits.shmmni.into()),
        pages_percent: percent(usage.pages.into(), limits.shmall.into()),
        dev_shm: dev_shm(),
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        json::write_document(&mut out, &r.json())?;
    } else {
        let human = |n: u128| u64::try_from(n).map_or_else(|_| "> 16E".into(), render::human_size);
        // A limit, and its use where the kernel counts one.
        let row = |name: &str, what: &str, limit: String, used: Option<(String, f64)>| {
            let (used, pct) =
                used.map_or(("-".into(), "-".into()), |(u, p)| (u, format!("{p:.2}%")));
            vec![name.to_owned(), what.to_owned(), limit, used, pct]
        };
        let rows = vec![
            row(
                "shmmni",
                "segments",
                r.shmmni.to_string(),
                Some((r.used_segments.to_string(), r.segments_percent)),
            ),
            row(
                "shmall",
                "pages of shared memory",
                r.shmall_pages.to_string(),
                Some((r.used_pages.to_string(), r.pages_percent)),
            ),
            row(
                "",
                "bytes of shared memory",
                r.shmall_bytes.to_string(),
                Some((r.used_bytes.to_string(), r.pages_percent)),
            ),
            row(
                "shmmax",
                "bytes in one segment, at most",
                r.shmmax.to_string(),
                None,
            ),
            row(
                "shmmin",
                "bytes in one segment, at least",
                r.shmmin.to_string(),
                None,
            ),
            row("shmseg", "attaches per process", r.shmseg.to_string(), None),
        ];
        render::write_cells(
            &mut out,
            &["limit", "of", "value", "used", "use%"],
            &[false, false, true, true, true],
            &[Fit::Whole, Fit::Wrap, Fit::Whole, Fit::Whole, Fit::Whole],
            rows.into_iter(),
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "pages resident {}, swapped {}; page size {} bytes",
            r.resident_pages, r.swapped_pages, r.page_size
        )?;
        writeln!(
            out,
            "shmmax {} and shmall {}, in human units",
            human(r.shmmax.into()),
            human(r.shmall_bytes)
        )?;
        if let Some(shm) = &r.dev_shm {
            writeln!(
                out,
                "{}: {} bytes ({}), {} used ({:.2}%), {} available",
                shmtool::escape::escaped(&shm.path),
                shm.bytes,
                human(shm.bytes.into()),
                shm.used_bytes,
                shm.used_percent,
                shm.available_bytes
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
