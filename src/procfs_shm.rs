//! The segment table: `/proc/sysvipc/shm`, parsed here rather than by the
//! procfs crate, whose parser types uids as u16 and reads the octal mode as
//! decimal.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::mpsc;

use crate::error::{Error, ParseError};
use crate::segment::{Key, Segment};

pub const PROC_SHM: &str = "/proc/sysvipc/shm";

const REQUIRED: [&str; 14] = [
    "key", "shmid", "perms", "size", "cpid", "lpid", "nattch", "uid", "gid", "cuid", "cgid",
    "atime", "dtime", "ctime",
];

/// Where each column sits in a row, found from the header by name.
struct Columns {
    count: usize,
    required: [usize; 14],
    rss: Option<usize>,
    swap: Option<usize>,
}

impl Columns {
    fn from_header(header: &str) -> Result<Columns, ParseError> {
        let names: Vec<&str> = header.split_ascii_whitespace().collect();
        let find = |name: &str| names.iter().position(|n| *n == name);
        let mut required = [0; 14];
        for (slot, name) in required.iter_mut().zip(REQUIRED) {
            *slot = find(name).ok_or_else(|| ParseError {
                line: 1,
                reason: format!("the header has no '{name}' column"),
            })?;
        }
        if names.len() > MAX_COLUMNS {
            return Err(ParseError {
                line: 1,
                reason: format!("{} columns are too many", names.len()),
            });
        }
        Ok(Columns {
            count: names.len(),
            required,
            rss: find("rss"),
            swap: find("swap"),
        })
    }
}

/// Integers as /proc prints them: decimal digits, a leading `-` when signed.
/// Faster than `str::parse`, which matters at 32,000 rows of 16 numbers.
trait FromField: Sized {
    fn from_field(text: &str) -> Option<Self>;
}

fn digits(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &b in bytes {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(n)
}

impl FromField for u64 {
    fn from_field(text: &str) -> Option<u64> {
        digits(text)
    }
}

impl FromField for i64 {
    fn from_field(text: &str) -> Option<i64> {
        match text.strip_prefix('-') {
            Some(rest) => {
                let n = digits(rest)?;
                (n <= 1 << 63).then(|| (n as i64).wrapping_neg())
            }
            None => i64::try_from(digits(text)?).ok(),
        }
    }
}

impl FromField for u32 {
    fn from_field(text: &str) -> Option<u32> {
        u32::try_from(digits(text)?).ok()
    }
}

impl FromField for i32 {
    fn from_field(text: &str) -> Option<i32> {
        i32::try_from(i64::from_field(text)?).ok()
    }
}

/// The most columns a row may have; the kernel prints 14 or 16.
const MAX_COLUMNS: usize = 32;

/// One row's fields, read by column name.
struct Row<'a> {
    fields: [&'a str; MAX_COLUMNS],
    count: usize,
    cols: &'a Columns,
    line: usize,
}

impl<'a> Row<'a> {
    fn split(line: &'a str, cols: &'a Columns, number: usize) -> Result<Row<'a>, ParseError> {
        let mut row = Row {
            fields: [""; MAX_COLUMNS],
            count: 0,
            cols,
            line: number,
        };
        // A byte scan: the fields are ASCII, so every cut is a char boundary.
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if start == i {
                break;
            }
            if row.count == MAX_COLUMNS {
                row.count += 1;
                break;
            }
            row.fields[row.count] = &line[start..i];
            row.count += 1;
        }
        if row.count != cols.count {
            return Err(ParseError {
                line: number,
                reason: format!("expected {} columns, found {}", cols.count, row.count),
            });
        }
        Ok(row)
    }

    fn parse_index<T: FromField>(&self, index: usize, name: &str) -> Result<T, ParseError> {
        let text = self.fields.get(index).copied().unwrap_or("");
        T::from_field(text).ok_or_else(|| ParseError {
            line: self.line,
            reason: format!("'{text}' is not a valid {name}"),
        })
    }

    fn get<T: FromField>(&self, slot: usize) -> Result<T, ParseError> {
        self.parse_index(self.cols.required[slot], REQUIRED[slot])
    }

    fn optional(&self, index: Option<usize>, name: &str) -> Result<Option<u64>, ParseError> {
        index.map(|i| self.parse_index(i, name)).transpose()
    }

    fn mode(&self) -> Result<u32, ParseError> {
        let text = self
            .fields
            .get(self.cols.required[2])
            .copied()
            .unwrap_or("");
        let valid = !text.is_empty()
            && text.len() <= 10
            && text.bytes().all(|b| (b'0'..=b'7').contains(&b));
        valid
            .then(|| u32::from_str_radix(text, 8).ok())
            .flatten()
            .ok_or_else(|| ParseError {
                line: self.line,
                reason: format!("'{text}' is not an octal mode"),
            })
    }

    fn segment(&self) -> Result<Segment, ParseError> {
        Ok(Segment {
            key: Key(self.get(0)?),
            shmid: self.get(1)?,
            mode: self.mode()?,
            size: self.get(3)?,
            cpid: self.get(4)?,
            lpid: self.get(5)?,
            nattch: self.get(6)?,
            uid: self.get(7)?,
            gid: self.get(8)?,
            cuid: self.get(9)?,
            cgid: self.get(10)?,
            atime: self.get(11)?,
            dtime: self.get(12)?,
            ctime: self.get(13)?,
            rss: self.optional(self.cols.rss, "rss")?,
            swap: self.optional(self.cols.swap, "swap")?,
        })
    }
}

/// Parses the table a line at a time: the header first, then the rows.
struct Parser {
    cols: Option<Columns>,
    line: usize,
    segments: Vec<Segment>,
}

impl Parser {
    fn new(capacity: usize) -> Parser {
        Parser {
            cols: None,
            line: 0,
            segments: Vec::with_capacity(capacity),
        }
    }

    fn line(&mut self, text: &str) -> Result<(), ParseError> {
        self.line += 1;
        match &self.cols {
            None => self.cols = Some(Columns::from_header(text)?),
            Some(_) if text.trim_ascii().is_empty() => {}
            Some(cols) => self
                .segments
                .push(Row::split(text, cols, self.line)?.segment()?),
        }
        Ok(())
    }

    fn finish(self) -> Result<Vec<Segment>, ParseError> {
        match self.cols {
            Some(_) => Ok(self.segments),
            None => Err(ParseError {
                line: 1,
                reason: "the file is empty".into(),
            }),
        }
    }
}

/// Parses the text of `/proc/sysvipc/shm`: a header naming the columns,
/// then one line per segment. Blank lines are ignored. Never panics.
pub fn parse(text: &str) -> Result<Vec<Segment>, ParseError> {
    let mut parser = Parser::new(text.len() / 160);
    for line in text.lines() {
        parser.line(line)?;
    }
    parser.finish()
}

/// The longest line accepted. The kernel's rows are under 400 bytes; a
/// file with no newline in sight (a bind-mounted /dev/zero) is refused
/// here rather than buffered until memory runs out.
const MAX_LINE: usize = 4096;

/// Reads and parses the table as it streams in, so the whole text is never
/// held at once (6 MB at 32,000 segments).
fn read_table(mut reader: impl BufRead, capacity: usize) -> Result<Vec<Segment>, Error> {
    let mut parser = Parser::new(capacity);
    // Lines are parsed where they lie in the reader's buffer; only a line
    // cut by the buffer's end is carried over.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let buf = reader.fill_buf().map_err(|e| Error::Io {
            what: format!("reading {PROC_SHM}"),
            source: e,
        })?;
        if buf.is_empty() {
            if !carry.is_empty() {
                parse_line(&mut parser, &carry)?;
            }
            return parser.finish().map_err(|e| Error::Table {
                path: PROC_SHM,
                source: e,
            });
        }
        let mut rest = buf;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            if carry.is_empty() {
                parse_line(&mut parser, &rest[..end])?;
            } else {
                carry.extend_from_slice(&rest[..end]);
                parse_line(&mut parser, &carry)?;
                carry.clear();
            }
            rest = &rest[end + 1..];
        }
        if carry.len() + rest.len() > MAX_LINE {
            return Err(Error::Table {
                path: PROC_SHM,
                source: ParseError {
                    line: parser.line + 1,
                    reason: format!("the line is longer than {MAX_LINE} bytes"),
                },
            });
        }
        carry.extend_from_slice(rest);
        let used = buf.len();
        reader.consume(used);
    }
}

fn parse_line(parser: &mut Parser, line: &[u8]) -> Result<(), Error> {
    let table_error = |e| Error::Table {
        path: PROC_SHM,
        source: e,
    };
    let text = std::str::from_utf8(line).map_err(|_| {
        table_error(ParseError {
            line: parser.line + 1,
            reason: "the line is not UTF-8".into(),
        })
    })?;
    parser.line(text).map_err(table_error)
}

/// Below this many segments the table is read on the calling thread: a
/// second thread costs more to start than it saves.
const PREFETCH_FROM: usize = 512;

/// Reads and parses `file`. For a large table, a second thread makes the
/// `read` calls while this one parses what has arrived: the kernel formats
/// the text a page per call (40 ms of system time at 32,000 segments), and
/// parsing meanwhile hides most of our own time. The rows are the same
/// either way, and nothing is returned before the whole text was read.
fn read_file_table(mut file: impl Read + Send, capacity: usize) -> Result<Vec<Segment>, Error> {
    if capacity >= PREFETCH_FROM {
        let prefetched = std::thread::scope(|scope| {
            // A few chunks in flight keep both threads busy without holding
            // the whole text. A parser that stops early drops `chunks`,
            // which ends the thread at its next send.
            let (send, chunks) = mpsc::sync_channel(8);
            let source = &mut file;
            // No thread to be had (a process or cgroup limit): one thread.
            std::thread::Builder::new()
                .spawn_scoped(scope, move || read_chunks(source, &send))
                .ok()?;
            let reader = Prefetched {
                chunks,
                chunk: Vec::new(),
                pos: 0,
            };
            Some(read_table(reader, capacity))
        });
        if let Some(table) = prefetched {
            return table;
        }
    }
    read_table(BufReader::with_capacity(CHUNK, file), capacity)
}

/// The size of each read of the table.
const CHUNK: usize = 1 << 16;

/// The reading thread: sends the text in chunks of up to [`CHUNK`] bytes,
/// then an empty chunk at its end, or the error that stopped it.
fn read_chunks(mut file: impl Read, send: &mpsc::SyncSender<io::Result<Vec<u8>>>) {
    loop {
        // The kernel gives about a page per call: fill the chunk first. On
        // an error, what was read before it is in the chunk and goes first.
        let mut chunk = Vec::with_capacity(CHUNK);
        let read = (&mut file).take(CHUNK as u64).read_to_end(&mut chunk);
        let end = chunk.is_empty();
        if !end && send.send(Ok(chunk)).is_err() {
            return;
        }
        match read {
            Err(e) => {
                let _ = send.send(Err(e));
                return;
            }
            Ok(_) if end => {
                let _ = send.send(Ok(Vec::new()));
                return;
            }
            Ok(_) => {}
        }
    }
}

/// The receiving end of [`read_chunks`], as a `BufRead`.
struct Prefetched {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl Read for Prefetched {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Prefetched {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.chunk.len() {
            // The thread never ends without sending an empty chunk or an
            // error, so a closed channel cannot cut the text short unseen.
            self.chunk = self.chunks.recv().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the reading thread ended early",
                )
            })??;
            self.pos = 0;
        }
        Ok(&self.chunk[self.pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.chunk.len());
    }
}

/// Where a segment list came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `/proc/sysvipc/shm`.
    Proc,
    /// `shmctl(IPC_INFO)` and `SHM_STAT_ANY` per index, used when /proc
    /// cannot be read or parsed; the text says why.
    Shmctl(String),
    /// `shmctl(IPC_INFO)` and `SHM_STAT_ANY` per index, chosen because no
    /// rss or swap was asked for ([`read_segments_without_usage`]).
    Walk,
}

/// Reads every segment of the caller's IPC namespace, in one read of
/// `/proc/sysvipc/shm`; falls back to shmctl when that file fails.
pub fn read_segments() -> Result<(Vec<Segment>, Source), Error> {
    // The highest index in use sizes the list (IPC_INFO, which is cheap; not
    // SHM_INFO, which walks every segment in the kernel to total rss and swap).
    let capacity = crate::sysv::max_index().map_or(64, |i| usize::try_from(i + 1).unwrap_or(64));
    let why = match std::fs::File::open(PROC_SHM) {
        Ok(file) => match read_file_table(file, capacity) {
            Ok(segments) => return Ok((segments, Source::Proc)),
            Err(e) => e,
        },
        Err(e) => Error::Io {
            what: format!("reading {PROC_SHM}"),
            source: e,
        },
    };
    match crate::sysv::stat_all() {
        Ok(segments) => {
            let reason = match &why {
                Error::Io { source, .. } => source.to_string(),
                other => other.to_string(),
            };
            Ok((segments, Source::Shmctl(reason)))
        }
        // Report the /proc failure: it is the one the user can look into.
        Err(_) => Err(why),
    }
}

/// Reads every segment without its rss and swap (both `None`): the shmctl
/// walk (`IPC_INFO`, then `SHM_STAT_ANY` per index) costs a fifth of what
/// the kernel's /proc text does (BENCHMARKS.md), and gives the same rows
/// otherwise. Falls back to /proc where `SHM_STAT_ANY` is missing (before
/// Linux 4.17) or refused; rss and swap are then dropped, so callers see
/// the same rows from either source.
pub fn read_segments_without_usage() -> Result<(Vec<Segment>, Source), Error> {
    match crate::sysv::stat_all_any() {
        Ok(segments) => Ok((segments, Source::Walk)),
        Err(_) => {
            let (mut segments, source) = read_segments()?;
            for seg in &mut segments {
                (seg.rss, seg.swap) = (None, None);
            }
            Ok((segments, source))
        }
    }
}

/// Reads every segment with shmctl (`IPC_INFO`, then `SHM_STAT_ANY` per
/// index), as `ipcrm --all` does, falling back to /proc. For `remove`, which
/// makes a system call per segment anyway: the binary records cost half what
/// the kernel's /proc text does at 32,000 segments (BENCHMARKS.md). They
/// carry no rss or swap, which no filter needs.
pub fn read_segments_for_removal() -> Result<Vec<Segment>, Error> {
    match crate::sysv::stat_all() {
        Ok(segments) => Ok(segments),
        Err(_) => read_segments().map(|(segments, _)| segments),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER_16: &str = "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap";
    const HEADER_14: &str = "       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime";

    #[test]
    fn parses_sixteen_columns_with_the_traps() {
        let text = format!(
            "{HEADER_16}\n -559038737          2  3640                100000  1772  1780      1 100000 100001 100002 100003 1795701561 1795701562 1795701563                  4096                     8\n"
        );
        let segs = parse(&text).unwrap();
        assert_eq!(segs.len(), 1);
        let s = &segs[0];
        assert_eq!(s.key.to_string(), "0xdeadbeef");
        assert_eq!(s.shmid, 2);
        assert_eq!(s.mode, 0o3640);
        assert_eq!(s.perms(), 0o640);
        assert!(s.status().dest && s.status().locked);
        assert_eq!(s.size, 100000);
        assert_eq!((s.cpid, s.lpid, s.nattch), (1772, 1780, 1));
        assert_eq!(
            (s.uid, s.gid, s.cuid, s.cgid),
            (100000, 100001, 100002, 100003)
        );
        assert_eq!(
            (s.atime, s.dtime, s.ctime),
            (1795701561, 1795701562, 1795701563)
        );
        assert_eq!((s.rss, s.swap), (Some(4096), Some(8)));
    }

    #[test]
    fn parses_fourteen_columns_and_big_sizes() {
        let text = format!(
            "{HEADER_14}\n      4660          0   644 18446744073692774399     1     0      0     0     0     0     0          0          0          5\n"
        );
        let s = &parse(&text).unwrap()[0];
        assert_eq!(s.size, 18446744073692774399);
        assert_eq!((s.rss, s.swap), (None, None));
        assert_eq!(s.uid, 0);
    }

    #[test]
    fn finds_columns_by_name_in_any_order() {
        let text = "shmid key perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime\n7 4660 600 10 1 2 0 4294967294 5 6 7 0 0 9\n";
        let s = &parse(text).unwrap()[0];
        assert_eq!((s.shmid, s.key), (7, Key(4660)));
        assert_eq!(s.uid, 4294967294);
    }

    #[test]
    fn header_only_is_an_empty_table() {
        assert_eq!(parse(&format!("{HEADER_16}\n")).unwrap(), vec![]);
    }

    #[test]
    fn rejects_malformed_text() {
        assert!(parse("").is_err());
        assert!(parse("key shmid\n1 2\n").is_err());
        let short = format!("{HEADER_16}\n1 2 3\n");
        assert_eq!(parse(&short).unwrap_err().line, 2);
        let bad_mode = format!("{HEADER_14}\n1 0 689 1 1 1 0 0 0 0 0 0 0 0\n");
        assert!(parse(&bad_mode).is_err());
        let neg_uid = format!("{HEADER_14}\n1 0 600 1 1 1 0 -1 0 0 0 0 0 0\n");
        assert!(parse(&neg_uid).is_err());
    }

    #[test]
    fn numbers_at_their_limits() {
        assert_eq!(i64::from_field("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(i64::from_field("9223372036854775807"), Some(i64::MAX));
        assert_eq!(i64::from_field("9223372036854775808"), None);
        assert_eq!(i64::from_field("-9223372036854775809"), None);
        assert_eq!(u64::from_field("18446744073709551615"), Some(u64::MAX));
        assert_eq!(u64::from_field("18446744073709551616"), None);
        assert_eq!(i32::from_field("-2147483648"), Some(i32::MIN));
        assert_eq!(i32::from_field("2147483648"), None);
        assert_eq!(u32::from_field("4294967295"), Some(u32::MAX));
        assert_eq!(u32::from_field("-1"), None);
        for bad in ["", "-", "+5", "1e3", " 1", "0x10", "--1"] {
            assert_eq!(i64::from_field(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn streaming_and_whole_text_agree() {
        let text = format!(
            "{HEADER_16}\n -559038737 2 3640 100000 1772 1780 1 100000 100001 100002 100003 1 2 3 4096 8\n\n 4660 3 600 1 1 0 0 0 0 0 0 0 0 5 0 0\n"
        );
        let streamed = read_table(text.as_bytes(), 0).unwrap();
        assert_eq!(streamed, parse(&text).unwrap());
        assert_eq!(streamed.len(), 2);
        assert!(read_table(&b""[..], 0).is_err());
        assert!(read_table(&b"key\xff\n"[..], 0).is_err());
    }

    /// A table of `rows` rows of varied widths, so lines straddle chunks.
    fn big_table(rows: usize) -> String {
        let mut text = format!("{HEADER_16}\n");
        for i in 0..rows {
            let pad = " ".repeat(i % 23);
            text += &format!(
                "{pad}{} {i} 600 {} {i} 0 {} 0 0 0 0 {i} 0 {} {} 0\n",
                i * 7919,
                i * 4096,
                i % 3,
                1_795_000_000 + i,
                i * 8
            );
        }
        text
    }

    /// Hands out at most `step` bytes a call, then fails at `fail_at`.
    struct Trickle<'a> {
        text: &'a [u8],
        step: usize,
        fail_at: Option<usize>,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let end = self.fail_at.unwrap_or(usize::MAX);
            if end == 0 {
                return Err(std::io::Error::other("the disk is on fire"));
            }
            let n = self.text.len().min(out.len()).min(self.step).min(end);
            out[..n].copy_from_slice(&self.text[..n]);
            self.text = &self.text[n..];
            self.fail_at = self.fail_at.map(|at| at - n);
            Ok(n)
        }
    }

    #[test]
    fn the_prefetching_reader_gives_the_rows_the_text_has() {
        let text = big_table(6000);
        assert!(text.len() > 4 * CHUNK);
        let whole = parse(&text).unwrap();
        assert_eq!(whole.len(), 6000);
        for step in [1, 4096, 1 << 20] {
            let reader = Trickle {
                text: text.as_bytes(),
                step,
                fail_at: None,
            };
            let prefetched = read_file_table(reader, PREFETCH_FROM).unwrap();
            assert_eq!(prefetched, whole, "reads of {step} bytes");
        }
    }

    #[test]
    fn a_read_error_midway_fails_the_prefetched_table_not_shortens_it() {
        let text = big_table(6000);
        for fail_at in [0, 100, CHUNK, CHUNK + 1, text.len() - 10] {
            let reader = Trickle {
                text: text.as_bytes(),
                step: 4096,
                fail_at: Some(fail_at),
            };
            let err = read_file_table(reader, PREFETCH_FROM)
                .unwrap_err()
                .to_string();
            assert!(err.contains("the disk is on fire"), "at {fail_at}: {err}");
        }
    }

    #[test]
    fn an_endless_line_is_refused_after_max_line_bytes() {
        use std::io::Read;
        let endless = std::io::BufReader::new(std::io::repeat(0).take(16 << 20));
        let err = read_table(endless, 0).unwrap_err().to_string();
        assert_eq!(
            err,
            format!("cannot parse {PROC_SHM}: line 1: the line is longer than 4096 bytes")
        );
        // A long row after the header is numbered as the line it is.
        let text = format!("{HEADER_16}\n{}", "1 ".repeat(3000));
        let err = read_table(text.as_bytes(), 0).unwrap_err().to_string();
        assert!(err.contains("line 2: the line is longer"), "{err}");
    }

    proptest! {
        #[test]
        fn streaming_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_table(&bytes[..], 0);
        }

        #[test]
        fn integers_parse_as_std_does(n in any::<i64>(), u in any::<u64>()) {
            prop_assert_eq!(i64::from_field(&n.to_string()), Some(n));
            prop_assert_eq!(u64::from_field(&u.to_string()), Some(u));
            prop_assert_eq!(i32::from_field(&n.to_string()), i32::try_from(n).ok());
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = parse(&text);
        }

        #[test]
        fn arbitrary_rows_never_panic(rows in proptest::collection::vec("[-0-9a-z ]{0,80}", 0..8)) {
            let text = format!("{HEADER_16}\n{}", rows.join("\n"));
            let _ = parse(&text);
        }

        #[test]
        fn printed_rows_parse_back(
            key in any::<i32>(), id in 0i32.., mode in 0u32..0o4000, size in any::<u64>(),
            cpid in 0i32.., lpid in 0i32.., nattch in any::<u64>(),
            uid in any::<u32>(), gid in any::<u32>(), cuid in any::<u32>(), cgid in any::<u32>(),
            atime in 0i64.., dtime in 0i64.., ctime in 0i64.., rss in any::<u64>(), swap in any::<u64>(),
        ) {
            let row = format!(
                "{key:10} {id:10}  {mode:4o} {size:21} {cpid:5} {lpid:5}  {nattch:5} {uid:5} {gid:5} {cuid:5} {cgid:5} {atime:10} {dtime:10} {ctime:10} {rss:21} {swap:21}"
            );
            let s = parse(&format!("{HEADER_16}\n{row}\n")).unwrap().remove(0);
            prop_assert_eq!(s, Segment {
                key: Key(key), shmid: id, mode, size, cpid, lpid, nattch, uid, gid, cuid, cgid,
                atime, dtime, ctime, rss: Some(rss), swap: Some(swap),
            });
        }
    }
}
