/*
 * fs_path: every path_* syscall, with success and error paths, on real files.
 *
 * Usage: fs_path.wasm [basic|cross|readonly]   (default: basic)
 *
 * basic     one preopen at fd 3 whose host directory holds (made by the test):
 *             existing.txt "hello world\n"   times.txt "t"
 *             trunc.txt "0123456789"          unlink_me.txt "bye"
 *             ren_src.txt "rename me"         over_src.txt "new"   over_dst.txt "old"
 *             full/inner.txt "inner"          empty/   sub/   ren_dir/f "f"
 *             link_file -> existing.txt       long_link -> LONG_TARGET (dangling)
 *           It exercises path_create_directory, path_filestat_get,
 *           path_filestat_set_times, path_link, path_open (oflags, fdflags,
 *           rights, lookup flags), path_readlink, path_remove_directory,
 *           path_rename, path_symlink and path_unlink_file. The test then checks
 *           the resulting host tree (listed in tests/test_fs_path.py).
 * cross     preopens /a (fd 3) and /b (fd 4); a holds move.txt "move",
 *           linkme.txt "shared", dir/x "x"; b is empty. Renames and hard links
 *           across the two preopens.
 * readonly  preopens /ro (fd 3, read-only) and /rw (fd 4, empty). ro holds
 *           file.txt "read only", dir/inner "i", emptydir/, link -> file.txt.
 *           Every mutating path_* call on ro fails (NOTCAPABLE; PERM or ROFS
 *           accepted); reading works; /rw stays writable.
 *
 * Errnos are what wasmtime returns on Linux; where the security notes or the spec
 * allow a set, the set is accepted (noted at each check): the sync fdflags
 * (SUCCESS with the flag in fd_fdstat_get, or NOTSUP as wasmtime), a write on a
 * read-only descriptor (NOTCAPABLE or BADF), FD_WRITE through a directory whose
 * rights_inheriting lacks it (NOTCAPABLE, or an fd without FD_WRITE),
 * path_link with SYMLINK_FOLLOW (INVAL as wasmtime, or a link to the target),
 * "file/" (NOTDIR or NOENT), a regular file as the dirfd (NOTDIR or NOTCAPABLE),
 * ".." out of a preopen (PERM or NOTCAPABLE), mutations beneath a read-only
 * preopen (NOTCAPABLE, PERM or ROFS), a directory renamed over a non-empty one
 * (NOTEMPTY or EXIST).
 *
 * Every check counts (check.h); a failed check prints
 *   fs_path <mode>: FAIL line <n>: <call>: expected errno <NAME>[|<NAME>], got <n> (<NAME>)
 * to stderr and the run continues. At the end: stdout "fs_path <mode>: ok <n> checks"
 * and exit 0, or "fs_path <mode>: <k> of <n> checks failed" on stderr and exit 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define LONG_TARGET "a_rather_long_symlink_target_name_for_truncation"

#define R(x) __WASI_RIGHTS_##x
/* Rights of a regular file opened for everything. */
#define R_FILE                                                                             \
    (R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) |      \
     R(FD_TELL) | R(FD_WRITE) | R(FD_ADVISE) | R(FD_ALLOCATE) | R(FD_FILESTAT_GET) |       \
     R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES) | R(POLL_FD_READWRITE))
/* Rights of a file opened for reading only. */
#define R_FILE_RO (R(FD_READ) | R(FD_SEEK) | R(FD_TELL) | R(FD_FILESTAT_GET))
/* Rights of a directory opened for everything. */
#define R_DIR                                                                              \
    (R(PATH_CREATE_DIRECTORY) | R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) |                \
     R(PATH_LINK_TARGET) | R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) |               \
     R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) | R(PATH_FILESTAT_GET) |                \
     R(PATH_FILESTAT_SET_SIZE) | R(PATH_FILESTAT_SET_TIMES) | R(FD_FILESTAT_GET) |         \
     R(FD_FILESTAT_SET_TIMES) | R(PATH_SYMLINK) | R(PATH_REMOVE_DIRECTORY) |               \
     R(PATH_UNLINK_FILE))
/* Rights of a directory opened for lookups and reading only. */
#define R_DIR_RO                                                                           \
    (R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) | R(PATH_FILESTAT_GET) |              \
     R(FD_FILESTAT_GET))

#define E(x) __WASI_ERRNO_##x
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define O(x) __WASI_OFLAGS_##x
#define F(x) __WASI_FDFLAGS_##x
#define BADFD ((__wasi_fd_t)0xFFFFFFFFu)

#define CHECK_NAME "fs_path"
#include "check.h"

static const char *mode = "basic";

/* ---- helpers (each a single call; the caller checks the errno) ---- */

static __wasi_errno_t open_at(__wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path,
                              __wasi_oflags_t of, __wasi_rights_t base,
                              __wasi_fdflags_t ff, __wasi_fd_t *fd) {
    *fd = BADFD;
    return __wasi_path_open(dir, lf, path, of, base, 0, ff, fd);
}

static __wasi_errno_t open_dir(__wasi_fd_t dir, const char *path, __wasi_rights_t base,
                               __wasi_rights_t inheriting, __wasi_fd_t *fd) {
    *fd = BADFD;
    return __wasi_path_open(dir, 0, path, O(DIRECTORY), base, inheriting, 0, fd);
}

static __wasi_errno_t write_str(__wasi_fd_t fd, const char *s) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
    if (e == 0 && n != iov.buf_len)
        return E(IO);
    return e;
}

static __wasi_errno_t read_fd(__wasi_fd_t fd, char *buf, size_t cap, size_t *len) {
    *len = 0;
    for (;;) {
        __wasi_iovec_t iov = {(uint8_t *)buf + *len, cap - 1 - *len};
        __wasi_size_t n = 0;
        __wasi_errno_t e = __wasi_fd_read(fd, &iov, 1, &n);
        if (e != 0)
            return e;
        if (n == 0 || *len + n >= cap - 1) {
            *len += n;
            buf[*len] = 0;
            return 0;
        }
        *len += n;
    }
}

static __wasi_errno_t stat_at(__wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path,
                              __wasi_filestat_t *st) {
    memset(st, 0xAA, sizeof *st);
    return __wasi_path_filestat_get(dir, lf, path, st);
}

/* Two checks: the file opens for reading, and its whole content is `want`. */
static void expect_content(int line, __wasi_fd_t dir, const char *path, const char *want) {
    char buf[256];
    size_t len = 0;
    __wasi_fd_t fd;
    __wasi_errno_t e = open_at(dir, 0, path, 0, R_FILE_RO, 0, &fd);
    checks++;
    if (e != 0) {
        check_fail(line, "open %s for reading: errno %u (%s)", path, e, check_errno_name(e));
        checks++;
        return;
    }
    e = read_fd(fd, buf, sizeof buf, &len);
    (void)__wasi_fd_close(fd);
    checks++;
    if (e != 0)
        check_fail(line, "read %s: errno %u (%s)", path, e, check_errno_name(e));
    else if (len != strlen(want) || memcmp(buf, want, len) != 0)
        check_fail(line, "content of %s: got \"%s\", want \"%s\"", path, buf, want);
}
#define EXPECT_CONTENT(dir, path, want) expect_content(__LINE__, (dir), (path), (want))

/* One check: path (no follow) does not exist. */
#define EXPECT_GONE(dir, path)                                            \
    do {                                                                  \
        __wasi_filestat_t st_gone_;                                       \
        EXPECT_ERRNO(stat_at((dir), 0, (path), &st_gone_), E(NOENT));     \
    } while (0)

/* One check: closing succeeds. */
#define CLOSE(fd) EXPECT_OK(__wasi_fd_close(fd))

/* ---- basic: one preopen, fd 3 ---- */

static void t_create_directory(void) {
    __wasi_filestat_t st;
    EXPECT_OK(__wasi_path_create_directory(3, "newdir"));
    if (EXPECT_OK(stat_at(3, 0, "newdir", &st)))
        CHECK_EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);
    EXPECT_OK(__wasi_path_create_directory(3, "newdir/child"));
    if (EXPECT_OK(stat_at(3, 0, "newdir/child", &st)))
        CHECK_EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);
    EXPECT_ERRNO(__wasi_path_create_directory(3, "newdir"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_create_directory(3, "existing.txt"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_create_directory(3, "missing/child"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_create_directory(3, ""), E(NOENT));
    /* A trailing slash on the new name is fine (it names a directory). */
    EXPECT_OK(__wasi_path_create_directory(3, "slashdir/"));
    if (EXPECT_OK(stat_at(3, 0, "slashdir", &st)))
        CHECK_EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);
}

static void t_filestat_get(void) {
    __wasi_filestat_t st, lst, fst;
    if (EXPECT_OK(stat_at(3, 0, "existing.txt", &st))) {
        CHECK_EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
        CHECK_EQ(st.size, 12);
        CHECK_EQ(st.nlink, 1);
    }
    /* Without SYMLINK_FOLLOW: the link itself. */
    if (EXPECT_OK(stat_at(3, 0, "link_file", &lst))) {
        CHECK_EQ(lst.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
        CHECK_EQ(lst.size, strlen("existing.txt"));
    }
    /* With SYMLINK_FOLLOW: the target. */
    if (EXPECT_OK(stat_at(3, FOLLOW, "link_file", &fst))) {
        CHECK_EQ(fst.filetype, __WASI_FILETYPE_REGULAR_FILE);
        CHECK_EQ(fst.size, 12);
        CHECK_EQ(fst.ino, st.ino);
        CHECK(fst.ino != lst.ino);
    }
    if (EXPECT_OK(stat_at(3, 0, "full", &st)))
        CHECK_EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);
    if (EXPECT_OK(stat_at(3, 0, "full/inner.txt", &st)))
        CHECK_EQ(st.size, 5);
    EXPECT_ERRNO(stat_at(3, 0, "nope", &st), E(NOENT));
    EXPECT_ERRNO(stat_at(3, FOLLOW, "nope", &st), E(NOENT));
    /* Trailing slash on a regular file: NOTDIR (NOENT accepted). */
    EXPECT_ERRNO(stat_at(3, 0, "existing.txt/", &st), E(NOTDIR), E(NOENT));
    /* A dangling link: fine without follow, NOENT with it. */
    if (EXPECT_OK(stat_at(3, 0, "long_link", &st)))
        CHECK_EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    EXPECT_ERRNO(stat_at(3, FOLLOW, "long_link", &st), E(NOENT));
}

#define ATIM_VAL 1600000000123456789ull
#define MTIM_VAL 1500000000987654321ull
#define SECOND 1000000000ull

static void t_filestat_set_times(void) {
    __wasi_filestat_t st;
    EXPECT_OK(__wasi_path_filestat_set_times(3, 0, "times.txt", ATIM_VAL, MTIM_VAL,
                                             __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    if (EXPECT_OK(stat_at(3, 0, "times.txt", &st))) {
        CHECK_EQ(st.atim, ATIM_VAL);
        CHECK_EQ(st.mtim, MTIM_VAL);
    }
    /* Both a value and _NOW for the same timestamp: INVAL, nothing changes. */
    EXPECT_ERRNO(__wasi_path_filestat_set_times(3, 0, "times.txt", 1, 1,
                                                __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                 E(INVAL));
    EXPECT_ERRNO(__wasi_path_filestat_set_times(3, 0, "times.txt", 1, 1,
                                                __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
                 E(INVAL));
    if (EXPECT_OK(stat_at(3, 0, "times.txt", &st))) {
        CHECK_EQ(st.atim, ATIM_VAL);
        CHECK_EQ(st.mtim, MTIM_VAL);
    }
    /* MTIM_NOW alone: mtim becomes the current time (filesystem timestamps lag
     * the realtime clock by up to a tick, hence the 1 s window), atim stays. */
    __wasi_timestamp_t before = 0, after = 0;
    EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &before));
    EXPECT_OK(__wasi_path_filestat_set_times(3, 0, "times.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &after));
    if (EXPECT_OK(stat_at(3, 0, "times.txt", &st))) {
        CHECK_EQ(st.atim, ATIM_VAL);
        CHECK(st.mtim + SECOND >= before && st.mtim <= after + SECOND);
    }
    /* Through a symlink with SYMLINK_FOLLOW: the target's times change. */
    EXPECT_OK(__wasi_path_filestat_set_times(3, FOLLOW, "link_file", ATIM_VAL, MTIM_VAL,
                                             __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    if (EXPECT_OK(stat_at(3, 0, "existing.txt", &st)))
        CHECK_EQ(st.mtim, MTIM_VAL);
    EXPECT_ERRNO(__wasi_path_filestat_set_times(3, 0, "nope", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
                 E(NOENT));
}

static void t_link(void) {
    __wasi_filestat_t a, b;
    EXPECT_OK(__wasi_path_link(3, 0, "existing.txt", 3, "hardlink.txt"));
    bool a_ok = EXPECT_OK(stat_at(3, 0, "existing.txt", &a));
    bool b_ok = EXPECT_OK(stat_at(3, 0, "hardlink.txt", &b));
    if (a_ok && b_ok) {
        CHECK_EQ(a.nlink, 2);
        CHECK_EQ(b.nlink, 2);
        CHECK_EQ(a.ino, b.ino);
        CHECK_EQ(b.filetype, __WASI_FILETYPE_REGULAR_FILE);
    }
    EXPECT_CONTENT(3, "hardlink.txt", "hello world\n");
    EXPECT_ERRNO(__wasi_path_link(3, 0, "existing.txt", 3, "hardlink.txt"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_link(3, 0, "trunc.txt", 3, "existing.txt"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_link(3, 0, "nope", 3, "nope_link"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_link(3, 0, "existing.txt", 3, "missing/hl"), E(NOENT));
    EXPECT_GONE(3, "nope_link");
    /* No hard links to directories (Linux: EPERM). */
    EXPECT_ERRNO(__wasi_path_link(3, 0, "full", 3, "full_link"), E(PERM));
    EXPECT_GONE(3, "full_link");
    /* With SYMLINK_FOLLOW on the source: wasmtime refuses with INVAL; a host that
     * follows must link the target (a regular file, the target's inode). */
    __wasi_errno_t e = __wasi_path_link(3, FOLLOW, "link_file", 3, "link_follow");
    if (e == 0) {
        bool ok = stat_at(3, 0, "link_follow", &b) == 0 &&
                  b.filetype == __WASI_FILETYPE_REGULAR_FILE && b.ino == a.ino;
        checks++;
        if (!ok)
            check_fail(__LINE__, "path_link(FOLLOW, link_file) did not link the target");
        EXPECT_OK(__wasi_path_unlink_file(3, "link_follow"));
    } else {
        EXPECT_ERRNO(e, E(INVAL));
        EXPECT_GONE(3, "link_follow");
    }
    /* Without SYMLINK_FOLLOW a symlink is linked itself, not its target. */
    EXPECT_OK(__wasi_path_link(3, 0, "link_file", 3, "link_hard"));
    if (EXPECT_OK(stat_at(3, 0, "link_hard", &b)))
        CHECK_EQ(b.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
}

static void t_open(void) {
    __wasi_fd_t fd, dfd;
    __wasi_fdstat_t fs;
    __wasi_filestat_t st;
    char buf[64];
    size_t len;

    /* CREAT makes a new empty file; write through it. */
    if (EXPECT_OK(open_at(3, 0, "created.txt", O(CREAT), R_FILE, 0, &fd))) {
        EXPECT_OK(write_str(fd, "abc"));
        CLOSE(fd);
    }
    EXPECT_CONTENT(3, "created.txt", "abc");
    /* CREAT on an existing file opens it, unchanged. */
    if (EXPECT_OK(open_at(3, 0, "existing.txt", O(CREAT), R_FILE_RO, 0, &fd)))
        CLOSE(fd);
    EXPECT_CONTENT(3, "existing.txt", "hello world\n");
    /* No CREAT on a missing file. */
    EXPECT_ERRNO(open_at(3, 0, "missing.txt", 0, R_FILE_RO, 0, &fd), E(NOENT));
    EXPECT_ERRNO(open_at(3, 0, "missing/x.txt", O(CREAT), R_FILE, 0, &fd), E(NOENT));
    /* DIRECTORY on a file. */
    EXPECT_ERRNO(open_at(3, 0, "existing.txt", O(DIRECTORY), R_DIR_RO, 0, &fd), E(NOTDIR));
    /* DIRECTORY on a directory. */
    if (EXPECT_OK(open_dir(3, "full", R_DIR_RO, R_FILE_RO, &dfd))) {
        if (EXPECT_OK(__wasi_fd_fdstat_get(dfd, &fs)))
            CHECK_EQ(fs.fs_filetype, __WASI_FILETYPE_DIRECTORY);
        CLOSE(dfd);
    }
    /* CREAT|EXCL: new file ok, existing file EXIST. */
    if (EXPECT_OK(open_at(3, 0, "excl.txt", O(CREAT) | O(EXCL), R_FILE, 0, &fd)))
        CLOSE(fd);
    EXPECT_ERRNO(open_at(3, 0, "existing.txt", O(CREAT) | O(EXCL), R_FILE, 0, &fd), E(EXIST));
    EXPECT_ERRNO(open_at(3, 0, "excl.txt", O(CREAT) | O(EXCL), R_FILE, 0, &fd), E(EXIST));
    EXPECT_ERRNO(open_at(3, 0, "full", O(CREAT) | O(EXCL), R_FILE, 0, &fd), E(EXIST));
    /* DIRECTORY with CREAT or TRUNC is refused (wasmtime: INVAL). */
    EXPECT_ERRNO(__wasi_path_open(3, 0, "dir_creat", O(CREAT) | O(DIRECTORY), R_DIR_RO, 0, 0, &fd),
                 E(INVAL));
    EXPECT_GONE(3, "dir_creat");
    EXPECT_ERRNO(__wasi_path_open(3, 0, "full", O(TRUNC) | O(DIRECTORY), R_DIR_RO, 0, 0, &fd),
                 E(INVAL));
    /* TRUNC empties the file. */
    if (EXPECT_OK(open_at(3, 0, "trunc.txt", O(TRUNC), R_FILE, 0, &fd))) {
        if (EXPECT_OK(__wasi_fd_filestat_get(fd, &st)))
            CHECK_EQ(st.size, 0);
        CLOSE(fd);
    }
    if (EXPECT_OK(stat_at(3, 0, "trunc.txt", &st)))
        CHECK_EQ(st.size, 0);

    /* fdflags: APPEND writes at the end whatever the offset. */
    if (EXPECT_OK(open_at(3, 0, "created.txt", 0, R_FILE, F(APPEND), &fd))) {
        if (EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs)))
            CHECK(fs.fs_flags & F(APPEND));
        __wasi_filesize_t pos = 99;
        EXPECT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
        EXPECT_OK(write_str(fd, "XYZ"));
        CLOSE(fd);
    }
    EXPECT_CONTENT(3, "created.txt", "abcXYZ");
    /* The sync flags: wasmtime (cap-std) refuses them with NOTSUP; a host that
     * honours them succeeds. NONBLOCK is accepted on a regular file. */
    static const __wasi_fdflags_t sync_flags[] = {F(DSYNC), F(SYNC), F(RSYNC)};
    for (size_t i = 0; i < 3; i++) {
        __wasi_errno_t e = open_at(3, 0, "existing.txt", 0, R_FILE, sync_flags[i], &fd);
        if (e == 0) {
            /* Accepted: then the descriptor has the flag (not silently dropped). */
            __wasi_errno_t se = __wasi_fd_fdstat_get(fd, &fs);
            checks++;
            if (se != 0 || !(fs.fs_flags & sync_flags[i]))
                check_fail(__LINE__, "path_open fdflags 0x%x succeeded but fd_fdstat_get: errno %u, "
                           "fs_flags 0x%x", sync_flags[i], se, se ? 0u : fs.fs_flags);
            (void)__wasi_fd_close(fd);
        } else {
            checks++;
            if (e != E(NOTSUP))
                check_fail(__LINE__, "path_open fdflags 0x%x: errno %u (%s), want SUCCESS|NOTSUP",
                           sync_flags[i], e, check_errno_name(e));
        }
    }
    if (EXPECT_OK(open_at(3, 0, "existing.txt", 0, R_FILE_RO, F(NONBLOCK), &fd))) {
        if (EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs)))
            CHECK(fs.fs_flags & F(NONBLOCK));
        if (EXPECT_OK(read_fd(fd, buf, sizeof buf, &len)))
            CHECK_EQ(len, 12);
        CLOSE(fd);
    }

    /* Rights: a file opened with read rights only cannot be written. */
    if (EXPECT_OK(open_at(3, 0, "existing.txt", 0, R(FD_READ), 0, &fd))) {
        if (EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs))) {
            CHECK(fs.fs_rights_base & R(FD_READ));
            CHECK(!(fs.fs_rights_base & R(FD_WRITE)));
        }
        EXPECT_ERRNO(write_str(fd, "XX"), E(NOTCAPABLE), E(BADF));
        if (EXPECT_OK(read_fd(fd, buf, sizeof buf, &len)))
            CHECK(len == 12 && memcmp(buf, "hello world\n", 12) == 0);
        CLOSE(fd);
    }
    /* Rights: the directory's rights_inheriting bounds a file opened through it.
     * Asking for FD_WRITE through a directory that cannot hand it out either
     * fails with NOTCAPABLE or gives a descriptor without FD_WRITE. */
    if (EXPECT_OK(open_dir(3, ".", R_DIR, R_FILE_RO, &dfd))) {
        if (EXPECT_OK(__wasi_fd_fdstat_get(dfd, &fs)))
            CHECK(!(fs.fs_rights_inheriting & R(FD_WRITE)));
        __wasi_errno_t e = open_at(dfd, 0, "existing.txt", 0, R(FD_READ) | R(FD_WRITE), 0, &fd);
        if (e == 0) {
            __wasi_errno_t se = __wasi_fd_fdstat_get(fd, &fs);
            __wasi_errno_t we = write_str(fd, "XX");
            checks++;
            if (se != 0 || (fs.fs_rights_base & R(FD_WRITE)) ||
                (we != E(NOTCAPABLE) && we != E(BADF)))
                check_fail(__LINE__,
                           "open with FD_WRITE through a dir without it in rights_inheriting: "
                           "fdstat errno %u, base rights 0x%llx, fd_write errno %u (%s); want "
                           "NOTCAPABLE at open or no FD_WRITE and write NOTCAPABLE|BADF",
                           se, (unsigned long long)fs.fs_rights_base, we, check_errno_name(we));
            (void)__wasi_fd_close(fd);
        } else {
            EXPECT_ERRNO(e, E(NOTCAPABLE));
        }
        /* Read-only rights are within the bound. */
        if (EXPECT_OK(open_at(dfd, 0, "existing.txt", 0, R(FD_READ), 0, &fd))) {
            if (EXPECT_OK(read_fd(fd, buf, sizeof buf, &len)))
                CHECK_EQ(len, 12);
            CLOSE(fd);
        }
        CLOSE(dfd);
    }
    EXPECT_CONTENT(3, "existing.txt", "hello world\n");

    /* Lookup flags on a final symlink: without SYMLINK_FOLLOW the link itself
     * cannot be opened (O_NOFOLLOW: LOOP); with it, the target opens. */
    EXPECT_ERRNO(open_at(3, 0, "link_file", 0, R_FILE_RO, 0, &fd), E(LOOP));
    if (EXPECT_OK(open_at(3, FOLLOW, "link_file", 0, R_FILE_RO, 0, &fd))) {
        if (EXPECT_OK(read_fd(fd, buf, sizeof buf, &len)))
            CHECK(len == 12 && memcmp(buf, "hello world\n", 12) == 0);
        CLOSE(fd);
    }
    /* A dangling final symlink with FOLLOW: NOENT. */
    EXPECT_ERRNO(open_at(3, FOLLOW, "long_link", 0, R_FILE_RO, 0, &fd), E(NOENT));

    /* "." DIRECTORY of the preopen: a new directory fd, usable as a base. */
    if (EXPECT_OK(open_dir(3, ".", R_DIR, R_DIR | R_FILE, &dfd))) {
        __wasi_prestat_t pre;
        CHECK(dfd != 3);
        if (EXPECT_OK(__wasi_fd_fdstat_get(dfd, &fs)))
            CHECK_EQ(fs.fs_filetype, __WASI_FILETYPE_DIRECTORY);
        /* Not a preopen itself. */
        EXPECT_ERRNO(__wasi_fd_prestat_get(dfd, &pre), E(BADF));
        if (EXPECT_OK(stat_at(dfd, 0, "existing.txt", &st)))
            CHECK_EQ(st.size, 12);
        EXPECT_CONTENT(dfd, "full/inner.txt", "inner");
        CLOSE(dfd);
    }
    /* A directory cannot be opened for writing. */
    EXPECT_ERRNO(__wasi_path_open(3, 0, ".", O(DIRECTORY), R_DIR | R(FD_WRITE), 0, 0, &fd), E(ISDIR));
    EXPECT_ERRNO(__wasi_path_open(3, 0, "full", 0, R(FD_READ) | R(FD_WRITE), 0, 0, &fd), E(ISDIR));
    /* Trailing slash on a regular file: NOTDIR (NOENT accepted). */
    EXPECT_ERRNO(open_at(3, 0, "existing.txt/", 0, R_FILE_RO, 0, &fd), E(NOTDIR), E(NOENT));
    /* Trailing slash on a directory is fine. */
    if (EXPECT_OK(open_dir(3, "full/", R_DIR_RO, 0, &dfd)))
        CLOSE(dfd);
    /* Empty path. */
    EXPECT_ERRNO(open_at(3, 0, "", 0, R_FILE_RO, 0, &fd), E(NOENT));
    /* Not a directory fd as base: a regular file (NOTCAPABLE accepted). */
    if (EXPECT_OK(open_at(3, 0, "existing.txt", 0, R_FILE_RO, 0, &fd))) {
        __wasi_fd_t fd2;
        EXPECT_ERRNO(open_at(fd, 0, "x", 0, R_FILE_RO, 0, &fd2), E(NOTDIR), E(NOTCAPABLE));
        CLOSE(fd);
    }
}

static void t_readlink(void) {
    char buf[80];
    __wasi_size_t used;
    /* The full target; nothing written past it (no NUL terminator). */
    memset(buf, 'X', sizeof buf);
    used = 999;
    if (EXPECT_OK(__wasi_path_readlink(3, "link_file", (uint8_t *)buf, sizeof buf, &used))) {
        CHECK_EQ(used, 12);
        CHECK(memcmp(buf, "existing.txt", 12) == 0);
        CHECK(buf[12] == 'X');
    }
    memset(buf, 'X', sizeof buf);
    used = 999;
    if (EXPECT_OK(__wasi_path_readlink(3, "long_link", (uint8_t *)buf, sizeof buf, &used))) {
        CHECK_EQ(used, strlen(LONG_TARGET));
        CHECK(memcmp(buf, LONG_TARGET, strlen(LONG_TARGET)) == 0);
    }
    /* A buffer shorter than the target: truncated to buf_len, bufused == buf_len
     * (wasmtime truncates like POSIX readlink). */
    memset(buf, 'X', sizeof buf);
    used = 999;
    if (EXPECT_OK(__wasi_path_readlink(3, "long_link", (uint8_t *)buf, 5, &used))) {
        CHECK_EQ(used, 5);
        CHECK(memcmp(buf, LONG_TARGET, 5) == 0);
        CHECK(buf[5] == 'X');
    }
    memset(buf, 'X', sizeof buf);
    used = 999;
    if (EXPECT_OK(__wasi_path_readlink(3, "link_file", (uint8_t *)buf, 0, &used))) {
        CHECK_EQ(used, 0);
        CHECK(buf[0] == 'X');
    }
    /* Not a symlink. */
    EXPECT_ERRNO(__wasi_path_readlink(3, "existing.txt", (uint8_t *)buf, sizeof buf, &used), E(INVAL));
    EXPECT_ERRNO(__wasi_path_readlink(3, "full", (uint8_t *)buf, sizeof buf, &used), E(INVAL));
    EXPECT_ERRNO(__wasi_path_readlink(3, "nope", (uint8_t *)buf, sizeof buf, &used), E(NOENT));
}

static void t_remove_directory(void) {
    EXPECT_OK(__wasi_path_remove_directory(3, "empty"));
    EXPECT_GONE(3, "empty");
    EXPECT_ERRNO(__wasi_path_remove_directory(3, "empty"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_remove_directory(3, "full"), E(NOTEMPTY));
    EXPECT_ERRNO(__wasi_path_remove_directory(3, "existing.txt"), E(NOTDIR));
    EXPECT_ERRNO(__wasi_path_remove_directory(3, "link_file"), E(NOTDIR));
    EXPECT_CONTENT(3, "full/inner.txt", "inner");
}

static void t_rename(void) {
    __wasi_filestat_t st;
    /* A file. */
    EXPECT_OK(__wasi_path_rename(3, "ren_src.txt", 3, "ren_dst.txt"));
    EXPECT_GONE(3, "ren_src.txt");
    EXPECT_CONTENT(3, "ren_dst.txt", "rename me");
    /* A directory, with its content. */
    EXPECT_OK(__wasi_path_rename(3, "ren_dir", 3, "ren_dir2"));
    EXPECT_GONE(3, "ren_dir");
    EXPECT_CONTENT(3, "ren_dir2/f", "f");
    /* Across two directories. */
    EXPECT_OK(__wasi_path_rename(3, "ren_dst.txt", 3, "sub/moved.txt"));
    EXPECT_GONE(3, "ren_dst.txt");
    EXPECT_CONTENT(3, "sub/moved.txt", "rename me");
    /* Over an existing file: replaces it. */
    EXPECT_OK(__wasi_path_rename(3, "over_src.txt", 3, "over_dst.txt"));
    EXPECT_GONE(3, "over_src.txt");
    EXPECT_CONTENT(3, "over_dst.txt", "new");
    if (EXPECT_OK(stat_at(3, 0, "over_dst.txt", &st)))
        CHECK_EQ(st.nlink, 1);
    /* Errors. */
    EXPECT_ERRNO(__wasi_path_rename(3, "nope", 3, "nope2"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_rename(3, "over_dst.txt", 3, "missing/x"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_rename(3, "ren_dir2", 3, "over_dst.txt"), E(NOTDIR));
    EXPECT_ERRNO(__wasi_path_rename(3, "sub/moved.txt", 3, "full"), E(ISDIR));
    EXPECT_ERRNO(__wasi_path_rename(3, "ren_dir2", 3, "full"), E(NOTEMPTY), E(EXIST));
    /* A directory into itself. */
    EXPECT_ERRNO(__wasi_path_rename(3, "ren_dir2", 3, "ren_dir2/inside"), E(INVAL));
    /* A file onto itself: nothing happens. */
    EXPECT_OK(__wasi_path_rename(3, "over_dst.txt", 3, "over_dst.txt"));
    /* The failed renames changed nothing. */
    EXPECT_CONTENT(3, "over_dst.txt", "new");
    EXPECT_CONTENT(3, "sub/moved.txt", "rename me");
    EXPECT_CONTENT(3, "ren_dir2/f", "f");
    EXPECT_CONTENT(3, "full/inner.txt", "inner");
}

static void t_symlink(void) {
    char buf[64];
    __wasi_size_t used = 0;
    __wasi_filestat_t st;
    EXPECT_OK(__wasi_path_symlink("existing.txt", 3, "sym_new"));
    if (EXPECT_OK(__wasi_path_readlink(3, "sym_new", (uint8_t *)buf, sizeof buf, &used)))
        CHECK(used == 12 && memcmp(buf, "existing.txt", 12) == 0);
    if (EXPECT_OK(stat_at(3, 0, "sym_new", &st)))
        CHECK_EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    if (EXPECT_OK(stat_at(3, FOLLOW, "sym_new", &st)))
        CHECK_EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
    /* A dangling relative link can be created. */
    EXPECT_OK(__wasi_path_symlink("does_not_exist", 3, "sym_dangling"));
    if (EXPECT_OK(__wasi_path_readlink(3, "sym_dangling", (uint8_t *)buf, sizeof buf, &used)))
        CHECK(used == 14 && memcmp(buf, "does_not_exist", 14) == 0);
    /* In a subdirectory. */
    EXPECT_OK(__wasi_path_symlink("inner.txt", 3, "full/inner_link"));
    if (EXPECT_OK(stat_at(3, FOLLOW, "full/inner_link", &st)))
        CHECK_EQ(st.size, 5);
    /* Errors. */
    EXPECT_ERRNO(__wasi_path_symlink("whatever", 3, "existing.txt"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_symlink("whatever", 3, "sym_new"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_symlink("whatever", 3, "full"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_symlink("whatever", 3, "missing/l"), E(NOENT));
    EXPECT_CONTENT(3, "existing.txt", "hello world\n");
}

static void t_unlink_file(void) {
    EXPECT_OK(__wasi_path_unlink_file(3, "unlink_me.txt"));
    EXPECT_GONE(3, "unlink_me.txt");
    EXPECT_ERRNO(__wasi_path_unlink_file(3, "unlink_me.txt"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_unlink_file(3, "nope"), E(NOENT));
    /* A directory: ISDIR (wasmtime maps Linux's EISDIR and EPERM to ISDIR). */
    EXPECT_ERRNO(__wasi_path_unlink_file(3, "full"), E(ISDIR));
    EXPECT_ERRNO(__wasi_path_unlink_file(3, "full/"), E(ISDIR));
    /* Trailing slash on a regular file. */
    EXPECT_ERRNO(__wasi_path_unlink_file(3, "existing.txt/"), E(NOTDIR));
    EXPECT_CONTENT(3, "existing.txt", "hello world\n");
    /* A symlink: the link goes, the target stays. */
    EXPECT_OK(__wasi_path_unlink_file(3, "sym_new"));
    EXPECT_GONE(3, "sym_new");
    EXPECT_CONTENT(3, "existing.txt", "hello world\n");
    /* One of two hard links: the other keeps the data, nlink drops to 1. */
    __wasi_filestat_t st;
    EXPECT_OK(__wasi_path_link(3, 0, "created.txt", 3, "created_link.txt"));
    EXPECT_OK(__wasi_path_unlink_file(3, "created.txt"));
    if (EXPECT_OK(stat_at(3, 0, "created_link.txt", &st)))
        CHECK_EQ(st.nlink, 1);
    EXPECT_OK(__wasi_path_rename(3, "created_link.txt", 3, "created.txt"));
    EXPECT_CONTENT(3, "created.txt", "abcXYZ");
}

static void run_basic(void) {
    t_create_directory();
    t_filestat_get();
    t_filestat_set_times();
    t_link();
    t_open();
    t_readlink();
    t_remove_directory();
    t_rename();
    t_symlink();
    t_unlink_file();
}

/* ---- cross: /a at fd 3, /b at fd 4 ---- */

static void expect_prestat_name(int line, __wasi_fd_t fd, const char *want) {
    __wasi_prestat_t pre;
    char name[64] = "";
    __wasi_errno_t e = __wasi_fd_prestat_get(fd, &pre);
    checks++;
    if (e != 0 || pre.tag != __WASI_PREOPENTYPE_DIR ||
        pre.u.dir.pr_name_len != strlen(want)) {
        check_fail(line, "fd_prestat_get(%u): errno %u, name length %u, want %s", fd, e,
                   e ? 0u : (unsigned)pre.u.dir.pr_name_len, want);
        return;
    }
    e = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, pre.u.dir.pr_name_len);
    checks++;
    if (e != 0 || memcmp(name, want, strlen(want)) != 0)
        check_fail(line, "fd_prestat_dir_name(%u): errno %u, \"%s\", want %s", fd, e, name, want);
}

static void run_cross(void) {
    __wasi_filestat_t a, b;
    __wasi_fd_t fd;
    expect_prestat_name(__LINE__, 3, "/a");
    expect_prestat_name(__LINE__, 4, "/b");

    /* Rename a file from /a to /b. */
    EXPECT_OK(__wasi_path_rename(3, "move.txt", 4, "moved.txt"));
    EXPECT_GONE(3, "move.txt");
    EXPECT_CONTENT(4, "moved.txt", "move");
    /* And a directory. */
    EXPECT_OK(__wasi_path_rename(3, "dir", 4, "dir"));
    EXPECT_GONE(3, "dir");
    EXPECT_CONTENT(4, "dir/x", "x");
    /* Back again under another name. */
    EXPECT_OK(__wasi_path_rename(4, "moved.txt", 3, "back.txt"));
    EXPECT_CONTENT(3, "back.txt", "move");
    EXPECT_GONE(4, "moved.txt");

    /* A hard link from /a into /b: one inode, two names. */
    EXPECT_OK(__wasi_path_link(3, 0, "linkme.txt", 4, "linked.txt"));
    bool a_ok = EXPECT_OK(stat_at(3, 0, "linkme.txt", &a));
    bool b_ok = EXPECT_OK(stat_at(4, 0, "linked.txt", &b));
    if (a_ok && b_ok) {
        CHECK_EQ(a.nlink, 2);
        CHECK_EQ(b.nlink, 2);
        CHECK_EQ(a.ino, b.ino);
    }
    /* A write through the /b name shows through the /a name. */
    if (EXPECT_OK(open_at(4, 0, "linked.txt", O(TRUNC), R_FILE, 0, &fd))) {
        EXPECT_OK(write_str(fd, "changed via b"));
        CLOSE(fd);
    }
    EXPECT_CONTENT(3, "linkme.txt", "changed via b");

    /* Errors across preopens. */
    EXPECT_ERRNO(__wasi_path_rename(4, "nope", 3, "x"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_rename(3, "back.txt", 4, "missing/x"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_link(3, 0, "nope", 4, "x"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_link(3, 0, "linkme.txt", 4, "linked.txt"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_rename(4, "dir", 3, "back.txt"), E(NOTDIR));
    /* Going through ".." of one preopen to reach the other is an escape. */
    EXPECT_ERRNO(__wasi_path_rename(3, "back.txt", 3, "../b/escaped.txt"), E(PERM), E(NOTCAPABLE));
    EXPECT_ERRNO(__wasi_path_link(3, 0, "back.txt", 4, "../a/escaped.txt"), E(PERM), E(NOTCAPABLE));
    EXPECT_CONTENT(3, "back.txt", "move");
    EXPECT_GONE(4, "x");
}

/* ---- readonly: /ro at fd 3 (read-only), /rw at fd 4 ---- */

#define DENIED E(NOTCAPABLE), E(PERM), E(ROFS)

static void run_readonly(void) {
    __wasi_fd_t fd, dfd;
    __wasi_filestat_t st;
    char buf[64];
    size_t len;
    __wasi_size_t used = 0;
    expect_prestat_name(__LINE__, 3, "/ro");
    expect_prestat_name(__LINE__, 4, "/rw");

    /* Reading works. */
    EXPECT_CONTENT(3, "file.txt", "read only");
    EXPECT_CONTENT(3, "dir/inner", "i");
    if (EXPECT_OK(stat_at(3, 0, "file.txt", &st)))
        CHECK_EQ(st.size, 9);
    if (EXPECT_OK(stat_at(3, 0, "link", &st)))
        CHECK_EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    if (EXPECT_OK(__wasi_path_readlink(3, "link", (uint8_t *)buf, sizeof buf, &used)))
        CHECK(used == 8 && memcmp(buf, "file.txt", 8) == 0);
    if (EXPECT_OK(open_at(3, FOLLOW, "link", 0, R_FILE_RO, 0, &fd))) {
        if (EXPECT_OK(read_fd(fd, buf, sizeof buf, &len)))
            CHECK(len == 9 && memcmp(buf, "read only", 9) == 0);
        CLOSE(fd);
    }

    /* Every mutating path_* call fails. */
    EXPECT_ERRNO(__wasi_path_create_directory(3, "newdir"), DENIED);
    EXPECT_ERRNO(__wasi_path_filestat_set_times(3, 0, "file.txt", ATIM_VAL, MTIM_VAL,
                                                __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
                 DENIED);
    EXPECT_ERRNO(__wasi_path_filestat_set_times(3, 0, "file.txt", 0, 0,
                                                __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW),
                 DENIED);
    EXPECT_ERRNO(__wasi_path_link(3, 0, "file.txt", 3, "hardlink"), DENIED);
    EXPECT_ERRNO(__wasi_path_remove_directory(3, "emptydir"), DENIED);
    EXPECT_ERRNO(__wasi_path_rename(3, "file.txt", 3, "renamed.txt"), DENIED);
    EXPECT_ERRNO(__wasi_path_rename(3, "emptydir", 3, "renamed_dir"), DENIED);
    EXPECT_ERRNO(__wasi_path_symlink("file.txt", 3, "newlink"), DENIED);
    EXPECT_ERRNO(__wasi_path_unlink_file(3, "file.txt"), DENIED);
    EXPECT_ERRNO(__wasi_path_unlink_file(3, "link"), DENIED);
    /* path_open that would create, truncate or write. */
    EXPECT_ERRNO(open_at(3, 0, "new.txt", O(CREAT), R_FILE_RO, 0, &fd), DENIED);
    EXPECT_ERRNO(open_at(3, 0, "new.txt", O(CREAT) | O(EXCL), R_FILE, 0, &fd), DENIED);
    EXPECT_ERRNO(open_at(3, 0, "file.txt", O(TRUNC), R_FILE_RO, 0, &fd), DENIED);
    EXPECT_ERRNO(open_at(3, 0, "file.txt", O(TRUNC), R_FILE, 0, &fd), DENIED);
    EXPECT_ERRNO(open_at(3, 0, "file.txt", 0, R(FD_WRITE), 0, &fd), DENIED);
    EXPECT_ERRNO(open_at(3, 0, "file.txt", 0, R_FILE, F(APPEND), &fd), DENIED);
    EXPECT_ERRNO(open_at(3, FOLLOW, "link", 0, R_FILE, 0, &fd), DENIED);
    /* Hard link or rename between the read-only and the writable preopen, either
     * way (GHSA-4ch3-9j33-3pmj: a read-only file made writable that way). */
    if (EXPECT_OK(open_at(4, 0, "rwfile", O(CREAT), R_FILE, 0, &fd))) {
        EXPECT_OK(write_str(fd, "rw"));
        CLOSE(fd);
    }
    EXPECT_ERRNO(__wasi_path_link(3, 0, "file.txt", 4, "stolen_link"), DENIED);
    EXPECT_ERRNO(__wasi_path_rename(3, "file.txt", 4, "stolen"), DENIED);
    EXPECT_ERRNO(__wasi_path_link(4, 0, "rwfile", 3, "planted_link"), DENIED);
    EXPECT_ERRNO(__wasi_path_rename(4, "rwfile", 3, "planted"), DENIED);
    EXPECT_GONE(4, "stolen_link");
    EXPECT_GONE(4, "stolen");
    EXPECT_CONTENT(4, "rwfile", "rw");

    /* A directory opened beneath the read-only preopen stays read-only. */
    if (EXPECT_OK(open_dir(3, "dir", R_DIR_RO, R_FILE_RO, &dfd))) {
        EXPECT_CONTENT(dfd, "inner", "i");
        EXPECT_ERRNO(__wasi_path_create_directory(dfd, "x"), DENIED);
        EXPECT_ERRNO(__wasi_path_unlink_file(dfd, "inner"), DENIED);
        EXPECT_ERRNO(open_at(dfd, 0, "new", O(CREAT), R_FILE_RO, 0, &fd), DENIED);
        EXPECT_ERRNO(open_at(dfd, 0, "inner", O(TRUNC), R_FILE_RO, 0, &fd), DENIED);
        CLOSE(dfd);
    }
    if (EXPECT_OK(open_dir(3, ".", R_DIR_RO, R_FILE_RO, &dfd))) {
        EXPECT_ERRNO(__wasi_path_symlink("file.txt", dfd, "newlink"), DENIED);
        EXPECT_ERRNO(__wasi_path_rename(dfd, "file.txt", dfd, "renamed.txt"), DENIED);
        CLOSE(dfd);
    }

    /* Still all there. */
    EXPECT_CONTENT(3, "file.txt", "read only");
    EXPECT_GONE(3, "newdir");
    EXPECT_GONE(3, "new.txt");
    EXPECT_GONE(3, "planted");
    EXPECT_GONE(3, "planted_link");
    if (EXPECT_OK(stat_at(3, 0, "emptydir", &st)))
        CHECK_EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);
}

int main(int argc, char **argv) {
    if (argc > 1)
        mode = argv[1];
    check_name_set("fs_path %s", mode);
    if (strcmp(mode, "basic") == 0)
        run_basic();
    else if (strcmp(mode, "cross") == 0)
        run_cross();
    else if (strcmp(mode, "readonly") == 0)
        run_readonly();
    else {
        fprintf(stderr, "fs_path: unknown mode %s\n", mode);
        return 2;
    }
    return check_summary("fs_path %s: ok %d checks\n", mode, checks);
}
