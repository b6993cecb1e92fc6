//! User and group names, looked up once per distinct id.

use std::collections::HashMap;
use std::rc::Rc;

/// A looked-up id: its name, if any, and what to show (the name, or the id).
#[derive(Debug)]
struct Entry {
    name: Option<Rc<str>>,
    shown: Rc<str>,
}

impl Entry {
    fn new(id: u32, name: Option<String>) -> Entry {
        let name: Option<Rc<str>> = name.map(Rc::from);
        let shown = name.clone().unwrap_or_else(|| Rc::from(id.to_string()));
        Entry { name, shown }
    }
}

/// A cache of uid and gid lookups. `ipcs` looks the owner up once per row;
/// with thousands of segments that is most of its run time. Not
/// `uzers::UsersCache`: that caches `Arc<User>` records, so every row would
/// still format "name, or the id when there is none" anew; this keeps that
/// text once per id, shared by every row (`Rc<str>`), and remembers ids that
/// have no name as well.
#[derive(Debug, Default)]
pub struct Names {
    users: HashMap<u32, Entry>,
    groups: HashMap<u32, Entry>,
    lookups: usize,
}

impl Names {
    pub fn new() -> Names {
        Names::default()
    }

    fn user_entry(&mut self, uid: u32) -> &Entry {
        let lookups = &mut self.lookups;
        self.users.entry(uid).or_insert_with(|| {
            *lookups += 1;
            let name = uzers::get_user_by_uid(uid).map(|u| u.name().to_string_lossy().into_owned());
            Entry::new(uid, name)
        })
    }

    fn group_entry(&mut self, gid: u32) -> &Entry {
        let lookups = &mut self.lookups;
        self.groups.entry(gid).or_insert_with(|| {
            *lookups += 1;
            let name =
                uzers::get_group_by_gid(gid).map(|g| g.name().to_string_lossy().into_owned());
            Entry::new(gid, name)
        })
    }

    /// The user's name, or `None` when the uid has no passwd entry.
    pub fn user_name(&mut self, uid: u32) -> Option<&str> {
        self.user_entry(uid).name.as_deref()
    }

    /// The group's name, or `None` when the gid has no group entry.
    pub fn group_name(&mut self, gid: u32) -> Option<&str> {
        self.group_entry(gid).name.as_deref()
    }

    /// The user's name, or the uid in decimal when it has none: what an
    /// owner column shows. Shared rather than copied.
    pub fn name_or_uid(&mut self, uid: u32) -> Rc<str> {
        self.user_entry(uid).shown.clone()
    }

    /// The group's name, or the gid in decimal when it has none. Shared
    /// rather than copied.
    pub fn name_or_gid(&mut self, gid: u32) -> Rc<str> {
        self.group_entry(gid).shown.clone()
    }

    /// How many passwd and group lookups were made: one per distinct id.
    pub fn lookups(&self) -> usize {
        self.lookups
    }
}

/// Resolves a user given by name or decimal uid.
pub fn uid_of(user: &str) -> Option<u32> {
    if let Ok(uid) = user.parse::<u32>() {
        return Some(uid);
    }
    uzers::get_user_by_name(user).map(|u| u.uid())
}

/// Resolves a group given by name or decimal gid.
pub fn gid_of(group: &str) -> Option<u32> {
    if let Ok(gid) = group.parse::<u32>() {
        return Some(gid);
    }
    uzers::get_group_by_name(group).map(|g| g.gid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_distinct_id_is_looked_up_once() {
        let mut names = Names::new();
        for _ in 0..1000 {
            assert_eq!(&*names.name_or_uid(0), "root");
            assert_eq!(&*names.name_or_uid(4_000_000_000), "4000000000");
            assert_eq!(&*names.name_or_gid(0), "root");
        }
        assert_eq!(names.lookups(), 3);
    }

    #[test]
    fn users_and_groups_by_name_or_number() {
        assert_eq!(uid_of("root"), Some(0));
        assert_eq!(uid_of("12345"), Some(12345));
        assert_eq!(uid_of("surely-no-such-user"), None);
        assert_eq!(gid_of("root"), Some(0));
        assert_eq!(gid_of("7"), Some(7));
    }
}
