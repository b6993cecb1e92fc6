//! `--all-namespaces` and `--format prometheus`: containers simulated with
//! processes in IPC and mount namespaces of their own, placed in cgroups
//! named and placed as Docker, Podman and Kubernetes place them. `-A` sees
//! the whole host, so every case runs in a private pid namespace with its
//! own /proc (`unshare --pid --fork --mount-proc`): it sees only its own
//! processes; and in a cgroup namespace of its own rooted at a test cgroup,
//! so `/system.slice/docker-ID.scope` (what a reader there sees) is made
//! under that cgroup, never in the host's real `system.slice`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command as StdCommand;

use common::{Json, Ns};

const DOCKER: &str = "d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d0c0e71d";
const PODMAN: &str = "90d3a090d3a090d3a090d3a090d3a090d3a090d3a090d3a090d3a090d3a090d3";
const CONTAINERD: &str = "c0a7a1de0c0a7a1de0c0a7a1de0c0a7a1de0c0a7a1de0c0a7a1de0c0a7a1de0";
const V1_DOCKER: &str = "11d0c4e511d0c4e511d0c4e511d0c4e511d0c4e511d0c4e511d0c4e511d0c4e5";
const ROOTLESS: &str = "4007e55d4007e55d4007e55d4007e55d4007e55d4007e55d4007e55d4007e55d";
const POD_UID: &str = "1a2b3c4d-0000-4e5f-8a9b-001122334455";
/// uid 65534's delegated cgroup subtree, below the test's cgroup namespace root.
const USER_SUBTREE: &str = "/user.slice/user-65534.slice/user@65534.service";

/// A number for each script's cgroups: tests run in parallel, and one's
/// cleanup must not remove a cgroup another is placing processes in.
fn next_tag() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Runs `inner` (a bash script) in a private pid namespace with its own
/// /proc (and with `mount`, a private mount namespace), in a cgroup
/// namespace rooted at a cgroup of its own (`$U` in cgroup v2, `$V1` in
/// v1's name=systemd where mounted): a process it places in
/// `$U/system.slice/docker-ID.scope` shows there as
/// `0::/system.slice/docker-ID.scope`. Removes the cgroups afterwards.
fn run_in_cgroup_namespace(inner: &str, mount: bool) -> std::process::Output {
    let tag = format!("shmtool-test-{}-{}", std::process::id(), next_tag());
    let outer = format!(
        r#"
set -u
export U=/sys/fs/cgroup/unified/{tag}.slice V1=/sys/fs/cgroup/systemd/{tag}
[ -d /sys/fs/cgroup/systemd ] || V1=
mkdir "$U" && {{ [ -z "$V1" ] || mkdir "$V1"; }} || exit 1
bash -c 'echo $$ > "$U/cgroup.procs" && {{ [ -z "$V1" ] || echo $$ > "$V1/cgroup.procs"; }} && exec unshare --cgroup bash -c "$FLEET_INNER"'
rc=$?
# The script killed what it started; its cgroups go, deepest first.
find "$U" ${{V1:+"$V1"}} -depth -type d -exec rmdir {{}} \;
exit $rc
"#
    );
    let mut args = vec!["--pid", "--fork", "--mount-proc"];
    if mount {
        args.push("--mount");
    }
    StdCommand::new("unshare")
        .args(args)
        .args(["bash", "-c", &outer])
        .env("FLEET_INNER", inner)
        .output()
        .expect("unshare")
}

/// A shell script, run by [`run_in_cgroup_namespace`], that starts the
/// simulated containers (each in IPC and mount namespaces of its own, in
/// cgroups it makes: root's at the runtimes' places, uid 65534's in its
/// delegated subtree, one root process off every runtime's place), prints
/// what /proc says about every process (`PROC pid ipc-inode`), the container
/// and container_uid each namespace should show (`EXPECT inode id uid`), and
/// each namespace's /proc/sysvipc/shm (`SHM nspid` then the text), then runs
/// `$@` with shmtool as $B.
fn fleet_script(body: &str) -> String {
    let pod = POD_UID.replace('-', "_");
    let kube =
        format!("$U/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{pod}.slice");
    format!(
        r#"
set -u
B={bin}
cleanup() {{
    kill $(jobs -p) 2>/dev/null; wait 2>/dev/null
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
# uid 65534's delegated subtree, as systemd makes user@.service (Delegate=yes).
S="$U{USER_SUBTREE}"
mkdir -p "$S" && chown 65534:65534 "$S" "$S/cgroup.procs" "$S/cgroup.threads" "$S/cgroup.subtree_control"
# uid 65534 in user and IPC namespaces of its own: makes a segment, then
# a cgroup DIR of its subtree, named as it likes, and moves itself there.
ATTACK='"$0" create --private --size "$1" >/dev/null; mkdir -p "$2" && echo $$ > "$2/cgroup.procs"; exec sleep 600'
forge() {{ # SIZE DIR
    sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$S" \
        setpriv --reuid 65534 --regid 65534 --clear-groups unshare -Ur --ipc sh -c "$ATTACK" "$B" "$1" "$S/$2" &
}}
$B create --key 0x10 --size 4096 >/dev/null
start 8192 100;  P1=$!
start 16384;     P2=$!
start 300 9000;  P3=$!
start 5000;      P4=$!
start 1000;      P6=$!
# The victim's id in a cgroup of the user's own; a pod's slice there; rootless Docker's place.
forge 700 "docker-{DOCKER}.scope"; A1=$!
forge 800 "user.slice/docker-{ROOTLESS}.scope"; A2=$!
forge 900 "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{pod}.slice/cri-containerd-{CONTAINERD}.scope"; A3=$!
for p in $P1 $P2 $P3 $P4 $P6 $A1 $A2 $A3; do ready $p; done
place $P1 "$U/system.slice/docker-{DOCKER}.scope"
place $P2 "$U/machine.slice/libpod-{PODMAN}.scope"
if [ -n "$V1" ]; then place $P3 "$V1/docker/{V1_DOCKER}"; V1_ID={V1_DOCKER}; else V1_ID=; fi
# A Kubernetes pod: two containers sharing one IPC namespace.
place $P4 "{kube}/cri-containerd-{CONTAINERD}.scope"
nsenter -t $P4 -i sleep 600 & P5=$!
ready $P5
place $P5 "{kube}/cri-containerd-{V1_DOCKER}.scope"
# Root's, but off every runtime's place: a runtime's name below another cgroup.
place $P6 "$U/test.slice/docker-{DOCKER}.scope"
echo "EXPECT $(stat -Lc %i /proc/$P1/ns/ipc) {DOCKER}"
echo "EXPECT $(stat -Lc %i /proc/$P2/ns/ipc) {PODMAN}"
echo "EXPECT $(stat -Lc %i /proc/$P3/ns/ipc) $V1_ID"
echo "EXPECT $(stat -Lc %i /proc/$P4/ns/ipc) {POD_UID}"
echo "EXPECT $(stat -Lc %i /proc/$P6/ns/ipc) "
echo "EXPECT $(stat -Lc %i /proc/$A1/ns/ipc) "
echo "EXPECT $(stat -Lc %i /proc/$A2/ns/ipc) {ROOTLESS} 65534"
echo "EXPECT $(stat -Lc %i /proc/$A3/ns/ipc) "
echo "EXPECT $(stat -Lc %i /proc/self/ns/ipc) "
for p in /proc/[0-9]*; do
    i=$(stat -Lc %i $p/ns/ipc 2>/dev/null) && echo "PROC ${{p#/proc/}} $i"
done
for p in 1 $P1 $P2 $P3 $P4 $P6 $A1 $A2 $A3; do
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
    /// IPC namespace inode → expected container_uid ("" for none).
    expect_uid: BTreeMap<u64, String>,
    /// IPC namespace inode → pids in it.
    procs: BTreeMap<u64, BTreeSet<i32>>,
    /// IPC namespace inode → its /proc/sysvipc/shm.
    shm: BTreeMap<u64, Vec<shmtool::Segment>>,
    /// Everything else, in order.
    out: Vec<String>,
}

fn run_fleet(ns: &Ns, body: &str) -> Fleet {
    let _ = ns;
    let out = run_in_cgroup_namespace(&fleet_script(body), false);
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
                let inode = words[1].parse().unwrap();
                fleet.expect.insert(inode, words[2].to_owned());
                let uid = words.get(3).unwrap_or(&"");
                fleet.expect_uid.insert(inode, uid.to_string());
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
        let got = row["container_uid"]
            .as_u64()
            .map_or(String::new(), |u| u.to_string());
        assert_eq!(
            got, fleet.expect_uid[&inode],
            "container_uid of ns {inode}: {row}"
        );
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
    assert_eq!(all_segments(&fleet).len(), 11);
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
fn a_container_id_is_believed_only_where_a_runtime_puts_it() {
    let ns = Ns::new();
    let fleet = run_fleet(
        &ns,
        "$B list -A --columns container,bytes --sort bytes; echo '# JSON'
         $B list -A --format json; $B remove -A --owner 65534 --json",
    );
    let split = fleet.out.iter().position(|l| l == "# JSON").unwrap();
    let lists = json_lists_of(&fleet.out[split + 1..]);
    let rows = &lists[0];
    let by_size = |bytes: u64| rows.iter().find(|r| r["bytes"] == bytes).unwrap();
    // uid 65534 named a cgroup of its delegated subtree after root's Docker
    // container: not a container, and the raw path says where it is.
    let forged = by_size(700);
    assert!(forged["container"].is_null(), "{forged}");
    assert!(forged["container_uid"].is_null(), "{forged}");
    assert_eq!(
        forged["cgroup"],
        format!("{USER_SUBTREE}/docker-{DOCKER}.scope")
    );
    // Root's Docker container: its id, no user, the cgroup it was found in.
    let victim = by_size(8192);
    assert_eq!(victim["container"], DOCKER, "{victim}");
    assert!(victim["container_uid"].is_null(), "{victim}");
    assert_eq!(
        victim["cgroup"],
        format!("/system.slice/docker-{DOCKER}.scope")
    );
    // A pod's slice in the user's subtree: not the pod.
    assert!(by_size(900)["container"].is_null(), "{}", by_size(900));
    // Root's process below another cgroup: not a container either.
    assert!(by_size(1000)["container"].is_null(), "{}", by_size(1000));
    // Where rootless Docker puts one: uid 65534's container, said so.
    let rootless = by_size(800);
    assert_eq!(rootless["container"], ROOTLESS, "{rootless}");
    assert_eq!(rootless["container_uid"], 65534, "{rootless}");
    // Only the victim's namespace (two segments) carries its id, only the pod's its uid.
    assert_eq!(rows.iter().filter(|r| r["container"] == DOCKER).count(), 2);
    assert_eq!(rows.iter().filter(|r| r["container"] == POD_UID).count(), 1);
    // Tables say whose a user's container is.
    let text = fleet.out[..split].join("\n");
    assert!(
        text.contains(&format!("{} (uid 65534)", &ROOTLESS[..12])),
        "{text}"
    );
    // remove -A --json says the same of what it removed (the user's three).
    let removed = &lists[1];
    assert_eq!(removed.len(), 3, "{removed:?}");
    for r in removed {
        let inode = r["ns"].as_u64().unwrap();
        let row = rows.iter().find(|row| row["ns"] == inode).unwrap();
        for key in ["container", "container_uid", "cgroup"] {
            assert_eq!(r[key], row[key], "{key}: {r} {row}");
        }
    }
    check_rows(&fleet, rows);
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
    let samples = check_and_parse_metrics(&text);
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
        let labels = samples
            .iter()
            .find(|s| {
                s[2] == "shmtool_namespace_segments" && s[3]["ns"] == inode.to_string().as_str()
            })
            .map(|s| s[3].clone())
            .unwrap();
        let label = |name: &str| labels[name].as_str().unwrap_or("").to_owned();
        assert_eq!(label("container"), fleet.expect[inode], "{labels}");
        assert_eq!(label("container_uid"), fleet.expect_uid[inode], "{labels}");
    }
    assert_eq!(count, 11);
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
    ns.fails(2, &["list", "--kind", "posix", "--columns", "mntns,name"]);
    ns.fails(2, &["list", "--kind", "posix", "--sort", "devshm"]);
    ns.fails(2, &["remove", "-A", "--name", "x", "--orphaned"]);
    ns.fails(2, &["remove", "-A", "--kind", "posix", "--all"]);
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

/// A shell script like [`fleet_script`] for POSIX objects: in a private pid
/// namespace, with a tmpfs of its own on /dev/shm (the host's is never
/// seen), containers each with IPC and mount namespaces and a tmpfs of their
/// own on /dev/shm, in cgroups it makes; one more shares the outer /dev/shm
/// (the same device: listed once). It prints what /proc and stat(1) say:
/// `PROC pid mntns devshm` (major:minor of /proc/PID/root/dev/shm),
/// `EXPECT devshm container`, `OBJ devshm name inode size blocks ctime`,
/// `FS devshm blocks free fragment`, `USE pid major:minor inode` for each
/// descriptor and `MAP pid hexmajor:hexminor inode` for each mapping, then
/// runs `$@` with shmtool as $B.
fn posix_fleet_script(body: &str) -> String {
    let pod = POD_UID.replace('-', "_");
    let kube =
        format!("$U/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{pod}.slice");
    format!(
        r#"
set -u
B={bin}
mount --make-rprivate /
mount -t tmpfs -o size=8m tmpfs /dev/shm
cleanup() {{
    kill $(jobs -p) 2>/dev/null; wait 2>/dev/null
    return 0
}}
trap cleanup EXIT
ready() {{ until [ "$(cat /proc/$1/comm 2>/dev/null)" = sleep ]; do sleep 0.02; done; }}
place() {{ mkdir -p "$2" && echo "$1" > "$2/cgroup.procs"; }}
# A container: IPC and mount namespaces and a /dev/shm of its own; SETUP runs inside.
start() {{ # SETUP
    unshare --ipc --mount sh -c "mount -t tmpfs -o size=2m tmpfs /dev/shm && $1; exec sleep 600" &
}}
$B create --key 0x10 --size 4096 >/dev/null
$B create --name host-used --size 4096 >/dev/null
$B create --name host-free --size 300 >/dev/null
sh -c 'exec 3</dev/shm/host-used; exec sleep 600' & H=$!
start "$B create --name c1-held --size 8192 >/dev/null && $B create --name c1-mapped --size 100 >/dev/null && exec 3<>/dev/shm/c1-held"; P1=$!
start "$B create --name c2 --size 16384 >/dev/null && $B attach-write --name c2 --data abc >/dev/null"; P2=$!
start "$B create --name pod-big --size 5000 >/dev/null && $B create --name pod-small --size 50 >/dev/null"; P3=$!
# Shares the outer /dev/shm: the same device, so not listed again.
unshare --ipc --mount sleep 600 & P4=$!
for p in $H $P1 $P2 $P3 $P4; do ready $p; done
nsenter -t $P1 -m python3 -c '
import mmap, os, time
fd = os.open("/dev/shm/c1-mapped", os.O_RDWR)
m = mmap.mmap(fd, 100)
os.close(fd)
open("/proc/self/comm", "w").write("sleep")  # ready: mapped, descriptor closed
time.sleep(600)' & P1B=$!
ready $P1B
place $P1 "$U/system.slice/docker-{DOCKER}.scope"
place $P2 "$U/machine.slice/libpod-{PODMAN}.scope"
place $P3 "{kube}/cri-containerd-{CONTAINERD}.scope"
nsenter -t $P3 -i -m sleep 600 & P5=$!
ready $P5
place $P5 "{kube}/cri-containerd-{V1_DOCKER}.scope"
dev() {{ stat -Lc '%Hd:%Ld' /proc/$1/root/dev/shm; }}
echo "EXPECT $(dev 1) "
echo "EXPECT $(dev $P1) {DOCKER}"
echo "EXPECT $(dev $P2) {PODMAN}"
echo "EXPECT $(dev $P3) {POD_UID}"
for p in /proc/[0-9]*; do
    pid=${{p#/proc/}}
    m=$(stat -Lc %i $p/ns/mnt 2>/dev/null) && d=$(dev $pid 2>/dev/null) && echo "PROC $pid $m $d"
    for f in $p/fd/*; do
        echo "USE $pid $(stat -Lc '%Hd:%Ld %i' $f 2>/dev/null)"
    done
    awk -v pid=$pid '$5 != 0 {{ print "MAP", pid, $4, $5 }}' $p/maps 2>/dev/null
done
for p in 1 $P1 $P2 $P3; do
    d=$(dev $p)
    echo "FS $d $(stat -f -Lc '%b %f %S' /proc/$p/root/dev/shm)"
    for o in /proc/$p/root/dev/shm/*; do
        echo "OBJ $d /${{o##*/}} $(stat -c '%i %s %b %Z' $o)"
    done
done
{body}
"#,
        bin = env!("CARGO_BIN_EXE_shmtool"),
    )
}

/// One object as stat(1) saw it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct PosixObj {
    devshm: String,
    name: String,
    inode: u64,
    size: u64,
    blocks: u64,
    ctime: i64,
}

/// What the POSIX script printed.
#[derive(Debug, Default)]
struct PosixFleet {
    /// devshm → expected container ("" for none).
    expect: BTreeMap<String, String>,
    /// devshm → (pid, mntns) of each process that sees it.
    procs: BTreeMap<String, BTreeSet<(i32, u64)>>,
    /// (devshm, inode) → pids that hold or map it.
    users: BTreeMap<(String, u64), BTreeSet<i32>>,
    objects: BTreeSet<PosixObj>,
    /// devshm → (blocks, free, fragment size) from statfs.
    fs: BTreeMap<String, (u64, u64, u64)>,
    out: Vec<String>,
}

impl PosixFleet {
    fn nattch(&self, obj: &PosixObj) -> u64 {
        self.users
            .get(&(obj.devshm.clone(), obj.inode))
            .map_or(0, |p| p.len() as u64)
    }
}

fn run_posix_fleet(ns: &Ns, body: &str) -> PosixFleet {
    let _ = ns;
    let out = run_in_cgroup_namespace(&posix_fleet_script(body), true);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let mut fleet = PosixFleet::default();
    for line in stdout.lines() {
        let w: Vec<&str> = line.split(' ').collect();
        match w[0] {
            "EXPECT" => {
                fleet.expect.insert(w[1].into(), w[2].into());
            }
            "PROC" => {
                fleet
                    .procs
                    .entry(w[3].into())
                    .or_default()
                    .insert((w[1].parse().unwrap(), w[2].parse().unwrap()));
            }
            "USE" if w.len() == 4 => {
                fleet
                    .users
                    .entry((w[2].into(), w[3].parse().unwrap()))
                    .or_default()
                    .insert(w[1].parse().unwrap());
            }
            "USE" => {}
            "MAP" => {
                let (major, minor) = w[2].split_once(':').unwrap();
                let dev = format!(
                    "{}:{}",
                    u32::from_str_radix(major, 16).unwrap(),
                    u32::from_str_radix(minor, 16).unwrap()
                );
                fleet
                    .users
                    .entry((dev, w[3].parse().unwrap()))
                    .or_default()
                    .insert(w[1].parse().unwrap());
            }
            "FS" => {
                fleet.fs.insert(
                    w[1].into(),
                    (
                        w[2].parse().unwrap(),
                        w[3].parse().unwrap(),
                        w[4].parse().unwrap(),
                    ),
                );
            }
            "OBJ" => {
                fleet.objects.insert(PosixObj {
                    devshm: w[1].into(),
                    name: w[2].into(),
                    inode: w[3].parse().unwrap(),
                    size: w[4].parse().unwrap(),
                    blocks: w[5].parse().unwrap(),
                    ctime: w[6].parse().unwrap(),
                });
            }
            _ => fleet.out.push(line.to_owned()),
        }
    }
    fleet
}

/// Checks every POSIX row of `list -A` JSON against /proc and stat(1).
fn check_posix_rows(fleet: &PosixFleet, rows: &[Json]) {
    for row in rows.iter().filter(|r| r["kind"] == "posix") {
        let devshm = row["devshm"].as_str().unwrap();
        let (nspid, mntns) = *fleet.procs[devshm].first().unwrap();
        assert_eq!(
            row["nspid"].as_i64().unwrap(),
            i64::from(nspid),
            "nspid: {row}"
        );
        assert_eq!(row["mntns"].as_u64().unwrap(), mntns, "mntns: {row}");
        assert_eq!(
            row["container"].as_str().unwrap_or(""),
            fleet.expect[devshm],
            "container: {row}"
        );
        let obj = fleet
            .objects
            .iter()
            .find(|o| o.devshm == devshm && o.name == row["name"].as_str().unwrap())
            .unwrap_or_else(|| panic!("{row} is in its /dev/shm"));
        assert_eq!(row["bytes"].as_u64().unwrap(), obj.size, "{row}");
        assert_eq!(
            row["allocated"].as_u64().unwrap(),
            obj.blocks * 512,
            "{row}"
        );
        assert_eq!(
            row["nattch"].as_u64().unwrap(),
            fleet.nattch(obj),
            "nattch: {row}"
        );
    }
}

fn posix_row_set(rows: &[Json]) -> BTreeSet<(String, String)> {
    let set: BTreeSet<_> = rows
        .iter()
        .filter(|r| r["kind"] == "posix")
        .map(|r| {
            (
                r["devshm"].as_str().unwrap().to_owned(),
                r["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let count = rows.iter().filter(|r| r["kind"] == "posix").count();
    assert_eq!(set.len(), count, "no object listed twice: {rows:?}");
    set
}

fn posix_objects(fleet: &PosixFleet) -> BTreeSet<(String, String)> {
    fleet
        .objects
        .iter()
        .map(|o| (o.devshm.clone(), o.name.clone()))
        .collect()
}

fn json_lists_of(out: &[String]) -> Vec<Vec<Json>> {
    let text = out.join("\n");
    let mut lists = Vec::new();
    let mut de = serde_json::Deserializer::from_str(&text).into_iter::<Json>();
    while let Some(Ok(Json::Array(list))) = de.next() {
        lists.push(list);
    }
    lists
}

#[test]
fn list_all_namespaces_posix_matches_proc_and_each_devshm_once() {
    let ns = Ns::new();
    let fleet = run_posix_fleet(
        &ns,
        "$B list -A --kind posix --format json; $B list -A --kind all --format json",
    );
    let lists = json_lists_of(&fleet.out);
    // Four /dev/shm (the outer one shared by a fifth namespace), seven objects.
    assert_eq!(fleet.fs.len(), 4);
    assert_eq!(posix_objects(&fleet).len(), 7);
    for rows in &lists {
        assert_eq!(posix_row_set(rows), posix_objects(&fleet));
        check_posix_rows(&fleet, rows);
    }
    // Held by a descriptor, mapped by another process of its namespace, unused.
    let nattch = |name: &str| {
        lists[0]
            .iter()
            .find(|r| r["name"] == name)
            .map(|r| r["nattch"].as_u64().unwrap())
    };
    assert_eq!(nattch("/c1-held"), Some(1));
    assert_eq!(nattch("/c1-mapped"), Some(1));
    assert_eq!(nattch("/host-used"), Some(1));
    assert_eq!(nattch("/c2"), Some(0));
    // --kind all has the System V segment too, with its ns.
    let sysv: Vec<_> = lists[1].iter().filter(|r| r["kind"] == "sysv").collect();
    assert_eq!(sysv.len(), 1, "{:?}", lists[1]);
    assert!(sysv[0]["ns"].as_u64().is_some() && sysv[0]["mntns"].is_null());
}

#[test]
fn remove_across_namespaces_removes_exactly_the_selected_objects() {
    let ns = Ns::new();
    let fleet = run_posix_fleet(
        &ns,
        "$B remove -A --kind posix --unattached --larger-than 200 --dry-run --json
         $B remove -A --kind posix --unattached --larger-than 200 >/dev/null 2>&1
         $B list -A --kind all --format json",
    );
    let lists = json_lists_of(&fleet.out);
    let (dry, after) = (&lists[0], &lists[1]);
    let selected: BTreeSet<_> = fleet
        .objects
        .iter()
        .filter(|o| o.size > 200 && fleet.nattch(o) == 0)
        .map(|o| (o.devshm.clone(), o.name.clone()))
        .collect();
    let names: BTreeSet<_> = selected.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["/host-free", "/c2", "/pod-big"]));
    assert_eq!(
        posix_row_set(dry),
        selected,
        "the dry run shows the selection"
    );
    check_posix_rows(&fleet, dry);
    let left: BTreeSet<_> = posix_objects(&fleet)
        .difference(&selected)
        .cloned()
        .collect();
    assert_eq!(
        posix_row_set(after),
        left,
        "exactly the selected objects are gone"
    );
    // --kind posix leaves System V segments alone.
    assert_eq!(after.iter().filter(|r| r["kind"] == "sysv").count(), 1);
}

/// Runs promtool check metrics and prometheus_client's parser on `text`:
/// each sample as [family, type, name, labels, value, timestamp].
fn check_and_parse_metrics(text: &str) -> Vec<Json> {
    use std::io::Write;
    use std::process::Stdio;
    common::provision("promtool");
    common::provision("prometheus_client");
    let promtool = std::env::var("PROMTOOL").unwrap_or_else(|_| "promtool".into());
    let mut child = StdCommand::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{promtool}: {e}: set PROMTOOL"));
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
    let py = r#"
import sys, json
from prometheus_client.parser import text_string_to_metric_families
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        print(json.dumps([fam.name, fam.type, s.name, s.labels, s.value, s.timestamp]))
"#;
    let mut child = StdCommand::new("python3")
        .args(["-c", py])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
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
    let helps: Vec<&str> = text.lines().filter(|l| l.starts_with("# HELP ")).collect();
    let unique: BTreeSet<_> = helps.iter().collect();
    assert_eq!(helps.len(), unique.len(), "one HELP per family");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn prometheus_posix_samples_pass_promtool_and_equal_stat() {
    let ns = Ns::new();
    let fleet = run_posix_fleet(
        &ns,
        "$B list -A --kind all --format prometheus; echo '# LOCAL'; $B list --kind posix --format prometheus",
    );
    let split = fleet.out.iter().position(|l| l == "# LOCAL").unwrap();
    let fleet_text = fleet.out[..split].join("\n") + "\n";
    let local_text = fleet.out[split + 1..].join("\n") + "\n";
    let samples = check_and_parse_metrics(&fleet_text);
    let value = |name: &str, obj: &PosixObj| -> Option<f64> {
        let found: Vec<f64> = samples
            .iter()
            .filter(|s| {
                s[2] == name
                    && s[3]["kind"] == "posix"
                    && s[3]["id"] == obj.name.as_str()
                    && s[3]["devshm"] == obj.devshm.as_str()
                    && s[3]["inode"] == obj.inode.to_string().as_str()
            })
            .map(|s| s[4].as_f64().unwrap())
            .collect();
        assert!(found.len() <= 1, "{name} of {obj:?} once");
        found.first().copied()
    };
    for obj in &fleet.objects {
        let nattch = fleet.nattch(obj);
        assert_eq!(value("shmtool_segment_bytes", obj), Some(obj.size as f64));
        assert_eq!(
            value("shmtool_segment_resident_bytes", obj),
            Some((obj.blocks * 512) as f64)
        );
        assert_eq!(value("shmtool_segment_attached", obj), Some(nattch as f64));
        assert_eq!(
            value("shmtool_segment_changed_timestamp_seconds", obj),
            Some(obj.ctime as f64)
        );
        assert_eq!(
            value("shmtool_segment_orphaned", obj),
            Some(if nattch == 0 { 1.0 } else { 0.0 }),
            "{obj:?}"
        );
        let labels = samples
            .iter()
            .find(|s| s[2] == "shmtool_segment_bytes" && s[3]["id"] == obj.name.as_str())
            .map(|s| s[3].clone())
            .unwrap();
        let (_, mntns) = *fleet.procs[&obj.devshm].first().unwrap();
        assert_eq!(labels["mntns"], mntns.to_string().as_str());
        assert_eq!(labels["container"], fleet.expect[&obj.devshm].as_str());
        assert_eq!(labels["owner"], "root");
    }
    // Every /dev/shm's size and use, as statfs says.
    for (devshm, (blocks, free, frag)) in &fleet.fs {
        let per = |name: &str| {
            samples
                .iter()
                .filter(|s| s[2] == name && s[3]["devshm"] == devshm.as_str())
                .map(|s| s[4].as_f64().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(per("shmtool_devshm_size_bytes"), [(blocks * frag) as f64]);
        assert_eq!(
            per("shmtool_devshm_used_bytes"),
            [((blocks - free) * frag) as f64]
        );
        let objects = fleet.objects.iter().filter(|o| &o.devshm == devshm);
        assert_eq!(
            per("shmtool_devshm_objects"),
            [objects.clone().count() as f64]
        );
        assert_eq!(
            per("shmtool_devshm_orphaned_objects"),
            [objects.filter(|o| fleet.nattch(o) == 0).count() as f64]
        );
    }
    // The System V segment is there too, by its ns.
    assert!(
        samples
            .iter()
            .any(|s| s[2] == "shmtool_segment_bytes" && s[3]["kind"] == "sysv" && s[4] == 4096.0)
    );
    // Without -A: the caller's /dev/shm, no namespace labels.
    let local = check_and_parse_metrics(&local_text);
    let host: Vec<_> = local
        .iter()
        .filter(|s| s[2] == "shmtool_segment_bytes")
        .collect();
    assert_eq!(host.len(), 2, "{local_text}");
    for s in host {
        assert_eq!(s[3]["kind"], "posix");
        assert!(s[3].get("mntns").is_none() && s[3].get("ns").is_none());
        let obj = fleet
            .objects
            .iter()
            .find(|o| {
                o.name == s[3]["id"].as_str().unwrap()
                    && o.devshm
                        == fleet
                            .expect
                            .keys()
                            .find(|d| fleet.expect[*d].is_empty())
                            .unwrap()
                            .as_str()
            })
            .unwrap();
        assert_eq!(s[3]["inode"], obj.inode.to_string().as_str());
        assert_eq!(s[4].as_f64().unwrap(), obj.size as f64);
    }
}

#[test]
fn the_metrics_unit_exports_both_kinds_of_every_namespace() {
    let ns = Ns::new();
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/debian/shmtool-metrics.service"
    ))
    .unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The unit's command, run into a directory of ours instead of its own.
    let own = unit
        .lines()
        .find_map(|l| l.strip_prefix("ReadWritePaths=-"))
        .unwrap();
    let command = exec
        .replace("/usr/bin/shmtool", "$B")
        .replace(own, dir.path().to_str().unwrap());
    let fleet = run_posix_fleet(&ns, &command);
    let text = std::fs::read_to_string(dir.path().join("shmtool.prom")).unwrap();
    let samples = check_and_parse_metrics(&text);
    let bytes: Vec<_> = samples
        .iter()
        .filter(|s| s[2] == "shmtool_segment_bytes")
        .collect();
    let posix: BTreeSet<(String, String)> = bytes
        .iter()
        .filter(|s| s[3]["kind"] == "posix")
        .map(|s| {
            (
                s[3]["devshm"].as_str().unwrap().to_owned(),
                s[3]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(posix, posix_objects(&fleet), "every /dev/shm's objects");
    assert_eq!(
        bytes.iter().filter(|s| s[3]["kind"] == "sysv").count(),
        1,
        "and the System V segment"
    );
}

#[test]
fn without_root_list_all_namespaces_posix_lists_its_own_devshm_with_use_unknown() {
    let ns = Ns::new();
    let fleet = run_posix_fleet(
        &ns,
        "setpriv --reuid 65534 --regid 65534 --clear-groups $B list -A --kind posix --format json 2>&1; echo \"EXIT $?\"",
    );
    let lists = json_lists_of(&fleet.out);
    let own = fleet
        .expect
        .iter()
        .find(|(_, c)| c.is_empty())
        .map(|(d, _)| d.clone())
        .unwrap();
    let rows = &lists[0];
    let names: BTreeSet<_> = posix_row_set(rows);
    let want: BTreeSet<_> = posix_objects(&fleet)
        .into_iter()
        .filter(|(d, _)| *d == own)
        .collect();
    assert_eq!(names, want, "only its own /dev/shm: {:?}", fleet.out);
    // Root's processes are hidden: use is unknown, not zero.
    assert!(rows.iter().all(|r| r["nattch"].is_null()), "{rows:?}");
    let text = fleet.out.join("\n");
    assert!(text.contains("could not be inspected"), "{text}");
    assert!(text.contains("EXIT 0"), "{text}");
}

#[test]
fn prometheus_label_values_hold_no_control_character_and_both_parsers_read_them() {
    // Objects named with CR, ESC, DEL, a C1 control (U+009B, CSI), a raw
    // 0x9b byte and a newline, made directly in the private /dev/shm.
    let out = common::posix_sh(
        r#"for n in 'a\rb' 'a\033[2Jb' 'a\177b' 'a\302\233b' 'c\233d' 'a\nb' 'plain'; do
    printf x > "/dev/shm/$(printf "$n")"
done
$SHMTOOL list --kind posix --format prometheus > "$T/out.prom"
od -An -v -tx1 "$T/out.prom""#,
    );
    let bytes: Vec<u8> = out
        .split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect();
    let text = String::from_utf8(bytes).expect("the exposition is UTF-8");
    let control: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && (c.is_control() || ('\u{80}'..='\u{9f}').contains(&c)))
        .collect();
    assert!(
        control.is_empty(),
        "control characters {control:?} in:\n{text}"
    );
    let samples = check_and_parse_metrics(&text);
    let ids: BTreeSet<String> = samples
        .iter()
        .filter(|s| s[2] == "shmtool_segment_bytes")
        .map(|s| s[3]["id"].as_str().unwrap().to_owned())
        .collect();
    // Each name as tables show it: distinct, and plain text.
    let want: BTreeSet<String> = [
        "/a\\rb",
        "/a\\x1b[2Jb",
        "/a\\x7fb",
        "/a\\u009bb",
        "/c\u{fffd}d",
        "/a\\nb",
        "/plain",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(ids, want, "{text}");
}

/// `shmtool_uninspected_processes` counts, once per run, the processes
/// this run could not inspect (each once, however many scans met it),
/// with and without -A; promtool and prometheus_client accept it, and
/// without -v the metrics run says nothing on stderr (no journal line a
/// minute from the timer).
#[test]
fn metrics_count_the_processes_not_inspected_once_per_run() {
    let out = common::posix_sh(
        r#"
$SHMTOOL create --name held --size 4096 >/dev/null
chown 65534:65534 /dev/shm/held
setpriv --reuid 65534 --regid 65534 --clear-groups unshare -U /usr/bin/python3 -c '
import ctypes, mmap, os, time
ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
m = mmap.mmap(os.open("/dev/shm/held", os.O_RDWR), 4096)
print(os.getpid(), flush=True)
time.sleep(600)' > $T/pid &
until [ -s $T/pid ]; do sleep 0.02; done
# Root without the capabilities that pass the ptrace read check.
blind() { setpriv --bounding-set -sys_ptrace,-sys_admin,-perfmon "$@"; }
echo "== local"; blind $SHMTOOL list --kind posix --format prometheus 2>$T/err
echo "== fleet"; blind $SHMTOOL list -A --kind all --format prometheus 2>>$T/err
echo "== stderr"; cat $T/err
blind $SHMTOOL list -A --kind all -v --format prometheus 2>$T/verbose >/dev/null
echo "== named"; grep -c 'not inspected: pid ' $T/verbose
echo "== root"; $SHMTOOL list -A --kind all --format prometheus | grep '^shmtool_uninspected'
kill $(cat $T/pid)
"#,
    );
    let section = |name: &str| common::section(&out, name).to_owned();
    // sh (pid 1) and the non-dumpable python process.
    let named: f64 = section("named").trim().parse().unwrap();
    assert_eq!(named, 2.0, "{out}");
    for text in [section("local"), section("fleet")] {
        let samples = check_and_parse_metrics(&text);
        let blind: Vec<&Json> = samples
            .iter()
            .filter(|s| s[2] == "shmtool_uninspected_processes")
            .collect();
        assert_eq!(blind.len(), 1, "once per run: {text}");
        assert_eq!(blind[0][1], "gauge");
        assert_eq!(blind[0][3], serde_json::json!({}));
        assert_eq!(blind[0][4].as_f64(), Some(named), "{text}");
    }
    assert_eq!(section("stderr"), "", "no stderr line without -v");
    assert_eq!(section("root"), "shmtool_uninspected_processes 0\n");
}
