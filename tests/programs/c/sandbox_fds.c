/*
 * sandbox_fds: host descriptors are not leaked, however the run ends.
 *
 *   sandbox_fds.wasm MODE        MODE: return | exit | trap
 *
 * Preopen fd 3 = "/sandbox" (writable). Extra import:
 *   test.host_fd_count(u32 *out) -> errno: how many fds the host process has open.
 *
 * Checks in the guest: open+close 50 times, and open+fd_renumber over the same
 * target 50 times (the renumbered-over file must be closed on the host: the
 * host's fd count must not grow), and renumbering onto an unopened fd is BADF
 * and leaks nothing. Then it opens 5 files (writing "held <i>\n" to each and
 * leaving them open) and the directory "sub", prints "ok <n> checks holding 6
 * fds" and ends: `return` returns from main (exit code 0), `exit` calls
 * proc_exit(3), `trap` executes `unreachable` with the files still open.
 * A failed check prints "sandbox_fds: FAIL line <n>: ..." on stderr (check.h);
 * the run goes on and exits 1 at the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int32_t host_fd_count(uint32_t *out) __attribute__((import_module("test"), import_name("host_fd_count")));

#define SANDBOX 3
#define R_FILE                                                                                                    \
    (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |             \
     __WASI_RIGHTS_FD_FILESTAT_GET)

#define CHECK_NAME "sandbox_fds"
#include "check.h"

/* One check (check.h): got == want; `what` names it in the failure line. */
#define EXPECT_EQ(got, want, what) check_eq(__LINE__, what, (got), (want))

static uint32_t fd_count(void) {
    uint32_t n = 0;
    int e = host_fd_count(&n);
    EXPECT_EQ(e, 0, "host_fd_count");
    return n;
}

static __wasi_rights_t rights(void) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(SANDBOX, &st) != 0)
        return R_FILE;
    return R_FILE & st.fs_rights_inheriting;
}

static __wasi_fd_t open_file(int line, const char *path, __wasi_oflags_t oflags) {
    __wasi_fd_t fd = 0xFFFFFFFFu;
    int e = __wasi_path_open(SANDBOX, 0, path, oflags, rights(), rights(), 0, &fd);
    checks++;
    if (e != 0)
        check_fail(line, "path_open(\"%s\"): errno %d", path, e);
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: sandbox_fds return|exit|trap\n");
        return 2;
    }
    const char *mode = argv[1];
    const __wasi_oflags_t CT = __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC;

    uint32_t base = fd_count();
    for (int i = 0; i < 50; i++) {
        __wasi_fd_t fd = open_file(__LINE__, "cycle.txt", CT);
        EXPECT_EQ(__wasi_fd_close(fd), 0, "fd_close");
    }
    EXPECT_EQ(fd_count(), base, "host fds after 50 open/close");

    /* fd_renumber closes what it renumbers over (it used to leak host fds until exhaustion). */
    __wasi_fd_t target = open_file(__LINE__, "target.txt", CT);
    uint32_t with_one = fd_count();
    CHECKF(with_one > base, "host fds with one file open: %u, before: %u", with_one, base);
    for (int i = 0; i < 50; i++) {
        __wasi_fd_t fd = open_file(__LINE__, "cycle.txt", 0);
        EXPECT_EQ(__wasi_fd_renumber(fd, target), 0, "fd_renumber(new, target)");
        __wasi_fdstat_t st;
        EXPECT_EQ(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_BADF, "fdstat of the renumbered-away fd");
    }
    EXPECT_EQ(fd_count(), with_one, "host fds after 50 renumbers onto one target");
    EXPECT_EQ(__wasi_fd_renumber(target, 4321), __WASI_ERRNO_BADF, "fd_renumber(target, unopened)");
    EXPECT_EQ(__wasi_fd_renumber(target, target), 0, "fd_renumber(target, target)");
    EXPECT_EQ(__wasi_fd_renumber(0, 0), 0, "fd_renumber(0, 0)");
    EXPECT_EQ(fd_count(), with_one, "host fds after failed and same-fd renumbers");
    EXPECT_EQ(__wasi_fd_close(target), 0, "fd_close(target)");
    EXPECT_EQ(fd_count(), base, "host fds after closing the target");

    /* Hold several descriptors open to the end. */
    for (int i = 0; i < 5; i++) {
        char name[32], text[16];
        snprintf(name, sizeof name, "held%d.txt", i);
        int len = snprintf(text, sizeof text, "held %d\n", i);
        __wasi_fd_t fd = open_file(__LINE__, name, CT);
        __wasi_ciovec_t iov = {(const uint8_t *)text, (size_t)len};
        size_t n = 0;
        EXPECT_EQ(__wasi_fd_write(fd, &iov, 1, &n), 0, "fd_write");
        EXPECT_EQ(n, len, "bytes written");
    }
    {
        __wasi_fd_t dir = 0;
        __wasi_fdstat_t st;
        EXPECT_EQ(__wasi_fd_fdstat_get(SANDBOX, &st), 0, "fdstat(3)");
        __wasi_rights_t r = st.fs_rights_inheriting & ~(__wasi_rights_t)(__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
                                                       __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
        EXPECT_EQ(__wasi_path_open(SANDBOX, 0, "sub", __WASI_OFLAGS_DIRECTORY, r, r, 0, &dir),
                  0, "path_open(\"sub\", DIRECTORY)");
    }
    checks++;
    if (fd_count() < base + 6)
        check_fail(__LINE__, "host fds while holding 6 open: %u, before: %u", fd_count(), base);

    if (check_summary("ok %d checks holding 6 fds\n", checks) != 0)
        return 1;
    if (strcmp(mode, "exit") == 0)
        __wasi_proc_exit(3);
    if (strcmp(mode, "trap") == 0)
        __builtin_trap();
    return 0;
}
