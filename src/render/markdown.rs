//! `--format markdown`: a GitHub-flavoured Markdown table of the same
//! columns as the table, for CI job summaries (`$GITHUB_STEP_SUMMARY`).

use std::io::{self, Write};

use shmtool::field::{Field, Value};

use super::Style;

/// Appends `text` so that Markdown shows it as it is: a backslash before
/// `|` (which would end the cell) and before every character that would
/// start a link, an image, HTML, code, emphasis or an entity in text other
/// users chose.
fn push_literal(out: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '&' | '!' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Writes rows of values as a Markdown table under the fields' names;
/// numbers align right. Cells are escaped as in the table first
/// ([`shmtool::escape`]), so no control character reaches the summary.
pub fn write(
    out: &mut dyn Write,
    fields: &[Field],
    rows: impl IntoIterator<Item = Vec<Value>>,
    style: Style,
) -> io::Result<()> {
    let mut line = String::with_capacity(256);
    line.push('|');
    for field in fields {
        line.push(' ');
        line.push_str(field.name());
        line.push_str(" |");
    }
    line.push_str("\n|");
    for field in fields {
        line.push_str(if field.is_numeric() {
            " ---: |"
        } else {
            " --- |"
        });
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;
    let mut cell = String::new();
    for row in rows {
        line.clear();
        line.push('|');
        for value in &row {
            cell.clear();
            super::text_into(&mut cell, value, style);
            line.push(' ');
            push_literal(&mut line, &cell);
            line.push_str(" |");
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn pipes_and_markup_in_cells_are_escaped() {
        let mut out = Vec::new();
        let rows = vec![vec![
            Value::Text(Rc::from("a|b")),
            Value::UInt(7),
            Value::Text(Rc::from("[x](http://e) <b>*y*</b> \\ \u{1b}")),
        ]];
        write(
            &mut out,
            &[Field::Owner, Field::Bytes, Field::Group],
            rows,
            Style::default(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "| owner | bytes | group |\n\
             | --- | ---: | --- |\n\
             | a\\|b | 7 | \\[x\\](http://e) \\<b\\>\\*y\\*\\</b\\> \\\\\\\\ \\\\x1b |\n"
        );
    }
}
