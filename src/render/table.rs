//! The default `list` view: an aligned table with a header row.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use shmtool::field::{Field, Value};

use super::Style;

/// Writes rows of values as a table under the fields' names. Cells are never
/// cut or wrapped, whatever the terminal width.
pub fn write(
    out: &mut dyn Write,
    fields: &[Field],
    rows: &[Vec<Value>],
    style: Style,
) -> io::Result<()> {
    let align = |f: &Field| {
        if f.is_numeric() {
            CellAlignment::Right
        } else {
            CellAlignment::Left
        }
    };
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(
            fields
                .iter()
                .map(|f| Cell::new(f.name()).set_alignment(align(f))),
        );
    for row in rows {
        table.add_row(row.iter().map(|v| super::text(v, style)));
    }
    for (column, field) in table.column_iter_mut().zip(fields) {
        column.set_padding((0, 2));
        column.set_cell_alignment(align(field));
    }
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
