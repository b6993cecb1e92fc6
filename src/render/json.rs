//! Typed JSON: numbers are numbers, never-set times are null, status is an
//! array, perms is an octal string. Strings are exact; besides what JSON
//! must escape, DEL, C1 and bidi controls are written as `\uXXXX` too, so
//! JSON on a terminal is as inert as the other formats.

use std::io::{self, Write};

use serde::{Serialize, Serializer};
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
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

/// serde_json's formatter `F`, writing also DEL and the non-ASCII
/// characters [`escape::is_unsafe`] names as `\uXXXX` (serde_json escapes
/// C0 itself). Every JSON shmtool prints goes through it, rows and
/// records alike: one serializer, one escaping.
struct Inert<F>(F);

impl<F: Formatter> Formatter for Inert<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Nearly all text: ASCII below DEL, checked a byte at a time.
        if fragment.bytes().all(|b| b < 0x7f) {
            return out.write_all(fragment.as_bytes());
        }
        let needs = |c: char| c >= '\x7f' && escape::is_unsafe(c);
        let mut utf8 = [0u8; 4];
        for c in fragment.chars() {
            if needs(c) {
                write!(out, "\\u{:04x}", c as u32)?;
            } else {
                out.write_all(c.encode_utf8(&mut utf8).as_bytes())?;
            }
        }
        Ok(())
    }

    // Everything else as `F` writes it.
    fn write_null<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.write_null(w)
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Serializes `value` into `out` with `formatter`, made inert.
fn serialize<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    formatter: impl Formatter,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Inert(formatter));
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// One field value, serialized as [`value`] gives it, without building a
/// `serde_json::Value` per cell.
struct Cell<'a>(&'a Value);

impl Serialize for Cell<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Key(key) => s.serialize_str(short(&mut [0; 24], format_args!("{key}"))),
            Value::Int(n) => s.serialize_i64(*n),
            Value::UInt(n) | Value::Bytes(n) => s.serialize_u64(*n),
            Value::Text(text) => s.serialize_str(text),
            Value::Command(c) => match std::str::from_utf8(c.bytes()) {
                Ok(text) => s.serialize_str(text),
                // serde_json writes bytes as an array of numbers.
                Err(_) => s.serialize_bytes(c.bytes()),
            },
            Value::Perms(p) => s.serialize_str(short(&mut [0; 24], format_args!("{p:04o}"))),
            Value::Time(Some(t)) => s.serialize_i64(*t),
            Value::Time(None) | Value::Null => s.serialize_unit(),
            Value::Status(status) => s.collect_seq(status.names()),
        }
    }
}

/// Short text formatted on the stack (serde_json's `collect_str` escapes
/// piece by piece, slower on every row).
fn short<'b>(buf: &'b mut [u8; 24], args: std::fmt::Arguments<'_>) -> &'b str {
    let mut cursor = io::Cursor::new(&mut buf[..]);
    let _ = cursor.write_fmt(args);
    let len = cursor.position() as usize;
    std::str::from_utf8(&buf[..len]).unwrap_or_default()
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

/// Writes rows as one JSON array of objects, one object a line. Text is
/// built in a local buffer and handed to `out` in 64 KiB pieces.
pub fn write_rows(
    out: &mut dyn Write,
    fields: &[Field],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> io::Result<()> {
    // Each key with its quotes and colon, made once: field names are plain
    // ASCII, and escaping 29 of them a row was a fifth of a 32,000-row list.
    let keys: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{}\"{}\":", if i == 0 { "{" } else { "," }, f.name()))
        .collect();
    let mut buf = Vec::with_capacity(1 << 17);
    buf.push(b'[');
    let mut empty = true;
    for row in rows {
        buf.extend_from_slice(if empty { b"\n  " } else { b",\n  " });
        empty = false;
        if fields.is_empty() {
            buf.push(b'{');
        }
        for (key, v) in keys.iter().zip(&row) {
            buf.extend_from_slice(key.as_bytes());
            serialize(&mut buf, &Cell(v), CompactFormatter)?;
        }
        buf.push(b'}');
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
pub fn write_pretty<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let mut text = Vec::new();
    serialize(&mut text, value, PrettyFormatter::new())?;
    text.push(b'\n');
    out.write_all(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shmtool::segment::{Key, Status};

    fn inert(value: &impl Serialize) -> String {
        let mut out = Vec::new();
        serialize(&mut out, value, CompactFormatter).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn cells_serialize_as_their_json_values() {
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
            assert_eq!(inert(&Cell(&v)), inert(&value(&v)), "{v:?}");
        }
        assert_eq!(inert(&Cell(&Value::Perms(0o640))), r#""0640""#);
        assert_eq!(inert(&Cell(&Value::Key(Key(0x1234)))), r#""0x00001234""#);
        assert_eq!(
            inert(&Cell(&Value::Command(
                CommandLine::new(&b"a\xff"[..]).into()
            ))),
            "[97,255]"
        );
    }

    #[test]
    fn strings_stay_exact_and_inert() {
        let text = "\u{1b}[2J\u{9b}\u{202e}\u{7f}x\u{8}\u{c}";
        let written = inert(&text);
        assert_eq!(written, r#""\u001b[2J\u009b\u202e\u007fx\b\f""#);
        assert_eq!(serde_json::from_str::<String>(&written).unwrap(), text);
        // Pretty output (records, info, limits) is as inert.
        let mut out = Vec::new();
        write_pretty(&mut out, &json!({ "name": "\u{202e}x" })).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n  \"name\": \"\\u202ex\"\n}\n"
        );
        let bytes = CommandLine::new(&b"a\xff"[..]);
        assert_eq!(command(&bytes), json!([97, 255]));
    }
}
