/* Fills the caller's IPC namespace with segments for the benchmark.
 *
 *   populate COUNT [SIZE [OWNERS]]   create COUNT segments of SIZE bytes
 *                           (default 4096) with assorted keys and modes;
 *                           OWNERS is "mixed" (the default) or "root"
 *
 * Owners cycle through root, nobody, a uid with no passwd entry (100000 + i % 7)
 * and a few others, so name lookups see many distinct ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: populate COUNT [SIZE]\n"); return 2; }
    long count = strtol(argv[1], NULL, 0);
    size_t size = argc > 2 ? strtoul(argv[2], NULL, 0) : 4096;
    int root_only = argc > 3 && strcmp(argv[3], "root") == 0;
    static const unsigned uids[] = {0, 65534, 1, 2, 100000, 100001, 100002, 100003, 4000000000u};
    static const int modes[] = {0600, 0640, 0644, 0666};
    for (long i = 0; i < count; i++) {
        key_t key = (i % 5 == 0) ? IPC_PRIVATE : (key_t)(0x10000000 + i * 7919);
        int id = shmget(key, size + (size_t)(i % 3) * 100, IPC_CREAT | IPC_EXCL | modes[i % 4]);
        if (id < 0) { perror("shmget"); return 1; }
        if (root_only) continue;
        struct shmid_ds ds;
        if (shmctl(id, IPC_STAT, &ds) < 0) { perror("IPC_STAT"); return 1; }
        ds.shm_perm.uid = uids[i % (sizeof uids / sizeof uids[0])];
        ds.shm_perm.gid = ds.shm_perm.uid;
        if (shmctl(id, IPC_SET, &ds) < 0) { perror("IPC_SET"); return 1; }
    }
    return 0;
}
