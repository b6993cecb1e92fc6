# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_shmtool_global_optspecs
    string join \n ns= color= h/help V/version
end

function __fish_shmtool_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_shmtool_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_shmtool_using_subcommand
    set -l cmd (__fish_shmtool_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c shmtool -n "__fish_shmtool_needs_command" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_needs_command" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_needs_command" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "create" -d 'Create a segment and print its shmid'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "attach-write" -d 'Attach a segment and write bytes into it'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "read" -d 'Attach a segment read-only and print its bytes'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "list" -d 'List segments, like ipcs -m'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "remove" -d 'Remove segments (IPC_RMID)'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "info" -d 'Show everything about one segment, and the processes attaching it'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "limits" -d 'Show the kernel\'s limits and current use'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "lock" -d 'Lock a segment\'s pages in memory (SHM_LOCK)'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "unlock" -d 'Unlock a segment\'s pages (SHM_UNLOCK)'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "set" -d 'Change a segment\'s permission bits or owner (IPC_SET)'
complete -c shmtool -n "__fish_shmtool_needs_command" -f -a "help" -d 'Print the help of shmtool or of one of its commands'
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -l key -d 'Key: 0x hex, decimal (negative as the kernel prints it), or `private`' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -l size -d 'Size: bytes, or a number with a unit: 25K, 25KiB, 1M, 1G (powers of 1024)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -l mode -d 'Permission bits, octal (640 or 0640) [default: 600]' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -l name -d 'Create a POSIX object /NAME in /dev/shm (shm_open) instead of a segment, and print its name' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -l private -d 'Create a private segment (IPC_PRIVATE), reachable by id only'
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -l reuse -d 'If the key exists with at least SIZE bytes, print its id instead of failing (its mode stays as it is)'
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand create" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l id -d 'The segment\'s id' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l key -d 'The segment\'s key' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l name -d 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l offset -d 'Where to start writing, in bytes from the segment\'s start' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l data -d 'Write this text (without a trailing newline)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l file -d 'Write the bytes of this file; standard input when neither --data, --file nor --fill is given' -r -F
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l fill -d 'Fill with this byte (0-255 or 0x00-0xff) from the offset to the end, or for --length bytes' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l length -d 'How many bytes to write: with --fill exactly N; from --data, --file or standard input at most N' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l addr -d 'Ask shmat to attach at this address (0x hex or decimal)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l rnd -d 'Round --addr down to SHMLBA (SHM_RND) instead of refusing an unaligned one'
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -s v -l verbose -d 'Say on stderr how many bytes moved, where, and the attach address'
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -l no-progress -d 'Draw no progress bar (one is drawn on stderr when it is a terminal the data does not go to, once a copy has lasted a second)'
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand attach-write" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l id -d 'The segment\'s id' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l key -d 'The segment\'s key' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l name -d 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l offset -d 'Where to start reading, in bytes from the segment\'s start' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l length -d 'How many bytes to read; to the segment\'s end when absent' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l format -d 'Output format [default: raw, or hex on a terminal]' -r -f -a "raw\t'The bytes as they are'
hex\t'The canonical hex dump: offset, 16 bytes in hex, ASCII'
text\t'The bytes up to the first NUL, as C strings are kept'"
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -s o -l output -d 'Write to this file (created mode 0600) instead of standard output; `-` is standard output' -r -F
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l addr -d 'Ask shmat to attach at this address (0x hex or decimal)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l force -d 'Replace --output when it exists: a regular file only once the new content is complete; a device or FIFO is written, not truncated; never a regular file reached through a symlink'
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l rnd -d 'Round --addr down to SHMLBA (SHM_RND) instead of refusing an unaligned one'
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -s v -l verbose -d 'Say on stderr how many bytes moved, where, and the attach address'
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -l no-progress -d 'Draw no progress bar (one is drawn on stderr when it is a terminal the data does not go to, once a copy has lasted a second)'
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand read" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l format -d 'Output format' -r -f -a "table\t'An aligned table'
ipcs\t'Byte for byte what `ipcs -m` prints'
json\t'One JSON array of typed objects'
csv\t'Comma-separated, with a header row'
raw\t'Whitespace-separated, no header, one segment a line'
prometheus\t'Prometheus text exposition format, for node_exporter\'s textfile collector'
markdown\t'A GitHub-flavoured Markdown table of the table\'s columns (for CI job summaries)'"
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l columns -d 'Columns to show, in order, comma-separated (the JSON field names)' -r -f -a "key\t'the IPC key, 0x%08x; 0x00000000 for private and removed segments'
shmid\t'the segment id'
owner\t'the owner\'s user name, or uid when it has none'
group\t'the owner\'s group name, or gid when it has none'
uid\t'the owner\'s uid'
gid\t'the owner\'s gid'
cuid\t'the creator\'s uid'
cgid\t'the creator\'s gid'
creator\t'the creator\'s user name, or cuid when it has none'
perms\t'the permission bits, octal'
bytes\t'the size in bytes'
nattch\t'the number of attaches; for a POSIX object, of processes that map it or hold it open'
status\t'dest (removed while attached) and locked flags'
cpid\t'the creator\'s pid'
lpid\t'the pid of the last shmat or shmdt'
atime\t'the last attach time, epoch seconds'
dtime\t'the last detach time, epoch seconds'
ctime\t'the creation or last change time, epoch seconds'
rss\t'resident bytes'
swap\t'swapped bytes'
command\t'the creator\'s command line while it runs'
ns\t'the IPC namespace inode, as lsns prints it (with --all-namespaces)'
nspid\t'the lowest pid in that namespace, for --ns (with --all-namespaces)'
container\t'the container id or Kubernetes pod uid of that namespace, from its processes\' cgroup at a runtime\'s place (with --all-namespaces)'
container_uid\t'the user whose delegated cgroup subtree holds that container (rootless Podman or Docker); null for a system runtime\'s (with --all-namespaces)'
cgroup\t'the cgroup path (v2, or v1\'s name=systemd) the container was read from, else that of the lowest pid in the namespace (with --all-namespaces)'
kind\t'sysv or posix'
id\t'the shmid of a System V segment, the /name of a POSIX object'
name\t'a POSIX object\'s name, /NAME as shm_open takes it'
allocated\t'the bytes a POSIX object really uses (tmpfs objects are sparse)'
mtime\t'a POSIX object\'s last modification time, epoch seconds'
mntns\t'a POSIX object\'s mount namespace inode, as lsns prints it (with --all-namespaces)'
devshm\t'a POSIX object\'s /dev/shm device, major:minor (with --all-namespaces)'"
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l key -d 'Only the segment with this key' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l id -d 'Only the segment with this id' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l owner -d 'Only segments owned by USER (a name or a uid)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l older-than -d 'Only segments created (or last changed) at least DURATION ago: 90s, 10m, 2h, 7d' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l larger-than -d 'Only segments larger than SIZE (bytes, or 25K, 1M, 1G)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l status -d 'Only segments with this status' -r -f -a "dest\t'Marked for destruction (IPC_RMID while still attached)'
locked\t'Pages locked in memory (SHM_LOCK)'"
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l kind -d 'System V segments (the default), POSIX objects in /dev/shm, or all' -r -f -a "sysv\t'System V segments'
posix\t'POSIX objects in /dev/shm'
all\t'Both'"
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l match -d 'Only POSIX objects whose name (without the slash) matches this shell glob, such as \'psm_*\' (implies --kind posix unless --kind is given)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l sort -d 'Sort by this field (any of the --columns fields)' -r -f -a "key\t'the IPC key, 0x%08x; 0x00000000 for private and removed segments'
shmid\t'the segment id'
owner\t'the owner\'s user name, or uid when it has none'
group\t'the owner\'s group name, or gid when it has none'
uid\t'the owner\'s uid'
gid\t'the owner\'s gid'
cuid\t'the creator\'s uid'
cgid\t'the creator\'s gid'
creator\t'the creator\'s user name, or cuid when it has none'
perms\t'the permission bits, octal'
bytes\t'the size in bytes'
nattch\t'the number of attaches; for a POSIX object, of processes that map it or hold it open'
status\t'dest (removed while attached) and locked flags'
cpid\t'the creator\'s pid'
lpid\t'the pid of the last shmat or shmdt'
atime\t'the last attach time, epoch seconds'
dtime\t'the last detach time, epoch seconds'
ctime\t'the creation or last change time, epoch seconds'
rss\t'resident bytes'
swap\t'swapped bytes'
command\t'the creator\'s command line while it runs'
ns\t'the IPC namespace inode, as lsns prints it (with --all-namespaces)'
nspid\t'the lowest pid in that namespace, for --ns (with --all-namespaces)'
container\t'the container id or Kubernetes pod uid of that namespace, from its processes\' cgroup at a runtime\'s place (with --all-namespaces)'
container_uid\t'the user whose delegated cgroup subtree holds that container (rootless Podman or Docker); null for a system runtime\'s (with --all-namespaces)'
cgroup\t'the cgroup path (v2, or v1\'s name=systemd) the container was read from, else that of the lowest pid in the namespace (with --all-namespaces)'
kind\t'sysv or posix'
id\t'the shmid of a System V segment, the /name of a POSIX object'
name\t'a POSIX object\'s name, /NAME as shm_open takes it'
allocated\t'the bytes a POSIX object really uses (tmpfs objects are sparse)'
mtime\t'a POSIX object\'s last modification time, epoch seconds'
mntns\t'a POSIX object\'s mount namespace inode, as lsns prints it (with --all-namespaces)'
devshm\t'a POSIX object\'s /dev/shm device, major:minor (with --all-namespaces)'"
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l output-atomic -d 'Write the list to FILE atomically (mode 0644): a new file beside it, renamed over it once complete, never following a symlink' -r -F
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l time -d 'Add the attach, detach and change times (with --format ipcs: ipcs -m -t)'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l pids -d 'Add the creator and last-operation pids (with --format ipcs: ipcs -m -p)'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l creator -d 'Add the creator\'s user and group (with --format ipcs: ipcs -m -c)'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l human -d 'Print sizes as 25K, 97.7K, 1M'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l bytes -d 'Print sizes in bytes (the default)'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l unattached -d 'Only segments no process attaches (nattch 0)'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l orphaned -d 'Only unattached segments whose creator and last user are proven gone'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l assume-hidden-unused -d 'Judge whether POSIX objects are used from the processes this user can inspect, taking those it cannot as using nothing'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -l reverse -d 'Reverse the order'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -s v -l verbose -d 'Say on stderr where the list came from when it is not /proc/sysvipc/shm, and why segments were not taken as orphaned'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -s A -l all-namespaces -d 'List the segments of every IPC namespace on the host (needs root), adding the ns, nspid and container fields; with --kind posix|all also the objects of every /dev/shm, adding mntns, devshm, nspid and container (a /dev/shm that is not the root of a tmpfs of its own, or is behind a symlink, is skipped)'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand list" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l id -d 'Remove the segment with this id (repeatable)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l key -d 'Remove the segment with this key (repeatable)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l name -d 'Unlink the POSIX object /NAME from /dev/shm (repeatable)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l owner -d 'Only segments owned by USER (a name or a uid)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l older-than -d 'Only segments created (or last changed) at least DURATION ago: 90s, 10m, 2h, 7d' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l larger-than -d 'Only segments larger than SIZE (bytes, or 25K, 1M, 1G)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l status -d 'Only segments with this status' -r -f -a "dest\t'Marked for destruction (IPC_RMID while still attached)'
locked\t'Pages locked in memory (SHM_LOCK)'"
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l kind -d 'System V segments (the default), POSIX objects in /dev/shm, or all' -r -f -a "sysv\t'System V segments'
posix\t'POSIX objects in /dev/shm'
all\t'Both'"
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l match -d 'Only POSIX objects whose name (without the slash) matches this shell glob, such as \'psm_*\' (implies --kind posix unless --kind is given)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l format -d 'How --dry-run prints the segments: table, or markdown (for $GITHUB_STEP_SUMMARY)' -r -f -a "table\t'An aligned table, as list prints it'
markdown\t'A GitHub-flavoured Markdown table (for CI job summaries)'"
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l all -d 'Select among every segment (with no filter: remove them all)'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l unattached -d 'Only segments no process attaches (nattch 0)'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l orphaned -d 'Only unattached segments whose creator and last user are proven gone'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l assume-hidden-unused -d 'Judge whether POSIX objects are used from the processes this user can inspect, taking those it cannot as using nothing'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -s n -l dry-run -d 'Show what would be removed, and change nothing'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l missing-ok -d 'A named id or key that does not exist is not an error'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -s v -l verbose -d 'Print a line on stdout for each segment: what happened to it, and why when it was not removed; say on stderr why segments were not taken as orphaned'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -l json -d 'Print one JSON record per target (with --dry-run: the segments, as list does)'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -s y -l yes -d 'Do not ask before removing every segment'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -s A -l all-namespaces -d 'Remove what the filters select in every IPC namespace on the host (needs root; filters only); with --kind posix|all also in every /dev/shm'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand remove" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand info" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand info" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand info" -l id -d 'The segment\'s id' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand info" -l key -d 'The segment\'s key' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand info" -l name -d 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand info" -s v -l verbose -d 'Also show where each process has the segment mapped'
complete -c shmtool -n "__fish_shmtool_using_subcommand info" -l json -d 'Print one JSON object'
complete -c shmtool -n "__fish_shmtool_using_subcommand info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand info" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand limits" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand limits" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand limits" -l json -d 'Print one JSON object'
complete -c shmtool -n "__fish_shmtool_using_subcommand limits" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand limits" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand lock" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand lock" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand lock" -l id -d 'The segment\'s id' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand lock" -l key -d 'The segment\'s key' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand lock" -l name -d 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand lock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand lock" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand unlock" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand unlock" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand unlock" -l id -d 'The segment\'s id' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand unlock" -l key -d 'The segment\'s key' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand unlock" -l name -d 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand unlock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand unlock" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand set" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand set" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand set" -l id -d 'The segment\'s id' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand set" -l key -d 'The segment\'s key' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand set" -l name -d 'A POSIX object in /dev/shm, /NAME as shm_open names it (the slash is optional)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand set" -l mode -d 'New permission bits, octal (640 or 0640)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand set" -l owner -d 'New owner and group: USER, USER:GROUP or :GROUP (names or numbers)' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand set" -s V -l version -d 'Print version'
complete -c shmtool -n "__fish_shmtool_using_subcommand help" -l ns -d 'Work in another IPC namespace: a container\'s, by the PID of a process in it, or by a path to its namespace file such as /proc/PID/ns/ipc. POSIX objects are then that process\'s /dev/shm, opened beneath its root without following symlinks and taken only as the root of a tmpfs (else exit 1); in a user namespace only the objects of uids it maps' -r
complete -c shmtool -n "__fish_shmtool_using_subcommand help" -l color -d 'Colour tables (bold header, dest and locked): auto on a terminal unless NO_COLOR is set; always colours in a pipe too (less -R, watch --color)' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always, in a pipe too (for less -R, watch --color)'
never\t'Never'"
complete -c shmtool -n "__fish_shmtool_using_subcommand help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c shmtool -n "__fish_shmtool_using_subcommand help" -s V -l version -d 'Print version'
