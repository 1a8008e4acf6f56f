/*
 * file_tree: build a small tree, write, stat, list and delete it, N times.
 *
 * Usage: file_tree.wasm ROOT N   (ROOT through a preopen, e.g. /data/tree)
 * Each round creates ROOT/r<k>/d<0..7>/f<0..15> (8 directories of 16 files
 * of 200..455 bytes, contents depending on the names), stats every file
 * (size checked), lists every directory with readdir (names sorted in the
 * guest, so the host's order does not matter; exactly 16 files expected),
 * reads one file back, then unlinks every file and removes every directory.
 * ROOT is created if missing and left empty (removed) at the end.
 * Output: "file_tree: N rounds, F files, D dirs, B bytes, names <hash>".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_util.h"
#define PROG "file_tree"

#define DIRS 8
#define FILES 16

static char content[512];

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t file_size(int d, int f) { return 200 + (size_t)((d * 37 + f * 11) % 256); }

int main(int argc, char **argv) {
    FAIL_IF(argc != 3, "usage: file_tree ROOT N");
    const char *root = argv[1];
    long rounds = atol(argv[2]);
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (char)('a' + i % 26);
    FAIL_IF(mkdir(root, 0755) != 0 && errno != EEXIST, "mkdir %s: errno %d", root, errno);
    long files = 0, dirs = 0;
    unsigned long long bytes = 0, names_hash = FNV_INIT;
    char path[256];
    for (long r = 0; r < rounds; r++) {
        char rdir[200];
        snprintf(rdir, sizeof rdir, "%s/r%ld", root, r);
        FAIL_IF(mkdir(rdir, 0755) != 0, "mkdir %s: errno %d", rdir, errno);
        dirs++;
        for (int d = 0; d < DIRS; d++) {
            snprintf(path, sizeof path, "%s/d%d", rdir, d);
            FAIL_IF(mkdir(path, 0755) != 0, "mkdir %s: errno %d", path, errno);
            dirs++;
            for (int f = 0; f < FILES; f++) {
                snprintf(path, sizeof path, "%s/d%d/f%02d", rdir, d, f);
                int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
                FAIL_IF(fd < 0, "create %s: errno %d", path, errno);
                size_t n = file_size(d, f);
                FAIL_IF(write(fd, content + f, n) != (ssize_t)n, "write %s: errno %d", path, errno);
                FAIL_IF(close(fd) != 0, "close %s: errno %d", path, errno);
                files++;
                bytes += n;
            }
        }
        for (int d = 0; d < DIRS; d++) {
            for (int f = 0; f < FILES; f++) {
                struct stat st;
                snprintf(path, sizeof path, "%s/d%d/f%02d", rdir, d, f);
                FAIL_IF(stat(path, &st) != 0, "stat %s: errno %d", path, errno);
                FAIL_IF(!S_ISREG(st.st_mode) || (size_t)st.st_size != file_size(d, f),
                        "stat %s: mode %o size %lld", path, (unsigned)st.st_mode, (long long)st.st_size);
            }
            snprintf(path, sizeof path, "%s/d%d", rdir, d);
            DIR *dir = opendir(path);
            FAIL_IF(dir == NULL, "opendir %s: errno %d", path, errno);
            char *names[FILES + 2];
            int count = 0;
            struct dirent *e;
            while ((e = readdir(dir)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                FAIL_IF(count >= FILES, "%s: more than %d entries", path, FILES);
                names[count++] = strdup(e->d_name);
            }
            closedir(dir);
            FAIL_IF(count != FILES, "%s: %d entries, expected %d", path, count, FILES);
            qsort(names, (size_t)count, sizeof names[0], cmp_names);
            for (int i = 0; i < count; i++) {
                names_hash = fnv1a(names_hash, names[i], strlen(names[i]) + 1);
                free(names[i]);
            }
        }
        {
            char back[512];
            snprintf(path, sizeof path, "%s/d%d/f%02d", rdir, DIRS - 1, FILES - 1);
            int fd = open(path, O_RDONLY);
            FAIL_IF(fd < 0, "open %s: errno %d", path, errno);
            ssize_t got = read(fd, back, sizeof back);
            close(fd);
            FAIL_IF(got != (ssize_t)file_size(DIRS - 1, FILES - 1) || memcmp(back, content + FILES - 1, (size_t)got) != 0,
                    "read back %s: %zd bytes", path, got);
        }
        for (int d = 0; d < DIRS; d++) {
            for (int f = 0; f < FILES; f++) {
                snprintf(path, sizeof path, "%s/d%d/f%02d", rdir, d, f);
                FAIL_IF(unlink(path) != 0, "unlink %s: errno %d", path, errno);
            }
            snprintf(path, sizeof path, "%s/d%d", rdir, d);
            FAIL_IF(rmdir(path) != 0, "rmdir %s: errno %d", path, errno);
        }
        FAIL_IF(rmdir(rdir) != 0, "rmdir %s: errno %d", rdir, errno);
    }
    FAIL_IF(rmdir(root) != 0, "rmdir %s: errno %d", root, errno);
    printf("file_tree: %ld rounds, %ld files, %ld dirs, %llu bytes, names %016llx\n", rounds, files, dirs,
           bytes, names_hash);
    return 0;
}
