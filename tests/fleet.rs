//! `--all-namespaces` and `--format prometheus`: containers simulated with
//! processes in IPC and mount namespaces of their own, placed in cgroups
//! named as Docker, containerd and Kubernetes name them. `-A` sees the whole
//! host, so every case runs in a private pid namespace with its own /proc
//! (`unshare --pid --fork --mount-proc`): it sees only its own processes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command as StdCommand;

use common::{Json, Ns};

const DOCKER: &str = "d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d";
const CONTAINERD: &str = "c0a7a1de0c0a7a1de0c0a7a1de0c0a7a1de0c0a7a1de0c0a7a1de0c0a7a1de0";
const V1_DOCKER: &str = "11d0c4e511d0c4e511d0c4e511d0c4e511d0c4e511d0c4e511d0c4e511d0c4e5";
const POD_UID: &str = "1a2b3c4d-0000-4e5f-8a9b-001122334455";

/// A shell script, run in a private pid namespace with its own /proc,
/// that starts the simulated containers (each in IPC and mount namespaces
/// of its own, in cgroups it makes), prints what /proc says about every
/// process (`PROC pid ipc-inode`) and each namespace's /proc/sysvipc/shm
/// (`SHM nspid` then the text), runs `$@` with shmtool as $B, and removes
/// the cgroups again.
fn fleet_script(body: &str) -> String {
    let tag = format!("shmtool-test-{}", std::process::id());
    let pod = POD_UID.replace('-', "_");
    format!(
        r#"
set -u
B={bin}
U=/sys/fs/cgroup/unified/{tag}.slice
V1=/sys/fs/cgroup/systemd/{tag}
cleanup() {{
    kill $(jobs -p) 2>/dev/null; wait 2>/dev/null
    for d in "$U/docker-{DOCKER}.scope" "$U/cri-containerd-{CONTAINERD}.scope" \
             "$U/kubepods-besteffort-pod{pod}.slice/cri-containerd-{CONTAINERD}.scope" \
             "$U/kubepods-besteffort-pod{pod}.slice/cri-containerd-{V1_DOCKER}.scope" \
             "$U/kubepods-besteffort-pod{pod}.slice" "$U" \
             "$V1/docker/{V1_DOCKER}" "$V1/docker" "$V1"; do
        [ -d "$d" ] && rmdir "$d"
    done
    return 0
}}
trap cleanup EXIT
ready() {{ # PID: waits until it runs sleep, its setup done
    until [ "$(cat /proc/$1/comm 2>/dev/null)" = sleep ]; do sleep 0.02; done
}}
place() {{ # PID DIR
    mkdir -p "$2" && echo "$1" > "$2/cgroup.procs"
}}
# A container: its own IPC and mount namespaces, segments made inside.
start() {{ # SIZE...
    local sizes="$*"
    unshare --ipc --mount sh -c "for s in $sizes; do $B create --private --size \$s >/dev/null; done; echo > /dev/null; exec sleep 600" &
}}
$B create --key 0x10 --size 4096 >/dev/null
start 8192 100;  P1=$!
start 16384;     P2=$!
start 300 9000;  P3=$!
start 5000;      P4=$!
for p in $P1 $P2 $P3 $P4; do ready $p; done
place $P1 "$U/docker-{DOCKER}.scope"
place $P2 "$U/cri-containerd-{CONTAINERD}.scope"
if [ -d /sys/fs/cgroup/systemd ]; then place $P3 "$V1/docker/{V1_DOCKER}"; V1_ID={V1_DOCKER}; else V1_ID=; fi
# A Kubernetes pod: two containers sharing one IPC namespace.
place $P4 "$U/kubepods-besteffort-pod{pod}.slice/cri-containerd-{CONTAINERD}.scope"
nsenter -t $P4 -i sleep 600 & P5=$!
ready $P5
place $P5 "$U/kubepods-besteffort-pod{pod}.slice/cri-containerd-{V1_DOCKER}.scope"
echo "EXPECT $(stat -Lc %i /proc/$P1/ns/ipc) {DOCKER}"
echo "EXPECT $(stat -Lc %i /proc/$P2/ns/ipc) {CONTAINERD}"
echo "EXPECT $(stat -Lc %i /proc/$P3/ns/ipc) $V1_ID"
echo "EXPECT $(stat -Lc %i /proc/$P4/ns/ipc) {POD_UID}"
echo "EXPECT $(stat -Lc %i /proc/self/ns/ipc) "
for p in /proc/[0-9]*; do
    i=$(stat -Lc %i $p/ns/ipc 2>/dev/null) && echo "PROC ${{p#/proc/}} $i"
done
for p in 1 $P1 $P2 $P3 $P4; do
    echo "SHM $(stat -Lc %i /proc/$p/ns/ipc)"
    nsenter -t $p -i cat /proc/sysvipc/shm | sed 's/^/| /'
done
{body}
"#,
        bin = env!("CARGO_BIN_EXE_shmtool"),
    )
}

/// What the script printed.
#[derive(Debug, Default)]
struct Fleet {
    /// IPC namespace inode → expected container ("" for none).
    expect: BTreeMap<u64, String>,
    /// IPC namespace inode → pids in it.
    procs: BTreeMap<u64, BTreeSet<i32>>,
    /// IPC namespace inode → its /proc/sysvipc/shm.
    shm: BTreeMap<u64, Vec<shmtool::Segment>>,
    /// Everything else, in order.
    out: Vec<String>,
}

fn run_fleet(ns: &Ns, body: &str) -> Fleet {
    let _ = ns;
    let out = StdCommand::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "bash", "-c"])
        .arg(fleet_script(body))
        .output()
        .expect("unshare");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let mut fleet = Fleet::default();
    let mut shm: Option<(u64, String)> = None;
    let flush = |shm: &mut Option<(u64, String)>, fleet: &mut Fleet| {
        if let Some((inode, text)) = shm.take() {
            fleet
                .shm
                .insert(inode, shmtool::procfs_shm::parse(&text).unwrap());
        }
    };
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("| ") {
            shm.as_mut().unwrap().1.push_str(&format!("{rest}\n"));
            continue;
        }
        flush(&mut shm, &mut fleet);
        let words: Vec<&str> = line.split(' ').collect();
        match words[0] {
            "EXPECT" => {
                fleet
                    .expect
                    .insert(words[1].parse().unwrap(), words[2].to_owned());
            }
            "PROC" => {
                fleet
                    .procs
                    .entry(words[2].parse().unwrap())
                    .or_default()
                    .insert(words[1].parse().unwrap());
            }
            "SHM" => shm = Some((words[1].parse().unwrap(), String::new())),
            _ => fleet.out.push(line.to_owned()),
        }
    }
    flush(&mut shm, &mut fleet);
    fleet
}

/// The JSON arrays the body printed, one per line that starts with `[`.
fn json_lists(fleet: &Fleet) -> Vec<Vec<Json>> {
    let text = fleet.out.join("\n");
    let mut lists = Vec::new();
    let mut de = serde_json::Deserializer::from_str(&text).into_iter::<Json>();
    while let Some(Ok(Json::Array(list))) = de.next() {
        lists.push(list);
    }
    lists
}

fn check_rows(fleet: &Fleet, rows: &[Json]) {
    for row in rows {
        let inode = row["ns"].as_u64().unwrap();
        let pids = &fleet.procs[&inode];
        assert_eq!(
            row["nspid"].as_i64().unwrap(),
            i64::from(*pids.first().unwrap()),
            "nspid is the lowest pid in ns {inode}: {row}"
        );
        let want = &fleet.expect[&inode];
        let got = row["container"].as_str().unwrap_or("");
        assert_eq!(got, want, "container of ns {inode}: {row}");
        let seg = fleet.shm[&inode]
            .iter()
            .find(|s| i64::from(s.shmid) == row["shmid"].as_i64().unwrap())
            .unwrap_or_else(|| panic!("{row} is in /proc/sysvipc/shm of ns {inode}"));
        assert_eq!(row["bytes"].as_u64().unwrap(), seg.size, "{row}");
        assert_eq!(row["cpid"].as_i64().unwrap(), i64::from(seg.cpid), "{row}");
    }
}

fn all_segments(fleet: &Fleet) -> BTreeSet<(u64, i64, u64)> {
    fleet
        .shm
        .iter()
        .flat_map(|(inode, segs)| {
            segs.iter()
                .map(move |s| (*inode, i64::from(s.shmid), s.size))
        })
        .collect()
}

fn row_set(rows: &[Json]) -> BTreeSet<(u64, i64, u64)> {
    rows.iter()
        .map(|r| {
            (
                r["ns"].as_u64().unwrap(),
                r["shmid"].as_i64().unwrap(),
                r["bytes"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn list_all_namespaces_matches_proc_and_names_the_containers() {
    let ns = Ns::new();
    let fleet = run_fleet(&ns, "$B list -A --format json");
    let lists = json_lists(&fleet);
    let rows = &lists[0];
    // Every namespace's segments, and nothing else.
    assert_eq!(row_set(rows), all_segments(&fleet));
    assert_eq!(all_segments(&fleet).len(), 7);
    check_rows(&fleet, rows);
    // The pod's two processes share one namespace: listed once, with the pod uid.
    let pod_rows: Vec<_> = rows.iter().filter(|r| r["container"] == POD_UID).collect();
    assert_eq!(pod_rows.len(), 1);
}

#[test]
fn table_shows_twelve_characters_of_a_container_id() {
    let ns = Ns::new();
    let fleet = run_fleet(&ns, "$B list -A --columns container,bytes --sort bytes");
    let text = fleet.out.join("\n");
    assert!(text.contains(&format!("{}  ", &DOCKER[..12])), "{text}");
    assert!(!text.contains(DOCKER), "{text}");
}

#[test]
fn remove_across_namespaces_removes_exactly_the_selected_segments() {
    let ns = Ns::new();
    let fleet = run_fleet(
        &ns,
        "$B remove -A --larger-than 4999 --dry-run --json; $B remove -A --larger-than 4999 >/dev/null 2>&1; $B list -A --format json",
    );
    let lists = json_lists(&fleet);
    let (dry, after) = (&lists[0], &lists[1]);
    let before = all_segments(&fleet);
    let selected: BTreeSet<_> = before.iter().filter(|s| s.2 > 4999).copied().collect();
    assert_eq!(selected.len(), 4);
    assert_eq!(row_set(dry), selected, "the dry run shows the selection");
    check_rows(&fleet, dry);
    let left: BTreeSet<_> = before.difference(&selected).copied().collect();
    assert_eq!(
        row_set(after),
        left,
        "exactly the selected segments are gone"
    );
}

#[test]
fn prometheus_passes_promtool_and_parses_to_the_proc_values() {
    let ns = Ns::new();
    let fleet = run_fleet(&ns, "$B list -A --format prometheus");
    let text = fleet.out.join("\n") + "\n";
    // promtool: the linter Prometheus ships.
    let promtool = std::env::var("PROMTOOL").unwrap_or_else(|_| "promtool".into());
    let mut child = StdCommand::new(&promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{promtool}: {e}: .ci/run extracts promtool from Debian's prometheus package; set PROMTOOL")
        });
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // prometheus_client's parser, its samples printed as JSON lines.
    let py = r#"
import sys, json
from prometheus_client.parser import text_string_to_metric_families
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        print(json.dumps([fam.name, fam.type, s.name, s.labels, s.value, s.timestamp]))
"#;
    let mut child = StdCommand::new("python3")
        .args(["-c", py])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "prometheus_client parses it");
    let samples: Vec<Json> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let value = |name: &str, inode: u64, id: i32| -> Option<f64> {
        samples.iter().find_map(|s| {
            (s[2] == name
                && s[3]["ns"] == inode.to_string().as_str()
                && s[3]["id"] == id.to_string().as_str())
            .then(|| s[4].as_f64().unwrap())
        })
    };
    let mut count = 0;
    for (inode, segs) in &fleet.shm {
        for seg in segs {
            count += 1;
            assert_eq!(
                value("shmtool_segment_bytes", *inode, seg.shmid),
                Some(seg.size as f64)
            );
            assert_eq!(
                value("shmtool_segment_attached", *inode, seg.shmid),
                Some(seg.nattch as f64)
            );
            assert_eq!(
                value(
                    "shmtool_segment_changed_timestamp_seconds",
                    *inode,
                    seg.shmid
                ),
                Some(seg.ctime as f64)
            );
            assert_eq!(
                value("shmtool_segment_resident_bytes", *inode, seg.shmid),
                seg.rss.map(|r| r as f64)
            );
        }
        let ns_value = |name: &str| {
            samples.iter().find_map(|s| {
                (s[2] == name && s[3]["ns"] == inode.to_string().as_str())
                    .then(|| s[4].as_f64().unwrap())
            })
        };
        assert_eq!(
            ns_value("shmtool_namespace_segments"),
            Some(segs.len() as f64)
        );
        let bytes: u64 = segs.iter().map(|s| s.size).sum();
        assert_eq!(ns_value("shmtool_namespace_bytes"), Some(bytes as f64));
        let shmmni: f64 = std::fs::read_to_string("/proc/sys/kernel/shmmni")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(ns_value("shmtool_namespace_segments_limit"), Some(shmmni));
        let container = samples
            .iter()
            .find(|s| {
                s[2] == "shmtool_namespace_segments" && s[3]["ns"] == inode.to_string().as_str()
            })
            .map(|s| s[3]["container"].as_str().unwrap_or("").to_owned());
        assert_eq!(container.as_deref(), Some(&*fleet.expect[inode]));
    }
    assert_eq!(count, 7);
    assert!(samples.iter().all(|s| s[5].is_null()), "no timestamps");
    // One HELP and one TYPE per family.
    let helps: Vec<&str> = text.lines().filter(|l| l.starts_with("# HELP ")).collect();
    let unique: BTreeSet<_> = helps.iter().collect();
    assert_eq!(helps.len(), unique.len());
}

#[test]
fn all_namespaces_with_ns_is_a_usage_error() {
    let ns = Ns::new();
    ns.fails(2, &["--ns", "1", "list", "-A"]);
    ns.fails(2, &["remove", "-A", "--all"]);
    ns.fails(2, &["remove", "-A", "0"]);
    ns.fails(2, &["list", "--columns", "ns"]);
}

#[test]
fn output_atomic_writes_mode_0644_by_rename_and_replaces_a_symlink_not_its_target() {
    use std::os::unix::fs::PermissionsExt;
    let ns = Ns::new();
    ns.make(0x77, 4096, 0o600);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("victim");
    std::fs::write(&target, "keep").unwrap();
    let prom = dir.path().join("shmtool.prom");
    std::os::unix::fs::symlink(&target, &prom).unwrap();
    ns.ok(&[
        "list",
        "--format",
        "prometheus",
        "--output-atomic",
        prom.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    let meta = std::fs::symlink_metadata(&prom).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(meta.permissions().mode() & 0o777, 0o644);
    let text = std::fs::read_to_string(&prom).unwrap();
    assert!(
        text.contains(
            "shmtool_segment_bytes{kind=\"sysv\",id=\"0\",key=\"0x00000077\",owner=\"root\"} 4096\n"
        ),
        "{text}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temp file left: {names:?}");
}
