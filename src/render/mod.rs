//! Turning data into text. Every function takes data and a writer; none
//! reads system state.

pub mod hexdump;
pub mod table;

use shmtool::field::Value;

/// A value as plain text, for tables.
pub fn text(value: &Value) -> String {
    match value {
        Value::Key(key) => key.to_string(),
        Value::Int(n) => n.to_string(),
        Value::UInt(n) => n.to_string(),
        Value::Text(s) => s.clone(),
        Value::Perms(p) => format!("{p:o}"),
        Value::Time(Some(t)) => t.to_string(),
        Value::Time(None) => "-".into(),
        Value::Status(s) => s.to_string(),
        Value::Null => "-".into(),
    }
}
