/*
 * sandbox: every escape attack of the security notes, tried from inside the
 * guest, with the refusal checked in the guest (errno in the accepted set).
 *
 *   sandbox.wasm SECTION ABS_SECRET ABS_OUTSIDE
 *
 * Preopens: fd 3 = "/sandbox" (read-write), fd 4 = "/ro" (read-only).
 * ABS_SECRET / ABS_OUTSIDE are the host's absolute paths of outside/secret.txt
 * and of the outside directory (used for absolute-path attacks). The host lays
 * out (paths relative to the sandbox; outside = ../outside):
 *   file.txt "hello sandbox\n", sub/inner.txt, sub/up -> .., sub/upup -> ../..
 *   esc -> ../outside/secret.txt        escdir -> ../outside
 *   escnew -> ../outside/created.txt    escnewdir -> ../outside/newdir (dangling)
 *   abslink -> ABS_SECRET               absdir -> ABS_OUTSIDE
 *   dotlink -> .                        slashlink -> "escdir/"
 *   sibling -> ../sandbox-sibling/secret.txt
 *   loop1 -> loop2, loop2 -> loop1, selfloop -> selfloop
 *   ro/: ro.txt "READ ONLY DATA\n", ro2.txt, rodir/
 * SECTION is one of: paths symlinks readonly renumber poll bounds.
 *
 * Output: "ok <section> <n> checks" on stdout and exit 0. Each failed check (check.h)
 * prints "sandbox[<section>]: FAIL line <n>: <call>: expected ..., got ..." on
 * stderr; the run goes on and exits 1 at the end. When an attack that should
 * have been refused opens something, up to 40 bytes of it are shown.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define CHECK_NAME "sandbox"
#include "check.h"

#define SANDBOX 3
#define RO 4

/* The raw imports, for paths with an explicit length (embedded NUL bytes). */
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t rights_base, int64_t rights_inheriting, int32_t fdflags, int32_t fd_out)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open")));
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t path_len, int32_t buf)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("path_filestat_get")));
int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t path_len)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("path_create_directory")));
int32_t raw_path_unlink_file(int32_t fd, int32_t path, int32_t path_len)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("path_unlink_file")));

static const char *section = "?";
static const char *abs_secret, *abs_outside;

/* Accepted errno sets: lists of errnos for EXPECT_ERRNO and ERRNOS (check.h). */
#define E(x) __WASI_ERRNO_##x
#define ESC E(PERM), E(NOTCAPABLE)
#define ESC_OR_INVAL E(PERM), E(NOTCAPABLE), E(INVAL)
#define LOOP_ E(LOOP)
#define NOFOLLOW_DIR E(LOOP), E(NOTDIR)
#define TRAIL E(PERM), E(NOTCAPABLE), E(LOOP), E(NOTDIR)
#define TRAIL_CREAT E(PERM), E(NOTCAPABLE), E(LOOP), E(NOTDIR), E(ISDIR), E(NOENT)
#define MKDIR_DANGLING E(EXIST), E(PERM), E(NOTCAPABLE)
#define CREAT_NOFOLLOW E(LOOP), E(PERM), E(NOTCAPABLE)
#define EXCL_NOFOLLOW E(EXIST), E(LOOP), E(PERM), E(NOTCAPABLE)
#define NUL_ E(INVAL), E(ILSEQ)
#define ILSEQ_ E(ILSEQ)
#define NOENT_ E(NOENT)
#define FILE_SLASH E(NOTDIR), E(NOENT)
#define DIRFD_FILE E(NOTDIR), E(NOTCAPABLE)
#define READONLY E(PERM), E(NOTCAPABLE), E(ROFS), E(ACCES)
#define RO_FD_WRITE E(BADF), E(PERM), E(NOTCAPABLE), E(ROFS), E(ACCES)
#define BADF_ E(BADF)
#define INVAL_ E(INVAL)
#define SET_SIZE_HUGE E(INVAL), E(FBIG)

/* A printable rendering of a path that may hold NUL or invalid UTF-8 bytes. */
static const char *shown(const char *p, size_t len) {
    static char bufs[2][256];
    static int which;
    char *out = bufs[which ^= 1];
    size_t n = 0;
    for (size_t i = 0; i < len && n < 240; i++) {
        unsigned char c = (unsigned char)p[i];
        n += (size_t)(c >= 0x20 && c < 0x7f && c != '\\' ? snprintf(out + n, 256 - n, "%c", c)
                                                          : snprintf(out + n, 256 - n, "\\x%02x", c));
    }
    out[n] = 0;
    return out;
}

/* Rights: the guest asks for what it needs, as wasi-libc does, masked by the directory's
 * inheriting rights, so that a refusal comes from the path and not from the rights. */
#define R_READ                                                                                                    \
    (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET |      \
     __WASI_RIGHTS_FD_READDIR)
#define R_WRITE                                                                                                   \
    (R_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)
#define R_ALL ((__wasi_rights_t)((1ull << 30) - 1))
/* What wasi-libc asks for when it opens a directory (O_RDONLY): no write rights (with FD_WRITE,
 * path_open of a directory is ISDIR). */
#define R_NOT_FOR_DIRS                                                                                            \
    (__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |                             \
     __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)

static __wasi_rights_t inheriting(__wasi_fd_t dir) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(dir, &st) != 0)
        return R_ALL;
    return st.fs_rights_inheriting;
}

static void show_leak(int line, __wasi_fd_t fd) {
    char buf[41];
    size_t n = 0;
    __wasi_iovec_t iov = {(uint8_t *)buf, 40};
    if (__wasi_fd_read(fd, &iov, 1, &n) == 0 && n > 0)
        check_fail(line, "  ... and it read %zu bytes: \"%s\"", n, shown(buf, n));
}

/* path_open that must be refused with an errno in `set`; a descriptor it opens anyway is closed. */
static void refuse_open_len(int line, __wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path, size_t len,
                            __wasi_oflags_t of, __wasi_rights_t rights, const int *set) {
    char what[320];
    int32_t fd = -1;
    int e = raw_path_open((int32_t)dir, (int32_t)lf, (int32_t)(uintptr_t)path, (int32_t)len, (int32_t)of,
                          (int64_t)rights, (int64_t)rights, 0, (int32_t)(uintptr_t)&fd);
    snprintf(what, sizeof what, "path_open(%u, lookup=%u, \"%s\", oflags=%#x, rights=%#llx)", dir, lf,
             shown(path, len), of, (unsigned long long)rights);
    if (!check_errno(line, what, e, set) && e == 0) {
        show_leak(line, (__wasi_fd_t)fd);
        (void)__wasi_fd_close((__wasi_fd_t)fd);
    } else if (e == 0) {
        (void)__wasi_fd_close((__wasi_fd_t)fd);
    }
}
#define REFUSE_OPEN(dir, lf, path, of, rights, set)                                                               \
    refuse_open_len(__LINE__, dir, lf, path, strlen(path), of, rights, ERRNOS(set))
#define REFUSE_OPEN_LEN(dir, lf, path, len, of, rights, set)                                                      \
    refuse_open_len(__LINE__, dir, lf, path, len, of, rights, ERRNOS(set))

/* path_open that must succeed: the new fd (or -1 after reporting). */
static int open_ok(int line, __wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path, __wasi_oflags_t of,
                   __wasi_rights_t rights) {
    __wasi_fd_t fd = 0;
    char what[320];
    int e = __wasi_path_open(dir, lf, path, of, rights, rights, 0, &fd);
    snprintf(what, sizeof what, "path_open(%u, lookup=%u, \"%s\", oflags=%#x)", dir, lf, shown(path, strlen(path)),
             of);
    return check_errno(line, what, e, ERRNOS(E(SUCCESS))) ? (int)fd : -1;
}
#define OPEN_OK(dir, lf, path, of, rights) open_ok(__LINE__, dir, lf, path, of, rights)

/* Read a whole (small) file through fd; NUL-terminated into buf. */
static size_t read_all(__wasi_fd_t fd, char *buf, size_t cap) {
    size_t total = 0, n = 0;
    for (;;) {
        __wasi_iovec_t iov = {(uint8_t *)buf + total, cap - 1 - total};
        if (total + 1 >= cap || __wasi_fd_read(fd, &iov, 1, &n) != 0 || n == 0)
            break;
        total += n;
    }
    buf[total] = 0;
    return total;
}

static void expect_file(int line, __wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path, const char *content,
                        __wasi_rights_t rights) {
    int fd = open_ok(line, dir, lf, path, 0, rights);
    char buf[256];
    if (fd < 0)
        return;
    read_all((__wasi_fd_t)fd, buf, sizeof buf);
    checks++;
    if (strcmp(buf, content) != 0)
        check_fail(line, "%s: read \"%s\", expected \"%s\"", path, shown(buf, strlen(buf)), content);
    (void)__wasi_fd_close((__wasi_fd_t)fd);
}
#define EXPECT_FILE(dir, lf, path, content, rights) expect_file(__LINE__, dir, lf, path, content, rights)

static void check_prestat(__wasi_fd_t fd, const char *name) {
    __wasi_prestat_t ps;
    char buf[64] = {0};
    EXPECT_OK(__wasi_fd_prestat_get(fd, &ps));
    CHECK(ps.u.dir.pr_name_len == strlen(name));
    if (ps.u.dir.pr_name_len < sizeof buf) {
        EXPECT_OK(__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, ps.u.dir.pr_name_len));
        CHECK(strcmp(buf, name) == 0);
    }
}

static char abs_buf[4][512];
static const char *cat(int slot, const char *a, const char *b) {
    snprintf(abs_buf[slot], sizeof abs_buf[slot], "%s%s", a, b);
    return abs_buf[slot];
}

/* ------------------------------------------------------------------------------------------------ */
/* paths: absolute paths, `..`, sibling prefix, NUL bytes, invalid UTF-8, empty paths, dirfd checks.  */

static void section_paths(void) {
    const __wasi_rights_t rd = R_READ & inheriting(SANDBOX), wr = R_WRITE & inheriting(SANDBOX);
    const __wasi_rights_t dirr = inheriting(SANDBOX) & ~R_NOT_FOR_DIRS;
    const __wasi_oflags_t D = __WASI_OFLAGS_DIRECTORY, C = __WASI_OFLAGS_CREAT;
    const __wasi_lookupflags_t F = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
    __wasi_filestat_t st;

    /* Controls: the same kinds of path inside the sandbox work. */
    EXPECT_FILE(SANDBOX, 0, "file.txt", "hello sandbox\n", rd);
    EXPECT_FILE(SANDBOX, 0, "sub/../file.txt", "hello sandbox\n", rd);
    EXPECT_FILE(SANDBOX, 0, "./sub/./../file.txt", "hello sandbox\n", rd);
    EXPECT_FILE(SANDBOX, 0, "sub/inner.txt", "inner\n", rd);
    EXPECT_OK(__wasi_path_filestat_get(SANDBOX, 0, "sub/..", &st));
    CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);

    /* Absolute paths, through every path_* call. */
    REFUSE_OPEN(SANDBOX, 0, "/etc/passwd", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, F, "/etc/passwd", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, abs_secret, 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, "/", D, dirr, ESC);
    REFUSE_OPEN(SANDBOX, 0, cat(0, abs_outside, "/abs_created.txt"), C, wr, ESC);
    EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, abs_secret, &st), ESC);
    EXPECT_ERRNO(__wasi_path_create_directory(SANDBOX, cat(0, abs_outside, "/abs_dir")), ESC);
    EXPECT_ERRNO(__wasi_path_unlink_file(SANDBOX, abs_secret), ESC);
    EXPECT_ERRNO(__wasi_path_remove_directory(SANDBOX, cat(0, abs_outside, "/emptydir")), ESC);
    EXPECT_ERRNO(__wasi_path_rename(SANDBOX, abs_secret, SANDBOX, "stolen_abs.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_rename(SANDBOX, "sub/inner.txt", SANDBOX, cat(0, abs_outside, "/planted.txt")), ESC);
    EXPECT_ERRNO(__wasi_path_link(SANDBOX, 0, abs_secret, SANDBOX, "hard_abs.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, cat(0, abs_outside, "/hard.txt")), ESC);
    EXPECT_ERRNO(__wasi_path_symlink("x", SANDBOX, cat(0, abs_outside, "/abs_symlink")), ESC);
    EXPECT_ERRNO(__wasi_path_filestat_set_times(SANDBOX, 0, abs_secret, 0, 0,
                                                __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
                 ESC);
    {
        char buf[64];
        size_t used = 0;
        EXPECT_ERRNO(__wasi_path_readlink(SANDBOX, cat(0, abs_outside, "/link"), (uint8_t *)buf, sizeof buf, &used),
                     ESC);
    }

    /* `..` past the preopen, directly and after a detour. */
    REFUSE_OPEN(SANDBOX, 0, "..", D, dirr, ESC);
    REFUSE_OPEN(SANDBOX, 0, "../outside/secret.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, F, "../outside/secret.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, "sub/../../outside/secret.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, "sub/../..", D, dirr, ESC);
    REFUSE_OPEN(SANDBOX, 0, "./../sandbox/file.txt", 0, rd, ESC);      /* escape, then come back in */
    REFUSE_OPEN(SANDBOX, 0, "sub/../../sandbox/file.txt", 0, rd, ESC); /* same, after a detour */
    REFUSE_OPEN(SANDBOX, 0, "../sandbox-sibling/secret.txt", 0, rd, ESC); /* sibling with the same prefix */
    REFUSE_OPEN(SANDBOX, 0, "../outside/created.txt", C, wr, ESC);
    REFUSE_OPEN(SANDBOX, 0, "sub/../../outside/created.txt", C | __WASI_OFLAGS_TRUNC, wr, ESC);
    EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, "../outside/secret.txt", &st), ESC);
    EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, "..", &st), ESC);
    EXPECT_ERRNO(__wasi_path_create_directory(SANDBOX, "../outside/newdir"), ESC);
    EXPECT_ERRNO(__wasi_path_create_directory(SANDBOX, "sub/../../outside/newdir"), ESC);
    EXPECT_ERRNO(__wasi_path_unlink_file(SANDBOX, "../outside/secret.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_unlink_file(SANDBOX, "../sandbox-sibling/secret.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_remove_directory(SANDBOX, "../outside/emptydir"), ESC);
    EXPECT_ERRNO(__wasi_path_rename(SANDBOX, "../outside/secret.txt", SANDBOX, "stolen.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_rename(SANDBOX, "sub/inner.txt", SANDBOX, "../outside/planted.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_link(SANDBOX, 0, "../outside/secret.txt", SANDBOX, "hard.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "../outside/hard.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_symlink("x", SANDBOX, "../outside/evil_link"), ESC);
    EXPECT_ERRNO(__wasi_path_filestat_set_times(SANDBOX, 0, "../outside/secret.txt", 0, 0,
                                                __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
                 ESC);

    /* A directory fd opened inside the sandbox is a root of its own: its `..` is refused too. */
    {
        int sub = OPEN_OK(SANDBOX, 0, "sub", D, dirr);
        if (sub >= 0) {
            EXPECT_FILE((__wasi_fd_t)sub, 0, "inner.txt", "inner\n", rd);
            REFUSE_OPEN((__wasi_fd_t)sub, 0, "..", D, dirr, ESC);
            REFUSE_OPEN((__wasi_fd_t)sub, 0, "../file.txt", 0, rd, ESC);
            REFUSE_OPEN((__wasi_fd_t)sub, 0, "../../outside/secret.txt", 0, rd, ESC);
            EXPECT_ERRNO(__wasi_path_filestat_get((__wasi_fd_t)sub, 0, "../..", &st), ESC);
            EXPECT_OK(__wasi_fd_close((__wasi_fd_t)sub));
        }
    }

    /* NUL bytes (explicit lengths through the raw import), invalid UTF-8, empty paths. */
    REFUSE_OPEN_LEN(SANDBOX, 0, "file.txt\0", 9, 0, rd, NUL_); /* would open file.txt if cut at the NUL */
    REFUSE_OPEN_LEN(SANDBOX, 0, "file.txt\0/../../outside/secret.txt", 34, 0, rd, NUL_);
    REFUSE_OPEN_LEN(SANDBOX, 0, "a\0b", 3, 0, rd, NUL_);
    REFUSE_OPEN_LEN(SANDBOX, 0, "\0", 1, C, wr, NUL_);
    REFUSE_OPEN_LEN(SANDBOX, 0, "nul_created\0.txt", 16, C, wr, NUL_);
    {
        static const char nulpath[] = "sub\0x";
        EXPECT_ERRNO(raw_path_filestat_get(SANDBOX, 0, (int32_t)(uintptr_t)nulpath, 5, (int32_t)(uintptr_t)&st),
                     NUL_);
        EXPECT_ERRNO(raw_path_create_directory(SANDBOX, (int32_t)(uintptr_t)"nul_dir\0x", 9), NUL_);
        EXPECT_ERRNO(raw_path_unlink_file(SANDBOX, (int32_t)(uintptr_t)"file.txt\0", 9), NUL_);
    }
    REFUSE_OPEN(SANDBOX, 0, "\xff\xfe", 0, rd, ILSEQ_);
    REFUSE_OPEN(SANDBOX, 0, "file\xc3.txt", 0, rd, ILSEQ_);
    REFUSE_OPEN(SANDBOX, 0, "..\xc0\xaf..\xc0\xaf" "outside", D, dirr, ILSEQ_); /* overlong "/" */
    REFUSE_OPEN(SANDBOX, 0, "\xed\xa0\x80", C, wr, ILSEQ_);                    /* UTF-16 surrogate */
    REFUSE_OPEN(SANDBOX, 0, "bad\x80name.txt", C, wr, ILSEQ_);
    EXPECT_ERRNO(__wasi_path_create_directory(SANDBOX, "bad\xff" "dir"), ILSEQ_);
    REFUSE_OPEN(SANDBOX, 0, "", 0, rd, NOENT_);
    EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, "", &st), NOENT_);
    REFUSE_OPEN(SANDBOX, 0, "file.txt/", 0, rd, FILE_SLASH);
    REFUSE_OPEN(SANDBOX, 0, "file.txt/.", 0, rd, FILE_SLASH);
    REFUSE_OPEN(SANDBOX, 0, "file.txt/..", D, dirr, FILE_SLASH);

    /* A regular file as the directory fd. */
    {
        int f = OPEN_OK(SANDBOX, 0, "file.txt", 0, rd);
        if (f >= 0) {
            REFUSE_OPEN((__wasi_fd_t)f, 0, "x", 0, rd, DIRFD_FILE);
            REFUSE_OPEN((__wasi_fd_t)f, 0, "..", D, dirr, DIRFD_FILE);
            REFUSE_OPEN((__wasi_fd_t)f, 0, "../outside/secret.txt", 0, rd, DIRFD_FILE);
            REFUSE_OPEN((__wasi_fd_t)f, 0, "created_under_file", C, wr, DIRFD_FILE);
            EXPECT_ERRNO(__wasi_path_filestat_get((__wasi_fd_t)f, 0, "x", &st), DIRFD_FILE);
            EXPECT_ERRNO(__wasi_path_create_directory((__wasi_fd_t)f, "x"), DIRFD_FILE);
            EXPECT_OK(__wasi_fd_close((__wasi_fd_t)f));
        }
    }

    /* Through wasi-libc's preopen mapping. */
    {
        FILE *fp = fopen("/sandbox/../outside/secret.txt", "r");
        checks++;
        if (fp != NULL) {
            check_fail(__LINE__, "fopen(\"/sandbox/../outside/secret.txt\") succeeded");
            fclose(fp);
        } else if (errno != EPERM && errno != ENOTCAPABLE) {
            check_fail(__LINE__, "fopen(\"/sandbox/../outside/secret.txt\"): errno %d (%s)", errno, strerror(errno));
        }
        fp = fopen("/sandbox/sub/../file.txt", "r");
        CHECK(fp != NULL);
        if (fp)
            fclose(fp);
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* symlinks: escapes through symlinks the host planted and ones the guest makes.                     */

static void section_symlinks(void) {
    const __wasi_rights_t rd = R_READ & inheriting(SANDBOX), wr = R_WRITE & inheriting(SANDBOX);
    const __wasi_rights_t dirr = inheriting(SANDBOX) & ~R_NOT_FOR_DIRS;
    const __wasi_oflags_t D = __WASI_OFLAGS_DIRECTORY, C = __WASI_OFLAGS_CREAT, X = __WASI_OFLAGS_EXCL;
    const __wasi_lookupflags_t F = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
    const __wasi_fstflags_t T = __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM;
    __wasi_filestat_t st;
    char buf[128];
    size_t used = 0;

    /* Controls: symlinks inside the sandbox work, and a symlink itself can be looked at. */
    EXPECT_FILE(SANDBOX, 0, "dotlink/file.txt", "hello sandbox\n", rd);
    EXPECT_FILE(SANDBOX, 0, "sub/up/file.txt", "hello sandbox\n", rd);
    EXPECT_FILE(SANDBOX, 0, "dotlink/dotlink/sub/inner.txt", "inner\n", rd);
    EXPECT_OK(__wasi_path_filestat_get(SANDBOX, 0, "esc", &st));
    CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    EXPECT_OK(__wasi_path_readlink(SANDBOX, "esc", (uint8_t *)buf, sizeof buf, &used));
    CHECK(used == strlen("../outside/secret.txt") && memcmp(buf, "../outside/secret.txt", used) == 0);

    /* CVE-2024-38358: a symlink to outside, followed for reading and for creating. */
    REFUSE_OPEN(SANDBOX, F, "esc", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, F, "esc", 0, wr, ESC);
    REFUSE_OPEN(SANDBOX, F, "esc", __WASI_OFLAGS_TRUNC, wr, ESC);
    REFUSE_OPEN(SANDBOX, F, "escnew", C, wr, ESC);
    REFUSE_OPEN(SANDBOX, F, "escnew", C | __WASI_OFLAGS_TRUNC, wr, ESC);
    REFUSE_OPEN(SANDBOX, 0, "escnew", C, wr, CREAT_NOFOLLOW); /* nofollow: must not create the target */
    REFUSE_OPEN(SANDBOX, 0, "escnew", C | X, wr, EXCL_NOFOLLOW);
    REFUSE_OPEN(SANDBOX, 0, "esc", 0, rd, LOOP_);               /* nofollow open of a symlink */
    REFUSE_OPEN(SANDBOX, 0, "escdir/secret.txt", 0, rd, ESC);  /* an intermediate symlink is always followed */
    REFUSE_OPEN(SANDBOX, F, "escdir/secret.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, "escdir/created.txt", C, wr, ESC);
    REFUSE_OPEN(SANDBOX, F, "escdir", D, dirr, ESC);
    REFUSE_OPEN(SANDBOX, 0, "escdir", D, dirr, NOFOLLOW_DIR);
    REFUSE_OPEN(SANDBOX, F, "sibling", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, "sub/upup/outside/secret.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, F, "sub/upup", D, dirr, ESC);

    /* Absolute symlink targets. */
    REFUSE_OPEN(SANDBOX, F, "abslink", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, "absdir/secret.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, F, "absdir", D, dirr, ESC);
    REFUSE_OPEN(SANDBOX, 0, "absdir/abs_created.txt", C, wr, ESC);

    /* `link -> .` then `link/../secret` (the erlang host). */
    REFUSE_OPEN(SANDBOX, 0, "dotlink/../outside/secret.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, "dotlink/../sandbox/file.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, F, "dotlink/..", D, dirr, ESC);
    REFUSE_OPEN(SANDBOX, 0, "sub/up/../outside/secret.txt", 0, rd, ESC);
    {
        int d = OPEN_OK(SANDBOX, F, "dotlink", D, dirr);
        if (d >= 0) {
            REFUSE_OPEN((__wasi_fd_t)d, 0, "..", D, dirr, ESC);
            REFUSE_OPEN((__wasi_fd_t)d, 0, "../outside/secret.txt", 0, rd, ESC);
            EXPECT_OK(__wasi_fd_close((__wasi_fd_t)d));
        }
    }

    /* Trailing slashes on symlinks to outside, without follow (GHSA-vqjp-4c8c-hfgg), and a symlink
     * whose target string ends in a slash (GHSA-hp8f-xmx4-4qrg). */
    REFUSE_OPEN(SANDBOX, 0, "escdir/", D, dirr, TRAIL);
    REFUSE_OPEN(SANDBOX, 0, "escdir/", 0, rd, TRAIL);
    REFUSE_OPEN(SANDBOX, 0, "escdir//", D, dirr, TRAIL);
    REFUSE_OPEN(SANDBOX, 0, "escdir/.", D, dirr, ESC);
    REFUSE_OPEN(SANDBOX, 0, "esc/", 0, rd, TRAIL);
    REFUSE_OPEN(SANDBOX, 0, "absdir/", D, dirr, TRAIL);
    REFUSE_OPEN(SANDBOX, 0, "escnew/", C, wr, TRAIL_CREAT);
    EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, "escdir/", &st), TRAIL);
    EXPECT_ERRNO(__wasi_path_create_directory(SANDBOX, "escnewdir/"), MKDIR_DANGLING);
    EXPECT_ERRNO(__wasi_path_create_directory(SANDBOX, "escnewdir"), MKDIR_DANGLING);
    EXPECT_ERRNO(__wasi_path_remove_directory(SANDBOX, "escdir/emptydir/"), ESC);
    REFUSE_OPEN(SANDBOX, 0, "slashlink", D, dirr, NOFOLLOW_DIR);
    REFUSE_OPEN(SANDBOX, F, "slashlink", D, dirr, ESC);
    REFUSE_OPEN(SANDBOX, 0, "slashlink/secret.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, "slashlink/", D, dirr, TRAIL);

    /* Loops. */
    REFUSE_OPEN(SANDBOX, F, "loop1", 0, rd, LOOP_);
    REFUSE_OPEN(SANDBOX, F, "selfloop", 0, rd, LOOP_);
    REFUSE_OPEN(SANDBOX, 0, "loop1/x", 0, rd, LOOP_);
    REFUSE_OPEN(SANDBOX, F, "loop1", C, wr, LOOP_);
    EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, F, "loop2", &st), LOOP_);
    EXPECT_ERRNO(__wasi_path_create_directory(SANDBOX, "selfloop/x"), LOOP_);

    /* The other path_* calls through symlinks to outside. */
    EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, F, "esc", &st), ESC);
    EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, 0, "escdir/secret.txt", &st), ESC);
    EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, F, "abslink", &st), ESC);
    EXPECT_ERRNO(__wasi_path_filestat_set_times(SANDBOX, F, "esc", 0, 0, T), ESC);
    EXPECT_ERRNO(__wasi_path_filestat_set_times(SANDBOX, 0, "escdir/secret.txt", 0, 0, T), ESC);
    EXPECT_ERRNO(__wasi_path_create_directory(SANDBOX, "escdir/newdir"), ESC);
    EXPECT_ERRNO(__wasi_path_unlink_file(SANDBOX, "escdir/secret.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_remove_directory(SANDBOX, "escdir/emptydir"), ESC);
    EXPECT_ERRNO(__wasi_path_rename(SANDBOX, "escdir/secret.txt", SANDBOX, "stolen.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_rename(SANDBOX, "sub/inner.txt", SANDBOX, "escdir/planted.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_rename(SANDBOX, "escdir/sub", SANDBOX, "stolen_dir"), ESC);
    EXPECT_ERRNO(__wasi_path_link(SANDBOX, 0, "escdir/secret.txt", SANDBOX, "hard.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_link(SANDBOX, F, "esc", SANDBOX, "hard2.txt"), ESC_OR_INVAL);
    EXPECT_ERRNO(__wasi_path_link(SANDBOX, 0, "file.txt", SANDBOX, "escdir/hard.txt"), ESC);
    EXPECT_ERRNO(__wasi_path_symlink("x", SANDBOX, "escdir/evil_link"), ESC);
    EXPECT_ERRNO(__wasi_path_readlink(SANDBOX, "escdir/link", (uint8_t *)buf, sizeof buf, &used), ESC);

    /* Symlinks the guest makes itself: a link to `.` works inside, links out are refused or unusable. */
    EXPECT_OK(__wasi_path_symlink(".", SANDBOX, "made_dot"));
    EXPECT_FILE(SANDBOX, 0, "made_dot/file.txt", "hello sandbox\n", rd);
    REFUSE_OPEN(SANDBOX, 0, "made_dot/../outside/secret.txt", 0, rd, ESC);
    REFUSE_OPEN(SANDBOX, 0, "made_dot/../outside/made_created.txt", C, wr, ESC);
    {
        static const char *targets[] = {"../outside/secret.txt", "../outside/made_new.txt", NULL, "..", NULL};
        static const char *names[] = {"made_esc", "made_new", "made_abs", "made_up", NULL};
        targets[2] = abs_secret;
        for (int i = 0; names[i]; i++) {
            int e = __wasi_path_symlink(targets[i], SANDBOX, names[i]);
            char what[160];
            snprintf(what, sizeof what, "path_symlink(\"%s\", \"%s\")", targets[i], names[i]);
            if (!check_errno(__LINE__, what, e, ERRNOS(E(SUCCESS), ESC)))
                continue;
            if (e != 0)
                continue; /* refused at creation: also fine */
            if (strcmp(names[i], "made_up") == 0) {
                REFUSE_OPEN(SANDBOX, F, names[i], D, dirr, ESC);
                REFUSE_OPEN(SANDBOX, 0, "made_up/outside/secret.txt", 0, rd, ESC);
            } else {
                REFUSE_OPEN(SANDBOX, F, names[i], 0, rd, ESC);
                REFUSE_OPEN(SANDBOX, F, names[i], C, wr, ESC);
                EXPECT_ERRNO(__wasi_path_filestat_get(SANDBOX, F, names[i], &st), ESC);
            }
        }
    }

    /* Through wasi-libc. */
    {
        FILE *fp = fopen("/sandbox/esc", "r");
        checks++;
        if (fp != NULL) {
            check_fail(__LINE__, "fopen(\"/sandbox/esc\") succeeded");
            fclose(fp);
        }
        fp = fopen("/sandbox/escnew", "w");
        checks++;
        if (fp != NULL) {
            check_fail(__LINE__, "fopen(\"/sandbox/escnew\", \"w\") succeeded");
            fclose(fp);
        }
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* readonly: a read-only preopen (fd 4) cannot be written, truncated or smuggled into a writable one. */

static void section_readonly(void) {
    const __wasi_rights_t ro_inh = inheriting(RO);
    const __wasi_rights_t rd = R_READ & ro_inh, wr_masked = R_WRITE & ro_inh;
    const __wasi_rights_t wr_sandbox = R_WRITE & inheriting(SANDBOX);
    const __wasi_oflags_t C = __WASI_OFLAGS_CREAT, TR = __WASI_OFLAGS_TRUNC;
    __wasi_filestat_t st;

    check_prestat(RO, "/ro");
    EXPECT_FILE(RO, 0, "ro.txt", "READ ONLY DATA\n", rd); /* control: reading works */

    /* O_TRUNC (GHSA-2r75-cxrj-cmph), with read rights only, with masked and with all rights. */
    REFUSE_OPEN(RO, 0, "ro.txt", TR, rd, READONLY);
    REFUSE_OPEN(RO, 0, "ro.txt", TR, __WASI_RIGHTS_FD_READ, READONLY);
    REFUSE_OPEN(RO, 0, "ro.txt", TR, wr_masked, READONLY);
    REFUSE_OPEN(RO, 0, "ro.txt", TR, R_ALL, READONLY);
    REFUSE_OPEN(RO, 0, "ro.txt", C | TR, R_ALL, READONLY);
    REFUSE_OPEN(RO, 0, "new.txt", C, rd, READONLY);
    REFUSE_OPEN(RO, 0, "new.txt", C, R_ALL, READONLY);
    REFUSE_OPEN(RO, 0, "rodir/new.txt", C | __WASI_OFLAGS_EXCL, R_ALL, READONLY);

    /* Opening for writing: refused, or (if the host hands out a read-only fd) every write fails. */
    {
        __wasi_fd_t fd = 0;
        int e = __wasi_path_open(RO, 0, "ro.txt", 0, R_ALL, R_ALL, __WASI_FDFLAGS_APPEND, &fd);
        if (check_errno(__LINE__, "path_open(RO, \"ro.txt\", rights=all, APPEND)", e,
                        ERRNOS(E(SUCCESS), READONLY)) &&
            e == 0) {
            __wasi_ciovec_t iov = {(const uint8_t *)"PWNED", 5};
            size_t n = 0;
            EXPECT_ERRNO(__wasi_fd_write(fd, &iov, 1, &n), RO_FD_WRITE);
            EXPECT_ERRNO(__wasi_fd_pwrite(fd, &iov, 1, 0, &n), RO_FD_WRITE);
            EXPECT_ERRNO(__wasi_fd_filestat_set_size(fd, 0), RO_FD_WRITE);
            EXPECT_OK(__wasi_fd_close(fd));
        }
    }
    /* A descriptor opened for reading cannot write (GHSA-2r75: writes to existing files). */
    {
        int fd = OPEN_OK(RO, 0, "ro.txt", 0, rd);
        if (fd >= 0) {
            __wasi_ciovec_t iov = {(const uint8_t *)"PWNED", 5};
            size_t n = 0;
            EXPECT_ERRNO(__wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &n), RO_FD_WRITE);
            EXPECT_ERRNO(__wasi_fd_pwrite((__wasi_fd_t)fd, &iov, 1, 3, &n), RO_FD_WRITE);
            EXPECT_ERRNO(__wasi_fd_filestat_set_size((__wasi_fd_t)fd, 1), RO_FD_WRITE);
            EXPECT_ERRNO(__wasi_fd_filestat_set_times((__wasi_fd_t)fd, 0, 0, __WASI_FSTFLAGS_MTIM), RO_FD_WRITE);
            EXPECT_OK(__wasi_fd_close((__wasi_fd_t)fd));
        }
    }

    /* Directory mutations in the read-only preopen. */
    EXPECT_ERRNO(__wasi_path_create_directory(RO, "newdir"), READONLY);
    EXPECT_ERRNO(__wasi_path_unlink_file(RO, "ro.txt"), READONLY);
    EXPECT_ERRNO(__wasi_path_remove_directory(RO, "rodir"), READONLY);
    EXPECT_ERRNO(__wasi_path_symlink("ro.txt", RO, "ro_link"), READONLY);
    EXPECT_ERRNO(__wasi_path_rename(RO, "ro.txt", RO, "renamed.txt"), READONLY);
    EXPECT_ERRNO(__wasi_path_link(RO, 0, "ro.txt", RO, "ro_hard.txt"), READONLY);
    EXPECT_ERRNO(__wasi_path_filestat_set_times(RO, 0, "ro.txt", 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
                 READONLY);

    /* Smuggling a read-only file into the writable preopen (GHSA-4ch3-9j33-3pmj), then writing it. */
    {
        int e = __wasi_path_link(RO, 0, "ro.txt", SANDBOX, "linked.txt");
        check_errno(__LINE__, "path_link(RO \"ro.txt\" -> SANDBOX \"linked.txt\")", e, ERRNOS(READONLY));
        if (e == 0) {
            __wasi_fd_t fd = 0;
            if (__wasi_path_open(SANDBOX, 0, "linked.txt", 0, wr_sandbox, wr_sandbox, 0, &fd) == 0) {
                __wasi_ciovec_t iov = {(const uint8_t *)"PWNED", 5};
                size_t n = 0;
                if (__wasi_fd_write(fd, &iov, 1, &n) == 0)
                    check_fail(__LINE__, "  ... and writing the link changed the read-only file");
                (void)__wasi_fd_close(fd);
            }
        }
        e = __wasi_path_rename(RO, "ro2.txt", SANDBOX, "moved.txt");
        check_errno(__LINE__, "path_rename(RO \"ro2.txt\" -> SANDBOX \"moved.txt\")", e, ERRNOS(READONLY));
        if (e == 0) {
            __wasi_fd_t fd = 0;
            if (__wasi_path_open(SANDBOX, 0, "moved.txt", 0, wr_sandbox, wr_sandbox, 0, &fd) == 0) {
                __wasi_ciovec_t iov = {(const uint8_t *)"PWNED", 5};
                size_t n = 0;
                (void)__wasi_fd_write(fd, &iov, 1, &n);
                (void)__wasi_fd_close(fd);
            }
        }
        EXPECT_ERRNO(__wasi_path_rename(SANDBOX, "file.txt", RO, "planted.txt"), READONLY);
        EXPECT_ERRNO(__wasi_path_link(SANDBOX, 0, "file.txt", RO, "planted_hard.txt"), READONLY);
    }
    /* The read-only file is still there, unchanged, as seen by the guest. */
    EXPECT_FILE(RO, 0, "ro.txt", "READ ONLY DATA\n", rd);
    EXPECT_FILE(RO, 0, "ro2.txt", "second\n", rd);
    EXPECT_OK(__wasi_path_filestat_get(RO, 0, "rodir", &st));
    CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);

    /* The writable preopen still works (control). */
    {
        int fd = OPEN_OK(SANDBOX, 0, "written.txt", C | TR, wr_sandbox);
        if (fd >= 0) {
            __wasi_ciovec_t iov = {(const uint8_t *)"fine\n", 5};
            size_t n = 0;
            EXPECT_OK(__wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &n));
            CHECK(n == 5);
            EXPECT_OK(__wasi_fd_close((__wasi_fd_t)fd));
        }
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* renumber: fd_renumber(0, 0) (CVE-2025-53901), renumbering to unopened fds, then opens still work.  */

static void section_renumber(void) {
    const __wasi_rights_t rd = R_READ & inheriting(SANDBOX);
    __wasi_fdstat_t fst;

    EXPECT_OK(__wasi_fd_renumber(0, 0));
    EXPECT_OK(__wasi_fd_fdstat_get(0, &fst));
    {
        int fd = OPEN_OK(SANDBOX, 0, "file.txt", 0, rd);
        CHECK(fd > 4);
        if (fd >= 0) {
            EXPECT_OK(__wasi_fd_renumber((__wasi_fd_t)fd, (__wasi_fd_t)fd));
            EXPECT_OK(__wasi_fd_fdstat_get((__wasi_fd_t)fd, &fst));
            CHECK(fst.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
            EXPECT_ERRNO(__wasi_fd_renumber((__wasi_fd_t)fd, 1234), BADF_);
            EXPECT_ERRNO(__wasi_fd_renumber((__wasi_fd_t)fd, 0xFFFFFFFFu), BADF_);
            EXPECT_ERRNO(__wasi_fd_renumber(1234, (__wasi_fd_t)fd), BADF_);
            EXPECT_ERRNO(__wasi_fd_renumber(1234, 1234), BADF_);
            EXPECT_OK(__wasi_fd_fdstat_get((__wasi_fd_t)fd, &fst)); /* a failed renumber closed nothing */
            {
                char buf[64];
                read_all((__wasi_fd_t)fd, buf, sizeof buf);
                CHECK(strcmp(buf, "hello sandbox\n") == 0);
            }
            EXPECT_OK(__wasi_fd_close((__wasi_fd_t)fd));
            EXPECT_ERRNO(__wasi_fd_renumber((__wasi_fd_t)fd, (__wasi_fd_t)fd), BADF_); /* closed */
            EXPECT_ERRNO(__wasi_fd_renumber((__wasi_fd_t)fd, 0), BADF_);
            EXPECT_OK(__wasi_fd_fdstat_get(0, &fst)); /* ... and did not close the target */
        }
    }
    EXPECT_OK(__wasi_fd_renumber(SANDBOX, SANDBOX));
    check_prestat(SANDBOX, "/sandbox");
    /* Opens after all that work, many times over, and get distinct descriptors. */
    {
        int fds[8];
        for (int i = 0; i < 8; i++) {
            fds[i] = OPEN_OK(SANDBOX, 0, "file.txt", 0, rd);
            CHECK(fds[i] > 4);
            for (int j = 0; j < i; j++)
                CHECK(fds[i] != fds[j]);
        }
        /* renumber one open file over another: the target's old file is closed, the source fd is gone */
        if (fds[0] >= 0 && fds[1] >= 0) {
            int sub = OPEN_OK(SANDBOX, 0, "sub/inner.txt", 0, rd);
            if (sub >= 0) {
                char buf[64];
                EXPECT_OK(__wasi_fd_renumber((__wasi_fd_t)sub, (__wasi_fd_t)fds[0]));
                EXPECT_ERRNO(__wasi_fd_fdstat_get((__wasi_fd_t)sub, &fst), BADF_);
                read_all((__wasi_fd_t)fds[0], buf, sizeof buf);
                CHECK(strcmp(buf, "inner\n") == 0);
            }
        }
        for (int i = 0; i < 8; i++)
            if (fds[i] >= 0)
                EXPECT_OK(__wasi_fd_close((__wasi_fd_t)fds[i]));
    }
    EXPECT_FILE(SANDBOX, 0, "file.txt", "hello sandbox\n", rd);
}

/* ------------------------------------------------------------------------------------------------ */
/* poll: absolute-time clock subscriptions far in the past and future, 0 subscriptions.              */

static __wasi_subscription_t clock_sub(uint64_t userdata, __wasi_clockid_t id, uint64_t timeout, int abstime) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 0;
    s.u.u.clock.flags = abstime ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
    return s;
}

static void poll_expect_one(int line, const __wasi_subscription_t *subs, size_t n, uint64_t want_userdata) {
    __wasi_event_t ev[4];
    size_t nev = 99;
    memset(ev, 0xAB, sizeof ev);
    int e = __wasi_poll_oneoff(subs, ev, n, &nev);
    char what[96];
    snprintf(what, sizeof what, "poll_oneoff(%zu subscriptions, want userdata %llu)", n,
             (unsigned long long)want_userdata);
    if (!check_errno(line, what, e, ERRNOS(E(SUCCESS))))
        return;
    checks++;
    if (nev != 1) {
        check_fail(line, "%s: nevents=%zu, expected 1", what, nev);
        return;
    }
    checks++;
    if (ev[0].userdata != want_userdata || ev[0].error != 0 || ev[0].type != __WASI_EVENTTYPE_CLOCK)
        check_fail(line, "%s: event userdata=%llu error=%u type=%u", what, (unsigned long long)ev[0].userdata,
                   ev[0].error, ev[0].type);
}
#define POLL_EXPECT_ONE(subs, n, userdata) poll_expect_one(__LINE__, subs, n, userdata)

static void section_poll(void) {
    const uint64_t MS = 1000000;
    __wasi_subscription_t s[2];
    __wasi_event_t ev[2];
    size_t nev = 0;

    /* Absolute times in the past fire at once. */
    s[0] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, 1, 1);
    POLL_EXPECT_ONE(s, 1, 11);
    s[0] = clock_sub(12, __WASI_CLOCKID_MONOTONIC, 0, 1);
    POLL_EXPECT_ONE(s, 1, 12);
    s[0] = clock_sub(13, __WASI_CLOCKID_REALTIME, 1, 1);
    POLL_EXPECT_ONE(s, 1, 13);
    s[0] = clock_sub(14, __WASI_CLOCKID_REALTIME, 1000000000ull, 1); /* 1970-01-01T00:00:01Z */
    POLL_EXPECT_ONE(s, 1, 14);

    /* Absolute times far in the future (near 2^64-1, top bit set) next to a short relative timeout:
     * the short one fires, nothing overflows. */
    static const uint64_t far[] = {0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFEull, 0x8000000000000000ull,
                                   0x7FFFFFFFFFFFFFFFull};
    for (size_t i = 0; i < sizeof far / sizeof far[0]; i++) {
        s[0] = clock_sub(100 + i, __WASI_CLOCKID_MONOTONIC, far[i], 1);
        s[1] = clock_sub(200 + i, __WASI_CLOCKID_MONOTONIC, 2 * MS, 0);
        POLL_EXPECT_ONE(s, 2, 200 + i);
        s[0] = clock_sub(300 + i, __WASI_CLOCKID_REALTIME, far[i], 1);
        POLL_EXPECT_ONE(s, 2, 200 + i);
        s[0] = clock_sub(400 + i, __WASI_CLOCKID_MONOTONIC, far[i], 0); /* relative, huge */
        POLL_EXPECT_ONE(s, 2, 200 + i);
    }
    /* Subscription order does not matter. */
    s[0] = clock_sub(21, __WASI_CLOCKID_MONOTONIC, 1 * MS, 0);
    s[1] = clock_sub(22, __WASI_CLOCKID_MONOTONIC, 0xFFFFFFFFFFFFFFFFull, 1);
    POLL_EXPECT_ONE(s, 2, 21);

    /* Zero subscriptions: INVAL (and no event). */
    nev = 77;
    EXPECT_ERRNO(__wasi_poll_oneoff(s, ev, 0, &nev), INVAL_);
    /* An unknown subscription tag: INVAL. */
    s[0] = clock_sub(31, __WASI_CLOCKID_MONOTONIC, 0, 0);
    s[0].u.tag = 3;
    EXPECT_ERRNO(__wasi_poll_oneoff(s, ev, 1, &nev), INVAL_);
    s[0].u.tag = 0xFF;
    EXPECT_ERRNO(__wasi_poll_oneoff(s, ev, 1, &nev), INVAL_);
}

/* ------------------------------------------------------------------------------------------------ */
/* bounds: values with the top bit set (readdir cookies, seek offsets, pread/pwrite offsets, sizes).  */

static void section_bounds(void) {
    const __wasi_rights_t rd = R_READ & inheriting(SANDBOX), wr = R_WRITE & inheriting(SANDBOX);
    uint8_t buf[256];
    size_t used = 99;
    __wasi_filesize_t pos = 0;
    __wasi_filestat_t st;

    /* fd_readdir cookies past the end: nothing, no error. */
    EXPECT_OK(__wasi_fd_readdir(SANDBOX, buf, sizeof buf, 0xFFFFFFFFFFFFFFFFull, &used));
    CHECK(used == 0);
    used = 99;
    EXPECT_OK(__wasi_fd_readdir(SANDBOX, buf, sizeof buf, 0x8000000000000000ull, &used));
    CHECK(used == 0);
    used = 99;
    EXPECT_OK(__wasi_fd_readdir(SANDBOX, buf, sizeof buf, 0x7FFFFFFFFFFFFFFFull, &used));
    CHECK(used == 0);
    used = 0;
    EXPECT_OK(__wasi_fd_readdir(SANDBOX, buf, sizeof buf, 0, &used)); /* control */
    CHECK(used > 0);

    /* fd_seek: huge and negative offsets are INVAL and leave the position alone. */
    {
        int fd = OPEN_OK(SANDBOX, 0, "file.txt", 0, rd);
        if (fd >= 0) {
            __wasi_fd_t f = (__wasi_fd_t)fd;
            EXPECT_OK(__wasi_fd_seek(f, 10, __WASI_WHENCE_SET, &pos));
            CHECK(pos == 10);
            EXPECT_ERRNO(__wasi_fd_seek(f, -1, __WASI_WHENCE_SET, &pos), INVAL_);
            EXPECT_ERRNO(__wasi_fd_seek(f, INT64_MIN, __WASI_WHENCE_SET, &pos), INVAL_);
            EXPECT_ERRNO(__wasi_fd_seek(f, INT64_MAX, __WASI_WHENCE_CUR, &pos), INVAL_);
            EXPECT_ERRNO(__wasi_fd_seek(f, INT64_MIN, __WASI_WHENCE_CUR, &pos), INVAL_);
            EXPECT_ERRNO(__wasi_fd_seek(f, -11, __WASI_WHENCE_CUR, &pos), INVAL_);
            EXPECT_ERRNO(__wasi_fd_seek(f, INT64_MAX, __WASI_WHENCE_END, &pos), INVAL_);
            EXPECT_ERRNO(__wasi_fd_seek(f, INT64_MIN, __WASI_WHENCE_END, &pos), INVAL_);
            EXPECT_ERRNO(__wasi_fd_seek(f, -15, __WASI_WHENCE_END, &pos), INVAL_);
            EXPECT_ERRNO(__wasi_fd_seek(f, 0, 3, &pos), INVAL_);
            EXPECT_ERRNO(__wasi_fd_seek(f, 0, 0xFF, &pos), INVAL_);
            EXPECT_OK(__wasi_fd_tell(f, &pos));
            CHECK(pos == 10);
            /* pread offsets above 2^63-1 */
            {
                __wasi_iovec_t iov = {buf, 4};
                size_t n = 99;
                EXPECT_ERRNO(__wasi_fd_pread(f, &iov, 1, 0x8000000000000000ull, &n), INVAL_);
                EXPECT_ERRNO(__wasi_fd_pread(f, &iov, 1, 0xFFFFFFFFFFFFFFFFull, &n), INVAL_);
                EXPECT_OK(__wasi_fd_pread(f, &iov, 1, 0x4000000000000000ull, &n)); /* legal: past EOF, 0 bytes */
                CHECK(n == 0);
            }
            EXPECT_OK(__wasi_fd_close(f));
        }
    }
    /* pwrite offsets above 2^63-1, and a huge size. */
    {
        int fd = OPEN_OK(SANDBOX, 0, "pw.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, wr);
        if (fd >= 0) {
            __wasi_fd_t f = (__wasi_fd_t)fd;
            __wasi_ciovec_t iov = {(const uint8_t *)"data", 4};
            size_t n = 99;
            EXPECT_ERRNO(__wasi_fd_pwrite(f, &iov, 1, 0x8000000000000000ull, &n), INVAL_);
            EXPECT_ERRNO(__wasi_fd_pwrite(f, &iov, 1, 0xFFFFFFFFFFFFFFFFull, &n), INVAL_);
            EXPECT_ERRNO(__wasi_fd_filestat_set_size(f, 0xFFFFFFFFFFFFFFFFull), SET_SIZE_HUGE);
            EXPECT_ERRNO(__wasi_fd_filestat_set_size(f, 0x8000000000000000ull), SET_SIZE_HUGE);
            EXPECT_ERRNO(__wasi_fd_seek(f, INT64_MAX, __WASI_WHENCE_END, &pos), INVAL_);
            EXPECT_OK(__wasi_fd_pwrite(f, &iov, 1, 0, &n));
            CHECK(n == 4);
            EXPECT_OK(__wasi_fd_filestat_get(f, &st));
            CHECK(st.size == 4);
            EXPECT_OK(__wasi_fd_close(f));
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: sandbox SECTION ABS_SECRET ABS_OUTSIDE\n");
        return 2;
    }
    section = argv[1];
    check_name_set("sandbox[%s]", section);
    abs_secret = argv[2];
    abs_outside = argv[3];
    check_prestat(SANDBOX, "/sandbox");
    if (strcmp(section, "paths") == 0)
        section_paths();
    else if (strcmp(section, "symlinks") == 0)
        section_symlinks();
    else if (strcmp(section, "readonly") == 0)
        section_readonly();
    else if (strcmp(section, "renumber") == 0)
        section_renumber();
    else if (strcmp(section, "poll") == 0)
        section_poll();
    else if (strcmp(section, "bounds") == 0)
        section_bounds();
    else {
        fprintf(stderr, "sandbox: unknown section %s\n", section);
        return 2;
    }
    return check_summary("ok %s %d checks\n", section, checks);
}
