//! The canonical hex dump (as `hexdump -C`): offset, 16 bytes in hex, ASCII.
//! Runs of identical lines collapse to `*`.

use std::io::{self, Write};

/// A hex dump written piece by piece, so a large segment is dumped from
/// small copies of it. Every piece but the last must be a whole number of
/// 16-byte lines.
pub struct HexDump {
    /// The offset of the next byte.
    at: u64,
    previous: Option<[u8; 16]>,
    starred: bool,
}

impl HexDump {
    /// A dump whose first byte is at `base` in the segment.
    pub fn new(base: u64) -> HexDump {
        HexDump {
            at: base,
            previous: None,
            starred: false,
        }
    }

    /// Writes the next bytes.
    pub fn push(&mut self, out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
        for line in bytes.chunks(16) {
            let offset = self.at;
            self.at += line.len() as u64;
            let full: Option<[u8; 16]> = line.try_into().ok();
            if full.is_some() && self.previous == full {
                if !self.starred {
                    writeln!(out, "*")?;
                    self.starred = true;
                }
                continue;
            }
            self.previous = full;
            self.starred = false;
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
        Ok(())
    }

    /// Writes the closing offset.
    pub fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{:08x}", self.at)?;
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    fn dump(bytes: &[u8], base: u64) -> String {
        let mut out = Vec::new();
        let mut dump = super::HexDump::new(base);
        dump.push(&mut out, bytes).unwrap();
        dump.finish(&mut out).unwrap();
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
    fn pieces_dump_as_one() {
        let bytes: Vec<u8> = (0..200u32)
            .map(|i| if i < 100 { 0 } else { i as u8 })
            .collect();
        let mut out = Vec::new();
        let mut pieces = super::HexDump::new(7);
        for piece in bytes.chunks(32) {
            pieces.push(&mut out, piece).unwrap();
        }
        pieces.finish(&mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), dump(&bytes, 7));
    }

    #[test]
    fn empty_range_prints_only_the_offset() {
        assert_eq!(dump(&[], 5), "00000005\n");
    }
}
