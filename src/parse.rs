//! Parsers for the values users type: keys, sizes, modes, durations.
//!
//! Each is a pure function from text to a value, so clap can call it and the
//! property tests can check that every printed value parses back to itself.

use crate::segment::Key;

/// Why a typed value is not valid, naming the text as given. Each message
/// says what would be; it implements `std::error::Error`, which is what
/// clap's value parsers take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("'{0}' is not a key: expected hex digits after 0x")]
    KeyHex(String),
    #[error("'{0}' is not a key: expected 0x hex (0x1234) or decimal (4660, -559038737)")]
    Key(String),
    #[error("'{0}' is out of the 32-bit key range")]
    KeyRange(String),
    #[error("'{0}' is key 0, IPC_PRIVATE, which names no segment: use an id instead")]
    PrivateKey(String),
    #[error("'{0}' is not a size: expected bytes or a number with a unit (25600, 25K, 1MiB, 1G)")]
    Size(String),
    #[error("'{text}' has an unknown unit '{unit}': use K, KiB, M, MiB, G, GiB, T or TiB")]
    SizeUnit { text: String, unit: String },
    #[error("'{0}' is too large")]
    TooLarge(String),
    #[error("'{0}' is not a valid size: a segment holds at least 1 byte")]
    ZeroSize(String),
    #[error("'{0}' is not an octal mode: expected digits 0-7, like 640 or 0640")]
    Mode(String),
    #[error("'{0}' is more than 0777: only permission bits can be set")]
    ModeRange(String),
    #[error("'{0}' is not a segment id: expected a non-negative number")]
    Shmid(String),
    #[error(
        "'{0}' is not a segment id: expected a non-negative number (a POSIX object is named with --name {0})"
    )]
    ShmidName(String),
    #[error("'{0}' is out of the range of segment ids")]
    ShmidRange(String),
    #[error("'{0}' is not a duration: use a number and s, m, h, d or w (90s, 10m, 2h, 7d)")]
    Duration(String),
    #[error("'{0}' is too long a duration")]
    DurationRange(String),
    #[error("'{0}' is not an address: expected 0x hex or decimal")]
    Address(String),
    #[error("'{0}' is not a byte: expected 0 to 255, or 0x00 to 0xff")]
    Byte(String),
    #[error("no user named '{0}'")]
    NoUser(String),
    #[error("no group named '{0}'")]
    NoGroup(String),
    #[error("'{0}' names neither a user nor a group: use USER, USER:GROUP or :GROUP")]
    OwnerGroup(String),
    #[error("'{0}' is not an object name: use /NAME")]
    ObjectName(String),
    #[error("'{0}' is not an object name: a name has no '/' after the first")]
    ObjectNameSlash(String),
    #[error("'{0}' is longer than 255 bytes")]
    ObjectNameLength(String),
    #[error(
        "'{0}' is not an object name: sem.* names are POSIX semaphores (sem_open), not shared memory"
    )]
    ObjectNameSemaphore(String),
}

/// Parses a key as `0x` hex, decimal, or a negative decimal as the kernel
/// prints keys. Zero is refused: it is `IPC_PRIVATE`, which names no segment.
///
/// ```
/// use shmtool::parse::key;
/// assert_eq!(key("0xdeadbeef"), key("-559038737"));
/// assert_eq!(key("0x1234").unwrap().to_string(), "0x00001234");
/// assert!(key("0").is_err());
/// ```
pub fn key(text: &str) -> Result<Key, ValueError> {
    let t = text.trim();
    let value: i64 = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ValueError::KeyHex(text.into()));
        }
        i64::from_str_radix(hex, 16).map_err(|_| ValueError::KeyRange(text.into()))?
    } else {
        let digits = t.strip_prefix('-').unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::Key(text.into()));
        }
        t.parse::<i64>()
            .map_err(|_| ValueError::KeyRange(text.into()))?
    };
    if !(i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&value) {
        return Err(ValueError::KeyRange(text.into()));
    }
    if value == 0 {
        return Err(ValueError::PrivateKey(text.into()));
    }
    // Keys above i32::MAX wrap to the negative value the kernel stores.
    Ok(Key(value as u32 as i32))
}

/// Parses a key for `create`, where `private` asks for a new private segment.
pub fn create_key(text: &str) -> Result<Option<Key>, ValueError> {
    if text.trim().eq_ignore_ascii_case("private") {
        return Ok(None);
    }
    key(text).map(Some)
}

const UNITS: &[(&str, u32)] = &[
    ("", 0),
    ("b", 0),
    ("k", 10),
    ("kib", 10),
    ("m", 20),
    ("mib", 20),
    ("g", 30),
    ("gib", 30),
    ("t", 40),
    ("tib", 40),
];

/// Parses a byte count: digits, optionally followed by a binary unit
/// (`K`/`KiB`, `M`/`MiB`, `G`/`GiB`, `T`/`TiB`, all powers of 1024).
pub fn byte_count(text: &str) -> Result<u64, ValueError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    if digits.is_empty() {
        return Err(ValueError::Size(text.into()));
    }
    let unit_lower = unit.to_ascii_lowercase();
    let Some(&(_, shift)) = UNITS.iter().find(|(name, _)| *name == unit_lower) else {
        return Err(ValueError::SizeUnit {
            text: text.into(),
            unit: unit.into(),
        });
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| ValueError::TooLarge(text.into()))?;
    number
        .checked_mul(1u64 << shift)
        .ok_or_else(|| ValueError::TooLarge(text.into()))
}

/// Parses a segment size: a byte count of at least one byte.
///
/// ```
/// use shmtool::parse::size;
/// assert_eq!(size("25K"), Ok(25 * 1024));
/// assert_eq!(size("1MiB"), Ok(1 << 20));
/// assert!(size("0").is_err() && size("1.5M").is_err());
/// ```
pub fn size(text: &str) -> Result<u64, ValueError> {
    match byte_count(text)? {
        0 => Err(ValueError::ZeroSize(text.into())),
        n => Ok(n),
    }
}

/// Parses an octal permission mode, `640` or `0640`, at most `0777`.
pub fn mode(text: &str) -> Result<u32, ValueError> {
    let t = text.trim();
    let digits = t.strip_prefix("0o").unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return Err(ValueError::Mode(text.into()));
    }
    match u32::from_str_radix(digits, 8) {
        Ok(m) if m <= 0o777 => Ok(m),
        _ => Err(ValueError::ModeRange(text.into())),
    }
}

/// Parses a segment id: a non-negative decimal.
pub fn shmid(text: &str) -> Result<i32, ValueError> {
    let t = text.trim();
    if t.starts_with('/') && t.len() > 1 {
        return Err(ValueError::ShmidName(text.into()));
    }
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValueError::Shmid(text.into()));
    }
    t.parse().map_err(|_| ValueError::ShmidRange(text.into()))
}

const DURATION_UNITS: &[(&str, u64)] = &[
    ("", 1),
    ("s", 1),
    ("m", 60),
    ("h", 3600),
    ("d", 86400),
    ("w", 604800),
];

/// Parses a duration in seconds: digits and a unit, `90s`, `10m`, `2h`,
/// `7d`, `1w`; bare digits are seconds.
pub fn duration(text: &str) -> Result<u64, ValueError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let Some(&(_, scale)) = DURATION_UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(ValueError::Duration(text.into()));
    };
    if digits.is_empty() {
        return Err(ValueError::Duration(text.into()));
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&secs| secs <= i64::MAX as u64)
        .ok_or_else(|| ValueError::DurationRange(text.into()))
}

/// Parses an address, `0x` hex or decimal.
pub fn address(text: &str) -> Result<usize, ValueError> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            usize::from_str_radix(hex, 16).ok()
        }
        Some(_) => None,
        None if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => t.parse().ok(),
        None => None,
    };
    parsed.ok_or_else(|| ValueError::Address(text.into()))
}

/// Parses a byte value: 0 to 255, decimal or `0x` hex.
pub fn byte(text: &str) -> Result<u8, ValueError> {
    address(text)
        .ok()
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| ValueError::Byte(text.into()))
}

/// Parses a user given by name or decimal uid into a uid.
pub fn user(text: &str) -> Result<u32, ValueError> {
    crate::users::uid_of(text.trim()).ok_or_else(|| ValueError::NoUser(text.into()))
}

/// Parses `USER`, `USER:GROUP` or `:GROUP` (names or numbers) into a uid
/// and a gid, either of which may be absent.
pub fn owner_group(text: &str) -> Result<(Option<u32>, Option<u32>), ValueError> {
    let (user_part, group_part) = match text.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (text, None),
    };
    let uid = match user_part {
        "" => None,
        u => Some(crate::users::uid_of(u).ok_or_else(|| ValueError::NoUser(u.into()))?),
    };
    let gid = match group_part {
        None | Some("") => None,
        Some(g) => Some(crate::users::gid_of(g).ok_or_else(|| ValueError::NoGroup(g.into()))?),
    };
    if uid.is_none() && gid.is_none() {
        return Err(ValueError::OwnerGroup(text.into()));
    }
    Ok((uid, gid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_in_every_spelling() {
        assert_eq!(key("0x1234"), Ok(Key(0x1234)));
        assert_eq!(key("4660"), Ok(Key(0x1234)));
        assert_eq!(key("0xdeadbeef"), Ok(Key(-559038737)));
        assert_eq!(key("-559038737"), Ok(Key(-559038737)));
        assert_eq!(key("3735928559"), Ok(Key(-559038737)));
        assert_eq!(key("0xFFFFFFFF"), Ok(Key(-1)));
        assert_eq!(create_key("private"), Ok(None));
        assert_eq!(create_key("0x10"), Ok(Some(Key(16))));
    }

    #[test]
    fn bad_keys() {
        for bad in [
            "",
            "0",
            "0x0",
            "0x",
            "0x1g",
            "abc",
            "0x100000000",
            "4294967296",
            "-2147483649",
            "--1",
            "1.5",
            "private",
        ] {
            assert!(key(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn sizes_with_units() {
        assert_eq!(size("25600"), Ok(25600));
        assert_eq!(size("25K"), Ok(25600));
        assert_eq!(size("25KiB"), Ok(25600));
        assert_eq!(size("25k"), Ok(25600));
        assert_eq!(size("1M"), Ok(1 << 20));
        assert_eq!(size("1MiB"), Ok(1 << 20));
        assert_eq!(size("1G"), Ok(1 << 30));
        assert_eq!(byte_count("0"), Ok(0));
        for bad in [
            "0",
            "",
            "-1",
            "K",
            "1X",
            "1.5M",
            "18446744073709551616",
            "17179869184G",
            " 1 M",
        ] {
            assert!(size(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn modes() {
        assert_eq!(mode("640"), Ok(0o640));
        assert_eq!(mode("0640"), Ok(0o640));
        assert_eq!(mode("0"), Ok(0));
        assert_eq!(mode("777"), Ok(0o777));
        for bad in ["", "8", "649", "1000", "01777", "rw", "-1", "0x1"] {
            assert!(mode(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn ids() {
        assert_eq!(shmid("0"), Ok(0));
        assert_eq!(shmid("2147483647"), Ok(i32::MAX));
        for bad in ["", "-1", "2147483648", "x", "0x1"] {
            assert!(shmid(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(duration("90s"), Ok(90));
        assert_eq!(duration("90"), Ok(90));
        assert_eq!(duration("10m"), Ok(600));
        assert_eq!(duration("2h"), Ok(7200));
        assert_eq!(duration("7d"), Ok(604800));
        assert_eq!(duration("1w"), Ok(604800));
        assert_eq!(duration("0s"), Ok(0));
        for bad in [
            "",
            "s",
            "10x",
            "-5m",
            "1.5h",
            "10 m",
            "99999999999999999999d",
            "10M",
        ] {
            assert!(duration(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn addresses_and_bytes() {
        assert_eq!(address("0x7f0000000000"), Ok(0x7f00_0000_0000));
        assert_eq!(address("4096"), Ok(4096));
        assert_eq!(byte("0"), Ok(0));
        assert_eq!(byte("255"), Ok(255));
        assert_eq!(byte("0xAB"), Ok(0xab));
        for bad in ["", "0x", "-1", "x10", "0x1g", "99999999999999999999999"] {
            assert!(address(bad).is_err(), "{bad:?} should be refused");
        }
        for bad in ["256", "0x100", "a", ""] {
            assert!(byte(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn owners_and_groups() {
        assert_eq!(owner_group("root"), Ok((Some(0), None)));
        assert_eq!(owner_group("root:root"), Ok((Some(0), Some(0))));
        assert_eq!(
            owner_group("100000:100001"),
            Ok((Some(100000), Some(100001)))
        );
        assert_eq!(owner_group(":7"), Ok((None, Some(7))));
        assert_eq!(owner_group("nobody:"), Ok((Some(65534), None)));
        for bad in ["", ":", "no-such-user-x", "root:no-such-group-x"] {
            assert!(owner_group(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn users() {
        assert_eq!(user("root"), Ok(0));
        assert_eq!(user("100000"), Ok(100000));
        assert!(user("no-such-user-here").is_err());
    }

    proptest! {
        #[test]
        fn printed_durations_parse_back(n in 0u64..1_000_000_000, unit in 0usize..DURATION_UNITS.len()) {
            let (name, scale) = DURATION_UNITS[unit];
            prop_assert_eq!(duration(&format!("{n}{name}")), Ok(n * scale));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC*") {
            let _ = duration(&s);
            let _ = owner_group(&s);
            let _ = address(&s);
            let _ = byte(&s);
            let _ = key(&s);
            let _ = create_key(&s);
            let _ = size(&s);
            let _ = mode(&s);
            let _ = shmid(&s);
        }

        #[test]
        fn printed_keys_parse_back(raw in any::<i32>().prop_filter("nonzero", |k| *k != 0)) {
            let k = Key(raw);
            prop_assert_eq!(key(&k.to_string()), Ok(k));
            prop_assert_eq!(key(&raw.to_string()), Ok(k));
        }

        #[test]
        fn printed_sizes_parse_back(n in 1u64..) {
            prop_assert_eq!(size(&n.to_string()), Ok(n));
        }

        #[test]
        fn unit_sizes_scale(n in 1u64..1_000_000, unit in 0usize..UNITS.len()) {
            let (name, shift) = UNITS[unit];
            prop_assert_eq!(size(&format!("{n}{name}")), Ok(n << shift));
        }

        #[test]
        fn printed_modes_parse_back(m in 0u32..=0o777) {
            prop_assert_eq!(mode(&format!("{m:o}")), Ok(m));
            prop_assert_eq!(mode(&format!("{m:04o}")), Ok(m));
        }
    }
}
