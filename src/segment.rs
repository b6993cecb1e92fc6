//! The segment model: one System V shared memory segment as the kernel
//! reports it, with the traps of its text form already undone.

use std::fmt;

/// `SHM_DEST`: the segment was removed while attached and goes at the last detach.
pub const SHM_DEST: u32 = 0o1000;
/// `SHM_LOCKED`: the segment's pages are locked in memory.
pub const SHM_LOCKED: u32 = 0o2000;

/// A System V IPC key. The kernel prints it signed; people write it as
/// 32-bit hex, which is what `Display` gives (`0x%08x`, as ipcs does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(pub i32);

impl Key {
    /// `IPC_PRIVATE`, the key of private segments and of removed ones.
    pub const PRIVATE: Key = Key(0);

    pub fn is_private(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08x}", self.0 as u32)
    }
}

/// The dest and locked flags of a segment's mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Status {
    pub dest: bool,
    pub locked: bool,
}

impl Status {
    pub fn from_mode(mode: u32) -> Status {
        Status {
            dest: mode & SHM_DEST != 0,
            locked: mode & SHM_LOCKED != 0,
        }
    }

    /// The flag names that are set, in the order ipcs prints them.
    pub fn names(self) -> Vec<&'static str> {
        let mut names = Vec::with_capacity(2);
        if self.dest {
            names.push("dest");
        }
        if self.locked {
            names.push("locked");
        }
        names
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

/// One segment, as listed by `/proc/sysvipc/shm` or `shmctl(SHM_STAT_ANY)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub key: Key,
    pub shmid: i32,
    /// The full mode: permission bits plus `SHM_DEST` and `SHM_LOCKED`.
    pub mode: u32,
    /// Bytes requested at creation, not rounded to pages.
    pub size: u64,
    pub cpid: i32,
    pub lpid: i32,
    pub nattch: u64,
    pub uid: u32,
    pub gid: u32,
    pub cuid: u32,
    pub cgid: u32,
    /// Epoch seconds; 0 means never.
    pub atime: i64,
    pub dtime: i64,
    pub ctime: i64,
    /// Resident and swapped bytes; absent on kernels that print 14 columns.
    pub rss: Option<u64>,
    pub swap: Option<u64>,
}

impl Segment {
    /// The permission bits, `mode & 0777`.
    pub fn perms(&self) -> u32 {
        self.mode & 0o777
    }

    pub fn status(&self) -> Status {
        Status::from_mode(self.mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_prints_as_32_bit_hex() {
        assert_eq!(Key(0x1234).to_string(), "0x00001234");
        assert_eq!(Key(-559038737).to_string(), "0xdeadbeef");
        assert_eq!(Key::PRIVATE.to_string(), "0x00000000");
    }

    #[test]
    fn status_from_mode_bits() {
        assert_eq!(Status::from_mode(0o640).to_string(), "");
        assert_eq!(Status::from_mode(0o1640).to_string(), "dest");
        assert_eq!(Status::from_mode(0o2640).to_string(), "locked");
        assert_eq!(Status::from_mode(0o3640).to_string(), "dest,locked");
    }
}
