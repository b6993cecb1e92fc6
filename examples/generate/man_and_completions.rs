//! Man pages and shell completions, generated from the clap definition by
//! `cargo run --example generate -- DIR` (see the README's "Install" and
//! "Completions"). tests/shipping.rs includes this file too: it regenerates
//! them and fails when the checked-in files are stale.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use clap::{Arg, ArgAction, CommandFactory};
use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Inline, Roff, bold, italic, roman};

use crate::cli::Cli;

/// Examples per page: (page, [(what it does, the command)]).
const EXAMPLES: &[(&str, &[(&str, &str)])] = &[
    (
        "shmtool",
        &[
            (
                "Create a 25600-byte segment with key 0x1234, readable by its group, and print its id:",
                "shmtool create --key 0x1234 --size 25600 --mode 640",
            ),
            ("List the segments of this host:", "shmtool list"),
            (
                "CI teardown: remove your segments over an hour old that nothing attaches and whose creator and last user are proven gone:",
                "shmtool remove --owner \"$(id -un)\" --orphaned --older-than 1h",
            ),
        ],
    ),
    (
        "create",
        &[
            (
                "Create a segment and keep its id:",
                "id=$(shmtool create --key 0x1234 --size 25600 --mode 640)",
            ),
            (
                "Use the segment with that key if it exists and is big enough:",
                "shmtool create --key 0x1234 --size 25K --reuse",
            ),
        ],
    ),
    (
        "attach-write",
        &[
            (
                "Write a file into a segment:",
                "shmtool attach-write --key 0x1234 --file data.bin",
            ),
            (
                "Zero a segment:",
                "shmtool attach-write --key 0x1234 --fill 0",
            ),
            (
                "Write from a pipe, at an offset:",
                "printf hi | shmtool attach-write --id 3 --offset 16",
            ),
        ],
    ),
    (
        "read",
        &[
            (
                "Print the first two bytes:",
                "shmtool read --key 0x1234 --length 2",
            ),
            ("Show a hex dump:", "shmtool read --key 0x1234 --format hex"),
            (
                "Save a segment to a file:",
                "shmtool read --id 3 --output dump.bin",
            ),
        ],
    ),
    (
        "list",
        &[
            ("List the segments of this host:", "shmtool list"),
            (
                "Print exactly what ipcs -m prints:",
                "shmtool list --format ipcs",
            ),
            (
                "Typed JSON of one user's unattached segments:",
                "shmtool list --owner postgres --unattached --format json",
            ),
        ],
    ),
    (
        "remove",
        &[
            (
                "CI teardown: remove your segments over an hour old that nothing attaches and whose creator and last user are proven gone:",
                "shmtool remove --owner \"$(id -un)\" --orphaned --older-than 1h",
            ),
            (
                "See what would go, changing nothing:",
                "shmtool remove --older-than 1d --dry-run",
            ),
            (
                "Remove by key, and do not fail if it is already gone:",
                "shmtool remove --key 0x1234 --missing-ok",
            ),
        ],
    ),
    (
        "info",
        &[(
            "Everything about segment 3, and who attaches it:",
            "shmtool info 3",
        )],
    ),
    (
        "limits",
        &[("Show the limits and their use:", "shmtool limits")],
    ),
    ("lock", &[("Lock segment 3 in memory:", "shmtool lock 3")]),
    ("unlock", &[("Unlock segment 3:", "shmtool unlock 3")]),
    (
        "help",
        &[("Show the help of create:", "shmtool help create")],
    ),
    (
        "set",
        &[
            (
                "Make segment 3 readable by its group:",
                "shmtool set 3 --mode 640",
            ),
            (
                "Give segment 3 to postgres:",
                "shmtool set 3 --owner postgres:postgres",
            ),
        ],
    ),
];

const SEE_ALSO: &str = "ipcs(1), ipcrm(1), ipcmk(1), lsipc(1), shmget(2), shmat(2), shmctl(2)";

fn extra_sections(roff: &mut Roff, page: &str) {
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        (
            "0",
            "Success, also when a reader such as head(1) closes the output early.",
        ),
        (
            "1",
            "An operation failed: no such segment, permission denied, a limit reached.",
        ),
        (
            "2",
            "Usage error: a bad value, or a missing or conflicting option.",
        ),
    ] {
        roff.control("TP", [])
            .text([bold(code)])
            .text([roman(meaning)]);
    }
    if let Some((_, examples)) = EXAMPLES.iter().find(|(p, _)| *p == page) {
        roff.control("SH", ["EXAMPLES"]);
        for (what, command) in *examples {
            roff.control("PP", []).text([roman(*what)]);
            roff.control("PP", [])
                .control("RS", ["4"])
                .text([bold(*command)])
                .control("RE", []);
        }
    }
    roff.control("SH", ["SEE ALSO"]);
    let mut see_also = String::from(SEE_ALSO);
    if page != "shmtool" {
        see_also = format!("shmtool(1), {see_also}");
    }
    roff.text([roman(see_also)]);
}

/// An option or positional as the synopsis shows it: `--size SIZE`,
/// `[-v|--verbose]`, `[--id ID]...`, `[ID]...`.
fn synopsis_arg(line: &mut Vec<Inline>, arg: &Arg, in_group: bool) {
    let (open, close) = match (in_group, arg.is_required_set()) {
        (true, _) => ("", ""),
        (false, true) => ("<", ">"),
        (false, false) => ("[", "]"),
    };
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
    let value = arg
        .get_value_names()
        .map(|v| v.join(" "))
        .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
    let repeats = matches!(arg.get_action(), ArgAction::Append)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
    line.push(roman(open));
    if arg.is_positional() {
        line.push(italic(value));
    } else {
        match (arg.get_short(), arg.get_long()) {
            (Some(short), Some(long)) => {
                line.extend([
                    bold(format!("-{short}")),
                    roman("|"),
                    bold(format!("--{long}")),
                ]);
            }
            (Some(short), None) => line.push(bold(format!("-{short}"))),
            (None, Some(long)) => line.push(bold(format!("--{long}"))),
            (None, None) => {}
        }
        if takes_value {
            line.extend([roman(" "), italic(value)]);
        }
    }
    line.push(roman(close));
    if repeats {
        line.push(roman("..."));
    }
}

/// The SYNOPSIS section, as clap_mangen renders it but with each option's
/// value named (`--size SIZE`, not `--size`).
fn synopsis(cmd: &clap::Command) -> Roff {
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let mut line = vec![bold(name)];
    let required_groups: Vec<Vec<&Arg>> = cmd
        .get_groups()
        .filter(|g| g.is_required_set())
        .map(|g| {
            let ids: Vec<_> = g.get_args().collect();
            cmd.get_arguments()
                .filter(|a| ids.contains(&a.get_id()) && !a.is_hide_set())
                .collect::<Vec<_>>()
        })
        .filter(|members| !members.is_empty())
        .collect();
    let in_group = |arg: &Arg| {
        required_groups
            .iter()
            .flatten()
            .any(|m| m.get_id() == arg.get_id())
    };
    let mut options: Vec<&Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional() && !in_group(a))
        .collect();
    options.sort_by_key(|a| !a.is_required_set());
    for arg in options {
        line.push(roman(" "));
        synopsis_arg(&mut line, arg, false);
    }
    for members in &required_groups {
        line.push(roman(" <"));
        for (i, arg) in members.iter().enumerate() {
            if i > 0 {
                line.push(roman("|"));
            }
            synopsis_arg(&mut line, arg, true);
        }
        line.push(roman(">"));
    }
    for arg in cmd
        .get_positionals()
        .filter(|a| !a.is_hide_set() && !in_group(a))
    {
        line.push(roman(" "));
        synopsis_arg(&mut line, arg, false);
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        line.extend([roman(" <"), italic("command"), roman(">")]);
    }
    let mut roff = Roff::new();
    roff.control("SH", ["SYNOPSIS"]).text(line);
    roff
}

fn write_page(dir: &Path, file: &str, page: &str, cmd: clap::Command) -> io::Result<()> {
    let has_subcommands = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let synopsis = synopsis(&cmd);
    let man = Man::new(cmd);
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    synopsis.to_writer(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    if has_subcommands {
        man.render_subcommands_section(&mut out)?;
    }
    let mut roff = Roff::new();
    extra_sections(&mut roff, page);
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    fs::File::create(dir.join(file))?.write_all(&out)
}

/// Writes `DIR/man/*.1` (one page for shmtool, one per subcommand) and
/// `DIR/completions/` for bash, zsh, fish, elvish and PowerShell.
pub fn generate(dir: &Path) -> io::Result<()> {
    let man_dir = dir.join("man");
    let completions = dir.join("completions");
    fs::create_dir_all(&man_dir)?;
    fs::create_dir_all(&completions)?;
    let mut cmd = Cli::command();
    cmd.build();
    write_page(&man_dir, "shmtool.1", "shmtool", cmd.clone())?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name().to_owned();
        let page = sub
            .clone()
            .name(format!("shmtool-{name}"))
            .display_name(format!("shmtool-{name}"))
            .version(env!("CARGO_PKG_VERSION"));
        write_page(&man_dir, &format!("shmtool-{name}.1"), &name, page)?;
    }
    let mut cli = Cli::command();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        clap_complete::generate_to(shell, &mut cli, "shmtool", &completions)?;
    }
    Ok(())
}
