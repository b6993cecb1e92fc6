//! What `remove` did to each target, of either kind: the record every
//! removal path (System V, POSIX, every namespace) returns and renders.

use std::borrow::Cow;

use shmtool::segment::Key;

use crate::render::json::Json;

/// What happened to one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Removed,
    /// Still attached: marked for destruction at the last detach.
    Marked,
    /// Selected as unattached (--unattached, --orphaned), found attached
    /// after IPC_RMID: a process attached meanwhile. A failure.
    MarkedInUse,
    /// Not there (named with --missing-ok, or gone since it was selected).
    Missing,
    /// Selected by a filter that it no longer matches when re-read just
    /// before removal: left alone.
    Changed,
    /// Named, and the caller may not remove it: a failure.
    Denied,
    /// Selected by a filter, and owned by someone the caller may not touch.
    Skipped,
    Error,
}

impl Outcome {
    pub(super) fn name(self) -> &'static str {
        match self {
            Outcome::Removed => "removed",
            Outcome::Marked => "marked",
            Outcome::MarkedInUse => "in-use",
            Outcome::Missing => "missing",
            Outcome::Changed => "changed",
            Outcome::Denied | Outcome::Skipped => "denied",
            Outcome::Error => "error",
        }
    }

    pub(super) fn failed(self) -> bool {
        matches!(
            self,
            Outcome::Denied | Outcome::Error | Outcome::MarkedInUse
        )
    }
}

#[derive(Clone)]
pub(super) struct Record {
    pub(super) shmid: Option<i32>,
    pub(super) key: Option<Key>,
    pub(super) outcome: Outcome,
    /// Borrowed for the common "removed", so 32,000 removals make no strings.
    pub(super) message: Cow<'static, str>,
    /// A POSIX object's /name (escaped); `None` for a System V segment.
    pub(super) name: Option<String>,
}

impl Record {
    /// The record as `--json` gives it: shmid, key, result, message, and a
    /// POSIX object's name.
    pub(super) fn json_entries(&self) -> Vec<(&'static str, Json<'_>)> {
        let mut entries = vec![
            ("shmid", self.shmid.into()),
            ("key", self.key.map(|k| k.to_string()).into()),
            ("result", self.outcome.name().into()),
            ("message", Json::Str(Cow::Borrowed(&self.message))),
        ];
        if let Some(name) = &self.name {
            entries.push(("name", name.as_str().into()));
        }
        entries
    }
}
