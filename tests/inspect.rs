//! Inspection: list formats and ipcs compatibility, filters, sorting, the
//! shmctl fallback, info and limits.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Json, Ns, Peer, shm_peer, stderr_of, stdout_of, wait_for_zombie};
use shmtool::sysv::{self, Attachment};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

/// passwd and group files with a long user name and a long group name added.
fn name_files(dir: &Path) -> (String, String) {
    let pw = dir.join("passwd");
    let gr = dir.join("group");
    let mut passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    passwd.push_str("averyveryverylongusername:x:4242:4343::/:/bin/sh\n");
    let mut group = std::fs::read_to_string("/etc/group").unwrap();
    group.push_str("averyverylonggroupname:x:4343:\n");
    std::fs::write(&pw, passwd).unwrap();
    std::fs::write(&gr, group).unwrap();
    (pw.display().to_string(), gr.display().to_string())
}

/// Runs `script` in a private mount namespace (same IPC namespace) where the
/// long names exist, with the given TZ.
fn with_long_names(script: &str, tz: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let (pw, gr) = name_files(dir.path());
    let full = format!("mount --bind {pw} /etc/passwd && mount --bind {gr} /etc/group && {script}");
    std::process::Command::new("unshare")
        .args(["--mount", "sh", "-c", &full])
        .env("TZ", tz)
        .env("LC_ALL", "C")
        .output()
        .unwrap()
}

/// The states ipcs must agree on: plain, negative key, locked, dest,
/// dest+locked, an owner with no passwd entry, a long user name, and
/// attach/detach times. Returns attachments that keep the dest ones alive.
fn varied_segments(ns: &Ns) -> Vec<Attachment<sysv::ReadOnly>> {
    let mut held = Vec::new();
    ns.make(0x1234, 4096, 0o644);
    let neg = ns.make(-559038737, 100000, 0o666);
    sysv::lock(neg).unwrap();
    let dest = ns.make(0x77, 65536, 0o600);
    held.push(Attachment::read_only(dest, Default::default()).unwrap());
    sysv::remove(dest).unwrap();
    let both = ns.make(0x78, 8192, 0o660);
    sysv::lock(both).unwrap();
    held.push(Attachment::read_only(both, Default::default()).unwrap());
    sysv::remove(both).unwrap();
    let nameless = ns.make(0x1fc26313, 2048, 0o640);
    sysv::set(nameless, 100000, 100001, 0o640).unwrap();
    let long = ns.make(0x4242, 10, 0o600);
    sysv::set(long, 4242, 4343, 0o600).unwrap();
    let touched = ns.make(0x99, 1 << 20, 0o600);
    drop(Attachment::read_only(touched, Default::default()).unwrap());
    held
}

#[test]
fn ipcs_format_is_byte_for_byte_ipcs_in_every_view() {
    let ns = Ns::new();
    let _held = varied_segments(&ns);
    let bin = env!("CARGO_BIN_EXE_shmtool");
    for (ipcs_flag, our_flag) in [
        ("", ""),
        ("-t", "--time"),
        ("-p", "--pids"),
        ("-c", "--creator"),
        ("--human", "--human"),
    ] {
        for tz in ["UTC", "Asia/Kolkata"] {
            let script =
                format!("ipcs -m {ipcs_flag}; echo =====; {bin} list --format ipcs {our_flag}");
            let out = with_long_names(&script, tz);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = stdout(&out);
            let (theirs, ours) = text.split_once("=====\n").unwrap();
            assert_eq!(ours, theirs, "ipcs -m {ipcs_flag} (TZ={tz}) differs");
            assert!(
                theirs.lines().count() >= 10,
                "all seven segments shown:\n{theirs}"
            );
        }
    }
    // The states the comparison covers really are there.
    let out = with_long_names(&format!("{bin} list --format ipcs"), "UTC");
    let text = stdout(&out);
    for needle in [
        "0xdeadbeef",
        " dest ",
        "locked",
        "dest   locked",
        "100000 ",
        "averyveryv ",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    assert!(
        with_long_names(&format!("{bin} list --format ipcs --creator"), "UTC")
            .stdout
            .windows(25)
            .any(|w| w == b"averyveryverylongusername")
    );
}

#[test]
fn ipcs_format_of_an_empty_namespace_matches_too() {
    let ns = Ns::new();
    let theirs = ns.tool("ipcs").arg("-m").output().unwrap();
    let ours = ns
        .shmtool()
        .args(["list", "--format", "ipcs"])
        .output()
        .unwrap();
    assert_eq!(stdout(&ours), stdout(&theirs));
}

#[test]
fn ipcs_format_refuses_what_ipcs_cannot_show() {
    let ns = Ns::new();
    let err = ns.fails(2, &["list", "--format", "ipcs", "--time", "--pids"]);
    assert!(
        err.contains("choose one of --time, --pids and --creator"),
        "{err}"
    );
    let err = ns.fails(2, &["list", "--format", "ipcs", "--columns", "key"]);
    assert!(
        err.contains("--columns does not apply to --format ipcs"),
        "{err}"
    );
}

fn json_list(ns: &Ns, args: &[&str]) -> Vec<Json> {
    let mut full = vec!["list", "--format", "json"];
    full.extend_from_slice(args);
    let text = ns.ok(&full);
    serde_json::from_str::<Json>(&text)
        .expect("valid JSON")
        .as_array()
        .expect("an array")
        .clone()
}

#[test]
fn json_is_typed_with_every_field() {
    let ns = Ns::new();
    let id = ns.make(-559038737, 100000, 0o640);
    drop(Attachment::read_only(id, Default::default()).unwrap());
    sysv::lock(id).unwrap();
    let rows = json_list(&ns, &[]);
    assert_eq!(rows.len(), 1);
    let row = rows[0].as_object().unwrap();
    let names: Vec<&str> = row.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "key", "shmid", "owner", "group", "uid", "gid", "cuid", "cgid", "creator", "perms",
            "bytes", "nattch", "status", "cpid", "lpid", "atime", "dtime", "ctime", "rss", "swap",
            "command"
        ]
    );
    assert_eq!(row["key"], "0xdeadbeef");
    assert_eq!(row["shmid"], id);
    assert_eq!(row["owner"], "root");
    assert_eq!(row["uid"], 0);
    assert_eq!(row["perms"], "0640");
    assert_eq!(row["bytes"], 100000);
    assert_eq!(row["nattch"], 0);
    assert_eq!(row["status"], serde_json::json!(["locked"]));
    assert_eq!(row["cpid"], std::process::id());
    assert!(
        row["atime"].as_i64().unwrap() > 1_600_000_000,
        "a time that was set is epoch seconds"
    );
    assert!(row["ctime"].is_i64());
    assert!(row["rss"].is_u64() && row["swap"].is_u64());
    // The creator is this test process, which runs: its command line.
    assert!(
        row["command"].as_str().unwrap().contains("inspect"),
        "{}",
        row["command"]
    );
}

#[test]
fn json_times_never_set_are_null_and_gone_creators_have_no_command() {
    let ns = Ns::new();
    ns.ok(&["create", "--key", "5", "--size", "10"]);
    let row = &json_list(&ns, &[])[0];
    assert_eq!(row["atime"], Json::Null);
    assert_eq!(row["dtime"], Json::Null);
    assert_eq!(row["status"], serde_json::json!([]));
    assert_eq!(row["command"], Json::Null, "shmtool create has exited");
}

#[test]
fn json_command_is_the_live_creators_command_line() {
    let ns = Ns::new();
    let peer = Peer::start(&["create", "0x51", "4096"]);
    let row = &json_list(&ns, &["--key", "0x51"])[0];
    assert_eq!(row["cpid"], peer.pid());
    assert_eq!(
        row["command"],
        format!("{} create 0x51 4096", shm_peer().display())
    );
}

#[test]
fn json_of_nothing_is_an_empty_array() {
    let ns = Ns::new();
    assert_eq!(json_list(&ns, &[]), Vec::<Json>::new());
}

#[test]
fn csv_has_a_header_and_raw_has_none() {
    let ns = Ns::new();
    let a = ns.make(0x10, 100, 0o640);
    let b = ns.make(0x11, 200, 0o600);
    sysv::lock(b).unwrap();
    let csv = ns.ok(&["list", "--format", "csv"]);
    assert_eq!(
        csv,
        format!(
            "key,shmid,owner,perms,bytes,nattch,status\n0x00000010,{a},root,0640,100,0,\n0x00000011,{b},root,0600,200,0,locked\n"
        )
    );
    let raw = ns.ok(&["list", "--format", "raw"]);
    assert_eq!(
        raw,
        format!("0x00000010 {a} root 0640 100 0 -\n0x00000011 {b} root 0600 200 0 locked\n")
    );
    for line in raw.lines() {
        assert_eq!(
            line.split_whitespace().count(),
            7,
            "one word per field: {line}"
        );
    }
}

#[test]
fn raw_keeps_one_word_per_field_even_for_commands() {
    let ns = Ns::new();
    let _peer = Peer::start(&["create", "0x52", "4096"]);
    let raw = ns.ok(&[
        "list",
        "--format",
        "raw",
        "--columns",
        "shmid,command,atime",
    ]);
    let words: Vec<&str> = raw.split_whitespace().collect();
    assert_eq!(words.len(), 3, "{raw}");
    assert!(
        words[1].ends_with("shm_peer\\040create\\0400x52\\0404096"),
        "{raw}"
    );
    assert_eq!(words[2], "-");
}

#[test]
fn columns_pick_and_order_fields_in_every_format() {
    let ns = Ns::new();
    let id = ns.make(0x10, 100, 0o640);
    let table = ns.ok(&["list", "--columns", "bytes,key,shmid"]);
    let lines: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines,
        vec![
            vec!["bytes", "key", "shmid"],
            vec!["100", "0x00000010", &id.to_string()]
        ]
    );
    let rows = json_list(&ns, &["--columns", "nattch,perms"]);
    assert_eq!(rows[0], serde_json::json!({"nattch": 0, "perms": "0640"}));
    assert_eq!(
        ns.ok(&["list", "--format", "csv", "--columns", "uid,owner"]),
        "uid,owner\n0,root\n"
    );
}

#[test]
fn a_bad_column_is_a_usage_error_listing_the_valid_ones() {
    let ns = Ns::new();
    let err = ns.fails(2, &["list", "--columns", "key,size"]);
    assert!(err.contains("unknown field 'size'"), "{err}");
    assert!(err.contains("valid fields are key, shmid, owner, group, uid, gid, cuid, cgid, creator, perms, bytes, nattch, status, cpid, lpid, atime, dtime, ctime, rss, swap, command"), "{err}");
    ns.fails(2, &["list", "--sort", "nope"]);
    ns.fails(2, &["list", "--format", "xml"]);
}

#[test]
fn time_pids_and_creator_add_columns_to_the_table() {
    let ns = Ns::new();
    ns.make(0x10, 100, 0o640);
    let header = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["list"];
        full.extend_from_slice(args);
        ns.ok(&full)
            .lines()
            .next()
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    let base = [
        "key", "shmid", "owner", "perms", "bytes", "nattch", "status",
    ];
    assert_eq!(header(&[]), base);
    assert_eq!(header(&["--time"])[7..], ["atime", "dtime", "ctime"]);
    assert_eq!(header(&["--pids"])[7..], ["cpid", "lpid"]);
    assert_eq!(header(&["--creator"])[7..], ["creator", "cgid"]);
    assert_eq!(header(&["--time", "--pids", "--creator"]).len(), 14);
    // Times in the table are local date and time; never-set times are "-".
    let text = ns.ok(&["list", "--time"]);
    let row: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!((row[6], row[7]), ("-", "-"));
    assert!(
        row[8].len() == 10 && row[8].as_bytes()[4] == b'-',
        "a date: {row:?}"
    );
}

#[test]
fn human_sizes() {
    let ns = Ns::new();
    for (k, size) in [(1, 25600u64), (2, 100000), (3, 1 << 20), (4, 10)] {
        ns.make(k, size, 0o600);
    }
    let sizes: Vec<String> = ns
        .ok(&["list", "--human"])
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(4).unwrap().to_owned())
        .collect();
    assert_eq!(sizes, ["25K", "97.7K", "1M", "10B"]);
    let bytes: Vec<String> = ns
        .ok(&["list", "--human", "--bytes"])
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(4).unwrap().to_owned())
        .collect();
    assert_eq!(
        bytes,
        ["25600", "100000", "1048576", "10"],
        "the last of --human/--bytes wins"
    );
}

fn ids(ns: &Ns, args: &[&str]) -> Vec<i64> {
    json_list(ns, args)
        .iter()
        .map(|r| r["shmid"].as_i64().unwrap())
        .collect()
}

#[test]
fn each_filter_selects_exactly_its_segments() {
    let ns = Ns::new();
    let small = ns.make(0x10, 100, 0o600) as i64;
    let big = ns.make(0x11, 1 << 20, 0o600) as i64;
    let theirs = ns.make(0x12, 4096, 0o600) as i64;
    sysv::set(theirs as i32, 65534, 65534, 0o600).unwrap();
    let locked = ns.make(0x13, 4096, 0o600) as i64;
    sysv::lock(locked as i32).unwrap();
    let attached = ns.make(0x14, 4096, 0o600) as i64;
    let _a = Attachment::read_only(attached as i32, Default::default()).unwrap();
    let dest = ns.make(0x15, 4096, 0o600) as i64;
    let _d = Attachment::read_only(dest as i32, Default::default()).unwrap();
    sysv::remove(dest as i32).unwrap();

    assert_eq!(ids(&ns, &[]), [small, big, theirs, locked, attached, dest]);
    assert_eq!(ids(&ns, &["--owner", "nobody"]), [theirs]);
    assert_eq!(ids(&ns, &["--owner", "65534"]), [theirs]);
    assert_eq!(
        ids(&ns, &["--owner", "root"]),
        [small, big, locked, attached, dest]
    );
    assert_eq!(ids(&ns, &["--key", "0x11"]), [big]);
    assert_eq!(ids(&ns, &["--key", "17"]), [big]);
    assert_eq!(ids(&ns, &["--id", &theirs.to_string()]), [theirs]);
    assert_eq!(ids(&ns, &["--unattached"]), [small, big, theirs, locked]);
    assert_eq!(ids(&ns, &["--larger-than", "4096"]), [big]);
    assert_eq!(
        ids(&ns, &["--larger-than", "99"]),
        [small, big, theirs, locked, attached, dest]
    );
    assert_eq!(
        ids(&ns, &["--larger-than", "1K"]),
        [big, theirs, locked, attached, dest]
    );
    assert_eq!(ids(&ns, &["--status", "locked"]), [locked]);
    assert_eq!(ids(&ns, &["--status", "dest"]), [dest]);
    // Combined, every condition must hold.
    assert_eq!(
        ids(
            &ns,
            &["--owner", "root", "--unattached", "--larger-than", "100"]
        ),
        [big, locked]
    );
    assert_eq!(
        ids(&ns, &["--owner", "nobody", "--status", "locked"]),
        Vec::<i64>::new()
    );
    ns.fails(2, &["list", "--owner", "no-such-user-anywhere"]);
    ns.fails(2, &["list", "--status", "gone"]);
    ns.fails(2, &["list", "--older-than", "5 minutes"]);
}

#[test]
fn older_than_uses_the_change_time() {
    let ns = Ns::new();
    let old = ns.make(0x10, 100, 0o600) as i64;
    std::thread::sleep(Duration::from_millis(3100));
    let new = ns.make(0x11, 100, 0o600) as i64;
    // ctime has whole seconds: `old` is at least 3 s old, `new` far less.
    assert_eq!(ids(&ns, &["--older-than", "3s"]), [old]);
    assert_eq!(ids(&ns, &["--older-than", "0s"]), [old, new]);
    assert_eq!(ids(&ns, &["--older-than", "1h"]), Vec::<i64>::new());
}

#[test]
fn orphaned_means_unattached_with_the_creator_gone() {
    let ns = Ns::new();
    let live_peer = Peer::start(&["create", "0x20", "4096"]);
    let live: i64 = live_peer.first_line.parse().unwrap();
    let dead_peer = Peer::start(&["create", "0x21", "4096"]);
    let dead: i64 = dead_peer.first_line.parse().unwrap();
    dead_peer.finish();
    let held_peer = Peer::start(&["create", "0x22", "4096"]);
    let held: i64 = held_peer.first_line.parse().unwrap();
    held_peer.finish();
    let _holder = Peer::start(&["hold", &held.to_string()]);
    assert_eq!(
        ids(&ns, &["--orphaned"]),
        [dead],
        "live {live}, attached {held}"
    );
    assert_eq!(ids(&ns, &["--unattached"]), [live, dead]);
}

#[test]
fn sort_and_reverse() {
    let ns = Ns::new();
    let a = ns.make(0x30, 300, 0o600) as i64;
    let b = ns.make(0x10, 100, 0o600) as i64;
    let c = ns.make(0x20, 200, 0o600) as i64;
    assert_eq!(ids(&ns, &["--sort", "bytes"]), [b, c, a]);
    assert_eq!(ids(&ns, &["--sort", "key", "--reverse"]), [a, c, b]);
    assert_eq!(ids(&ns, &["--reverse"]), [c, b, a]);
}

#[test]
fn hidden_proc_file_falls_back_to_shmctl_with_the_same_output() {
    let ns = Ns::new();
    let _held = varied_segments(&ns);
    let bin = env!("CARGO_BIN_EXE_shmtool");
    for args in [
        "",
        "--format json",
        "--format ipcs",
        "--format csv --columns key,shmid,uid,perms,bytes,nattch,status,cpid,lpid,atime,dtime,ctime",
    ] {
        let before = ns.ok(&["list"]
            .into_iter()
            .chain(args.split_whitespace())
            .collect::<Vec<_>>());
        let script = format!("mount -t tmpfs none /proc/sysvipc && {bin} list -v {args}");
        let out = std::process::Command::new("unshare")
            .args(["--mount", "sh", "-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        // Only JSON (every field, rss and swap too) reads /proc; the other
        // views list with the shmctl walk from the start.
        assert_eq!(
            err.contains("/proc/sysvipc/shm unreadable") && err.contains("shmctl"),
            args.contains("json"),
            "-v says so when /proc was wanted: {err}"
        );
        let after = stdout(&out);
        if args.contains("json") {
            // /proc reports rss and swap; shmctl cannot, so they are null.
            let strip = |t: &str| -> Vec<Json> {
                let mut v: Vec<Json> = serde_json::from_str(t).unwrap();
                for o in &mut v {
                    let o = o.as_object_mut().unwrap();
                    o.remove("rss");
                    o.remove("swap");
                }
                v
            };
            assert_eq!(strip(&after), strip(&before));
        } else {
            assert_eq!(after, before, "list {args}");
        }
    }
    // Without -v the fallback is silent.
    let script = format!("mount -t tmpfs none /proc/sysvipc && {bin} list");
    let out = std::process::Command::new("unshare")
        .args(["--mount", "sh", "-c", &script])
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
}

// ---------------------------------------------------------------- info

#[test]
fn info_shows_every_field_the_mode_and_the_attaching_processes() {
    let ns = Ns::new();
    let id = ns.make(0x1234, 25600, 0o640);
    sysv::lock(id).unwrap();
    let holder = Peer::start(&["hold", &id.to_string()]);
    assert_eq!(holder.first_line, "attached");
    let text = ns.ok(&["info", &id.to_string()]);
    for field in shmtool::field::SYSV {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("{:<9} ", field.name()))),
            "{} in\n{text}",
            field.name()
        );
    }
    assert!(text.contains("key       0x00001234\n"), "{text}");
    assert!(
        text.contains("mode      2640 (rw-r-----, locked (SHM_LOCKED))\n"),
        "{text}"
    );
    assert!(text.contains("nattch    1\n"), "{text}");
    assert!(text.contains("dtime     never\n"), "{text}");
    // A full local timestamp, with the weekday, year and zone.
    let atime = text.lines().find(|l| l.starts_with("atime")).unwrap();
    assert!(
        atime.contains(" 20") && atime.contains(':') && atime.contains("UTC"),
        "{atime}"
    );
    assert!(text.contains("attached by 1 process:"), "{text}");
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with(&holder.pid().to_string()))
        .expect("the holder's row");
    assert!(
        row.contains("root") && row.contains("shm_peer hold"),
        "{row}"
    );
    // By key, and as JSON.
    let json: Json = serde_json::from_str(&ns.ok(&["info", "--key", "0x1234", "--json"])).unwrap();
    assert_eq!(json["shmid"], id);
    assert_eq!(json["mode"], "2640");
    assert_eq!(json["status"], serde_json::json!(["locked"]));
    assert_eq!(json["attached"][0]["pid"], holder.pid());
    assert_eq!(json["attached"][0]["user"], "root");
    assert!(
        json["attached"][0]["command"]
            .as_str()
            .unwrap()
            .ends_with(&format!("shm_peer hold {id}"))
    );
    assert_eq!(
        ns.ok(&["info", "--id", &id.to_string()]).lines().next(),
        text.lines().next()
    );
}

#[test]
fn info_lists_only_processes_of_this_ipc_namespace() {
    let ns = Ns::new();
    let id = ns.make(0x1234, 4096, 0o600);
    // Another namespace with a segment of the same id, held by another process.
    let script = format!(
        "id=$({} create --key 0x1 --size 4096) && exec {} hold $id",
        env!("CARGO_BIN_EXE_shmtool"),
        shm_peer().display()
    );
    let mut other = std::process::Command::new("unshare")
        .args(["--ipc", "sh", "-c", &script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = [0u8; 9];
    std::io::Read::read_exact(other.stdout.as_mut().unwrap(), &mut line).unwrap();
    assert_eq!(&line, b"attached\n");
    let json: Json = serde_json::from_str(&ns.ok(&["info", &id.to_string(), "--json"])).unwrap();
    assert_eq!(
        json["attached"],
        serde_json::json!([]),
        "the other namespace's holder is not ours"
    );
    drop(other.stdin.take());
    other.wait().unwrap();
}

#[test]
fn info_of_a_missing_segment_fails_where_ipcs_exits_0() {
    let ns = Ns::new();
    ns.tool("ipcs").args(["-m", "-i", "99"]).assert().success();
    let err = ns.fails(1, &["info", "99"]);
    assert!(
        err.starts_with("shmtool: info: no segment with id 99"),
        "{err}"
    );
    let err = ns.fails(1, &["info", "--key", "0x99"]);
    assert!(
        err.starts_with("shmtool: info: no segment with key 0x00000099"),
        "{err}"
    );
    ns.fails(2, &["info"]);
    ns.fails(2, &["info", "1", "--id", "1"]);
}

// ---------------------------------------------------------------- limits

fn field_after(text: &str, label: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("{label} in\n{text}"));
    line[label.len()..]
        .trim()
        .trim_start_matches('=')
        .trim()
        .to_owned()
}

#[test]
fn limits_agree_with_ipcs_and_lsipc() {
    let ns = Ns::new();
    std::fs::write("/proc/sys/kernel/shmmni", "300").unwrap();
    std::fs::write("/proc/sys/kernel/shmmax", "1000000").unwrap();
    std::fs::write("/proc/sys/kernel/shmall", "5000").unwrap();
    ns.make(1, 100000, 0o600);
    ns.make(2, 5000, 0o600);
    let ours: Json = serde_json::from_str(&ns.ok(&["limits", "--json"])).unwrap();

    let l = String::from_utf8(
        ns.tool("ipcs")
            .args(["-m", "-l", "-b"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        ours["shmmni"].to_string(),
        field_after(&l, "max number of segments")
    );
    assert_eq!(
        ours["shmmax"].to_string(),
        field_after(&l, "max seg size (bytes)")
    );
    assert_eq!(
        ours["shmall_bytes"].to_string(),
        field_after(&l, "max total shared memory (bytes)")
    );
    assert_eq!(
        ours["shmmin"].to_string(),
        field_after(&l, "min seg size (bytes)")
    );

    let u = String::from_utf8(ns.tool("ipcs").args(["-m", "-u"]).output().unwrap().stdout).unwrap();
    assert_eq!(
        ours["used_segments"].to_string(),
        field_after(&u, "segments allocated")
    );
    assert_eq!(
        ours["used_pages"].to_string(),
        field_after(&u, "pages allocated")
    );
    assert_eq!(
        ours["resident_pages"].to_string(),
        field_after(&u, "pages resident")
    );
    assert_eq!(
        ours["swapped_pages"].to_string(),
        field_after(&u, "pages swapped")
    );

    let g = String::from_utf8(
        ns.tool("lsipc")
            .args([
                "-g",
                "--raw",
                "--bytes",
                "--noheadings",
                "-o",
                "RESOURCE,LIMIT,USED",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let row = |name: &str| -> Vec<String> {
        g.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .split_whitespace()
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        row("SHMMNI"),
        [
            ours["shmmni"].to_string(),
            ours["used_segments"].to_string()
        ]
    );
    // lsipc derives used pages from the summed sizes (105000 / 4096 = 25);
    // the kernel counts whole pages per segment (SHM_INFO, as ipcs -u shows).
    assert_eq!(row("SHMALL")[0], ours["shmall_pages"].to_string());
    assert_eq!(
        ours["used_pages"], 27,
        "25 pages for 100000 bytes and 2 for 5000"
    );
    assert_eq!(ours["used_bytes"], 27 * 4096);
    assert_eq!(ours["segments_percent"], 0.67);
    assert_eq!(ours["pages_percent"], 0.54);
}

#[test]
fn limits_compute_shmall_bytes_without_overflow() {
    let ns = Ns::new();
    let text = ns.ok(&["limits", "--json"]);
    let ours: Json = serde_json::from_str(&text).unwrap();
    // Read the exact digits: a JSON parser may turn numbers past u64 into floats.
    let digits = |name: &str| -> u128 {
        field_after(&text.replace(',', ""), &format!("  \"{name}\":"))
            .parse()
            .unwrap()
    };
    let pages = digits("shmall_pages");
    let bytes = digits("shmall_bytes");
    assert_eq!(bytes, pages * ours["page_size"].as_u64().unwrap() as u128);
    assert!(
        bytes > u64::MAX as u128,
        "the default shmall is wider than 64 bits in bytes"
    );
    let text = ns.ok(&["limits"]);
    assert!(text.contains(&bytes.to_string()), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("shmmni") && l.contains("4096")),
        "{text}"
    );
}

#[test]
fn the_readme_documents_every_json_field() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let schema = readme
        .split("### Fields (the JSON schema)")
        .nth(1)
        .unwrap()
        .split("### Filters")
        .next()
        .unwrap();
    for field in shmtool::field::Field::ALL {
        assert!(
            schema.contains(&format!("`{}`", field.name())),
            "README documents {}",
            field.name()
        );
    }
}

// ------------------------------------------------- text other users choose

/// What a hostile process puts in its argv[0]: a newline, a clear-screen
/// sequence, a fake table row, a C1 CSI and bytes that are not UTF-8.
const HOSTILE: &[u8] = b"evil\n\x1b[2J0x00000000 0 root 600 1 0\xc2\x9b\xff";
/// [`HOSTILE`] as table, csv and info show it.
const HOSTILE_SHOWN: &str = "evil\\n\\x1b[2J0x00000000 0 root 600 1 0\\u009b\\xff";
/// [`HOSTILE`] as a raw-format word.
const HOSTILE_RAW: &str =
    "evil\\012\\033[2J0x00000000\\0400\\040root\\040600\\0401\\0400\\302\\233\\377";

/// Starts `shm_peer ARGS…` with `arg0` as its argv[0], as [`Peer::start`] does.
fn peer_named(arg0: &[u8], args: &[&str]) -> Peer {
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    let mut child = std::process::Command::new(shm_peer())
        .arg0(std::ffi::OsStr::from_bytes(arg0))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start shm_peer");
    let stdout = child.stdout.as_mut().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    Peer {
        child,
        first_line: String::from_utf8_lossy(&line).trim().to_owned(),
    }
}

/// Asserts that nothing in `out` acts on a terminal: no control character
/// but newline, no C1 or bidi control, all UTF-8.
fn assert_inert(out: &[u8]) {
    let text = std::str::from_utf8(out).expect("output is UTF-8");
    assert!(
        !text
            .chars()
            .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)),
        "{text:?}"
    );
}

fn list_bytes(ns: &Ns, args: &[&str]) -> Vec<u8> {
    let mut full = vec!["list"];
    full.extend_from_slice(args);
    ns.shmtool().args(&full).output().unwrap().stdout
}

#[test]
fn a_hostile_command_line_is_escaped_in_every_format_and_exact_in_json() {
    let ns = Ns::new();
    let peer = peer_named(HOSTILE, &["create", "0x61", "4096"]);
    let id = peer.first_line.clone();
    let shown = format!("{HOSTILE_SHOWN} create 0x61 4096");

    let table = list_bytes(&ns, &["--columns", "shmid,command"]);
    assert_inert(&table);
    let table = String::from_utf8(table).unwrap();
    assert_eq!(table.lines().count(), 2, "one header, one row: {table}");
    assert!(table.ends_with(&format!("{id}  {shown}\n")), "{table}");

    let csv = list_bytes(&ns, &["--format", "csv", "--columns", "shmid,command"]);
    assert_inert(&csv);
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        format!("shmid,command\n{id},{shown}\n")
    );

    let raw = list_bytes(&ns, &["--format", "raw", "--columns", "shmid,command"]);
    assert_inert(&raw);
    assert_eq!(
        String::from_utf8(raw).unwrap(),
        format!("{id} {HOSTILE_RAW}\\040create\\0400x61\\0404096\n")
    );

    // JSON keeps the exact bytes: not UTF-8, so an array of them.
    let json = list_bytes(&ns, &["--format", "json", "--columns", "command"]);
    assert_inert(&json);
    let rows: Json = serde_json::from_slice(&json).unwrap();
    let mut exact = HOSTILE.to_vec();
    exact.extend_from_slice(b" create 0x61 4096");
    assert_eq!(rows[0]["command"], serde_json::json!(exact));

    let info = ns.shmtool().args(["info", &id]).output().unwrap().stdout;
    assert_inert(&info);
    let info = String::from_utf8(info).unwrap();
    assert!(info.contains(&format!("\ncommand   {shown}\n")), "{info}");
    drop(peer);
}

#[test]
fn a_hostile_utf8_command_line_is_an_exact_json_string() {
    let ns = Ns::new();
    let arg0 = "evil\n\u{1b}[2J\u{202e}ü";
    let _peer = peer_named(arg0.as_bytes(), &["create", "0x64", "4096"]);
    let json = list_bytes(&ns, &["--format", "json", "--columns", "command"]);
    assert_inert(&json);
    let rows: Json = serde_json::from_slice(&json).unwrap();
    assert_eq!(rows[0]["command"], format!("{arg0} create 0x64 4096"));
    let table = String::from_utf8(list_bytes(&ns, &["--columns", "command"])).unwrap();
    assert_eq!(table, "command\nevil\\n\\x1b[2J\\u202eü create 0x64 4096\n");
}

#[test]
fn info_escapes_an_attaching_process_and_keeps_its_bytes_in_json() {
    let ns = Ns::new();
    let id = ns.make(0x65, 4096, 0o600).to_string();
    let holder = peer_named(HOSTILE, &["hold", &id]);
    assert_eq!(holder.first_line, "attached");
    for args in [vec!["info", &id], vec!["info", "-v", &id]] {
        let out = ns.shmtool().args(&args).output().unwrap().stdout;
        assert_inert(&out);
        let text = String::from_utf8(out).unwrap();
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(&holder.pid().to_string()))
            .unwrap_or_else(|| panic!("the holder's row in\n{text}"));
        assert!(
            row.ends_with(&format!("  {HOSTILE_SHOWN} hold {id}")),
            "{row}"
        );
    }
    let json = ns
        .shmtool()
        .args(["info", &id, "--json"])
        .output()
        .unwrap()
        .stdout;
    assert_inert(&json);
    let json: Json = serde_json::from_slice(&json).unwrap();
    let mut exact = HOSTILE.to_vec();
    exact.extend_from_slice(format!(" hold {id}").as_bytes());
    assert_eq!(json["attached"][0]["command"], serde_json::json!(exact));
}

#[test]
fn a_zombie_creator_shows_as_defunct_not_as_a_kernel_thread() {
    let ns = Ns::new();
    let mut peer = Peer::start(&["create", "0x62", "4096"]);
    // It exits when its stdin closes; unreaped, it stays a zombie.
    drop(peer.child.stdin.take());
    wait_for_zombie(peer.pid());
    let csv = String::from_utf8(list_bytes(
        &ns,
        &["--format", "csv", "--columns", "cpid,command"],
    ))
    .unwrap();
    assert_eq!(
        csv,
        format!("cpid,command\n{},[shm_peer] <defunct>\n", peer.pid())
    );
    drop(peer);
}

#[test]
fn a_process_that_cleared_its_arguments_is_not_shown_as_a_kernel_thread() {
    let ns = Ns::new();
    let peer = Peer::start(&["create-cleared", "0x63", "4096"]);
    let out = String::from_utf8(list_bytes(&ns, &["--columns", "cpid,command"])).unwrap();
    assert_eq!(
        out.lines()
            .nth(1)
            .map(str::split_whitespace)
            .map(|w| w.collect::<Vec<_>>()),
        Some(vec![peer.pid().to_string().as_str(), "(shm_peer)"]),
        "{out}"
    );
    let json = json_list(&ns, &["--columns", "command"]);
    assert_eq!(json[0]["command"], "(shm_peer)");
}

/// Runs `script` where /etc/passwd and /etc/group also name uid and gid
/// 4244 with control characters and a bidi override.
fn with_hostile_names(script: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("passwd");
    let gr = dir.path().join("group");
    let mut passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    passwd.push_str("ev\x1b[2Jil:x:4244:4244::/:/bin/sh\n");
    let mut group = std::fs::read_to_string("/etc/group").unwrap();
    group.push_str("gr\u{202e}p\x07:x:4244:\n");
    std::fs::write(&pw, passwd).unwrap();
    std::fs::write(&gr, group).unwrap();
    let full = format!(
        "mount --bind {} /etc/passwd && mount --bind {} /etc/group && {script}",
        pw.display(),
        gr.display()
    );
    std::process::Command::new("unshare")
        .args(["--mount", "sh", "-c", &full])
        .env("LC_ALL", "C")
        .output()
        .unwrap()
}

#[test]
fn user_and_group_names_are_escaped_in_human_formats() {
    let ns = Ns::new();
    let id = ns.make(0x66, 4096, 0o600);
    sysv::set(id, 4244, 4244, 0o600).unwrap();
    let bin = env!("CARGO_BIN_EXE_shmtool");
    let table = with_hostile_names(&format!("{bin} list --columns owner,group"));
    assert_inert(&table.stdout);
    assert_eq!(
        String::from_utf8(table.stdout).unwrap(),
        "owner        group\nev\\x1b[2Jil  gr\\u202ep\\x07\n"
    );
    for format in ["csv", "raw", "ipcs"] {
        let out = with_hostile_names(&format!("{bin} list --format {format}"));
        assert_inert(&out.stdout);
        let text = String::from_utf8(out.stdout).unwrap();
        let expected = match format {
            "raw" => " ev\\033[2Jil ",
            // ipcs cuts names at 10 bytes, as ipcs does.
            "ipcs" => " ev\\x1b[2Ji ",
            _ => ",ev\\x1b[2Jil,",
        };
        assert!(text.contains(expected), "{format}: {text}");
    }
    let info = with_hostile_names(&format!("{bin} info {id}"));
    assert_inert(&info.stdout);
    let text = String::from_utf8(info.stdout).unwrap();
    assert!(
        text.contains("owner     ev\\x1b[2Jil (uid 4244)\n"),
        "{text}"
    );
    assert!(
        text.contains("group     gr\\u202ep\\x07 (gid 4244)\n"),
        "{text}"
    );
    // JSON keeps the names exact, escaped the JSON way.
    let json = with_hostile_names(&format!("{bin} list --format json --columns owner,group"));
    assert_inert(&json.stdout);
    let rows: Json = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows[0]["owner"], "ev\u{1b}[2Jil");
    assert_eq!(rows[0]["group"], "gr\u{202e}p\x07");
}

#[test]
fn info_says_how_many_attaches_this_user_cannot_see() {
    let ns = Ns::new();
    let id = ns.make(0x67, 4096, 0o644).to_string();
    let _holder = Peer::start(&["hold", &id]);
    let out = ns
        .shmtool_as_nobody()
        .args(["info", &id])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("nattch    1\n"), "{text}");
    assert!(
        text.contains(
            "\nattached by no process visible here\n1 of 1 attach (nattch) not accounted for: "
        ),
        "{text}"
    );
    assert!(
        text.contains("could not be read (run as root to inspect them)\n"),
        "{text}"
    );
    let out = ns
        .shmtool_as_nobody()
        .args(["info", &id, "--json"])
        .assert()
        .success();
    let json: Json = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["attached"], serde_json::json!([]));
    assert_eq!(json["unaccounted_attaches"], 1);
    // Root sees the holder: every attach accounted for.
    let text = ns.ok(&["info", &id]);
    assert!(text.contains("attached by 1 process:"), "{text}");
    assert!(!text.contains("not accounted for"), "{text}");
    let json: Json = serde_json::from_str(&ns.ok(&["info", &id, "--json"])).unwrap();
    assert_eq!(json["unaccounted_attaches"], 0);
}

#[test]
fn error_messages_escape_the_names_they_carry() {
    let ns = Ns::new();
    let id = ns.make(0x68, 4096, 0o600);
    sysv::set(id, 4244, 4244, 0o600).unwrap();
    let bin = env!("CARGO_BIN_EXE_shmtool");
    let out = with_hostile_names(&format!(
        "setpriv --reuid 65534 --regid 65534 --clear-groups {bin} read {id}"
    ));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    common::assert_one_error_line(&err);
    assert_inert(err.as_bytes());
    assert!(
        err.contains(&format!(
            "permission denied for id {id}, owned by ev\\x1b[2Jil"
        )),
        "{err}"
    );
}

#[test]
fn info_is_not_fooled_by_a_file_named_and_numbered_like_the_segment() {
    let ns = Ns::new();
    let ids: Vec<i32> = (0..20).map(|k| ns.make(0x500 + k, 4096, 0o600)).collect();
    let id = ids[10];
    let key = format!("{:08x}", 0x500 + 10);
    // Another process maps a tmpfs file whose inode is the shmid, named as
    // the kernel names the segment, on a mount it then detaches (what a
    // user can do in a user namespace of its own).
    let script = r#"
import mmap, os, subprocess, sys, tempfile
target, key = int(sys.argv[1]), sys.argv[2]
d = tempfile.mkdtemp()
subprocess.run(["mount", "-t", "tmpfs", "tmpfs", d], check=True)
n = 0
while True:
    p = os.path.join(d, "f%d" % n)
    with open(p, "wb") as f:
        f.write(b"x" * 4096)
    ino = os.stat(p).st_ino
    if ino >= target:
        break
    n += 1
if ino != target:
    sys.exit("tmpfs inodes start past %d" % target)
os.rename(p, os.path.join(d, "SYSV" + key))
f = open(os.path.join(d, "SYSV" + key), "r+b")
m = mmap.mmap(f.fileno(), 4096, mmap.MAP_SHARED)
subprocess.run(["umount", "-l", d], check=True)
print("ready", flush=True)
sys.stdin.read()
"#;
    let mut forger = std::process::Command::new("unshare")
        .args(["--mount", "python3", "-c", script, &id.to_string(), &key])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(forger.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line, "ready\n");
    // unshare execs python: the forger's maps show the forged mapping.
    let maps = std::fs::read_to_string(format!("/proc/{}/maps", forger.id())).unwrap();
    assert!(
        maps.contains(&format!(" {id} ")) && maps.contains(&format!("/SYSV{key}")),
        "{maps}"
    );
    let out = ns.ok(&["info", &id.to_string()]);
    drop(forger.stdin.take());
    forger.wait().unwrap();
    assert!(out.contains("nattch    0\n"), "{out}");
    assert!(
        !out.contains("python3"),
        "a forged mapping is not an attach: {out}"
    );
}

#[test]
fn the_shmctl_walk_and_proc_give_identical_rows() {
    let ns = Ns::new();
    // IPC_INFO says index 0 for an empty table too: still the walk, and empty.
    assert_eq!(
        shmtool::procfs_shm::read_segments_without_usage().unwrap(),
        (vec![], shmtool::procfs_shm::Source::Walk)
    );
    let mut ids = Vec::new();
    for (i, mode) in [0o600, 0o644, 0o640, 0o666, 0o400, 0o000]
        .into_iter()
        .enumerate()
    {
        let key = if i == 2 {
            -559038737
        } else {
            0x1400 + i as i32
        };
        ids.push(ns.make(key, 1000 + 4096 * i as u64, mode));
    }
    // Owners past 16 bits and with no passwd entry; one locked, one
    // attached, one removed while attached (dest, key 0).
    sysv::set(ids[1], 100_000, 4_000_000_000, 0o640).unwrap();
    sysv::set(ids[3], 65534, 65534, 0o666).unwrap();
    sysv::lock(ids[4]).unwrap();
    let _held = Peer::start(&["hold", &ids[0].to_string()]);
    let _gone = Peer::start(&["hold", &ids[5].to_string()]);
    sysv::remove(ids[5]).unwrap();
    Attachment::read_write(ids[1], Default::default())
        .unwrap()
        .fill(0, 1000, 1)
        .unwrap();

    let (walked, source) = shmtool::procfs_shm::read_segments_without_usage().unwrap();
    assert_eq!(source, shmtool::procfs_shm::Source::Walk);
    let (mut from_proc, source) = shmtool::procfs_shm::read_segments().unwrap();
    assert_eq!(source, shmtool::procfs_shm::Source::Proc);
    assert!(from_proc.iter().any(|s| s.rss.is_some_and(|r| r > 0)));
    for seg in &mut from_proc {
        (seg.rss, seg.swap) = (None, None);
    }
    assert_eq!(walked.len(), ids.len());
    assert_eq!(walked, from_proc);

    // Through the binary: every field but rss and swap (the walk) against
    // every field (/proc) with those two taken out.
    let others: Vec<&str> = shmtool::field::SYSV
        .iter()
        .map(|f| f.name())
        .filter(|n| !matches!(*n, "rss" | "swap"))
        .collect();
    let walk_json: Json =
        serde_json::from_str(&ns.ok(&["list", "--format", "json", "--columns", &others.join(",")]))
            .unwrap();
    let mut proc_json: Json = serde_json::from_str(&ns.ok(&["list", "--format", "json"])).unwrap();
    for row in proc_json.as_array_mut().unwrap() {
        let row = row.as_object_mut().unwrap();
        assert!(row.remove("rss").is_some() && row.remove("swap").is_some());
    }
    assert_eq!(walk_json, proc_json);
    // The default table (the walk) shows the rows ipcs -m shows.
    let table = ns.ok(&["list", "--format", "ipcs"]);
    let ipcs = ns.tool("ipcs").arg("-m").assert().success();
    assert_eq!(table.as_bytes(), ipcs.get_output().stdout.as_slice());
}

/// Past a few hundred segments /proc is read on a second thread while the
/// first parses (procfs_shm::read_file_table), and past 2048 the shmctl
/// walk splits its indexes between two threads (sysv::stat_walk): both
/// must give the rows the kernel's text has, every one, in its order.
#[test]
fn a_large_table_read_on_two_threads_has_the_rows_proc_has() {
    let ns = Ns::new();
    let ids: Vec<i32> = (0..2100)
        .map(|i| ns.make(0x5000 + i, 4096 * (1 + i as u64 % 3), 0o600))
        .collect();
    for &id in ids.iter().step_by(50) {
        Attachment::read_write(id, Default::default())
            .unwrap()
            .fill(0, 4096, 7)
            .unwrap();
    }
    let fields = "shmid,key,bytes,rss,swap,uid,ctime";
    let listed = ns.ok(&["list", "--format", "csv", "--columns", fields]);
    let expected: String = ns
        .segments()
        .iter()
        .map(|s| {
            format!(
                "{},{},{},{},{},{},{}\n",
                s.shmid,
                s.key,
                s.size,
                s.rss.unwrap(),
                s.swap.unwrap(),
                s.uid,
                s.ctime
            )
        })
        .collect();
    assert_eq!(listed.lines().count(), 2101, "header and 2100 rows");
    assert_eq!(listed.split_once('\n').unwrap().1, expected);
    // Without rss and swap: the walk.
    let walked = ns.ok(&[
        "list",
        "--format",
        "csv",
        "--columns",
        "shmid,key,bytes,uid,ctime",
    ]);
    let expected: String = ns
        .segments()
        .iter()
        .map(|s| format!("{},{},{},{},{}\n", s.shmid, s.key, s.size, s.uid, s.ctime))
        .collect();
    assert_eq!(walked.split_once('\n').unwrap().1, expected);
    let (direct, source) = shmtool::procfs_shm::read_segments_without_usage().unwrap();
    assert_eq!(source, shmtool::procfs_shm::Source::Walk);
    assert_eq!(direct.len(), 2100);
    let resident = ns.segments().iter().filter(|s| s.rss == Some(4096)).count();
    assert_eq!(resident, 42, "the written segments' rss");
}

/// Where no second thread can be had (a process limit, a cgroup's
/// pids.max), the large-table paths do the work on one thread: the same
/// output, never a panic.
#[test]
fn without_a_second_thread_large_tables_are_read_on_one() {
    let ns = Ns::new();
    for i in 0..2100 {
        ns.make(0x6000 + i, 4096, 0o644);
    }
    let bin = env!("CARGO_BIN_EXE_shmtool");
    for args in [
        &["list"][..],
        &["list", "--format", "json"],
        &["info", "2099"],
    ] {
        let free = ns.shmtool_as_nobody().args(args).assert().success();
        // RLIMIT_NPROC 1: this very process is the one nobody may have.
        let limited = ns
            .tool("setpriv")
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .args(["prlimit", "--nproc=1", bin])
            .args(args)
            .assert()
            .success();
        assert_eq!(stderr_of(&limited), "", "{args:?}");
        let (free, limited) = (stdout_of(&free), stdout_of(&limited));
        assert!(free.lines().count() > 15, "{args:?}: {free}");
        assert_eq!(limited, free, "{args:?}");
    }
}
