//! The data path: read formats and output files, attach-write fills and
//! streams, shmat placement, and interop with other processes.

mod common;

use std::io::Write;

use common::{Ns, Peer, assert_one_error_line};

fn stdout_of(out: &assert_cmd::assert::Assert) -> Vec<u8> {
    out.get_output().stdout.clone()
}

fn stderr_of(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

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
        stdout_of(&raw),
        b"hello\0world",
        "raw is the default off a terminal"
    );
    let raw = ns
        .shmtool()
        .args(["read", "--key", "1", "--length", "11", "--format", "raw"])
        .assert()
        .success();
    assert_eq!(stdout_of(&raw), b"hello\0world");
    let text = ns
        .shmtool()
        .args(["read", "--key", "1", "--format", "text"])
        .assert()
        .success();
    assert_eq!(stdout_of(&text), b"hello", "text stops at the first NUL");
    let text = ns
        .shmtool()
        .args(["read", "--key", "1", "--format", "text", "--offset", "6"])
        .assert()
        .success();
    assert_eq!(stdout_of(&text), b"world");
    let hex = ns
        .shmtool()
        .args(["read", "--key", "1", "--format", "hex"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(stdout_of(&hex)).unwrap(),
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
    assert_eq!(c.stdout, stdout_of(&hex));
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
        stdout_of(&out),
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
    assert_eq!(stdout_of(&out), b"AAAA");
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
    ns.fails(2, &["attach-write", "--key", "1", "--length", "3"]);
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
    assert_eq!(stdout_of(&back), vec![b'x'; 4000]);
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
    assert_eq!(stdout_of(&back), b"through a fifo");
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
    assert_eq!(stdout_of(&out), b"placed");
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
        assert!(
            err.contains("address 0x200000000123 is not a multiple of SHMLBA (0x1000)"),
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
    assert_eq!(stdout_of(&out), b"from C via shmat");
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
    assert_eq!(stdout_of(&out), b"after removal");
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
