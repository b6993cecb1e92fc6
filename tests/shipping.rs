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
