/* An LD_PRELOAD library for shmtool's race tests: it opens a race window
 * deterministically, by having another process attach a segment at a chosen
 * moment inside shmtool, before one of its shmctl calls runs.
 *
 *   SHM_HOOK_ID=ID          the segment to attach
 *   SHM_HOOK_BEFORE=WHEN    "rmid": before the first IPC_RMID on ID;
 *                           "check": before the first IPC_STAT or IPC_RMID on ID
 *                           (the first look at it after the table was read)
 *   SHM_HOOK_HOLD=PATH      the attaching process stays attached while PATH
 *                           exists (at most 20 s), then exits
 *   SHM_HOOK_RELEASE=1      with HOLD: before shmtool's next IPC_RMID of another
 *                           segment, remove PATH and wait for the attaching
 *                           process to exit (an attach that came and went)
 *   SHM_HOOK_STOP=1         instead of attaching, stop shmtool (SIGSTOP) there,
 *                           so the test can attach as another user and SIGCONT it
 *   SHM_HOOK_BEFORE=shmat   instead: IPC_RMID on ID just before shmtool's first
 *                           shmat of it, as if another process removed it between
 *                           shmtool's lookup and its attach (with SHM_HOOK_STOP=1:
 *                           stop there instead, without removing)
 *
 *   SHM_HOOK_TRUNCATE=PATH  truncate PATH to 0 bytes right after shmtool's first
 *                           shared mmap, as if another process shrank the POSIX
 *                           object it just mapped
 *
 * The attaching process is forked from shmtool and attaches before the call
 * goes on, so shmtool's next shmctl sees it attached.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

/* The attaching process, while it runs. */
static pid_t holder;

static void attach_in_child(int id, const char *hold) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        void *p = shmat(id, NULL, SHM_RDONLY);
        char ok = p == (void *)-1 ? 'n' : 'y';
        if (write(fds[1], &ok, 1) != 1) _exit(1);
        close(fds[1]);
        /* Let go of shmtool's stdio, so its reader sees the end at its exit. */
        close(0);
        close(1);
        close(2);
        for (int i = 0; i < 2000 && hold && access(hold, F_OK) == 0; i++) usleep(10000);
        _exit(0);
    }
    close(fds[1]);
    char ok;
    if (pid > 0 && read(fds[0], &ok, 1) != 1) ok = 'n';
    close(fds[0]);
    holder = pid;
}

int shmctl(int id, int cmd, struct shmid_ds *buf) {
    static int (*real)(int, int, struct shmid_ds *);
    static int done;
    if (!real) real = (int (*)(int, int, struct shmid_ds *))dlsym(RTLD_NEXT, "shmctl");
    const char *target = getenv("SHM_HOOK_ID");
    const char *when = getenv("SHM_HOOK_BEFORE");
    int base = cmd & ~0x100; /* without IPC_64 */
    const char *hold = getenv("SHM_HOOK_HOLD");
    if (holder > 0 && hold && getenv("SHM_HOOK_RELEASE") && base == IPC_RMID && target &&
        id != atoi(target)) {
        unlink(hold);
        waitpid(holder, NULL, 0);
        holder = 0;
    }
    if (!done && target && when && id == atoi(target)) {
        int hit = base == IPC_RMID || (!strcmp(when, "check") && base == IPC_STAT);
        if (hit) {
            done = 1;
            if (getenv("SHM_HOOK_STOP"))
                raise(SIGSTOP);
            else
                attach_in_child(id, getenv("SHM_HOOK_HOLD"));
        }
    }
    return real(id, cmd, buf);
}

void *shmat(int id, const void *addr, int flags) {
    static void *(*real)(int, const void *, int);
    static int done;
    if (!real) real = (void *(*)(int, const void *, int))dlsym(RTLD_NEXT, "shmat");
    const char *target = getenv("SHM_HOOK_ID");
    const char *when = getenv("SHM_HOOK_BEFORE");
    if (!done && target && when && !strcmp(when, "shmat") && id == atoi(target)) {
        done = 1;
        if (getenv("SHM_HOOK_STOP"))
            raise(SIGSTOP);
        else
            shmctl(id, IPC_RMID, NULL);
    }
    return real(id, addr, flags);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
    static void *(*real)(void *, size_t, int, int, int, off_t);
    static int done;
    if (!real) real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
    void *p = real(addr, len, prot, flags, fd, off);
    const char *path = getenv("SHM_HOOK_TRUNCATE");
    if (!done && path && p != MAP_FAILED && (flags & MAP_SHARED) && fd >= 0) {
        done = 1;
        if (truncate(path, 0) != 0) _exit(99);
    }
    return p;
}
