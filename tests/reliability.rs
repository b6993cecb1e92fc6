//! Reliability and security: bad input, the permission matrix, races and
//! faults. Every case asserts the exit code, one clear line on stderr, and
//! that /proc/sysvipc/shm is exactly as before when nothing should change.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Ns, Peer, assert_one_error_line, stderr_of};

// ---------------------------------------------------------------- bad input

#[test]
fn bad_input_is_refused_clearly_and_changes_nothing() {
    let ns = Ns::new();
    let id = ns.make(0x10, 100, 0o600).to_string();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_owned();
    let fifo = format!("{d}/fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let missing_dir = format!("{d}/missing/out");
    let id = id.as_str();
    // (arguments, exit code, text the one error line must contain)
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        // keys
        (vec!["create", "--key", "0", "--size", "1"], 2, "'0'"),
        (
            vec!["create", "--key", "0x100000000", "--size", "1"],
            2,
            "'0x100000000'",
        ),
        (vec!["create", "--key", "abc", "--size", "1"], 2, "'abc'"),
        (vec!["read", "--key", "0x"], 2, "'0x'"),
        (vec!["list", "--key", "4294967296"], 2, "'4294967296'"),
        (vec!["remove", "--key", "-2147483649"], 2, "'-2147483649'"),
        (vec!["info", "--key", "zz"], 2, "'zz'"),
        (vec!["read", "--key", "private"], 2, "'private'"),
        // sizes
        (vec!["create", "--key", "0x20", "--size", "0"], 2, "'0'"),
        (vec!["create", "--key", "0x20", "--size", "-1"], 2, "'-1'"),
        (vec!["create", "--key", "0x20", "--size", "10Q"], 2, "'10Q'"),
        (
            vec!["create", "--key", "0x20", "--size", "99999999999999999999"],
            2,
            "'99999999999999999999'",
        ),
        (vec!["list", "--larger-than", "1.5M"], 2, "'1.5M'"),
        // modes
        (
            vec!["create", "--key", "0x20", "--size", "1", "--mode", "8"],
            2,
            "'8'",
        ),
        (
            vec!["create", "--key", "0x20", "--size", "1", "--mode", "1000"],
            2,
            "'1000'",
        ),
        (vec!["set", id, "--mode", "0o999"], 2, "'0o999'"),
        (
            vec!["create", "--key", "0x20", "--size", "1", "--mode", ""],
            2,
            "''",
        ),
        // offsets and lengths
        (
            vec!["read", "--key", "0x10", "--offset", "101"],
            1,
            "offset 101",
        ),
        (vec!["read", "--key", "0x10", "--offset", "-1"], 2, "'-1'"),
        (
            vec!["read", "--key", "0x10", "--length", "101"],
            1,
            "101 bytes at offset 0",
        ),
        (vec!["read", "--key", "0x10", "--length", "1x"], 2, "'1x'"),
        (
            vec![
                "attach-write",
                "--key",
                "0x10",
                "--offset",
                "100",
                "--data",
                "x",
            ],
            1,
            "1 bytes at offset 100",
        ),
        (
            vec![
                "attach-write",
                "--key",
                "0x10",
                "--fill",
                "1",
                "--length",
                "200",
            ],
            1,
            "200 bytes",
        ),
        (
            vec!["attach-write", "--key", "0x10", "--fill", "300"],
            2,
            "'300'",
        ),
        // durations
        (vec!["list", "--older-than", "5y"], 2, "'5y'"),
        (vec!["remove", "--older-than", "-1h"], 2, "'-1h'"),
        (vec!["list", "--older-than", "h"], 2, "'h'"),
        // users and groups
        (
            vec!["list", "--owner", "no-such-user-xyz"],
            2,
            "no-such-user-xyz",
        ),
        (vec!["remove", "--owner", "ghost-user"], 2, "ghost-user"),
        (
            vec!["set", id, "--owner", "root:no-such-group"],
            2,
            "no-such-group",
        ),
        (vec!["set", id, "--owner", ":"], 2, "':'"),
        // columns, sort fields and formats
        (vec!["list", "--columns", "key,bogus"], 2, "'bogus'"),
        (vec!["list", "--sort", "nope"], 2, "'nope'"),
        (vec!["list", "--columns", ""], 2, "''"),
        (vec!["list", "--format", "yaml"], 2, "'yaml'"),
        (
            vec!["read", "--key", "0x10", "--format", "base64"],
            2,
            "'base64'",
        ),
        (vec!["list", "--status", "zombie"], 2, "'zombie'"),
        // file paths
        (
            vec![
                "attach-write",
                "--key",
                "0x10",
                "--file",
                "/nonexistent/input",
            ],
            1,
            "/nonexistent/input",
        ),
        (vec!["attach-write", "--key", "0x10", "--file", &d], 1, &d),
        (vec!["read", "--key", "0x10", "-o", &fifo], 1, &fifo),
        (
            vec!["read", "--key", "0x10", "-o", &missing_dir],
            1,
            &missing_dir,
        ),
        (vec!["read", "--key", "0x10", "-o", &d], 1, &d),
        // addresses
        (
            vec!["read", "--key", "0x10", "--addr", "0x1001"],
            2,
            "0x1001",
        ),
        (vec!["read", "--key", "0x10", "--addr", "far"], 2, "'far'"),
        // conflicting or missing flags
        (
            vec!["create", "--key", "1", "--private", "--size", "1"],
            2,
            "--private",
        ),
        (vec!["read", "--id", "1", "--key", "1"], 2, "--key"),
        (vec!["remove", "3", "--all"], 2, "not both"),
        (
            vec!["remove", "--key", "0x10", "--unattached"],
            2,
            "not both",
        ),
        (
            vec!["list", "--format", "ipcs", "--time", "--pids"],
            2,
            "--time",
        ),
        (
            vec![
                "attach-write",
                "--key",
                "0x10",
                "--data",
                "x",
                "--file",
                "/etc/hostname",
            ],
            2,
            "--file",
        ),
        (vec!["read", "--key", "0x10", "--force"], 2, "--output"),
        (vec!["read", "--key", "0x10", "--rnd"], 2, "--addr"),
        (vec!["info"], 2, "ID"),
        (vec!["remove"], 2, "no target"),
        (vec!["set", id], 2, "--mode"),
        (vec!["lock"], 2, "ID"),
        (vec!["frobnicate"], 2, "frobnicate"),
        (vec!["list", "--bogus-flag"], 2, "--bogus-flag"),
        // targets that do not exist
        (vec!["read", "--id", "999"], 1, "id 999"),
        (vec!["info", "--key", "0x77"], 1, "0x00000077"),
        (vec!["lock", "999"], 1, "999"),
        (vec!["set", "999", "--mode", "600"], 1, "999"),
        (vec!["remove", "999"], 1, "999"),
    ];
    assert!(cases.len() >= 40);
    for (args, code, needle) in &cases {
        let err = ns.fails(*code, args);
        assert!(
            err.contains(needle),
            "shmtool {args:?}: the error names {needle:?}: {err}"
        );
    }
    // An unreadable input file, as a user who may write the segment.
    let open = ns.make(0x11, 100, 0o666);
    let secret = format!("{d}/secret");
    std::fs::write(&secret, "root only").unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&secret, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let before = ns.proc_shm();
    let out = ns
        .shmtool_as_nobody()
        .args(["attach-write", "--id", &open.to_string(), "--file", &secret])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert_one_error_line(&err);
    assert!(
        err.contains(&secret) && err.contains("Permission denied"),
        "{err}"
    );
    assert_eq!(ns.proc_shm(), before);
    eprintln!("bad inputs tried: {}", cases.len() + 1);
}

// ---------------------------------------------------------------- permissions

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Allowed,
    Denied,
}

/// What the kernel lets a user who is neither owner, creator nor in the
/// segment's group do: read needs the other-read bit, writing other-read
/// and other-write, and remove, lock and set need ownership or a capability.
fn rule(op: &str, mode: u32) -> Expect {
    let allowed = match op {
        "read" => mode & 0o004 != 0,
        "attach-write" => mode & 0o006 == 0o006,
        "remove" | "lock" | "set" => false,
        "info" => true,
        _ => unreachable!(),
    };
    if allowed {
        Expect::Allowed
    } else {
        Expect::Denied
    }
}

#[test]
fn the_permission_matrix_follows_the_kernels_rule_as_nobody() {
    let ns = Ns::new();
    let mut cells = 0;
    for mode in [0o600, 0o640, 0o644, 0o666] {
        for op in ["read", "attach-write", "remove", "lock", "set", "info"] {
            let key = 0x1000 + cells;
            let id = ns.make(key, 64, mode);
            shmtool::sysv::Attachment::read_write(id, Default::default())
                .unwrap()
                .copy_from(0, b"root")
                .unwrap();
            let sid = id.to_string();
            let args: Vec<&str> = match op {
                "read" => vec!["read", &sid, "--length", "4"],
                "attach-write" => vec!["attach-write", &sid, "--data", "nobo"],
                "remove" => vec!["remove", &sid],
                "lock" => vec!["lock", &sid],
                "set" => vec!["set", &sid, "--mode", "777"],
                _ => vec!["info", &sid],
            };
            let before = ns.proc_shm();
            let out = ns.shmtool_as_nobody().args(&args).output().unwrap();
            let expect = rule(op, mode);
            let cell = format!("{op} on mode {mode:04o}");
            match expect {
                Expect::Denied => {
                    assert_eq!(out.status.code(), Some(1), "{cell}: denied");
                    let err = stderr_of(&out);
                    assert_one_error_line(&err);
                    assert!(
                        err.contains(&format!("permission denied for id {id}, owned by root")),
                        "{cell}: {err}"
                    );
                    assert_eq!(ns.proc_shm(), before, "{cell}: nothing changed");
                }
                Expect::Allowed => {
                    assert_eq!(
                        out.status.code(),
                        Some(0),
                        "{cell}: allowed: {}",
                        stderr_of(&out)
                    );
                }
            }
            let seg = ns.segment(id).expect("still there");
            let mut now = [0u8; 4];
            shmtool::sysv::Attachment::read_only(id, Default::default())
                .unwrap()
                .copy_to(0, &mut now)
                .unwrap();
            match (op, expect) {
                ("read", Expect::Allowed) => assert_eq!(out.stdout, b"root", "{cell}"),
                ("attach-write", Expect::Allowed) => assert_eq!(&now, b"nobo", "{cell}"),
                ("info", _) => assert!(
                    String::from_utf8_lossy(&out.stdout).contains(&format!("shmid     {id}")),
                    "{cell}"
                ),
                _ => {
                    assert_eq!(&now, b"root", "{cell}: data untouched");
                    assert_eq!((seg.perms(), seg.status().locked), (mode, false), "{cell}");
                }
            }
            cells += 1;
        }
    }
    eprintln!("matrix cells: {cells}");
    assert_eq!(cells, 24);
}

#[test]
fn create_never_opens_a_squatted_key_without_reuse() {
    let ns = Ns::new();
    let out = ns
        .shmtool_as_nobody()
        .args(["create", "--key", "0x5a", "--size", "64"])
        .output()
        .unwrap();
    let theirs: i32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let err = ns.fails(1, &["create", "--key", "0x5a", "--size", "64"]);
    assert!(
        err.contains(&format!(
            "key 0x0000005a already exists (shmid {theirs}, owner nobody)"
        )),
        "{err}"
    );
    assert!(err.contains("--reuse"), "{err}");
    // The other way round: root's 0600 key, squatted by nobody with --reuse.
    let root_id = ns.make(0x5b, 64, 0o600);
    let before = ns.proc_shm();
    let out = ns
        .shmtool_as_nobody()
        .args(["create", "--key", "0x5b", "--size", "64", "--reuse"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert_one_error_line(&err);
    assert!(
        err.contains(&format!(
            "permission denied for id {root_id}, owned by root"
        )),
        "{err}"
    );
    assert_eq!(ns.proc_shm(), before);
}

// ---------------------------------------------------------------- races

#[test]
fn thirty_two_concurrent_creates_of_one_key_make_exactly_one_segment() {
    let ns = Ns::new();
    let children: Vec<_> = (0..32)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_shmtool"))
                .args(["create", "--key", "0x32", "--size", "4096"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let winners: Vec<_> = outputs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(winners.len(), 1, "exactly one create succeeds");
    let id: i32 = String::from_utf8_lossy(&winners[0].stdout)
        .trim()
        .parse()
        .unwrap();
    for out in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(out.status.code(), Some(1));
        let err = stderr_of(out);
        assert_one_error_line(&err);
        assert!(
            err.contains(&format!("already exists (shmid {id}, owner root)")),
            "{err}"
        );
    }
    assert_eq!(ns.segments().len(), 1);
    eprintln!("racing processes: 32");
}

#[test]
fn list_info_and_remove_survive_segments_appearing_and_vanishing() {
    let ns = Ns::new();
    let mut churn = Peer::start(&["churn", "2000"]);
    assert_eq!(churn.first_line, "churning");
    let mut runs = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    let check = |out: &std::process::Output, what: &str| {
        let err = stderr_of(out);
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{what}: {err}"
        );
        assert!(!err.contains("cannot parse"), "{what}: a torn table: {err}");
    };
    let mut finished = false;
    while !finished && Instant::now() < deadline {
        let out = ns
            .shmtool()
            .args(["list", "--format", "json"])
            .output()
            .unwrap();
        check(&out, "list");
        assert!(out.status.success(), "list: {}", stderr_of(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("list prints whole JSON");
        let out = ns.shmtool().arg("list").output().unwrap();
        check(&out, "list");
        assert!(out.status.success());
        if let Some(seg) = ns.segments().first() {
            let out = ns
                .shmtool()
                .args(["info", &seg.shmid.to_string()])
                .output()
                .unwrap();
            check(&out, "info");
            if !out.status.success() {
                assert_eq!(out.status.code(), Some(1));
                assert!(
                    stderr_of(&out).contains("no segment with id"),
                    "gone, not an internal error: {}",
                    stderr_of(&out)
                );
            }
        }
        let out = ns.shmtool().args(["remove", "--all"]).output().unwrap();
        check(&out, "remove");
        assert!(
            out.status.success(),
            "remove --all: vanished segments are not failures: {}",
            stderr_of(&out)
        );
        runs += 1;
        finished = !churn.is_running();
    }
    let rest = churn.finish();
    assert!(
        String::from_utf8_lossy(&rest).contains("done"),
        "the churner finished its 2000 segments"
    );
    assert!(
        runs >= 3,
        "the commands ran while the churn went on ({runs} rounds)"
    );
    eprintln!("rounds of list/info/remove while 2000 segments churned: {runs}");
}

// ---------------------------------------------------------------- faults

/// Waits until segment `id` has `n` attaches.
fn wait_nattch(ns: &Ns, id: i32, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while ns.segment(id).map(|s| s.nattch) != Some(n) {
        assert!(Instant::now() < deadline, "nattch of {id} never became {n}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_signal_mid_transfer_ends_shmtool_by_that_signal_and_keeps_the_segment() {
    use std::os::unix::process::ExitStatusExt;
    let ns = Ns::new();
    let id = ns.make(0x51, 64 << 20, 0o600);
    for signal in ["TERM", "INT"] {
        // read into a pipe nobody drains: it blocks mid-transfer, attached.
        let mut reader = Command::new(env!("CARGO_BIN_EXE_shmtool"))
            .args(["read", "--id", &id.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        wait_nattch(&ns, id, 1);
        assert!(
            Command::new("kill")
                .args([&format!("-{signal}"), &reader.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
        // (The kernel detaches a dead process's segments, so nattch after
        // death proves nothing; how shmtool ended does.)
        let number = if signal == "TERM" {
            libc::SIGTERM
        } else {
            libc::SIGINT
        };
        let status = reader.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(number),
            "read, SIG{signal}: {status:?}"
        );

        // attach-write from a pipe that never ends: it waits, attached.
        let mut writer = Command::new(env!("CARGO_BIN_EXE_shmtool"))
            .args(["attach-write", "--id", &id.to_string()])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(writer.stdin.as_mut().unwrap(), &[7u8; 4096]).unwrap();
        wait_nattch(&ns, id, 1);
        assert!(
            Command::new("kill")
                .args([&format!("-{signal}"), &writer.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
        let status = writer.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(number),
            "attach-write, SIG{signal}: {status:?}"
        );
        let seg = ns
            .segment(id)
            .expect("the segment outlives the killed command");
        assert!(!seg.status().dest, "SIG{signal}: not removed");
    }
}

#[test]
fn read_and_write_on_a_segment_removed_while_attached_behave_as_linux_defines() {
    let ns = Ns::new();
    let id = ns.make(0x52, 4096, 0o600);
    let holder = Peer::start(&["hold", &id.to_string()]);
    ns.ok(&["remove", &id.to_string()]);
    // Linux lets a process attach a dest segment by id while it lives.
    ns.shmtool()
        .args([
            "attach-write",
            "--id",
            &id.to_string(),
            "--data",
            "still here",
        ])
        .assert()
        .success();
    ns.shmtool()
        .args(["read", "--id", &id.to_string(), "--format", "text"])
        .assert()
        .success()
        .stdout("still here");
    drop(holder);
    let err = ns.fails(1, &["read", "--id", &id.to_string()]);
    assert!(err.contains(&format!("no segment with id {id}")), "{err}");
}

#[test]
fn a_closed_stderr_never_stops_a_removal_midway() {
    let ns = Ns::new();
    let ids: Vec<i32> = (0..4).map(|k| ns.make(0x40 + k, 64, 0o600)).collect();
    // An attached segment makes remove say "marked" on stderr mid-loop.
    let _holder = Peer::start(&["hold", &ids[0].to_string()]);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader); // every write to stderr now fails with EPIPE
    let status = Command::new(env!("CARGO_BIN_EXE_shmtool"))
        .args(["remove", "--all", "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::from(writer))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0), "no abort, no failure: {status:?}");
    let left = ns.segments();
    assert_eq!(left.len(), 1, "only the attached one remains: {left:?}");
    assert!(left[0].status().dest, "and it is marked: {left:?}");
}

#[test]
fn a_bogus_proc_table_is_refused_without_unbounded_memory() {
    let ns = Ns::new();
    let id = ns.make(0x61, 64, 0o600);
    // In a private mount namespace, /proc/sysvipc/shm becomes an endless
    // line of NULs; 256 MiB of address space is far more than list needs.
    // The rss column makes list read /proc (without it, it walks shmctl).
    let script = format!(
        "mount --bind /dev/zero {} && exec prlimit --as={} {} list -v --columns key,shmid,rss",
        shmtool::procfs_shm::PROC_SHM,
        256 << 20,
        env!("CARGO_BIN_EXE_shmtool")
    );
    let started = Instant::now();
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_one_error_line(&err);
    assert!(
        err.contains("line 1: the line is longer than 4096 bytes"),
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("0x00000061 {id:>6}")),
        "listed with shmctl instead: {stdout}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        ns.segment(id).map(|s| s.size),
        Some(64),
        "the host's /proc is untouched"
    );
}
