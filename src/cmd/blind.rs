//! Processes a run could not inspect: `-v` names each (pid, uid, why,
//! command); summaries count them, with a hint that is true for whoever
//! runs shmtool (root is never told to run as root).

use std::collections::BTreeSet;

use shmtool::escape::escape;
use shmtool::process::{Refusal, Uninspected, process_info};

/// `N process` or `N processes`.
pub(super) fn processes(n: usize) -> String {
    format!("{n} process{}", if n == 1 { "" } else { "es" })
}

/// With -v: one line for each process not inspected.
pub(super) fn name_each(command: &str, list: &[&Uninspected]) {
    for u in list {
        let uid = u
            .uid
            .map_or_else(|| "unknown".to_owned(), |uid| uid.to_string());
        let dumpable = if u.non_dumpable { ", non-dumpable" } else { "" };
        // The process chooses its command line: escaped, and last. One that
        // did not answer in time may hold its memory locked, which reading
        // its command line would wait on: its name (comm) needs no lock.
        let shown = if u.why == Refusal::NoAnswer {
            std::fs::read(format!("/proc/{}/comm", u.pid)).map_or_else(
                |_| "-".to_owned(),
                |c| format!("({})", escape(c.strip_suffix(b"\n").unwrap_or(&c))),
            )
        } else {
            process_info(u.pid).map_or_else(|| "-".to_owned(), |p| p.command.escaped().to_owned())
        };
        let what = match u.why {
            Refusal::NoAnswer => format!("no answer reading {}", u.file),
            Refusal::UnansweringFileSystem => format!("{} not looked into", u.file),
            _ => format!("permission denied reading {}", u.file),
        };
        warn!(
            "shmtool: {command}: not inspected: pid {}, uid {uid}{dumpable}: {what} ({}); command: {shown}",
            u.pid,
            u.why.text()
        );
    }
}

/// What would let shmtool inspect them: each distinct remedy; `None` when
/// nothing the one running shmtool can do would.
pub(super) fn remedy(list: &[&Uninspected]) -> Option<String> {
    let remedies: BTreeSet<&str> = list.iter().filter_map(|u| u.why.remedy()).collect();
    let remedies: Vec<&str> = remedies.into_iter().collect();
    (!remedies.is_empty()).then(|| format!("{} to inspect them", remedies.join(", or ")))
}

/// Why nothing the one running shmtool can do would help, for each reason
/// without a remedy among `list`: a security policy; no answer in time; a
/// root on a file system that may never answer.
pub(super) fn no_remedy(list: &[&Uninspected]) -> String {
    let whys: BTreeSet<&str> = list
        .iter()
        .filter(|u| u.why.remedy().is_none())
        .map(|u| match u.why {
            Refusal::NoAnswer => "some did not answer within 2 s (busy, or made slow)",
            Refusal::UnansweringFileSystem => {
                "some have their root or /dev on FUSE or a network file system"
            }
            _ => "a security policy hides them even from root",
        })
        .collect();
    whys.into_iter().collect::<Vec<_>>().join("; ")
}

/// `; hint: …` with [`remedy`], or why there is none; empty when there
/// are no processes.
pub(super) fn hint(list: &[&Uninspected]) -> String {
    match remedy(list) {
        _ if list.is_empty() => String::new(),
        Some(remedy) => format!("; hint: {remedy}"),
        None => format!("; {}", no_remedy(list)),
    }
}
