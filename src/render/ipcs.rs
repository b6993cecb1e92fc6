//! Byte-for-byte the text of util-linux `ipcs -m` (and `-t`, `-p`, `-c`),
//! so scripts that parse it keep working; only names that hold control
//! characters differ, shown escaped ([`shmtool::escape`]).
//!
//! Rows are built with small padding helpers rather than `write!`: at 32,000
//! segments the formatting machinery was a third of our own time.

use std::io::{self, Write};

use shmtool::Segment;
use shmtool::escape;
use shmtool::users::Names;

/// Which `ipcs -m` view to reproduce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    #[default]
    Segments,
    /// `-t`: attach, detach and change times.
    Times,
    /// `-p`: creator and last-operation pids.
    Pids,
    /// `-c`: creators and owners.
    Creators,
}

impl View {
    fn title(self) -> &'static str {
        match self {
            View::Segments => "Shared Memory Segments",
            View::Times => "Shared Memory Attach/Detach/Change Times",
            View::Pids => "Shared Memory Creator/Last-op PIDs",
            View::Creators => "Shared Memory Segment Creators/Owners",
        }
    }
}

/// printf's `%-Ns`: the bytes, then spaces up to `width`.
fn left(out: &mut Vec<u8>, text: &[u8], width: usize) {
    out.extend_from_slice(text);
    out.resize(out.len() + width.saturating_sub(text.len()), b' ');
}

/// printf's `%-N.Ms`: at most `max` bytes, padded to `width`.
fn left_cut(out: &mut Vec<u8>, text: &[u8], width: usize, max: usize) {
    left(out, &text[..text.len().min(max)], width);
}

/// printf's `%Ns`: spaces, then the bytes.
fn right(out: &mut Vec<u8>, text: &[u8], width: usize) {
    out.resize(out.len() + width.saturating_sub(text.len()), b' ');
    out.extend_from_slice(text);
}

/// printf's `%-Nd` / `%-Nu`.
fn num(out: &mut Vec<u8>, n: impl itoa::Integer, width: usize) {
    left(out, itoa::Buffer::new().format(n).as_bytes(), width);
}

/// printf's `%-No`.
fn octal(out: &mut Vec<u8>, n: u32, width: usize) {
    let mut digits = [0u8; 11];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n & 7) as u8;
        n >>= 3;
        if n == 0 {
            break;
        }
    }
    left(out, &digits[i..], width);
}

/// `0x%08x`.
fn hex_key(out: &mut Vec<u8>, key: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"0x");
    for shift in (0..8).rev() {
        out.push(HEX[((key >> (shift * 4)) & 0xf) as usize]);
    }
}

/// `%-10.10s` of the name (escaped), or `%-10u` of the uid when it has none.
fn owner(out: &mut Vec<u8>, names: &mut Names, uid: u32) {
    match names.user_name(uid) {
        Some(name) => left_cut(out, escape::escaped(name).as_bytes(), 10, 10),
        None => num(out, uid, 10),
    }
}

/// ` %-20.16s` of `ctime(t) + 4` (`Nov 26 13:28:38 `), or `Not set`, in
/// local time as ipcs prints it.
fn time(out: &mut Vec<u8>, t: i64) {
    out.push(b' ');
    let stamp = (t != 0)
        .then(|| jiff::Timestamp::from_second(t).ok())
        .flatten();
    match stamp {
        Some(ts) => {
            let text = ts
                .to_zoned_datetime(super::time_zone())
                .strftime("%b %e %H:%M:%S ")
                .to_string();
            left_cut(out, text.as_bytes(), 20, 16);
        }
        None => left(out, b"Not set", 20),
    }
}

fn header(out: &mut Vec<u8>, columns: &[(&str, usize)]) {
    for (i, (name, width)) in columns.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        left(out, name.as_bytes(), *width);
    }
    out.push(b'\n');
}

/// Writes the view of `segments` exactly as `ipcs -m` would.
pub fn write(
    out: &mut dyn Write,
    segments: &[Segment],
    names: &mut Names,
    view: View,
    human: bool,
) -> io::Result<()> {
    let mut text = Vec::with_capacity(1 << 17);
    text.extend_from_slice(format!("\n------ {} --------\n", view.title()).as_bytes());
    match view {
        View::Segments => header(
            &mut text,
            &[
                ("key", 10),
                ("shmid", 10),
                ("owner", 10),
                ("perms", 10),
                (if human { "size" } else { "bytes" }, 10),
                ("nattch", 10),
                ("status", 12),
            ],
        ),
        View::Times => header(
            &mut text,
            &[
                ("shmid", 10),
                ("owner", 10),
                ("attached", 20),
                ("detached", 20),
                ("changed", 20),
            ],
        ),
        View::Pids => header(
            &mut text,
            &[("shmid", 10), ("owner", 10), ("cpid", 10), ("lpid", 10)],
        ),
        View::Creators => header(
            &mut text,
            &[
                ("shmid", 10),
                ("perms", 10),
                ("cuid", 10),
                ("cgid", 10),
                ("uid", 10),
                ("gid", 10),
            ],
        ),
    }
    for seg in segments {
        match view {
            View::Segments => {
                hex_key(&mut text, seg.key.0 as u32);
                text.push(b' ');
                num(&mut text, seg.shmid, 10);
                text.push(b' ');
                owner(&mut text, names, seg.uid);
                text.push(b' ');
                octal(&mut text, seg.perms(), 10);
                text.push(b' ');
                if human {
                    right(&mut text, super::human_size(seg.size).as_bytes(), 6);
                    text.extend_from_slice(b"    ");
                } else {
                    num(&mut text, seg.size, 10);
                }
                text.push(b' ');
                num(&mut text, seg.nattch, 10);
                let status = seg.status();
                text.push(b' ');
                left(&mut text, if status.dest { b"dest" } else { b" " }, 6);
                text.push(b' ');
                left(&mut text, if status.locked { b"locked" } else { b" " }, 6);
            }
            View::Times => {
                num(&mut text, seg.shmid, 10);
                text.push(b' ');
                owner(&mut text, names, seg.uid);
                time(&mut text, seg.atime);
                time(&mut text, seg.dtime);
                time(&mut text, seg.ctime);
            }
            View::Pids => {
                num(&mut text, seg.shmid, 10);
                text.push(b' ');
                owner(&mut text, names, seg.uid);
                text.push(b' ');
                num(&mut text, seg.cpid as u32, 10);
                text.push(b' ');
                num(&mut text, seg.lpid as u32, 10);
            }
            View::Creators => {
                num(&mut text, seg.shmid, 10);
                text.push(b' ');
                octal(&mut text, seg.perms(), 10);
                let ids = [
                    (seg.cuid, true),
                    (seg.cgid, false),
                    (seg.uid, true),
                    (seg.gid, false),
                ];
                for (id, is_user) in ids {
                    text.push(b' ');
                    let name = if is_user {
                        names.user_name(id)
                    } else {
                        names.group_name(id)
                    };
                    match name {
                        Some(name) => left(&mut text, escape::escaped(name).as_bytes(), 10),
                        None => num(&mut text, id, 10),
                    }
                }
            }
        }
        text.push(b'\n');
        if text.len() >= 1 << 16 {
            out.write_all(&text)?;
            text.clear();
        }
    }
    text.push(b'\n');
    out.write_all(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_padding() {
        let mut out = Vec::new();
        num(&mut out, 42u32, 5);
        octal(&mut out, 0o640, 5);
        octal(&mut out, 0, 2);
        hex_key(&mut out, 0xdeadbeef);
        left_cut(&mut out, b"averyveryverylong", 10, 10);
        right(&mut out, b"4K", 6);
        assert_eq!(out, b"42   640  0 0xdeadbeefaveryveryv    4K");
    }
}
