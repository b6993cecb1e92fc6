//! Man pages and shell completions, generated from the clap definition by
//! the hidden `shmtool generate DIR` (see the README's "Install" and "Completions").
//! A test regenerates them and fails when the checked-in files are stale.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

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

fn write_page(dir: &Path, file: &str, page: &str, cmd: clap::Command) -> io::Result<()> {
    let has_subcommands = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let man = Man::new(cmd);
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
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
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        clap_complete::generate_to(shell, &mut cmd, "shmtool", &completions)?;
    }
    Ok(())
}
