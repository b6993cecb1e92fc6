/* The floor of attach-write --file for bench/run.sh: the kernel copying a
 * file into the pages of another tmpfs file that already has them, with
 * sendfile, as shmtool copies into a segment's own file, without shmtool.
 * Usage: copy_floor SRC DST (DST must exist; it is not truncated). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/sendfile.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: copy_floor SRC DST\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY);
    int out = open(argv[2], O_WRONLY);
    if (in < 0 || out < 0) {
        perror("open");
        return 1;
    }
    for (;;) {
        ssize_t n = sendfile(out, in, NULL, 64 << 20);
        if (n < 0) {
            perror("sendfile");
            return 1;
        }
        if (n == 0)
            return 0;
    }
}
