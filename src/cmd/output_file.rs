//! Where `read`'s bytes go: standard output, or a file opened before
//! attaching and named only once the dump is complete, never more readable
//! than mode 0600 and never through a planted symlink.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Where the bytes go. Files are opened before attaching, so a bad path
/// fails with the segment untouched, and a dump is never more readable than
/// mode 0600, whatever the segment's mode.
pub(super) enum Output {
    Stdout,
    /// A dump being written to an unnamed file (or, where the file system
    /// has no `O_TMPFILE`, a hidden name beside the target), which gets its
    /// name only once complete: an interrupted read leaves nothing under the
    /// target's name and a replaced file as it was.
    Pending {
        file: File,
        /// The hidden name, when the file has one while it is written.
        temp: Option<PathBuf>,
        path: PathBuf,
        /// Replace what is at `path` (a regular file, with `--force`).
        replace: bool,
    },
    /// A device or FIFO the caller or root owns (`/dev/null`, `/dev/stdout`
    /// on a pipe): written as it is, never truncated or replaced.
    Special(File),
}

/// Creates `path` exclusively, mode 0600 (O_CREAT|O_EXCL never follows a
/// symlink in the final component).
fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// A file for the dump that will be named `path`: unnamed in its directory
/// (`O_TMPFILE`), or under a hidden name beside it where that is not
/// supported.
fn pending(path: &Path, replace: bool) -> anyhow::Result<Output> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let unnamed = OpenOptions::new()
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_TMPFILE)
        .open(dir);
    match unnamed {
        Ok(file) => {
            return Ok(Output::Pending {
                file,
                temp: None,
                path: path.to_owned(),
                replace,
            });
        }
        // No O_TMPFILE here (EOPNOTSUPP; EISDIR or EINVAL on old kernels).
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EOPNOTSUPP | libc::EISDIR | libc::EINVAL)
            ) => {}
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot create {shown}")));
        }
    }
    let mut last = None;
    for attempt in 0..16 {
        let temp = hidden_name(path, attempt);
        match create_new(&temp) {
            Ok(file) => {
                return Ok(Output::Pending {
                    file,
                    temp: Some(temp),
                    path: path.to_owned(),
                    replace,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot create {shown}"))),
        }
    }
    let e = last.unwrap_or_else(|| io::ErrorKind::AlreadyExists.into());
    Err(anyhow::Error::new(e).context(format!("cannot create {shown}")))
}

/// Refuses what another user owns: writing a segment's bytes into their
/// FIFO, device or symlink would hand them the bytes (as the kernel's
/// protected_fifos and protected_symlinks rules refuse in sticky directories).
fn owned_by_caller_or_root(
    meta: &std::fs::Metadata,
    what: &str,
    shown: &str,
) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let uid = meta.uid();
    if uid != 0 && uid != uzers::get_effective_uid() {
        anyhow::bail!(
            "{shown} is {what} owned by uid {uid}; refusing to write a segment's bytes through \
             another user's file (remove it, or name a new file)"
        );
    }
    Ok(())
}

/// Opens for writing the file an `O_PATH` descriptor refers to (through
/// /proc/self/fd, so the object checked is the object opened).
fn reopen_for_writing(handle: &File, shown: &str) -> anyhow::Result<File> {
    use std::os::fd::AsRawFd;
    OpenOptions::new()
        .write(true)
        .open(format!("/proc/self/fd/{}", handle.as_raw_fd()))
        .with_context(|| format!("cannot open {shown}"))
}

/// Opens `--output`. An existing path is replaced only with `force`; a
/// symlink in the final component is followed only when the caller or root
/// owns it, and only to a device or FIFO the caller or root owns, never to
/// a regular file (a planted link to /etc/shadow is refused).
pub(super) fn open_output(path: &Path, force: bool) -> anyhow::Result<Output> {
    if path.as_os_str() == "-" {
        return Ok(Output::Stdout);
    }
    let shown = path.display().to_string();
    // What is there now, without following a final symlink or opening it.
    let handle = |flags| {
        OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | flags)
            .open(path)
    };
    let here = match handle(libc::O_NOFOLLOW) {
        Ok(here) => here,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return pending(path, false),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot open {shown}"))),
    };
    if !force {
        anyhow::bail!("{shown} exists; pass --force to replace it");
    }
    let meta = here
        .metadata()
        .with_context(|| format!("cannot stat {shown}"))?;
    let kind = meta.file_type();
    if kind.is_file() {
        return pending(path, true);
    }
    if kind.is_dir() {
        anyhow::bail!("cannot replace {shown}: it is a directory");
    }
    let target = if kind.is_symlink() {
        owned_by_caller_or_root(&meta, "a symbolic link", &shown)?;
        let target = handle(0).with_context(|| format!("cannot open {shown}"))?;
        let meta = target
            .metadata()
            .with_context(|| format!("cannot stat {shown}"))?;
        if meta.is_file() {
            anyhow::bail!(
                "{shown} is a symbolic link to a regular file; refusing to replace what it points to \
                 (name the file itself, or use -o - for standard output)"
            );
        }
        if meta.is_dir() {
            anyhow::bail!("cannot replace {shown}: it leads to a directory");
        }
        owned_by_caller_or_root(&meta, "a device or FIFO", &shown)?;
        target
    } else {
        owned_by_caller_or_root(&meta, "a device or FIFO", &shown)?;
        here
    };
    reopen_for_writing(&target, &shown).map(Output::Special)
}

impl Output {
    pub(super) fn file(&self) -> io::Result<File> {
        match self {
            // Unbuffered, so bytes go from the mapping to the kernel in one copy.
            Output::Stdout => Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?)),
            Output::Pending { file, .. } | Output::Special(file) => file.try_clone(),
        }
    }

    /// The dump is complete: give it its name.
    /// Ends the dump with the copy's result: on success the file gets its
    /// name, on failure it goes (and a replaced file stays as it was).
    pub(super) fn finish<T>(self, copied: anyhow::Result<T>) -> anyhow::Result<T> {
        match copied {
            Ok(done) => self.commit().map(|()| done),
            Err(e) => {
                self.abandon();
                Err(e)
            }
        }
    }

    fn commit(self) -> anyhow::Result<()> {
        let Output::Pending {
            file,
            temp,
            path,
            replace,
        } = self
        else {
            return Ok(());
        };
        let shown = path.display();
        let named = match (&temp, replace) {
            // Unnamed, and the name must be free: link it there (EEXIST if
            // something took the name meanwhile).
            (None, false) => {
                return shmtool::sysv::link_unnamed(&file, &path)
                    .map_err(|e| anyhow::Error::new(e).context(format!("cannot create {shown}")));
            }
            // Unnamed, replacing: a hidden name first, then rename over.
            (None, true) => {
                let hidden = hidden_name(&path, 0);
                shmtool::sysv::link_unnamed(&file, &hidden)
                    .with_context(|| format!("cannot replace {shown}"))?;
                hidden
            }
            (Some(temp), _) => temp.clone(),
        };
        let placed = if replace {
            std::fs::rename(&named, &path)
        } else {
            // Never over something that appeared meanwhile.
            std::fs::hard_link(&named, &path).and_then(|()| std::fs::remove_file(&named))
        };
        placed.map_err(|e| {
            let _ = std::fs::remove_file(&named);
            anyhow::Error::new(e).context(format!("cannot create {shown}"))
        })
    }

    /// The read failed: leave no file behind that we made, and the old one
    /// as it was. (An unnamed file simply goes when it is closed.)
    fn abandon(self) {
        if let Output::Pending {
            temp: Some(temp), ..
        } = self
        {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// A hidden name beside `path`, for a dump on its way there.
fn hidden_name(path: &Path, attempt: u32) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.shmtool-{}-{attempt}", std::process::id()))
}
