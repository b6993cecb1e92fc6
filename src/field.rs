//! The one definition of a segment's fields. Table columns, JSON keys, CSV
//! headers, `--columns`, `--sort` and the man page all come from [`Field`].

use crate::cgroup::Cgroup;
use crate::posix::Object;
use crate::process::{CommandLine, Processes};
use crate::segment::{Key, Segment, Status};
use crate::users::Names;

macro_rules! fields {
    ($($variant:ident => $name:literal, $help:literal;)*) => {
        /// A field of a segment, as shown in every output format.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Field { $($variant),* }

        impl Field {
            /// Every field, in JSON order.
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            /// The field's name: JSON key, CSV header and `--columns` name.
            pub fn name(self) -> &'static str {
                match self { $(Field::$variant => $name),* }
            }

            /// One line saying what the field holds.
            pub fn help(self) -> &'static str {
                match self { $(Field::$variant => $help),* }
            }
        }
    };
}

fields! {
    Key => "key", "the IPC key, 0x%08x; 0x00000000 for private and removed segments";
    Shmid => "shmid", "the segment id";
    Owner => "owner", "the owner's user name, or uid when it has none";
    Group => "group", "the owner's group name, or gid when it has none";
    Uid => "uid", "the owner's uid";
    Gid => "gid", "the owner's gid";
    Cuid => "cuid", "the creator's uid";
    Cgid => "cgid", "the creator's gid";
    Creator => "creator", "the creator's user name, or cuid when it has none";
    Perms => "perms", "the permission bits, octal";
    Bytes => "bytes", "the size in bytes";
    Nattch => "nattch", "the number of attaches; for a POSIX object, of processes that map it or hold it open";
    Status => "status", "dest (removed while attached) and locked flags";
    Cpid => "cpid", "the creator's pid";
    Lpid => "lpid", "the pid of the last shmat or shmdt";
    Atime => "atime", "the last attach time, epoch seconds";
    Dtime => "dtime", "the last detach time, epoch seconds";
    Ctime => "ctime", "the creation or last change time, epoch seconds";
    Rss => "rss", "resident bytes";
    Swap => "swap", "swapped bytes";
    Command => "command", "the creator's command line while it runs";
    Ns => "ns", "the IPC namespace inode, as lsns prints it (with --all-namespaces)";
    Nspid => "nspid", "the lowest pid in that namespace, for --ns (with --all-namespaces)";
    Container => "container", "the container id or Kubernetes pod uid of that namespace, from its processes' cgroup at a runtime's place (with --all-namespaces)";
    ContainerUid => "container_uid", "the user whose delegated cgroup subtree holds that container (rootless Podman or Docker); null for a system runtime's (with --all-namespaces)";
    Cgroup => "cgroup", "the cgroup path (v2, or v1's name=systemd) the container was read from, else that of the lowest pid in the namespace (with --all-namespaces)";
    Kind => "kind", "sysv or posix";
    Id => "id", "the shmid of a System V segment, the /name of a POSIX object";
    Name => "name", "a POSIX object's name, /NAME as shm_open takes it";
    Allocated => "allocated", "the bytes a POSIX object really uses (tmpfs objects are sparse)";
    Mtime => "mtime", "a POSIX object's last modification time, epoch seconds";
    Mntns => "mntns", "a POSIX object's mount namespace inode, as lsns prints it (with --all-namespaces)";
    Devshm => "devshm", "a POSIX object's /dev/shm device, major:minor (with --all-namespaces)";
}

/// One row of a listing: a System V segment or a POSIX object.
#[derive(Clone, Copy, Debug)]
pub enum Row<'a> {
    Sysv(&'a Segment),
    Posix(&'a Object),
}

impl<'a> From<&'a Segment> for Row<'a> {
    fn from(seg: &'a Segment) -> Row<'a> {
        Row::Sysv(seg)
    }
}

impl<'a> From<&'a Object> for Row<'a> {
    fn from(obj: &'a Object) -> Row<'a> {
        Row::Posix(obj)
    }
}

/// What turns ids into names and pids into processes, each looked up once.
#[derive(Debug, Default)]
pub struct Resolver {
    pub names: Names,
    pub procs: Processes,
    /// The namespace of the rows being made, under `--all-namespaces`.
    pub namespace: Option<std::rc::Rc<NamespaceTag>>,
    /// The /dev/shm of the POSIX rows being made, under `--all-namespaces`.
    pub devshm: Option<std::rc::Rc<DevShmTag>>,
}

/// What POSIX rows of one `/dev/shm` show in the `mntns`, `devshm`,
/// `nspid` and container fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevShmTag {
    pub mntns: u64,
    pub major: u32,
    pub minor: u32,
    pub nspid: i32,
    pub cgroup: Option<std::rc::Rc<Cgroup>>,
}

/// What rows of one IPC namespace show in the `ns`, `nspid` and container
/// fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceTag {
    pub inode: u64,
    pub nspid: i32,
    pub cgroup: Option<std::rc::Rc<Cgroup>>,
}

/// The `container`, `container_uid` or `cgroup` value of a namespace.
fn cgroup_value(cgroup: Option<&Cgroup>, field: Field) -> Value {
    let Some(cgroup) = cgroup else {
        return Value::Null;
    };
    let container = cgroup.container.as_ref();
    match field {
        Field::Container => container.map_or(Value::Null, |c| Value::Text(c.id.as_str().into())),
        Field::ContainerUid => container
            .and_then(|c| c.uid)
            .map_or(Value::Null, |uid| Value::UInt(uid.into())),
        Field::Cgroup => Value::Text(cgroup.path.as_str().into()),
        _ => Value::Null,
    }
}

impl Resolver {
    pub fn new() -> Resolver {
        Resolver::default()
    }

    /// The `ns`, `nspid` or `container` value of the rows being made.
    fn namespace_value(&self, field: Field) -> Value {
        let Some(ns) = self.namespace.as_ref() else {
            return Value::Null;
        };
        match field {
            Field::Ns => Value::UInt(ns.inode),
            Field::Nspid => Value::Int(ns.nspid.into()),
            Field::Container | Field::ContainerUid | Field::Cgroup => {
                cgroup_value(ns.cgroup.as_deref(), field)
            }
            _ => Value::Null,
        }
    }

    /// The `mntns`, `devshm`, `nspid` or `container` value of the POSIX
    /// rows being made.
    fn devshm_value(&self, field: Field) -> Value {
        let Some(d) = self.devshm.as_ref() else {
            return Value::Null;
        };
        match field {
            Field::Mntns => Value::UInt(d.mntns),
            Field::Devshm => Value::Text(format!("{}:{}", d.major, d.minor).into()),
            Field::Nspid => Value::Int(d.nspid.into()),
            Field::Container | Field::ContainerUid | Field::Cgroup => {
                cgroup_value(d.cgroup.as_deref(), field)
            }
            _ => Value::Null,
        }
    }
}

/// A name that is no field (its own error, so that field.rs and parse.rs
/// do not import each other).
#[derive(Debug, thiserror::Error)]
#[error("unknown field '{0}': valid fields are {names}", names = Field::names())]
pub struct UnknownField(pub String);

impl std::str::FromStr for Field {
    type Err = UnknownField;

    fn from_str(s: &str) -> Result<Field, Self::Err> {
        Field::from_name(s.trim()).ok_or_else(|| UnknownField(s.into()))
    }
}

/// The fields of a System V segment, in JSON order: every field before
/// POSIX objects came (their output stays as it was).
pub const SYSV: &[Field] = &[
    Field::Key,
    Field::Shmid,
    Field::Owner,
    Field::Group,
    Field::Uid,
    Field::Gid,
    Field::Cuid,
    Field::Cgid,
    Field::Creator,
    Field::Perms,
    Field::Bytes,
    Field::Nattch,
    Field::Status,
    Field::Cpid,
    Field::Lpid,
    Field::Atime,
    Field::Dtime,
    Field::Ctime,
    Field::Rss,
    Field::Swap,
    Field::Command,
];

/// The fields of a POSIX object, in JSON order.
pub const POSIX: &[Field] = &[
    Field::Kind,
    Field::Name,
    Field::Owner,
    Field::Group,
    Field::Uid,
    Field::Gid,
    Field::Perms,
    Field::Bytes,
    Field::Allocated,
    Field::Nattch,
    Field::Status,
    Field::Mtime,
    Field::Ctime,
];

/// The columns `list --kind posix` shows by default.
pub const POSIX_COLUMNS: &[Field] = &[
    Field::Name,
    Field::Owner,
    Field::Group,
    Field::Perms,
    Field::Bytes,
    Field::Allocated,
    Field::Nattch,
    Field::Mtime,
    Field::Status,
];

/// The columns `list --kind all` shows by default: one table for both kinds.
pub const ALL_COLUMNS: &[Field] = &[
    Field::Kind,
    Field::Key,
    Field::Id,
    Field::Owner,
    Field::Perms,
    Field::Bytes,
    Field::Nattch,
    Field::Status,
];

/// The columns `list` shows by default, as `ipcs -m` does.
pub const DEFAULT_COLUMNS: &[Field] = &[
    Field::Key,
    Field::Shmid,
    Field::Owner,
    Field::Perms,
    Field::Bytes,
    Field::Nattch,
    Field::Status,
];

/// A field's value, typed so each format can render it its own way.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Key(Key),
    Int(i64),
    UInt(u64),
    /// A size in bytes, which `--human` shortens.
    Bytes(u64),
    /// Text such as a user name; shown escaped ([`crate::escape`]).
    Text(std::rc::Rc<str>),
    /// A command line, or other exact bytes another user chose (a POSIX
    /// object's name), escaped once however many rows show it.
    Command(std::rc::Rc<CommandLine>),
    /// Permission bits.
    Perms(u32),
    /// Epoch seconds; `None` for never.
    Time(Option<i64>),
    Status(Status),
    /// Not known (for example rss on a kernel that does not report it).
    Null,
}

/// The Prometheus metric of a per-segment field: name and HELP text.
/// `list --format prometheus` writes one family for each field named here.
pub struct Metric {
    pub field: Field,
    pub name: &'static str,
    pub help: &'static str,
}

/// The fields that are per-segment metrics, in the order they are written.
pub const METRICS: &[Metric] = &[
    Metric {
        field: Field::Bytes,
        name: "shmtool_segment_bytes",
        help: "Size of the shared memory segment in bytes.",
    },
    Metric {
        field: Field::Nattch,
        name: "shmtool_segment_attached",
        help: "Number of attaches (nattch) of the segment; for a POSIX object, processes that map it or hold it open.",
    },
    Metric {
        field: Field::Rss,
        name: "shmtool_segment_resident_bytes",
        help: "Resident bytes of the segment; for a POSIX object, the bytes it really uses (allocated).",
    },
    Metric {
        field: Field::Ctime,
        name: "shmtool_segment_changed_timestamp_seconds",
        help: "When the segment was created or last changed (IPC_SET; a POSIX object's ctime), epoch seconds.",
    },
];

impl Field {
    /// The fields that exist only under `--all-namespaces`.
    pub const NAMESPACE: &'static [Field] = &[
        Field::Ns,
        Field::Nspid,
        Field::Container,
        Field::ContainerUid,
        Field::Cgroup,
    ];

    /// The fields POSIX rows gain under `--all-namespaces`.
    pub const DEVSHM: &'static [Field] = &[
        Field::Mntns,
        Field::Devshm,
        Field::Nspid,
        Field::Container,
        Field::ContainerUid,
        Field::Cgroup,
    ];

    /// Whether the field exists only under `--all-namespaces`.
    pub fn fleet_only(self) -> bool {
        Field::NAMESPACE.contains(&self) || Field::DEVSHM.contains(&self)
    }

    /// A System V segment's fields without the namespace ones: what JSON
    /// shows of one namespace.
    pub fn local() -> Vec<Field> {
        SYSV.to_vec()
    }

    /// The metric this field is written as, if it is one.
    pub fn metric(self) -> Option<&'static Metric> {
        METRICS.iter().find(|m| m.field == self)
    }

    /// Looks a field up by name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Every field's name, comma-separated, for messages and help.
    pub fn names() -> String {
        Field::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether the field holds a count or id, which tables align right.
    pub fn is_numeric(self) -> bool {
        use Field::*;
        matches!(
            self,
            Shmid
                | Uid
                | Gid
                | Cuid
                | Cgid
                | Bytes
                | Nattch
                | Cpid
                | Lpid
                | Rss
                | Swap
                | Allocated
                | Ns
                | Nspid
                | Mntns
                | ContainerUid
        )
    }

    /// The field's value for one row: a segment or an object. Fields a kind
    /// lacks are [`Value::Null`].
    pub fn value<'a>(self, row: impl Into<Row<'a>>, ctx: &mut Resolver) -> Value {
        match row.into() {
            Row::Sysv(seg) => self.segment_value(seg, ctx),
            Row::Posix(obj) => self.object_value(obj, ctx),
        }
    }

    /// Whether rows of this kind have the field at all: tables leave the
    /// cell empty where they do not (and show `-` for a value not known).
    pub fn applies<'a>(self, row: impl Into<Row<'a>>) -> bool {
        match row.into() {
            Row::Sysv(_) => !matches!(
                self,
                Field::Name | Field::Allocated | Field::Mtime | Field::Mntns | Field::Devshm
            ),
            Row::Posix(_) => !matches!(
                self,
                Field::Key
                    | Field::Shmid
                    | Field::Cuid
                    | Field::Cgid
                    | Field::Creator
                    | Field::Cpid
                    | Field::Lpid
                    | Field::Atime
                    | Field::Dtime
                    | Field::Rss
                    | Field::Swap
                    | Field::Command
                    | Field::Ns
            ),
        }
    }

    /// The field's value for a POSIX object.
    fn object_value(self, obj: &Object, ctx: &mut Resolver) -> Value {
        let names = &mut ctx.names;
        let st = &obj.stat;
        match self {
            Field::Kind => Value::Text("posix".into()),
            // Exact bytes: a name need not be UTF-8.
            Field::Id | Field::Name => {
                Value::Command(std::rc::Rc::new(CommandLine::new(obj.name.slashed())))
            }
            Field::Owner => Value::Text(names.name_or_uid(st.uid)),
            Field::Group => Value::Text(names.name_or_gid(st.gid)),
            Field::Uid => Value::UInt(st.uid.into()),
            Field::Gid => Value::UInt(st.gid.into()),
            Field::Perms => Value::Perms(obj.perms()),
            Field::Bytes => Value::Bytes(st.size),
            Field::Allocated => Value::Bytes(st.allocated),
            Field::Nattch => obj.nattch.map_or(Value::Null, Value::UInt),
            Field::Status => Value::Status(crate::segment::Status {
                dest: obj.dest,
                locked: false,
            }),
            Field::Mtime => Value::Time(Some(st.mtime)),
            Field::Ctime => Value::Time(Some(st.ctime)),
            Field::Key
            | Field::Shmid
            | Field::Cuid
            | Field::Cgid
            | Field::Creator
            | Field::Cpid
            | Field::Lpid
            | Field::Atime
            | Field::Dtime
            | Field::Rss
            | Field::Swap
            | Field::Command
            | Field::Ns => Value::Null,
            Field::Nspid
            | Field::Container
            | Field::ContainerUid
            | Field::Cgroup
            | Field::Mntns
            | Field::Devshm => ctx.devshm_value(self),
        }
    }

    /// The field's value for one segment.
    fn segment_value(self, seg: &Segment, ctx: &mut Resolver) -> Value {
        let names = &mut ctx.names;
        let time = |t: i64| Value::Time((t != 0).then_some(t));
        let opt = |v: Option<u64>| v.map_or(Value::Null, Value::Bytes);
        match self {
            Field::Key => Value::Key(seg.key),
            Field::Shmid => Value::Int(seg.shmid.into()),
            Field::Owner => Value::Text(names.name_or_uid(seg.uid)),
            Field::Group => Value::Text(names.name_or_gid(seg.gid)),
            Field::Uid => Value::UInt(seg.uid.into()),
            Field::Gid => Value::UInt(seg.gid.into()),
            Field::Cuid => Value::UInt(seg.cuid.into()),
            Field::Cgid => Value::UInt(seg.cgid.into()),
            Field::Creator => Value::Text(names.name_or_uid(seg.cuid)),
            Field::Perms => Value::Perms(seg.perms()),
            Field::Bytes => Value::Bytes(seg.size),
            Field::Nattch => Value::UInt(seg.nattch),
            Field::Status => Value::Status(seg.status()),
            Field::Cpid => Value::Int(seg.cpid.into()),
            Field::Lpid => Value::Int(seg.lpid.into()),
            Field::Atime => time(seg.atime),
            Field::Dtime => time(seg.dtime),
            Field::Ctime => time(seg.ctime),
            Field::Rss => opt(seg.rss),
            Field::Swap => opt(seg.swap),
            Field::Command => ctx
                .procs
                .creator(seg)
                .map_or(Value::Null, |p| Value::Command(p.command.clone())),
            Field::Ns | Field::Nspid | Field::Container | Field::ContainerUid | Field::Cgroup => {
                ctx.namespace_value(self)
            }
            Field::Kind => Value::Text("sysv".into()),
            Field::Id => Value::Int(seg.shmid.into()),
            Field::Name | Field::Allocated | Field::Mtime | Field::Mntns | Field::Devshm => {
                Value::Null
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn field_names_never_panic(s in "\\PC*") {
            if let Ok(field) = s.parse::<Field>() {
                prop_assert_eq!(field.name(), s.trim());
            }
        }
    }

    #[test]
    fn names_are_unique_and_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(*f));
        }
        let mut names: Vec<_> = Field::ALL.iter().map(|f| f.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Field::ALL.len());
    }
}
