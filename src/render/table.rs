//! The default `list` view: aligned columns under a header row.
//!
//! Written by hand rather than with comfy-table: with 32,000 segments
//! comfy-table's per-cell work took 280 ms of a 450 ms `list` (see
//! BENCHMARKS.md); this keeps every cell in one buffer and pads on output.

use std::io::{self, Write};

use shmtool::field::{Field, Value};

use super::Style;

/// Cells of a table, stored end to end in one string.
struct Cells {
    text: String,
    /// End offset of each cell in `text`, row after row.
    ends: Vec<usize>,
    columns: usize,
    widths: Vec<usize>,
}

impl Cells {
    fn new(columns: usize, rows: usize) -> Cells {
        Cells {
            text: String::with_capacity(rows * columns * 8),
            ends: Vec::with_capacity(rows * columns),
            columns,
            widths: vec![0; columns],
        }
    }

    fn push(&mut self, cell: &str) {
        let column = self.ends.len() % self.columns;
        self.text.push_str(cell);
        self.ends.push(self.text.len());
        let width = display_width(cell);
        if width > self.widths[column] {
            self.widths[column] = width;
        }
    }

    fn cell(&self, index: usize) -> &str {
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.text[start..self.ends[index]]
    }
}

/// The columns `text` takes on a terminal: CJK and most emoji take two.
fn display_width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        unicode_width::UnicodeWidthStr::width(text)
    }
}

/// Writes `header` and `rows` as left- or right-aligned columns two spaces
/// apart. Cells are never cut or wrapped, whatever the terminal width, and
/// lines carry no trailing spaces.
pub fn write_cells(
    out: &mut dyn Write,
    header: &[&str],
    right: &[bool],
    rows: impl Iterator<Item = Vec<String>>,
) -> io::Result<()> {
    let mut cells = Cells::new(header.len(), 0);
    header.iter().for_each(|h| cells.push(h));
    for row in rows {
        row.iter().for_each(|c| cells.push(c));
    }
    write_out(out, &cells, right)
}

fn write_out(out: &mut dyn Write, cells: &Cells, right: &[bool]) -> io::Result<()> {
    let mut line = String::with_capacity(256);
    for row in 0..cells.ends.len() / cells.columns.max(1) {
        line.clear();
        for column in 0..cells.columns {
            let cell = cells.cell(row * cells.columns + column);
            let pad = cells.widths[column] - display_width(cell);
            let last = column + 1 == cells.columns;
            if column > 0 {
                line.push_str("  ");
            }
            if right.get(column).copied().unwrap_or(false) {
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if !last {
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
        }
        let trimmed = line.trim_end();
        out.write_all(trimmed.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes rows of values as a table under the fields' names; numbers align right.
pub fn write(
    out: &mut dyn Write,
    fields: &[Field],
    rows: impl IntoIterator<Item = Vec<Value>>,
    style: Style,
) -> io::Result<()> {
    let mut cells = Cells::new(fields.len(), 64);
    fields.iter().for_each(|f| cells.push(f.name()));
    let mut buf = String::new();
    for row in rows {
        for value in &row {
            buf.clear();
            super::text_into(&mut buf, value, style);
            cells.push(&buf);
        }
    }
    let right: Vec<bool> = fields.iter().map(|f| f.is_numeric()).collect();
    write_out(out, &cells, &right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_pads_and_trims() {
        let mut out = Vec::new();
        let rows = vec![
            vec!["0x1".into(), "7".into(), "".into()],
            vec!["0x22".into(), "1000".into(), "dest".into()],
        ];
        write_cells(
            &mut out,
            &["key", "id", "status"],
            &[false, true, false],
            rows.into_iter(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "key     id  status\n0x1      7\n0x22  1000  dest\n"
        );
    }

    #[test]
    fn aligns_by_display_width() {
        let mut out = Vec::new();
        let rows = vec![
            vec!["名前".into(), "1".into()],
            vec!["🦀x".into(), "2".into()],
            vec!["abcde".into(), "3".into()],
        ];
        write_cells(&mut out, &["owner", "n"], &[false, true], rows.into_iter()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text, "owner  n\n名前   1\n🦀x    2\nabcde  3\n",
            "each wide character takes two columns"
        );
        for line in text.lines() {
            assert_eq!(display_width(line), 8, "{line:?}");
        }
    }

    #[test]
    fn never_cuts_long_cells() {
        let mut out = Vec::new();
        let long = "averyveryverylongusername".to_owned();
        write_cells(
            &mut out,
            &["owner", "n"],
            &[false, true],
            vec![vec![long.clone(), "1".into()]].into_iter(),
        )
        .unwrap();
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains(&format!("{long}  1"))
        );
    }
}
