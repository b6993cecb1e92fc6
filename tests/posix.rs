//! POSIX shared memory: objects in /dev/shm beside System V segments. Every
//! case runs in private IPC, mount and pid namespaces with a tmpfs of its
//! own on /dev/shm (common::posix_sh), never touching the host's.

mod common;

use common::{Json, json, posix_sh, section};

/// The rows of a `list --format json`, by name.
fn row<'a>(rows: &'a Json, name: &str) -> Option<&'a Json> {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name || r["id"] == name)
}

#[test]
fn create_is_exclusive_and_sets_exactly_the_mode_despite_the_umask() {
    let out = posix_sh(
        r#"
umask 077
echo "== created"; $SHMTOOL create --name /x --size 10000 --mode 644
echo "== stat"; stat -c '%a %s %F' /dev/shm/x
echo "== again"; $SHMTOOL create --name x --size 10 2>&1 && exit 1 || echo "exit $?"
echo "== reuse"; $SHMTOOL create --name x --size 10 --reuse
echo "== too small"; $SHMTOOL create --name x --size 20000 --reuse 2>&1 || echo "exit $?"
echo "== usage"
$SHMTOOL read --name x --addr 0x10000 2>&1 || echo "exit $?"
$SHMTOOL create --name a/b --size 1 2>&1 || echo "exit $?"
$SHMTOOL list --kind posix --format ipcs 2>&1 || echo "exit $?"
$SHMTOOL --ns /proc/1/ns/ipc list --kind posix 2>&1 || echo "exit $?"
"#,
    );
    assert_eq!(section(&out, "created"), "/x\n");
    assert_eq!(section(&out, "stat"), "644 10000 regular file\n");
    let again = section(&out, "again");
    assert!(
        again.starts_with("shmtool: create: object /x already exists"),
        "{again}"
    );
    assert!(again.ends_with("exit 1\n"), "{again}");
    assert_eq!(section(&out, "reuse"), "/x\n");
    assert!(section(&out, "too small").contains("fewer than the 20000 bytes"));
    let usage = section(&out, "usage");
    assert_eq!(usage.matches("exit 2\n").count(), 4, "{usage}");
    assert_eq!(
        usage.matches("shmtool: ").count(),
        4,
        "one line each: {usage}"
    );
}

#[test]
fn python_shared_memory_is_seen_in_use_read_and_written() {
    let out = posix_sh(
        r#"
python3 - <<'PY'
import json, os, subprocess
from multiprocessing import shared_memory, resource_tracker
shm = shared_memory.SharedMemory(create=True, size=4096)
shm.buf[:11] = b"from python"
name = "/" + shm.name
def run(*args):
    return subprocess.run([os.environ["SHMTOOL"], *args], check=True, capture_output=True).stdout
listed = json.loads(run("list", "--kind", "posix", "--format", "json"))
read = run("read", "--name", name, "--length", "11").decode()
run("attach-write", "--name", name, "--offset", "100", "--data", "from shmtool")
# Another process holds only a descriptor: it counts as using the object.
holder = subprocess.Popen(["python3", "-c", "import os,sys; fd=os.open('/dev/shm/" + shm.name + "', os.O_RDONLY); print(fd, flush=True); sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
holder.stdout.readline()
both = json.loads(run("list", "--kind", "posix", "--format", "json"))
info = json.loads(run("info", "--name", name, "--json"))
holder.stdin.close(); holder.wait()
print(json.dumps({"name": name, "listed": listed, "read": read,
                  "python_reads": bytes(shm.buf[100:112]).decode(),
                  "both": both, "info": info, "self": os.getpid()}))
shm.close(); shm.unlink()
PY
"#,
    );
    let v = json(&out);
    let name = v["name"].as_str().unwrap();
    assert!(name.starts_with("/psm_"), "{name}");
    let listed = row(&v["listed"], name).expect("the object is listed");
    assert_eq!(listed["kind"], "posix");
    assert_eq!(listed["nattch"], 1, "python maps it: {listed}");
    assert_eq!(listed["bytes"], 4096);
    assert_eq!(v["read"], "from python");
    assert_eq!(v["python_reads"], "from shmtool");
    assert_eq!(row(&v["both"], name).unwrap()["nattch"], 2);
    let used_by = v["info"]["used_by"].as_array().unwrap();
    assert_eq!(used_by.len(), 2, "{}", v["info"]);
    let python = used_by.iter().find(|u| u["pid"] == v["self"]).unwrap();
    assert!(!python["addresses"].as_array().unwrap().is_empty());
    let holder = used_by.iter().find(|u| u["pid"] != v["self"]).unwrap();
    assert!(holder["addresses"].as_array().unwrap().is_empty());
    assert_eq!(holder["fds"].as_array().unwrap().len(), 1);
}

#[test]
fn only_regular_files_are_objects_and_others_are_never_removed() {
    let out = posix_sh(
        r#"
mkdir /dev/shm/dir
mkfifo /dev/shm/fifo
: > /dev/shm/sem.x
$SHMTOOL create --name real --size 100 >/dev/null
ln -s real /dev/shm/link
echo "== list"; $SHMTOOL list --kind posix --format json
echo "== lsipc-like all"; $SHMTOOL list --kind all --format csv --columns kind,id
echo "== remove"; $SHMTOOL remove --kind posix --all --yes 2>&1
echo "== left"; ls /dev/shm | sort
echo "== named"; $SHMTOOL remove --name dir --name fifo --name link 2>&1 || echo "exit $?"
echo "== semaphore"; $SHMTOOL remove --name sem.x 2>&1 || echo "exit $?"
echo "== still"; ls /dev/shm | sort
"#,
    );
    let rows = json(section(&out, "list"));
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["/real"]);
    assert_eq!(section(&out, "lsipc-like all"), "kind,id\nposix,/real\n");
    assert!(section(&out, "remove").contains("removed 1"));
    assert_eq!(section(&out, "left"), "dir\nfifo\nlink\nsem.x\n");
    let named = section(&out, "named");
    assert_eq!(named.matches("no POSIX object").count(), 3, "{named}");
    assert!(named.ends_with("exit 1\n"));
    // A semaphore's name is refused before anything is looked at.
    let semaphore = section(&out, "semaphore");
    assert!(
        semaphore.contains("sem.* names are POSIX semaphores") && semaphore.ends_with("exit 2\n"),
        "{semaphore}"
    );
    assert_eq!(section(&out, "still"), "dir\nfifo\nlink\nsem.x\n");
}

#[test]
fn an_unlinked_object_still_mapped_is_listed_as_dest() {
    let out = posix_sh(
        r#"
mount -t tmpfs shmtool-tmp "$T"
mkfifo $T/.shmtool-dest-$$
$SHMTOOL create --name gone --size 1M >/dev/null
python3 -c "
import mmap, os, sys, time
fd = os.open('/dev/shm/gone', os.O_RDWR); m = mmap.mmap(fd, 1 << 20); os.close(fd)
m[:4] = b'live'
os.unlink('/dev/shm/gone')
open('$T/.shmtool-dest-$$', 'w').write('ready\n')
time.sleep(30)" &
read ready < $T/.shmtool-dest-$$
rm $T/.shmtool-dest-$$
echo "== ls"; ls /dev/shm
echo "== list"; $SHMTOOL list --kind posix --format json
echo "== dest"; $SHMTOOL list --kind posix --status dest --format csv --columns name,status,nattch
echo "== unattached"; $SHMTOOL remove --kind posix --unattached --dry-run 2>&1
kill $!
"#,
    );
    assert_eq!(section(&out, "ls"), "");
    let rows = json(section(&out, "list"));
    let gone = row(&rows, "/gone").expect("the unlinked object is listed");
    assert_eq!(gone["status"], serde_json::json!(["dest"]));
    assert_eq!(gone["nattch"], 1);
    assert_eq!(gone["bytes"], 1 << 20);
    assert_eq!(section(&out, "dest"), "name,status,nattch\n/gone,dest,1\n");
    assert!(section(&out, "unattached").contains("0 POSIX object(s) would be removed"));
}

/// PostgreSQL 15's server binaries (Debian's postgresql-15; .ci/run installs it).
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

#[test]
fn a_crashed_postgresql_leaves_nothing_after_remove_kind_all_orphaned() {
    common::provision("postgresql");
    assert!(
        std::path::Path::new(PG_BIN).join("postgres").exists(),
        "PostgreSQL 15 is installed in {PG_BIN}"
    );
    let out = posix_sh(&format!(
        r#"
PG={PG_BIN}
mount -t tmpfs shmtool-tmp "$T"
mkdir $T/pg && chown postgres $T/pg
as_pg() {{ setpriv --reuid postgres --regid postgres --clear-groups --reset-env "$@"; }}
as_pg $PG/initdb -D $T/pg/data -A trust -U postgres --no-sync --no-instructions >/dev/null
OPTS="-k $T/pg -c listen_addresses= -c shared_buffers=1MB -c max_connections=5 -c fsync=off"
as_pg $PG/pg_ctl -D $T/pg/data -o "$OPTS" -l $T/pg/log -w start >/dev/null
echo "== running"; $SHMTOOL list --kind all --format json
echo "== spared"; $SHMTOOL remove --kind all --orphaned --owner postgres 2>&1
postmaster=$(head -1 $T/pg/data/postmaster.pid)
kill -9 $postmaster
# Its children notice the postmaster's death and exit.
for i in $(seq 100); do pgrep -u postgres >/dev/null || break; sleep 0.05; done
echo "== crashed"; $SHMTOOL list --kind all --format json
echo "== removed"; $SHMTOOL remove --kind all --orphaned --owner postgres -v 2>&1
echo "== left"; $SHMTOOL list --kind all --format csv --columns kind,id; ls /dev/shm
as_pg $PG/pg_ctl -D $T/pg/data -o "$OPTS" -l $T/pg/log -w start >/dev/null
echo "== restarted"; $SHMTOOL list --kind all --format csv --columns kind,owner,status
as_pg $PG/pg_ctl -D $T/pg/data -m immediate -w stop >/dev/null
"#
    ));
    let running = json(section(&out, "running"));
    let rows = running.as_array().unwrap();
    let sysv: Vec<_> = rows.iter().filter(|r| r["kind"] == "sysv").collect();
    let posix: Vec<_> = rows.iter().filter(|r| r["kind"] == "posix").collect();
    assert_eq!(sysv.len(), 1, "one System V segment: {running}");
    assert_eq!(sysv[0]["owner"], "postgres");
    assert!(sysv[0]["nattch"].as_u64().unwrap() >= 1);
    assert!(
        !posix.is_empty(),
        "dynamic shared memory objects: {running}"
    );
    for obj in &posix {
        assert!(
            obj["name"].as_str().unwrap().starts_with("/PostgreSQL."),
            "{obj}"
        );
        assert!(obj["nattch"].as_u64().unwrap() >= 1, "in use: {obj}");
    }
    assert!(section(&out, "spared").contains("removed 0"));
    let crashed = json(section(&out, "crashed"));
    assert_eq!(
        crashed.as_array().unwrap().len(),
        1 + posix.len(),
        "{crashed}"
    );
    let removed = section(&out, "removed");
    for obj in &posix {
        let name = obj["name"].as_str().unwrap();
        assert!(removed.contains(&format!("removed {name}\n")), "{removed}");
    }
    assert!(
        removed.contains(&format!("removed {}", 1 + posix.len())),
        "{removed}"
    );
    assert_eq!(section(&out, "left"), "kind,id\n");
    let restarted = section(&out, "restarted");
    assert!(restarted.contains("sysv,postgres,\n"), "{restarted}");
    assert!(restarted.contains("posix,postgres,\n"), "{restarted}");
}

#[test]
fn remove_selects_by_match_owner_age_size_and_use() {
    let out = posix_sh(
        r#"
mount -t tmpfs shmtool-tmp "$T"
for n in psm_a psm_b keep big; do $SHMTOOL create --name $n --size 100 >/dev/null; done
$SHMTOOL create --name huge --size 1M >/dev/null
$SHMTOOL set --name psm_b --owner 65534:65534 --mode 640
echo "== set"; stat -c '%u %g %a' /dev/shm/psm_b
touch -d '2 hours ago' /dev/shm/big /dev/shm/huge
mkfifo $T/ready
python3 -c "
import mmap, os, time
fd = os.open('/dev/shm/psm_a', os.O_RDWR); m = mmap.mmap(fd, 100); os.close(fd)
open('$T/ready', 'w').write('x\n')
time.sleep(30)" &
read x < $T/ready
echo "== dry"; $SHMTOOL remove --match 'psm_*' --unattached --dry-run --json 2>&1
echo "== owner"; $SHMTOOL remove --kind posix --owner 65534 --json
echo "== old"; $SHMTOOL remove --kind posix --older-than 1h --larger-than 1K -v 2>&1
echo "== inuse"; $SHMTOOL remove --match 'psm_*' --unattached -v 2>&1
echo "== missing"; $SHMTOOL remove --name nothing --missing-ok --json
echo "== left"; ls /dev/shm
kill $!
"#,
    );
    assert_eq!(section(&out, "set"), "65534 65534 640\n");
    let dry = section(&out, "dry");
    let (rows, note) = dry.split_at(dry.rfind("]\n").unwrap() + 2);
    let rows = json(rows);
    assert_eq!(rows.as_array().unwrap().len(), 1, "{dry}");
    assert_eq!(rows[0]["name"], "/psm_b", "psm_a is in use: {dry}");
    assert!(
        note.contains("1 POSIX object(s) would be removed"),
        "{note}"
    );
    let owner = json(section(&out, "owner"));
    assert_eq!(owner[0]["name"], "/psm_b");
    assert_eq!(owner[0]["result"], "removed");
    assert_eq!(owner.as_array().unwrap().len(), 1);
    assert_eq!(
        section(&out, "old"),
        "removed /huge\nshmtool: remove: removed 1\n"
    );
    assert_eq!(section(&out, "inuse"), "shmtool: remove: removed 0\n");
    let missing = json(section(&out, "missing"));
    assert_eq!(missing[0]["result"], "missing");
    assert_eq!(section(&out, "left"), "big\nkeep\npsm_a\n");
}

#[test]
fn unknown_use_is_not_unused_for_a_user_who_cannot_inspect_every_process() {
    let out = posix_sh(
        r#"
mount -t tmpfs shmtool-tmp "$T"
$SHMTOOL create --name mine --size 100 >/dev/null
$SHMTOOL set --name mine --owner 65534:65534
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
$SHMTOOL set --name mine --mode 0
# Its owner may change the mode of an object it cannot open.
as_nobody $SHMTOOL set --name /mine --mode 640
echo "== mode"; stat -c '%a %U' /dev/shm/mine
echo "== list"; as_nobody $SHMTOOL list --kind posix --format json
echo "== remove"; as_nobody $SHMTOOL remove --kind posix --orphaned -v 2>&1
echo "== left"; ls /dev/shm
echo "== root"; $SHMTOOL remove --kind posix --orphaned -v 2>&1
"#,
    );
    assert_eq!(section(&out, "mode"), "640 nobody\n");
    let rows = json(section(&out, "list"));
    assert_eq!(rows[0]["name"], "/mine");
    assert_eq!(rows[0]["nattch"], Json::Null, "unknown, not 0: {rows}");
    let removed = section(&out, "remove");
    assert!(
        removed.contains("could not be inspected") && removed.contains("removed 0"),
        "{removed}"
    );
    assert_eq!(section(&out, "left"), "mine\n");
    assert!(section(&out, "root").contains("removed /mine\n"));
}

#[test]
fn a_256_mib_round_trip_through_file_and_stdin() {
    let out = posix_sh(
        r#"
mount -t tmpfs -o size=1g shmtool-tmp "$T"
head -c 268435456 /dev/urandom > $T/in
$SHMTOOL create --name big --size 256M >/dev/null
$SHMTOOL create --name big2 --size 256M >/dev/null
$SHMTOOL attach-write --name big --file $T/in
$SHMTOOL read --name big --output $T/out
cmp $T/in $T/out && echo "file same"
stat -c '%a' $T/out
$SHMTOOL attach-write --name /big2 < $T/in
$SHMTOOL read --name /big2 | cmp - $T/in && echo "stdin same"
cmp /dev/shm/big2 $T/in && echo "object same"
echo x | $SHMTOOL attach-write --name big --offset 268435456 2>&1 || echo "exit $?"
"#,
    );
    assert!(out.contains("file same\n600\n"), "{out}");
    assert!(out.contains("stdin same\nobject same\n"), "{out}");
    assert!(
        out.contains("but input remained") && out.ends_with("exit 1\n"),
        "{out}"
    );
}

#[test]
fn ns_pid_works_on_the_objects_of_that_process_s_mount_namespace() {
    let out = posix_sh(
        r#"
mount -t tmpfs shmtool-tmp "$T"
$SHMTOOL create --name host_side --size 10 >/dev/null
mkfifo $T/ready
unshare --mount --propagation private sh -c '
    mount -t tmpfs inner /dev/shm
    python3 -c "
import mmap, os, time
fd = os.open(\"/dev/shm/inside\", os.O_RDWR | os.O_CREAT, 0o600); os.ftruncate(fd, 4096)
m = mmap.mmap(fd, 4096); os.close(fd); m[:6] = b\"inside\"
open(\"$T/ready\", \"w\").write(str(os.getpid()))
time.sleep(30)"' &
pid=$(cat $T/ready)
echo "== inner"; $SHMTOOL --ns $pid list --kind posix --format csv --columns name,nattch
echo "== read"; $SHMTOOL --ns $pid read --name inside --length 6; echo
echo "== outer"; $SHMTOOL list --kind posix --format csv --columns name,nattch
kill $!
"#,
    );
    assert_eq!(section(&out, "inner"), "name,nattch\n/inside,1\n");
    assert_eq!(section(&out, "read"), "inside\n");
    assert_eq!(section(&out, "outer"), "name,nattch\n/host_side,0\n");
}

#[test]
fn python_attaches_an_object_shmtool_made_and_reads_what_it_wrote() {
    let out = posix_sh(
        r#"
$SHMTOOL create --name /fromtool --size 64 >/dev/null
$SHMTOOL attach-write --name fromtool --data 'written by shmtool'
echo "== python"
python3 - <<'PY'
from multiprocessing import shared_memory, resource_tracker
shm = shared_memory.SharedMemory(name="fromtool")
# Python 3.11 would unlink on exit an object it only attached.
resource_tracker.unregister(shm._name, "shared_memory")
print(bytes(shm.buf[:18]).decode())
shm.close()
PY
echo "== after"; $SHMTOOL list --kind posix --format csv --columns name,bytes,nattch
"#,
    );
    assert_eq!(section(&out, "python"), "written by shmtool\n");
    assert_eq!(
        section(&out, "after"),
        "name,bytes,nattch\n/fromtool,64,0\n"
    );
}

#[test]
fn names_other_users_chose_are_escaped_and_exact_in_json() {
    let out = posix_sh(
        r#"
python3 -c "open(b'/dev/shm/ev\nil\x1b[2J\xff', 'w').close()"
echo "== table"; $SHMTOOL list --kind posix --columns name
echo "== csv"; $SHMTOOL list --kind posix --format csv --columns name
echo "== json"; $SHMTOOL list --kind posix --format json --columns name
"#,
    );
    assert_eq!(section(&out, "table"), "name\n/ev\\nil\\x1b[2J\\xff\n");
    assert_eq!(section(&out, "csv"), "name\n/ev\\nil\\x1b[2J\\xff\n");
    let rows = json(section(&out, "json"));
    let bytes: Vec<u8> = rows[0]["name"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap() as u8)
        .collect();
    assert_eq!(bytes, b"/ev\nil\x1b[2J\xff");
}

#[test]
fn kind_all_is_one_table_and_json_rows_say_their_kind() {
    let out = posix_sh(
        r#"
$SHMTOOL create --key 0x44 --size 10 --mode 640 >/dev/null
$SHMTOOL create --name obj --size 4096 >/dev/null
echo "== table"; $SHMTOOL list --kind all
echo "== sysv json"; $SHMTOOL list --kind sysv --format json --columns kind,shmid
echo "== plain json"; $SHMTOOL list --format json --columns shmid
echo "== all json"; $SHMTOOL list --kind all --format json --columns kind,key,id,name
echo "== key"; $SHMTOOL list --kind all --key 0x44 --format csv --columns kind,id
echo "== match"; $SHMTOOL remove --kind all --match 'nothing*' 2>&1
echo "== still"; $SHMTOOL list --kind all --format csv --columns kind,id
echo "== limits"; $SHMTOOL limits --json
echo "== df"; df -B1 --output=size /dev/shm | tail -1
"#,
    );
    assert_eq!(
        section(&out, "table"),
        "kind   key         id    owner  perms  bytes  nattch  status\n\
         sysv   0x00000044  0     root   640       10       0\n\
         posix              /obj  root   600     4096       0\n"
    );
    assert_eq!(
        json(section(&out, "sysv json")),
        serde_json::json!([{"kind": "sysv", "shmid": 0}])
    );
    assert_eq!(
        json(section(&out, "plain json")),
        serde_json::json!([{"shmid": 0}])
    );
    assert_eq!(
        json(section(&out, "all json")),
        serde_json::json!([
            {"kind": "sysv", "key": "0x00000044", "id": 0, "name": null},
            {"kind": "posix", "key": null, "id": "/obj", "name": "/obj"},
        ])
    );
    assert_eq!(section(&out, "key"), "kind,id\nsysv,0\n");
    // --match names objects only: it never selects a segment, even with --kind all.
    assert_eq!(section(&out, "match"), "shmtool: remove: removed 0\n");
    assert_eq!(section(&out, "still"), "kind,id\nsysv,0\nposix,/obj\n");
    let limits = json(section(&out, "limits"));
    let size: u64 = section(&out, "df").trim().parse().unwrap();
    assert_eq!(limits["dev_shm"]["path"], "/dev/shm");
    assert_eq!(limits["dev_shm"]["bytes"], size);
    assert_eq!(
        limits["dev_shm"]["used_bytes"], 0,
        "a sparse object uses nothing"
    );
}

#[test]
fn a_proc_of_another_pid_namespace_leaves_use_unknown() {
    // A pid namespace inside the test's, under the test's /proc: shmtool
    // cannot see the processes of its own namespace by their pids there.
    let out = posix_sh(
        r#"
$SHMTOOL create --name x --size 10 >/dev/null
echo "== list"; unshare --pid --fork $SHMTOOL list --kind posix -v --format csv --columns name,nattch 2>&1
echo "== remove"; unshare --pid --fork $SHMTOOL remove --kind posix --unattached 2>&1
echo "== left"; ls /dev/shm
"#,
    );
    assert_eq!(
        section(&out, "list"),
        "shmtool: list: /proc belongs to another pid namespace, so processes of this one are not all shown; objects nothing visible uses have nattch unknown, and are neither --unattached nor --orphaned without --assume-hidden-unused\nname,nattch\n/x,\n"
    );
    assert!(section(&out, "remove").contains("removed 0"));
    assert_eq!(section(&out, "left"), "x\n");
}

/// An object is a file: `read --name` into a file lets the kernel copy
/// between the files (sendfile), with no privilege, so nobody gets it too;
/// a pipe still gets a copy through the mapping, and `attach-write` writes
/// through the mapping (a write through the descriptor could grow an object
/// another process shrank). The bytes are the object's at every offset, and
/// a dump keeps what was there when it was taken.
#[test]
fn an_object_is_read_into_a_file_by_sendfile_and_the_dump_is_a_snapshot() {
    let out = posix_sh(
        r#"
mount -t tmpfs -o size=64m shmtool-tmp "$T"
chmod 1777 "$T"
head -c 1048699 /dev/urandom > $T/in
$SHMTOOL create --name obj --size 1048699 --mode 644 >/dev/null
echo "== write"
$SHMTOOL attach-write --name obj --file $T/in -v 2>&1
cmp /dev/shm/obj $T/in && echo "object same"
head -c 5000 /dev/urandom > $T/part
$SHMTOOL attach-write --name obj --file $T/part --offset 4097 -v 2>&1
dd if=$T/part of=$T/in bs=1 seek=4097 conv=notrunc status=none
cmp /dev/shm/obj $T/in && echo "part same"
echo "== read"
for span in "0 1048699" "4097 70000" "1048694 5"; do
    set -- $span
    $SHMTOOL read --name obj --offset $1 --length $2 -o $T/dump-$1 -v 2>&1
    tail -c +$(($1 + 1)) $T/in | head -c $2 | cmp - $T/dump-$1 && echo "dump $1 same"
done
echo "== pipe"
$SHMTOOL read --name obj -v 2>$T/err | cmp - $T/in && echo "pipe same"
cat $T/err
echo "== nobody"
setpriv --reuid 65534 --regid 65534 --clear-groups $SHMTOOL read --name obj -o $T/nobody -v 2>&1
cmp $T/nobody $T/in && echo "nobody same"
echo "== later"
head -c 1048699 /dev/zero | $SHMTOOL attach-write --name obj
cmp $T/dump-0 $T/in && echo "dump kept"
"#,
    );
    let write = section(&out, "write");
    assert!(
        write.contains("1048699 bytes to /obj at offset 0\n")
            && write.contains("5000 bytes to /obj at offset 4097\n")
            && write.contains("object same\n")
            && write.ends_with("part same\n"),
        "{out}"
    );
    let read = section(&out, "read");
    for (offset, length) in [(0, 1048699), (4097, 70000), (1048694, 5)] {
        assert!(
            read.contains(&format!(
                "read: {length} bytes from /obj at offset {offset}, copied by sendfile from the object's file\ndump {offset} same\n"
            )),
            "{out}"
        );
    }
    let pipe = section(&out, "pipe");
    assert!(
        pipe.starts_with("pipe same\n") && !pipe.contains("sendfile"),
        "{out}"
    );
    assert!(
        section(&out, "nobody")
            .contains("copied by sendfile from the object's file\nnobody same\n"),
        "{out}"
    );
    assert_eq!(section(&out, "later"), "dump kept\n", "{out}");
}

/// An object another process shrinks after `attach-write` mapped it is
/// not grown back: the write fails and the object stays as that process
/// left it (found by review: a write through the object's descriptor
/// re-grew it and reported success). A `read` of one fails, says why, and
/// leaves no dump.
#[test]
fn attach_write_never_grows_back_an_object_shrunk_meanwhile() {
    let hook = common::shm_hook().display().to_string();
    let out = posix_sh(&format!(
        r#"
head -c 1000000 /dev/urandom > $T/src
$SHMTOOL create --name x --size 1000000 >/dev/null
LD_PRELOAD={hook} SHM_HOOK_TRUNCATE=/dev/shm/x $SHMTOOL attach-write --name x --offset 500000 --file $T/src --length 1000 2>$T/err && echo "exit 0" || echo "exit $?"
stat -c 'size %s' /dev/shm/x
cat $T/err
$SHMTOOL create --name y --size 1000000 >/dev/null
$SHMTOOL attach-write --name y --file $T/src
LD_PRELOAD={hook} SHM_HOOK_TRUNCATE=/dev/shm/y $SHMTOOL read --name y -o $T/dump 2>$T/err && echo "exit 0" || echo "exit $?"
ls $T
cat $T/err
"#
    ));
    assert_eq!(
        out,
        "exit 1\nsize 0\nshmtool: attach-write: /x: the object shrank while being copied (another process truncated it)\n\
         exit 1\nerr\nsrc\nshmtool: read: /y: the object shrank while being copied (another process truncated it)\n"
    );
}

/// The formats that look at the bytes copy with pread, not the mapping: an
/// object shrunk meanwhile is said the same way there.
#[test]
fn a_hex_read_of_an_object_shrunk_meanwhile_says_it_shrank() {
    let hook = common::shm_hook().display().to_string();
    let out = posix_sh(&format!(
        r#"
$SHMTOOL create --name z --size 100000 >/dev/null
LD_PRELOAD={hook} SHM_HOOK_TRUNCATE=/dev/shm/z $SHMTOOL read --name z --format hex 2>$T/err >/dev/null && echo "exit 0" || echo "exit $?"
cat $T/err
"#
    ));
    assert_eq!(
        out,
        "exit 1\nshmtool: read: /z: the object shrank while being copied (another process truncated it)\n"
    );
}

/// `--data` and `--fill` do not grow back an object shrunk meanwhile either
/// (found in review: they wrote with pwrite, which grew it to hold the
/// bytes and reported success).
#[test]
fn data_and_fill_never_grow_back_an_object_shrunk_meanwhile() {
    let hook = common::shm_hook().display().to_string();
    let out = posix_sh(&format!(
        r#"
for how in "--data abc --offset 500" "--fill 7 --length 100"; do
    $SHMTOOL create --name x --size 1000 >/dev/null
    LD_PRELOAD={hook} SHM_HOOK_TRUNCATE=/dev/shm/x $SHMTOOL attach-write --name x $how 2>$T/err && echo "exit 0" || echo "exit $?"
    stat -c 'size %s' /dev/shm/x
    cat $T/err
    rm /dev/shm/x
done
"#
    ));
    let said = "shmtool: attach-write: /x: the object shrank while being copied (another process truncated it)\n";
    assert_eq!(out, format!("exit 1\nsize 0\n{said}exit 1\nsize 0\n{said}"));
}

/// Starts `shm_peer MODE ARG` in the background of a posix_sh script (its
/// stdin a pipe that stays open), waits for its first line, and sets $PEER_PID.
fn start_peer(mode: &str, arg: &str) -> String {
    format!(
        r#"
mkfifo $T/peer-ready
sleep 300 | {peer} {mode} {arg} > $T/peer-ready &
PEER_PID=$!
read line < $T/peer-ready
rm $T/peer-ready
echo "== peer"; echo "$line $PEER_PID"
"#,
        peer = common::shm_peer().display()
    )
}

/// What a use-from-a-thread test prints: the leader's state, what its own
/// maps and fd table show, then list, info, and both removals.
const USE_FROM_A_THREAD: &str = r#"
echo "== leader"
state=$(sed 's/.*) //' /proc/$PEER_PID/stat | cut -d' ' -f1)
[ "$state" = Z ] && state=zombie || state=live
echo "$state maps $(grep -c inuse /proc/$PEER_PID/maps) fds $(ls -l /proc/$PEER_PID/fd | grep -c inuse)"
echo "== list"; $SHMTOOL list --kind posix --format json
echo "== info"; $SHMTOOL info --name /inuse --json
echo "== orphaned"; $SHMTOOL remove --kind posix --orphaned -v 2>&1
echo "== unattached"; $SHMTOOL remove --kind posix --unattached -v 2>&1
echo "== left"; ls /dev/shm
"#;

/// Checks a use-from-a-thread run: the object in use is listed with
/// nattch 1 and that pid, and neither removal takes it (the idle one goes).
fn assert_used_by_the_peer(out: &str, leader: &str) {
    let pid: i64 = section(out, "peer")
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(section(out, "leader"), leader, "the repro's conditions");
    let rows = json(section(out, "list"));
    assert_eq!(row(&rows, "/inuse").unwrap()["nattch"], 1, "{rows}");
    let info = json(section(out, "info"));
    assert_eq!(info["nattch"], 1, "{info}");
    assert_eq!(info["used_by"][0]["pid"], pid, "{info}");
    assert_eq!(
        section(out, "orphaned"),
        "removed /idle\nshmtool: remove: removed 1\n"
    );
    assert_eq!(section(out, "unattached"), "shmtool: remove: removed 0\n");
    assert_eq!(section(out, "left"), "inuse\n", "the object in use stays");
}

/// The main thread of a process called pthread_exit after a worker thread
/// mapped the object: the leader is a zombie whose maps and fd are empty,
/// and only /proc/PID/task/TID/maps shows the mapping.
#[test]
fn an_object_mapped_by_a_thread_whose_leader_exited_is_in_use() {
    let script = format!(
        "mount -t tmpfs shmtool-tmp \"$T\"\n\
         $SHMTOOL create --name inuse --size 4096 >/dev/null\n\
         $SHMTOOL create --name idle --size 4096 >/dev/null\n\
         {}{USE_FROM_A_THREAD}",
        start_peer("thread-map", "/inuse")
    );
    let out = posix_sh(&script);
    assert_used_by_the_peer(&out, "zombie maps 0 fds 0\n");
    let info = json(section(&out, "info"));
    assert_eq!(info["used_by"][0]["addresses"].as_array().unwrap().len(), 1);
}

/// A thread that unshared its fd table (CLONE_FILES) holds the object open:
/// only /proc/PID/task/TID/fd shows it.
#[test]
fn an_object_open_in_a_thread_s_own_fd_table_is_in_use() {
    let script = format!(
        "mount -t tmpfs shmtool-tmp \"$T\"\n\
         $SHMTOOL create --name inuse --size 4096 >/dev/null\n\
         $SHMTOOL create --name idle --size 4096 >/dev/null\n\
         {}{USE_FROM_A_THREAD}",
        start_peer("thread-open", "/inuse")
    );
    let out = posix_sh(&script);
    assert_used_by_the_peer(&out, "live maps 0 fds 0\n");
    let info = json(section(&out, "info"));
    assert_eq!(info["used_by"][0]["fds"].as_array().unwrap().len(), 1);
}

/// System V: a worker thread attached the segment and the main thread
/// called pthread_exit; `info` still names the process attaching it.
#[test]
fn a_segment_attached_by_a_thread_whose_leader_exited_shows_in_info() {
    let script = format!(
        "mount -t tmpfs shmtool-tmp \"$T\"\n\
         ID=$($SHMTOOL create --private --size 4096)\n\
         {}\n\
         echo \"== leader\"; grep -c SYSV /proc/$PEER_PID/maps || true\n\
         echo \"== info\"; $SHMTOOL info $ID --json\n",
        start_peer("thread-attach", "$ID")
    );
    let out = posix_sh(&script);
    let pid: i64 = section(&out, "peer")
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        section(&out, "leader"),
        "0\n",
        "the leader's maps are empty"
    );
    let info = json(section(&out, "info"));
    assert_eq!(info["nattch"], 1, "{info}");
    let attached = info["attached"].as_array().unwrap();
    assert_eq!(attached.len(), 1, "{info}");
    assert_eq!(attached[0]["pid"], pid, "{info}");
    assert_eq!(info["unaccounted_attaches"], 0, "{info}");
}

/// A process maps one file 30,000 times under a path 2 KB deep, so its
/// /proc/PID/maps is 60 MB: root's scan reads it a line at a time and keeps
/// at most 32 MiB. The object that process uses is seen in use, or, where a
/// loaded machine makes the read pass its 2 s deadline, of unknown use:
/// never unused.
#[test]
fn a_huge_maps_file_is_read_in_bounded_memory() {
    let out = posix_sh(
        r#"
mount -t tmpfs shmtool-tmp "$T"
$SHMTOOL create --name used --size 4096 >/dev/null
mkfifo $T/ready
python3 - <<'PY' &
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
PROT_READ, MAP_SHARED = 1, 1
used = os.open("/dev/shm/used", os.O_RDONLY)
libc.mmap(None, 4096, PROT_READ, MAP_SHARED, used, 0)
os.close(used)
# 8 directories of 250 bytes: the file's path in the maps is 2 KB long.
os.chdir(os.environ["T"])
for _ in range(8):
    os.mkdir("d" * 250)
    os.chdir("d" * 250)
fd = os.open("f", os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(fd, 4096)
for _ in range(30000):
    # Offset 0 each time: neighbouring mappings do not merge.
    if libc.mmap(None, 4096, PROT_READ, MAP_SHARED, fd, 0) in (None, 2**64 - 1):
        raise OSError(ctypes.get_errno(), "mmap")
open(os.environ["T"] + "/ready", "w").write("ready\n")
time.sleep(300)
PY
read x < $T/ready
echo "== maps"; cat /proc/$!/maps | wc -c
echo "== list"
python3 - "$SHMTOOL" list --kind posix --format csv --columns name,nattch <<'PY'
import os, sys, time
start = time.monotonic()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print("exit", os.waitstatus_to_exitcode(status), file=sys.stderr)
print("== peak"); print(usage.ru_maxrss * 1024)
print("== seconds"); print(time.monotonic() - start)
PY
"#,
    );
    let maps: u64 = section(&out, "maps").trim().parse().unwrap();
    assert!(maps > 60_000_000, "the maps are large: {maps} bytes");
    let list = section(&out, "list");
    assert!(
        ["name,nattch\n/used,1\n", "name,nattch\n/used,\n"].contains(&list),
        "in use or unknown, never unused: {list}"
    );
    let peak: u64 = section(&out, "peak").trim().parse().unwrap();
    assert!(peak <= 32 << 20, "peak RSS {peak} bytes, over 32 MiB");
    let seconds: f64 = section(&out, "seconds").trim().parse().unwrap();
    assert!(seconds < 20.0, "{seconds} s");
}

/// A process holds a file open on a FUSE mount whose server has gone
/// silent: a stat of /proc/PID/fd/N would wait for the server forever. The
/// scan compares descriptors on cached attributes, so root's `list` and
/// `list -A … --format prometheus` finish, and that process is inspected
/// (the object it maps is in use, not of unknown use).
#[test]
fn a_descriptor_on_a_silent_fuse_mount_blocks_no_scan() {
    let fuse = common::SILENT_FUSE;
    let out = posix_sh(&format!(
        r#"
{fuse}
$SHMTOOL create --name used --size 4096 >/dev/null
mkfifo $T/ready
python3 -c "
import mmap, os, time
held = os.open('$T/fuse/file', os.O_RDONLY)
fd = os.open('/dev/shm/used', os.O_RDONLY); m = mmap.mmap(fd, 4096, prot=mmap.PROT_READ); os.close(fd)
open('$T/ready', 'w').write('ready\n')
time.sleep(300)" &
read x < $T/ready
HOLDER=$!
touch $T/silence
for f in /proc/$HOLDER/fd/*; do case $(readlink $f) in */fuse/file) held=$f;; esac; done
echo "== control"; timeout -s KILL 3 stat -L -c %i $held || echo "stat: exit $?"
echo "== list"
timeout -s KILL 10 $SHMTOOL list --kind posix -v --format csv --columns name,nattch 2>&1 || echo "exit $?"
echo "== fleet"
timeout -s KILL 10 $SHMTOOL list -A --kind all --format prometheus > $T/prom 2>&1 || echo "exit $?"
grep -c '^shmtool_' $T/prom >/dev/null && echo metrics
"#
    ));
    assert_eq!(
        section(&out, "control"),
        "stat: exit 137\n",
        "a plain stat of the descriptor waits for the server"
    );
    assert_eq!(section(&out, "list"), "name,nattch\n/used,1\n");
    assert_eq!(section(&out, "fleet"), "metrics\n");
}

/// A process root cannot read: root without CAP_SYS_PTRACE (a confined
/// service), or root of a user namespace (a container's), meets a
/// non-dumpable process of uid 65534 in a user namespace of its own that
/// maps an object. `-v` names it (pid, uid, why, command) and no line tells
/// root to run as root. Root with CAP_SYS_PTRACE on the host reads it.
#[test]
fn root_is_told_which_processes_it_could_not_inspect_and_never_to_become_root() {
    let out = posix_sh(
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
echo "== pid"; cat $T/pid
# CAP_SYS_ADMIN and CAP_PERFMON pass the ptrace read check too.
echo "== nocap"; setpriv --bounding-set -sys_ptrace,-sys_admin,-perfmon $SHMTOOL list --kind posix -v 2>&1 >/dev/null
echo "== userns"; unshare -U --map-root-user $SHMTOOL list -A --kind posix -v 2>&1 >/dev/null
echo "== root"; $SHMTOOL list --kind posix -v --format csv --columns name,nattch 2>&1
kill $(cat $T/pid)
"#,
    );
    let pid = section(&out, "pid").trim();
    let nocap = section(&out, "nocap");
    assert!(
        nocap.contains(&format!(
            "shmtool: list: not inspected: pid {pid}, uid 65534, non-dumpable: permission denied reading /proc/{pid}/maps (another user's process, and this one lacks CAP_SYS_PTRACE); command: /usr/bin/python3 -c "
        )),
        "{nocap}"
    );
    // sh, root's too, holds capabilities it no longer has.
    assert!(
        nocap.contains(
            "shmtool: list: not inspected: pid 1, uid 0: permission denied reading /proc/1/maps (it holds capabilities this process lacks, and this one lacks CAP_SYS_PTRACE); command: sh -ec "
        ),
        "{nocap}"
    );
    assert!(
        nocap.contains("shmtool: list: 2 processes could not be inspected: ")
            && nocap.ends_with("; hint: give shmtool CAP_SYS_PTRACE to inspect them\n"),
        "{nocap}"
    );
    let userns = section(&out, "userns");
    assert!(
        userns.contains(&format!(
            "shmtool: list: not inspected: pid {pid}, uid 65534, non-dumpable: permission denied reading /proc/{pid}/ns/ipc (this process has CAP_SYS_PTRACE only in a user namespace (a container's) that does not own that process); command: /usr/bin/python3 -c "
        )),
        "{userns}"
    );
    assert!(
        userns.contains("hint: run shmtool on the host, outside this user namespace"),
        "{userns}"
    );
    // sh (pid 1) and python: each named once, though two scans met them.
    for text in [nocap, userns] {
        assert_eq!(text.matches("not inspected: pid ").count(), 2, "{text}");
        assert!(!text.contains("run as root"), "root is root: {text}");
    }
    assert_eq!(section(&out, "root"), "name,nattch\n/held,1\n");
}

/// As a user, root's processes cannot be inspected: `--orphaned` removes
/// nothing (unknown is not unused), and says why in its summary; with
/// `--assume-hidden-unused` use is judged from the processes the user can
/// inspect: its unused object goes, the one its own process maps stays,
/// and root's object is not its to remove.
#[test]
fn assume_hidden_unused_lets_a_user_remove_its_unused_objects() {
    let out = posix_sh(
        r#"
for n in unused used; do
    $SHMTOOL create --name $n --size 100 >/dev/null
    chown 65534:65534 /dev/shm/$n
done
$SHMTOOL create --name roots --size 100 --mode 666 >/dev/null
sleep 600 & R=$!
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
setpriv --reuid 65534 --regid 65534 --clear-groups /usr/bin/python3 -c '
import mmap, os, time
m = mmap.mmap(os.open("/dev/shm/used", os.O_RDWR), 100)
print(os.getpid(), flush=True)
time.sleep(600)' > $T/pid &
until [ -s $T/pid ]; do sleep 0.02; done
echo "== root pid"; echo $R
echo "== default"; as_nobody $SHMTOOL remove --kind posix --orphaned 2>&1
echo "== kept"; ls /dev/shm
echo "== dry"; as_nobody $SHMTOOL remove --kind posix --orphaned --assume-hidden-unused --dry-run 2>&1 >/dev/null
echo "== opt-in"; as_nobody $SHMTOOL remove --kind posix --orphaned --assume-hidden-unused -v 2>&1
echo "== left"; ls /dev/shm
kill $R $(cat $T/pid)
"#,
    );
    // The user cannot inspect sh (pid 1) and root's sleep.
    let blind = "2 processes could not be inspected";
    assert_eq!(
        section(&out, "default"),
        format!(
            "shmtool: remove: removed 0; {blind}: objects they may use were kept (--assume-hidden-unused judges use from the processes inspected); hint: run as root to inspect them\n"
        )
    );
    assert_eq!(section(&out, "kept"), "roots\nunused\nused\n");
    assert_eq!(
        section(&out, "dry"),
        format!(
            "shmtool: remove: dry run: 1 POSIX object(s) would be removed, 1 skipped (owned by others, permission denied); {blind}, taken as using nothing (--assume-hidden-unused); nothing changed\n"
        )
    );
    let opt_in = section(&out, "opt-in");
    let root_pid = section(&out, "root pid").trim();
    for pid in ["1", root_pid] {
        assert!(
            opt_in.contains(&format!(
                "not inspected: pid {pid}, uid 0: permission denied reading /proc/{pid}/maps (another user's process, and this one lacks CAP_SYS_PTRACE)"
            )),
            "{opt_in}"
        );
    }
    assert!(opt_in.contains("removed /unused\n"), "{opt_in}");
    assert!(
        opt_in.ends_with(&format!(
            "shmtool: remove: removed 1, 1 skipped (owned by others, permission denied); {blind}, taken as using nothing (--assume-hidden-unused)\n"
        )),
        "{opt_in}"
    );
    assert_eq!(section(&out, "left"), "roots\nused\n");
}

#[test]
fn sem_names_are_refused_and_an_id_that_is_a_name_points_to_name() {
    // glibc's sem_open owns sem.*: an object made so would be invisible to
    // every other command (they skip semaphores).
    let out = posix_sh(
        r#"
echo "== create"; $SHMTOOL create --name sem.x --size 10 2>&1 && echo "exit 0" || echo "exit $?"
echo "== left"; ls /dev/shm
echo "== info"; $SHMTOOL info /frames 2>&1 && echo "exit 0" || echo "exit $?"
"#,
    );
    let create = section(&out, "create");
    assert!(
        create.starts_with("shmtool: create: ")
            && create.contains("sem.* names are POSIX semaphores")
            && create.ends_with("exit 2\n")
            && create.lines().count() == 2,
        "{create}"
    );
    assert_eq!(section(&out, "left"), "", "nothing was created");
    let info = section(&out, "info");
    assert!(
        info.contains("'/frames' is not a segment id")
            && info.contains("--name /frames")
            && info.ends_with("exit 2\n"),
        "{info}"
    );
}
