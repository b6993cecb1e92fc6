//! Typed JSON: numbers are numbers, never-set times are null, status is an
//! array, perms is an octal string. Strings are exact; besides what JSON
//! must escape, DEL, C1 and bidi controls are written as `\uXXXX` too, so
//! JSON on a terminal is as inert as the other formats.
//!
//! One encoder for everything: [`write_rows`] writes `list --format json`
//! rows, one compact object a line; [`write_document`] writes a whole
//! [`Json`] document (info, limits, remove), pretty, as serde_json's
//! `to_vec_pretty` lays it out. Both use the same scalar writers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::rc::Rc;

use shmtool::escape;
use shmtool::field::{Field, Value};
use shmtool::process::CommandLine;

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
                // As UTF-16 code units: a surrogate pair past U+FFFF.
                c if escape::is_unsafe(c) => {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        out.extend_from_slice(format!("\\u{unit:04x}").as_bytes());
                    }
                }
                c => out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes()),
            }
        }
    }
    out.push(b'"');
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

/// Writes a command line exactly: a string when it is UTF-8 (as every
/// command line that is not made to mislead is), otherwise an array of its
/// bytes, as `journalctl -o json` gives fields that are not UTF-8.
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

/// Writes one value as compact JSON text, straight to `out`.
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

/// A whole JSON document, as info, limits and remove print one: built by
/// the command, written by [`write_document`]. Object keys keep the order
/// they are given in.
#[derive(Debug)]
pub enum Json<'a> {
    Null,
    Int(i64),
    UInt(u128),
    /// Written as serde_json writes it; null when not finite.
    Float(f64),
    Str(Cow<'a, str>),
    /// A field's value, as `list --format json` gives it.
    Value(&'a Value),
    /// A command line, exact (see [`write_command`]).
    Command(&'a CommandLine),
    Array(Vec<Json<'a>>),
    Object(Vec<(&'a str, Json<'a>)>),
}

macro_rules! json_from {
    ($variant:ident: $($t:ty),*) => {
        $(impl From<$t> for Json<'_> {
            fn from(n: $t) -> Self {
                Json::$variant(n.into())
            }
        })*
    };
}
json_from!(Int: i32, i64);
json_from!(UInt: u8, u32, u64, u128);
json_from!(Float: f64);
json_from!(Str: String);

impl From<usize> for Json<'_> {
    fn from(n: usize) -> Self {
        Json::UInt(n as u128)
    }
}

impl<'a> From<&'a str> for Json<'a> {
    fn from(text: &'a str) -> Self {
        Json::Str(text.into())
    }
}

impl<'a, T: Into<Json<'a>>> From<Option<T>> for Json<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Json::Null, Into::into)
    }
}

impl<'a, T: Into<Json<'a>>> From<Vec<T>> for Json<'a> {
    fn from(items: Vec<T>) -> Self {
        Json::Array(items.into_iter().map(Into::into).collect())
    }
}

/// The entries of an object with one entry per field, in field order, as
/// `info --json` starts its document.
pub fn field_entries(values: &[(Field, Value)]) -> Vec<(&'static str, Json<'_>)> {
    values
        .iter()
        .map(|(field, value)| (field.name(), Json::Value(value)))
        .collect()
}

/// Writes a document pretty, with a final newline: the layout of
/// serde_json's `to_vec_pretty` (two-space indent, `"key": value`, `[]` and
/// `{}` when empty), with strings as inert as in rows.
pub fn write_document(out: &mut dyn Write, doc: &Json) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 12);
    write_json(&mut buf, doc, 0)?;
    buf.push(b'\n');
    out.write_all(&buf)
}

fn write_json(out: &mut Vec<u8>, json: &Json, depth: usize) -> io::Result<()> {
    match json {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
        Json::UInt(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
        Json::Float(x) => write_f64(out, *x),
        Json::Str(text) => write_str(out, text),
        // The arrays among field values are laid out as any other array.
        Json::Value(Value::Status(s)) => write_json(out, &s.names().into(), depth)?,
        Json::Value(Value::Command(c)) => write_json(out, &Json::Command(c), depth)?,
        Json::Value(v) => write_value(out, v, &mut Encoded::default())?,
        Json::Command(c) => match std::str::from_utf8(c.bytes()) {
            Ok(text) => write_str(out, text),
            Err(_) => write_json(out, &c.bytes().to_vec().into(), depth)?,
        },
        Json::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                start_item(out, i, depth + 1);
                write_json(out, item, depth + 1)?;
            }
            end(out, b']', items.is_empty(), depth);
        }
        Json::Object(entries) => {
            out.push(b'{');
            for (i, (key, value)) in entries.iter().enumerate() {
                start_item(out, i, depth + 1);
                write_str(out, key);
                out.extend_from_slice(b": ");
                write_json(out, value, depth + 1)?;
            }
            end(out, b'}', entries.is_empty(), depth);
        }
    }
    Ok(())
}

/// Starts an array item or an object entry on a line of its own.
fn start_item(out: &mut Vec<u8>, index: usize, depth: usize) {
    out.extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
    out.resize(out.len() + 2 * depth, b' ');
}

/// Closes an array or object: on a line of its own unless it is empty.
fn end(out: &mut Vec<u8>, bracket: u8, empty: bool, depth: usize) {
    if !empty {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    }
    out.push(bracket);
}

/// Writes a number as serde_json does, with the same crate: the shortest
/// digits that read back exactly (`0.0`, `12.5`, `1e+16`); null when not
/// finite, as JSON has no NaN or infinity.
fn write_f64(out: &mut Vec<u8>, x: f64) {
    if x.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(x).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use shmtool::segment::{Key, Status};
    use std::collections::BTreeMap;

    /// serde_json's text made as inert as ours: DEL and the non-ASCII
    /// characters [`escape::is_unsafe`] names as `\uXXXX` (serde_json
    /// escapes C0 itself). The reference every test compares against.
    fn inert(text: String) -> String {
        text.chars()
            .map(|c| {
                if c >= '\x7f' && escape::is_unsafe(c) {
                    format!("\\u{:04x}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    }

    /// A field value as serde_json gives it.
    fn serde_value(v: &Value) -> serde_json::Value {
        match v {
            Value::Key(key) => json!(key.to_string()),
            Value::Int(n) => json!(n),
            Value::UInt(n) | Value::Bytes(n) => json!(n),
            Value::Text(s) => json!(s.to_string()),
            Value::Command(c) => match std::str::from_utf8(c.bytes()) {
                Ok(text) => json!(text),
                Err(_) => json!(c.bytes()),
            },
            Value::Perms(p) => json!(format!("{p:04o}")),
            Value::Time(t) => json!(t),
            Value::Status(s) => json!(s.names()),
            Value::Null => json!(null),
        }
    }

    fn document(doc: &Json) -> String {
        let mut out = Vec::new();
        write_document(&mut out, doc).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// serde_json's pretty text, inert, with the final newline.
    fn pretty(value: &serde_json::Value) -> String {
        inert(serde_json::to_string_pretty(value).unwrap()) + "\n"
    }

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
            let reference = serde_value(&v);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                inert(reference.to_string()),
                "row: {v:?}"
            );
            assert_eq!(
                document(&Json::Value(&v)),
                pretty(&reference),
                "document: {v:?}"
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
        let mut out = Vec::new();
        write_command(&mut out, &CommandLine::new(&b"a\xff"[..]));
        assert_eq!(out, b"[97,255]");
    }

    #[test]
    fn documents_match_serde_json_pretty() {
        let key = Value::Key(Key(0x1234));
        let status = Value::Status(Status {
            dest: true,
            locked: false,
        });
        let never = Value::Time(None);
        let binary = CommandLine::new(&b"\xffa"[..]);
        let utf8 = CommandLine::new(&b"sh -c \x1b]0;x\x07"[..]);
        let hostile = "\u{1b}[2J\"\\\u{9b}\u{202e}\u{7f}\u{2066}ü\n\t";
        let doc = Json::Object(vec![
            ("key", Json::Value(&key)),
            ("status", Json::Value(&status)),
            ("atime", Json::Value(&never)),
            ("attached", Json::Array(vec![])),
            ("empty", Json::Object(vec![])),
            ("hostile", hostile.into()),
            (
                "nested",
                Json::Object(vec![
                    ("binary", Json::Command(&binary)),
                    ("utf8", Json::Command(&utf8)),
                    ("none", None::<u64>.into()),
                    ("addresses", vec![format!("{:#x}", 0x7f00_u64)].into()),
                    (
                        "list",
                        Json::Array(vec![Json::Object(vec![("a", 1.into())]), (-5).into()]),
                    ),
                ]),
            ),
            ("percent", 12.5.into()),
            ("zero", 0.0.into()),
            ("smallest", Json::Int(i64::MIN)),
            ("largest", u64::MAX.into()),
        ]);
        let reference = json!({
            "key": "0x00001234",
            "status": ["dest"],
            "atime": null,
            "attached": [],
            "empty": {},
            "hostile": hostile,
            "nested": {
                "binary": [255, 97],
                "utf8": "sh -c \u{1b}]0;x\u{7}",
                "none": null,
                "addresses": ["0x7f00"],
                "list": [{"a": 1}, -5],
            },
            "percent": 12.5,
            "zero": 0.0,
            "smallest": i64::MIN,
            "largest": u64::MAX,
        });
        assert_eq!(document(&doc), pretty(&reference));
        assert_eq!(document(&Json::Array(vec![])), "[]\n");
        assert_eq!(document(&Json::Object(vec![])), "{}\n");
    }

    #[test]
    fn wide_numbers_are_exact() {
        let over = u128::from(u64::MAX) + 1;
        let doc = Json::Array(vec![
            u128::MAX.into(),
            Json::Object(vec![("bytes", over.into())]),
        ]);
        // Beyond serde_json::Value: serialized straight from the numbers.
        let reference = (u128::MAX, BTreeMap::from([("bytes", over)]));
        let reference = serde_json::to_string_pretty(&reference).unwrap() + "\n";
        assert_eq!(document(&doc), reference);
    }

    #[test]
    fn floats_are_written_as_serde_json_writes_them() {
        for x in [
            0.0,
            -0.0,
            62.5,
            26.1,
            9.77,
            100.0,
            0.01,
            1e-5,
            9.99e-6,
            1.5e-7,
            1e15,
            9_999_999_999_999_998.0,
            1e16,
            1.5e16,
            123_456_789_012_345_680_000.0,
            // Exactly ...794.25: two shortest forms read back; serde_json picks one.
            674_225_239_473_794.2,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let mut out = Vec::new();
            write_f64(&mut out, x);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&x).unwrap(),
                "{x:e}"
            );
        }
    }

    /// Any text, and text made of what needs escaping.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            r#"[\x00-\x{a0}"\\\x{61c}\x{200e}\x{200f}\x{2028}-\x{202e}\x{2066}-\x{2069}ü😀]{0,24}"#,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn any_float_is_written_as_serde_json_writes_it(x in any::<f64>()) {
            let mut out = Vec::new();
            write_f64(&mut out, x);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&x).unwrap());
        }

        #[test]
        fn any_string_reads_back_exactly_and_inert(text in text(), key in "[a-z_]{1,8}") {
            let doc = Json::Object(vec![(&key, text.as_str().into())]);
            let written = document(&doc);
            prop_assert_eq!(&written, &pretty(&json!({&key: &text})));
            prop_assert!(!written.chars().filter(|&c| c != '\n').any(escape::is_unsafe));
            let read: BTreeMap<String, String> = serde_json::from_str(&written).unwrap();
            prop_assert_eq!(&read[&key], &text);
        }
    }
}
