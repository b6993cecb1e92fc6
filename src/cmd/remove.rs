use std::process::ExitCode;

use shmtool::ops::{self, Removal, Target};
use shmtool::table;
use shmtool::users::Names;
use shmtool::{Error, Segment};

use crate::cli::RemoveArgs;

/// Finds each named target in the table; a missing one is an error.
fn named_targets(args: &RemoveArgs, segments: &[Segment]) -> Vec<(Target, Result<Segment, Error>)> {
    let ids = args.ids.iter().chain(&args.id).map(|&id| Target::Id(id));
    let keys = args.key.iter().map(|&key| Target::Key(key));
    ids.chain(keys)
        .map(|target| {
            let found = match target {
                Target::Id(id) => segments
                    .iter()
                    .find(|s| s.shmid == id)
                    .ok_or(Error::NoSuchId(id)),
                Target::Key(key) => segments
                    .iter()
                    .find(|s| s.key == key && !s.status().dest)
                    .ok_or(Error::NoSuchKey(key)),
            };
            (target, found.cloned())
        })
        .collect()
}

pub fn run(args: &RemoveArgs) -> anyhow::Result<ExitCode> {
    let (segments, _) = table::read_segments()?;
    let targets: Vec<(Target, Result<Segment, Error>)> = if args.all {
        segments
            .iter()
            .map(|s| (Target::Id(s.shmid), Ok(s.clone())))
            .collect()
    } else {
        named_targets(args, &segments)
    };
    let mut names = Names::new();
    let mut failed = 0usize;
    for (_, found) in targets {
        let result = found.and_then(|seg| ops::remove(&seg, &mut names).map(|r| (seg, r)));
        match result {
            Ok((_, Removal::Removed)) => {}
            Ok((seg, Removal::Marked { nattch })) => eprintln!(
                "shmtool: remove: id {} marked for destruction; still attached by {nattch} process{}",
                seg.shmid,
                if nattch == 1 { "" } else { "es" }
            ),
            Err(err) => {
                failed += 1;
                crate::exit::print_error("remove", &err.into());
            }
        }
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
