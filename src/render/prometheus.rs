//! The Prometheus text exposition format (version 0.0.4), as node_exporter's
//! textfile collector reads it: each family once, HELP then TYPE then its
//! samples, no timestamps, label values escaped.

use std::io::{self, Write};

/// One sample: its labels, in order, and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub labels: Vec<(&'static str, String)>,
    pub value: i128,
}

/// A metric family: every sample of one metric name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Family {
    pub name: &'static str,
    pub help: &'static str,
    pub samples: Vec<Sample>,
}

impl Family {
    pub fn new(name: &'static str, help: &'static str) -> Family {
        Family {
            name,
            help,
            samples: Vec::new(),
        }
    }
}

/// A label value: the text as tables show it ([`shmtool::escape`]: control
/// characters as `\r`, `\xHH`, `\uHHHH`, a backslash doubled), then the
/// format's `\\` and `\"`. No control character reaches the file: parsers
/// differ on them (Python's splits lines at CR), and a terminal acts on ESC.
pub fn escape_label(value: &str, out: &mut String) {
    for c in shmtool::escape::escaped(value).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

/// HELP text: `\` and newline escaped.
fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Writes the families, all gauges; a family with no samples is left out.
pub fn write(out: &mut dyn Write, families: &[Family]) -> io::Result<()> {
    let mut line = String::with_capacity(256);
    for family in families.iter().filter(|f| !f.samples.is_empty()) {
        writeln!(out, "# HELP {} {}", family.name, escape_help(family.help))?;
        writeln!(out, "# TYPE {} gauge", family.name)?;
        for sample in &family.samples {
            line.clear();
            line.push_str(family.name);
            if !sample.labels.is_empty() {
                line.push('{');
                for (i, (name, value)) in sample.labels.iter().enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push_str(name);
                    line.push_str("=\"");
                    escape_label(value, &mut line);
                    line.push('"');
                }
                line.push('}');
            }
            line.push(' ');
            line.push_str(&sample.value.to_string());
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_and_families_written_once() {
        let mut fam = Family::new("shmtool_segment_bytes", "Size in bytes.");
        fam.samples.push(Sample {
            labels: vec![("owner", "a\\b\"c\nd\re\x1bf".into()), ("id", "1".into())],
            value: 4096,
        });
        fam.samples.push(Sample {
            labels: vec![],
            value: -1,
        });
        let empty = Family::new("shmtool_empty", "Nothing.");
        let mut out = Vec::new();
        write(&mut out, &[fam, empty]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# HELP shmtool_segment_bytes Size in bytes.\n\
             # TYPE shmtool_segment_bytes gauge\n\
             shmtool_segment_bytes{owner=\"a\\\\\\\\b\\\"c\\\\nd\\\\re\\\\x1bf\",id=\"1\"} 4096\n\
             shmtool_segment_bytes -1\n"
        );
    }
}
