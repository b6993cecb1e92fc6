use std::io::Write;
use std::process::ExitCode;

use shmtool::ops::{self, CreateRequest};
use shmtool::users::Names;

use crate::cli::CreateArgs;

pub fn run(args: &CreateArgs) -> anyhow::Result<ExitCode> {
    let req = CreateRequest {
        key: args.key.and_then(|k| k.0),
        size: args.size,
        mode: args.mode,
        reuse: args.reuse,
    };
    let created = ops::create(req, &mut Names::new())?;
    writeln!(std::io::stdout(), "{}", created.shmid())?;
    Ok(ExitCode::SUCCESS)
}
