//! CSV (RFC 4180, with a header row) and raw (whitespace-separated, no
//! header) output for scripts. Both print numbers, epoch seconds and bytes.

use std::io::{self, Write};

use shmtool::field::{Field, Value};

/// A value as plain text for scripts; `None` when it is unknown.
fn plain(value: &Value) -> Option<String> {
    Some(match value {
        Value::Key(key) => key.to_string(),
        Value::Int(n) => n.to_string(),
        Value::UInt(n) | Value::Bytes(n) => n.to_string(),
        Value::Text(s) => s.to_string(),
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

/// A raw cell: never empty (`-`), and never containing whitespace, which is
/// written as a `\NNN` octal escape as /proc/mounts does, so `awk` sees
/// exactly one word per field.
fn raw_field(text: Option<String>) -> String {
    match text {
        None => "-".into(),
        Some(t) if t.is_empty() => "-".into(),
        Some(t) => {
            let mut escaped = String::with_capacity(t.len());
            for c in t.chars() {
                if c.is_whitespace() || c == '\\' {
                    for b in c.to_string().bytes() {
                        escaped.push_str(&format!("\\{b:03o}"));
                    }
                } else {
                    escaped.push(c);
                }
            }
            escaped
        }
    }
}

/// Writes one line per segment, fields separated by one space, no header.
pub fn write_raw(
    out: &mut dyn Write,
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> io::Result<()> {
    for row in rows {
        let cells: Vec<String> = row.iter().map(|v| raw_field(plain(v))).collect();
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
        assert_eq!(raw_field(None), "-");
        assert_eq!(raw_field(Some(String::new())), "-");
        assert_eq!(raw_field(Some("sleep 100".into())), "sleep\\040100");
        assert_eq!(raw_field(Some("a\\b\tc".into())), "a\\134b\\011c");
    }
}
