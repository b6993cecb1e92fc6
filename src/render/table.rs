//! The default `list` view: an aligned table with a header row.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use shmtool::field::{Field, Value};

/// Writes rows of values as a table under the fields' names. Cells are never
/// cut or wrapped, whatever the terminal width.
pub fn write(out: &mut dyn Write, fields: &[Field], rows: &[Vec<Value>]) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(fields.iter().map(|f| {
            let cell = Cell::new(f.name());
            if f.is_numeric() {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    for row in rows {
        table.add_row(row.iter().map(super::text));
    }
    for (column, field) in table.column_iter_mut().zip(fields) {
        column.set_padding((0, 2));
        if field.is_numeric() {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
