use std::io::{self, Write};
use std::process::ExitCode;

use serde_json::{Map, Value as Json, json};
use shmtool::field::{Field, Resolver, Value};
use shmtool::ops;
use shmtool::process::{self, Attacher};
use shmtool::segment::{SHM_DEST, SHM_LOCKED};

use crate::cli::InfoArgs;
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
        (Field::Owner, Value::Text(name)) => format!("{name} (uid {})", seg.uid),
        (Field::Group, Value::Text(name)) => format!("{name} (gid {})", seg.gid),
        (Field::Creator, Value::Text(name)) => format!("{name} (uid {})", seg.cuid),
        (Field::Cgid, _) => format!("{} ({})", seg.cgid, ctx.names.group(seg.cgid)),
        (Field::Perms, Value::Perms(p)) => format!("{p:04o} ({})", symbolic(*p)),
        (Field::Status, Value::Status(s)) if s.names().is_empty() => "-".into(),
        (Field::Cpid, Value::Int(0)) => "0 (not visible in this pid namespace)".into(),
        (Field::Lpid, Value::Int(0)) => "0 (never attached, or not visible here)".into(),
        (Field::Command, Value::Null) => "- (the creator is not running)".into(),
        (Field::Rss | Field::Swap, Value::Null) => "- (not reported by this kernel)".into(),
        (_, v) => render::text(v, Style::default()),
    }
}

fn attacher_json(a: &Attacher, ctx: &mut Resolver) -> Json {
    let p = &a.process;
    let addresses: Vec<String> = a
        .ranges
        .iter()
        .map(|(start, _)| format!("{start:#x}"))
        .collect();
    json!({
        "pid": p.pid,
        "uid": p.uid,
        "user": ctx.names.user(p.uid),
        "command": &*p.command,
        "addresses": addresses,
    })
}

pub fn run(args: &InfoArgs) -> anyhow::Result<ExitCode> {
    let seg = ops::find(args.target.target()?)?;
    let attached = process::attached(seg.shmid);
    let mut ctx = Resolver::new();
    let values: Vec<(Field, Value)> = Field::ALL
        .iter()
        .map(|&f| (f, f.value(&seg, &mut ctx)))
        .collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        let mut object = Map::new();
        for (field, value) in &values {
            object.insert(field.name().into(), render::json::value(value));
        }
        object.insert(
            "mode".into(),
            Json::String(format!("{:04o}", seg.mode & 0o7777)),
        );
        let list: Vec<Json> = attached
            .iter()
            .map(|p| attacher_json(p, &mut ctx))
            .collect();
        object.insert("attached".into(), Json::Array(list));
        render::json::write_pretty(&mut out, &Json::Object(object))?;
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
        if attached.is_empty() {
            writeln!(out, "attached by no process in this IPC namespace")?;
        } else {
            writeln!(
                out,
                "attached by {} process{}:",
                attached.len(),
                if attached.len() == 1 { "" } else { "es" }
            )?;
            if args.verbose {
                writeln!(
                    out,
                    "{:>8}  {:<12}  {:<33}  command",
                    "pid", "user", "mapped at"
                )?;
            } else {
                writeln!(out, "{:>8}  {:<12}  command", "pid", "user")?;
            }
            for a in &attached {
                let p = &a.process;
                let user = ctx.names.user(p.uid);
                if args.verbose {
                    let ranges: Vec<String> = a
                        .ranges
                        .iter()
                        .map(|(s, e)| format!("{s:#x}-{e:#x}"))
                        .collect();
                    let ranges = ranges.join(",");
                    writeln!(out, "{:>8}  {user:<12}  {ranges:<33}  {}", p.pid, p.command)?;
                } else {
                    writeln!(out, "{:>8}  {user:<12}  {}", p.pid, p.command)?;
                }
            }
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
