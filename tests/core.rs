//! The core subcommands on real kernel semantics: create, attach-write,
//! read, list, remove. Each test runs in a private IPC namespace.

mod common;

use std::io::Write;

use common::{Ns, assert_one_error_line};
use predicates::prelude::*;

fn id_of(stdout: &str) -> i32 {
    stdout
        .trim()
        .parse()
        .expect("create prints the shmid alone")
}

// ---------------------------------------------------------------- create

#[test]
fn create_prints_the_id_and_makes_the_segment_asked_for() {
    let ns = Ns::new();
    let id = id_of(&ns.ok(&[
        "create", "--key", "0x1234", "--size", "25600", "--mode", "640",
    ]));
    let seg = ns.segment(id).expect("the new segment is listed");
    assert_eq!(seg.key.to_string(), "0x00001234");
    assert_eq!((seg.size, seg.perms(), seg.nattch), (25600, 0o640, 0));
}

#[test]
fn create_accepts_every_key_spelling() {
    let ns = Ns::new();
    for (spelling, expect) in [
        ("4660", "0x00001234"),
        ("-559038737", "0xdeadbeef"),
        ("0xCAFE", "0x0000cafe"),
        ("3735928558", "0xdeadbeee"),
    ] {
        let id = id_of(&ns.ok(&["create", "--key", spelling, "--size", "1"]));
        assert_eq!(
            ns.segment(id).unwrap().key.to_string(),
            expect,
            "key {spelling}"
        );
    }
}

#[test]
fn create_sizes_with_units_are_powers_of_1024() {
    let ns = Ns::new();
    for (i, (size, bytes)) in [
        ("25K", 25600),
        ("25KiB", 25600),
        ("1M", 1 << 20),
        ("1MiB", 1 << 20),
        ("1G", 1 << 30),
    ]
    .iter()
    .enumerate()
    {
        let key = format!("{}", 100 + i);
        let id = id_of(&ns.ok(&["create", "--key", &key, "--size", size]));
        assert_eq!(ns.segment(id).unwrap().size, *bytes, "size {size}");
    }
}

#[test]
fn create_defaults_to_mode_0600_and_takes_0640() {
    let ns = Ns::new();
    let a = id_of(&ns.ok(&["create", "--key", "1", "--size", "1"]));
    let b = id_of(&ns.ok(&["create", "--key", "2", "--size", "1", "--mode", "0640"]));
    assert_eq!(ns.segment(a).unwrap().perms(), 0o600);
    assert_eq!(ns.segment(b).unwrap().perms(), 0o640);
}

#[test]
fn create_private_makes_a_new_segment_each_time() {
    let ns = Ns::new();
    let a = id_of(&ns.ok(&["create", "--private", "--size", "10"]));
    let b = id_of(&ns.ok(&["create", "--key", "private", "--size", "10"]));
    assert_ne!(a, b);
    assert!(ns.segment(a).unwrap().key.is_private());
    assert!(ns.segment(b).unwrap().key.is_private());
}

#[test]
fn create_refuses_an_existing_key_and_names_its_id_and_owner() {
    let ns = Ns::new();
    let id = ns.make(0x1234, 4096, 0o644);
    let err = ns.fails(1, &["create", "--key", "0x1234", "--size", "100"]);
    assert!(
        err.starts_with(&format!(
            "shmtool: create: key 0x00001234 already exists (shmid {id}, owner root); hint: add --reuse"
        )),
        "{err}"
    );
}

#[test]
fn create_reuse_prints_the_existing_id_when_big_enough() {
    let ns = Ns::new();
    let id = ns.make(0x1234, 4096, 0o600);
    assert_eq!(
        id_of(&ns.ok(&["create", "--key", "0x1234", "--size", "4096", "--reuse"])),
        id
    );
    assert_eq!(
        id_of(&ns.ok(&["create", "--key", "0x1234", "--size", "1", "--reuse"])),
        id
    );
    assert_eq!(ns.segments().len(), 1);
}

#[test]
fn create_reuse_of_a_smaller_segment_names_both_sizes() {
    let ns = Ns::new();
    let id = ns.make(0x1234, 4096, 0o600);
    let err = ns.fails(
        1,
        &["create", "--key", "0x1234", "--size", "8192", "--reuse"],
    );
    assert!(
        err.contains(&format!(
            "key 0x00001234 already exists (shmid {id}) with 4096 bytes, fewer than the 8192 bytes"
        )),
        "{err}"
    );
}

#[test]
fn create_rejects_bad_keys_sizes_and_modes_as_usage_errors() {
    let ns = Ns::new();
    let cases: &[(&[&str], &str)] = &[
        (&["--key", "0", "--size", "1"], "'0'"),
        (&["--key", "0x0", "--size", "1"], "'0x0'"),
        (&["--key", "0x100000000", "--size", "1"], "'0x100000000'"),
        (&["--key", "4294967296", "--size", "1"], "'4294967296'"),
        (&["--key", "-2147483649", "--size", "1"], "'-2147483649'"),
        (&["--key", "zz", "--size", "1"], "'zz'"),
        (&["--key", "1", "--size", "0"], "'0'"),
        (&["--key", "1", "--size", "-5"], "'-5'"),
        (&["--key", "1", "--size", "ten"], "'ten'"),
        (
            &["--key", "1", "--size", "18446744073709551616"],
            "'18446744073709551616'",
        ),
        (&["--key", "1", "--size", "16777216T"], "'16777216T'"),
        (&["--key", "1", "--size", "1", "--mode", "680"], "'680'"),
        (&["--key", "1", "--size", "1", "--mode", "1777"], "'1777'"),
        (&["--key", "1", "--size", "1", "--mode", "rw"], "'rw'"),
        (&["--size", "1"], "--key"),
        (&["--key", "1", "--private", "--size", "1"], "--private"),
        (&["--key", "1"], "--size"),
    ];
    for (args, named) in cases {
        let mut full = vec!["create"];
        full.extend_from_slice(args);
        let err = ns.fails(2, &full);
        assert!(err.starts_with("shmtool: create: "), "{err}");
        assert!(
            err.contains(named),
            "{args:?}: the error names {named}: {err}"
        );
    }
}

#[test]
fn usage_errors_name_the_subcommand_after_global_options() {
    let ns = Ns::new();
    let pid = std::process::id().to_string();
    let cases: [(&[&str], &str); 6] = [
        (&["--ns", &pid, "create", "--bogus"], "shmtool: create: "),
        (&["--ns=1", "read", "--format", "x"], "shmtool: read: "),
        (&["--ns", "1", "list", "--status", "x"], "shmtool: list: "),
        (&["--ns", "1", "create", "--key", "1"], "shmtool: create: "),
        (&["create", "--key", "1", "--ns"], "shmtool: create: "),
        // No subcommand reached: no subcommand named.
        (
            &["--ns", "1", "bogus"],
            "shmtool: unrecognized subcommand 'bogus'",
        ),
    ];
    for (args, prefix) in cases {
        let err = ns.fails(2, args);
        assert!(err.starts_with(prefix), "{args:?}: {err}");
        assert_one_error_line(&err);
        let sub = prefix
            .strip_prefix("shmtool: ")
            .and_then(|p| p.strip_suffix(": "))
            .map_or("shmtool --help".to_owned(), |s| {
                format!("shmtool {s} --help")
            });
        assert!(
            err.contains(&format!("hint: see '{sub}'")),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn create_above_shmmax_names_the_limit() {
    let ns = Ns::new();
    std::fs::write("/proc/sys/kernel/shmmax", "4096").unwrap();
    let err = ns.fails(1, &["create", "--key", "1", "--size", "4097"]);
    assert!(
        err.contains("size 4097 bytes is larger than shmmax (4096 bytes)"),
        "{err}"
    );
    assert!(err.contains("hint: raise /proc/sys/kernel/shmmax"), "{err}");
}

#[test]
fn create_at_shmmni_names_the_limit() {
    let ns = Ns::new();
    std::fs::write("/proc/sys/kernel/shmmni", "2").unwrap();
    ns.make(1, 1, 0o600);
    ns.make(2, 1, 0o600);
    let err = ns.fails(1, &["create", "--key", "3", "--size", "1"]);
    assert!(
        err.contains("the segment limit is reached: shmmni is 2 and 2 segments exist"),
        "{err}"
    );
}

#[test]
fn create_past_shmall_names_the_limit() {
    let ns = Ns::new();
    let page = shmtool::sysv::page_size();
    std::fs::write("/proc/sys/kernel/shmall", "4").unwrap();
    ns.make(1, 3 * page, 0o600);
    let size = (2 * page).to_string();
    let err = ns.fails(1, &["create", "--key", "2", "--size", &size]);
    assert!(
        err.contains(
            "the shared memory limit is reached: shmall is 4 pages, 3 are in use and this segment needs 2"
        ),
        "{err}"
    );
}

#[test]
fn create_larger_than_shmall_alone_names_the_pages_it_needs() {
    let ns = Ns::new();
    let page = shmtool::sysv::page_size();
    std::fs::write("/proc/sys/kernel/shmall", "4").unwrap();
    let size = 4 * page + 1;
    let err = ns.fails(1, &["create", "--key", "2", "--size", &size.to_string()]);
    assert!(
        err.contains(&format!(
            "size {size} bytes needs 5 pages, more than shmall allows in all (4 pages)"
        )),
        "nothing is in use: the request alone is too big: {err}"
    );
    assert!(!err.contains("in use"), "{err}");
    assert!(err.contains("hint: raise /proc/sys/kernel/shmall"), "{err}");
}

#[test]
fn create_reuse_with_another_mode_says_the_mode_was_not_applied() {
    let ns = Ns::new();
    let id = ns.make(0x1234, 4096, 0o600);
    let args = ["create", "--key", "0x1234", "--size", "1", "--reuse"];
    let out = ns
        .shmtool()
        .args(args)
        .args(["--mode", "644"])
        .assert()
        .success();
    let out = out.get_output();
    assert_eq!(id_of(&String::from_utf8_lossy(&out.stdout)), id);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        err,
        format!(
            "shmtool: create: --mode 644 was not applied: the existing segment {id} (key 0x00001234) keeps mode 0600\n"
        )
    );
    assert_eq!(ns.segment(id).unwrap().perms(), 0o600);
    // No warning when the mode matches, or when none was asked for.
    for extra in [&["--mode", "0600"][..], &[]] {
        ns.shmtool()
            .args(args)
            .args(extra)
            .assert()
            .success()
            .stderr("");
    }
}

#[test]
fn create_whose_id_cannot_be_printed_removes_the_segment_it_made() {
    let ns = Ns::new();
    let bin = env!("CARGO_BIN_EXE_shmtool");
    let sh = |script: &str| {
        std::process::Command::new("bash")
            .args(["-c", script])
            .output()
            .unwrap()
    };
    let create = format!("{bin} create --private --size 4096");
    for (script, cause) in [
        (format!("{create} >/dev/full"), "No space left on device"),
        // The reader is gone before create writes.
        (
            format!("set -o pipefail; {{ sleep 0.2; exec {create}; }} | true"),
            "Broken pipe",
        ),
        (format!("{create} >&-"), "standard output is closed"),
    ] {
        let out = sh(&script);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{script}: {err}");
        common::assert_one_error_line(&err);
        assert!(err.contains(cause), "{script}: {err}");
        assert_eq!(ns.segments(), vec![], "{script}: no segment left: {err}");
    }
    // A segment that --reuse found is not this run's to remove.
    let id = ns.make(0x99, 4096, 0o600);
    let out = sh(&format!(
        "{bin} create --key 0x99 --size 1 --reuse >/dev/full"
    ));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("the existing segment is left as it was"),
        "{err}"
    );
    assert!(ns.segment(id).is_some());
}

// ---------------------------------------------------------- attach-write and read

#[test]
fn write_then_read_text_by_key_and_by_id() {
    let ns = Ns::new();
    let id = ns.make(0x1234, 25600, 0o640);
    ns.shmtool()
        .args(["attach-write", "--key", "0x1234"])
        .write_stdin("hi")
        .assert()
        .success();
    ns.shmtool()
        .args(["read", "--key", "0x1234", "--length", "2"])
        .assert()
        .success()
        .stdout("hi");
    ns.shmtool()
        .args([
            "attach-write",
            "--id",
            &id.to_string(),
            "--offset",
            "2",
            "--data",
            "there",
        ])
        .assert()
        .success();
    ns.shmtool()
        .args([
            "read",
            "--id",
            &id.to_string(),
            "--offset",
            "2",
            "--length",
            "5",
        ])
        .assert()
        .success()
        .stdout("there");
}

#[test]
fn read_without_length_prints_to_the_segment_end() {
    let ns = Ns::new();
    ns.make(7, 100, 0o600);
    ns.shmtool()
        .args([
            "attach-write",
            "--key",
            "7",
            "--offset",
            "98",
            "--data",
            "ab",
        ])
        .assert()
        .success();
    let out = ns
        .shmtool()
        .args(["read", "--key", "7", "--offset", "90"])
        .assert()
        .success();
    assert_eq!(out.get_output().stdout, b"\0\0\0\0\0\0\0\0ab");
    let whole = ns.shmtool().args(["read", "--key", "7"]).assert().success();
    assert_eq!(
        whole.get_output().stdout.len(),
        100,
        "exactly the segment's size, not a page"
    );
}

#[test]
fn all_256_byte_values_round_trip() {
    let ns = Ns::new();
    ns.make(9, 256, 0o600);
    let all: Vec<u8> = (0..=255).collect();
    ns.shmtool()
        .args(["attach-write", "--key", "9"])
        .write_stdin(all.clone())
        .assert()
        .success();
    let out = ns.shmtool().args(["read", "--key", "9"]).assert().success();
    assert_eq!(out.get_output().stdout, all);
}

#[test]
fn attach_write_from_a_file() {
    let ns = Ns::new();
    ns.make(9, 4096, 0o600);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
    file.write_all(&data).unwrap();
    ns.shmtool()
        .args(["attach-write", "--key", "9", "--offset", "1000", "--file"])
        .arg(file.path())
        .assert()
        .success();
    let out = ns
        .shmtool()
        .args(["read", "--key", "9", "--offset", "1000", "--length", "3000"])
        .assert()
        .success();
    assert_eq!(out.get_output().stdout, data);
}

#[test]
fn data_past_the_end_writes_nothing() {
    let ns = Ns::new();
    ns.make(9, 100, 0o600);
    let err = ns.fails(
        1,
        &[
            "attach-write",
            "--key",
            "9",
            "--offset",
            "98",
            "--data",
            "abc",
        ],
    );
    assert!(
        err.contains("3 bytes at offset 98 do not fit in the 100-byte segment"),
        "{err}"
    );
    let out = ns.shmtool().args(["read", "--key", "9"]).assert().success();
    assert!(
        out.get_output().stdout.iter().all(|&b| b == 0),
        "nothing was written"
    );
}

#[test]
fn regular_file_past_the_end_writes_nothing() {
    let ns = Ns::new();
    ns.make(9, 100, 0o600);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&[0xff; 101]).unwrap();
    let path = file.path().to_str().unwrap();
    let err = ns.fails(1, &["attach-write", "--key", "9", "--file", path]);
    assert!(
        err.contains("101 bytes at offset 0 do not fit in the 100-byte segment"),
        "{err}"
    );
    let out = ns.shmtool().args(["read", "--key", "9"]).assert().success();
    assert!(
        out.get_output().stdout.iter().all(|&b| b == 0),
        "nothing was written"
    );
}

#[test]
fn a_stream_longer_than_the_space_fills_it_and_fails() {
    let ns = Ns::new();
    ns.make(9, 10, 0o600);
    let out = ns
        .shmtool()
        .args(["attach-write", "--key", "9", "--offset", "4"])
        .write_stdin("0123456789")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    common::assert_one_error_line(&err);
    assert!(
        err.contains("wrote 6 bytes at offset 4, filling the 10-byte segment, but input remained"),
        "{err}"
    );
    ns.shmtool()
        .args(["read", "--key", "9"])
        .assert()
        .success()
        .stdout(&b"\x00\x00\x00\x00012345"[..]);
}

#[test]
fn read_past_the_end_prints_nothing() {
    let ns = Ns::new();
    ns.make(9, 100, 0o600);
    let err = ns.fails(1, &["read", "--key", "9", "--offset", "101"]);
    assert!(
        err.contains("offset 101 is past the end of the 100-byte segment"),
        "{err}"
    );
    let err = ns.fails(
        1,
        &["read", "--key", "9", "--offset", "50", "--length", "51"],
    );
    assert!(
        err.contains("51 bytes at offset 50 do not fit in the 100-byte segment"),
        "{err}"
    );
}

#[test]
fn missing_targets_are_named() {
    let ns = Ns::new();
    let err = ns.fails(1, &["read", "--key", "0x4242"]);
    assert!(
        err.starts_with("shmtool: read: no segment with key 0x00004242"),
        "{err}"
    );
    let err = ns.fails(1, &["attach-write", "--id", "77", "--data", "x"]);
    assert!(
        err.starts_with("shmtool: attach-write: no segment with id 77"),
        "{err}"
    );
    ns.fails(2, &["read"]);
    ns.fails(2, &["read", "--id", "1", "--key", "1"]);
    ns.fails(2, &["read", "--key", "private"]);
    ns.fails(
        2,
        &[
            "attach-write",
            "--key",
            "1",
            "--data",
            "x",
            "--file",
            "/etc/hostname",
        ],
    );
}

#[test]
fn permission_denied_as_nobody_names_the_id_and_owner() {
    let ns = Ns::new();
    let id = ns.make(0x77, 100, 0o600);
    let before = ns.proc_shm();
    for args in [
        vec!["read", "--key", "0x77"],
        vec!["attach-write", "--key", "0x77", "--data", "x"],
    ] {
        let out = ns.shmtool_as_nobody().args(&args).assert().code(1);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        common::assert_one_error_line(&err);
        assert!(
            err.contains(&format!("permission denied for id {id}, owned by root")),
            "{err}"
        );
    }
    assert_eq!(ns.proc_shm(), before);
}

#[test]
fn nobody_may_read_but_not_write_a_0644_segment() {
    let ns = Ns::new();
    ns.make(0x77, 4, 0o644);
    ns.shmtool()
        .args(["attach-write", "--key", "0x77", "--data", "abcd"])
        .assert()
        .success();
    ns.shmtool_as_nobody()
        .args(["read", "--key", "0x77"])
        .assert()
        .success()
        .stdout("abcd");
    ns.shmtool_as_nobody()
        .args(["attach-write", "--key", "0x77", "--data", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("permission denied"));
}

// ---------------------------------------------------------------- set and lock

/// Runs shmtool as nobody with RLIMIT_MEMLOCK set to `memlock` bytes.
fn as_nobody_with_memlock(memlock: u64, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    std::process::Command::new("prlimit")
        .arg(format!("--memlock={memlock}:{memlock}"))
        .arg(env!("CARGO_BIN_EXE_shmtool"))
        .args(args)
        .uid(common::NOBODY)
        .gid(common::NOBODY)
        .output()
        .expect("prlimit (util-linux) runs shmtool")
}

/// A segment of `size` bytes owned by nobody.
fn nobodys(ns: &Ns, key: i32, size: u64, mode: u32) -> i32 {
    let id = ns.make(key, size, mode);
    shmtool::sysv::set(id, common::NOBODY, common::NOBODY, mode).unwrap();
    id
}

#[test]
fn set_owner_to_an_invalid_uid_names_the_uid_not_a_missing_segment() {
    let ns = Ns::new();
    let id = ns.make(1, 1, 0o600).to_string();
    let err = ns.fails(1, &["set", &id, "--owner", "4294967295"]);
    assert!(
        err.contains(&format!(
            "cannot change the owner of id {id}: uid 4294967295 is not a valid owner"
        )),
        "{err}"
    );
    assert!(!err.contains("no segment"), "{err}");
    let err = ns.fails(1, &["set", &id, "--owner", "0:4294967295"]);
    assert!(err.contains("gid 4294967295 is not a valid group"), "{err}");
    assert!(!err.contains("uid 0"), "only the bad one is named: {err}");
}

#[test]
fn lock_over_a_partly_used_memlock_limit_says_the_limit_is_cumulative() {
    let ns = Ns::new();
    let page = shmtool::sysv::page_size();
    let limit = 3 * page;
    let first = nobodys(&ns, 1, 2 * page, 0o600).to_string();
    let second = nobodys(&ns, 2, 2 * page, 0o600).to_string();
    let big = nobodys(&ns, 3, 4 * page, 0o600).to_string();
    let out = as_nobody_with_memlock(limit, &["lock", &first]);
    assert!(out.status.success(), "{out:?}");
    // 2 pages fit in 3; 2 more do not, though they would alone.
    let out = as_nobody_with_memlock(limit, &["lock", &second]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    common::assert_one_error_line(&err);
    assert!(
        err.contains(&format!(
            "cannot lock id {second}: its {} bytes and the shared memory this user has already locked exceed RLIMIT_MEMLOCK ({limit} bytes)",
            2 * page
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "segments locked in this IPC namespace (by any user) hold {} bytes",
            2 * page
        )),
        "{err}"
    );
    let out = as_nobody_with_memlock(limit, &["lock", &big]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains(&format!(
            "cannot lock id {big}: its {} bytes (4 pages) alone exceed RLIMIT_MEMLOCK ({limit} bytes)",
            4 * page
        )),
        "{err}"
    );
    // With a limit of 0 the kernel says EPERM, though the user owns it.
    let out = as_nobody_with_memlock(0, &["lock", &second]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains(&format!(
            "cannot lock id {second}: RLIMIT_MEMLOCK is 0, so this user may lock nothing"
        )),
        "{err}"
    );
    // Give the pages locked as nobody back to nobody's count.
    ns.ok(&["remove", "--all"]);
}

#[test]
fn the_owner_denied_by_its_own_mode_000_is_told_how_to_change_it() {
    let ns = Ns::new();
    let id = nobodys(&ns, 1, 64, 0o000);
    for args in [
        vec!["read", "--id", &id.to_string()],
        vec!["attach-write", "--id", &id.to_string(), "--data", "x"],
    ] {
        let out = ns.shmtool_as_nobody().args(&args).assert().code(1);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        common::assert_one_error_line(&err);
        assert!(
            err.contains(&format!(
                "permission denied for id {id}: you own it (nobody), but its mode 0000 denies its owner this access; hint: give yourself access with 'shmtool set {id} --mode 600'"
            )),
            "{err}"
        );
    }
    // And the hint works.
    ns.shmtool_as_nobody()
        .args(["set", &id.to_string(), "--mode", "600"])
        .assert()
        .success();
    ns.shmtool_as_nobody()
        .args(["attach-write", "--id", &id.to_string(), "--data", "x"])
        .assert()
        .success();
}

// ---------------------------------------------------------------- list

#[test]
fn list_shows_the_ipcs_columns() {
    let ns = Ns::new();
    let id = ns.make(0x1234, 25600, 0o640);
    let out = ns.ok(&["list"]);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "key", "shmid", "owner", "perms", "bytes", "nattch", "status"
        ]
    );
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        row,
        ["0x00001234", &id.to_string(), "root", "640", "25600", "0"]
    );
    assert_eq!(lines.next(), None);
}

#[test]
fn list_of_an_empty_namespace_is_only_the_header() {
    let ns = Ns::new();
    assert_eq!(ns.ok(&["list"]).lines().count(), 1);
}

#[test]
fn list_shows_dest_locked_and_owners_without_names() {
    let ns = Ns::new();
    let locked = ns.make(1, 10, 0o600);
    shmtool::sysv::lock(locked).unwrap();
    let dest = ns.make(2, 10, 0o600);
    let both = ns.make(3, 10, 0o600);
    shmtool::sysv::lock(both).unwrap();
    let stranger = ns.make(4, 10, 0o600);
    shmtool::sysv::set(stranger, 4_000_000_000, 100_000, 0o600).unwrap();
    // Holding attachments keeps the removed segments listed as dest.
    let _a = shmtool::sysv::Attachment::read_only(dest, Default::default()).unwrap();
    let _b = shmtool::sysv::Attachment::read_only(both, Default::default()).unwrap();
    shmtool::sysv::remove(dest).unwrap();
    shmtool::sysv::remove(both).unwrap();
    let out = ns.ok(&["list"]);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let row = |id: i32| {
        rows.iter()
            .find(|r| r[1] == id.to_string())
            .unwrap()
            .clone()
    };
    assert_eq!(row(locked)[6], "locked");
    assert_eq!(
        row(dest)[..],
        [
            "0x00000000",
            &dest.to_string(),
            "root",
            "600",
            "10",
            "1",
            "dest"
        ]
    );
    assert_eq!(row(both)[6], "dest,locked");
    assert_eq!(
        row(stranger)[2],
        "4000000000",
        "an owner with no name shows as the uid"
    );
}

// ---------------------------------------------------------------- remove

#[test]
fn remove_by_positional_id_id_and_key() {
    let ns = Ns::new();
    let a = ns.make(1, 1, 0o600);
    let b = ns.make(2, 1, 0o600);
    ns.make(3, 1, 0o600);
    let d = ns.make(4, 1, 0o600);
    ns.ok(&[
        "remove",
        &a.to_string(),
        "--id",
        &b.to_string(),
        "--key",
        "3",
    ]);
    let left: Vec<i32> = ns.segments().iter().map(|s| s.shmid).collect();
    assert_eq!(left, [d]);
}

#[test]
fn remove_all_removes_every_segment() {
    let ns = Ns::new();
    for k in 1..=5 {
        ns.make(k, 1, 0o600);
    }
    ns.ok(&["remove", "--all"]);
    assert_eq!(ns.segments(), vec![]);
}

#[test]
fn remove_keeps_going_after_a_failure_and_exits_1() {
    let ns = Ns::new();
    let a = ns.make(1, 1, 0o600);
    let out = ns
        .shmtool()
        .args(["remove", "99", &a.to_string(), "--key", "0x55"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("shmtool: remove: no segment with id 99"),
        "{err}"
    );
    assert!(
        lines[1].starts_with("shmtool: remove: no segment with key 0x00000055"),
        "{err}"
    );
    assert_eq!(ns.segments(), vec![], "the existing target was removed");
}

#[test]
fn remove_with_no_target_is_a_usage_error() {
    let ns = Ns::new();
    ns.make(1, 1, 0o600);
    let err = ns.fails(2, &["remove"]);
    assert!(err.starts_with("shmtool: remove: "), "{err}");
    ns.fails(2, &["remove", "--all", "--id", "0"]);
    ns.fails(2, &["remove", "x1"]);
}

#[test]
fn remove_as_nobody_is_denied_and_names_the_owner() {
    let ns = Ns::new();
    let id = ns.make(1, 1, 0o666);
    let before = ns.proc_shm();
    let out = ns
        .shmtool_as_nobody()
        .args(["remove", &id.to_string()])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    common::assert_one_error_line(&err);
    assert!(
        err.contains(&format!(
            "shmtool: remove: permission denied for id {id}, owned by root"
        )),
        "{err}"
    );
    assert_eq!(ns.proc_shm(), before);
}

#[test]
fn removing_an_attached_segment_marks_it_and_says_so() {
    let ns = Ns::new();
    let id = ns.make(1, 10, 0o600);
    // Held by another process: an attachment in this test process would be
    // copied into every child that other tests fork meanwhile (nattch, lpid
    // and dtime then move under the comparison in `fails`).
    let _held = common::Peer::start(&["hold", &id.to_string()]);
    let out = ns
        .shmtool()
        .args(["remove", &id.to_string()])
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains(&format!(
            "id {id} marked for destruction; still attached (nattch 1)"
        )),
        "{err}"
    );
    let seg = ns.segment(id).expect("still listed while attached");
    assert!(seg.status().dest);
    // Removing it again is reported as already removed.
    let err = ns.fails(1, &["remove", &id.to_string()]);
    assert!(
        err.contains(&format!("id {id} was already removed")),
        "{err}"
    );
}

// ---------------------------------------------------------------- the real tools

#[test]
fn a_segment_made_by_ipcmk_is_listed() {
    let ns = Ns::new();
    let out = ns
        .tool("ipcmk")
        .args(["-M", "4096", "-p", "0640"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let id: i32 = text.trim().rsplit(' ').next().unwrap().parse().unwrap();
    let seg = ns.segment(id).unwrap();
    let list = ns.ok(&["list"]);
    let row: Vec<&str> = list.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(
        row,
        [
            seg.key.to_string().as_str(),
            &id.to_string(),
            "root",
            "640",
            "4096",
            "0"
        ]
    );
}

#[test]
fn a_segment_made_by_shmtool_is_shown_by_ipcs_and_removed_by_ipcrm() {
    let ns = Ns::new();
    let id = id_of(&ns.ok(&[
        "create",
        "--key",
        "0xdeadbeef",
        "--size",
        "100000",
        "--mode",
        "666",
    ]));
    let out = ns.tool("ipcs").arg("-m").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let row = format!("0xdeadbeef {:<10} root       666        100000     0", id);
    assert!(text.contains(&row), "{text}");
    ns.tool("ipcrm")
        .args(["-M", "0xdeadbeef"])
        .assert()
        .success();
    assert_eq!(ns.segments(), vec![]);
}

#[test]
fn the_readme_walkthrough() {
    let ns = Ns::new();
    let id = ns.ok(&[
        "create", "--key", "0x1234", "--size", "25600", "--mode", "640",
    ]);
    id_of(&id);
    let list = ns.ok(&["list"]);
    let row: Vec<&str> = list.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(
        (row[0], row[3], row[4], row[5]),
        ("0x00001234", "640", "25600", "0")
    );
    ns.shmtool()
        .args(["attach-write", "--key", "0x1234"])
        .write_stdin("hi")
        .assert()
        .success();
    ns.shmtool()
        .args(["read", "--key", "0x1234", "--length", "2"])
        .assert()
        .success()
        .stdout("hi");
    ns.ok(&["remove", "--key", "0x1234"]);
    let ipcs = ns.tool("ipcs").arg("-m").assert().success();
    let text = String::from_utf8_lossy(&ipcs.get_output().stdout).into_owned();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("0x")).count(),
        0,
        "{text}"
    );
}

#[test]
fn the_readme_examples_print_on_a_terminal_what_the_readme_shows() {
    let ns = Ns::new();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("## Examples").unwrap();
    let block = readme[start..]
        .split("```console\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a console block under Examples");
    let commands: Vec<&str> = block.lines().filter_map(|l| l.strip_prefix("$ ")).collect();
    let shown: Vec<&str> = block.lines().filter(|l| !l.starts_with("$ ")).collect();
    assert!(commands.iter().any(|c| c.contains("shmtool read")));
    // script(1) runs them on a pseudo-terminal, as a reader of the README would.
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_shmtool"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    // The README shows text without colour; the layout on a terminal is the same.
    let out = std::process::Command::new("script")
        .args(["-qec", &commands.join("; "), "/dev/null"])
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    let printed: Vec<&str> = text.lines().map(str::trim_end).collect();
    assert_eq!(printed, shown);
    assert_eq!(ns.segments(), vec![]);
}

#[test]
fn read_to_a_terminal_prints_a_hex_dump() {
    let ns = Ns::new();
    ns.make(9, 40, 0o600);
    ns.shmtool()
        .args(["attach-write", "--key", "9", "--data", "hi\u{1}there"])
        .assert()
        .success();
    // script(1) runs the command on a pseudo-terminal.
    let cmd = format!("{} read --key 9", env!("CARGO_BIN_EXE_shmtool"));
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    assert_eq!(
        text,
        "00000000  68 69 01 74 68 65 72 65  00 00 00 00 00 00 00 00  |hi.there........|\n\
         00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n\
         00000020  00 00 00 00 00 00 00 00                           |........|\n\
         00000028\n"
    );
}
