//! Segment selection, shared by `list` and `remove`.

use crate::process::{Orphan, Processes};
use crate::segment::{Key, Segment};

/// A status flag to select by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFlag {
    Dest,
    Locked,
}

/// Which segments to select. Every condition that is set must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SegmentFilter {
    /// Owned by this uid.
    pub owner: Option<u32>,
    pub key: Option<Key>,
    pub id: Option<i32>,
    /// No process attached (nattch 0).
    pub unattached: bool,
    /// Unattached, and its creator and last user (lpid) proven gone.
    pub orphaned: bool,
    /// Last changed (created, or set) at least this many seconds ago.
    pub older_than: Option<u64>,
    /// More than this many bytes.
    pub larger_than: Option<u64>,
    pub status: Option<StatusFlag>,
}

impl SegmentFilter {
    /// True when no condition is set, so every segment matches.
    pub fn is_empty(&self) -> bool {
        *self == SegmentFilter::default()
    }

    /// The segments selected, in their order, as of now.
    pub fn select(&self, segments: Vec<Segment>, procs: &mut Processes) -> Vec<Segment> {
        if self.is_empty() {
            return segments;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        segments
            .into_iter()
            .filter(|s| self.matches(s, now, procs))
            .collect()
    }

    /// Whether the filter selects only segments that nothing attaches, so
    /// that finding one attached after removal means it was in use.
    pub fn implies_unattached(&self) -> bool {
        self.unattached || self.orphaned
    }

    /// Whether `seg` is selected, at time `now` (epoch seconds).
    pub fn matches(&self, seg: &Segment, now: i64, procs: &mut Processes) -> bool {
        let status = seg.status();
        self.owner.is_none_or(|uid| seg.uid == uid)
            && self.key.is_none_or(|key| seg.key == key)
            && self.id.is_none_or(|id| seg.shmid == id)
            && (!self.unattached || seg.nattch == 0)
            && self.larger_than.is_none_or(|n| seg.size > n)
            && self.older_than.is_none_or(|secs| now.saturating_sub(seg.ctime) >= secs as i64)
            && self.status.is_none_or(|flag| match flag {
                StatusFlag::Dest => status.dest,
                StatusFlag::Locked => status.locked,
            })
            // Last: it is the only condition that reads /proc.
            && (!self.orphaned || (seg.nattch == 0 && procs.orphan(seg) == Orphan::Yes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg() -> Segment {
        Segment {
            key: Key(0x10),
            shmid: 3,
            mode: 0o600,
            size: 4096,
            cpid: 0,
            lpid: 0,
            nattch: 0,
            uid: 1000,
            gid: 1000,
            cuid: 1000,
            cgid: 1000,
            atime: 0,
            dtime: 0,
            ctime: 1000,
            rss: None,
            swap: None,
        }
    }

    fn check(f: SegmentFilter, s: &Segment) -> bool {
        f.matches(s, 2000, &mut Processes::new())
    }

    #[test]
    fn each_condition_selects() {
        let s = seg();
        assert!(check(SegmentFilter::default(), &s));
        assert!(check(
            SegmentFilter {
                owner: Some(1000),
                ..Default::default()
            },
            &s
        ));
        assert!(!check(
            SegmentFilter {
                owner: Some(0),
                ..Default::default()
            },
            &s
        ));
        assert!(check(
            SegmentFilter {
                key: Some(Key(0x10)),
                ..Default::default()
            },
            &s
        ));
        assert!(!check(
            SegmentFilter {
                key: Some(Key(0x11)),
                ..Default::default()
            },
            &s
        ));
        assert!(!check(
            SegmentFilter {
                id: Some(4),
                ..Default::default()
            },
            &s
        ));
        assert!(check(
            SegmentFilter {
                unattached: true,
                ..Default::default()
            },
            &s
        ));
        assert!(!check(
            SegmentFilter {
                unattached: true,
                ..Default::default()
            },
            &Segment { nattch: 1, ..seg() }
        ));
        assert!(check(
            SegmentFilter {
                larger_than: Some(4095),
                ..Default::default()
            },
            &s
        ));
        assert!(!check(
            SegmentFilter {
                larger_than: Some(4096),
                ..Default::default()
            },
            &s
        ));
        assert!(check(
            SegmentFilter {
                older_than: Some(1000),
                ..Default::default()
            },
            &s
        ));
        assert!(!check(
            SegmentFilter {
                older_than: Some(1001),
                ..Default::default()
            },
            &s
        ));
        assert!(!check(
            SegmentFilter {
                status: Some(StatusFlag::Dest),
                ..Default::default()
            },
            &s
        ));
        assert!(check(
            SegmentFilter {
                status: Some(StatusFlag::Locked),
                ..Default::default()
            },
            &Segment {
                mode: 0o2600,
                ..seg()
            }
        ));
        // cpid 0: the creator is out of sight, so not known to be gone.
        assert!(!check(
            SegmentFilter {
                orphaned: true,
                ..Default::default()
            },
            &s
        ));
    }

    #[test]
    fn conditions_combine() {
        let f = SegmentFilter {
            owner: Some(1000),
            larger_than: Some(5000),
            ..Default::default()
        };
        assert!(!check(f, &seg()));
    }
}
