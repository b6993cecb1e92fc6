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
    mkdir -p target/bench
    cc -O2 -Wall -o target/bench/populate bench/populate.c
    export SHMTOOL_BENCH_INNER=1
    # A private IPC namespace for the segments, a private mount namespace for the tmpfs.
    exec unshare --ipc --mount --propagation private "$0" "$@"
fi

QUICK=${1:-}
RUNS=10
[ "$QUICK" = --quick ] || [ "$QUICK" = --posix-only ] && RUNS=3
SHMTOOL=$ROOT/target/release/shmtool
POPULATE=$ROOT/target/bench/populate
WORK=$(mktemp -d /tmp/shmtool-bench.XXXXXX)
mount -t tmpfs -o size=8g shmtool-bench "$WORK"
mkdir -p "$WORK/json"
RESULTS=$WORK/json
export LC_ALL=C

# bench NAME [hyperfine options] -n NAME COMMAND...: medians go to $RESULTS/NAME.json
bench() {
    local name=$1
    shift
    hyperfine --style basic --warmup 2 --runs "$RUNS" \
        --export-json "$RESULTS/$name.json" "$@" >&2
}

fill_namespace() { # COUNT
    echo "${1}" > /dev/null
    echo 32768 > /proc/sys/kernel/shmmni
    "$SHMTOOL" remove --all --yes >/dev/null 2>&1 || true
    "$POPULATE" "$1"
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

echo "== list, 32,000 segments" >&2
fill_namespace 32000
"$SHMTOOL" list --format ipcs | cmp - <(ipcs -m) >&2 || { echo "ipcs format differs from ipcs -m" >&2; exit 1; }
bench list_table -S bash -n shmtool "$SHMTOOL list" -n ipcs "ipcs -m"
bench list_ipcs -S bash -n shmtool "$SHMTOOL list --format ipcs" -n cat "cat /proc/sysvipc/shm" -n ipcs "ipcs -m"
bench list_json -S bash -n shmtool "$SHMTOOL list --format json" -n lsipc "lsipc -m --json"

echo "== remove all, 32,000 segments" >&2
# Each run starts from a full namespace: --prepare refills it, untimed.
hyperfine --style basic --shell=bash --runs "$RUNS" --export-json "$RESULTS/remove_all.json" \
    --prepare "$SHMTOOL remove --all --yes >/dev/null 2>&1; $POPULATE 32000" \
    -n shmtool "$SHMTOOL remove --all --yes" -n ipcrm "ipcrm --all=shm" >&2

echo "== start-up, empty namespace" >&2
"$SHMTOOL" remove --all --yes >/dev/null 2>&1 || true
# Milliseconds each: many runs, or the noise is larger than the difference.
hyperfine --style basic -N --warmup 50 --runs 500 --export-json "$RESULTS/startup.json" \
    -n shmtool "$SHMTOOL list" -n ipcs "ipcs -m" >&2

echo "== 1 GiB data" >&2
SIZE=$((1 << 30))
head -c "$SIZE" /dev/urandom > "$WORK/f"
ID=$("$SHMTOOL" create --key 0xb16 --size "$SIZE")
"$SHMTOOL" attach-write --id "$ID" --file "$WORK/f"
"$SHMTOOL" read --id "$ID" | cmp - "$WORK/f" >&2 || { echo "1 GiB round trip differs" >&2; exit 1; }
bench read_pipe -S bash -n shmtool "$SHMTOOL read --id $ID | cat >/dev/null" -n cat "cat $WORK/f | cat >/dev/null"
bench read_file -S bash -n shmtool "$SHMTOOL read --id $ID > $WORK/out" -n cat "cat $WORK/f > $WORK/out"
rm -f "$WORK/out"
bench write_file -S bash -n shmtool "$SHMTOOL attach-write --id $ID --file $WORK/f" -n cat "cat $WORK/f > $WORK/g"
rm -f "$WORK/g"

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
echo "{\"size_kib\": $((SIZE / 1024)), \"read_file\": $PEAK_READ, \"read_pipe\": $PEAK_READ_PIPE, \"write_file\": $PEAK_WRITE, \"write_stdin\": $PEAK_WRITE_STDIN}" > "$RESULTS/memory.json"
"$SHMTOOL" remove --id "$ID"
rm -f "$WORK/f"

echo "== scale" >&2
SCALE_RUNS=$RUNS
for n in 1000 8000 32000; do
    fill_namespace "$n"
    hyperfine --style basic --shell=bash --warmup 1 --runs "$SCALE_RUNS" --export-json "$RESULTS/scale_list_$n.json" \
        -n table "$SHMTOOL list" -n ipcs "$SHMTOOL list --format ipcs" -n json "$SHMTOOL list --format json" \
        -n cat "cat /proc/sysvipc/shm" >&2
    hyperfine --style basic --shell=bash --runs "$SCALE_RUNS" --export-json "$RESULTS/scale_remove_$n.json" \
        --prepare "$SHMTOOL remove --all --yes >/dev/null 2>&1; $POPULATE $n" \
        -n remove "$SHMTOOL remove --all --yes" >&2
done
"$SHMTOOL" remove --all --yes >/dev/null 2>&1 || true
SIZES="1048576 67108864 1073741824"
[ "$QUICK" = --quick ] && SIZES="1048576 67108864"
for size in $SIZES; do
    head -c "$size" /dev/urandom > "$WORK/f"
    ID=$("$SHMTOOL" create --key 0x5ca1e --size "$size")
    "$SHMTOOL" attach-write --id "$ID" --file "$WORK/f"
    hyperfine --style basic --shell=bash --warmup 1 --runs "$SCALE_RUNS" --export-json "$RESULTS/scale_data_$size.json" \
        -n read "$SHMTOOL read --id $ID > $WORK/out" -n write "$SHMTOOL attach-write --id $ID --file $WORK/f" \
        -n cat "cat $WORK/f > $WORK/out" >&2
    "$SHMTOOL" remove --id "$ID"
    rm -f "$WORK/f" "$WORK/out"
done

echo "== list -A, 50 namespaces of 100 segments" >&2
RUNS=$RUNS "$ROOT/bench/fleet.sh" "$RESULTS/fleet_list.json"

python3 "$ROOT/bench/report.py" "$RESULTS" "$ROOT/BENCHMARKS.md" "$QUICK"
umount "$WORK"
rmdir "$WORK"
