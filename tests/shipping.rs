//! Shipping: generated man pages and completions, clap conventions, plain
//! output, and --ns into another IPC namespace.

mod common;
// The generator itself (examples/generate), over the binary's clap definitions.
#[allow(dead_code)]
#[path = "../src/cli.rs"]
mod cli;
#[path = "../examples/generate/man_and_completions.rs"]
mod man_and_completions;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Ns, shm_peer};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn files_under(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn checked_in_man_pages_and_completions_are_current() {
    let out = tempfile::tempdir().unwrap();
    man_and_completions::generate(out.path()).unwrap();
    for sub in ["man", "completions"] {
        let fresh = out.path().join(sub);
        let kept = Path::new(ROOT).join(sub);
        assert_eq!(
            files_under(&kept),
            files_under(&fresh),
            "{sub}/ holds exactly the generated files"
        );
        for name in files_under(&fresh) {
            let a = std::fs::read(fresh.join(&name)).unwrap();
            let b = std::fs::read(kept.join(&name)).unwrap();
            assert!(
                a == b,
                "{sub}/{name} is stale: run `cargo run --example generate -- .` and commit"
            );
        }
    }
    let completions = files_under(&out.path().join("completions"));
    assert_eq!(
        completions,
        [
            "_shmtool",
            "_shmtool.ps1",
            "shmtool.bash",
            "shmtool.elv",
            "shmtool.fish"
        ]
    );
}

#[test]
fn man_pages_render_cleanly_and_carry_every_section() {
    let dir = Path::new(ROOT).join("man");
    let pages = files_under(&dir);
    assert!(pages.contains(&"shmtool.1".to_owned()));
    for sub in [
        "create",
        "attach-write",
        "read",
        "list",
        "remove",
        "info",
        "limits",
        "lock",
        "unlock",
        "set",
    ] {
        assert!(
            pages.contains(&format!("shmtool-{sub}.1")),
            "a page for {sub}"
        );
    }
    for page in &pages {
        let path = dir.join(page);
        // groff -ww: every warning; -z: no output, only diagnostics.
        let out = Command::new("groff")
            .args(["-ww", "-z", "-man"])
            .arg(&path)
            .output()
            .expect("groff (groff-base) renders man pages");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{page}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&path).unwrap();
        for section in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "EXIT STATUS",
            "EXAMPLES",
            "SEE ALSO",
        ] {
            assert!(
                text.contains(&format!(".SH {section}"))
                    || text.contains(&format!(".SH \"{section}\"")),
                "{page} has {section}"
            );
        }
        for see in [
            "ipcs(1)",
            "ipcrm(1)",
            "ipcmk(1)",
            "lsipc(1)",
            "shmget(2)",
            "shmat(2)",
            "shmctl(2)",
        ] {
            assert!(text.contains(see), "{page} refers to {see}");
        }
    }
    let main = std::fs::read_to_string(dir.join("shmtool.1")).unwrap();
    for example in [
        "shmtool create \\-\\-key 0x1234 \\-\\-size 25600 \\-\\-mode 640",
        "shmtool list",
        "shmtool remove \\-\\-owner",
    ] {
        assert!(main.contains(example), "shmtool.1 shows {example}");
    }
}

/// A man page as text: roff's escapes for apostrophes and hyphens undone,
/// and font changes dropped.
fn man_text(page: &str) -> String {
    let roff = std::fs::read_to_string(Path::new(ROOT).join("man").join(page)).unwrap();
    roff.replace("\\*(Aq", "'")
        .replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
}

#[test]
fn the_list_page_documents_exactly_the_fields_list_prints() {
    let page = man_text("shmtool-list.1");
    let start = page
        .find("The fields:")
        .expect("the list page lists the fields");
    let documented: Vec<&str> = page[start..]
        .lines()
        .skip(1)
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    // What list really prints, asked of the binary, not of the page's source.
    let ns = Ns::new();
    ns.make(0x10, 100, 0o600);
    let json: serde_json::Value =
        serde_json::from_str(&ns.ok(&["list", "--format", "json"])).unwrap();
    let printed: Vec<&str> = json[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // System V rows print the System V fields, in the page's order; rows
    // of both kinds (--kind all) print every field the page documents but
    // the namespace ones, which only --all-namespaces prints (tests/fleet.rs
    // lists them, in a pid namespace of its own).
    assert_eq!(
        documented[..printed.len()],
        printed[..],
        "the page documents every field list prints"
    );
    // In namespaces of its own, with a tmpfs on /dev/shm: the host's is not read.
    let all: serde_json::Value = serde_json::from_str(&common::posix_sh(
        "$SHMTOOL create --private --size 1 >/dev/null; $SHMTOOL list --kind all --format json",
    ))
    .unwrap();
    let mut every: Vec<&str> = all[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    every.extend([
        "ns",
        "nspid",
        "container",
        "container_uid",
        "cgroup",
        "mntns",
        "devshm",
    ]);
    every.sort_unstable();
    let mut sorted = documented.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, every, "--kind all prints every documented field");
    for field in documented
        .iter()
        .filter(|f| !shmtool::field::Field::from_name(f).is_some_and(|f| f.fleet_only()))
    {
        let one: serde_json::Value =
            serde_json::from_str(&ns.ok(&["list", "--format", "json", "--columns", field]))
                .unwrap();
        let keys: Vec<&String> = one[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, [field], "--columns {field} gives that field");
    }
}

/// The SYNOPSIS line of a man page, as text.
fn synopsis_of(page: &str) -> String {
    let text = man_text(page);
    let start = text.find(".SH SYNOPSIS\n").unwrap() + ".SH SYNOPSIS\n".len();
    text[start..].lines().next().unwrap().to_owned()
}

#[test]
fn man_synopses_name_each_options_value() {
    let cases = [
        ("shmtool.1", "[--ns PID|PATH]"),
        ("shmtool-create.1", "<--size SIZE>"),
        ("shmtool-create.1", "[--mode MODE]"),
        ("shmtool-create.1", "<--key KEY|--private|--name NAME>"),
        ("shmtool-read.1", "[-o|--output FILE]"),
        ("shmtool-read.1", "<ID|--id ID|--key KEY|--name NAME>"),
        ("shmtool-list.1", "[--sort FIELD]"),
        ("shmtool-remove.1", "[--key KEY]..."),
        ("shmtool-set.1", "<--mode MODE|--owner USER[:GROUP]>"),
        ("shmtool-help.1", "[COMMAND]"),
    ];
    for (page, shown) in cases {
        let synopsis = synopsis_of(page);
        assert!(synopsis.contains(shown), "{page}: {shown} in {synopsis}");
    }
}

#[test]
fn man_pages_refer_only_to_pages_that_exist() {
    let dir = Path::new(ROOT).join("man");
    let pages = files_under(&dir);
    for page in &pages {
        let text = man_text(page);
        for word in text.split(|c: char| c.is_whitespace() || c == ',') {
            let Some(name) = word.strip_suffix("(1)") else {
                continue;
            };
            if !name.starts_with("shmtool") {
                continue; // ipcs(1) and friends come from util-linux
            }
            assert!(
                pages.contains(&format!("{name}.1")),
                "{page} refers to {name}(1), which is not in man/"
            );
        }
    }
}

#[test]
fn completions_offer_field_names_and_no_generator() {
    let dir = Path::new(ROOT).join("completions");
    for file in files_under(&dir) {
        let text = std::fs::read_to_string(dir.join(&file)).unwrap();
        assert!(
            !text.contains("generate"),
            "{file} offers a generate command, which is a developer's example now"
        );
    }
    let bash = std::fs::read_to_string(dir.join("shmtool.bash")).unwrap();
    for option in ["--columns", "--sort"] {
        // Ask bash itself what it offers after `shmtool list OPTION s`.
        let script = format!(
            "source {}; COMP_WORDS=(shmtool list {option} s); COMP_CWORD=3; _shmtool shmtool s {option}; echo \"${{COMPREPLY[*]}}\"",
            dir.join("shmtool.bash").display()
        );
        let out = Command::new("bash").args(["-c", &script]).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "shmid status swap",
            "{option}: bash offers the field names starting with s: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(bash.contains("list"));
}

#[test]
fn help_takes_help_like_every_command() {
    let ns = Ns::new();
    let help = ns.ok(&["help", "--help"]);
    assert!(help.contains("Usage: shmtool help"), "{help}");
    assert_eq!(ns.ok(&["help", "create"]), ns.ok(&["create", "--help"]));
    assert_eq!(ns.ok(&["help"]), ns.ok(&["--help"]));
    ns.fails(2, &["help", "generat"]);
}

#[test]
fn version_and_help_follow_clap_conventions() {
    let ns = Ns::new();
    let version = ns.ok(&["--version"]);
    assert_eq!(version, format!("shmtool {}\n", env!("CARGO_PKG_VERSION")));
    let help = ns.ok(&["--help"]);
    assert!(
        help.starts_with(
            "Create, inspect, read, write and remove shared memory: System V segments and POSIX objects"
        ),
        "{help}"
    );
    for sub in [
        "create",
        "attach-write",
        "read",
        "list",
        "remove",
        "info",
        "limits",
        "lock",
        "unlock",
        "set",
    ] {
        assert!(help.contains(&format!("  {sub} ")), "--help lists {sub}");
        let sub_help = ns.ok(&[sub, "--help"]);
        assert!(sub_help.contains("Usage: shmtool"), "{sub} --help");
    }
    assert!(!help.contains("generate"), "the generator is not a command");
    assert_eq!(
        ns.ok(&["create", "--version"]),
        format!("shmtool-create {}\n", env!("CARGO_PKG_VERSION")),
        "subcommands share the version, named as clap names them"
    );
}

#[test]
fn output_is_plain_off_a_terminal_and_with_no_color() {
    let ns = Ns::new();
    ns.make(0x10, 100, 0o600);
    let bin = env!("CARGO_BIN_EXE_shmtool");
    for args in [
        vec!["--help"],
        vec!["list"],
        vec!["list", "--format", "json"],
        vec!["create", "--key", "x", "--size", "1"],
    ] {
        let out = ns.shmtool().args(&args).output().unwrap();
        assert!(
            !out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b),
            "{args:?}: no escape codes off a terminal"
        );
    }
    // On a terminal clap colours help, unless NO_COLOR is set.
    let on_tty = |env: &str| -> Vec<u8> {
        let script = format!("{env} script -qec '{bin} --help' /dev/null");
        Command::new("sh")
            .args(["-c", &script])
            .env_remove("NO_COLOR")
            .output()
            .unwrap()
            .stdout
    };
    assert!(on_tty("").contains(&0x1b), "help is coloured on a terminal");
    assert!(
        !on_tty("NO_COLOR=1").contains(&0x1b),
        "NO_COLOR gives plain help"
    );
    let list = Command::new("sh")
        .args([
            "-c",
            &format!("NO_COLOR=1 script -qec '{bin} list' /dev/null"),
        ])
        .output()
        .unwrap()
        .stdout;
    assert!(!list.contains(&0x1b));
}

// ---------------------------------------------------------------- --ns

/// A "container": a process in an IPC namespace of its own, holding a
/// segment it made there. Ends when dropped.
struct Container {
    child: std::process::Child,
    shmid: String,
}

impl Container {
    fn start() -> Container {
        let script = format!(
            "id=$({} create --key 0x77 --size 4096) && echo $id && exec {} hold $id",
            env!("CARGO_BIN_EXE_shmtool"),
            shm_peer().display()
        );
        let mut child = Command::new("unshare")
            .args(["--ipc", "sh", "-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut text = Vec::new();
        let out = child.stdout.as_mut().unwrap();
        let mut byte = [0u8];
        while !text.ends_with(b"attached\n") && out.read(&mut byte).unwrap() == 1 {
            text.push(byte[0]);
        }
        let text = String::from_utf8(text).unwrap();
        let shmid = text.lines().next().unwrap().to_owned();
        Container { child, shmid }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

#[test]
fn ns_lists_reads_writes_and_removes_a_containers_segment() {
    let ns = Ns::new();
    let container = Container::start();
    let pid = container.pid();
    let id = container.shmid.clone();
    assert_eq!(ns.segments(), vec![], "our namespace does not see it");
    for spec in [pid.clone(), format!("/proc/{pid}/ns/ipc")] {
        let raw = ns.ok(&["--ns", &spec, "list", "--format", "raw"]);
        assert_eq!(
            raw,
            format!("0x00000077 {id} root 0600 4096 1 -\n"),
            "--ns {spec}"
        );
    }
    ns.shmtool()
        .args([
            "--ns",
            &pid,
            "attach-write",
            "--key",
            "0x77",
            "--data",
            "into the container",
        ])
        .assert()
        .success();
    ns.shmtool()
        .args(["read", "--ns", &pid, "--key", "0x77", "--format", "text"])
        .assert()
        .success()
        .stdout("into the container");
    // info lists the container's holder: the process in that namespace.
    let json: serde_json::Value =
        serde_json::from_str(&ns.ok(&["--ns", &pid, "info", &id, "--json"])).unwrap();
    assert_eq!(json["attached"][0]["pid"].to_string(), pid);
    assert_eq!(json["attached"].as_array().unwrap().len(), 1);
    ns.ok(&["--ns", &pid, "remove", "--key", "0x77"]);
    let raw = ns.ok(&["--ns", &pid, "list", "--format", "raw"]);
    assert_eq!(
        raw,
        format!("0x00000000 {id} root 0600 4096 1 dest\n"),
        "marked while the holder lives"
    );
    assert_eq!(ns.segments(), vec![], "and ours was never touched");
}

#[test]
fn ns_errors_are_clear() {
    let ns = Ns::new();
    let err = ns.fails(1, &["--ns", "999999999", "list"]);
    assert!(err.contains("--ns: no process 999999999"), "{err}");
    let err = ns.fails(1, &["--ns", "/etc/hostname", "list"]);
    assert!(
        err.contains("--ns: /etc/hostname is not an IPC namespace"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let err = ns.fails(1, &["--ns", fifo.to_str().unwrap(), "list"]);
    assert!(
        err.contains("is not an IPC namespace"),
        "a FIFO is refused, not waited on: {err}"
    );
    let err = ns.fails(1, &["--ns", "/nonexistent/ns", "list"]);
    assert!(err.contains("/nonexistent/ns: no such file"), "{err}");
}

#[test]
fn ns_refused_says_which_check_failed() {
    use std::os::unix::process::CommandExt;
    let ns = Ns::new();
    // Root's process: nobody may not even open its namespace file.
    let container = Container::start();
    let pid = container.pid();
    let out = ns
        .shmtool_as_nobody()
        .args(["--ns", &pid, "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    common::assert_one_error_line(&err);
    assert!(
        err.contains(&format!(
            "--ns: cannot open /proc/{pid}/ns/ipc: permission denied; it needs ptrace read access to process {pid}"
        )),
        "{err}"
    );
    assert!(
        !err.contains("CAP_SYS_ADMIN"),
        "not the check that failed: {err}"
    );
    // nobody's own process: the file opens, and setns is what refuses.
    let mut own = Command::new("sleep")
        .arg("30")
        .uid(common::NOBODY)
        .gid(common::NOBODY)
        .spawn()
        .unwrap();
    let pid = own.id().to_string();
    let out = ns
        .shmtool_as_nobody()
        .args(["--ns", &pid, "list"])
        .output()
        .unwrap();
    let _ = own.kill();
    let _ = own.wait();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    common::assert_one_error_line(&err);
    assert!(
        err.contains(&format!(
            "--ns: opened /proc/{pid}/ns/ipc, but setns into that IPC namespace needs CAP_SYS_ADMIN"
        )),
        "{err}"
    );
}

// ------------------------------------------------- the metrics timer

/// A unit file's `Key=value` settings in file order (sections, comments and
/// blank lines dropped; the shipped units have no continuation lines).
fn unit_settings(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(['#', ';', '[']))
        .map(|l| {
            l.split_once('=')
                .unwrap_or_else(|| panic!("not Key=value: {l}"))
        })
        .collect()
}

/// The values `key` is given, in order.
fn values_of<'a>(settings: &[(&str, &'a str)], key: &str) -> Vec<&'a str> {
    settings
        .iter()
        .filter(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .collect()
}

/// The one value of `key`.
fn value_of<'a>(settings: &[(&str, &'a str)], key: &str) -> &'a str {
    match values_of(settings, key)[..] {
        [one] => one,
        ref other => panic!("{key}= set {} times: {other:?}", other.len()),
    }
}

/// A systemd time span in seconds: `30s`, `1min`, `2min 30s`, or bare seconds.
fn seconds(span: &str) -> u64 {
    span.split_whitespace()
        .map(|part| {
            let digits = part.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let n: u64 = digits
                .parse()
                .unwrap_or_else(|_| panic!("time span {span}"));
            match &part[digits.len()..] {
                "" | "s" | "sec" => n,
                "m" | "min" => n * 60,
                "h" => n * 3600,
                unit => panic!("time unit {unit} in {span}"),
            }
        })
        .sum()
}

fn metrics_unit() -> String {
    std::fs::read_to_string(Path::new(ROOT).join("debian/shmtool-metrics.service")).unwrap()
}

/// The textfile directory a drop-in or the unit writes into: the directory
/// of `--output-atomic` in its (last) ExecStart=.
fn output_dir<'a>(settings: &[(&str, &'a str)]) -> &'a str {
    let exec = *values_of(settings, "ExecStart").last().unwrap();
    let words: Vec<&str> = exec.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "--output-atomic")
        .unwrap_or_else(|| panic!("ExecStart= writes with --output-atomic: {exec}"));
    let file = Path::new(words[at + 1]);
    assert_eq!(file.file_name().unwrap(), "shmtool.prom", "{exec}");
    file.parent().unwrap().to_str().unwrap()
}

#[test]
fn the_metrics_unit_is_bounded_and_writes_only_its_textfile_directory() {
    let unit = metrics_unit();
    let s = unit_settings(&unit);
    let timer =
        std::fs::read_to_string(Path::new(ROOT).join("debian/shmtool-metrics.timer")).unwrap();
    let period = seconds(value_of(&unit_settings(&timer), "OnUnitActiveSec"));
    let timeout = seconds(value_of(&s, "TimeoutStartSec"));
    let kill = seconds(value_of(&s, "TimeoutStopSec"));
    assert!(
        timeout > 0 && timeout <= period / 2 && timeout + kill < period,
        "a run ends ({timeout} s, killed within {kill} s more) well before the next starts ({period} s)"
    );
    let memory = value_of(&s, "MemoryMax");
    let mib: u64 = memory
        .strip_suffix('M')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("MemoryMax= in MiB: {memory}"));
    // 32,000 segments and 2,000 POSIX objects in one namespace: 112 MiB peak.
    assert!((128..=1024).contains(&mib), "MemoryMax={memory}");
    let tasks: u32 = value_of(&s, "TasksMax").parse().unwrap();
    assert!((4..=64).contains(&tasks), "TasksMax={tasks}");
    assert_eq!(value_of(&s, "Nice"), "19");
    assert_eq!(value_of(&s, "IOSchedulingClass"), "idle");
    assert_eq!(value_of(&s, "ProtectSystem"), "strict");
    assert_eq!(value_of(&s, "NoNewPrivileges"), "yes");
    let caps = value_of(&s, "CapabilityBoundingSet");
    assert!(!caps.contains("CAP_DAC_OVERRIDE"), "{caps}");
    assert!(!caps.starts_with('~'), "an allow list: {caps}");
    assert_eq!(value_of(&s, "RestrictNamespaces"), "ipc");
    assert_eq!(values_of(&s, "SystemCallFilter")[0], "@system-service");
    // The one writable path is the directory the command writes, named
    // literally: ReadWritePaths= expands no variable, so none is used.
    let dir = output_dir(&s);
    assert_eq!(value_of(&s, "ReadWritePaths"), format!("-{dir}"));
    assert!(!unit.contains('$'), "no variables:\n{unit}");
    assert!(values_of(&s, "EnvironmentFile").is_empty());
    assert!(values_of(&s, "Environment").is_empty());
}

#[test]
fn the_readme_moves_the_textfile_directory_with_a_drop_in() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let section = &readme[readme.find("## Monitoring a fleet").unwrap()..];
    let section = &section[..section[3..].find("\n## ").unwrap()];
    assert!(section.contains("systemctl edit shmtool-metrics.service"));
    assert!(
        !readme.contains("SHMTOOL_TEXTFILE_DIR"),
        "the variable is gone"
    );
    let start = section.find("```ini\n").expect("the drop-in, as ini") + "```ini\n".len();
    let drop_in = &section[start..start + section[start..].find("```").unwrap()];
    let s = unit_settings(drop_in);
    // An empty ExecStart= first: a oneshot runs every ExecStart= it has.
    assert_eq!(values_of(&s, "ExecStart")[0], "", "{drop_in}");
    assert_eq!(values_of(&s, "ExecStart").len(), 2, "{drop_in}");
    assert_eq!(values_of(&s, "ReadWritePaths")[0], "", "{drop_in}");
    let dir = output_dir(&s);
    assert_ne!(dir, output_dir(&unit_settings(&metrics_unit())));
    assert_eq!(values_of(&s, "ReadWritePaths")[1], format!("-{dir}"));
    // The rest of the command is the unit's.
    let unit = metrics_unit();
    let shipped = value_of(&unit_settings(&unit), "ExecStart");
    let own = output_dir(&unit_settings(&unit));
    assert_eq!(values_of(&s, "ExecStart")[1], shipped.replace(own, dir));
    // systemd reads the unit and the drop-in beside it without complaint.
    let units = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_shmtool");
    let service = units.path().join("shmtool-metrics.service");
    std::fs::write(&service, unit.replace("/usr/bin/shmtool", bin)).unwrap();
    std::fs::create_dir(units.path().join("shmtool-metrics.service.d")).unwrap();
    std::fs::write(
        units.path().join("shmtool-metrics.service.d/textfile.conf"),
        drop_in.replace("/usr/bin/shmtool", bin),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&service)
        .output()
        .expect("systemd-analyze (systemd) verifies units");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The capabilities the metrics unit keeps, as setpriv names them
/// (`CAP_SYS_PTRACE` is `sys_ptrace`).
fn unit_capabilities() -> Vec<String> {
    let unit = metrics_unit();
    value_of(&unit_settings(&unit), "CapabilityBoundingSet")
        .split_whitespace()
        .map(|c| c.strip_prefix("CAP_").unwrap().to_lowercase())
        .collect()
}

/// A setpriv bounding set of exactly `caps`: root that execs with it has
/// these capabilities and no other, as under CapabilityBoundingSet=.
fn bounding_set(caps: &[String]) -> String {
    std::iter::once("-all".to_owned())
        .chain(caps.iter().map(|c| format!("+{c}")))
        .collect::<Vec<_>>()
        .join(",")
}

/// A "container" (IPC and mount namespaces, a /dev/shm of its own) whose
/// one process runs as uid 65534: it holds /held open, maps /mapped, and
/// attaches a System V segment it made. `$P` is its pid once ready.
const NOBODYS_CONTAINER: &str = r#"
cat > $T/user.py <<'EOF'
import ctypes, mmap, os, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
held = os.open("/dev/shm/held", os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(held, 4096)
fd = os.open("/dev/shm/mapped", os.O_RDWR | os.O_CREAT, 0o600)
os.ftruncate(fd, 4096)
mapped = mmap.mmap(fd, 4096)
os.close(fd)
os.fchown(held, 65534, 65534)
os.chown("/dev/shm/mapped", 65534, 65534)
os.setgroups([]); os.setresgid(65534, 65534, 65534); os.setresuid(65534, 65534, 65534)
libc.prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE, which the uid change cleared
shmid = libc.shmget(0x5eed, 4096, 0o1600)
assert libc.shmat(shmid, None, 0) not in (None, ctypes.c_void_p(-1).value)
open("/proc/self/comm", "w").write("sleep")  # ready
time.sleep(600)
EOF
unshare --ipc --mount sh -c 'mount -t tmpfs container /dev/shm && exec python3 "$1"' sh $T/user.py &
P=$!
until [ "$(cat /proc/$P/comm 2>/dev/null)" = sleep ]; do sleep 0.02; done
as_unit() { caps=$1; shift; setpriv --inh-caps=-all --bounding-set "$caps" --no-new-privs -- "$@"; }
"#;

#[test]
fn the_metrics_units_capabilities_see_other_users_use_and_each_is_needed() {
    let caps = unit_capabilities();
    let unit = metrics_unit();
    let s = unit_settings(&unit);
    // The unit's own command, writing into a root-owned directory of ours.
    let command = value_of(&s, "ExecStart")
        .replace("/usr/bin/shmtool", "$SHMTOOL")
        .replace(output_dir(&s), "$DIR");
    let mut script = format!(
        "{NOBODYS_CONTAINER}
CAPS={set}
echo \"== fd dir\"; stat -c '%u %a' /proc/$P/fd
echo \"== effective\"; as_unit $CAPS grep CapEff /proc/self/status
echo \"== root\"; $SHMTOOL list --kind all -A --format json
echo \"== unit\"; as_unit $CAPS $SHMTOOL list --kind all -A --format json
mkdir -m 755 $T/root $T/unit
DIR=$T/root; {command}
DIR=$T/unit; as_unit $CAPS {command}
echo \"== unit file\"; stat -c '%u %a' $T/unit/shmtool.prom
cmp $T/root/shmtool.prom $T/unit/shmtool.prom && echo \"== same file\"
cat $T/unit/shmtool.prom
",
        set = bounding_set(&caps)
    );
    for cap in &caps {
        let fewer: Vec<String> = caps.iter().filter(|c| *c != cap).cloned().collect();
        script += &format!(
            "echo \"== without {cap}\"; as_unit {} $SHMTOOL list --kind all -A --format json 2>/dev/null\n",
            bounding_set(&fewer)
        );
    }
    let out = common::posix_sh(&script);
    let section = |name: &str| common::section(&out, name).to_owned();
    // The case is real: the descriptors are the other user's to list.
    assert_eq!(section("fd dir"), "65534 500\n");
    // Exactly the unit's capabilities; CAP_DAC_OVERRIDE (bit 1) not among them.
    let effective = section("effective");
    let eff =
        u64::from_str_radix(effective.trim().strip_prefix("CapEff:").unwrap().trim(), 16).unwrap();
    assert_eq!(eff.count_ones() as usize, caps.len(), "{eff:x}");
    assert_eq!(eff & (1 << 1), 0, "no CAP_DAC_OVERRIDE: {eff:x}");
    let root = common::json(&section("root"));
    let rows = root.as_array().unwrap();
    let posix = |name: &str| {
        rows.iter()
            .find(|r| r["kind"] == "posix" && r["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {root}"))
    };
    assert_eq!(posix("/held")["nattch"], 1, "{root}");
    assert_eq!(posix("/mapped")["nattch"], 1, "{root}");
    let sysv = rows
        .iter()
        .find(|r| r["key"] == "0x00005eed")
        .unwrap_or_else(|| panic!("the container's segment in {root}"));
    assert_eq!(sysv["owner"], "nobody");
    assert_eq!(sysv["nattch"], 1);
    assert_eq!(
        common::json(&section("unit")),
        root,
        "the unit's capabilities see what root sees"
    );
    assert_eq!(section("unit file"), "0 644\n");
    let prom = section("same file");
    for name in ["/held", "/mapped"] {
        assert!(
            prom.lines()
                .any(|l| l.starts_with("shmtool_segment_attached{")
                    && l.contains(&format!("id=\"{name}\""))
                    && l.ends_with(" 1")),
            "{name} attached once:\n{prom}"
        );
    }
    for cap in &caps {
        assert_ne!(
            common::json(&section(&format!("without {cap}"))),
            root,
            "without {cap} the unit would miss something"
        );
    }
}

#[test]
fn root_without_cap_dac_override_writes_only_a_root_owned_textfile_directory() {
    let caps = unit_capabilities();
    let out = common::posix_sh(&format!(
        r#"
as_unit() {{ setpriv --inh-caps=-all --bounding-set {set} --no-new-privs -- "$@"; }}
mkdir -m 755 $T/root $T/prometheus
chown 65534:65534 $T/prometheus
echo "== root's"
as_unit $SHMTOOL list --format prometheus --output-atomic $T/root/shmtool.prom 2>&1 || echo "exit $?"
stat -c '%u %a' $T/root/shmtool.prom
echo "== another user's"
as_unit $SHMTOOL list --format prometheus --output-atomic $T/prometheus/shmtool.prom 2>&1 || echo "exit $?"
ls $T/prometheus
echo "== with CAP_DAC_OVERRIDE"
$SHMTOOL list --format prometheus --output-atomic $T/prometheus/shmtool.prom 2>&1 || echo "exit $?"
ls $T/prometheus
"#,
        set = bounding_set(&caps)
    ));
    assert_eq!(common::section(&out, "root's"), "0 644\n", "{out}");
    let refused = common::section(&out, "another user's");
    assert!(
        refused.starts_with("shmtool: list: cannot create a file in ")
            && refused
                .to_lowercase()
                .contains("/prometheus: permission denied")
            && refused.contains("hint: the directory must be root's")
            && refused.ends_with("exit 1\n"),
        "{refused}"
    );
    assert_eq!(
        common::section(&out, "with CAP_DAC_OVERRIDE"),
        "shmtool.prom\n"
    );
}

/// systemd's system call groups (`@system-service` …), each expanded to
/// system call names, as `systemd-analyze syscall-filter` lists them.
fn syscall_group(group: &str) -> std::collections::BTreeSet<String> {
    let out = Command::new("systemd-analyze")
        .arg("syscall-filter")
        .output()
        .expect("systemd-analyze (systemd) lists system call groups");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut groups = std::collections::BTreeMap::<&str, Vec<&str>>::new();
    let mut current = "";
    for line in text.lines() {
        if line.starts_with('@') {
            current = line.trim();
        } else if let Some(member) = line.strip_prefix("    ")
            && !member.starts_with('#')
        {
            groups.entry(current).or_default().push(member.trim());
        }
    }
    fn expand(name: &str, groups: &std::collections::BTreeMap<&str, Vec<&str>>) -> Vec<String> {
        match groups.get(name) {
            Some(members) => members.iter().flat_map(|m| expand(m, groups)).collect(),
            None if name.starts_with('@') => panic!("no group {name}"),
            None => vec![name.to_owned()],
        }
    }
    expand(group, &groups).into_iter().collect()
}

#[test]
fn the_metrics_units_command_makes_only_the_system_calls_its_filter_allows() {
    let caps = unit_capabilities();
    let unit = metrics_unit();
    let s = unit_settings(&unit);
    let command = value_of(&s, "ExecStart")
        .replace("/usr/bin/shmtool", "$SHMTOOL")
        .replace(output_dir(&s), "$T/out");
    // strace runs under the unit's capabilities; it traces the command
    // from its execve on, over a container that makes it setns and read
    // another user's maps and descriptors.
    let out = common::posix_sh(&format!(
        "{NOBODYS_CONTAINER}
mkdir -m 755 $T/out
as_unit {set} strace -f -qq -o $T/trace {command}
cat $T/trace
",
        set = bounding_set(&caps)
    ));
    let called: std::collections::BTreeSet<&str> = out
        .lines()
        .filter_map(|l| {
            let call = l.split_once(' ')?.1.trim_start();
            let name = call.split_once('(')?.0;
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                .then_some(name)
        })
        .collect();
    assert!(
        called.contains("setns"),
        "it entered the container: {called:?}"
    );
    let (mut allowed, mut denied) = (std::collections::BTreeSet::new(), Vec::new());
    for filter in values_of(&s, "SystemCallFilter") {
        match filter.strip_prefix('~') {
            Some(deny) => denied.extend(deny.split_whitespace().flat_map(syscall_group)),
            None => allowed.extend(filter.split_whitespace().flat_map(syscall_group)),
        }
    }
    for name in called {
        assert!(
            allowed.contains(name) && !denied.iter().any(|d| d == name),
            "{name} is not allowed by the unit's SystemCallFilter="
        );
    }
    // RestrictNamespaces=ipc: only IPC namespaces are joined or made.
    for line in out.lines() {
        if line.contains(" setns(") || line.contains(" unshare(") || line.contains("CLONE_NEW") {
            let flags = line.replace("CLONE_NEWIPC", "");
            assert!(!flags.contains("CLONE_NEW"), "{line}");
            assert!(line.contains("CLONE_NEWIPC"), "{line}");
        }
    }
}
