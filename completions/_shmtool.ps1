
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'shmtool' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'shmtool'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'shmtool' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a segment and print its shmid')
            [CompletionResult]::new('attach-write', 'attach-write', [CompletionResultType]::ParameterValue, 'Attach a segment and write bytes into it')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Attach a segment read-only and print its bytes')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List segments, like ipcs -m')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove segments (IPC_RMID)')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show everything about one segment, and the processes attaching it')
            [CompletionResult]::new('limits', 'limits', [CompletionResultType]::ParameterValue, 'Show the kernel''s limits and current use')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Lock a segment''s pages in memory (SHM_LOCK)')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Unlock a segment''s pages (SHM_UNLOCK)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change a segment''s permission bits or owner (IPC_SET)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print the help of shmtool or of one of its commands')
            break
        }
        'shmtool;create' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Key: 0x hex, decimal (negative as the kernel prints it), or `private`')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'Size: bytes, or a number with a unit: 25K, 25KiB, 1M, 1G (powers of 1024)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'Permission bits, octal (640 or 0640) [default: 600]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Create a POSIX object /NAME in /dev/shm (shm_open) instead of a segment, and print its name')
            [CompletionResult]::new('--private', '--private', [CompletionResultType]::ParameterName, 'Create a private segment (IPC_PRIVATE), reachable by id only')
            [CompletionResult]::new('--reuse', '--reuse', [CompletionResultType]::ParameterName, 'If the key exists with at least SIZE bytes, print its id instead of failing (its mode stays as it is)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;attach-write' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The segment''s id')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The segment''s key')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where to start writing, in bytes from the segment''s start')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Write this text (without a trailing newline)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Write the bytes of this file; standard input when neither --data, --file nor --fill is given')
            [CompletionResult]::new('--fill', '--fill', [CompletionResultType]::ParameterName, 'Fill with this byte (0-255 or 0x00-0xff) from the offset to the end, or for --length bytes')
            [CompletionResult]::new('--length', '--length', [CompletionResultType]::ParameterName, 'How many bytes to write: with --fill exactly N; from --data, --file or standard input at most N')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Ask shmat to attach at this address (0x hex or decimal)')
            [CompletionResult]::new('--rnd', '--rnd', [CompletionResultType]::ParameterName, 'Round --addr down to SHMLBA (SHM_RND) instead of refusing an unaligned one')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr how many bytes moved, where, and the attach address')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr how many bytes moved, where, and the attach address')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Draw no progress bar (one is drawn on stderr when it is a terminal the data does not go to, once a copy has lasted a second)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;read' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The segment''s id')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The segment''s key')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Where to start reading, in bytes from the segment''s start')
            [CompletionResult]::new('--length', '--length', [CompletionResultType]::ParameterName, 'How many bytes to read; to the segment''s end when absent')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: raw, or hex on a terminal]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file (created mode 0600) instead of standard output; `-` is standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file (created mode 0600) instead of standard output; `-` is standard output')
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Ask shmat to attach at this address (0x hex or decimal)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace --output when it exists: a regular file only once the new content is complete; a device or FIFO is written, not truncated; never a regular file reached through a symlink')
            [CompletionResult]::new('--rnd', '--rnd', [CompletionResultType]::ParameterName, 'Round --addr down to SHMLBA (SHM_RND) instead of refusing an unaligned one')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr how many bytes moved, where, and the attach address')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr how many bytes moved, where, and the attach address')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Draw no progress bar (one is drawn on stderr when it is a terminal the data does not go to, once a copy has lasted a second)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;list' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Columns to show, in order, comma-separated (the JSON field names)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only the segment with this key')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Only the segment with this id')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only segments owned by USER (a name or a uid)')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only segments created (or last changed) at least DURATION ago: 90s, 10m, 2h, 7d')
            [CompletionResult]::new('--larger-than', '--larger-than', [CompletionResultType]::ParameterName, 'Only segments larger than SIZE (bytes, or 25K, 1M, 1G)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only segments with this status')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'System V segments (the default), POSIX objects in /dev/shm, or all')
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Only POSIX objects whose name (without the slash) matches this shell glob, such as ''psm_*'' (implies --kind posix unless --kind is given)')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Sort by this field (any of the --columns fields)')
            [CompletionResult]::new('--output-atomic', '--output-atomic', [CompletionResultType]::ParameterName, 'Write the list to FILE atomically (mode 0644): a new file beside it, renamed over it once complete, never following a symlink')
            [CompletionResult]::new('--time', '--time', [CompletionResultType]::ParameterName, 'Add the attach, detach and change times (with --format ipcs: ipcs -m -t)')
            [CompletionResult]::new('--pids', '--pids', [CompletionResultType]::ParameterName, 'Add the creator and last-operation pids (with --format ipcs: ipcs -m -p)')
            [CompletionResult]::new('--creator', '--creator', [CompletionResultType]::ParameterName, 'Add the creator''s user and group (with --format ipcs: ipcs -m -c)')
            [CompletionResult]::new('--human', '--human', [CompletionResultType]::ParameterName, 'Print sizes as 25K, 97.7K, 1M')
            [CompletionResult]::new('--bytes', '--bytes', [CompletionResultType]::ParameterName, 'Print sizes in bytes (the default)')
            [CompletionResult]::new('--unattached', '--unattached', [CompletionResultType]::ParameterName, 'Only segments no process attaches (nattch 0)')
            [CompletionResult]::new('--orphaned', '--orphaned', [CompletionResultType]::ParameterName, 'Only unattached segments whose creator and last user are proven gone')
            [CompletionResult]::new('--assume-hidden-unused', '--assume-hidden-unused', [CompletionResultType]::ParameterName, 'Judge whether POSIX objects are used from the processes this user can inspect, taking those it cannot as using nothing')
            [CompletionResult]::new('--reverse', '--reverse', [CompletionResultType]::ParameterName, 'Reverse the order')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the list came from when it is not /proc/sysvipc/shm, and why segments were not taken as orphaned')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the list came from when it is not /proc/sysvipc/shm, and why segments were not taken as orphaned')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'List the segments of every IPC namespace on the host (needs root), adding the ns, nspid and container fields; with --kind posix|all also the objects of every /dev/shm, adding mntns, devshm, nspid and container (a /dev/shm that is not the root of a tmpfs of its own, or is behind a symlink, is skipped)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'List the segments of every IPC namespace on the host (needs root), adding the ns, nspid and container fields; with --kind posix|all also the objects of every /dev/shm, adding mntns, devshm, nspid and container (a /dev/shm that is not the root of a tmpfs of its own, or is behind a symlink, is skipped)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;remove' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Remove the segment with this id (repeatable)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Remove the segment with this key (repeatable)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Unlink the POSIX object /NAME from /dev/shm (repeatable)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Only segments owned by USER (a name or a uid)')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only segments created (or last changed) at least DURATION ago: 90s, 10m, 2h, 7d')
            [CompletionResult]::new('--larger-than', '--larger-than', [CompletionResultType]::ParameterName, 'Only segments larger than SIZE (bytes, or 25K, 1M, 1G)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only segments with this status')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'System V segments (the default), POSIX objects in /dev/shm, or all')
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Only POSIX objects whose name (without the slash) matches this shell glob, such as ''psm_*'' (implies --kind posix unless --kind is given)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How --dry-run prints the segments: table, or markdown (for $GITHUB_STEP_SUMMARY)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Select among every segment (with no filter: remove them all)')
            [CompletionResult]::new('--unattached', '--unattached', [CompletionResultType]::ParameterName, 'Only segments no process attaches (nattch 0)')
            [CompletionResult]::new('--orphaned', '--orphaned', [CompletionResultType]::ParameterName, 'Only unattached segments whose creator and last user are proven gone')
            [CompletionResult]::new('--assume-hidden-unused', '--assume-hidden-unused', [CompletionResultType]::ParameterName, 'Judge whether POSIX objects are used from the processes this user can inspect, taking those it cannot as using nothing')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show what would be removed, and change nothing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be removed, and change nothing')
            [CompletionResult]::new('--missing-ok', '--missing-ok', [CompletionResultType]::ParameterName, 'A named id or key that does not exist is not an error')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print a line on stdout for each segment: what happened to it, and why when it was not removed; say on stderr why segments were not taken as orphaned')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print a line on stdout for each segment: what happened to it, and why when it was not removed; say on stderr why segments were not taken as orphaned')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON record per target (with --dry-run: the segments, as list does)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before removing every segment')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before removing every segment')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Remove what the filters select in every IPC namespace on the host (needs root; filters only); with --kind posix|all also in every /dev/shm')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Remove what the filters select in every IPC namespace on the host (needs root; filters only); with --kind posix|all also in every /dev/shm')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;info' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The segment''s id')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The segment''s key')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Also show where each process has the segment mapped')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Also show where each process has the segment mapped')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;limits' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;lock' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The segment''s id')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The segment''s key')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;unlock' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The segment''s id')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The segment''s key')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;set' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The segment''s id')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The segment''s key')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'New permission bits, octal (640 or 0640)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'New owner and group: USER, USER:GROUP or :GROUP (names or numbers)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'shmtool;help' {
            [CompletionResult]::new('--ns', '--ns', [CompletionResultType]::ParameterName, 'Work in another IPC namespace: a container''s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process''s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
