//! Tables for a person at a terminal, drawn with comfy-table: fitted to the
//! terminal's width, header in bold, `dest` and `locked` in colour.
//!
//! Pipes and files get [`super::table`], which is much faster at scale; which
//! one runs is decided once, in [`init`], and chosen in [`super::write_table`]
//! and [`super::write_cells`]. Both lay out the same: columns two spaces apart,
//! numbers right-aligned, no borders, so a table that fits looks the same.

use crate::cli::ColorChoice;
use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;

use comfy_table::{
    Attribute, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Row, Table, Width,
    presets,
};
use shmtool::field::{Field, Value};

use super::Style;

/// How human tables are drawn, decided once for the whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terminal {
    /// Columns to fit into; `None` draws every cell whole.
    pub width: Option<u16>,
    /// Bold header and coloured status.
    pub color: bool,
}

static TERMINAL: OnceLock<Option<Terminal>> = OnceLock::new();

/// What `--color`, NO_COLOR and stdout make of the output. `to_file` is set
/// when the table goes to a file (`--output-atomic`): plain, and never coloured.
pub fn decide(
    choice: ColorChoice,
    no_color: bool,
    stdout_is_terminal: bool,
    to_file: bool,
) -> Option<Terminal> {
    if to_file {
        return None;
    }
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_terminal && !no_color,
    };
    if !stdout_is_terminal && !color {
        return None;
    }
    let width = if stdout_is_terminal {
        // Not terminal_size, which gives up when the row count is 0 (script(1)).
        rustix::termios::tcgetwinsize(io::stdout())
            .ok()
            .map(|size| size.ws_col)
    } else {
        // A pipe with --color always: watch(1) says its width in COLUMNS.
        std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
    };
    Some(Terminal {
        width: width.filter(|&w| w > 0),
        color,
    })
}

/// Decides, once, how this run draws tables (see [`decide`]).
pub fn init(choice: ColorChoice, to_file: bool) {
    // NO_COLOR counts when set and not empty (no-color.org); a dumb terminal has no colours.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    let _ = TERMINAL.set(decide(
        choice,
        no_color,
        io::stdout().is_terminal(),
        to_file,
    ));
}

/// The terminal tables are drawn for; `None` in a pipe or file (plain text).
pub fn current() -> Option<Terminal> {
    TERMINAL.get().copied().flatten()
}

/// How a column behaves when the table is wider than the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Never cut or wrapped: keys, ids, numbers, permissions, status.
    Whole,
    /// Wrapped onto more lines: names, times, descriptions.
    Wrap,
    /// Cut to one line with an ellipsis (a list's command).
    Cut,
}

/// How a list column may be shortened: only text may, and never an id.
fn fit_of(field: Field) -> Fit {
    use Field::*;
    match field {
        Command => Fit::Cut,
        Owner | Group | Creator | Atime | Dtime | Ctime | Mtime => Fit::Wrap,
        _ => Fit::Whole,
    }
}

fn width_of(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut to `width` display columns, the last of them an ellipsis.
fn cut(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Words up to this wide (names, dates) wrap whole; longer ones (paths in a
/// command) break inside, rather than push the line past the terminal.
const LONGEST_UNBROKEN: usize = 16;

/// A cell's text and colour.
type Styled = (String, Option<Color>);

impl Terminal {
    /// Cuts the cells of `Cut` columns to what the other columns leave of the
    /// width (at least their header), so that only they lose text.
    fn cut_cells(&self, header: &[&str], fits: &[Fit], rows: &mut [Vec<Styled>]) {
        let Some(width) = self.width else { return };
        let content = |i: usize| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| width_of(&c.0)))
                .chain([width_of(header[i])])
                .max()
                .unwrap_or(0)
        };
        let columns = header.len();
        let cuts: Vec<usize> = (0..columns).filter(|&i| fits[i] == Fit::Cut).collect();
        if cuts.is_empty() {
            return;
        }
        let others: usize = (0..columns)
            .filter(|i| !cuts.contains(i))
            .map(|i| content(i) + if i + 1 == columns { 0 } else { 2 })
            .sum();
        let paddings: usize = cuts
            .iter()
            .map(|&i| if i + 1 == columns { 0 } else { 2 })
            .sum();
        let left = usize::from(width).saturating_sub(others + paddings) / cuts.len();
        for row in rows.iter_mut() {
            for &i in &cuts {
                if let Some(cell) = row.get_mut(i) {
                    cell.0 = cut(&cell.0, left.max(width_of(header[i])));
                }
            }
        }
    }

    fn table(
        &self,
        header: &[&str],
        right: &[bool],
        fits: &[Fit],
        mut rows: Vec<Vec<Styled>>,
    ) -> Table {
        self.cut_cells(header, fits, &mut rows);
        let mut table = Table::new();
        table.load_style(presets::NOTHING);
        if self.color {
            table.force_no_tty().enforce_styling();
            table.style_text_only();
        } else {
            table.force_no_tty();
        }
        match self.width {
            Some(width) => {
                table
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(width);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        table.set_header(Row::from(
            header
                .iter()
                .map(|h| {
                    let cell = Cell::new(h);
                    if self.color {
                        cell.add_attribute(Attribute::Bold)
                    } else {
                        cell
                    }
                })
                .collect::<Vec<Cell>>(),
        ));
        let longest_word: Vec<u16> = (0..header.len())
            .map(|i| {
                let words = rows.iter().filter_map(|r| r.get(i)).map(|c| c.0.as_str());
                [header[i]]
                    .into_iter()
                    .chain(words)
                    .flat_map(|text| text.split(' '))
                    .map(width_of)
                    .max()
                    .unwrap_or(0)
                    .min(LONGEST_UNBROKEN) as u16
            })
            .collect();
        let last = header.len().saturating_sub(1);
        for (i, column) in table.column_iter_mut().enumerate() {
            // Two spaces between columns, none at the edges, as the plain table.
            let padding = if i == last { 0 } else { 2 };
            column.set_padding((0, padding));
            if right.get(i).copied().unwrap_or(false) {
                column.set_cell_alignment(CellAlignment::Right);
            }
            // Cut columns are cut already; the rest keep their text whole, or
            // wrap between words, never inside one.
            let constraint = match fits.get(i).copied().unwrap_or(Fit::Whole) {
                Fit::Wrap => ColumnConstraint::LowerBoundary(Width::Fixed(
                    longest_word[i].saturating_add(padding),
                )),
                _ => ColumnConstraint::ContentWidth,
            };
            column.set_constraint(constraint);
        }
        for row in rows {
            table.add_row(Row::from(
                row.into_iter()
                    .map(|(text, color)| {
                        let cell = Cell::new_owned(text);
                        match color {
                            Some(color) => cell.fg(color),
                            None => cell,
                        }
                    })
                    .collect::<Vec<Cell>>(),
            ));
        }
        table
    }

    fn finish(out: &mut dyn Write, table: &Table) -> io::Result<()> {
        for line in table.lines() {
            out.write_all(line.trim_end().as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Rows of values under the fields' names, as [`super::table::write`].
    pub fn write(
        &self,
        out: &mut dyn Write,
        fields: &[Field],
        rows: impl IntoIterator<Item = Vec<Value>>,
        style: Style,
    ) -> io::Result<()> {
        let right: Vec<bool> = fields.iter().map(|f| f.is_numeric()).collect();
        let fits: Vec<Fit> = fields.iter().map(|&f| fit_of(f)).collect();
        let header: Vec<&str> = fields.iter().map(|f| f.name()).collect();
        let rows: Vec<Vec<Styled>> = rows
            .into_iter()
            .map(|values| {
                values
                    .iter()
                    .map(|value| {
                        let mut text = String::new();
                        super::text_into(&mut text, value, style);
                        let color = match (self.color, value) {
                            (true, Value::Status(s)) if s.dest => Some(Color::Red),
                            (true, Value::Status(s)) if s.locked => Some(Color::Yellow),
                            _ => None,
                        };
                        (text, color)
                    })
                    .collect()
            })
            .collect();
        Self::finish(out, &self.table(&header, &right, &fits, rows))
    }

    /// Rows of text under `header`, as [`super::table::write_cells`]; cells
    /// come escaped.
    pub fn write_cells(
        &self,
        out: &mut dyn Write,
        header: &[&str],
        right: &[bool],
        fits: &[Fit],
        rows: impl Iterator<Item = Vec<String>>,
    ) -> io::Result<()> {
        let rows = rows
            .map(|cells| cells.into_iter().map(|c| (c, None)).collect())
            .collect();
        Self::finish(out, &self.table(header, right, fits, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_and_layout_follow_the_choice_and_stdout() {
        use ColorChoice::*;
        let color = |t: Option<Terminal>| t.map(|t| t.color);
        // (choice, NO_COLOR, stdout a terminal, to a file) -> None: plain text.
        assert_eq!(color(decide(Auto, false, true, false)), Some(true));
        assert_eq!(color(decide(Auto, true, true, false)), Some(false));
        assert_eq!(color(decide(Never, false, true, false)), Some(false));
        assert_eq!(color(decide(Auto, false, false, false)), None);
        assert_eq!(color(decide(Never, false, false, false)), None);
        assert_eq!(color(decide(Always, true, false, false)), Some(true));
        assert_eq!(color(decide(Always, false, true, true)), None);
    }

    #[test]
    fn cuts_by_display_width_with_an_ellipsis() {
        assert_eq!(cut("abcdef", 6), "abcdef");
        assert_eq!(cut("abcdefg", 6), "abcde…");
        assert_eq!(cut("名前名前", 6), "名前…");
        assert_eq!(width_of(&cut("名前名前", 6)), 5);
    }

    #[test]
    fn only_the_command_is_cut_and_keys_stay_whole() {
        let term = Terminal {
            width: Some(40),
            color: false,
        };
        let mut out = Vec::new();
        let rows = vec![vec![
            Value::Key(shmtool::segment::Key(0x1234)),
            Value::Int(7),
            Value::Command(std::rc::Rc::new(shmtool::process::CommandLine::new(
                b"/usr/bin/a-very-long-program-name --with many arguments".to_vec(),
            ))),
        ]];
        term.write(
            &mut out,
            &[Field::Key, Field::Shmid, Field::Command],
            rows,
            Style::default(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(width_of(line) <= 40, "{line:?}");
        }
        assert!(text.contains("0x00001234"), "{text}");
        assert!(text.contains('…'), "{text}");
        assert_eq!(text.lines().count(), 2, "{text}");
    }
}
