//! Text that other users control (command lines, process and user names),
//! made safe to show: nothing in it can move the cursor, clear the screen,
//! start a new row or reorder what follows.
//!
//! People's formats (table, csv, info, ipcs) write `\\` for a backslash,
//! `\t`, `\n`, `\r`, `\xHH` for other control bytes (C0, DEL) and for each
//! byte of invalid UTF-8, and `\uHHHH` for C1 controls (U+0080–U+009F),
//! bidirectional controls and the line and paragraph separators. Raw
//! format writes each such byte, and whitespace, as `\NNN` octal, as
//! `/proc/mounts` does. Both are reversible; everything else is as it is.

/// Whether a character is one a terminal or a bidi-aware viewer acts on
/// rather than shows: C0, DEL, C1, bidi marks, overrides and isolates,
/// and U+2028/U+2029.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x1f'
            | '\x7f'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Whether every byte is printable ASCII other than `\`: nothing to escape.
fn plain_ascii(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|&b| (b' '..=b'~').contains(&b) && b != b'\\')
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `bytes` to `out` escaped for people (see the module's doc).
pub fn escape_into(out: &mut String, bytes: &[u8]) {
    if plain_ascii(bytes) {
        // Printable ASCII is valid UTF-8.
        out.push_str(std::str::from_utf8(bytes).unwrap_or_default());
        return;
    }
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\0'..='\x1f' | '\x7f' => hex_byte(out, c as u8),
                c if is_unsafe(c) => {
                    out.push_str("\\u");
                    let n = c as u32;
                    for shift in [12, 8, 4, 0] {
                        out.push(HEX[((n >> shift) & 0xf) as usize] as char);
                    }
                }
                c => out.push(c),
            }
        }
        for &b in chunk.invalid() {
            hex_byte(out, b);
        }
    }
}

fn hex_byte(out: &mut String, b: u8) {
    out.push_str("\\x");
    out.push(HEX[usize::from(b >> 4)] as char);
    out.push(HEX[usize::from(b & 0xf)] as char);
}

/// `text` escaped for people, borrowed when nothing needs escaping.
pub fn escaped(text: &str) -> std::borrow::Cow<'_, str> {
    if plain_ascii(text.as_bytes()) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(escape(text.as_bytes()))
    }
}

/// `bytes` escaped for people (see the module's doc).
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    escape_into(&mut out, bytes);
    out
}

/// Appends `bytes` to `out` as one word for raw format: every byte of
/// whitespace, `\`, a character [`escape`] escapes, or invalid UTF-8 is
/// written `\NNN` (octal), so `awk` splits nothing and nothing acts on the
/// terminal.
pub fn word_into(out: &mut String, bytes: &[u8]) {
    if plain_ascii(bytes) && !bytes.contains(&b' ') {
        out.push_str(std::str::from_utf8(bytes).unwrap_or_default());
        return;
    }
    let mut utf8 = [0u8; 4];
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_whitespace() || c == '\\' || is_unsafe(c) {
                c.encode_utf8(&mut utf8)
                    .bytes()
                    .for_each(|b| octal_byte(out, b));
            } else {
                out.push(c);
            }
        }
        chunk.invalid().iter().for_each(|&b| octal_byte(out, b));
    }
}

fn octal_byte(out: &mut String, b: u8) {
    out.push('\\');
    for shift in [6, 3, 0] {
        out.push(char::from(b'0' + ((b >> shift) & 7)));
    }
}

/// `bytes` as one raw-format word (see [`word_into`]).
pub fn word(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    word_into(&mut out, bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn people_see_escapes_not_effects() {
        assert_eq!(escape(b"sleep 100"), "sleep 100");
        assert_eq!(escape(b"a\\b"), "a\\\\b");
        assert_eq!(
            escape(b"x\n\t\r\x1b[2J\x7f\0"),
            "x\\n\\t\\r\\x1b[2J\\x7f\\x00"
        );
        assert_eq!(escape(b"\xff\xc3("), "\\xff\\xc3(");
        assert_eq!(escape("\u{9b}31m".as_bytes()), "\\u009b31m");
        assert_eq!(escape("a\u{202e}b\u{2066}".as_bytes()), "a\\u202eb\\u2066");
        assert_eq!(escape("über 日本 ✓".as_bytes()), "über 日本 ✓");
    }

    #[test]
    fn raw_words_escape_bytes_in_octal() {
        assert_eq!(word(b"sleep 100"), "sleep\\040100");
        assert_eq!(word(b"a\\b\tc"), "a\\134b\\011c");
        assert_eq!(word(b"\n\x1b\xff"), "\\012\\033\\377");
        assert_eq!(word("\u{85}é\u{a0}".as_bytes()), "\\302\\205é\\302\\240");
    }

    /// Undoes [`escape`], to show that it loses nothing.
    fn unescape(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find('\\') {
            out.extend_from_slice(&rest.as_bytes()[..i]);
            let tail = &rest[i + 1..];
            let (bytes, used): (Vec<u8>, usize) = match tail.as_bytes()[0] {
                b'\\' => (vec![b'\\'], 1),
                b't' => (vec![b'\t'], 1),
                b'n' => (vec![b'\n'], 1),
                b'r' => (vec![b'\r'], 1),
                b'x' => (vec![u8::from_str_radix(&tail[1..3], 16).unwrap()], 3),
                b'u' => {
                    let c = char::from_u32(u32::from_str_radix(&tail[1..5], 16).unwrap());
                    (c.unwrap().to_string().into_bytes(), 5)
                }
                other => panic!("unknown escape {other}"),
            };
            out.extend(bytes);
            rest = &tail[used..];
        }
        out.extend_from_slice(rest.as_bytes());
        out
    }

    proptest! {
        #[test]
        fn escapes_are_reversible_and_inert(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let shown = escape(&bytes);
            prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
            prop_assert_eq!(unescape(&shown), bytes.clone());
            let w = word(&bytes);
            prop_assert!(!w.chars().any(|c| c.is_whitespace() || is_unsafe(c)), "{w:?}");
        }

        #[test]
        fn text_escapes_are_reversible(text in "\\PC*|[\\x00-\\x{9f}\\x{202a}-\\x{202e}]*") {
            prop_assert_eq!(unescape(&escape(text.as_bytes())), text.as_bytes());
        }
    }
}
