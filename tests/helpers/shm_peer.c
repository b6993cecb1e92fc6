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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

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
    fprintf(stderr, "shm_peer: bad arguments\n");
    return 2;
}
