"""Turns bench/run.sh's hyperfine results into the results section of BENCHMARKS.md.

usage: report.py RESULTS_DIR BENCHMARKS.md [--quick]

Only the part between the results markers is rewritten; the notes around it
(the profile, what changed) are kept.
"""
import datetime
import json
import os
import platform
import subprocess
import sys

START = "<!-- results:start (written by bench/run.sh) -->"
END = "<!-- results:end -->"

CASES = [
    # (file, label, ours, theirs, target ratio or None for "reported, no target")
    ("list_root", "list (table, to a pipe) vs cat /proc/sysvipc/shm, 32,000 root-owned", "table", "cat", 0.5),
    ("list_root", "list --format ipcs vs ipcs -m, root-owned", "ipcs", "ipcs-m", 0.25),
    ("list_root", "list --format json (every field) vs cat /proc/sysvipc/shm, root-owned", "json", "cat", 1.3),
    ("list_mixed", "list (table, to a pipe) vs cat /proc/sysvipc/shm, mixed owners", "table", "cat", None),
    ("list_mixed", "list --format ipcs vs ipcs -m, mixed owners", "ipcs", "ipcs-m", None),
    ("list_mixed", "list --format json vs cat /proc/sysvipc/shm, mixed owners", "json", "cat", None),
    ("list_json_lsipc", "list --format json vs lsipc -m --json, mixed owners", "shmtool", "lsipc", 0.25),
    ("remove_all", "remove --all vs ipcrm --all=shm, 32,000 segments", "shmtool", "ipcrm", 1.1),
    ("startup", "start-up, empty namespace: list vs ipcs -m (200 runs)", "shmtool", "ipcs", 1.2),
    ("read_file_new", "read 1 GiB to a tmpfs file vs cat f > out, no file before", "shmtool", "cat", 0.7),
    ("read_file_full", "read 1 GiB to a tmpfs file vs cat f > out, a 1 GiB file to truncate", "shmtool", "cat", 0.7),
    ("read_pipe", "read 1 GiB into a pipe vs cat f \\| cat (a real copy)", "shmtool", "cat", 0.9),
    ("write_file_new", "attach-write --file 1 GiB vs cat f > g, no g before", "shmtool", "cat", 0.7),
    ("write_file_full", "attach-write --file 1 GiB vs cat f > g, a 1 GiB g to truncate", "shmtool", "cat", 0.7),
    ("posix_read_file_new", "POSIX read --name 1 GiB to a tmpfs file vs cat, no file before", "shmtool", "cat", 0.7),
    ("posix_read_file_full", "POSIX read --name 1 GiB to a tmpfs file vs cat, a 1 GiB file to truncate", "shmtool", "cat", 0.7),
    ("list_posix", "list --kind posix, 10,000 objects, 200 processes vs ls -ln /dev/shm", "shmtool", "ls", 2.0),
    ("fleet_list", "list -A, 50 IPC namespaces of 100 segments vs one process reading /proc/sysvipc/shm in each (bench/nsread.c)", "shmtool", "nsread", 1.5),
]


def medians(path):
    with open(path) as f:
        data = json.load(f)
    return {r["command"]: r["median"] for r in data["results"]}


FLOORS = [
    # (file, command, label, the other tool's command in that run)
    ("startup", "rust-floor", "start-up: a Rust program that only prints the header (bench/startup_floor.rs), vs ipcs -m", "ipcs"),
    ("startup", "clap-floor", "start-up: the same, after parsing shmtool's clap definition and loading libm as shmtool does (examples/clap_floor.rs), vs ipcs -m", "ipcs"),
    ("read_pipe", "map-only", "read 1 GiB to /dev/null (maps every page, copies nothing), vs cat f \\| cat", "cat"),
    ("read_file_new", "alloc-only", "fallocate 1 GiB in tmpfs (the new sink's pages, no copy), vs cat f > out", "cat"),
    ("read_file_new", "write-floor", "dd 1 GiB of zeros (a cache-hot source) into a new tmpfs file, vs cat f > out", "cat"),
    ("read_file_full", "write-floor", "dd 1 GiB of zeros into a 1 GiB tmpfs file it truncates, vs cat f > out", "cat"),
    ("write_file_new", "copy-floor", "sendfile 1 GiB from f into a tmpfs file that has its pages (bench/copy_floor.c), vs cat f > g", "cat"),
    ("write_file_new", "zero-floor", "dd 1 GiB of zeros into a tmpfs file that has its pages (no source to read), vs cat f > g", "cat"),
    ("write_file_full", "copy-floor", "sendfile 1 GiB from f into a tmpfs file that has its pages, vs cat f > g (g to truncate)", "cat"),
    ("posix_read_file_new", "write-floor", "dd 1 GiB of zeros into a new tmpfs file, vs cat of the POSIX object > out", "cat"),
    ("posix_read_file_full", "write-floor", "dd 1 GiB of zeros into a 1 GiB tmpfs file it truncates, vs cat of the POSIX object > out", "cat"),
    ("posix_read_file_new", "copy-floor", "the kernel's sendfile of the object into a new tmpfs file, no shmtool, vs cat of the object > out", "cat"),
    ("posix_read_file_full", "copy-floor", "the same into a 1 GiB tmpfs file it truncates, vs cat of the object > out", "cat"),
    ("list_root", "walk-floor", "list --format raw --columns shmid (the shmctl walk, one column), root-owned, vs cat /proc", "cat"),
    ("list_root", "proc-floor", "list --format raw --columns rss (read and parse /proc, one column), root-owned, vs cat /proc", "cat"),
]

# The floor that bounds a case, measured in the same hyperfine run: a case
# not met is "floor-bound" when its floor alone is above the target.
FLOOR_OF = {
    ("list_root", "json"): "proc-floor",
    ("startup", "shmtool"): "clap-floor",
    ("read_file_new", "shmtool"): "write-floor",
    ("read_file_full", "shmtool"): "write-floor",
    ("write_file_new", "shmtool"): "copy-floor",
    ("write_file_full", "shmtool"): "copy-floor",
    ("posix_read_file_new", "shmtool"): "write-floor",
    ("posix_read_file_full", "shmtool"): "write-floor",
}


def load(results, name):
    try:
        with open(os.path.join(results, name)) as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    with open("/proc/meminfo") as f:
        kib = int(f.readline().split()[1])
        mem = f"{kib / 1024 / 1024:.0f} GiB"
    tools = []
    for cmd in (["ipcs", "-V"], ["hyperfine", "--version"]):
        try:
            tools.append(subprocess.run(cmd, capture_output=True, text=True).stdout.strip())
        except OSError:
            pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem} memory, Linux {platform.release()}, "
        + ", ".join(tools)
    )


def report(results, quick):
    today = datetime.date.today().isoformat()
    out = [
        START,
        "",
        f"Run on {today} on {machine()}{' (--quick: 3 runs each)' if quick else ''}.",
        f"Load average (1, 5, 15 min) at the start: {load(results, 'load_start')}; at the end: {load(results, 'load_end')} "
        "(the machine's two cores are shared with other work).",
        "Command: `sudo bench/run.sh`. Medians of hyperfine's runs (list cases 10, remove 20, data cases 25, start-up 200); "
        "ratio = shmtool / the other tool.",
        "",
        "| case | shmtool | other | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for name, label, ours, theirs, target in CASES:
        path = os.path.join(results, name + ".json")
        if not os.path.exists(path):
            continue
        m = medians(path)
        ratio = m[ours] / m[theirs]
        if target is None:
            out.append(f"| {label} | {ms(m[ours])} | {ms(m[theirs])} | {ratio:.2f} | (reported) | |")
            continue
        met = "yes" if ratio <= target else "**no**"
        floor_name = FLOOR_OF.get((name, ours))
        floor = m.get(floor_name)
        if ratio > target and floor is not None and floor / m[theirs] > target:
            met = f"**no**: floor-bound ({floor_name} {floor / m[theirs]:.2f})"
        out.append(f"| {label} | {ms(m[ours])} | {ms(m[theirs])} | {ratio:.2f} | ≤ {target} | {met} |")
    if not os.path.exists(os.path.join(results, "posix_read_file_new.json")):
        out.append("| POSIX read --name 1 GiB to a tmpfs file vs cat | | | | ≤ 0.7 | not run: this build has no `read --name` |")
    floors = []
    for name, command, label, versus in FLOORS:
        path = os.path.join(results, name + ".json")
        if os.path.exists(path):
            m = medians(path)
            if command in m:
                floors.append(f"| {label} | {ms(m[command])} | {ms(m[versus])} | {m[command] / m[versus]:.2f} |")
    if floors:
        out += ["", "Floors, measured in the same hyperfine runs as the cases above (ratio against the same other tool):", "",
                "| experiment | time | other | ratio |", "|---|---|---|---|"] + floors
    mem_path = os.path.join(results, "memory.json")
    if os.path.exists(mem_path):
        with open(mem_path) as f:
            mem = json.load(f)
        limit = mem["size_kib"] + 16 * 1024
        out += ["", "Peak memory (`/usr/bin/time -f %M`, max RSS) for a 1 GiB segment; the limit is the segment size plus 16 MiB "
                f"= {limit} KiB (the mapped segment counts in RSS once touched; the sendfile paths map no page):", "",
                "| transfer | max RSS | within limit |", "|---|---|---|"]
        for key, label in (("read_file", "read to a tmpfs file"), ("read_pipe", "read into a pipe"),
                           ("write_file", "attach-write --file"), ("write_stdin", "attach-write from stdin"),
                           ("posix_read_file", "POSIX read --name to a tmpfs file")):
            if mem.get(key) is None:
                out.append(f"| {label} | not run | |")
                continue
            out.append(f"| {label} | {mem[key]} KiB | {'yes' if mem[key] <= limit else '**no**'} |")
    rows = []
    for n in (1000, 8000, 32000):
        path = os.path.join(results, f"scale_list_{n}.json")
        if os.path.exists(path):
            m = medians(path)
            r = medians(os.path.join(results, f"scale_remove_{n}.json"))
            rows.append(f"| {n} | {ms(m['table'])} | {ms(m['ipcs'])} | {ms(m['json'])} | {ms(m['cat'])} | {ms(r['remove'])} |")
    if rows:
        out += ["", "Scale with the number of segments (root-owned):", "",
                "| segments | list | list --format ipcs | list --format json | cat /proc/sysvipc/shm | remove --all |",
                "|---|---|---|---|---|---|"] + rows
    rows = []
    for size in (1 << 20, 64 << 20):
        path = os.path.join(results, f"scale_data_{size}.json")
        if os.path.exists(path):
            m = medians(path)
            rows.append(f"| {size >> 20} MiB | {ms(m['read'])} | {ms(m['write'])} | {ms(m['cat'])} |")
    if rows:
        out += ["", "Scale with the segment size (to and from tmpfs files; no file before each run):", "",
                "| size | read > file | attach-write --file | cat f > out |", "|---|---|---|---|"] + rows
    out += ["", END]
    return "\n".join(out)


def main():
    results, target = sys.argv[1], sys.argv[2]
    quick = len(sys.argv) > 3 and sys.argv[3] == "--quick"
    section = report(results, quick)
    try:
        with open(target) as f:
            text = f.read()
    except FileNotFoundError:
        text = f"# Benchmarks\n\n{START}\n{END}\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    with open(target, "w") as f:
        f.write(text)
    print(section)


if __name__ == "__main__":
    main()
