use std::io::{self, Write};
use std::process::ExitCode;

use shmtool::escape::escaped;
use shmtool::field::{Field, Resolver, Value};
use shmtool::ops;
use shmtool::process::{self, Attacher, Attachers};
use shmtool::segment::{SHM_DEST, SHM_LOCKED};

use crate::cli::InfoArgs;
use crate::render::json::Json;
use crate::render::terminal::Fit;
use crate::render::{self, Style};

/// `rwxr-x---` for permission bits.
fn symbolic(perms: u32) -> String {
    (0..9)
        .map(|i| {
            let bit = 1 << (8 - i);
            if perms & bit == 0 {
                '-'
            } else {
                ['r', 'w', 'x'][i % 3]
            }
        })
        .collect()
}

/// The mode with its flags: `03640 (rw-r-----, dest, locked)`.
fn mode_text(mode: u32) -> String {
    let mut parts = vec![symbolic(mode & 0o777)];
    if mode & SHM_DEST != 0 {
        parts.push("dest (SHM_DEST)".into());
    }
    if mode & SHM_LOCKED != 0 {
        parts.push("locked (SHM_LOCKED)".into());
    }
    format!("{:04o} ({})", mode & 0o7777, parts.join(", "))
}

/// A field's value, as the info page prints it.
fn detail(field: Field, value: &Value, ctx: &mut Resolver, seg: &shmtool::Segment) -> String {
    match (field, value) {
        (_, Value::Time(Some(t))) => format!("{} ({t})", render::full_time(*t)),
        (_, Value::Time(None)) => "never".into(),
        (Field::Owner, Value::Text(name)) => format!("{} (uid {})", escaped(name), seg.uid),
        (Field::Group, Value::Text(name)) => format!("{} (gid {})", escaped(name), seg.gid),
        (Field::Creator, Value::Text(name)) => format!("{} (uid {})", escaped(name), seg.cuid),
        (Field::Cgid, _) => format!(
            "{} ({})",
            seg.cgid,
            escaped(&ctx.names.name_or_gid(seg.cgid))
        ),
        (Field::Perms, Value::Perms(p)) => format!("{p:04o} ({})", symbolic(*p)),
        (Field::Status, Value::Status(s)) if s.names().is_empty() => "-".into(),
        (Field::Cpid, Value::Int(0)) => "0 (not visible in this pid namespace)".into(),
        (Field::Lpid, Value::Int(0)) => "0 (never attached, or not visible here)".into(),
        (Field::Command, Value::Null) => "- (the creator is not running)".into(),
        (Field::Rss | Field::Swap, Value::Null) => "- (not reported by this kernel)".into(),
        (_, v) => render::text(v, Style::default()),
    }
}

fn attacher_json<'a>(a: &'a Attacher, ctx: &mut Resolver) -> Json<'a> {
    let p = &a.process;
    let addresses: Vec<String> = a
        .ranges
        .iter()
        .map(|(start, _)| format!("{start:#x}"))
        .collect();
    Json::Object(vec![
        ("pid", p.pid.into()),
        ("uid", p.uid.into()),
        ("user", ctx.names.name_or_uid(p.uid).to_string().into()),
        ("command", Json::Command(&p.command)),
        ("addresses", addresses.into()),
    ])
}

/// What the attaches seen leave out: nattch counts every mapping (each
/// shmat, fork or split adds one), and processes this user cannot read or
/// see hold some. `None` when every attach is accounted for.
fn unaccounted_text(nattch: u64, attached: &Attachers) -> Option<String> {
    let missing = nattch.checked_sub(attached.mappings()).filter(|&n| n > 0)?;
    let unreadable: Vec<_> = attached.unreadable.iter().collect();
    let why = match unreadable.len() {
        0 => "held by processes not visible here (another pid namespace, /proc mounted with hidepid) or that left this IPC namespace, or detached meanwhile".to_owned(),
        n => format!(
            "{} could not be read ({})",
            super::blind::processes(n),
            super::blind::remedy(&unreadable)
                .unwrap_or_else(|| super::blind::no_remedy(&unreadable))
        ),
    };
    Some(format!(
        "{missing} of {nattch} attach{} (nattch) not accounted for: {why}",
        if nattch == 1 { "" } else { "es" }
    ))
}

/// Where a process maps the segment: `START-END`, comma-separated.
fn mapped_at(a: &Attacher) -> String {
    let ranges: Vec<String> = a
        .ranges
        .iter()
        .map(|(s, e)| format!("{s:#x}-{e:#x}"))
        .collect();
    ranges.join(",")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn run(args: &InfoArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = args.target.posix_name() {
        return crate::cmd::posix::info(args, name);
    }
    let seg = ops::find_with_usage(args.target.target()?)?;
    let attached = process::attached(seg.shmid);
    let unaccounted = seg.nattch.saturating_sub(attached.mappings());
    // Named where they matter: some attaches are not accounted for.
    if args.verbose && unaccounted > 0 {
        super::blind::name_each("info", &attached.unreadable.iter().collect::<Vec<_>>());
    }
    let mut ctx = Resolver::new();
    let values: Vec<(Field, Value)> = shmtool::field::SYSV
        .iter()
        .map(|&f| (f, f.value(&seg, &mut ctx)))
        .collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        let mut object = render::json::field_entries(&values);
        object.push(("mode", format!("{:04o}", seg.mode & 0o7777).into()));
        let list: Vec<Json> = attached
            .found
            .iter()
            .map(|p| attacher_json(p, &mut ctx))
            .collect();
        object.push(("attached", Json::Array(list)));
        object.push(("unaccounted_attaches", unaccounted.into()));
        render::json::write_document(&mut out, &Json::Object(object))?;
    } else {
        for (field, value) in &values {
            writeln!(
                out,
                "{:<9} {}",
                field.name(),
                detail(*field, value, &mut ctx, &seg)
            )?;
            if *field == Field::Perms {
                writeln!(out, "{:<9} {}", "mode", mode_text(seg.mode))?;
            }
        }
        writeln!(out)?;
        let found = &attached.found;
        let mappings = attached.mappings();
        if found.is_empty() && unaccounted == 0 {
            writeln!(out, "attached by no process in this IPC namespace")?;
        } else if found.is_empty() {
            writeln!(out, "attached by no process visible here")?;
        } else if mappings == found.len() as u64 {
            writeln!(
                out,
                "attached by {}:",
                plural(found.len(), "process", "processes")
            )?;
        } else {
            writeln!(
                out,
                "attached by {} ({} mappings):",
                plural(found.len(), "process", "processes"),
                mappings
            )?;
        }
        let terminal = crate::render::terminal::current();
        if let Some(term) = terminal.filter(|_| !found.is_empty()) {
            let mut header = vec!["pid", "user"];
            header.extend(args.verbose.then_some("mapped at"));
            header.push("command");
            let rows = found.iter().map(|a| {
                let p = &a.process;
                let mut row = vec![
                    p.pid.to_string(),
                    escaped(&ctx.names.name_or_uid(p.uid)).into_owned(),
                ];
                if args.verbose {
                    row.push(mapped_at(a));
                }
                row.push(p.command.escaped().to_owned());
                row
            });
            let right: Vec<bool> = header.iter().map(|&h| h == "pid").collect();
            let fits: Vec<Fit> = header
                .iter()
                .map(|&h| {
                    if h == "command" {
                        Fit::Wrap
                    } else {
                        Fit::Whole
                    }
                })
                .collect();
            term.write_cells(&mut out, &header, &right, &fits, rows)?;
        } else if !found.is_empty() {
            if args.verbose {
                writeln!(
                    out,
                    "{:>8}  {:<12}  {:<33}  command",
                    "pid", "user", "mapped at"
                )?;
            } else {
                writeln!(out, "{:>8}  {:<12}  command", "pid", "user")?;
            }
        }
        for a in found.iter().filter(|_| terminal.is_none()) {
            let p = &a.process;
            let user = escaped(&ctx.names.name_or_uid(p.uid)).into_owned();
            let command = p.command.escaped();
            if args.verbose {
                let ranges = mapped_at(a);
                writeln!(out, "{:>8}  {user:<12}  {ranges:<33}  {command}", p.pid)?;
            } else {
                writeln!(out, "{:>8}  {user:<12}  {command}", p.pid)?;
            }
        }
        if let Some(text) = unaccounted_text(seg.nattch, &attached) {
            writeln!(out, "{text}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_as_people_write_them() {
        assert_eq!(symbolic(0o640), "rw-r-----");
        assert_eq!(symbolic(0o777), "rwxrwxrwx");
        assert_eq!(mode_text(0o600), "0600 (rw-------)");
        assert_eq!(
            mode_text(0o3640),
            "3640 (rw-r-----, dest (SHM_DEST), locked (SHM_LOCKED))"
        );
    }
}
