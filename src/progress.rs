//! The progress bar of `read` and `attach-write` on a terminal: drawn on
//! stderr, never where the data goes, and only once a transfer has lasted
//! a second (a quick copy leaves no trace).

use std::fs::File;
use std::io::{self, IsTerminal};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a transfer runs before its bar appears.
const DELAY: Duration = Duration::from_secs(1);

pub struct Progress {
    /// `None` where no bar may be drawn.
    bar: Option<ProgressBar>,
    started: Instant,
    shown: bool,
}

/// Whether `file` is where stderr writes: the same file, or the same
/// terminal device under another name.
fn is_stderr(file: &impl AsFd) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let meta =
        |fd: std::os::fd::BorrowedFd<'_>| File::from(fd.try_clone_to_owned().ok()?).metadata().ok();
    let stderr = io::stderr();
    match (meta(stderr.as_fd()), meta(file.as_fd())) {
        (Some(a), Some(b)) => {
            (a.dev(), a.ino()) == (b.dev(), b.ino())
                || (a.file_type().is_char_device()
                    && b.file_type().is_char_device()
                    && a.rdev() == b.rdev())
        }
        // Unknown: assume the worst, and draw nothing.
        _ => true,
    }
}

impl Progress {
    /// A bar for `total` bytes moving between `data` (the sink of `read`,
    /// the source of `attach-write`, if a file) and memory: none when
    /// `off` (--no-progress), when stderr is not a terminal, or when stderr
    /// is `data` itself.
    pub fn new(command: &str, total: u64, off: bool, data: Option<&File>) -> Progress {
        let drawable =
            !off && total > 0 && io::stderr().is_terminal() && !data.is_some_and(is_stderr);
        let bar = drawable.then(|| {
            let style = ProgressStyle::with_template(
                "{prefix}: [{wide_bar}] {binary_bytes}/{binary_total_bytes}, {binary_bytes_per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden())
                .with_style(style)
                .with_prefix(format!("shmtool: {command}"))
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: false,
        }
    }

    /// `done` bytes have moved.
    pub fn set(&mut self, done: u64) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(done);
        if !self.shown && self.started.elapsed() >= DELAY {
            self.shown = true;
            bar.set_draw_target(ProgressDrawTarget::stderr());
            // Rate and time left go on moving while the data stalls.
            bar.enable_steady_tick(Duration::from_millis(250));
        }
    }

    /// The transfer is over: a bar that was drawn stays as it ended (at
    /// what moved, not at the total: a stream may end before the room does),
    /// above any line that follows, an error's included.
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take()
            && self.shown
        {
            bar.abandon();
            // indicatif leaves the cursor after the bar: end its line.
            warn!("");
        }
    }
}
