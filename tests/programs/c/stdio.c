/*
 * stdio: echo stdin to stdout in ASCII upper case, then report what the guest
 * can learn about fds 0, 1 and 2.
 *
 * Steps:
 *   1. read() fd 0 until EOF (0 bytes), write() everything to fd 1 with ASCII
 *      a-z turned into A-Z (other bytes unchanged);
 *   2. write "err:<bytes read>\n" to fd 2;
 *   3. print to stdout:
 *        isatty0=<0|1>  isatty1=<0|1>  isatty2=<0|1>     (one per line)
 *        fdstat0=<filetype>  fdstat1=..  fdstat2=..        (one per line)
 *        prestat3=<errno>
 * Checks (exit 1 with "stdio: FAIL line <n>: ..." on stderr, check.h):
 *   - reads and writes succeed (write loops over short writes);
 *   - fd_fdstat_get succeeds for fds 0..2, and returns BADF (8) for fd 99;
 *   - fd_prestat_get(3) returns BADF (8): no preopened directories.
 * With stdin "hello\n" and pipes everywhere the expected stdout is
 *   HELLO\nisatty0=0\nisatty1=0\nisatty2=0\nfdstat0=..\n...\nprestat3=8\n
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#define CHECK_NAME "stdio"
#define CHECK_FAIL_FAST
#include "check.h"

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0)
            check_fail(__LINE__, "write(%d) failed: %s", fd, strerror(errno));
        if (w == 0)
            check_fail(__LINE__, "write(%d) wrote 0 bytes", fd);
        p += w;
        n -= (size_t)w;
    }
}

int main(void) {
    size_t cap = 4096, len = 0;
    char *data = malloc(cap);
    if (!data)
        check_fail(__LINE__, "out of memory");
    for (;;) {
        if (len == cap) {
            cap *= 2;
            data = realloc(data, cap);
            if (!data)
                check_fail(__LINE__, "out of memory");
        }
        ssize_t r = read(0, data + len, cap - len);
        if (r < 0)
            check_fail(__LINE__, "read(0) failed: %s", strerror(errno));
        if (r == 0)
            break;
        len += (size_t)r;
    }
    for (size_t i = 0; i < len; i++)
        if (data[i] >= 'a' && data[i] <= 'z')
            data[i] = (char)(data[i] - 'a' + 'A');
    write_all(1, data, len);
    free(data);

    char msg[32];
    int m = snprintf(msg, sizeof msg, "err:%zu\n", len);
    write_all(2, msg, (size_t)m);

    for (int fd = 0; fd <= 2; fd++)
        printf("isatty%d=%d\n", fd, isatty(fd) ? 1 : 0);

    for (int fd = 0; fd <= 2; fd++) {
        __wasi_fdstat_t st;
        __wasi_errno_t err = __wasi_fd_fdstat_get(fd, &st);
        if (err != 0)
            check_fail(__LINE__, "fd_fdstat_get(%d) returned errno %u", fd, err);
        printf("fdstat%d=%u\n", fd, st.fs_filetype);
    }

    __wasi_fdstat_t st;
    __wasi_errno_t err = __wasi_fd_fdstat_get(99, &st);
    if (err != __WASI_ERRNO_BADF)
        check_fail(__LINE__, "fd_fdstat_get(99) returned errno %u, want %u (BADF)", err, __WASI_ERRNO_BADF);

    __wasi_prestat_t p;
    err = __wasi_fd_prestat_get(3, &p);
    printf("prestat3=%u\n", err);
    if (err != __WASI_ERRNO_BADF)
        check_fail(__LINE__, "fd_prestat_get(3) returned errno %u, want %u (BADF)", err, __WASI_ERRNO_BADF);

    if (fflush(stdout) != 0)
        check_fail(__LINE__, "fflush(stdout)");
    return 0;
}
