//! /proc/sysvipc/shm text, arbitrary bytes: the parser must never panic, and
//! whatever it accepts must print back to the same segments.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(segments) = shmtool::procfs_shm::parse(text) {
        // Re-print what was accepted in the kernel's own layout, and parse it again.
        let mut again = String::from(
            "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap\n",
        );
        for s in &segments {
            again.push_str(&format!(
                "{} {} {:o} {} {} {} {} {} {} {} {} {} {} {} {} {}\n",
                s.key.0, s.shmid, s.mode, s.size, s.cpid, s.lpid, s.nattch, s.uid, s.gid, s.cuid,
                s.cgid, s.atime, s.dtime, s.ctime, s.rss.unwrap_or(0), s.swap.unwrap_or(0)
            ));
        }
        let back = shmtool::procfs_shm::parse(&again).expect("printed segments parse");
        assert_eq!(back.len(), segments.len());
        for (a, b) in back.iter().zip(&segments) {
            assert_eq!((a.key, a.shmid, a.mode, a.size, a.uid, a.ctime), (b.key, b.shmid, b.mode, b.size, b.uid, b.ctime));
        }
    }
});
