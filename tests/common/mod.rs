//! The test environment: every test runs in a private IPC namespace of its
//! own, so tests run in parallel, see exactly the segments they made, and
//! never touch the host's.

#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use shmtool::segment::{Key, Segment};
use shmtool::{procfs_shm, sysv};

/// A private IPC namespace for the calling test thread. Every process the
/// test spawns afterwards inherits it; the host's segments stay out of reach.
pub struct Ns(());

/// The uid and gid tests use for an unprivileged user.
pub const NOBODY: u32 = 65534;

impl Ns {
    pub fn new() -> Ns {
        sysv::unshare_ipc().expect(
            "unshare(CLONE_NEWIPC) failed: the tests run as root so each gets a private IPC namespace",
        );
        let ns = Ns(());
        assert_eq!(ns.segments(), vec![], "a fresh IPC namespace starts empty");
        ns
    }

    /// The shmtool binary under test.
    pub fn shmtool(&self) -> Command {
        Command::from_std(binary())
    }

    /// The shmtool binary, run as uid and gid 65534 (nobody).
    pub fn shmtool_as_nobody(&self) -> Command {
        let mut cmd = binary();
        cmd.uid(NOBODY).gid(NOBODY);
        Command::from_std(cmd)
    }

    /// A util-linux tool (ipcs, ipcmk, ipcrm, lsipc), in this namespace.
    pub fn tool(&self, name: &str) -> Command {
        let mut cmd = Command::new(name);
        cmd.env("LC_ALL", "C");
        cmd
    }

    /// The raw text of /proc/sysvipc/shm as this namespace sees it.
    pub fn proc_shm(&self) -> String {
        std::fs::read_to_string(procfs_shm::PROC_SHM).expect("read /proc/sysvipc/shm")
    }

    pub fn segments(&self) -> Vec<Segment> {
        procfs_shm::parse(&self.proc_shm()).expect("parse /proc/sysvipc/shm")
    }

    pub fn segment(&self, shmid: i32) -> Option<Segment> {
        self.segments().into_iter().find(|s| s.shmid == shmid)
    }

    /// Makes a segment directly through shmget, independent of the binary.
    pub fn make(&self, key: i32, size: u64, mode: u32) -> i32 {
        sysv::shmget(
            Key(key),
            size,
            libc::IPC_CREAT | libc::IPC_EXCL | mode as i32,
        )
        .expect("shmget")
    }

    /// Runs shmtool expecting success, returning stdout as text.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.shmtool().args(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).expect("utf-8 stdout")
    }

    /// Runs shmtool expecting exit `code`; checks that stderr is exactly one
    /// `shmtool: ` line, that /proc/sysvipc/shm did not change, and returns
    /// that line.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let before = self.proc_shm();
        let out = self.shmtool().args(args).assert().code(code);
        let out = out.get_output();
        assert!(
            out.stdout.is_empty(),
            "nothing on stdout: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        let err = String::from_utf8(out.stderr.clone()).expect("utf-8 stderr");
        assert_one_error_line(&err);
        assert_eq!(
            self.proc_shm(),
            before,
            "a failed command changed /proc/sysvipc/shm"
        );
        err
    }
}

/// The binary, or, when SHMTOOL_TEST_WRAPPER is set (for example to
/// `valgrind -q --error-exitcode=99`), the binary run under that wrapper.
fn binary() -> StdCommand {
    let bin = env!("CARGO_BIN_EXE_shmtool");
    match std::env::var("SHMTOOL_TEST_WRAPPER") {
        Ok(wrapper) if !wrapper.trim().is_empty() => {
            let mut words = wrapper.split_whitespace();
            let mut cmd = StdCommand::new(words.next().unwrap_or_default());
            cmd.args(words).arg(bin);
            cmd
        }
        _ => StdCommand::new(bin),
    }
}

/// Asserts the house style of errors: one line, `shmtool: `, no panic.
pub fn assert_one_error_line(stderr: &str) {
    assert!(
        stderr.starts_with("shmtool: "),
        "error starts with 'shmtool: ': {stderr:?}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "exactly one line on stderr: {stderr:?}"
    );
    assert!(stderr.ends_with('\n'));
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr:?}"
    );
}

/// The C helper `tests/helpers/shm_peer.c`, compiled once per test binary.
pub fn shm_peer() -> &'static std::path::Path {
    static PEER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PEER.get_or_init(|| {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/helpers/shm_peer.c");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let out = dir.join("shm_peer");
        // Build under a name of our own, then rename: test binaries run at once.
        let tmp = dir.join(format!("shm_peer.{}", std::process::id()));
        let status = StdCommand::new("cc")
            .args(["-O2", "-Wall", "-Werror", "-o"])
            .arg(&tmp)
            .arg(src)
            .status()
            .expect("a C compiler (cc) builds the test helper");
        assert!(status.success(), "compiling {src}");
        std::fs::rename(&tmp, &out).expect("install shm_peer");
        out
    })
}

/// A running `shm_peer` process; it ends when dropped (its stdin closes).
pub struct Peer {
    pub child: std::process::Child,
    /// The first line it printed.
    pub first_line: String,
}

impl Peer {
    /// Starts `shm_peer ARGS…` and waits for its first line of output.
    pub fn start(args: &[&str]) -> Peer {
        use std::io::Read;
        use std::process::Stdio;
        let mut child = StdCommand::new(shm_peer())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start shm_peer");
        // Byte by byte, so nothing after the first line is consumed here.
        let stdout = child.stdout.as_mut().expect("piped stdout");
        let mut line = Vec::new();
        let mut byte = [0u8];
        while stdout.read(&mut byte).expect("read shm_peer") == 1 && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        assert!(!line.is_empty(), "shm_peer {args:?} printed nothing");
        Peer {
            child,
            first_line: String::from_utf8_lossy(&line).trim().to_owned(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends a line on its stdin.
    pub fn send_line(&mut self) {
        use std::io::Write as _;
        let stdin = self.child.stdin.as_mut().expect("piped stdin");
        stdin.write_all(b"\n").expect("write to shm_peer");
    }

    /// Closes its stdin and waits for it, returning the rest of its stdout.
    pub fn finish(mut self) -> Vec<u8> {
        use std::io::Read as _;
        drop(self.child.stdin.take());
        let mut rest = Vec::new();
        if let Some(mut out) = self.child.stdout.take() {
            out.read_to_end(&mut rest).expect("read shm_peer");
        }
        self.child.wait().expect("wait shm_peer");
        rest
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// The LD_PRELOAD library `tests/helpers/shm_hook.c`, built once per test binary.
pub fn shm_hook() -> &'static std::path::Path {
    static HOOK: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    HOOK.get_or_init(|| {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/helpers/shm_hook.c");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let out = dir.join("shm_hook.so");
        let tmp = dir.join(format!("shm_hook.{}.so", std::process::id()));
        let status = std::process::Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o"])
            .arg(&tmp)
            .arg(src)
            .arg("-ldl")
            .status()
            .expect("a C compiler (cc) builds the test hook");
        assert!(status.success(), "compiling {src}");
        std::fs::rename(&tmp, &out).expect("install shm_hook.so");
        out
    })
}

/// Runs `script` with `sh -e` in private IPC, mount and pid namespaces, with
/// a /proc of its own (so every process there can be inspected) and a tmpfs
/// of its own on /dev/shm: the host's /dev/shm is never touched. `$SHMTOOL`
/// is the binary under test. Panics, showing stderr, when the script fails.
pub fn posix_sh(script: &str) -> String {
    // Scratch space for the script: `$T`, a directory of its own that the
    // script mounts a tmpfs on (never /tmp itself, which may hold this
    // checkout and so the binary under test).
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let out = StdCommand::new("unshare")
        .args([
            "--ipc",
            "--mount",
            "--propagation",
            "private",
            "--pid",
            "--fork",
            "--mount-proc",
            "sh",
            "-ec",
        ])
        .arg(format!("mount -t tmpfs shmtool-test /dev/shm\n{script}"))
        .env("T", scratch.path())
        .env("SHMTOOL", env!("CARGO_BIN_EXE_shmtool"))
        .env("LC_ALL", "C")
        .output()
        .expect("unshare runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "script failed ({}):\n{script}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// For a `posix_sh` script: a FUSE file system at `$T/fuse` (on a tmpfs on
/// `$T`) with one file, `file`, whose server (tests/helpers/fuse_silent.py)
/// answers until `$T/silence` exists, then never again. Were shmtool to
/// wait on it, not even SIGKILL would end the wait: a watchdog ends the
/// server after 60 s, and so the wait, so a test fails rather than hangs.
pub const SILENT_FUSE: &str = concat!(
    "mount -t tmpfs shmtool-tmp \"$T\"\nmkdir $T/fuse\npython3 ",
    env!("CARGO_MANIFEST_DIR"),
    "/tests/helpers/fuse_silent.py $T/fuse $T/silence &\n",
    "FUSE=$!; (sleep 60; kill -9 $FUSE) 2>/dev/null &\n",
    "for i in $(seq 200); do [ -e $T/fuse/file ] && break; sleep 0.05; done"
);

/// The part of `output` after the line `== NAME`, up to the next `== ` line.
pub fn section<'a>(output: &'a str, name: &str) -> &'a str {
    let marker = format!("== {name}\n");
    let start = output
        .find(&marker)
        .unwrap_or_else(|| panic!("no section {name} in:\n{output}"))
        + marker.len();
    let rest = &output[start..];
    if rest.starts_with("== ") {
        return "";
    }
    &rest[..rest.find("\n== ").map_or(rest.len(), |i| i + 1)]
}

/// Runs `command` (sh syntax) on a pseudo-terminal `cols` columns wide with
/// script(1), with `env` set, and returns what it printed (`\r\n` as `\n`).
/// Processes it starts inherit the caller's namespaces.
pub fn on_terminal(cols: u16, command: &str, env: &[(&str, &str)]) -> String {
    let out = StdCommand::new("script")
        .args([
            "-qec",
            &format!("stty cols {cols} rows 50; {command}"),
            "/dev/null",
        ])
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("TERM", "xterm-256color")
        .envs(env.iter().copied())
        .output()
        .expect("script(1) runs");
    assert!(out.status.success(), "{command}: {out:?}");
    String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
}

/// `text` without its SGR colour sequences (`ESC [ … m`).
pub fn without_colour(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("\u{1b}[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('m') {
            Some(end) => rest = &after[end + 1..],
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Makes sure a tool the tests use beyond Rust is installed, installing it
/// when missing (tests/helpers/provision.sh: `promtool`,
/// `prometheus_client`, `postgresql`), so `cargo test` needs nothing else
/// on a fresh Debian machine.
pub fn provision(what: &str) {
    static DONE: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if done.iter().any(|d| d == what) {
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/helpers/provision.sh");
    let out = StdCommand::new("bash")
        .args([script, what])
        .output()
        .expect("bash runs tests/helpers/provision.sh");
    assert!(
        out.status.success(),
        "installing {what} for the tests failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    done.push(what.to_owned());
}

/// A JSON value, as `--format json` and `--json` print them.
pub use serde_json::Value as Json;

/// Parses JSON output, naming the text when it is not JSON.
pub fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// What a finished command captured: a `std::process::Output`, or
/// assert_cmd's `Assert` over one.
pub trait Captured {
    fn output(&self) -> &std::process::Output;
}

impl Captured for std::process::Output {
    fn output(&self) -> &std::process::Output {
        self
    }
}

impl Captured for assert_cmd::assert::Assert {
    fn output(&self) -> &std::process::Output {
        self.get_output()
    }
}

/// Standard output as text (invalid UTF-8 replaced).
pub fn stdout_of(out: &impl Captured) -> String {
    String::from_utf8_lossy(&out.output().stdout).into_owned()
}

/// Standard output, byte for byte.
pub fn stdout_bytes(out: &impl Captured) -> Vec<u8> {
    out.output().stdout.clone()
}

/// Standard error as text (invalid UTF-8 replaced).
pub fn stderr_of(out: &impl Captured) -> String {
    String::from_utf8_lossy(&out.output().stderr).into_owned()
}

/// Waits until `pid` is a zombie (exited, not yet reaped).
pub fn wait_for_zombie(pid: u32) {
    for _ in 0..500 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        if stat.rsplit_once(") ").unwrap().1.starts_with('Z') {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{pid} never became a zombie");
}
