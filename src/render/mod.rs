//! Turning data into text. Every function takes data and a writer; none
//! reads system state.

pub mod delimited;
pub mod hexdump;
pub mod ipcs;
pub mod json;
pub mod markdown;
pub mod prometheus;
pub mod table;
pub mod terminal;

use shmtool::escape;
use shmtool::field::{Field, Value};

/// How values become text in human-facing formats.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// Sizes as `25K`, `97.7K`, `1M` instead of bytes.
    pub human: bool,
}

/// Writes a list view in a human format: `markdown`, or the table, drawn
/// for the terminal when there is one ([`terminal::current`]), else plain.
pub fn write_table(
    out: &mut dyn std::io::Write,
    markdown: bool,
    fields: &[Field],
    rows: impl IntoIterator<Item = Vec<Value>>,
    style: Style,
) -> std::io::Result<()> {
    match terminal::current() {
        _ if markdown => markdown::write(out, fields, rows, style),
        Some(term) => term.write(out, fields, rows, style),
        None => table::write(out, fields, rows, style),
    }
}

/// Writes `list` rows (of any kind, or every namespace's) in `format`.
/// ipcs and Prometheus have writers of their own, chosen before any row
/// is made; for them this writes nothing.
pub fn write_rows(
    out: &mut dyn std::io::Write,
    format: crate::cli::Format,
    fields: &[Field],
    rows: impl IntoIterator<Item = Vec<Value>>,
    style: Style,
) -> std::io::Result<()> {
    use crate::cli::Format;
    match format {
        Format::Table | Format::Markdown => {
            write_table(out, format == Format::Markdown, fields, rows, style)
        }
        Format::Json => json::write_rows(out, fields, rows),
        Format::Csv => delimited::write_csv(out, fields, rows),
        Format::Raw => delimited::write_raw(out, rows),
        Format::Ipcs | Format::Prometheus => Ok(()),
    }
}

/// Writes rows of escaped text as a table, drawn for the terminal when
/// there is one; `fits` says which columns may wrap or be cut there.
pub fn write_cells(
    out: &mut dyn std::io::Write,
    header: &[&str],
    right: &[bool],
    fits: &[terminal::Fit],
    rows: impl Iterator<Item = Vec<String>>,
) -> std::io::Result<()> {
    match terminal::current() {
        Some(term) => term.write_cells(out, header, right, fits, rows),
        None => table::write_cells(out, header, right, rows),
    }
}

/// A value as text for the table.
pub fn text(value: &Value, style: Style) -> String {
    let mut out = String::new();
    text_into(&mut out, value, style);
    out
}

/// Appends a value's table text to `out`, without allocating for numbers.
/// Text is escaped ([`shmtool::escape`]): what other users chose never acts
/// on the terminal.
pub fn text_into(out: &mut String, value: &Value, style: Style) {
    use std::fmt::Write as _;
    let _ = match value {
        Value::Key(key) => write!(out, "{key}"),
        Value::Int(n) => write!(out, "{n}"),
        Value::UInt(n) => write!(out, "{n}"),
        Value::Bytes(n) if style.human => write!(out, "{}", human_size(*n)),
        Value::Bytes(n) => write!(out, "{n}"),
        Value::Text(s) => {
            escape::escape_into(out, s.as_bytes());
            Ok(())
        }
        Value::Command(c) => {
            out.push_str(c.escaped());
            Ok(())
        }
        Value::Perms(p) => write!(out, "{p:o}"),
        Value::Time(Some(t)) => write!(out, "{}", local_time(*t)),
        Value::Status(s) => {
            let names = s.names();
            write!(out, "{}", names.join(","))
        }
        Value::Time(None) | Value::Null => write!(out, "-"),
    };
}

/// A size with a one-letter binary suffix and at most one decimal, as
/// util-linux prints it: `10B`, `4K`, `97.7K`, `1G`, `16E`.
pub fn human_size(bytes: u64) -> String {
    const SUFFIXES: [char; 7] = ['B', 'K', 'M', 'G', 'T', 'P', 'E'];
    let mut exp = 0;
    while exp < 6 && bytes >= 1u64 << (10 * (exp + 1)) {
        exp += 1;
    }
    let shift = 10 * exp;
    let mut whole = bytes >> shift;
    let rest = bytes - (whole << shift);
    // Tenths, rounded half up, computed in u128 so large sizes cannot overflow.
    let mut tenths = if shift == 0 {
        0
    } else {
        (((rest as u128 * 1000) >> shift) + 50) / 100
    };
    if tenths == 10 {
        whole += 1;
        tenths = 0;
    }
    if tenths == 0 {
        format!("{whole}{}", SUFFIXES[exp])
    } else {
        format!("{whole}.{tenths}{}", SUFFIXES[exp])
    }
}

/// The local time zone, looked up once.
pub fn time_zone() -> jiff::tz::TimeZone {
    static ZONE: std::sync::LazyLock<jiff::tz::TimeZone> =
        std::sync::LazyLock::new(jiff::tz::TimeZone::system);
    ZONE.clone()
}

/// A local date and time, `2026-11-26 14:06:40`.
pub fn local_time(epoch: i64) -> String {
    match jiff::Timestamp::from_second(epoch) {
        Ok(ts) => ts
            .to_zoned_datetime(time_zone())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => epoch.to_string(),
    }
}

/// A full local timestamp with the zone, `2026-11-26 14:06:40 UTC (+00:00)`.
pub fn full_time(epoch: i64) -> String {
    match jiff::Timestamp::from_second(epoch) {
        Ok(ts) => ts
            .to_zoned_datetime(time_zone())
            .strftime("%a %Y-%m-%d %H:%M:%S %Z (%:z)")
            .to_string(),
        Err(_) => epoch.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn human_sizes_match_util_linux() {
        for (bytes, text) in [
            (0, "0B"),
            (10, "10B"),
            (1023, "1023B"),
            (1024, "1K"),
            (4096, "4K"),
            (25600, "25K"),
            (100000, "97.7K"),
            (1 << 20, "1M"),
            (1048575, "1024K"), // util-linux does not carry the rounding into the next unit
            (1 << 30, "1G"),
            (u64::MAX, "16E"),
            (18446744073692774399, "16E"),
        ] {
            assert_eq!(human_size(bytes), text, "{bytes}");
        }
    }
}
