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
        Value::Text(s) => Json::String(s.clone()),
        Value::Perms(p) => Json::String(format!("{p:04o}")),
        Value::Time(t) => t.map_or(Json::Null, |t| json!(t)),
        Value::Status(s) => json!(s.names()),
        Value::Null => Json::Null,
    }
}

/// Writes one object, keys in field order.
pub fn write_object(out: &mut dyn Write, fields: &[Field], row: &[Value]) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (field, v)) in fields.iter().zip(row).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "\"{}\":", field.name())?;
        serde_json::to_writer(&mut *out, &value(v))?;
    }
    out.write_all(b"}")
}

/// Writes rows as one JSON array of objects, one object a line.
pub fn write_rows(out: &mut dyn Write, fields: &[Field], rows: &[Vec<Value>]) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, row) in rows.iter().enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        write_object(out, fields, row)?;
    }
    out.write_all(if rows.is_empty() { b"]\n" } else { b"\n]\n" })
}

/// Writes any serializable value, pretty, with a final newline. (Writing
/// directly, not through `serde_json::Value`, keeps u128 numbers exact.)
pub fn write_pretty<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}
