/* A separate process that uses System V shared memory the way C programs
 * do, for shmtool's interop tests.
 *
 *   shm_peer create KEY SIZE   shmget(KEY, SIZE, IPC_CREAT|0600), print the id,
 *                              then wait until stdin closes (a live creator)
 *   shm_peer hold ID           attach, print "attached", wait until stdin closes
 *   shm_peer write ID TEXT     attach, write TEXT at offset 0, detach
 *   shm_peer watch ID LEN      attach, print "ready", wait for a line on stdin,
 *                              then print the first LEN bytes as they are now
 *   shm_peer churn N           print "churning", then create N private segments
 *                              (one each 0.5 ms), removing each 64 creations later, so segments
 *                              keep appearing and vanishing; print "done"
 *   shm_peer create-cleared KEY SIZE
 *                              as create, but first zero its own argument strings
 *                              (as a process hiding its command line does)
 *   shm_peer thread-map NAME   a worker thread maps POSIX object NAME (and closes
 *                              it), the main thread calls pthread_exit: the
 *                              leader is a zombie with empty maps and fd; print
 *                              "mapped" once it is, wait until stdin closes
 *   shm_peer thread-open NAME  a worker thread unshares its fd table
 *                              (CLONE_FILES) and opens NAME there only; print
 *                              "open", wait until stdin closes
 *   shm_peer thread-attach ID  as thread-map, for System V segment ID; prints
 *                              "attached"
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

static void wait_for_stdin(void) {
    char buf[256];
    while (read(0, buf, sizeof buf) > 0) {
        if (memchr(buf, '\n', sizeof buf)) break;
    }
}

static void *attach(const char *id, int flags) {
    void *p = shmat(atoi(id), NULL, flags);
    if (p == (void *)-1) { perror("shmat"); exit(1); }
    return p;
}

/* Waits until the main thread has exited (the leader shows state Z). */
static void wait_for_zombie_leader(void) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)getpid());
    for (int i = 0; i < 2000; i++) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (fd >= 0) close(fd);
        if (n > 0) {
            buf[n] = 0;
            char *p = strrchr(buf, ')');
            if (p && p[1] == ' ' && p[2] == 'Z') return;
        }
        usleep(5000);
    }
    fprintf(stderr, "shm_peer: the leader never became a zombie\n");
    exit(1);
}

static void wait_for_eof_and_exit(void) {
    char c;
    while (read(0, &c, 1) > 0) {}
    exit(0);
}

static void *thread_map(void *name) {
    int fd = shm_open(name, O_RDWR, 0);
    if (fd < 0) { perror("shm_open"); exit(1); }
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    close(fd);
    p[0] = 1;
    wait_for_zombie_leader();
    printf("mapped\n");
    wait_for_eof_and_exit();
    return NULL;
}

static void *thread_open(void *name) {
    if (unshare(CLONE_FILES) != 0) { perror("unshare"); exit(1); }
    if (shm_open(name, O_RDONLY, 0) < 0) { perror("shm_open"); exit(1); }
    printf("open\n");
    wait_for_eof_and_exit();
    return NULL;
}

static void *thread_attach(void *id) {
    attach(id, 0);
    wait_for_zombie_leader();
    printf("attached\n");
    wait_for_eof_and_exit();
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: shm_peer create|hold|write|watch ...\n"); return 2; }
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(argv[1], "create") && argc == 4) {
        int id = shmget((key_t)strtol(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), IPC_CREAT | 0600);
        if (id < 0) { perror("shmget"); return 1; }
        printf("%d\n", id);
        while (read(0, argv[0], 1) > 0) {}
        return 0;
    }
    if (!strcmp(argv[1], "hold")) {
        attach(argv[2], 0);
        printf("attached\n");
        while (read(0, argv[0], 1) > 0) {}
        return 0;
    }
    if (!strcmp(argv[1], "write") && argc == 4) {
        char *p = attach(argv[2], 0);
        memcpy(p, argv[3], strlen(argv[3]));
        return shmdt(p) != 0;
    }
    if (!strcmp(argv[1], "watch") && argc == 4) {
        char *p = attach(argv[2], SHM_RDONLY);
        printf("ready\n");
        wait_for_stdin();
        fwrite(p, 1, strtoul(argv[3], NULL, 0), stdout);
        return 0;
    }
    if (!strcmp(argv[1], "churn")) {
        long n = strtol(argv[2], NULL, 0);
        int ring[64];
        for (int i = 0; i < 64; i++) ring[i] = -1;
        printf("churning\n");
        for (long i = 0; i < n; i++) {
            int slot = i % 64;
            /* Someone else may have removed it already: that is the point. */
            if (ring[slot] >= 0) shmctl(ring[slot], IPC_RMID, NULL);
            ring[slot] = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
            if (ring[slot] < 0) { perror("shmget"); return 1; }
            usleep(500); /* long enough for the other side to overlap */
        }
        for (int i = 0; i < 64; i++)
            if (ring[i] >= 0) shmctl(ring[i], IPC_RMID, NULL);
        printf("done\n");
        return 0;
    }
    if (!strcmp(argv[1], "create-cleared") && argc == 4) {
        int id = shmget((key_t)strtol(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), IPC_CREAT | 0600);
        if (id < 0) { perror("shmget"); return 1; }
        /* The strings lie end to end: zero them all, terminators included. */
        memset(argv[0], 0, argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]);
        printf("%d\n", id);
        char c;
        while (read(0, &c, 1) > 0) {}
        return 0;
    }
    void *(*worker)(void *) = !strcmp(argv[1], "thread-map")      ? thread_map
                              : !strcmp(argv[1], "thread-open")   ? thread_open
                              : !strcmp(argv[1], "thread-attach") ? thread_attach
                                                                  : NULL;
    if (worker) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, argv[2]) != 0) { perror("pthread_create"); return 1; }
        /* thread-open keeps the leader alive: only the fd table differs. */
        if (worker == thread_open) pthread_join(t, NULL);
        pthread_exit(NULL);
    }
    fprintf(stderr, "shm_peer: bad arguments\n");
    return 2;
}
