"""A FUSE file system that answers until it is told to go silent, then never
answers again: a file system whose server hangs. Talks to /dev/fuse
directly (no libfuse), so it needs root, and is meant for a private mount
namespace.

    python3 fuse_silent.py MOUNTPOINT SILENCE_FLAG

Mounts an empty-rooted file system with one file, `file`, at MOUNTPOINT and
answers INIT, LOOKUP, GETATTR, OPEN, FLUSH and RELEASE; once the path
SILENCE_FLAG exists, every request read is left unanswered.
"""

import ctypes
import os
import struct
import sys

MOUNTPOINT, SILENCE = sys.argv[1], sys.argv[2]

LOOKUP, GETATTR, OPEN, RELEASE, FLUSH, INIT = 1, 3, 14, 18, 25, 26
FILE_NODE = 2

fuse = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
options = f"fd={fuse},rootmode=40000,user_id=0,group_id=0".encode()
if libc.mount(b"silent", MOUNTPOINT.encode(), b"fuse", 0, options) != 0:
    raise OSError(ctypes.get_errno(), "mount -t fuse")


def attr(node):
    # struct fuse_attr: ino size blocks atime mtime ctime (u64), atimensec
    # mtimensec ctimensec mode nlink uid gid rdev blksize flags (u32).
    mode = 0o40755 if node == 1 else 0o100644
    return struct.pack("<6Q10I", node, 4096, 8, 0, 0, 0, 0, 0, 0, mode, 1, 0, 0, 0, 4096, 0)


def reply(unique, payload=b"", error=0):
    os.write(fuse, struct.pack("<IiQ", 16 + len(payload), error, unique) + payload)


while True:
    request = os.read(fuse, 1 << 20)
    length, opcode, unique, node = struct.unpack_from("<IIQQ", request)
    body = request[40:length]
    if os.path.exists(SILENCE):
        continue
    if opcode == INIT:
        # struct fuse_init_out: major minor max_readahead flags, max_background
        # congestion_threshold (u16), max_write time_gran (u32), max_pages
        # map_alignment (u16), flags2 max_stack_depth, unused[6] (u32).
        reply(unique, struct.pack("<4I2H2I2H8I", 7, 31, 65536, 0, 16, 12, 65536, 1, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    elif opcode == LOOKUP:
        if node == 1 and body.rstrip(b"\0") == b"file":
            # struct fuse_entry_out: nodeid generation entry_valid attr_valid
            # (u64), entry_valid_nsec attr_valid_nsec (u32), attr.
            reply(unique, struct.pack("<4Q2I", FILE_NODE, 1, 0, 0, 0, 0) + attr(FILE_NODE))
        else:
            reply(unique, error=-2)
    elif opcode == GETATTR:
        # struct fuse_attr_out: attr_valid (u64), attr_valid_nsec dummy (u32), attr.
        reply(unique, struct.pack("<Q2I", 0, 0, 0) + attr(node))
    elif opcode == OPEN:
        reply(unique, struct.pack("<QII", 1, 0, 0))
    elif opcode in (FLUSH, RELEASE):
        reply(unique)
    else:
        reply(unique, error=-38)
