//! Tables for a person on a terminal (comfy-table, on a pseudo-terminal made
//! by script(1)), colour choices, and `--format markdown`.

mod common;

use common::{Ns, Peer, on_terminal, posix_sh, without_colour};
use unicode_width::UnicodeWidthStr;

const BIN: &str = env!("CARGO_BIN_EXE_shmtool");
const BOLD: &str = "\u{1b}[1m";

/// Every line of `text`, colours removed, as wide as the terminal at most.
fn assert_fits(text: &str, cols: usize, what: &str) {
    for line in without_colour(text).lines() {
        assert!(
            line.width() <= cols,
            "{what}: a line of {} columns on a terminal of {cols}: {line:?}\n{text}",
            line.width()
        );
    }
}

#[test]
fn terminal_tables_fit_80_and_200_columns_and_never_cut_ids() {
    let ns = Ns::new();
    // A live creator with a long command line (the helper's full path and arguments).
    let peer = Peer::start(&["create", "0x51", "4096"]);
    let peer_id: i32 = peer.first_line.parse().unwrap();
    let holder = Peer::start(&["hold", &peer_id.to_string()]);
    let locked = ns.make(0x7fffffff, 100000, 0o640);
    ns.shmtool()
        .args(["lock", &locked.to_string()])
        .assert()
        .success();
    let command = format!("{} create 0x51 4096", common::shm_peer().display());
    let wide = "key,shmid,owner,perms,bytes,nattch,status,cpid,lpid,command";
    for cols in [80usize, 200] {
        let list = on_terminal(
            cols as u16,
            &format!("{BIN} --color never list --columns {wide}"),
            &[],
        );
        assert_fits(&list, cols, "list");
        for whole in [
            "0x00000051",
            "0x7fffffff",
            &peer_id.to_string(),
            &locked.to_string(),
            &peer.pid().to_string(),
        ] {
            assert!(list.contains(whole), "{whole} whole at {cols}:\n{list}");
        }
        assert_eq!(list.lines().count(), 3, "one line per segment:\n{list}");
        if cols == 80 {
            assert!(!list.contains(&command), "cut at 80:\n{list}");
            assert!(list.contains('…'), "an ellipsis where it is cut:\n{list}");
        } else {
            assert!(list.contains(&command), "whole at 200:\n{list}");
        }
        for (what, args) in [
            ("list", "list".to_owned()),
            ("list --kind all", "list --kind all".to_owned()),
            ("limits", "limits".to_owned()),
            ("info", format!("info {peer_id}")),
            ("info -v", format!("info -v {peer_id}")),
        ] {
            let text = on_terminal(cols as u16, &format!("{BIN} {args}"), &[]);
            assert_fits(&text, cols, what);
            assert!(
                text.contains(BOLD),
                "{what}: bold header on a terminal:\n{text}"
            );
        }
        let info = on_terminal(cols as u16, &format!("{BIN} info -v {peer_id}"), &[]);
        assert!(info.contains(&holder.pid().to_string()), "{info}");
        let limits = on_terminal(cols as u16, &format!("{BIN} limits"), &[]);
        assert!(limits.contains("18446744073692774399"), "{limits}");
        assert!(limits.contains("75557863725845603938304"), "{limits}");
    }
    drop(holder);
    drop(peer);
}

#[test]
fn colour_follows_color_and_no_color() {
    let ns = Ns::new();
    let id = ns.make(0x42, 4096, 0o600);
    ns.shmtool()
        .args(["lock", &id.to_string()])
        .assert()
        .success();
    // 11 is the bright yellow comfy-table uses for Color::Yellow.
    let yellow = "\u{1b}[38;5;11mlocked";
    let auto = on_terminal(80, &format!("{BIN} list"), &[]);
    assert!(
        auto.contains(BOLD) && auto.contains(yellow),
        "auto on a terminal:\n{auto:?}"
    );
    for (what, command, env) in [
        ("NO_COLOR", format!("{BIN} list"), vec![("NO_COLOR", "1")]),
        ("TERM=dumb", format!("{BIN} list"), vec![("TERM", "dumb")]),
        ("--color never", format!("{BIN} --color never list"), vec![]),
        (
            "json",
            format!("{BIN} --color always list --format json"),
            vec![],
        ),
        (
            "csv",
            format!("{BIN} --color always list --format csv"),
            vec![],
        ),
        (
            "raw",
            format!("{BIN} --color always list --format raw"),
            vec![],
        ),
        (
            "ipcs",
            format!("{BIN} --color always list --format ipcs"),
            vec![],
        ),
        (
            "markdown",
            format!("{BIN} --color always list --format markdown"),
            vec![],
        ),
    ] {
        let text = on_terminal(80, &command, &env);
        assert!(!text.contains('\u{1b}'), "{what}: no colour:\n{text:?}");
        assert!(text.contains("0x00000042"), "{what}:\n{text}");
    }
    // An empty NO_COLOR does not count (no-color.org).
    let empty = on_terminal(80, &format!("{BIN} list"), &[("NO_COLOR", "")]);
    assert!(empty.contains(BOLD), "{empty:?}");
    // --color always colours in a pipe too; auto does not.
    let piped = ns.ok(&["--color", "always", "list"]);
    assert!(piped.contains(BOLD) && piped.contains(yellow), "{piped:?}");
    assert_eq!(
        without_colour(&piped),
        ns.ok(&["list"]),
        "the same table, coloured"
    );
    assert!(!ns.ok(&["list"]).contains('\u{1b}'));
    let always_no_color = ns
        .shmtool()
        .args(["--color", "always", "list"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&always_no_color.stdout).contains(BOLD),
        "--color always wins over NO_COLOR"
    );
}

#[test]
fn wide_characters_line_up_on_a_terminal_and_in_a_pipe() {
    let out = posix_sh(&format!(
        r#"for n in 名前 🦀crab ascii-name; do "$SHMTOOL" create --name "/$n" --size 4096 >/dev/null; done
echo "== tty"
script -qec 'stty cols 80; NO_COLOR=1 "$SHMTOOL" list --kind posix --columns name,bytes,owner' /dev/null
echo "== pipe"
"$SHMTOOL" list --kind posix --columns name,bytes,owner
echo "== {BIN}""#
    ));
    for section in ["tty", "pipe"] {
        let text = common::section(&out, section).replace("\r\n", "\n");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{section}:\n{text}");
        // bytes is right-aligned: it ends in the same column on every line.
        let ends: Vec<usize> = lines
            .iter()
            .map(|l| {
                let cut = l
                    .find("bytes")
                    .map(|i| i + 5)
                    .unwrap_or_else(|| l.find("4096").unwrap() + 4);
                l[..cut].width()
            })
            .collect();
        assert!(
            ends.iter().all(|&e| e == ends[0]),
            "{section}: {ends:?}\n{text}"
        );
        assert!(text.contains("/名前") && text.contains("/🦀crab"), "{text}");
    }
}

#[test]
fn markdown_tables_for_list_and_dry_run() {
    let ns = Ns::new();
    let id = ns.make(0x1234, 25600, 0o640);
    let expected = format!(
        "| key | shmid | owner | perms | bytes | nattch | status |\n\
         | --- | ---: | --- | --- | ---: | ---: | --- |\n\
         | 0x00001234 | {id} | root | 640 | 25600 | 0 |  |\n"
    );
    assert_eq!(ns.ok(&["list", "--format", "markdown"]), expected);
    assert_eq!(
        on_terminal(80, &format!("{BIN} list --format markdown"), &[]),
        expected,
        "the same on a terminal"
    );
    let dry = ns
        .shmtool()
        .args(["remove", "--all", "--dry-run", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(dry.status.success());
    assert_eq!(String::from_utf8_lossy(&dry.stdout), expected);
    assert_eq!(ns.segments().len(), 1, "a dry run removes nothing");
    ns.fails(2, &["remove", "--all", "--format", "markdown"]);
    // POSIX names are cells other users chose: | and markup are escaped.
    let out = posix_sh(
        r#""$SHMTOOL" create --name '/a|b*c' --size 1K >/dev/null
"$SHMTOOL" list --kind posix --columns name,bytes --format markdown
"$SHMTOOL" remove --kind posix --match '*' --dry-run --format markdown 2>/dev/null"#,
    );
    let table = "| name | bytes |\n| --- | ---: |\n| /a\\|b\\*c | 1024 |\n";
    assert!(out.starts_with(table), "{out}");
    let dry = &out[table.len()..];
    assert!(dry.starts_with("| name | owner |"), "{dry}");
    assert!(dry.contains("\n| /a\\|b\\*c | root |"), "{dry}");
}

#[test]
fn control_characters_reach_the_terminal_table_escaped() {
    let out = posix_sh(
        r#""$SHMTOOL" create --name "/red$(printf '\033[31m')x" --size 1K >/dev/null
script -qec 'stty cols 80; "$SHMTOOL" --color never list --kind posix' /dev/null"#,
    );
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(out.contains("/red\\x1b[31mx"), "{out}");
}

#[test]
fn color_always_in_a_pipe_fits_the_width_watch_gives_in_columns() {
    let ns = Ns::new();
    let peer = Peer::start(&["create", "0x61", "4096"]);
    let args = [
        "--color",
        "always",
        "list",
        "--columns",
        "key,shmid,command",
    ];
    let fitted = ns
        .shmtool()
        .args(args)
        .env("COLUMNS", "40")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&fitted.stdout);
    assert!(text.contains(BOLD), "{text:?}");
    assert_fits(&text, 40, "COLUMNS=40");
    assert!(text.contains("0x00000061") && text.contains('…'), "{text}");
    let whole = ns
        .shmtool()
        .args(args)
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&whole.stdout);
    assert!(
        text.contains("shm_peer create 0x61 4096"),
        "no COLUMNS: every cell whole:\n{text}"
    );
    drop(peer);
}
