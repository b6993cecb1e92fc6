//! The data path: read formats and output files, attach-write fills and
//! streams, shmat placement, and interop with other processes.

mod common;

use std::io::Write;

use common::{Ns, Peer, assert_one_error_line, stderr_of, stdout_bytes};

/// Deterministic pseudo-random bytes (xorshift64*), fast enough for 256 MiB.
fn random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.extend_from_slice(&seed.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

// ---------------------------------------------------------------- read

#[test]
fn read_formats_raw_hex_and_text() {
    let ns = Ns::new();
    ns.make(1, 32, 0o600);
    ns.shmtool()
        .args(["attach-write", "--key", "1"])
        .write_stdin(&b"hello\0world"[..])
        .assert()
        .success();
    let raw = ns
        .shmtool()
        .args(["read", "--key", "1", "--length", "11"])
        .assert()
        .success();
    assert_eq!(
        stdout_bytes(&raw),
        b"hello\0world",
        "raw is the default off a terminal"
    );
    let raw = ns
        .shmtool()
        .args(["read", "--key", "1", "--length", "11", "--format", "raw"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&raw), b"hello\0world");
    let text = ns
        .shmtool()
        .args(["read", "--key", "1", "--format", "text"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&text), b"hello", "text stops at the first NUL");
    let text = ns
        .shmtool()
        .args(["read", "--key", "1", "--format", "text", "--offset", "6"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&text), b"world");
    let hex = ns
        .shmtool()
        .args(["read", "--key", "1", "--format", "hex"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(stdout_bytes(&hex)).unwrap(),
        "00000000  68 65 6c 6c 6f 00 77 6f  72 6c 64 00 00 00 00 00  |hello.world.....|\n\
         00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n\
         00000020\n"
    );
    // The same as the canonical dump of hexdump -C (bsdextrautils).
    let c = std::process::Command::new("bash")
        .args([
            "-c",
            &format!(
                "set -o pipefail; {} read --key 1 | hexdump -C",
                env!("CARGO_BIN_EXE_shmtool")
            ),
        ])
        .output()
        .unwrap();
    assert!(
        c.status.success(),
        "read | hexdump -C: {}",
        String::from_utf8_lossy(&c.stderr)
    );
    assert_eq!(c.stdout, stdout_bytes(&hex));
    ns.fails(2, &["read", "--key", "1", "--format", "base64"]);
}

#[test]
fn read_to_an_output_file_refuses_to_replace_without_force() {
    let ns = Ns::new();
    ns.make(1, 8, 0o600);
    ns.shmtool()
        .args(["attach-write", "--key", "1", "--data", "12345678"])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    let p = path.to_str().unwrap();
    ns.shmtool()
        .args(["read", "--key", "1", "--output", p])
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read(&path).unwrap(), b"12345678");
    std::fs::write(&path, b"keep me").unwrap();
    let err = ns.fails(1, &["read", "--key", "1", "-o", p]);
    assert!(
        err.contains(&format!("{p} exists; pass --force to replace it")),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
    ns.shmtool()
        .args(["read", "--key", "1", "-o", p, "--force", "--length", "3"])
        .assert()
        .success();
    assert_eq!(std::fs::read(&path).unwrap(), b"123");
    let err = ns.fails(1, &["read", "--key", "1", "-o", "/nonexistent-dir/x"]);
    assert!(err.contains("cannot create /nonexistent-dir/x"), "{err}");
    ns.fails(2, &["read", "--key", "1", "--force"]);
}

#[test]
fn a_failed_read_leaves_the_output_file_as_it_was() {
    let ns = Ns::new();
    ns.make(1, 8, 0o600);
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let new = dir.path().join("new.bin");
    let kept = dir.path().join("kept.bin");
    std::fs::write(&kept, b"keep me").unwrap();
    std::fs::set_permissions(&kept, std::os::unix::fs::PermissionsExt::from_mode(0o666)).unwrap();
    // nobody may not attach root's 0600 segment: the read fails.
    let out = ns
        .shmtool_as_nobody()
        .args(["read", "--key", "1", "-o"])
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("permission denied"));
    assert!(!new.exists(), "no empty file left behind");
    let out = ns
        .shmtool_as_nobody()
        .args(["read", "--key", "1", "--force", "-o"])
        .arg(&kept)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        b"keep me",
        "--force replaces only once the read can happen"
    );
}

#[test]
fn a_broken_pipe_mid_segment_ends_quietly() {
    let ns = Ns::new();
    ns.make(1, 64 << 20, 0o600);
    let script = format!(
        "set -o pipefail; {} read --key 1 | head -c 1 >/dev/null",
        env!("CARGO_BIN_EXE_shmtool")
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success());
}

// ---------------------------------------------------------------- attach-write

#[test]
fn fill_zeroes_or_patterns_a_range() {
    let ns = Ns::new();
    ns.make(1, 16, 0o600);
    ns.shmtool()
        .args(["attach-write", "--key", "1", "--fill", "0xff"])
        .assert()
        .success();
    ns.shmtool()
        .args([
            "attach-write",
            "--key",
            "1",
            "--fill",
            "0",
            "--offset",
            "4",
            "--length",
            "8",
        ])
        .assert()
        .success();
    let out = ns.shmtool().args(["read", "--key", "1"]).assert().success();
    assert_eq!(
        stdout_bytes(&out),
        [[0xff; 4], [0; 4], [0; 4], [0xff; 4]].concat()
    );
    ns.shmtool()
        .args([
            "attach-write",
            "--key",
            "1",
            "--fill",
            "65",
            "--offset",
            "12",
        ])
        .assert()
        .success();
    let out = ns
        .shmtool()
        .args(["read", "--key", "1", "--offset", "12"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&out), b"AAAA");
    let err = ns.fails(
        1,
        &[
            "attach-write",
            "--key",
            "1",
            "--fill",
            "0",
            "--offset",
            "8",
            "--length",
            "9",
        ],
    );
    assert!(
        err.contains("9 bytes at offset 8 do not fit in the 16-byte segment"),
        "{err}"
    );
    ns.fails(2, &["attach-write", "--key", "1", "--fill", "256"]);
    ns.fails(
        2,
        &["attach-write", "--key", "1", "--fill", "1", "--data", "x"],
    );
}

#[test]
fn verbose_says_how_many_bytes_went_where() {
    let ns = Ns::new();
    let id = ns.make(1, 100, 0o600);
    let out = ns
        .shmtool()
        .args(["attach-write", "--key", "1", "--offset", "10", "-v"])
        .write_stdin("abc")
        .assert()
        .success();
    let err = stderr_of(&out);
    assert!(
        err.starts_with(&format!(
            "shmtool: attach-write: 3 bytes to id {id} at offset 10 (attached at 0x"
        )),
        "{err}"
    );
    let out = ns
        .shmtool()
        .args([
            "read",
            "--id",
            &id.to_string(),
            "--offset",
            "10",
            "--length",
            "3",
            "--verbose",
        ])
        .assert()
        .success();
    assert!(stderr_of(&out).starts_with(&format!(
        "shmtool: read: 3 bytes from id {id} at offset 10 (attached at 0x"
    )));
}

#[test]
fn a_pipe_longer_than_the_space_writes_what_fits_then_fails() {
    let ns = Ns::new();
    ns.make(1, 4096, 0o600);
    let script = format!(
        "head -c 10000 /dev/zero | tr '\\0' x | {} attach-write --key 1 --offset 96",
        env!("CARGO_BIN_EXE_shmtool")
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_one_error_line(&err);
    assert!(
        err.contains(
            "wrote 4000 bytes at offset 96, filling the 4096-byte segment, but input remained"
        ),
        "{err}"
    );
    let back = ns
        .shmtool()
        .args(["read", "--key", "1", "--offset", "96"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&back), vec![b'x'; 4000]);
}

#[test]
fn bad_input_files_are_named_and_change_nothing() {
    let ns = Ns::new();
    ns.make(1, 100, 0o600);
    let dir = tempfile::tempdir().unwrap();
    let err = ns.fails(
        1,
        &["attach-write", "--key", "1", "--file", "/nonexistent/input"],
    );
    assert!(err.contains("cannot open /nonexistent/input"), "{err}");
    let err = ns.fails(
        1,
        &[
            "attach-write",
            "--key",
            "1",
            "--file",
            dir.path().to_str().unwrap(),
        ],
    );
    assert!(err.contains("it is a directory"), "{err}");
}

#[test]
fn a_fifo_is_read_as_a_stream() {
    let ns = Ns::new();
    ns.make(1, 100, 0o600);
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let script = format!(
        "printf 'through a fifo' > {} & {} attach-write --key 1 --file {}",
        fifo.display(),
        env!("CARGO_BIN_EXE_shmtool"),
        fifo.display()
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = ns
        .shmtool()
        .args(["read", "--key", "1", "--format", "text"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&back), b"through a fifo");
}

/// Spawns shmtool with stdout to a pipe nobody reads yet; returns the
/// child and the pipe's reading end.
fn spawn_into_pipe(args: &[&str]) -> (std::process::Child, std::io::PipeReader) {
    let (reader, writer) = std::io::pipe().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_shmtool"))
        .args(args)
        .stdout(writer)
        .spawn()
        .unwrap();
    (child, reader)
}

#[test]
fn read_into_a_pipe_delivers_the_bytes_that_were_there() {
    let ns = Ns::new();
    let id = ns.make(1, 48 << 10, 0o600);
    let write = |byte: u8| {
        shmtool::sysv::Attachment::read_write(id, Default::default())
            .unwrap()
            .fill(0, 48 << 10, byte)
            .unwrap();
    };
    for format in ["raw", "hex", "text"] {
        write(b'A');
        // The reader is slow: it starts only after read has exited and the
        // segment has been rewritten (48 KiB fit in a pipe's default 64 KiB,
        // so read finishes first).
        let (mut child, mut reader) = spawn_into_pipe(&["read", "--key", "1", "--format", format]);
        assert!(child.wait().unwrap().success(), "{format}");
        write(b'B');
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut reader, &mut got).unwrap();
        assert!(!got.is_empty(), "{format}");
        match format {
            "hex" => {
                assert!(
                    String::from_utf8_lossy(&got).contains("|AAAAAAAAAAAAAAAA|"),
                    "{format}"
                );
                assert!(
                    !got.windows(2).any(|w| w == b"42"),
                    "no B (0x42) in the dump"
                );
            }
            _ => assert!(
                got.iter().all(|&b| b == b'A'),
                "{format}: later writes leaked in"
            ),
        }
    }
}

#[test]
fn two_attachments_in_one_process_see_each_others_writes() {
    let ns = Ns::new();
    let id = ns.make(1, 4096, 0o600);
    let writer = shmtool::sysv::Attachment::read_write(id, Default::default()).unwrap();
    let reader = shmtool::sysv::Attachment::read_only(id, Default::default()).unwrap();
    assert_ne!(
        writer.address(),
        reader.address(),
        "two mappings of one segment"
    );
    let mut seen = [0u8; 2];
    for i in 0..=255u8 {
        writer.copy_from(4094, &[i, !i]).unwrap();
        reader.copy_to(4094, &mut seen).unwrap();
        assert_eq!(
            seen,
            [i, !i],
            "a write through one attachment is read through the other"
        );
    }
    // Ranges are checked: nothing outside the segment is touched.
    assert!(reader.copy_to(4095, &mut seen).is_err());
    assert!(writer.copy_from(4097, &[]).is_err());
    assert!(writer.fill(usize::MAX, 2, 0).is_err());
}

#[test]
fn attach_write_by_key_refuses_a_segment_removed_meanwhile() {
    let ns = Ns::new();
    let id = ns.make(0x77, 64, 0o600);
    // Another user keeps it alive after removal, as a dest segment.
    let holder = Peer::start(&["hold", &id.to_string()]);
    // The segment is removed between shmtool's lookup of the key and its
    // attach (tests/helpers/shm_hook.c does it just before shmat).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shmtool"))
        .args(["attach-write", "--key", "0x77", "--data", "lost?"])
        .env("LD_PRELOAD", common::shm_hook())
        .env("SHM_HOOK_ID", id.to_string())
        .env("SHM_HOOK_BEFORE", "shmat")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_one_error_line(&err);
    assert!(
        err.contains(&format!("key 0x00000077: id {id} was removed meanwhile"))
            && err.contains("nothing written"),
        "{err}"
    );
    let seg = ns.segment(id).expect("still held");
    assert!(seg.status().dest);
    let mut now = [0xffu8; 5];
    shmtool::sysv::Attachment::read_only(id, Default::default())
        .unwrap()
        .copy_to(0, &mut now)
        .unwrap();
    assert_eq!(now, [0; 5], "nothing written");
    drop(holder);
}

#[test]
fn attach_write_file_reads_proc_and_sys_files_to_their_end() {
    let ns = Ns::new();
    ns.make(1, 64 << 10, 0o600);
    for path in [
        "/proc/version",
        "/proc/sys/kernel/ostype",
        "/sys/kernel/uevent_seqnum",
    ] {
        let Ok(expected) = std::fs::read(path) else {
            continue;
        };
        assert_eq!(
            std::fs::metadata(path).unwrap().len() % 4096,
            0,
            "{path} has no true size"
        );
        ns.shmtool()
            .args(["attach-write", "--key", "1", "--fill", "0"])
            .assert()
            .success();
        ns.shmtool()
            .args(["attach-write", "--key", "1", "--file", path])
            .assert()
            .success();
        let out = ns
            .shmtool()
            .args(["read", "--key", "1", "--format", "text"])
            .assert()
            .success();
        assert_eq!(stdout_bytes(&out), expected, "{path}");
    }
}

#[test]
fn length_caps_every_source_and_fill_fills_exactly() {
    let ns = Ns::new();
    ns.make(1, 16, 0o600);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in");
    std::fs::write(&file, b"FFFFFFFF").unwrap();
    let f = file.to_str().unwrap();
    let read_all = || stdout_bytes(&ns.shmtool().args(["read", "--key", "1"]).assert().success());
    ns.shmtool()
        .args([
            "attach-write",
            "--key",
            "1",
            "--data",
            "DDDDDDDD",
            "--length",
            "3",
        ])
        .assert()
        .success();
    assert_eq!(&read_all()[..4], b"DDD\0");
    ns.shmtool()
        .args([
            "attach-write",
            "--key",
            "1",
            "--file",
            f,
            "--length",
            "2",
            "--offset",
            "4",
        ])
        .assert()
        .success();
    ns.shmtool()
        .args([
            "attach-write",
            "--key",
            "1",
            "--length",
            "1",
            "--offset",
            "8",
        ])
        .write_stdin("SSSS")
        .assert()
        .success();
    assert_eq!(&read_all()[..10], b"DDD\0FF\0\0S\0");
    // --length that cannot fit is refused before anything is written.
    let err = ns.fails(1, &["attach-write", "--key", "1", "--length", "17"]);
    assert!(err.contains("17 bytes at offset 0 do not fit"), "{err}");
}

#[test]
fn read_output_dash_is_standard_output() {
    let ns = Ns::new();
    ns.make(1, 4, 0o600);
    ns.shmtool()
        .args(["attach-write", "--key", "1", "--data", "abcd"])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let out = ns
        .shmtool()
        .current_dir(dir.path())
        .args(["read", "--key", "1", "-o", "-"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&out), b"abcd");
    assert!(!dir.path().join("-").exists(), "no file named -");
}

#[test]
fn read_output_never_follows_a_planted_symlink_to_a_file() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let ns = Ns::new();
    ns.make(1, 4, 0o644);
    ns.shmtool()
        .args(["attach-write", "--key", "1", "--data", "evil"])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("shadow");
    std::fs::write(&victim, b"precious").unwrap();
    let link = dir.path().join("dump.bin");
    symlink(&victim, &link).unwrap();
    let l = link.to_str().unwrap();
    let err = ns.fails(1, &["read", "--key", "1", "-o", l, "--force"]);
    assert!(
        err.contains("is a symbolic link to a regular file"),
        "{err}"
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    let err = ns.fails(1, &["read", "--key", "1", "-o", l]);
    assert!(err.contains("exists; pass --force"), "{err}");
    // A dangling link is not created through either.
    let dangling = dir.path().join("dangling");
    symlink(dir.path().join("made-by-link"), &dangling).unwrap();
    ns.fails(1, &["read", "--key", "1", "-o", dangling.to_str().unwrap()]);
    assert!(!dir.path().join("made-by-link").exists());
    // A new dump is 0600, whatever the segment's mode and the umask.
    let fresh = dir.path().join("fresh.bin");
    ns.shmtool()
        .args(["read", "--key", "1", "-o", fresh.to_str().unwrap()])
        .assert()
        .success();
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Replaced with --force: new content, mode 0600, no file left beside it.
    std::fs::write(&victim, b"old").unwrap();
    std::fs::set_permissions(&victim, PermissionsExt::from_mode(0o644)).unwrap();
    let v = victim.to_str().unwrap();
    ns.shmtool()
        .args(["read", "--key", "1", "-o", v, "--force"])
        .assert()
        .success();
    assert_eq!(std::fs::read(&victim).unwrap(), b"evil");
    let mode = std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 4, "no temporary file left: {names:?}");
}

#[test]
fn read_output_force_writes_devices_and_fifos_without_truncating() {
    let ns = Ns::new();
    ns.make(1, 4, 0o600);
    ns.shmtool()
        .args(["attach-write", "--key", "1", "--data", "wxyz"])
        .assert()
        .success();
    ns.shmtool()
        .args(["read", "--key", "1", "-o", "/dev/null", "--force"])
        .assert()
        .success();
    // /dev/stdout is itself a symlink; here it leads to a pipe.
    let out = ns
        .shmtool()
        .args(["read", "--key", "1", "-o", "/dev/stdout", "--force"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&out), b"wxyz");
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = std::process::Command::new("cat")
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    ns.shmtool()
        .args([
            "read",
            "--key",
            "1",
            "-o",
            fifo.to_str().unwrap(),
            "--force",
        ])
        .assert()
        .success();
    assert_eq!(reader.wait_with_output().unwrap().stdout, b"wxyz");
}

#[test]
fn a_read_that_fails_midway_keeps_the_file_it_would_replace() {
    let ns = Ns::new();
    ns.make(1, 1 << 20, 0o600);
    ns.shmtool()
        .args(["attach-write", "--key", "1", "--fill", "0x55"])
        .assert()
        .success();
    // A 64 KiB tmpfs in a private mount namespace fills up mid-dump.
    let script = r#"
        set -e
        mount --make-rprivate /
        dir=$(mktemp -d)
        mount -t tmpfs -o size=64k tmpfs "$dir"
        printf 'keep me' > "$dir/out.bin"
        set +e
        "$1" read --key 1 -o "$dir/out.bin" --force
        echo "rc=$?"
        cat "$dir/out.bin"; echo
        ls -A "$dir"
        umount "$dir"; rmdir "$dir"
    "#;
    let out = std::process::Command::new("unshare")
        .args([
            "--mount",
            "sh",
            "-c",
            script,
            "sh",
            env!("CARGO_BIN_EXE_shmtool"),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout, "rc=1\nkeep me\nout.bin\n", "{stderr}");
    assert_one_error_line(&stderr);
    assert!(stderr.contains("No space left on device"), "{stderr}");
}

// ---------------------------------------------------------------- shmat options

#[test]
fn addr_attaches_where_asked_and_rnd_rounds_down() {
    let ns = Ns::new();
    ns.make(1, 4096, 0o600);
    let at = |args: &[&str]| -> String {
        let mut full = vec!["read", "--key", "1", "--length", "0", "-v"];
        full.extend_from_slice(args);
        let out = ns.shmtool().args(&full).assert().success();
        stderr_of(&out)
            .trim()
            .rsplit("attached at ")
            .next()
            .unwrap()
            .trim_end_matches(')')
            .to_owned()
    };
    assert_eq!(at(&["--addr", "0x200000000000"]), "0x200000000000");
    assert_eq!(at(&["--addr", "0x200000000fff", "--rnd"]), "0x200000000000");
    assert_eq!(
        at(&["--addr", "35184372088832"]),
        "0x200000000000",
        "decimal works too"
    );
    ns.shmtool()
        .args([
            "attach-write",
            "--key",
            "1",
            "--data",
            "placed",
            "--addr",
            "0x300000000000",
        ])
        .assert()
        .success();
    let out = ns
        .shmtool()
        .args([
            "read",
            "--key",
            "1",
            "--addr",
            "0x300000000010",
            "--rnd",
            "--format",
            "text",
        ])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&out), b"placed");
}

#[test]
fn an_unaligned_addr_without_rnd_is_refused_with_the_rule() {
    let ns = Ns::new();
    ns.make(1, 4096, 0o600);
    for cmd in [
        vec!["read", "--key", "1"],
        vec!["attach-write", "--key", "1", "--data", "x"],
    ] {
        let mut args = cmd.clone();
        args.extend(["--addr", "0x200000000123"]);
        let err = ns.fails(2, &args);
        // SHMLBA is the platform's (the page size here), not always 4096.
        let shmlba = shmtool::sysv::shmlba();
        assert!(
            err.contains(&format!(
                "address 0x200000000123 is not a multiple of SHMLBA ({shmlba:#x})"
            )),
            "{err}"
        );
        assert!(err.contains("pass --rnd, or use 0x200000000000"), "{err}");
    }
    let err = ns.fails(1, &["read", "--key", "1", "--addr", "0xfffffffffffff000"]);
    assert!(
        err.contains("cannot attach id 0 at 0xfffffffffffff000"),
        "{err}"
    );
    ns.fails(2, &["read", "--key", "1", "--rnd"]);
    ns.fails(2, &["read", "--key", "1", "--addr", "nowhere"]);
}

// ---------------------------------------------------------------- interop

#[test]
fn data_written_by_a_c_program_reads_back_identical() {
    let ns = Ns::new();
    let id = ns.make(0x42, 64, 0o600);
    let status = std::process::Command::new(common::shm_peer())
        .args(["write", &id.to_string(), "from C via shmat"])
        .status()
        .unwrap();
    assert!(status.success());
    let out = ns
        .shmtool()
        .args(["read", "--key", "0x42", "--format", "text"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&out), b"from C via shmat");
}

#[test]
fn bytes_written_by_shmtool_are_seen_by_a_process_attached_at_the_same_time() {
    let ns = Ns::new();
    let id = ns.make(0x42, 64, 0o600);
    let mut watcher = Peer::start(&["watch", &id.to_string(), "11"]);
    assert_eq!(watcher.first_line, "ready");
    assert_eq!(ns.segment(id).unwrap().nattch, 1, "the watcher is attached");
    ns.shmtool()
        .args([
            "attach-write",
            "--id",
            &id.to_string(),
            "--data",
            "live update",
        ])
        .assert()
        .success();
    watcher.send_line();
    assert_eq!(watcher.finish(), b"live update");
}

#[test]
fn a_dest_segment_is_still_read_and_written_by_id_while_attached() {
    let ns = Ns::new();
    let id = ns.make(0x42, 64, 0o600);
    let holder = Peer::start(&["hold", &id.to_string()]);
    ns.ok(&["remove", "--key", "0x42"]);
    let seg = ns.segment(id).expect("listed while attached");
    assert!(seg.status().dest && seg.key.is_private());
    ns.shmtool()
        .args([
            "attach-write",
            "--id",
            &id.to_string(),
            "--data",
            "after removal",
        ])
        .assert()
        .success();
    let out = ns
        .shmtool()
        .args(["read", "--id", &id.to_string(), "--format", "text"])
        .assert()
        .success();
    assert_eq!(stdout_bytes(&out), b"after removal");
    // By key it is gone: the key became private.
    ns.fails(1, &["read", "--key", "0x42"]);
    drop(holder);
    assert_eq!(ns.segment(id), None, "destroyed at the last detach");
}

// ---------------------------------------------------------------- volume

#[test]
fn a_256_mib_random_file_round_trips_via_stdin_and_via_file() {
    let ns = Ns::new();
    let size = 256usize << 20;
    ns.make(0x256, size as u64, 0o600);
    let data = random_bytes(size, 0x5eed);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&data).unwrap();
    file.flush().unwrap();

    ns.shmtool()
        .args(["attach-write", "--key", "0x256", "--file"])
        .arg(file.path())
        .assert()
        .success();
    let out = ns
        .shmtool()
        .args(["read", "--key", "0x256"])
        .assert()
        .success();
    assert!(
        out.get_output().stdout == data,
        "via --file: the bytes read back differ"
    );

    ns.shmtool()
        .args(["attach-write", "--key", "0x256", "--fill", "0"])
        .assert()
        .success();
    ns.shmtool()
        .args(["attach-write", "--key", "0x256"])
        .pipe_stdin(file.path())
        .unwrap()
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let back = dir.path().join("back");
    ns.shmtool()
        .args(["read", "--key", "0x256", "-o"])
        .arg(&back)
        .assert()
        .success();
    assert!(
        std::fs::read(&back).unwrap() == data,
        "via stdin: the bytes read back differ"
    );
}

#[test]
fn info_verbose_shows_where_each_process_mapped_the_segment() {
    let ns = Ns::new();
    let id = ns.make(0x42, 4096, 0o600);
    let holder = Peer::start(&["hold", &id.to_string()]);
    let text = ns.ok(&["info", &id.to_string(), "-v"]);
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with(&holder.pid().to_string()))
        .unwrap();
    assert!(row.contains("0x") && row.contains('-'), "{row}");
    let maps = std::fs::read_to_string(format!("/proc/{}/maps", holder.pid())).unwrap();
    let range = maps
        .lines()
        .find(|l| l.contains("SYSV00000042"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let (start, end) = range.split_once('-').unwrap();
    let start = u64::from_str_radix(start, 16).unwrap();
    let end = u64::from_str_radix(end, 16).unwrap();
    assert!(
        row.contains(&format!("{start:#x}-{end:#x}")),
        "{row} vs {range}"
    );
}

#[test]
fn read_output_refuses_another_users_fifo_link_or_device() {
    use std::os::unix::fs::{PermissionsExt, lchown, symlink};
    let ns = Ns::new();
    ns.make(1, 16, 0o600);
    ns.shmtool()
        .args(["attach-write", "--key", "1", "--data", "TOPSECRET"])
        .assert()
        .success();
    // A world-writable sticky directory, as /tmp is, where nobody planted
    // a FIFO and links (made here by root, then given to nobody).
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), PermissionsExt::from_mode(0o1777)).unwrap();
    let fifo = dir.path().join("dump");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    lchown(&fifo, Some(common::NOBODY), Some(common::NOBODY)).unwrap();
    let link = dir.path().join("dump1");
    symlink("/dev/null", &link).unwrap();
    lchown(&link, Some(common::NOBODY), Some(common::NOBODY)).unwrap();
    let root_link = dir.path().join("dump2");
    symlink(&fifo, &root_link).unwrap();
    for (path, what) in [
        (&fifo, "a device or FIFO owned by uid 65534"),
        (&link, "a symbolic link owned by uid 65534"),
        (&root_link, "a device or FIFO owned by uid 65534"),
    ] {
        // Refused before any open for writing: no reader is needed, and
        // none is waited for.
        let err = ns.fails(
            1,
            &[
                "read",
                "--key",
                "1",
                "-o",
                path.to_str().unwrap(),
                "--force",
            ],
        );
        assert!(err.contains(what), "{}: {err}", path.display());
    }
}

#[test]
fn an_interrupted_read_leaves_nothing_under_the_output_name() {
    let ns = Ns::new();
    let id = ns.make(1, 4096, 0o600);
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.bin");
    let old = dir.path().join("old.bin");
    std::fs::write(&old, b"OLD").unwrap();
    for (path, force) in [(&new, false), (&old, true)] {
        let mut args = vec!["read", "--key", "1", "-o", path.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        // Stopped just before it attaches, after opening its output: then
        // killed, as a SIGKILL or a crash would.
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shmtool"))
            .args(&args)
            .env("LD_PRELOAD", common::shm_hook())
            .env("SHM_HOOK_ID", id.to_string())
            .env("SHM_HOOK_BEFORE", "shmat")
            .env("SHM_HOOK_STOP", "1")
            .spawn()
            .unwrap();
        let stat = format!("/proc/{}/stat", child.id());
        while !std::fs::read_to_string(&stat).unwrap().contains(") T ") {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let names = || {
            let mut names: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(), ["old.bin"], "mid-read: nothing new is named");
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(names(), ["old.bin"], "killed: nothing left behind");
        assert_eq!(std::fs::read(&old).unwrap(), b"OLD");
    }
}

#[test]
fn read_text_on_a_terminal_escapes_what_the_segment_holds() {
    let ns = Ns::new();
    ns.make(1, 64, 0o644);
    ns.shmtool()
        .args([
            "attach-write",
            "--key",
            "1",
            "--data",
            "ok\x1b]0;owned\x07\x1b[2J\r\nshmtool: fake\n\u{e9}",
        ])
        .assert()
        .success();
    let out = std::process::Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "{} read --key 1 --format text",
            env!("CARGO_BIN_EXE_shmtool")
        ))
        .arg("/dev/null")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(
        text.contains("ok\\x1b]0;owned\\x07\\x1b[2J\\r\r\nshmtool: fake\r\n\u{e9}\r\n"),
        "{text:?}"
    );
    // Into a pipe the bytes stay exact.
    let raw = ns
        .shmtool()
        .args(["read", "--key", "1", "--format", "text"])
        .assert()
        .success();
    assert_eq!(
        stdout_bytes(&raw),
        "ok\x1b]0;owned\x07\x1b[2J\r\nshmtool: fake\n\u{e9}".as_bytes()
    );
}

/// Writes `bytes` into segment `id` through an attachment of this process.
fn fill_segment(id: i32, bytes: &[u8]) {
    shmtool::sysv::Attachment::read_write(id, Default::default())
        .unwrap()
        .copy_from(0, bytes)
        .unwrap();
}

/// A directory uid 65534 may write in.
fn dir_for_nobody() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

const SENDFILE_NOTE: &str = "copied by sendfile from the segment's file";

#[test]
fn read_to_a_file_through_the_segment_file_is_a_snapshot_with_the_copy_paths_bytes() {
    let ns = Ns::new();
    // Not a whole number of pages: the map_files entry covers the rounded size.
    let size = (1 << 20) + 123;
    let id = ns.make(1, size as u64, 0o644);
    let before = random_bytes(size, 14);
    fill_segment(id, &before);
    let dir = dir_for_nobody();
    for (offset, length) in [(0, size), (4097, 70_000), (size - 5, 5)] {
        let path = dir.path().join(format!("dump-{offset}"));
        let out = ns
            .shmtool()
            .args(["read", "--key", "1", "--verbose", "--output"])
            .arg(&path)
            .args(["--offset", &offset.to_string()])
            .args(["--length", &length.to_string()])
            .assert()
            .success();
        assert!(
            stderr_of(&out).contains(SENDFILE_NOTE),
            "{}",
            stderr_of(&out)
        );
        // Stdout here is a pipe: the copy path through the mapping.
        let piped = ns
            .shmtool()
            .args(["read", "--key", "1", "--verbose"])
            .args(["--offset", &offset.to_string()])
            .args(["--length", &length.to_string()])
            .assert()
            .success();
        assert!(!stderr_of(&piped).contains(SENDFILE_NOTE));
        let dumped = std::fs::read(&path).unwrap();
        assert_eq!(dumped, stdout_bytes(&piped), "offset {offset}");
        assert_eq!(dumped, &before[offset..offset + length], "offset {offset}");
    }
    // Rewritten after the read: the dumps keep what was there.
    fill_segment(id, &vec![0xee; size]);
    let whole = std::fs::read(dir.path().join("dump-0")).unwrap();
    assert_eq!(whole, before, "later writes leaked into the file");
}

#[test]
fn read_to_a_file_as_nobody_falls_back_to_the_mapping() {
    let ns = Ns::new();
    let size = 300_000;
    let id = ns.make(1, size as u64, 0o644);
    let bytes = random_bytes(size, 65534);
    fill_segment(id, &bytes);
    let dir = dir_for_nobody();
    let path = dir.path().join("dump");
    let out = ns
        .shmtool_as_nobody()
        .args(["read", "--key", "1", "--verbose", "--output"])
        .arg(&path)
        .assert()
        .success();
    // /proc/self/map_files needs CAP_SYS_ADMIN: the copy goes through the mapping.
    assert!(
        !stderr_of(&out).contains(SENDFILE_NOTE),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    fill_segment(id, &vec![0; size]);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn attach_write_from_a_file_lands_the_same_bytes_as_root_and_as_nobody() {
    let ns = Ns::new();
    let size = (1 << 20) + 77;
    let id = ns.make(1, size as u64, 0o666);
    let dir = dir_for_nobody();
    let path = dir.path().join("input");
    let written = random_bytes(50_000, 7);
    std::fs::write(&path, &written).unwrap();
    let read_back = |offset: usize| {
        let mut buf = vec![0u8; written.len()];
        shmtool::sysv::Attachment::read_only(id, Default::default())
            .unwrap()
            .copy_to(offset, &mut buf)
            .unwrap();
        buf
    };
    for (run_as_nobody, offset) in [(false, 0), (true, 4096 * 3 + 1), (false, size - 50_000)] {
        fill_segment(id, &vec![0; size]);
        let mut cmd = if run_as_nobody {
            ns.shmtool_as_nobody()
        } else {
            ns.shmtool()
        };
        let out = cmd
            .args(["attach-write", "--key", "1", "--verbose", "--offset"])
            .arg(offset.to_string())
            .arg("--file")
            .arg(&path)
            .assert()
            .success();
        // Root copies through the segment's file; nobody may not open
        // /proc/self/map_files and goes through the mapping.
        assert_eq!(
            stderr_of(&out).contains("copied by sendfile into the segment's file"),
            !run_as_nobody,
            "{}",
            stderr_of(&out)
        );
        assert_eq!(read_back(offset), written, "offset {offset}");
        let mut around = [1u8; 1];
        let attachment = shmtool::sysv::Attachment::read_only(id, Default::default()).unwrap();
        if offset > 0 {
            attachment.copy_to(offset - 1, &mut around).unwrap();
            assert_eq!(around, [0], "the byte before is untouched");
        }
        if offset + written.len() < size {
            attachment
                .copy_to(offset + written.len(), &mut around)
                .unwrap();
            assert_eq!(around, [0], "the byte after is untouched");
        }
    }
    // A file longer than --length: exactly --length bytes land.
    fill_segment(id, &vec![0; size]);
    ns.shmtool()
        .args(["attach-write", "--key", "1", "--length", "1000", "--file"])
        .arg(&path)
        .assert()
        .success();
    let got = read_back(0);
    assert_eq!(&got[..1000], &written[..1000]);
    assert!(got[1000..].iter().all(|&b| b == 0));
}

/// Progress on a pseudo-terminal (script(1)): a bar on stderr for a copy
/// that lasts over a second (a FIFO source that pauses 1.5 s, a pipe
/// reader that waits 1.5 s), System V and POSIX; none when stderr is a
/// pipe or with --no-progress; and the bytes are always exactly the input.
#[test]
fn progress_is_drawn_on_a_terminal_only_and_never_into_the_data() {
    let out = common::posix_sh(
        r#"
export SHELL=/bin/sh
mount -t tmpfs shmtool-test "$T"
cd "$T"
head -c 3145728 /dev/urandom > input
head -c 1048576 input > first
tail -c +1048577 input > rest
# A source that sends 1 MiB, pauses, then sends the rest.
slow() { rm -f fifo; mkfifo fifo; (cat first; sleep 1.5; cat rest) > fifo & }
same() { if cmp -s input "$1"; then echo same; else echo differs; fi; rm -f "$1"; }
pty() { script -qec "stty cols 100; $1" /dev/null; }
$SHMTOOL create --key 0x51 --size 4M > /dev/null
$SHMTOOL create --name big --size 4M > /dev/null
echo "== sysv"
slow; pty '$SHMTOOL attach-write --key 0x51 < fifo'
$SHMTOOL read --key 0x51 --length 3145728 -o got; same got
echo "== posix"
slow; pty '$SHMTOOL attach-write --name big < fifo'
$SHMTOOL read --name big --length 3145728 -o got; same got
echo "== pipe"
slow; pty '$SHMTOOL attach-write --key 0x51 < fifo 2>&1 | cat'
echo "== off"
slow; pty '$SHMTOOL attach-write --key 0x51 --no-progress < fifo'
echo "== read"
pty '$SHMTOOL read --key 0x51 --length 3145728 | (sleep 1.5; cat > got)'; same got
echo "== read posix"
pty '$SHMTOOL read --name big --length 3145728 | (sleep 1.5; cat > got)'; same got
echo "== read pipe"
pty '$SHMTOOL read --key 0x51 --length 3145728 2>&1 | (sleep 1.5; cat > got)'; same got
echo "== read off"
pty '$SHMTOOL read --key 0x51 --length 3145728 --no-progress | (sleep 1.5; cat > got)'; same got
"#,
    );
    let section = |name| common::section(&out, name).replace('\r', "");
    for (name, command) in [
        ("sysv", "attach-write"),
        ("posix", "attach-write"),
        ("read", "read"),
        ("read posix", "read"),
    ] {
        let text = section(name);
        assert!(
            text.contains(&format!("shmtool: {command}: [")) && text.contains(" left"),
            "{name}: no bar: {text:?}"
        );
        // Bytes moved of the total, and a rate.
        let total = if command == "read" {
            "3.00 MiB/3.00 MiB"
        } else {
            "3.00 MiB/4.00 MiB"
        };
        assert!(
            text.contains(total) && text.contains("MiB/s"),
            "{name}: {text:?}"
        );
        assert!(text.ends_with("same\n"), "{name}: {text:?}");
    }
    assert_eq!(section("pipe"), "");
    assert_eq!(section("off"), "");
    // stderr into the data pipe: no bar there, nor anywhere.
    assert_eq!(section("read pipe"), "same\n");
    assert_eq!(section("read off"), "same\n");
}
