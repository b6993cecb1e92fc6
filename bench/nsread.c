/* The baseline for `list -A`: one process that enters each IPC namespace
 * named on the command line (/proc/PID/ns/ipc) in turn and reads its
 * /proc/sysvipc/shm to the end. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    static char buf[1 << 16];
    for (int i = 1; i < argc; i++) {
        int ns = open(argv[i], O_RDONLY | O_CLOEXEC);
        if (ns < 0 || setns(ns, CLONE_NEWIPC) != 0) { perror(argv[i]); return 1; }
        close(ns);
        int fd = open("/proc/sysvipc/shm", O_RDONLY | O_CLOEXEC);
        if (fd < 0) { perror("/proc/sysvipc/shm"); return 1; }
        while (read(fd, buf, sizeof buf) > 0) {}
        close(fd);
    }
    return 0;
}
