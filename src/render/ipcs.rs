//! Byte-for-byte the text of util-linux `ipcs -m` (and `-t`, `-p`, `-c`),
//! so scripts that parse it keep working.

use std::fmt::Write as _;
use std::io::{self, Write};

use shmtool::Segment;
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

/// `%-10.10s` of the name, or `%-10u` of the uid when it has none.
fn owner(line: &mut String, names: &mut Names, uid: u32) {
    let _ = match names.user_name(uid) {
        Some(name) => write!(line, "{name:<10.10}"),
        None => write!(line, "{uid:<10}"),
    };
}

/// `ctime(t) + 4` cut to 16 characters (`Nov 26 13:28:38 `), or `Not set`,
/// padded to 20, in local time as ipcs prints it.
fn time(line: &mut String, t: i64) {
    let text = match (t != 0)
        .then(|| jiff::Timestamp::from_second(t).ok())
        .flatten()
    {
        Some(ts) => ts
            .to_zoned_datetime(super::time_zone())
            .strftime("%b %e %H:%M:%S ")
            .to_string(),
        None => "Not set".to_owned(),
    };
    let _ = write!(line, " {text:<20.16}");
}

/// Writes the view of `segments` exactly as `ipcs -m` would.
pub fn write(
    out: &mut dyn Write,
    segments: &[Segment],
    names: &mut Names,
    view: View,
    human: bool,
) -> io::Result<()> {
    let mut text = String::with_capacity(64 + segments.len() * 80);
    let _ = write!(text, "\n------ {} --------\n", view.title());
    let _ = match view {
        View::Segments => writeln!(
            text,
            "{:<10} {:<10} {:<10} {:<10} {:<10} {:<10} {:<12}",
            "key",
            "shmid",
            "owner",
            "perms",
            if human { "size" } else { "bytes" },
            "nattch",
            "status"
        ),
        View::Times => writeln!(
            text,
            "{:<10} {:<10} {:<20} {:<20} {:<20}",
            "shmid", "owner", "attached", "detached", "changed"
        ),
        View::Pids => writeln!(
            text,
            "{:<10} {:<10} {:<10} {:<10}",
            "shmid", "owner", "cpid", "lpid"
        ),
        View::Creators => writeln!(
            text,
            "{:<10} {:<10} {:<10} {:<10} {:<10} {:<10}",
            "shmid", "perms", "cuid", "cgid", "uid", "gid"
        ),
    };
    for seg in segments {
        match view {
            View::Segments => {
                let _ = write!(text, "0x{:08x} {:<10} ", seg.key.0 as u32, seg.shmid);
                owner(&mut text, names, seg.uid);
                let _ = write!(text, " {:<10o} ", seg.perms());
                let _ = if human {
                    write!(text, "{:>6}    ", super::human_size(seg.size))
                } else {
                    write!(text, "{:<10}", seg.size)
                };
                let status = seg.status();
                let _ = writeln!(
                    text,
                    " {:<10} {:<6} {:<6}",
                    seg.nattch,
                    if status.dest { "dest" } else { " " },
                    if status.locked { "locked" } else { " " }
                );
            }
            View::Times => {
                let _ = write!(text, "{:<10} ", seg.shmid);
                owner(&mut text, names, seg.uid);
                time(&mut text, seg.atime);
                time(&mut text, seg.dtime);
                time(&mut text, seg.ctime);
                text.push('\n');
            }
            View::Pids => {
                let _ = write!(text, "{:<10} ", seg.shmid);
                owner(&mut text, names, seg.uid);
                let _ = writeln!(text, " {:<10} {:<10}", seg.cpid as u32, seg.lpid as u32);
            }
            View::Creators => {
                let _ = write!(text, "{:<10} {:<10o}", seg.shmid, seg.perms());
                let ids = [
                    (seg.cuid, true),
                    (seg.cgid, false),
                    (seg.uid, true),
                    (seg.gid, false),
                ];
                for (id, is_user) in ids {
                    let name = if is_user {
                        names.user(id)
                    } else {
                        names.group(id)
                    };
                    let _ = write!(text, " {name:<10}");
                }
                text.push('\n');
            }
        }
        if text.len() >= 1 << 16 {
            out.write_all(text.as_bytes())?;
            text.clear();
        }
    }
    text.push('\n');
    out.write_all(text.as_bytes())
}
