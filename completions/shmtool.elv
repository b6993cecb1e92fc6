
use builtin;
use str;

set edit:completion:arg-completer[shmtool] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'shmtool'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'shmtool'= {
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a segment and print its shmid'
            cand attach-write 'Attach a segment and write bytes into it'
            cand read 'Attach a segment read-only and print its bytes'
            cand list 'List segments, like ipcs -m'
            cand remove 'Remove segments (IPC_RMID)'
            cand info 'Show everything about one segment, and the processes attaching it'
            cand limits 'Show the kernel''s limits and current use'
            cand lock 'Lock a segment''s pages in memory (SHM_LOCK)'
            cand unlock 'Unlock a segment''s pages (SHM_UNLOCK)'
            cand set 'Change a segment''s permission bits or owner (IPC_SET)'
            cand help 'Print the help of shmtool or of one of its commands'
        }
        &'shmtool;create'= {
            cand --key 'Key: 0x hex, decimal (negative as the kernel prints it), or `private`'
            cand --size 'Size: bytes, or a number with a unit: 25K, 25KiB, 1M, 1G (powers of 1024)'
            cand --mode 'Permission bits, octal (640 or 0640) [default: 600]'
            cand --name 'Create a POSIX object /NAME in /dev/shm (shm_open) instead of a segment, and print its name'
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand --private 'Create a private segment (IPC_PRIVATE), reachable by id only'
            cand --reuse 'If the key exists with at least SIZE bytes, print its id instead of failing (its mode stays as it is)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;attach-write'= {
            cand --id 'The segment''s id'
            cand --key 'The segment''s key'
            cand --name 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)'
            cand --offset 'Where to start writing, in bytes from the segment''s start'
            cand --data 'Write this text (without a trailing newline)'
            cand --file 'Write the bytes of this file; standard input when neither --data, --file nor --fill is given'
            cand --fill 'Fill with this byte (0-255 or 0x00-0xff) from the offset to the end, or for --length bytes'
            cand --length 'How many bytes to write: with --fill exactly N; from --data, --file or standard input at most N'
            cand --addr 'Ask shmat to attach at this address (0x hex or decimal)'
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand --rnd 'Round --addr down to SHMLBA (SHM_RND) instead of refusing an unaligned one'
            cand -v 'Say on stderr how many bytes moved, where, and the attach address'
            cand --verbose 'Say on stderr how many bytes moved, where, and the attach address'
            cand --no-progress 'Draw no progress bar (one is drawn on stderr when it is a terminal the data does not go to, once a copy has lasted a second)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;read'= {
            cand --id 'The segment''s id'
            cand --key 'The segment''s key'
            cand --name 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)'
            cand --offset 'Where to start reading, in bytes from the segment''s start'
            cand --length 'How many bytes to read; to the segment''s end when absent'
            cand --format 'Output format [default: raw, or hex on a terminal]'
            cand -o 'Write to this file (created mode 0600) instead of standard output; `-` is standard output'
            cand --output 'Write to this file (created mode 0600) instead of standard output; `-` is standard output'
            cand --addr 'Ask shmat to attach at this address (0x hex or decimal)'
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand --force 'Replace --output when it exists: a regular file only once the new content is complete; a device or FIFO is written, not truncated; never a regular file reached through a symlink'
            cand --rnd 'Round --addr down to SHMLBA (SHM_RND) instead of refusing an unaligned one'
            cand -v 'Say on stderr how many bytes moved, where, and the attach address'
            cand --verbose 'Say on stderr how many bytes moved, where, and the attach address'
            cand --no-progress 'Draw no progress bar (one is drawn on stderr when it is a terminal the data does not go to, once a copy has lasted a second)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;list'= {
            cand --format 'Output format'
            cand --columns 'Columns to show, in order, comma-separated (the JSON field names)'
            cand --key 'Only the segment with this key'
            cand --id 'Only the segment with this id'
            cand --owner 'Only segments owned by USER (a name or a uid)'
            cand --older-than 'Only segments created (or last changed) at least DURATION ago: 90s, 10m, 2h, 7d'
            cand --larger-than 'Only segments larger than SIZE (bytes, or 25K, 1M, 1G)'
            cand --status 'Only segments with this status'
            cand --kind 'System V segments (the default), POSIX objects in /dev/shm, or all'
            cand --match 'Only POSIX objects whose name (without the slash) matches this shell glob, such as ''psm_*'' (implies --kind posix unless --kind is given)'
            cand --sort 'Sort by this field (any of the --columns fields)'
            cand --output-atomic 'Write the list to FILE atomically (mode 0644): a new file beside it, renamed over it once complete, never following a symlink'
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand --time 'Add the attach, detach and change times (with --format ipcs: ipcs -m -t)'
            cand --pids 'Add the creator and last-operation pids (with --format ipcs: ipcs -m -p)'
            cand --creator 'Add the creator''s user and group (with --format ipcs: ipcs -m -c)'
            cand --human 'Print sizes as 25K, 97.7K, 1M'
            cand --bytes 'Print sizes in bytes (the default)'
            cand --unattached 'Only segments no process attaches (nattch 0)'
            cand --orphaned 'Only unattached segments whose creator and last user are proven gone'
            cand --reverse 'Reverse the order'
            cand -v 'Say on stderr where the list came from when it is not /proc/sysvipc/shm, and why segments were not taken as orphaned'
            cand --verbose 'Say on stderr where the list came from when it is not /proc/sysvipc/shm, and why segments were not taken as orphaned'
            cand -A 'List the segments of every IPC namespace on the host (needs root), adding the ns, nspid and container fields'
            cand --all-namespaces 'List the segments of every IPC namespace on the host (needs root), adding the ns, nspid and container fields'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;remove'= {
            cand --id 'Remove the segment with this id (repeatable)'
            cand --key 'Remove the segment with this key (repeatable)'
            cand --name 'Unlink the POSIX object /NAME from /dev/shm (repeatable)'
            cand --owner 'Only segments owned by USER (a name or a uid)'
            cand --older-than 'Only segments created (or last changed) at least DURATION ago: 90s, 10m, 2h, 7d'
            cand --larger-than 'Only segments larger than SIZE (bytes, or 25K, 1M, 1G)'
            cand --status 'Only segments with this status'
            cand --kind 'System V segments (the default), POSIX objects in /dev/shm, or all'
            cand --match 'Only POSIX objects whose name (without the slash) matches this shell glob, such as ''psm_*'' (implies --kind posix unless --kind is given)'
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand --all 'Select among every segment (with no filter: remove them all)'
            cand --unattached 'Only segments no process attaches (nattch 0)'
            cand --orphaned 'Only unattached segments whose creator and last user are proven gone'
            cand -n 'Show what would be removed, and change nothing'
            cand --dry-run 'Show what would be removed, and change nothing'
            cand --missing-ok 'A named id or key that does not exist is not an error'
            cand -v 'Print a line on stdout for each segment: what happened to it, and why when it was not removed; say on stderr why segments were not taken as orphaned'
            cand --verbose 'Print a line on stdout for each segment: what happened to it, and why when it was not removed; say on stderr why segments were not taken as orphaned'
            cand --json 'Print one JSON record per target (with --dry-run: the segments, as list does)'
            cand -y 'Do not ask before removing every segment'
            cand --yes 'Do not ask before removing every segment'
            cand -A 'Remove what the filters select in every IPC namespace on the host (needs root; filters only)'
            cand --all-namespaces 'Remove what the filters select in every IPC namespace on the host (needs root; filters only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;info'= {
            cand --id 'The segment''s id'
            cand --key 'The segment''s key'
            cand --name 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)'
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand -v 'Also show where each process has the segment mapped'
            cand --verbose 'Also show where each process has the segment mapped'
            cand --json 'Print one JSON object'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;limits'= {
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand --json 'Print one JSON object'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;lock'= {
            cand --id 'The segment''s id'
            cand --key 'The segment''s key'
            cand --name 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)'
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;unlock'= {
            cand --id 'The segment''s id'
            cand --key 'The segment''s key'
            cand --name 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)'
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;set'= {
            cand --id 'The segment''s id'
            cand --key 'The segment''s key'
            cand --name 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)'
            cand --mode 'New permission bits, octal (640 or 0640)'
            cand --owner 'New owner and group: USER, USER:GROUP or :GROUP (names or numbers)'
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'shmtool;help'= {
            cand --ns 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
