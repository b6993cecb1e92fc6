#!/usr/bin/env bash
# The side-by-side benchmark: shmtool against ipcs, lsipc, ipcrm and cat, in
# one run, inside private IPC and mount namespaces that it fills itself.
#
#   bench/run.sh            as root; writes the results into BENCHMARKS.md
#   bench/run.sh --quick    fewer runs and no 1 GiB scale point, for a try
#   bench/run.sh --posix-only   only list --kind posix against ls -ln; prints the ratio
#
# Needs: cargo, cc, python3; installs hyperfine and GNU time from Debian's
# packages when missing. Timing is never asserted in cargo test: this is
# where the performance targets are checked.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ "$(id -u)" != 0 ]; then
    echo "bench/run.sh: run as root: it makes private IPC namespaces and raises shmmni in them" >&2
    exit 1
fi

if [ -z "${SHMTOOL_BENCH_INNER:-}" ]; then
    missing=()
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    [ -x /usr/bin/time ] || missing+=(time)
    command -v cc >/dev/null || missing+=(gcc)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "bench/run.sh: installing ${missing[*]}" >&2
        apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    cargo build --release --quiet
    cargo build --release --quiet --example clap_floor
    mkdir -p target/bench
    cc -O2 -Wall -o target/bench/populate bench/populate.c
    cc -O2 -Wall -o target/bench/copy_floor bench/copy_floor.c
    rustc --edition 2021 -C opt-level=3 -C panic=abort -C lto -C codegen-units=1 -C strip=symbols \
        -o target/bench/startup_floor bench/startup_floor.rs
    export SHMTOOL_BENCH_INNER=1
    # A private IPC namespace for the segments, a private mount namespace for the tmpfs.
    exec unshare --ipc --mount --propagation private "$0" "$@"
fi

QUICK=${1:-}
RUNS=10
DATA_RUNS=25
[ "$QUICK" = --quick ] || [ "$QUICK" = --posix-only ] && RUNS=3 && DATA_RUNS=3
SHMTOOL=$ROOT/target/release/shmtool
POPULATE=$ROOT/target/bench/populate
WORK=$(mktemp -d /tmp/shmtool-bench.XXXXXX)
mount -t tmpfs -o size=8g shmtool-bench "$WORK"
# POSIX objects live on a tmpfs of this mount namespace, never the host's /dev/shm.
mount -t tmpfs -o size=2g shmtool-bench-shm /dev/shm
mkdir -p "$WORK/json"
RESULTS=$WORK/json
export LC_ALL=C
# Three other people share this machine's two cores: the load goes in the report.
cut -d' ' -f1-3 /proc/loadavg > "$RESULTS/load_start"

# bench NAME [hyperfine options] -n NAME COMMAND...: medians go to $RESULTS/NAME.json
bench() {
    local name=$1
    shift
    hyperfine --style basic --warmup 2 --runs "$RUNS" \
        --export-json "$RESULTS/$name.json" "$@" >&2
}

fill_namespace() { # COUNT [OWNERS: mixed or root]
    echo 32768 > /proc/sys/kernel/shmmni
    "$SHMTOOL" remove --all --yes >/dev/null 2>&1 || true
    "$POPULATE" "$1" 4096 "${2:-mixed}"
}

# list --kind posix over 10,000 objects while 200 processes hold objects
# open (each is also scanned for mappings), against ls -ln, in a tmpfs of
# this mount namespace's own on /dev/shm.
bench_posix() {
    mount -t tmpfs -o size=1g shmtool-bench-shm /dev/shm
    python3 -c '
import os
for i in range(10000):
    fd = os.open(f"/dev/shm/psm_{i:05d}", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.ftruncate(fd, 4096 * (1 + i % 4))
    os.close(fd)'
    local pids=()
    for i in $(seq 200); do
        sleep infinity 3<"/dev/shm/psm_$(printf %05d "$i")" &
        pids+=($!)
    done
    "$SHMTOOL" list --kind posix --format csv --columns nattch | sort | uniq -c | grep -q ' 200 1$' \
        || { echo "list --kind posix does not see the 200 holders" >&2; exit 1; }
    bench list_posix -S bash -n shmtool "$SHMTOOL list --kind posix" -n ls "ls -ln /dev/shm"
    kill "${pids[@]}"
    wait "${pids[@]}" 2>/dev/null || true
    umount /dev/shm
}
if [ "$QUICK" = --posix-only ]; then
    bench_posix
    python3 -c "
import json; d = json.load(open('$RESULTS/list_posix.json'))
m = {r['command']: r['median'] for r in d['results']}
print('list --kind posix: %.1f ms, ls -ln: %.1f ms, ratio %.2f' % (m['shmtool'] * 1e3, m['ls'] * 1e3, m['shmtool'] / m['ls']))"
    umount "$WORK"; rmdir "$WORK"
    exit 0
fi

echo "== list --kind posix, 10,000 objects, 200 processes" >&2
bench_posix

for owners in root mixed; do
    echo "== list, 32,000 segments, $owners owners" >&2
    fill_namespace 32000 "$owners"
    "$SHMTOOL" list --format ipcs | cmp - <(ipcs -m) >&2 || { echo "ipcs format differs from ipcs -m" >&2; exit 1; }
    # Output through a pipe, as `list | ...` is used; the same for every command.
    # Floors: walk-floor reads the table with the shmctl walk and prints one
    # column; proc-floor reads and parses /proc (rss) and prints one column.
    bench "list_$owners" -S bash --output=pipe -n table "$SHMTOOL list" -n ipcs "$SHMTOOL list --format ipcs" \
        -n json "$SHMTOOL list --format json" -n cat "cat /proc/sysvipc/shm" -n ipcs-m "ipcs -m" \
        -n walk-floor "$SHMTOOL list --format raw --columns shmid" \
        -n proc-floor "$SHMTOOL list --format raw --columns rss"
done
bench list_json_lsipc -S bash -n shmtool "$SHMTOOL list --format json" -n lsipc "lsipc -m --json"

echo "== remove all, 32,000 segments" >&2
# Each run starts from a full namespace: --prepare refills it, untimed.
# Twice the runs: this row moves most between runs on this machine.
hyperfine --style basic --shell=bash --runs $((RUNS * 2)) --export-json "$RESULTS/remove_all.json" \
    --prepare "$SHMTOOL remove --all --yes >/dev/null 2>&1; $POPULATE 32000" \
    -n shmtool "$SHMTOOL remove --all --yes" -n ipcrm "ipcrm --all=shm" >&2

echo "== start-up, empty namespace" >&2
"$SHMTOOL" remove --all --yes >/dev/null 2>&1 || true
# Milliseconds each: many runs, or the noise is larger than the difference.
# The floors: a Rust program that only prints the header (bench/startup_floor.rs),
# and one that also parses shmtool's clap definition and loads libm as shmtool
# does (examples/clap_floor.rs): all that comes before shmtool's own work.
hyperfine --style basic -N --warmup 50 --runs 200 --export-json "$RESULTS/startup.json" \
    -n shmtool "$SHMTOOL list" -n ipcs "ipcs -m" -n rust-floor "$ROOT/target/bench/startup_floor" \
    -n clap-floor "$ROOT/target/release/examples/clap_floor list" >&2

echo "== 1 GiB data" >&2
SIZE=$((1 << 30))
head -c "$SIZE" /dev/urandom > "$WORK/f"
ID=$("$SHMTOOL" create --key 0xb16 --size "$SIZE")
"$SHMTOOL" attach-write --id "$ID" --file "$WORK/f"
"$SHMTOOL" read --id "$ID" | cmp - "$WORK/f" >&2 || { echo "1 GiB round trip differs" >&2; exit 1; }
"$SHMTOOL" read --id "$ID" > "$WORK/out" && cmp "$WORK/out" "$WORK/f" >&2 || { echo "1 GiB read to a file differs" >&2; exit 1; }
# The kernel's sendfile between two files, without shmtool (bench/copy_floor.c).
COPY_FLOOR=$ROOT/target/bench/copy_floor
data() { # NAME [hyperfine options]: the data cases run more pairs, each from the same state
    local name=$1
    shift
    hyperfine --style basic --warmup 1 --runs "$DATA_RUNS" --export-json "$RESULTS/$name.json" "$@" >&2
}
# The floor of a copy out of the mapping: mapping every page (populate) and
# writing to /dev/null, which copies nothing.
data read_pipe -S bash -n shmtool "$SHMTOOL read --id $ID | cat >/dev/null" -n cat "cat $WORK/f | cat >/dev/null" \
    -n map-only "$SHMTOOL read --id $ID >/dev/null"
# The sink's state decides the figure: no file (freshly created), or a 1 GiB
# file to truncate. --prepare gives every run the same one, untimed.
# alloc-only: what allocating the sink's 1 GiB of tmpfs pages costs alone
# (fallocate copies nothing), a floor every writer of a new file pays.
data read_file_new -S bash --prepare "rm -f $WORK/out" \
    -n shmtool "$SHMTOOL read --id $ID > $WORK/out" -n cat "cat $WORK/f > $WORK/out" \
    -n alloc-only "fallocate -l $SIZE $WORK/out" \
    -n write-floor "dd if=/dev/zero of=$WORK/out bs=1M count=1024 status=none"
data read_file_full -S bash --prepare "rm -f $WORK/out; cp $WORK/f $WORK/out" \
    -n shmtool "$SHMTOOL read --id $ID > $WORK/out" -n cat "cat $WORK/f > $WORK/out" \
    -n write-floor "dd if=/dev/zero of=$WORK/out bs=1M count=1024 status=none"
rm -f "$WORK/out"
# copy-floor: the kernel's sendfile from f into a tmpfs file that has its
# pages already, as attach-write copies into the segment's (bench/copy_floor.c);
# zero-floor: the same pages written from a source that costs nothing (zeros).
cp "$WORK/f" "$WORK/held"
data write_file_new -S bash --prepare "rm -f $WORK/g" \
    -n shmtool "$SHMTOOL attach-write --id $ID --file $WORK/f" -n cat "cat $WORK/f > $WORK/g" \
    -n copy-floor "$COPY_FLOOR $WORK/f $WORK/held" \
    -n zero-floor "dd if=/dev/zero of=$WORK/held bs=1M count=1024 conv=notrunc status=none"
data write_file_full -S bash --prepare "rm -f $WORK/g; cp $WORK/f $WORK/g" \
    -n shmtool "$SHMTOOL attach-write --id $ID --file $WORK/f" -n cat "cat $WORK/f > $WORK/g" \
    -n copy-floor "$COPY_FLOOR $WORK/f $WORK/held"
rm -f "$WORK/g" "$WORK/held"
# POSIX objects (`read --name`), with the same write floors as above.
POSIX=
if "$SHMTOOL" read --help 2>/dev/null | grep -q -- '--name'; then
    POSIX=1
    cp "$WORK/f" /dev/shm/shmtool-bench
    "$SHMTOOL" read --name /shmtool-bench | cmp - "$WORK/f" >&2 || { echo "POSIX read differs" >&2; exit 1; }
    data posix_read_file_new -S bash --prepare "rm -f $WORK/out" \
        -n shmtool "$SHMTOOL read --name /shmtool-bench > $WORK/out" -n cat "cat /dev/shm/shmtool-bench > $WORK/out" \
        -n write-floor "dd if=/dev/zero of=$WORK/out bs=1M count=1024 status=none" \
        -n copy-floor "$COPY_FLOOR /dev/shm/shmtool-bench /dev/stdout > $WORK/out"
    data posix_read_file_full -S bash --prepare "rm -f $WORK/out; cp $WORK/f $WORK/out" \
        -n shmtool "$SHMTOOL read --name /shmtool-bench > $WORK/out" -n cat "cat /dev/shm/shmtool-bench > $WORK/out" \
        -n write-floor "dd if=/dev/zero of=$WORK/out bs=1M count=1024 status=none" \
        -n copy-floor "$COPY_FLOOR /dev/shm/shmtool-bench /dev/stdout > $WORK/out"
    rm -f "$WORK/out"
fi

echo "== peak memory" >&2
peak() { # peak RSS in KiB of a command
    /usr/bin/time -f %M -o "$WORK/rss" bash -c "$1" >/dev/null 2>&1
    cat "$WORK/rss"
}
PEAK_READ=$(peak "$SHMTOOL read --id $ID > $WORK/out")
rm -f "$WORK/out"
PEAK_READ_PIPE=$(peak "$SHMTOOL read --id $ID | cat > /dev/null")
PEAK_WRITE=$(peak "$SHMTOOL attach-write --id $ID --file $WORK/f")
PEAK_WRITE_STDIN=$(peak "$SHMTOOL attach-write --id $ID < $WORK/f")
PEAK_POSIX=null
if [ -n "$POSIX" ]; then
    PEAK_POSIX=$(peak "$SHMTOOL read --name /shmtool-bench > $WORK/out")
    rm -f "$WORK/out" /dev/shm/shmtool-bench
fi
echo "{\"size_kib\": $((SIZE / 1024)), \"read_file\": $PEAK_READ, \"read_pipe\": $PEAK_READ_PIPE, \"write_file\": $PEAK_WRITE, \"write_stdin\": $PEAK_WRITE_STDIN, \"posix_read_file\": $PEAK_POSIX}" > "$RESULTS/memory.json"
"$SHMTOOL" remove --id "$ID"
rm -f "$WORK/f"

echo "== scale" >&2
SCALE_RUNS=$RUNS
for n in 1000 8000 32000; do
    fill_namespace "$n" root
    hyperfine --style basic --shell=bash --warmup 1 --runs "$SCALE_RUNS" --export-json "$RESULTS/scale_list_$n.json" \
        -n table "$SHMTOOL list" -n ipcs "$SHMTOOL list --format ipcs" -n json "$SHMTOOL list --format json" \
        -n cat "cat /proc/sysvipc/shm" >&2
    hyperfine --style basic --shell=bash --runs "$SCALE_RUNS" --export-json "$RESULTS/scale_remove_$n.json" \
        --prepare "$SHMTOOL remove --all --yes >/dev/null 2>&1; $POPULATE $n" \
        -n remove "$SHMTOOL remove --all --yes" >&2
done
"$SHMTOOL" remove --all --yes >/dev/null 2>&1 || true
# 1 GiB is measured above; these show how the ratio moves with size.
for size in 1048576 67108864; do
    head -c "$size" /dev/urandom > "$WORK/f"
    ID=$("$SHMTOOL" create --key 0x5ca1e --size "$size")
    "$SHMTOOL" attach-write --id "$ID" --file "$WORK/f"
    hyperfine --style basic --shell=bash --warmup 1 --runs "$SCALE_RUNS" --export-json "$RESULTS/scale_data_$size.json" \
        --prepare "rm -f $WORK/out" \
        -n read "$SHMTOOL read --id $ID > $WORK/out" -n write "$SHMTOOL attach-write --id $ID --file $WORK/f" \
        -n cat "cat $WORK/f > $WORK/out" >&2
    "$SHMTOOL" remove --id "$ID"
    rm -f "$WORK/f" "$WORK/out"
done

echo "== list -A, 50 namespaces of 100 segments" >&2
RUNS=$RUNS "$ROOT/bench/fleet.sh" "$RESULTS/fleet_list.json"

cut -d' ' -f1-3 /proc/loadavg > "$RESULTS/load_end"
python3 "$ROOT/bench/report.py" "$RESULTS" "$ROOT/BENCHMARKS.md" "$QUICK"
umount /dev/shm
umount "$WORK"
rmdir "$WORK"
