// A tiny file tool for the command-line tests and the README:
//   fsutil cat FILE...            print files
//   fsutil write FILE TEXT        create or truncate FILE, write TEXT
//   fsutil ls DIR                 list names (sorted), one per line
//   fsutil echo-server FD         accept one connection on listening socket FD, echo one message
//                                 back upper-cased, then shut down
//   fsutil catfd FD               print what descriptor FD holds (read to its end)
//   fsutil writefd FD TEXT        write TEXT to descriptor FD
// Errors print "fsutil: WHAT: strerror" on stderr and exit 1.
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static int fail(const char *what) {
    fprintf(stderr, "fsutil: %s: %s\n", what, strerror(errno));
    return 1;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cat(int n, char **files) {
    char buf[4096];
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f) return fail(files[i]);
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, got, stdout);
        fclose(f);
    }
    return 0;
}

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) return fail(path);
    if (fputs(text, f) < 0 || fclose(f) != 0) return fail(path);
    return 0;
}

static int ls(const char *path) {
    DIR *d = opendir(path);
    if (!d) return fail(path);
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (int i = 0; i < n; i++) printf("%s\n", names[i]);
    return 0;
}

static int echo_server(int listener) {
    __wasi_fd_t conn;
    __wasi_errno_t err = __wasi_sock_accept(listener, 0, &conn);
    if (err) { errno = err; return fail("sock_accept"); }
    char buf[256];
    __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf};
    __wasi_size_t got;
    __wasi_roflags_t roflags;
    err = __wasi_sock_recv(conn, &in, 1, 0, &got, &roflags);
    if (err) { errno = err; return fail("sock_recv"); }
    for (__wasi_size_t i = 0; i < got; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
    __wasi_ciovec_t out = {(const uint8_t *)buf, got};
    __wasi_size_t sent;
    err = __wasi_sock_send(conn, &out, 1, 0, &sent);
    if (err) { errno = err; return fail("sock_send"); }
    err = __wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR);
    if (err) { errno = err; return fail("sock_shutdown"); }
    printf("echoed %u bytes\n", (unsigned)sent);
    return 0;
}

static int catfd(int fd) {
    char buf[4096];
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)got, stdout);
    return got < 0 ? fail("read") : 0;
}

static int writefd(int fd, const char *text) {
    size_t n = strlen(text);
    return write(fd, text, n) == (ssize_t)n ? 0 : fail("write");
}

int main(int argc, char **argv) {
    if (argc >= 3 && !strcmp(argv[1], "cat")) return cat(argc - 2, argv + 2);
    if (argc == 4 && !strcmp(argv[1], "write")) return write_file(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "ls")) return ls(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "echo-server")) return echo_server(atoi(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "catfd")) return catfd(atoi(argv[2]));
    if (argc == 4 && !strcmp(argv[1], "writefd")) return writefd(atoi(argv[2]), argv[3]);
    fprintf(stderr, "usage: fsutil cat FILE... | write FILE TEXT | ls DIR | echo-server FD | catfd FD | writefd FD TEXT\n");
    return 2;
}
