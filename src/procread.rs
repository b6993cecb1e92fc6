//! Reading other processes through /proc within bounds, whatever they do:
//! maps a line at a time with a cap on what one line keeps, the threads
//! whose memory or descriptors the leader does not show, and a deadline
//! for each process.

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};

/// How long one process may take to answer before it counts as not
/// inspected: a read of /proc can wait on the process's memory lock or on
/// a file system (a FUSE server that never answers).
pub const DEADLINE: Duration = Duration::from_secs(2);

/// The first bytes of a maps line kept: the five fields before the path
/// (range, perms, offset, device, inode) take under 100.
pub const HEAD: usize = 256;

/// The last bytes of a maps line kept: room for `/NAME (deleted)` with a
/// NAME of 255 bytes, the longest a file name can be.
pub const TAIL: usize = 512;

/// The lines of a `/proc/PID/maps`, read as a stream: a process can make
/// the file gigabytes (tens of thousands of mappings under a path tens of
/// kilobytes deep), and only the fields before the path and the path's end
/// matter, so of each line only its first [`HEAD`] and last [`TAIL`] bytes
/// are kept.
pub struct MapsLines<R> {
    reader: io::BufReader<R>,
    head: Vec<u8>,
    tail: Vec<u8>,
    len: usize,
}

/// One line of a maps file, without its newline.
#[derive(Debug)]
pub struct MapsLine<'a> {
    /// The line's first bytes, at most [`HEAD`].
    pub head: &'a [u8],
    /// The line's last bytes, at most [`TAIL`] (the whole line when it is
    /// no longer than that).
    pub tail: &'a [u8],
    /// The line's length.
    pub len: usize,
}

impl MapsLine<'_> {
    /// Whether `head` is the whole line.
    pub fn whole(&self) -> bool {
        self.len <= HEAD
    }
}

impl<R: Read> MapsLines<R> {
    pub fn new(source: R) -> MapsLines<R> {
        MapsLines {
            reader: io::BufReader::with_capacity(64 << 10, source),
            head: Vec::with_capacity(HEAD),
            tail: Vec::with_capacity(TAIL * 2),
            len: 0,
        }
    }

    /// The next line; `None` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<MapsLine<'_>>> {
        self.head.clear();
        self.tail.clear();
        self.len = 0;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                if self.len == 0 {
                    return Ok(None);
                }
                break;
            }
            let (chunk, used, ended) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..i], i + 1, true),
                None => (buf, buf.len(), false),
            };
            let room = HEAD.saturating_sub(self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..room]);
            if chunk.len() >= TAIL {
                self.tail.clear();
                self.tail.extend_from_slice(&chunk[chunk.len() - TAIL..]);
            } else {
                self.tail.extend_from_slice(chunk);
                let extra = self.tail.len().saturating_sub(TAIL);
                self.tail.drain(..extra);
            }
            self.len += chunk.len();
            self.reader.consume(used);
            if ended {
                break;
            }
        }
        Ok(Some(MapsLine {
            head: &self.head,
            tail: &self.tail,
            len: self.len,
        }))
    }
}

/// Whether an error reading /proc says the process or thread is gone.
pub fn gone(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH)
}

/// A process's state letter and thread count, from `/proc/PID/stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskState {
    /// `R`, `S`, `Z` (zombie)…
    pub state: u8,
    pub threads: u64,
}

impl TaskState {
    pub fn read(proc_dir: &Path) -> io::Result<TaskState> {
        let mut text = Vec::new();
        std::fs::File::open(proc_dir.join("stat"))?
            .take(4096)
            .read_to_end(&mut text)?;
        TaskState::parse(&text).ok_or_else(|| io::Error::other("unexpected /proc/PID/stat"))
    }

    fn parse(text: &[u8]) -> Option<TaskState> {
        // The name in parentheses may hold anything, ')' included.
        let after = &text[text.iter().rposition(|&b| b == b')')? + 1..];
        let mut fields = after.split(|&b| b == b' ').filter(|f| !f.is_empty());
        let state = *fields.next()?.first()?;
        // num_threads is field 20; the state is field 3.
        let threads = std::str::from_utf8(fields.nth(16)?).ok()?.parse().ok()?;
        Some(TaskState { state, threads })
    }

    /// The leader exited (`pthread_exit` of the main thread) while other
    /// threads run: its own maps, fd and ns are empty.
    pub fn zombie_leader(&self) -> bool {
        self.state == b'Z' && self.threads > 1
    }
}

/// The thread ids of a process other than the leader's.
fn other_threads(proc_dir: &Path, pid: i32) -> io::Result<Vec<i32>> {
    let mut tids = Vec::new();
    for entry in std::fs::read_dir(proc_dir.join("task"))? {
        let tid = entry?.file_name().to_str().and_then(|s| s.parse().ok());
        if let Some(tid) = tid.filter(|&t| t != pid) {
            tids.push(tid);
        }
    }
    Ok(tids)
}

/// The directories whose `maps` (and `ns/`) show a process's memory, to be
/// tried in order until one answers: its own, or where the leader is a
/// zombie, each other thread's (threads share one memory, so one is enough).
pub fn memory_dirs(proc_dir: &Path, pid: i32, state: &TaskState) -> io::Result<Vec<PathBuf>> {
    if !state.zombie_leader() {
        return Ok(vec![proc_dir.to_owned()]);
    }
    Ok(other_threads(proc_dir, pid)?
        .into_iter()
        .map(|tid| proc_dir.join(format!("task/{tid}")))
        .collect())
}

/// The `fd` directories that together show a process's descriptors: its
/// own, and that of each thread with a table of its own
/// (`unshare(CLONE_FILES)`, or every thread when the leader exited), each
/// distinct table once. Threads are listed only when there are several.
pub fn fd_dirs(proc_dir: &Path, pid: i32, state: &TaskState) -> io::Result<Vec<PathBuf>> {
    let mut dirs = vec![proc_dir.join("fd")];
    if state.threads <= 1 {
        return Ok(dirs);
    }
    let mut tables: Vec<i32> = Vec::new();
    for tid in other_threads(proc_dir, pid)? {
        let shared = |other: i32| match crate::sysv::same_fd_table(other, tid) {
            Ok(same) => Some(same),
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => None,
            // Cannot tell (no kcmp, not permitted): read that table.
            Err(_) => Some(false),
        };
        match shared(pid) {
            None | Some(true) => continue,
            Some(false) => {}
        }
        if tables.iter().any(|&t| shared(t) == Some(true)) {
            continue;
        }
        tables.push(tid);
        dirs.push(proc_dir.join(format!("task/{tid}/fd")));
    }
    Ok(dirs)
}

/// What all the probes of one run of shmtool may take together: a few
/// processes that each take nearly [`DEADLINE`] (huge maps, on purpose or
/// not) must not make a run outlast the metrics unit's 30 s start timeout,
/// or the metrics file would never be written again. Past it, every
/// process not yet answered counts as not inspected.
pub const BUDGET: Duration = Duration::from_secs(20);

/// When this run's [`BUDGET`] ends: counted from the first probe.
fn run_ends() -> Instant {
    static ENDS: OnceLock<Instant> = OnceLock::new();
    *ENDS.get_or_init(|| Instant::now() + BUDGET)
}

/// Runs `probe` on each item, in order, on a helper thread, and hands
/// `each` the item with its answer, or `None` when the answer did not come
/// within `limit` of the previous one (so each probe has `limit`), or once
/// the run's [`BUDGET`] is spent. A helper stuck in a probe is abandoned
/// (it ends when its probe does, or with the process) and a new one takes
/// the items after that one.
pub fn each_within<T, R, F>(
    items: Vec<T>,
    limit: Duration,
    probe: F,
    each: impl FnMut(T, Option<R>),
) where
    T: Copy + Send + Sync + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    each_until(items, limit, run_ends(), probe, each);
}

/// [`each_within`], with every answer due by `ends` at the latest.
fn each_until<T, R, F>(
    items: Vec<T>,
    limit: Duration,
    ends: Instant,
    probe: F,
    mut each: impl FnMut(T, Option<R>),
) where
    T: Copy + Send + Sync + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let (items, probe) = (Arc::new(items), Arc::new(probe));
    let mut next = 0;
    while next < items.len() {
        if Instant::now() >= ends {
            // The budget is spent: the rest are not inspected, at once.
            items[next..].iter().for_each(|&item| each(item, None));
            return;
        }
        let Some(answers) = helper(Arc::clone(&items), next, Arc::clone(&probe)) else {
            // No thread to be had: nothing more can be inspected.
            items[next..].iter().for_each(|&item| each(item, None));
            return;
        };
        while next < items.len() {
            let item = items[next];
            next += 1;
            let left = ends.saturating_duration_since(Instant::now());
            match answers.recv_timeout(limit.min(left)) {
                Ok(answer) => each(item, Some(answer)),
                Err(_) => {
                    each(item, None);
                    break;
                }
            }
        }
    }
}

/// A thread that probes `items` from `from` on, sending each answer in
/// order, and stops when no one listens any more.
fn helper<T, R, F>(items: Arc<Vec<T>>, from: usize, probe: Arc<F>) -> Option<mpsc::Receiver<R>>
where
    T: Copy + Send + Sync + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    let (answers, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("proc-probe".into())
        .stack_size(256 << 10)
        .spawn(move || {
            for &item in &items[from..] {
                if answers.send(probe(item)).is_err() {
                    break;
                }
            }
        })
        .ok()?;
    Some(receiver)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[u8]) -> Vec<(Vec<u8>, Vec<u8>, usize)> {
        let mut reader = MapsLines::new(text);
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.push((line.head.to_vec(), line.tail.to_vec(), line.len));
        }
        out
    }

    #[test]
    fn short_lines_are_kept_whole() {
        let got = lines(b"a b\n\nlast");
        assert_eq!(got[0], (b"a b".to_vec(), b"a b".to_vec(), 3));
        assert_eq!(got[1], (vec![], vec![], 0));
        assert_eq!(got[2].0, b"last");
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn a_long_line_keeps_only_its_head_and_tail() {
        let mut text = b"7f00-7f01 r--s 00000000 00:2a 7 /".to_vec();
        text.extend(std::iter::repeat_n(b'd', 300_000));
        text.extend(b"/name (deleted)\nnext\n");
        let got = lines(&text);
        assert_eq!(got.len(), 2);
        let (head, tail, len) = &got[0];
        assert_eq!(head.len(), HEAD);
        assert!(head.starts_with(b"7f00-7f01 r--s 00000000 00:2a 7 /ddd"));
        assert_eq!(tail.len(), TAIL);
        assert!(tail.ends_with(b"ddd/name (deleted)"));
        assert_eq!(*len, text.len() - "\nnext\n".len());
        assert_eq!(got[1].0, b"next");
    }

    #[test]
    fn stat_gives_state_and_threads() {
        let stat = b"42 (a) b) Z 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 3 0 99 0 0";
        assert_eq!(
            TaskState::parse(stat),
            Some(TaskState {
                state: b'Z',
                threads: 3
            })
        );
        assert!(TaskState::parse(stat).unwrap().zombie_leader());
        assert_eq!(TaskState::parse(b"garbage"), None);
        let me = TaskState::read(Path::new("/proc/self")).unwrap();
        assert!(me.threads >= 1 && me.state != b'Z');
    }

    #[test]
    fn a_probe_past_its_deadline_counts_as_unanswered() {
        let (hold, wait) = mpsc::channel::<()>();
        let wait = std::sync::Mutex::new(wait);
        let mut seen = Vec::new();
        let start = std::time::Instant::now();
        each_within(
            vec![1, 2, 3],
            Duration::from_millis(200),
            move |n: i32| {
                if n == 2 {
                    // Blocks for good, as a read stuck in a file system would.
                    let _ = wait.lock().unwrap().recv();
                }
                n * 10
            },
            |n, answer| seen.push((n, answer)),
        );
        assert_eq!(seen, [(1, Some(10)), (2, None), (3, Some(30))]);
        assert!(start.elapsed() < Duration::from_secs(2));
        drop(hold);
    }

    #[test]
    fn probes_past_the_run_s_budget_count_as_unanswered() {
        // The third probe is within its own limit (10 s) but not within
        // the run's budget; the ones after it are not even started.
        let (hold, wait) = mpsc::channel::<()>();
        let wait = std::sync::Mutex::new(wait);
        let mut seen = Vec::new();
        let ends = Instant::now() + Duration::from_millis(500);
        each_until(
            (1..=6).collect(),
            Duration::from_secs(10),
            ends,
            move |n: i32| {
                if n == 3 {
                    let _ = wait.lock().unwrap().recv();
                }
                assert!(n <= 3, "no probe starts past the budget");
                n
            },
            |n, answer| seen.push((n, answer)),
        );
        assert_eq!(
            seen,
            [
                (1, Some(1)),
                (2, Some(2)),
                (3, None),
                (4, None),
                (5, None),
                (6, None)
            ]
        );
        assert!(Instant::now() < ends + Duration::from_secs(2));
        drop(hold);
    }
}
