#!/usr/bin/env bash
# list -A over 50 IPC namespaces of 100 segments each, against one process
# (bench/nsread.c) reading /proc/sysvipc/shm in each namespace in turn.
# Target: at most 1.5x. Runs in a private pid namespace with its own /proc,
# so -A sees only the namespaces made here. Called by bench/run.sh; alone:
#   bench/fleet.sh   (as root, after cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
if [ -z "${SHMTOOL_FLEET_INNER:-}" ]; then
    mkdir -p target/bench
    cc -O2 -Wall -o target/bench/populate bench/populate.c
    cc -O2 -Wall -o target/bench/nsread bench/nsread.c
    export SHMTOOL_FLEET_INNER=1
    exec unshare --ipc --mount --pid --fork --mount-proc "$0" "$@"
fi
SHMTOOL=$ROOT/target/release/shmtool
RUNS=${RUNS:-10}
OUT=${1:-/dev/null}
pids=()
for i in $(seq 50); do
    unshare --ipc sh -c "$ROOT/target/bench/populate 100 && exec sleep 600" &
    pids+=($!)
done
for p in "${pids[@]}"; do
    until [ "$(cat /proc/$p/comm 2>/dev/null)" = sleep ]; do sleep 0.02; done
done
files=$(for p in "${pids[@]}"; do printf '/proc/%s/ns/ipc ' "$p"; done)
rows=$("$SHMTOOL" list -A --format raw | wc -l)
[ "$rows" = 5000 ] || { echo "bench/fleet.sh: list -A saw $rows rows, not 5000" >&2; exit 1; }
hyperfine --style basic -N --warmup 3 --runs "$RUNS" --export-json "$OUT" \
    -n shmtool "$SHMTOOL list -A" -n nsread "$ROOT/target/bench/nsread $files" >&2
kill "${pids[@]}"
