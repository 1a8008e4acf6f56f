// join OUT IN...: write OUT with, for each input, a header line "== IN (N bytes) ==" and the
// input's text upper-cased; OUT's directory is created if it is missing. Used by the README's
// in-memory filesystem example and its tests. Errors print "join: WHAT: strerror", exit 1.
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int fail(const char *what) {
    fprintf(stderr, "join: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: join OUT IN...\n");
        return 2;
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s", argv[1]);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = 0;
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) return fail(dir);
    }
    FILE *out = fopen(argv[1], "wb");
    if (!out) return fail(argv[1]);
    for (int i = 2; i < argc; i++) {
        FILE *in = fopen(argv[i], "rb");
        if (!in) return fail(argv[i]);
        static char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf, in);
        if (ferror(in)) return fail(argv[i]);
        fclose(in);
        fprintf(out, "== %s (%zu bytes) ==\n", argv[i], n);
        for (size_t j = 0; j < n; j++) buf[j] = (char)toupper((unsigned char)buf[j]);
        if (fwrite(buf, 1, n, out) != n) return fail(argv[1]);
    }
    if (fclose(out) != 0) return fail(argv[1]);
    return 0;
}
