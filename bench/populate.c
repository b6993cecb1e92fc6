/* Fills the caller's IPC namespace with segments for the benchmark.
 *
 *   populate COUNT [SIZE]   create COUNT segments of SIZE bytes (default 4096)
 *                           with assorted keys, modes and owners
 *
 * Owners cycle through root, nobody, a uid with no passwd entry (100000 + i % 7)
 * and a few others, so name lookups see many distinct ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: populate COUNT [SIZE]\n"); return 2; }
    long count = strtol(argv[1], NULL, 0);
    size_t size = argc > 2 ? strtoul(argv[2], NULL, 0) : 4096;
    static const unsigned uids[] = {0, 65534, 1, 2, 100000, 100001, 100002, 100003, 4000000000u};
    static const int modes[] = {0600, 0640, 0644, 0666};
    for (long i = 0; i < count; i++) {
        key_t key = (i % 5 == 0) ? IPC_PRIVATE : (key_t)(0x10000000 + i * 7919);
        int id = shmget(key, size + (size_t)(i % 3) * 100, IPC_CREAT | IPC_EXCL | modes[i % 4]);
        if (id < 0) { perror("shmget"); return 1; }
        struct shmid_ds ds;
        if (shmctl(id, IPC_STAT, &ds) < 0) { perror("IPC_STAT"); return 1; }
        ds.shm_perm.uid = uids[i % (sizeof uids / sizeof uids[0])];
        ds.shm_perm.gid = ds.shm_perm.uid;
        if (shmctl(id, IPC_SET, &ds) < 0) { perror("IPC_SET"); return 1; }
    }
    return 0;
}
