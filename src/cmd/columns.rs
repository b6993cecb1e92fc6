//! Which fields `list` shows, for each kind and format: one place for the
//! commands that list (list, list -A, remove --dry-run).

use shmtool::field::{self, DEFAULT_COLUMNS, Field};

use crate::cli::{Format, Kind, ListArgs};

pub(super) fn sysv(args: &ListArgs) -> Vec<Field> {
    if !args.columns.is_empty() {
        return args.columns.clone();
    }
    if args.format == Format::Json {
        // Rows carry their kind whenever --kind is given.
        let kind = args.filter.kind.map(|_| Field::Kind);
        return kind
            .into_iter()
            .chain(shmtool::field::SYSV.iter().copied())
            .collect();
    }
    let mut fields = DEFAULT_COLUMNS.to_vec();
    if args.time {
        fields.extend([Field::Atime, Field::Dtime, Field::Ctime]);
    }
    if args.pids {
        fields.extend([Field::Cpid, Field::Lpid]);
    }
    if args.creator {
        fields.extend([Field::Creator, Field::Cgid]);
    }
    fields
}

/// Every field of both kinds, in JSON order: kind and id first.
pub(super) fn all_fields() -> Vec<Field> {
    let mut fields = vec![Field::Kind, Field::Id];
    fields.extend_from_slice(field::SYSV);
    fields.extend([Field::Name, Field::Allocated, Field::Mtime]);
    fields
}

/// `list --kind posix|all`'s columns: those asked for, else the kind's.
pub(super) fn of_kind(args: &ListArgs, kind: Kind) -> Vec<Field> {
    if !args.columns.is_empty() {
        return args.columns.clone();
    }
    match (kind, args.format) {
        (Kind::Posix, Format::Json) => field::POSIX.to_vec(),
        (_, Format::Json) => all_fields(),
        (Kind::Posix, _) => field::POSIX_COLUMNS.to_vec(),
        _ => field::ALL_COLUMNS.to_vec(),
    }
}
