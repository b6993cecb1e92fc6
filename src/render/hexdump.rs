//! The canonical hex dump (as `hexdump -C`): offset, 16 bytes in hex, ASCII.
//! Runs of identical lines collapse to `*`.

use std::io::{self, Write};

/// Writes `bytes`, which start at `base` in the segment, as a hex dump.
pub fn write(out: &mut dyn Write, bytes: &[u8], base: u64) -> io::Result<()> {
    let mut previous: Option<&[u8]> = None;
    let mut starred = false;
    for (i, line) in bytes.chunks(16).enumerate() {
        let offset = base + (i as u64) * 16;
        if previous == Some(line) && line.len() == 16 {
            if !starred {
                writeln!(out, "*")?;
                starred = true;
            }
            continue;
        }
        previous = Some(line);
        starred = false;
        write!(out, "{offset:08x} ")?;
        for j in 0..16 {
            if j == 8 {
                write!(out, " ")?;
            }
            match line.get(j) {
                Some(b) => write!(out, " {b:02x}")?,
                None => write!(out, "   ")?,
            }
        }
        let ascii: String = line
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        writeln!(out, "  |{ascii}|")?;
    }
    writeln!(out, "{:08x}", base + bytes.len() as u64)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    fn dump(bytes: &[u8], base: u64) -> String {
        let mut out = Vec::new();
        super::write(&mut out, bytes, base).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn matches_hexdump_c() {
        assert_eq!(
            dump(b"hi\x00\x01ABCDEFGHIJKLMNOP", 0),
            "00000000  68 69 00 01 41 42 43 44  45 46 47 48 49 4a 4b 4c  |hi..ABCDEFGHIJKL|\n\
             00000010  4d 4e 4f 50                                       |MNOP|\n\
             00000014\n"
        );
    }

    #[test]
    fn collapses_repeated_lines_and_keeps_the_offset() {
        assert_eq!(
            dump(&[0u8; 64], 16),
            "00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n*\n00000050\n"
        );
    }

    #[test]
    fn empty_range_prints_only_the_offset() {
        assert_eq!(dump(&[], 5), "00000005\n");
    }
}
