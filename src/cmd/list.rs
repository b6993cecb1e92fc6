use std::io::{self, Write};
use std::process::ExitCode;

use shmtool::field::DEFAULT_COLUMNS;
use shmtool::table;
use shmtool::users::Names;

use crate::cli::ListArgs;
use crate::render;

pub fn run(_args: &ListArgs) -> anyhow::Result<ExitCode> {
    let (segments, _) = table::read_segments()?;
    let mut names = Names::new();
    let rows: Vec<_> = segments
        .iter()
        .map(|seg| {
            DEFAULT_COLUMNS
                .iter()
                .map(|f| f.value(seg, &mut names))
                .collect()
        })
        .collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    render::table::write(&mut out, DEFAULT_COLUMNS, &rows)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
