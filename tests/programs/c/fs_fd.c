/*
 * fs_fd: every fd_* function (except fd_readdir, see fs_readdir.c) on real
 * files in a preopened sandbox, success paths and error paths.
 *
 * Run with one preopen, guest fd 3, named "/sandbox" (argv[1] must be that
 * name), and the custom host import test.host_fd_count(out: *u32) -> errno,
 * which writes the number of fds the host process has open.
 *
 * The host prepares the sandbox:
 *   data.txt    "0123456789"  (10 bytes), with a hard link hard.txt (nlink 2)
 *   append.txt  "start:"
 *   flags.txt   "hello"
 *   a.txt       "AAAA"
 *   b.txt       "BBBB"
 *   sub/        an empty directory
 * The guest leaves behind (the host test checks them):
 *   append.txt  "start:onetwo"     (APPEND from path_open; a seek does not matter)
 *   flags.txt   "JelloX"           (APPEND switched on, then off, by fd_fdstat_set_flags)
 *   rw.txt      "abXYefghZZ"       (fd_write with 3 iovecs, fd_pwrite, fd_write after seek)
 *   sized.bin   "0123"             (grown to 100 bytes, then shrunk to 4)
 *   alloc.bin   100 bytes          ("0123456789" + 90 zero bytes)
 *   times.txt   atime 1600000000.123456789 s, mtime set to "now"
 *   iovec.txt   "abcde"            (written with 3 iovecs, one of them empty)
 * data.txt, hard.txt, a.txt, b.txt are read only and stay unchanged.
 *
 * Output: stdout "fs_fd: fd_write to stdout\n" (written with __wasi_fd_write
 * on fd 1), then "fs_fd: ok <n> checks\n". The first failed check ends the run
 * (check.h with CHECK_FAIL_FAST): "fs_fd: FAIL line <n>: ..." on stderr, naming
 * the check, the expected and the actual value or errno, and exit status 1.
 *
 * Accepted errno sets (security notes): fd_read / fd_write / fd_seek / fd_tell
 * on a directory: BADF, ISDIR or NOTCAPABLE; fd_write on a file opened without
 * FD_WRITE: NOTCAPABLE or BADF; fd_prestat_dir_name with a short buffer:
 * NAMETOOLONG (wasmtime) or INVAL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

__attribute__((import_module("test"), import_name("host_fd_count")))
int32_t host_fd_count(uint32_t *count);

#define CHECK_NAME "fs_fd"
#define CHECK_FAIL_FAST
#include "check.h"

#define DIR_FD 3

#define R(x) __WASI_RIGHTS_##x
static const __wasi_rights_t RIGHTS_RO =
    R(FD_READ) | R(FD_SEEK) | R(FD_TELL) | R(FD_FILESTAT_GET) | R(FD_ADVISE);
static const __wasi_rights_t RIGHTS_RW =
    R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL) | R(FD_FDSTAT_SET_FLAGS) |
    R(FD_SYNC) | R(FD_DATASYNC) | R(FD_ADVISE) | R(FD_ALLOCATE) | R(FD_FILESTAT_GET) |
    R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES);
static const __wasi_rights_t RIGHTS_DIR =
    R(FD_READDIR) | R(PATH_OPEN) | R(FD_FILESTAT_GET) | R(PATH_FILESTAT_GET);

static __wasi_fd_t open_at(int line, const char *path, __wasi_oflags_t oflags,
                           __wasi_rights_t base, __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    checks++;
    __wasi_errno_t e = __wasi_path_open(DIR_FD, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags,
                                        base, 0, fdflags, &fd);
    if (e != 0)
        check_fail(line, "path_open(\"%s\", oflags=%u, rights=%#llx, fdflags=%u): errno %u", path,
                   oflags, (unsigned long long)base, fdflags, e);
    return fd;
}
#define OPEN(path, oflags, base, fdflags) open_at(__LINE__, path, oflags, base, fdflags)

static uint32_t fd_count(int line) {
    uint32_t n = 0;
    int32_t e = host_fd_count(&n);
    checks++;
    if (e != 0 || n == 0)
        check_fail(line, "host_fd_count: errno %d, count %u", (int)e, n);
    return n;
}
#define FD_COUNT() fd_count(__LINE__)

/* Write all of s with one fd_write; must write everything. */
static void put_at(int line, __wasi_fd_t fd, const char *s) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
    checks++;
    if (e != 0 || n != strlen(s))
        check_fail(line, "fd_write(%u, \"%s\"): errno %u, wrote %u", fd, s, e, (unsigned)n);
}
#define PUT(fd, s) put_at(__LINE__, fd, s)

/* pread the whole file (up to cap-1 bytes) from offset 0 into buf, NUL-terminated. */
static size_t slurp_at(int line, __wasi_fd_t fd, char *buf, size_t cap) {
    size_t got = 0;
    for (;;) {
        __wasi_iovec_t iov = {(uint8_t *)buf + got, cap - 1 - got};
        __wasi_size_t n = 0;
        __wasi_errno_t e = __wasi_fd_pread(fd, &iov, 1, got, &n);
        if (e != 0)
            check_fail(line, "fd_pread(%u, offset %zu): errno %u", fd, got, e);
        if (n == 0 || got + n == cap - 1) {
            got += n;
            break;
        }
        got += n;
    }
    buf[got] = 0;
    checks++;
    return got;
}
#define EXPECT_CONTENT(fd, want)                                                   \
    do {                                                                           \
        char c_[256];                                                              \
        size_t n_ = slurp_at(__LINE__, fd, c_, sizeof c_);                         \
        checks++;                                                                  \
        if (n_ != strlen(want) || memcmp(c_, want, n_) != 0)                       \
            check_fail(__LINE__, "content of fd %u: expected \"%s\", got \"%s\" (%zu bytes)", \
                       fd, want, c_, n_);                                          \
    } while (0)

static __wasi_filestat_t fstat_at(int line, __wasi_fd_t fd) {
    __wasi_filestat_t st;
    memset(&st, 0xAA, sizeof st);
    __wasi_errno_t e = __wasi_fd_filestat_get(fd, &st);
    checks++;
    if (e != 0)
        check_fail(line, "fd_filestat_get(%u): errno %u", fd, e);
    return st;
}
#define FSTAT(fd) fstat_at(__LINE__, fd)

static __wasi_fdstat_t fdstat_at(int line, __wasi_fd_t fd) {
    __wasi_fdstat_t st;
    memset(&st, 0xAA, sizeof st);
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    checks++;
    if (e != 0)
        check_fail(line, "fd_fdstat_get(%u): errno %u", fd, e);
    return st;
}
#define FDSTAT(fd) fdstat_at(__LINE__, fd)

static uint64_t tell_at(int line, __wasi_fd_t fd) {
    __wasi_filesize_t pos = 0xDEAD;
    __wasi_errno_t e = __wasi_fd_tell(fd, &pos);
    checks++;
    if (e != 0)
        check_fail(line, "fd_tell(%u): errno %u", fd, e);
    return pos;
}
#define TELL(fd) tell_at(__LINE__, fd)

static const __wasi_fd_t UNOPENED = 1000;

/* ---------------------------------------------------------------------- */

static void test_stdout(void) {
    const char *msg = "fs_fd: fd_write to stdout\n";
    __wasi_ciovec_t iov = {(const uint8_t *)msg, strlen(msg)};
    __wasi_size_t n = 0;
    EXPECT_OK(__wasi_fd_write(1, &iov, 1, &n));
    CHECK_EQ(n, strlen(msg));
}

static void test_prestat(const char *name) {
    __wasi_prestat_t ps;
    memset(&ps, 0xAA, sizeof ps);
    EXPECT_OK(__wasi_fd_prestat_get(DIR_FD, &ps));
    CHECK_EQ(ps.tag, __WASI_PREOPENTYPE_DIR);
    CHECK_EQ(ps.u.dir.pr_name_len, strlen(name));

    char buf[64];
    memset(buf, '#', sizeof buf);
    EXPECT_OK(__wasi_fd_prestat_dir_name(DIR_FD, (uint8_t *)buf, ps.u.dir.pr_name_len));
    CHECK(memcmp(buf, name, strlen(name)) == 0);
    CHECK(buf[strlen(name)] == '#'); /* nothing written past the buffer */
    memset(buf, '#', sizeof buf);
    EXPECT_ERRNO(__wasi_fd_prestat_dir_name(DIR_FD, (uint8_t *)buf, ps.u.dir.pr_name_len - 1),
                 __WASI_ERRNO_NAMETOOLONG, __WASI_ERRNO_INVAL);
    CHECK(buf[ps.u.dir.pr_name_len - 1] == '#');

    __wasi_fd_t f = OPEN("data.txt", 0, RIGHTS_RO, 0);
    EXPECT_ERRNO(__wasi_fd_prestat_get(f, &ps), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_prestat_dir_name(f, (uint8_t *)buf, sizeof buf), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_prestat_get(UNOPENED, &ps), __WASI_ERRNO_BADF);
    EXPECT_OK(__wasi_fd_close(f));
}

static void test_fdstat(void) {
    __wasi_fdstat_t st = FDSTAT(DIR_FD);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);

    __wasi_fd_t ro = OPEN("data.txt", 0, RIGHTS_RO, 0);
    st = FDSTAT(ro);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(st.fs_flags, 0);
    CHECK_EQ(st.fs_rights_base & RIGHTS_RO, RIGHTS_RO);
    CHECK_EQ(st.fs_rights_base & R(FD_WRITE), 0);

    __wasi_fd_t rw = OPEN("data.txt", 0, RIGHTS_RW, 0);
    st = FDSTAT(rw);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(st.fs_rights_base & RIGHTS_RW, RIGHTS_RW);

    __wasi_fd_t ap = OPEN("data.txt", 0, RIGHTS_RW, __WASI_FDFLAGS_APPEND);
    st = FDSTAT(ap);
    CHECK_EQ(st.fs_flags, __WASI_FDFLAGS_APPEND);

    __wasi_fd_t d = OPEN("sub", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, 0);
    st = FDSTAT(d);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);

    EXPECT_ERRNO(__wasi_fd_fdstat_get(UNOPENED, &st), __WASI_ERRNO_BADF);
    EXPECT_OK(__wasi_fd_close(ro));
    EXPECT_OK(__wasi_fd_close(rw));
    EXPECT_OK(__wasi_fd_close(ap));
    EXPECT_OK(__wasi_fd_close(d));
}

static void test_read_write_seek_tell(void) {
    __wasi_fd_t f = OPEN("rw.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_RW, 0);
    CHECK_EQ(TELL(f), 0);

    /* fd_write with several iovecs, one empty */
    __wasi_ciovec_t out[3] = {{(const uint8_t *)"abcd", 4}, {(const uint8_t *)"", 0},
                              {(const uint8_t *)"efghij", 6}};
    __wasi_size_t n = 0;
    EXPECT_OK(__wasi_fd_write(f, out, 3, &n));
    CHECK_EQ(n, 10);
    CHECK_EQ(TELL(f), 10);
    CHECK_EQ(FSTAT(f).size, 10);

    /* fd_read at EOF: 0 bytes */
    char b1[4], b2[8];
    __wasi_iovec_t in[2] = {{(uint8_t *)b1, sizeof b1}, {(uint8_t *)b2, sizeof b2}};
    EXPECT_OK(__wasi_fd_read(f, in, 2, &n));
    CHECK_EQ(n, 0);

    /* fd_seek SET / CUR / END */
    __wasi_filesize_t pos = 0;
    EXPECT_OK(__wasi_fd_seek(f, 3, __WASI_WHENCE_SET, &pos));
    CHECK_EQ(pos, 3);
    CHECK_EQ(TELL(f), 3);
    EXPECT_OK(__wasi_fd_seek(f, 2, __WASI_WHENCE_CUR, &pos));
    CHECK_EQ(pos, 5);
    EXPECT_OK(__wasi_fd_seek(f, -1, __WASI_WHENCE_CUR, &pos));
    CHECK_EQ(pos, 4);
    EXPECT_OK(__wasi_fd_seek(f, 0, __WASI_WHENCE_CUR, &pos));
    CHECK_EQ(pos, 4);
    EXPECT_OK(__wasi_fd_seek(f, -3, __WASI_WHENCE_END, &pos));
    CHECK_EQ(pos, 7);
    EXPECT_OK(__wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &pos));
    CHECK_EQ(pos, 0);

    /* fd_read into two iovecs: the first is filled before the second */
    memset(b1, 0, sizeof b1);
    memset(b2, 0, sizeof b2);
    EXPECT_OK(__wasi_fd_read(f, in, 2, &n));
    CHECK_EQ(n, 10);
    CHECK(memcmp(b1, "abcd", 4) == 0);
    CHECK(memcmp(b2, "efghij", 6) == 0);
    CHECK_EQ(TELL(f), 10);

    /* seek before 0 and bad whence: INVAL, position unchanged */
    EXPECT_OK(__wasi_fd_seek(f, 2, __WASI_WHENCE_SET, &pos));
    EXPECT_ERRNO(__wasi_fd_seek(f, -1, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_seek(f, -3, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_seek(f, -11, __WASI_WHENCE_END, &pos), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_seek(f, INT64_MIN, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_seek(f, 0, 3, &pos), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_seek(f, 0, 255, &pos), __WASI_ERRNO_INVAL);
    CHECK_EQ(TELL(f), 2);

    /* seek past the end is fine; a read there gives 0 bytes */
    EXPECT_OK(__wasi_fd_seek(f, 5, __WASI_WHENCE_END, &pos));
    CHECK_EQ(pos, 15);
    EXPECT_OK(__wasi_fd_read(f, in, 2, &n));
    CHECK_EQ(n, 0);
    CHECK_EQ(FSTAT(f).size, 10);

    /* fd_pwrite / fd_pread do not move the position */
    EXPECT_OK(__wasi_fd_seek(f, 1, __WASI_WHENCE_SET, &pos));
    __wasi_ciovec_t pw[2] = {{(const uint8_t *)"X", 1}, {(const uint8_t *)"Y", 1}};
    EXPECT_OK(__wasi_fd_pwrite(f, pw, 2, 2, &n));
    CHECK_EQ(n, 2);
    CHECK_EQ(TELL(f), 1);
    char pr[3] = {0};
    __wasi_iovec_t piov[2] = {{(uint8_t *)pr, 1}, {(uint8_t *)pr + 1, 2}};
    EXPECT_OK(__wasi_fd_pread(f, piov, 2, 1, &n));
    CHECK_EQ(n, 3);
    CHECK(memcmp(pr, "bXY", 3) == 0);
    CHECK_EQ(TELL(f), 1);
    EXPECT_OK(__wasi_fd_pread(f, piov, 2, 100, &n)); /* past EOF: 0 bytes */
    CHECK_EQ(n, 0);

    /* offsets >= 2^63 are INVAL for both */
    EXPECT_ERRNO(__wasi_fd_pread(f, piov, 2, (uint64_t)1 << 63, &n), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_pread(f, piov, 2, UINT64_MAX, &n), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_pwrite(f, pw, 2, (uint64_t)1 << 63, &n), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_pwrite(f, pw, 2, UINT64_MAX, &n), __WASI_ERRNO_INVAL);
    CHECK_EQ(FSTAT(f).size, 10);
    CHECK_EQ(TELL(f), 1);

    /* fd_write after a seek writes at the position */
    EXPECT_OK(__wasi_fd_seek(f, -2, __WASI_WHENCE_END, &pos));
    PUT(f, "ZZ");
    CHECK_EQ(TELL(f), 10);
    EXPECT_CONTENT(f, "abXYefghZZ");
    EXPECT_OK(__wasi_fd_close(f));

    /* a read-only file: fd_write / fd_pwrite refused, reading works */
    __wasi_fd_t ro = OPEN("data.txt", 0, RIGHTS_RO, 0);
    EXPECT_ERRNO(__wasi_fd_write(ro, out, 1, &n), __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_pwrite(ro, out, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF);
    EXPECT_CONTENT(ro, "0123456789");
    CHECK_EQ(TELL(ro), 0);
    EXPECT_OK(__wasi_fd_close(ro));

    /* bad fds */
    EXPECT_ERRNO(__wasi_fd_read(UNOPENED, in, 2, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_write(UNOPENED, out, 1, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_seek(UNOPENED, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_tell(UNOPENED, &pos), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_pread(UNOPENED, in, 2, 0, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_pwrite(UNOPENED, out, 1, 0, &n), __WASI_ERRNO_BADF);

    /* several iovecs, one empty, in a fresh file */
    __wasi_fd_t g = OPEN("iovec.txt", __WASI_OFLAGS_CREAT, RIGHTS_RW, 0);
    __wasi_ciovec_t three[3] = {{(const uint8_t *)"ab", 2}, {(const uint8_t *)"zz", 0},
                                {(const uint8_t *)"cde", 3}};
    EXPECT_OK(__wasi_fd_write(g, three, 3, &n));
    CHECK_EQ(n, 5);
    EXPECT_CONTENT(g, "abcde");
    EXPECT_OK(__wasi_fd_close(g));
}

static void test_directory_fd(void) {
    char buf[8];
    __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf};
    __wasi_ciovec_t out = {(const uint8_t *)"x", 1};
    __wasi_size_t n = 0;
    __wasi_filesize_t pos = 0;
    __wasi_fd_t sub = OPEN("sub", __WASI_OFLAGS_DIRECTORY, RIGHTS_DIR, 0);
    __wasi_fd_t dirs[2] = {DIR_FD, sub};
    for (int i = 0; i < 2; i++) {
        __wasi_fd_t d = dirs[i];
        EXPECT_ERRNO(__wasi_fd_read(d, &in, 1, &n), __WASI_ERRNO_BADF, __WASI_ERRNO_ISDIR,
                     __WASI_ERRNO_NOTCAPABLE);
        EXPECT_ERRNO(__wasi_fd_write(d, &out, 1, &n), __WASI_ERRNO_BADF, __WASI_ERRNO_ISDIR,
                     __WASI_ERRNO_NOTCAPABLE);
        EXPECT_ERRNO(__wasi_fd_pread(d, &in, 1, 0, &n), __WASI_ERRNO_BADF, __WASI_ERRNO_ISDIR,
                     __WASI_ERRNO_NOTCAPABLE);
        EXPECT_ERRNO(__wasi_fd_pwrite(d, &out, 1, 0, &n), __WASI_ERRNO_BADF, __WASI_ERRNO_ISDIR,
                     __WASI_ERRNO_NOTCAPABLE);
        EXPECT_ERRNO(__wasi_fd_seek(d, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF,
                     __WASI_ERRNO_ISDIR, __WASI_ERRNO_NOTCAPABLE);
        EXPECT_ERRNO(__wasi_fd_tell(d, &pos), __WASI_ERRNO_BADF, __WASI_ERRNO_ISDIR,
                     __WASI_ERRNO_NOTCAPABLE);
        EXPECT_ERRNO(__wasi_fd_allocate(d, 0, 10), __WASI_ERRNO_BADF, __WASI_ERRNO_ISDIR,
                     __WASI_ERRNO_NOTCAPABLE);
        EXPECT_ERRNO(__wasi_fd_filestat_set_size(d, 10), __WASI_ERRNO_BADF, __WASI_ERRNO_ISDIR,
                     __WASI_ERRNO_NOTCAPABLE);
    }
    __wasi_filestat_t st = FSTAT(sub);
    CHECK_EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);
    EXPECT_OK(__wasi_fd_close(sub));
}

static void test_append(void) {
    /* APPEND given to path_open: every write goes to the end, even after a seek */
    __wasi_fd_t f = OPEN("append.txt", 0, RIGHTS_RW, __WASI_FDFLAGS_APPEND);
    CHECK_EQ(FDSTAT(f).fs_flags, __WASI_FDFLAGS_APPEND);
    PUT(f, "one");
    __wasi_filesize_t pos = 0;
    EXPECT_OK(__wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &pos));
    CHECK_EQ(pos, 0);
    PUT(f, "two");
    EXPECT_CONTENT(f, "start:onetwo");
    EXPECT_OK(__wasi_fd_close(f));

    /* APPEND switched on and off with fd_fdstat_set_flags */
    __wasi_fd_t g = OPEN("flags.txt", 0, RIGHTS_RW, 0);
    CHECK_EQ(FDSTAT(g).fs_flags, 0);
    EXPECT_OK(__wasi_fd_fdstat_set_flags(g, __WASI_FDFLAGS_APPEND));
    CHECK_EQ(FDSTAT(g).fs_flags, __WASI_FDFLAGS_APPEND);
    EXPECT_OK(__wasi_fd_seek(g, 0, __WASI_WHENCE_SET, &pos));
    PUT(g, "X");
    EXPECT_CONTENT(g, "helloX");
    EXPECT_OK(__wasi_fd_fdstat_set_flags(g, 0));
    CHECK_EQ(FDSTAT(g).fs_flags, 0);
    EXPECT_OK(__wasi_fd_seek(g, 0, __WASI_WHENCE_SET, &pos));
    PUT(g, "J");
    CHECK_EQ(TELL(g), 1);
    EXPECT_CONTENT(g, "JelloX");
    /* flags outside the spec (bit 5 and up): INVAL, flags unchanged */
    EXPECT_ERRNO(__wasi_fd_fdstat_set_flags(g, 1 << 5), __WASI_ERRNO_INVAL);
    CHECK_EQ(FDSTAT(g).fs_flags, 0);
    EXPECT_ERRNO(__wasi_fd_fdstat_set_flags(UNOPENED, __WASI_FDFLAGS_APPEND), __WASI_ERRNO_BADF);
    EXPECT_OK(__wasi_fd_close(g));
}

static void test_set_rights(void) {
    __wasi_fd_t f = OPEN("flags.txt", 0, RIGHTS_RW, 0);
    const __wasi_rights_t smaller = R(FD_READ) | R(FD_SEEK) | R(FD_TELL) | R(FD_FILESTAT_GET);
    EXPECT_OK(__wasi_fd_fdstat_set_rights(f, smaller, 0));
    __wasi_fdstat_t st = FDSTAT(f);
    CHECK_EQ(st.fs_rights_base, smaller);
    CHECK_EQ(st.fs_rights_inheriting, 0);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);

    /* enforced: no FD_WRITE any more; reading still works */
    __wasi_ciovec_t out = {(const uint8_t *)"nope", 4};
    __wasi_size_t n = 0;
    EXPECT_ERRNO(__wasi_fd_write(f, &out, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERRNO(__wasi_fd_pwrite(f, &out, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERRNO(__wasi_fd_filestat_set_size(f, 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_CONTENT(f, "JelloX");

    /* growing is refused, for base and for inheriting; the rights stay as they were */
    EXPECT_ERRNO(__wasi_fd_fdstat_set_rights(f, smaller | R(FD_WRITE), 0), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERRNO(__wasi_fd_fdstat_set_rights(f, smaller, R(FD_READ)), __WASI_ERRNO_NOTCAPABLE);
    CHECK_EQ(FDSTAT(f).fs_rights_base, smaller);
    EXPECT_ERRNO(__wasi_fd_write(f, &out, 1, &n), __WASI_ERRNO_NOTCAPABLE);

    /* shrinking further works; same rights again is fine */
    EXPECT_OK(__wasi_fd_fdstat_set_rights(f, R(FD_READ) | R(FD_FILESTAT_GET), 0));
    EXPECT_OK(__wasi_fd_fdstat_set_rights(f, R(FD_READ) | R(FD_FILESTAT_GET), 0));
    __wasi_filesize_t pos = 0;
    EXPECT_ERRNO(__wasi_fd_seek(f, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_NOTCAPABLE);
    EXPECT_ERRNO(__wasi_fd_tell(f, &pos), __WASI_ERRNO_NOTCAPABLE);
    char c[8];
    __wasi_iovec_t in = {(uint8_t *)c, sizeof c};
    EXPECT_OK(__wasi_fd_read(f, &in, 1, &n));
    CHECK_EQ(n, 6);
    EXPECT_ERRNO(__wasi_fd_fdstat_set_rights(UNOPENED, 0, 0), __WASI_ERRNO_BADF);
    EXPECT_OK(__wasi_fd_close(f));
}

static void test_filestat_and_sizes(void) {
    /* fd_filestat_get: size, filetype, nlink (data.txt has a hard link) */
    __wasi_fd_t d = OPEN("data.txt", 0, RIGHTS_RO, 0);
    __wasi_filestat_t st = FSTAT(d);
    CHECK_EQ(st.size, 10);
    CHECK_EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(st.nlink, 2);
    __wasi_fd_t h = OPEN("hard.txt", 0, RIGHTS_RO, 0);
    __wasi_filestat_t sh = FSTAT(h);
    CHECK_EQ(sh.ino, st.ino);
    CHECK_EQ(sh.dev, st.dev);
    CHECK_EQ(sh.nlink, 2);
    /* a read-only file cannot be resized */
    EXPECT_ERRNO(__wasi_fd_filestat_set_size(d, 0), __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_BADF);
    CHECK_EQ(FSTAT(d).size, 10);
    EXPECT_OK(__wasi_fd_close(h));
    EXPECT_OK(__wasi_fd_close(d));
    EXPECT_ERRNO(__wasi_fd_filestat_get(d, &st), __WASI_ERRNO_BADF);

    /* fd_filestat_set_size: grow (zero filled), then shrink */
    __wasi_fd_t f = OPEN("sized.bin", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_RW, 0);
    CHECK_EQ(FSTAT(f).size, 0);
    PUT(f, "0123456789");
    EXPECT_OK(__wasi_fd_filestat_set_size(f, 100));
    CHECK_EQ(FSTAT(f).size, 100);
    CHECK_EQ(TELL(f), 10); /* the position does not move */
    uint8_t big[128];
    memset(big, 0xFF, sizeof big);
    __wasi_iovec_t iov = {big, sizeof big};
    __wasi_size_t n = 0;
    EXPECT_OK(__wasi_fd_pread(f, &iov, 1, 0, &n));
    CHECK_EQ(n, 100);
    CHECK(memcmp(big, "0123456789", 10) == 0);
    int zeros = 1;
    for (int i = 10; i < 100; i++)
        zeros &= big[i] == 0;
    CHECK(zeros);
    EXPECT_OK(__wasi_fd_filestat_set_size(f, 4));
    CHECK_EQ(FSTAT(f).size, 4);
    EXPECT_CONTENT(f, "0123");
    EXPECT_ERRNO(__wasi_fd_filestat_set_size(UNOPENED, 4), __WASI_ERRNO_BADF);
    EXPECT_OK(__wasi_fd_close(f));

    /* fd_allocate: grows the file to offset+len, never shrinks it */
    __wasi_fd_t a = OPEN("alloc.bin", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RIGHTS_RW, 0);
    PUT(a, "0123456789");
    EXPECT_OK(__wasi_fd_allocate(a, 0, 100));
    CHECK_EQ(FSTAT(a).size, 100);
    EXPECT_OK(__wasi_fd_allocate(a, 10, 5));
    CHECK_EQ(FSTAT(a).size, 100);
    memset(big, 0xFF, sizeof big);
    EXPECT_OK(__wasi_fd_pread(a, &iov, 1, 0, &n));
    CHECK_EQ(n, 100);
    CHECK(memcmp(big, "0123456789", 10) == 0);
    CHECK(big[10] == 0 && big[99] == 0);
    EXPECT_ERRNO(__wasi_fd_allocate(UNOPENED, 0, 10), __WASI_ERRNO_BADF);
    EXPECT_OK(__wasi_fd_close(a));
}

static void test_set_times(void) {
    const __wasi_timestamp_t T_ATIM = 1600000000123456789ULL;
    const __wasi_timestamp_t T_MTIM = 1500000000987654321ULL;
    __wasi_fd_t f = OPEN("times.txt", __WASI_OFLAGS_CREAT, RIGHTS_RW, 0);

    EXPECT_OK(__wasi_fd_filestat_set_times(f, T_ATIM, T_MTIM,
                                           __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    __wasi_filestat_t st = FSTAT(f);
    CHECK_EQ(st.atim, T_ATIM);
    CHECK_EQ(st.mtim, T_MTIM);

    /* only MTIM_NOW: mtim becomes about now, atim is left alone */
    __wasi_timestamp_t before = 0;
    EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &before));
    EXPECT_OK(__wasi_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    st = FSTAT(f);
    CHECK_EQ(st.atim, T_ATIM);
    CHECK(st.mtim != T_MTIM);
    CHECK(st.mtim + 2000000000ULL >= before); /* file-system clocks are coarse */

    /* only MTIM with a value: atim still untouched */
    EXPECT_OK(__wasi_fd_filestat_set_times(f, 0, T_MTIM, __WASI_FSTFLAGS_MTIM));
    st = FSTAT(f);
    CHECK_EQ(st.atim, T_ATIM);
    CHECK_EQ(st.mtim, T_MTIM);

    /* ATIM_NOW: atim about now; mtim untouched */
    EXPECT_OK(__wasi_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_ATIM_NOW));
    st = FSTAT(f);
    CHECK(st.atim != T_ATIM);
    CHECK(st.atim + 2000000000ULL >= before);
    CHECK_EQ(st.mtim, T_MTIM);

    /* a value and NOW for the same time: INVAL, nothing changes */
    EXPECT_OK(__wasi_fd_filestat_set_times(f, T_ATIM, 0, __WASI_FSTFLAGS_ATIM));
    EXPECT_ERRNO(__wasi_fd_filestat_set_times(f, 5, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                 __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_filestat_set_times(f, 0, 5, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
                 __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_filestat_set_times(f, 5, 5, 0x0F), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_filestat_set_times(f, 5, 5, 1 << 4), __WASI_ERRNO_INVAL);
    st = FSTAT(f);
    CHECK_EQ(st.atim, T_ATIM);
    CHECK_EQ(st.mtim, T_MTIM);
    EXPECT_ERRNO(__wasi_fd_filestat_set_times(UNOPENED, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
                 __WASI_ERRNO_BADF);

    /* leave mtime = now for the host to check: later than T_MTIM */
    EXPECT_OK(__wasi_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    EXPECT_OK(__wasi_fd_close(f));
}

static void test_advise_sync(void) {
    __wasi_fd_t f = OPEN("data.txt", 0, RIGHTS_RW, 0);
    for (__wasi_advice_t adv = 0; adv <= __WASI_ADVICE_NOREUSE; adv++)
        EXPECT_OK(__wasi_fd_advise(f, 0, 10, adv));
    EXPECT_OK(__wasi_fd_advise(f, 5, 0, __WASI_ADVICE_SEQUENTIAL));
    EXPECT_ERRNO(__wasi_fd_advise(f, 0, 10, 6), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_advise(f, 0, 10, 255), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_fd_advise(UNOPENED, 0, 10, __WASI_ADVICE_NORMAL), __WASI_ERRNO_BADF);

    EXPECT_OK(__wasi_fd_datasync(f));
    EXPECT_OK(__wasi_fd_sync(f));
    EXPECT_ERRNO(__wasi_fd_datasync(UNOPENED), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_sync(UNOPENED), __WASI_ERRNO_BADF);
    EXPECT_CONTENT(f, "0123456789");

    /* fd_close: twice is BADF, and the fd is gone */
    EXPECT_OK(__wasi_fd_close(f));
    EXPECT_ERRNO(__wasi_fd_close(f), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_sync(f), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_datasync(f), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_advise(f, 0, 10, __WASI_ADVICE_NORMAL), __WASI_ERRNO_BADF);
    __wasi_fdstat_t st;
    EXPECT_ERRNO(__wasi_fd_fdstat_get(f, &st), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_close(UNOPENED), __WASI_ERRNO_BADF);
}

static void test_renumber(void) {
    uint32_t base = FD_COUNT();
    /* the counter sees real host fds: k more (k >= 1) per open file */
    __wasi_fd_t a = OPEN("a.txt", 0, RIGHTS_RO, 0);
    uint32_t k = FD_COUNT() - base;
    CHECK(k >= 1 && k <= 2);
    __wasi_fd_t b = OPEN("b.txt", 0, RIGHTS_RO, 0);
    CHECK_EQ(FD_COUNT(), base + 2 * k);
    CHECK(a != b);

    /* renumber a onto b: b now is a.txt, a is gone, b.txt's host fd closed */
    EXPECT_OK(__wasi_fd_renumber(a, b));
    EXPECT_CONTENT(b, "AAAA");
    __wasi_fdstat_t st;
    EXPECT_ERRNO(__wasi_fd_fdstat_get(a, &st), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_renumber(a, a), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_renumber(a, b), __WASI_ERRNO_BADF);
    EXPECT_CONTENT(b, "AAAA");
    CHECK_EQ(FD_COUNT(), base + k);

    /* from == to: fine, the fd still works, the table is intact */
    EXPECT_OK(__wasi_fd_renumber(b, b));
    EXPECT_CONTENT(b, "AAAA");
    CHECK_EQ(FDSTAT(b).fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(FD_COUNT(), base + k);
    __wasi_fd_t c = OPEN("b.txt", 0, RIGHTS_RO, 0);
    CHECK(c != b);
    EXPECT_CONTENT(c, "BBBB");
    EXPECT_CONTENT(b, "AAAA");

    /* unopened source or target */
    EXPECT_ERRNO(__wasi_fd_renumber(UNOPENED, b), __WASI_ERRNO_BADF);
    EXPECT_CONTENT(b, "AAAA");
    EXPECT_ERRNO(__wasi_fd_renumber(c, UNOPENED), __WASI_ERRNO_BADF);
    EXPECT_CONTENT(c, "BBBB");
    EXPECT_ERRNO(__wasi_fd_renumber(UNOPENED, UNOPENED), __WASI_ERRNO_BADF);
    EXPECT_OK(__wasi_fd_close(c));
    CHECK_EQ(FD_COUNT(), base + k);

    /* 2000 cycles of open + renumber onto b: no host fd leaks */
    uint32_t before = FD_COUNT();
    int bad = 0;
    for (int i = 0; i < 2000; i++) {
        __wasi_fd_t t = (__wasi_fd_t)-1;
        __wasi_errno_t e = __wasi_path_open(DIR_FD, 0, (i & 1) ? "a.txt" : "b.txt", 0, RIGHTS_RO,
                                            0, 0, &t);
        if (e != 0)
            check_fail(__LINE__, "cycle %d: path_open errno %u", i, e);
        e = __wasi_fd_renumber(t, b);
        if (e != 0)
            check_fail(__LINE__, "cycle %d: fd_renumber(%u, %u) errno %u", i, t, b, e);
        bad |= t == b;
    }
    checks += 4000;
    CHECK(!bad);
    CHECK_EQ(FD_COUNT(), before);
    EXPECT_CONTENT(b, "AAAA"); /* the last cycle (i = 1999) opened a.txt */
    EXPECT_OK(__wasi_fd_close(b));
    CHECK_EQ(FD_COUNT(), base);
}

int main(int argc, char **argv) {
    if (argc != 2)
        check_fail(__LINE__, "usage: fs_fd <preopen name>");
    test_stdout();
    test_prestat(argv[1]);
    test_fdstat();
    test_read_write_seek_tell();
    test_directory_fd();
    test_append();
    test_set_rights();
    test_filestat_and_sizes();
    test_set_times();
    test_advise_sync();
    test_renumber();
    return check_summary("fs_fd: ok %d checks\n", checks);
}
