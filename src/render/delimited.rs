//! CSV (RFC 4180, with a header row) and raw (whitespace-separated, no
//! header) output for scripts. Both print numbers, epoch seconds and bytes,
//! and text escaped ([`shmtool::escape`]): CSV as people see it, raw as
//! octal words.

use std::io::{self, Write};

use shmtool::escape;
use shmtool::field::{Field, Value};

/// A value as plain text for scripts, text escaped for people; `None` when
/// it is unknown.
fn plain(value: &Value) -> Option<String> {
    Some(match value {
        Value::Key(key) => key.to_string(),
        Value::Int(n) => n.to_string(),
        Value::UInt(n) | Value::Bytes(n) => n.to_string(),
        Value::Text(s) => escape::escape(s.as_bytes()),
        Value::Command(c) => c.escaped().to_owned(),
        Value::Perms(p) => format!("{p:04o}"),
        Value::Time(t) => return t.map(|t| t.to_string()),
        Value::Status(s) => s.to_string(),
        Value::Null => return None,
    })
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Writes a header row and one row per segment; unknown values are empty.
pub fn write_csv(
    out: &mut dyn Write,
    fields: &[Field],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> io::Result<()> {
    let header: Vec<&str> = fields.iter().map(|f| f.name()).collect();
    writeln!(out, "{}", header.join(","))?;
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|v| csv_field(&plain(v).unwrap_or_default()))
            .collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

/// A raw cell: never empty (`-`), and never containing whitespace, control
/// characters or invalid UTF-8, each byte of which is written as a `\NNN`
/// octal escape as /proc/mounts does, so `awk` sees exactly one word per
/// field.
fn raw_field(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Text(s) => escape::word_into(&mut out, s.as_bytes()),
        Value::Command(c) => out.push_str(c.word()),
        other => {
            if let Some(text) = plain(other) {
                escape::word_into(&mut out, text.as_bytes());
            }
        }
    }
    if out.is_empty() {
        out.push('-');
    }
    out
}

/// Writes one line per segment, fields separated by one space, no header.
pub fn write_raw(
    out: &mut dyn Write,
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> io::Result<()> {
    for row in rows {
        let cells: Vec<String> = row.iter().map(raw_field).collect();
        writeln!(out, "{}", cells.join(" "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(csv_field("root"), "root");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn raw_cells_are_single_words() {
        let text = |s: &str| Value::Text(s.into());
        assert_eq!(raw_field(&Value::Null), "-");
        assert_eq!(raw_field(&text("")), "-");
        assert_eq!(raw_field(&text("sleep 100")), "sleep\\040100");
        assert_eq!(raw_field(&text("a\\b\tc")), "a\\134b\\011c");
        assert_eq!(raw_field(&text("x\n\x1b[2J")), "x\\012\\033[2J");
    }

    #[test]
    fn csv_cells_are_escaped_then_quoted() {
        let command = shmtool::process::CommandLine::new(&b"a,b\n\x1b[2J\xff"[..]);
        let cell = plain(&Value::Command(command.into())).unwrap();
        assert_eq!(csv_field(&cell), "\"a,b\\n\\x1b[2J\\xff\"");
    }
}
