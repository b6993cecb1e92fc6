//! Typed JSON: numbers are numbers, never-set times are null, status is an
//! array, perms is an octal string. Strings are exact; besides what JSON
//! must escape, DEL, C1 and bidi controls are written as `\uXXXX` too, so
//! JSON on a terminal is as inert as the other formats.

use std::collections::HashMap;
use std::io::{self, Write};
use std::rc::Rc;

use serde_json::{Value as Json, json};
use shmtool::escape;
use shmtool::field::{Field, Value};
use shmtool::process::CommandLine;

/// A command line as JSON, exact: a string when it is UTF-8 (as every
/// command line that is not made to mislead is), otherwise an array of its
/// bytes, as `journalctl -o json` gives fields that are not UTF-8.
pub fn command(c: &CommandLine) -> Json {
    match std::str::from_utf8(c.bytes()) {
        Ok(text) => Json::String(text.into()),
        Err(_) => Json::Array(c.bytes().iter().map(|&b| json!(b)).collect()),
    }
}

/// Writes `text` as a JSON string, escaping also what [`escape::is_unsafe`]
/// names.
fn write_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        out.extend_from_slice(text.as_bytes());
    } else {
        let mut utf8 = [0u8; 4];
        for c in text.chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\r' => out.extend_from_slice(b"\\r"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\x08' => out.extend_from_slice(b"\\b"),
                '\x0c' => out.extend_from_slice(b"\\f"),
                c if escape::is_unsafe(c) => {
                    out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
                }
                c => out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes()),
            }
        }
    }
    out.push(b'"');
}

/// JSON text with DEL and the non-ASCII characters [`escape::is_unsafe`]
/// names written as `\uXXXX`. Outside strings JSON is ASCII, and serde_json
/// has escaped C0 inside them, so only characters inside strings change,
/// to equal escapes.
fn inert(json: Vec<u8>) -> Vec<u8> {
    let needs = |c: char| c >= '\x7f' && escape::is_unsafe(c);
    let Ok(text) = std::str::from_utf8(&json) else {
        return json;
    };
    if !text.chars().any(needs) {
        return json;
    }
    let mut out = Vec::with_capacity(json.len() + 16);
    let mut utf8 = [0u8; 4];
    for c in text.chars() {
        if needs(c) {
            out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
        } else {
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
    }
    out
}

/// A field value as JSON.
pub fn value(value: &Value) -> Json {
    match value {
        Value::Key(key) => Json::String(key.to_string()),
        Value::Int(n) => json!(n),
        Value::UInt(n) | Value::Bytes(n) => json!(n),
        Value::Text(s) => Json::String(s.to_string()),
        Value::Command(c) => command(c),
        Value::Perms(p) => Json::String(format!("{p:04o}")),
        Value::Time(t) => t.map_or(Json::Null, |t| json!(t)),
        Value::Status(s) => json!(s.names()),
        Value::Null => Json::Null,
    }
}

/// The JSON text of each command line written so far, so that a process
/// that created thousands of segments is encoded once, not once a row.
/// (The Rc kept beside its text keeps the address from being reused.)
#[derive(Default)]
struct Encoded(HashMap<*const CommandLine, (Rc<CommandLine>, Vec<u8>)>);

impl Encoded {
    fn write(&mut self, out: &mut Vec<u8>, c: &Rc<CommandLine>) {
        let (_, text) = self.0.entry(Rc::as_ptr(c)).or_insert_with(|| {
            let mut text = Vec::new();
            write_command(&mut text, c);
            (c.clone(), text)
        });
        out.extend_from_slice(text);
    }
}

/// Writes a command line as [`command`] gives it.
fn write_command(out: &mut Vec<u8>, c: &CommandLine) {
    match std::str::from_utf8(c.bytes()) {
        Ok(text) => write_str(out, text),
        Err(_) => {
            out.push(b'[');
            for (i, b) in c.bytes().iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(itoa::Buffer::new().format(*b).as_bytes());
            }
            out.push(b']');
        }
    }
}

/// Writes one value as JSON text, straight to `out`: the same text as
/// [`value`] gives, without building a `serde_json::Value` per cell.
fn write_value(out: &mut Vec<u8>, v: &Value, encoded: &mut Encoded) -> io::Result<()> {
    match v {
        Value::Key(key) => write!(out, "\"{key}\""),
        Value::Int(n) => out.write_all(itoa::Buffer::new().format(*n).as_bytes()),
        Value::UInt(n) | Value::Bytes(n) => {
            out.write_all(itoa::Buffer::new().format(*n).as_bytes())
        }
        Value::Text(s) => {
            write_str(out, s);
            Ok(())
        }
        Value::Command(c) => {
            encoded.write(out, c);
            Ok(())
        }
        Value::Perms(p) => write!(out, "\"{p:04o}\""),
        Value::Time(Some(t)) => out.write_all(itoa::Buffer::new().format(*t).as_bytes()),
        Value::Time(None) | Value::Null => out.write_all(b"null"),
        Value::Status(s) => {
            out.write_all(b"[")?;
            for (i, name) in s.names().iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                write!(out, "\"{name}\"")?;
            }
            out.write_all(b"]")
        }
    }
}

/// Writes one object, keys in field order.
fn write_object(
    out: &mut Vec<u8>,
    fields: &[Field],
    row: &[Value],
    encoded: &mut Encoded,
) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (field, v)) in fields.iter().zip(row).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\"")?;
        out.write_all(field.name().as_bytes())?;
        out.write_all(b"\":")?;
        write_value(out, v, encoded)?;
    }
    out.write_all(b"}")
}

/// Writes rows as one JSON array of objects, one object a line. Text is
/// built in a local buffer and handed to `out` in 64 KiB pieces.
pub fn write_rows(
    out: &mut dyn Write,
    fields: &[Field],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 17);
    buf.push(b'[');
    let mut empty = true;
    let mut encoded = Encoded::default();
    for row in rows {
        buf.extend_from_slice(if empty { b"\n  " } else { b",\n  " });
        empty = false;
        write_object(&mut buf, fields, &row, &mut encoded)?;
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    buf.extend_from_slice(if empty { b"]\n" } else { b"\n]\n" });
    out.write_all(&buf)
}

/// Writes any serializable value, pretty, with a final newline. (Writing
/// directly, not through `serde_json::Value`, keeps u128 numbers exact.)
pub fn write_pretty<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let mut text = serde_json::to_vec_pretty(value)?;
    text.push(b'\n');
    out.write_all(&inert(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shmtool::segment::{Key, Status};

    #[test]
    fn direct_writing_matches_serde_json() {
        let values = [
            Value::Key(Key(-559038737)),
            Value::Int(-3),
            Value::UInt(u64::MAX),
            Value::Bytes(4096),
            Value::Text("quote \" and \\ and \u{1}".into()),
            Value::Text("\u{1b}[2J\n\t\u{8}\u{c}\r \u{7f}\u{9b}\u{202e} ü".into()),
            Value::Command(CommandLine::new(&b"sh -c \x1b]0;x\x07"[..]).into()),
            Value::Command(CommandLine::new(&b"\xff\n"[..]).into()),
            Value::Perms(0o640),
            Value::Time(Some(1_795_702_196)),
            Value::Time(None),
            Value::Status(Status {
                dest: true,
                locked: true,
            }),
            Value::Status(Status::default()),
            Value::Null,
        ];
        for v in values {
            let mut out = Vec::new();
            write_value(&mut out, &v, &mut Encoded::default()).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(inert(value(&v).to_string().into_bytes())).unwrap(),
                "{v:?}"
            );
        }
    }

    #[test]
    fn strings_stay_exact_and_inert() {
        let text = "\u{1b}[2J\u{9b}\u{202e}\u{7f}x";
        let mut out = Vec::new();
        write_str(&mut out, text);
        let written = String::from_utf8(out).unwrap();
        assert_eq!(written, r#""\u001b[2J\u009b\u202e\u007fx""#);
        assert_eq!(serde_json::from_str::<String>(&written).unwrap(), text);
        let bytes = CommandLine::new(&b"a\xff"[..]);
        assert_eq!(command(&bytes), json!([97, 255]));
    }
}
