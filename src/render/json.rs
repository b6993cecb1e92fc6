//! Typed JSON: numbers are numbers, never-set times are null, status is an
//! array, perms is an octal string.

use std::io::{self, Write};

use serde_json::{Value as Json, json};
use shmtool::field::{Field, Value};

/// A field value as JSON.
pub fn value(value: &Value) -> Json {
    match value {
        Value::Key(key) => Json::String(key.to_string()),
        Value::Int(n) => json!(n),
        Value::UInt(n) | Value::Bytes(n) => json!(n),
        Value::Text(s) => Json::String(s.to_string()),
        Value::Perms(p) => Json::String(format!("{p:04o}")),
        Value::Time(t) => t.map_or(Json::Null, |t| json!(t)),
        Value::Status(s) => json!(s.names()),
        Value::Null => Json::Null,
    }
}

/// Writes one value as JSON text, straight to `out`: the same text as
/// [`value`] gives, without building a `serde_json::Value` per cell.
fn write_value(out: &mut Vec<u8>, v: &Value) -> io::Result<()> {
    match v {
        Value::Key(key) => write!(out, "\"{key}\""),
        Value::Int(n) => out.write_all(itoa::Buffer::new().format(*n).as_bytes()),
        Value::UInt(n) | Value::Bytes(n) => {
            out.write_all(itoa::Buffer::new().format(*n).as_bytes())
        }
        Value::Text(s) => Ok(serde_json::to_writer(&mut *out, &**s)?),
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
pub fn write_object(out: &mut Vec<u8>, fields: &[Field], row: &[Value]) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (field, v)) in fields.iter().zip(row).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\"")?;
        out.write_all(field.name().as_bytes())?;
        out.write_all(b"\":")?;
        write_value(out, v)?;
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
    for row in rows {
        buf.extend_from_slice(if empty { b"\n  " } else { b",\n  " });
        empty = false;
        write_object(&mut buf, fields, &row)?;
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
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
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
            write_value(&mut out, &v).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                value(&v).to_string(),
                "{v:?}"
            );
        }
    }
}
