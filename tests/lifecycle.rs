//! Lifecycle: selective remove for CI teardown, lock, unlock and set.

mod common;

use common::{Json, Ns, Peer, assert_one_error_line, stderr_of, stdout_of, wait_for_zombie};
use shmtool::sysv::{self, Attachment};

fn ids(ns: &Ns) -> Vec<i32> {
    ns.segments().iter().map(|s| s.shmid).collect()
}

// ---------------------------------------------------------------- selection

#[test]
fn dry_run_changes_nothing_and_shows_the_selection() {
    let ns = Ns::new();
    let a = ns.make(0x10, 100, 0o600);
    let b = ns.make(0x11, 1 << 20, 0o600);
    let before = ns.proc_shm();
    let out = ns
        .shmtool()
        .args(["remove", "--larger-than", "1K", "--dry-run"])
        .assert()
        .success();
    assert_eq!(ns.proc_shm(), before);
    let text = stdout_of(&out);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "key", "shmid", "owner", "perms", "bytes", "nattch", "status"
        ]
    );
    assert_eq!(rows[1][1], b.to_string());
    assert_eq!(rows.len(), 2, "{text}");
    assert!(stderr_of(&out).contains("dry run: 1 segment(s) would be removed; nothing changed"));
    let out = ns
        .shmtool()
        .args(["remove", "--all", "--dry-run", "--json"])
        .assert()
        .success();
    let list: Vec<Json> = serde_json::from_str(&stdout_of(&out)).unwrap();
    let listed: Vec<i64> = list.iter().map(|r| r["shmid"].as_i64().unwrap()).collect();
    assert_eq!(listed, [a as i64, b as i64]);
    assert_eq!(
        list[0]["perms"], "0600",
        "the same objects as list --format json"
    );
    let out = ns
        .shmtool()
        .args(["remove", &a.to_string(), "--key", "0x11", "-n"])
        .assert()
        .success();
    assert_eq!(stdout_of(&out).lines().count(), 3);
    assert_eq!(ns.proc_shm(), before, "no dry run changed anything");
}

#[test]
fn each_filter_removes_exactly_its_segments() {
    type Setup = fn(&Ns) -> (Vec<i32>, Vec<i32>);
    let cases: &[(&[&str], Setup)] = &[
        (&["--owner", "nobody"], |ns| {
            let theirs = ns.make(1, 10, 0o600);
            sysv::set(theirs, 65534, 65534, 0o600).unwrap();
            (vec![theirs], vec![ns.make(2, 10, 0o600)])
        }),
        (&["--unattached"], |ns| {
            let held = ns.make(2, 10, 0o600);
            std::mem::forget(Attachment::read_only(held, Default::default()).unwrap());
            (vec![ns.make(1, 10, 0o600)], vec![held])
        }),
        (&["--larger-than", "4K"], |ns| {
            (vec![ns.make(1, 4097, 0o600)], vec![ns.make(2, 4096, 0o600)])
        }),
        (&["--status", "locked"], |ns| {
            let locked = ns.make(1, 10, 0o600);
            sysv::lock(locked).unwrap();
            (vec![locked], vec![ns.make(2, 10, 0o600)])
        }),
        (&["--older-than", "1h"], |ns| {
            (vec![], vec![ns.make(1, 10, 0o600)])
        }),
        (&["--older-than", "0s"], |ns| {
            (vec![ns.make(1, 10, 0o600), ns.make(2, 10, 0o600)], vec![])
        }),
        (&["--all", "--owner", "root", "--larger-than", "10"], |ns| {
            let theirs = ns.make(3, 100, 0o600);
            sysv::set(theirs, 65534, 65534, 0o600).unwrap();
            let small = ns.make(2, 10, 0o600);
            (vec![ns.make(1, 100, 0o600)], vec![theirs, small])
        }),
    ];
    for (args, setup) in cases {
        // Each case in a namespace of its own.
        let ns = Ns::new();
        let (gone, kept) = setup(&ns);
        let mut full = vec!["remove"];
        full.extend_from_slice(args);
        let out = ns.shmtool().args(&full).assert().success();
        let mut left = ids(&ns);
        left.sort();
        let mut kept = kept;
        kept.sort();
        assert_eq!(left, kept, "remove {args:?} keeps exactly these");
        let err = stderr_of(&out);
        assert!(
            err.contains(&format!("shmtool: remove: removed {}", gone.len())),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn orphaned_removes_only_segments_whose_creator_is_gone() {
    let ns = Ns::new();
    let live_peer = Peer::start(&["create", "0x20", "4096"]);
    let live: i32 = live_peer.first_line.parse().unwrap();
    let dead_peer = Peer::start(&["create", "0x21", "4096"]);
    let dead: i32 = dead_peer.first_line.parse().unwrap();
    dead_peer.finish();
    let attached_peer = Peer::start(&["create", "0x22", "4096"]);
    let attached: i32 = attached_peer.first_line.parse().unwrap();
    attached_peer.finish();
    let _holder = Peer::start(&["hold", &attached.to_string()]);
    ns.shmtool()
        .args(["remove", "--orphaned", "--owner", "root"])
        .assert()
        .success();
    assert_eq!(ids(&ns), [live, attached], "only {dead} was orphaned");
    drop(live_peer);
    // Now the live creator is gone too.
    ns.shmtool()
        .args(["remove", "--orphaned"])
        .assert()
        .success();
    assert_eq!(ids(&ns), [attached]);
}

#[test]
fn named_targets_and_filters_do_not_mix() {
    let ns = Ns::new();
    let a = ns.make(1, 10, 0o600);
    for args in [
        vec!["remove", &*a.to_string(), "--unattached"],
        vec!["remove", "--key", "1", "--owner", "root"],
        vec!["remove", "--id", "0", "--all"],
        vec!["remove", "--dry-run"],
        vec!["remove", "--missing-ok"],
    ] {
        let err = ns.fails(2, &args);
        assert!(err.starts_with("shmtool: remove: "), "{err}");
    }
}

#[test]
fn missing_ok_makes_teardown_idempotent() {
    let ns = Ns::new();
    let a = ns.make(0x10, 10, 0o600);
    let err = ns.fails(1, &["remove", "--key", "0x99"]);
    assert!(err.contains("no segment with key 0x00000099"), "{err}");
    let out = ns
        .shmtool()
        .args([
            "remove",
            "--key",
            "0x10",
            "--key",
            "0x99",
            "--id",
            "77",
            "--missing-ok",
            "--json",
        ])
        .assert()
        .success();
    assert_eq!(ids(&ns), Vec::<i32>::new());
    // Records come ids first, then keys.
    let records: Json = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(records[0]["result"], "missing");
    assert_eq!(records[0]["shmid"], 77);
    assert_eq!(records[0]["message"], "no segment with id 77");
    assert_eq!(records[1]["shmid"], a);
    assert_eq!(records[1]["key"], "0x00000010");
    assert_eq!(records[1]["result"], "removed");
    assert_eq!(records[2]["result"], "missing");
    assert_eq!(records[2]["key"], "0x00000099");
    assert_eq!(records[2]["shmid"], Json::Null);
    // Again: everything is missing now, and that is still fine.
    ns.shmtool()
        .args(["remove", "--key", "0x10", "--missing-ok"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn verbose_prints_a_line_per_segment_removed() {
    let ns = Ns::new();
    let a = ns.make(0x10, 10, 0o600);
    let b = ns.make(0x11, 10, 0o600);
    let out = ns
        .shmtool()
        .args(["remove", "-v", "--all"])
        .assert()
        .success();
    assert_eq!(
        stdout_of(&out),
        format!("removed id {a} (key 0x00000010)\nremoved id {b} (key 0x00000011)\n")
    );
}

#[test]
fn verbose_prints_every_outcome_on_stdout_and_the_summary_on_stderr() {
    let ns = Ns::new();
    let gone = ns.make(0x10, 10, 0o600);
    let held = ns.make(0x11, 10, 0o600);
    let _h = Peer::start(&["hold", &held.to_string()]);
    // Named: removed, marked, and missing (with --missing-ok).
    let out = ns
        .shmtool()
        .args(["remove", "-v", "--missing-ok", &gone.to_string()])
        .args(["--id", &held.to_string(), "--key", "0x99"])
        .assert()
        .success();
    assert_eq!(
        stdout_of(&out),
        format!(
            "removed id {gone} (key 0x00000010)\n\
             marked id {held} (key 0x00000011): marked for destruction; still attached (nattch 1); it goes at the last detach\n\
             missing key 0x00000099: no segment with key 0x00000099\n"
        )
    );
    // Denied, named: a failure, on stdout with -v as well as its error on stderr.
    let theirs = ns.make(0x12, 10, 0o600);
    let out = ns
        .shmtool_as_nobody()
        .args(["remove", "-v", &theirs.to_string()])
        .assert()
        .code(1);
    let line = stdout_of(&out);
    assert!(
        line.starts_with(&format!(
            "denied id {theirs} (key 0x00000012): permission denied"
        )),
        "{line}"
    );
    assert_one_error_line(&stderr_of(&out));
    // By filter: the already marked one (the kernel set its key to 0 when it
    // was marked) and the skipped one get lines too; the summary stays on stderr.
    let out = ns
        .shmtool_as_nobody()
        .args(["remove", "-v", "--all"])
        .assert()
        .success();
    let lines = stdout_of(&out);
    assert!(
        lines.contains(&format!(
            "marked id {held} (key 0x00000000): already marked"
        )),
        "{lines}"
    );
    assert!(
        lines.contains(&format!("denied id {theirs} (key 0x00000012): ")),
        "{lines}"
    );
    assert!(!lines.contains("shmtool:"), "{lines}");
    // Said once: the marked one is on stdout, not again on stderr.
    assert_eq!(
        stderr_of(&out),
        "shmtool: remove: removed 0, 1 marked (still attached), 1 skipped (owned by others, permission denied)\n"
    );
}

#[test]
fn attached_segments_are_reported_as_marked() {
    let ns = Ns::new();
    let id = ns.make(0x10, 10, 0o600);
    let _h1 = Peer::start(&["hold", &id.to_string()]);
    let _h2 = Peer::start(&["hold", &id.to_string()]);
    let out = ns
        .shmtool()
        .args(["remove", "--id", &id.to_string(), "--json"])
        .assert()
        .success();
    let records: Json = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(records[0]["result"], "marked");
    assert_eq!(
        records[0]["message"],
        "marked for destruction; still attached (nattch 2); it goes at the last detach"
    );
    assert!(ns.segment(id).unwrap().status().dest);
    // Selected by a filter, an already marked segment is nothing to do.
    ns.shmtool().args(["remove", "--all"]).assert().success();
}

#[test]
fn as_nobody_removal_is_denied_and_nothing_is_removed() {
    let ns = Ns::new();
    let a = ns.make(0x10, 10, 0o666);
    let b = ns.make(0x11, 10, 0o600);
    let before = ns.proc_shm();
    // Named: an error naming the id and owner.
    let out = ns
        .shmtool_as_nobody()
        .args(["remove", &a.to_string()])
        .assert()
        .code(1);
    let err = stderr_of(&out);
    assert_one_error_line(&err);
    assert!(
        err.contains(&format!("permission denied for id {a}, owned by root")),
        "{err}"
    );
    // By filter: skipped and counted, not an error.
    let out = ns
        .shmtool_as_nobody()
        .args(["remove", "--all", "--json"])
        .assert()
        .success();
    let records: Json = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(records.as_array().unwrap().len(), 2);
    assert!(
        records
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["result"] == "denied")
    );
    let out = ns
        .shmtool_as_nobody()
        .args(["remove", "--unattached"])
        .assert()
        .success();
    assert_eq!(
        stderr_of(&out),
        "shmtool: remove: removed 0, 2 skipped (owned by others, permission denied)\n"
    );
    assert_eq!(ns.proc_shm(), before, "nothing was removed");
    let _ = b;
}

#[test]
fn nobody_removes_its_own_segment_and_root_removes_nobodys() {
    let ns = Ns::new();
    let mine = ns
        .shmtool_as_nobody()
        .args(["create", "--key", "0x10", "--size", "10"])
        .assert()
        .success();
    let mine = stdout_of(&mine).trim().to_owned();
    let theirs = ns
        .shmtool_as_nobody()
        .args(["create", "--key", "0x11", "--size", "10"])
        .assert()
        .success();
    let theirs: i32 = stdout_of(&theirs).trim().parse().unwrap();
    ns.shmtool_as_nobody()
        .args(["remove", &mine])
        .assert()
        .success();
    assert_eq!(ids(&ns), [theirs]);
    ns.shmtool()
        .args(["remove", &theirs.to_string()])
        .assert()
        .success();
    assert_eq!(ids(&ns), Vec::<i32>::new());
}

#[test]
fn all_on_a_terminal_asks_first_and_yes_skips_the_question() {
    let ns = Ns::new();
    ns.make(0x10, 10, 0o600);
    ns.make(0x11, 10, 0o600);
    let bin = env!("CARGO_BIN_EXE_shmtool");
    // script(1) gives the command a terminal; the answer comes on it.
    let ask = |answer: &str| {
        let cmd = format!("echo {answer} | script -qec '{bin} remove --all' /dev/null");
        std::process::Command::new("sh")
            .args(["-c", &cmd])
            .output()
            .unwrap()
    };
    let out = ask("n");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("remove all 2 segments? [y/N]"), "{text}");
    assert_eq!(ids(&ns).len(), 2, "answering no removes nothing");
    let out = ask("y");
    assert!(out.status.success());
    assert_eq!(ids(&ns).len(), 0);
    ns.make(0x12, 10, 0o600);
    let cmd = format!("script -qec '{bin} remove --all --yes' /dev/null </dev/null");
    let out = std::process::Command::new("sh")
        .args(["-c", &cmd])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("[y/N]"));
    assert_eq!(ids(&ns).len(), 0);
    // Without a terminal (a script), no question.
    ns.make(0x13, 10, 0o600);
    ns.shmtool().args(["remove", "--all"]).assert().success();
    assert_eq!(ids(&ns).len(), 0);
}

#[test]
fn remove_all_handles_one_failure_and_exits_1() {
    let ns = Ns::new();
    ns.make(0x10, 10, 0o600);
    let out = ns
        .shmtool()
        .args(["remove", "--id", "0", "--id", "5"])
        .assert()
        .code(1);
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(ids(&ns), Vec::<i32>::new());
}

// ---------------------------------------------------------------- lock, unlock, set

#[test]
fn lock_and_unlock_show_in_proc() {
    let ns = Ns::new();
    let id = ns.make(0x10, 4096, 0o600);
    ns.ok(&["lock", &id.to_string()]);
    assert!(ns.segment(id).unwrap().status().locked);
    let list = ns.ok(&["list"]);
    assert!(list.lines().nth(1).unwrap().ends_with("locked"), "{list}");
    ns.ok(&["unlock", "--key", "0x10"]);
    assert!(!ns.segment(id).unwrap().status().locked);
}

#[test]
fn set_changes_mode_and_owner_as_seen_in_proc() {
    let ns = Ns::new();
    let id = ns.make(0x10, 4096, 0o600);
    sysv::lock(id).unwrap();
    ns.ok(&["set", &id.to_string(), "--mode", "0640"]);
    let seg = ns.segment(id).unwrap();
    assert_eq!(seg.mode, 0o2640, "the locked flag stays");
    ns.ok(&["set", "--key", "0x10", "--owner", "nobody:nogroup"]);
    let seg = ns.segment(id).unwrap();
    assert_eq!(
        (seg.uid, seg.gid, seg.cuid, seg.perms()),
        (65534, 65534, 0, 0o640)
    );
    ns.ok(&[
        "set",
        "--id",
        &id.to_string(),
        "--owner",
        "100000",
        "--mode",
        "600",
    ]);
    let seg = ns.segment(id).unwrap();
    assert_eq!((seg.uid, seg.gid, seg.perms()), (100000, 65534, 0o600));
    ns.ok(&["set", &id.to_string(), "--owner", ":0"]);
    assert_eq!(ns.segment(id).unwrap().gid, 0);
    ns.fails(2, &["set", &id.to_string()]);
    ns.fails(2, &["set", &id.to_string(), "--mode", "1777"]);
    ns.fails(2, &["set", &id.to_string(), "--owner", "no-such-user-x"]);
    ns.fails(1, &["set", "99", "--mode", "600"]);
}

#[test]
fn eperm_gets_a_clear_error_and_changes_nothing() {
    let ns = Ns::new();
    let id = ns.make(0x10, 4096, 0o666);
    let before = ns.proc_shm();
    for args in [
        vec!["lock", &*id.to_string()],
        vec!["unlock", &*id.to_string()],
        vec!["set", &*id.to_string(), "--mode", "777"],
        vec!["set", &*id.to_string(), "--owner", "nobody"],
    ] {
        let out = ns.shmtool_as_nobody().args(&args).assert().code(1);
        let err = stderr_of(&out);
        assert_one_error_line(&err);
        assert!(
            err.contains(&format!("permission denied for id {id}, owned by root")),
            "{args:?}: {err}"
        );
    }
    assert_eq!(ns.proc_shm(), before);
}

#[test]
fn owners_lock_their_own_segments_within_rlimit_memlock() {
    let ns = Ns::new();
    let out = ns
        .shmtool_as_nobody()
        .args(["create", "--key", "0x10", "--size", "4096"])
        .assert()
        .success();
    let id: i32 = stdout_of(&out).trim().parse().unwrap();
    ns.shmtool_as_nobody()
        .args(["lock", &id.to_string()])
        .assert()
        .success();
    assert!(ns.segment(id).unwrap().status().locked);
    ns.shmtool_as_nobody()
        .args(["set", &id.to_string(), "--mode", "644"])
        .assert()
        .success();
    assert_eq!(ns.segment(id).unwrap().perms(), 0o644);
}

// ---------------------------------------------------------------- races and orphans

/// shmtool, with another process attaching segment `id` from inside it just
/// before its first shmctl `before` that id ("rmid": IPC_RMID; "check": IPC_STAT
/// or IPC_RMID). That process stays attached while `hold` exists.
fn shmtool_raced(id: i32, before: &str, hold: &tempfile::TempPath) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_shmtool"));
    cmd.env("LD_PRELOAD", common::shm_hook())
        .env("SHM_HOOK_ID", id.to_string())
        .env("SHM_HOOK_BEFORE", before)
        .env("SHM_HOOK_HOLD", hold.as_os_str());
    cmd
}

/// A segment whose creator has exited (and been reaped), never attached.
fn orphan(key: &str) -> i32 {
    let creator = Peer::start(&["create", key, "4096"]);
    let id = creator.first_line.parse().unwrap();
    creator.finish();
    id
}

#[test]
fn a_process_attaching_just_before_rmid_makes_unattached_removal_fail_as_marked_in_use() {
    for filter in ["--unattached", "--orphaned"] {
        let ns = Ns::new();
        let id = orphan("0x30");
        let hold = tempfile::NamedTempFile::new().unwrap().into_temp_path();
        let out = shmtool_raced(id, "rmid", &hold)
            .args(["remove", filter])
            .assert()
            .code(1);
        let err = stderr_of(&out);
        assert!(
            err.contains(&format!("id {id} marked (in use), not removed")),
            "{filter}: {err}"
        );
        assert!(
            err.ends_with("shmtool: remove: removed 0, 1 marked (in use)\n"),
            "{filter}: {err}"
        );
        let seg = ns
            .segment(id)
            .expect("marked, not destroyed: it is attached");
        assert!(seg.status().dest && seg.nattch == 1, "{filter}: {seg:?}");
        drop(hold);
    }
    // JSON says the same.
    let ns = Ns::new();
    let id = ns.make(0x31, 10, 0o600);
    let hold = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    let out = shmtool_raced(id, "rmid", &hold)
        .args(["remove", "--unattached", "--json"])
        .assert()
        .code(1);
    let records: Json = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(records[0]["result"], "in-use", "{records}");
    drop(hold);
}

#[test]
fn marking_an_attached_segment_named_or_picked_by_all_stays_a_success() {
    for args in [vec!["remove", "--id", "0"], vec!["remove", "--all"]] {
        let ns = Ns::new();
        let id = ns.make(0x32, 10, 0o600);
        assert_eq!(id, 0);
        let hold = tempfile::NamedTempFile::new().unwrap().into_temp_path();
        let out = shmtool_raced(id, "rmid", &hold)
            .args(&args)
            .assert()
            .success();
        assert!(
            stderr_of(&out).contains("id 0 marked for destruction; still attached (nattch 1)"),
            "{args:?}: {}",
            stderr_of(&out)
        );
        assert!(ns.segment(id).unwrap().status().dest);
    }
}

#[test]
fn a_segment_attached_after_the_snapshot_is_rechecked_and_left_alone() {
    for filter in ["--unattached", "--orphaned"] {
        let ns = Ns::new();
        let id = orphan("0x33");
        let other = orphan("0x34");
        let hold = tempfile::NamedTempFile::new().unwrap().into_temp_path();
        let out = shmtool_raced(id, "check", &hold)
            .args(["remove", filter])
            .assert()
            .success();
        let err = stderr_of(&out);
        assert_eq!(
            err, "shmtool: remove: removed 1, 1 no longer matching\n",
            "{filter}"
        );
        let seg = ns.segment(id).expect("left alone");
        assert!(!seg.status().dest && seg.nattch == 1, "{filter}: {seg:?}");
        assert_eq!(ids(&ns), [id], "{other} was removed");
        drop(hold);
    }
}

#[test]
fn a_zombie_creator_is_gone() {
    let ns = Ns::new();
    let mut creator = Peer::start(&["create", "0x40", "4096"]);
    let id: i32 = creator.first_line.parse().unwrap();
    // It exits; this test, its parent, does not reap it yet.
    drop(creator.child.stdin.take());
    wait_for_zombie(creator.pid());
    let listed = ns.ok(&["list", "--orphaned", "--format", "json"]);
    let listed: Json = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["shmid"], id, "{listed}");
    ns.ok(&["remove", "--orphaned"]);
    assert_eq!(ids(&ns), Vec::<i32>::new());
    drop(creator);
}

#[test]
fn an_orphan_needs_its_last_user_gone_too() {
    let ns = Ns::new();
    let used_by_us = orphan("0x41");
    let used_briefly = orphan("0x42");
    // This test process is the last user of one, and still runs.
    drop(Attachment::read_only(used_by_us, Default::default()).unwrap());
    // A process that attached, wrote and exited is the last user of the other.
    assert!(
        std::process::Command::new(common::shm_peer())
            .args(["write", &used_briefly.to_string(), "x"])
            .status()
            .unwrap()
            .success()
    );
    let out = ns
        .shmtool()
        .args(["remove", "--orphaned", "-v"])
        .assert()
        .success();
    assert_eq!(ids(&ns), [used_by_us], "{}", stderr_of(&out));
}

/// Runs `script` with sh under `unshare ARGS` (a private mount or pid
/// namespace), in this test's IPC namespace; `$SHMTOOL` is the binary and
/// `$PEER` the C peer.
fn unshared(args: &[&str], script: &str) -> std::process::Output {
    std::process::Command::new("unshare")
        .args(args)
        .args(["sh", "-ec", script])
        .env("SHMTOOL", env!("CARGO_BIN_EXE_shmtool"))
        .env("PEER", common::shm_peer())
        .output()
        .expect("unshare runs")
}

#[test]
fn a_wall_clock_step_does_not_make_a_live_creator_look_gone() {
    let ns = Ns::new();
    let creator = Peer::start(&["create", "0x43", "4096"]);
    let id: i32 = creator.first_line.parse().unwrap();
    // The clock stepped an hour forward: btime moves, the segment's ctime does not.
    let real = std::fs::read_to_string("/proc/stat").unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let fake: String = real
        .lines()
        .map(|l| match l.strip_prefix("btime ") {
            Some(_) => format!("btime {}\n", now + 3600),
            None => format!("{l}\n"),
        })
        .collect();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), fake).unwrap();
    let script = format!(
        "mount --bind {} /proc/stat; grep -q 'btime {}' /proc/stat; \
         \"$SHMTOOL\" list --orphaned --format json; \"$SHMTOOL\" remove --orphaned",
        file.path().display(),
        now + 3600
    );
    let out = unshared(&["--mount", "--propagation", "private"], &script);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[]\n");
    assert_eq!(ids(&ns), [id], "the live creator's segment stays");
    drop(creator);
}

#[test]
fn orphaned_declines_what_it_cannot_see_and_verbose_says_why() {
    let ns = Ns::new();
    let creator = Peer::start(&["create", "0x44", "4096"]);
    let id: i32 = creator.first_line.parse().unwrap();
    // As nobody, under a /proc with hidepid=2, root's creator is invisible:
    // kill(pid, 0) says EPERM, so it exists. (A pid namespace of its own, so
    // that the hidepid mount is a new /proc even on kernels before 5.8.)
    let script = "mount -t proc -o hidepid=2 proc /proc; \
                  sleep 5 | \"$PEER\" create 0x46 4096 >/dev/null & \
                  until \"$SHMTOOL\" list --key 0x46 --format raw | grep -q .; do sleep 0.01; done; \
                  setpriv --reuid=65534 --regid=65534 --clear-groups \
                  \"$SHMTOOL\" list --orphaned -v --key 0x46 --format json";
    let out = unshared(
        &["--pid", "--fork", "--mount", "--propagation", "private"],
        script,
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[]\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not taken as orphaned: creator pid")
            && err.contains("exists but /proc is mounted with hidepid"),
        "{err}"
    );
    // In a pid namespace of its own, with its own /proc, the creator's pid is 0.
    let out = unshared(
        &["--pid", "--fork", "--mount-proc"],
        "\"$SHMTOOL\" remove --orphaned -v",
    );
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "id {id} not taken as orphaned: creator pid 0: the creator is outside this pid namespace"
        )),
        "{err}"
    );
    // In a pid namespace of its own, under the old /proc, a creator started
    // there: /proc cannot say whether its pid is a zombie.
    let script = "sleep 5 | \"$PEER\" create 0x45 4096 >/dev/null & \
                  until \"$SHMTOOL\" list --key 0x45 --format raw | grep -q .; do sleep 0.01; done; \
                  \"$SHMTOOL\" list --orphaned -v --key 0x45 --format json";
    let out = unshared(&["--pid", "--fork"], script);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[]\n", "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("exists but /proc belongs to another pid namespace"),
        "{err}"
    );
    assert_eq!(ids(&ns).len(), 3);
    drop(creator);
}

#[test]
fn dry_run_as_a_non_owner_shows_what_the_real_run_does() {
    let ns = Ns::new();
    let roots = ns.make(0x50, 10, 0o666);
    let out = ns
        .shmtool_as_nobody()
        .args(["create", "--key", "0x51", "--size", "10"])
        .assert()
        .success();
    let mine: i32 = stdout_of(&out).trim().parse().unwrap();
    let out = ns
        .shmtool_as_nobody()
        .args(["remove", "--all", "--dry-run", "--json"])
        .assert()
        .success();
    let rows: Json = serde_json::from_str(&stdout_of(&out)).unwrap();
    let listed: Vec<&Json> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["shmid"])
        .collect();
    assert_eq!(listed, [&Json::from(mine)], "only what nobody may remove");
    assert_eq!(
        stderr_of(&out),
        "shmtool: remove: dry run: 1 segment(s) would be removed, 1 skipped (owned by others, \
         permission denied); nothing changed\n"
    );
    // A named segment nobody may not remove fails as the real run fails.
    let out = ns
        .shmtool_as_nobody()
        .args(["remove", "--dry-run", &roots.to_string()])
        .assert()
        .code(1);
    assert!(
        stderr_of(&out).contains(&format!("permission denied for id {roots}, owned by root")),
        "{}",
        stderr_of(&out)
    );
    let out = ns
        .shmtool_as_nobody()
        .args(["remove", "--all"])
        .assert()
        .success();
    assert_eq!(
        stderr_of(&out),
        "shmtool: remove: removed 1, 1 skipped (owned by others, permission denied)\n"
    );
    assert_eq!(ids(&ns), [roots]);
}

#[test]
fn dry_run_json_has_rss_and_swap_as_list_does() {
    let ns = Ns::new();
    let id = ns.make(0x52, 8192, 0o600);
    ns.ok(&["attach-write", &id.to_string(), "--data", "x"]);
    let listed: Json = serde_json::from_str(&ns.ok(&["list", "--format", "json"])).unwrap();
    let dry: Json =
        serde_json::from_str(&ns.ok(&["remove", "--all", "--dry-run", "--json"])).unwrap();
    assert!(listed[0]["rss"].is_u64(), "{listed}");
    assert_eq!(dry[0]["rss"], listed[0]["rss"]);
    assert_eq!(dry[0]["swap"], listed[0]["swap"]);
    assert_eq!(dry, listed);
}

#[test]
fn missing_ok_on_a_marked_segment_says_so_once() {
    let ns = Ns::new();
    let id = ns.make(0x53, 10, 0o600);
    let _holder = Peer::start(&["hold", &id.to_string()]);
    ns.ok(&["remove", &id.to_string()]);
    let out = ns
        .shmtool()
        .args(["remove", "--missing-ok", &id.to_string()])
        .assert()
        .success();
    assert_eq!(
        stderr_of(&out),
        format!(
            "shmtool: remove: id {id} already marked for destruction (nattch 1); it goes at the last detach\n"
        )
    );
}

#[test]
fn an_owner_without_read_permission_rechecks_by_index() {
    let ns = Ns::new();
    // Nobody owns both and may remove them, but may not read them (mode 000).
    let raced = ns.make(0x60, 10, 0o000);
    let plain = ns.make(0x61, 10, 0o000);
    for id in [raced, plain] {
        sysv::set(id, common::NOBODY, common::NOBODY, 0o000).unwrap();
    }
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_shmtool"));
    cmd.args(["remove", "--unattached"])
        .env("LD_PRELOAD", common::shm_hook())
        .env("SHM_HOOK_ID", raced.to_string())
        .env("SHM_HOOK_BEFORE", "check")
        .env("SHM_HOOK_STOP", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    std::os::unix::process::CommandExt::uid(&mut cmd, common::NOBODY);
    std::os::unix::process::CommandExt::gid(&mut cmd, common::NOBODY);
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    // Stopped before its first look at `raced` after the snapshot: root attaches it now.
    let stopped = (0..500).any(|_| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit_once(") ")
            .map(|(_, rest)| rest.starts_with('T'));
        state == Some(true) || {
            std::thread::sleep(std::time::Duration::from_millis(10));
            false
        }
    });
    assert!(stopped, "shmtool stopped at the hook");
    let attached = Attachment::read_only(raced, Default::default()).unwrap();
    assert!(
        std::process::Command::new("kill")
            .args(["-CONT", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(err, "shmtool: remove: removed 1, 1 no longer matching\n");
    let seg = ns.segment(raced).expect("left alone");
    assert!(!seg.status().dest && seg.nattch == 1, "{seg:?}");
    assert_eq!(ids(&ns), [raced], "{plain} was removed");
    drop(attached);
}

#[test]
fn a_closed_stdout_never_turns_a_failed_removal_into_success() {
    let ns = Ns::new();
    let id = ns.make(0x3a, 16, 0o600).to_string();
    for extra in [vec!["--json"], vec!["--dry-run"], vec!["-v"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_shmtool"));
        cmd.args(["remove", &id]).args(&extra).stdout(writer);
        std::os::unix::process::CommandExt::uid(&mut cmd, common::NOBODY);
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {out:?}");
    }
    assert!(ns.segment(id.parse().unwrap()).is_some());
}

#[test]
fn a_closed_stdout_never_turns_a_failed_removal_across_namespaces_into_success() {
    // -A sees every namespace on the host: a pid namespace of its own, with
    // its own /proc, shows it only this test's.
    let hold = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    let script = r#"
        for out in --json -v; do
            id=$("$SHMTOOL" create --private --size 16); export SHM_HOOK_ID=$id
            LD_PRELOAD=$HOOK "$SHMTOOL" remove -A --unattached $out 2>/dev/null | true
            echo "rc=${PIPESTATUS[0]}"
        done
    "#;
    let out = std::process::Command::new("unshare")
        .args([
            "--ipc",
            "--pid",
            "--fork",
            "--mount-proc",
            "bash",
            "-c",
            script,
        ])
        .env("SHMTOOL", env!("CARGO_BIN_EXE_shmtool"))
        .env("HOOK", common::shm_hook())
        .env("SHM_HOOK_BEFORE", "rmid")
        .env("SHM_HOOK_HOLD", hold.as_os_str())
        .output()
        .unwrap();
    // A process attached just before IPC_RMID: "marked (in use)", exit 1,
    // whether or not anyone reads the output.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "rc=1\nrc=1\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(hold);
}

/// The attach that makes a removal "in use" may end before the command
/// does: what became of each segment is looked at right after its
/// IPC_RMID, not after the whole selection was removed, so an attach that
/// came and went meanwhile still fails the removal (found by review: a
/// check deferred to the end reported "removed" and exit 0).
#[test]
fn an_attach_that_ends_before_the_next_removal_still_fails_unattached_removal() {
    for filter in ["--unattached", "--orphaned"] {
        let ns = Ns::new();
        let first = orphan("0x40");
        let second = orphan("0x41");
        assert!(first < second, "removed in index order");
        let hold = tempfile::NamedTempFile::new().unwrap().into_temp_path();
        let out = shmtool_raced(first, "rmid", &hold)
            .env("SHM_HOOK_RELEASE", "1")
            .args(["remove", filter, "-v"])
            .assert()
            .code(1);
        let err = stderr_of(&out);
        assert!(
            err.contains(&format!("id {first} marked (in use), not removed")),
            "{filter}: {err}"
        );
        assert!(
            stdout_of(&out).contains(&format!("removed id {second} ")),
            "{filter}: {}",
            stdout_of(&out)
        );
        // The attacher left, so both are gone now.
        assert_eq!(ids(&ns), Vec::<i32>::new(), "{filter}");
    }
}

/// Named segments are reported in the order they were named, a failure
/// among them included (found by review: marked ones came after it).
#[test]
fn named_removals_report_in_the_order_named() {
    let ns = Ns::new();
    let a = ns.make(0x50, 10, 0o600);
    let c = ns.make(0x51, 10, 0o600);
    let _a = Peer::start(&["hold", &a.to_string()]);
    let _c = Peer::start(&["hold", &c.to_string()]);
    let out = ns
        .shmtool()
        .args(["remove", &a.to_string(), "999999", &c.to_string()])
        .assert()
        .code(1);
    let err = stderr_of(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[0].starts_with(&format!("shmtool: remove: id {a} marked")),
        "{err}"
    );
    assert!(lines[1].contains("999999"), "{err}");
    assert!(
        lines[2].starts_with(&format!("shmtool: remove: id {c} marked")),
        "{err}"
    );
}
