/*
 * compat SECTION: what real toolchains send, answered as wasmtime answers (issue 10). Each section
 * checks inside the guest with check.h and prints "ok <n> checks" (plus any values named below).
 *
 *   rights    fd 3: a read-only preopen holding data.txt ("hello\n");
 *             fd 4: a writable preopen holding frozen.txt ("frozen\n", which the host itself
 *             cannot open for writing: immutable or mode 0444) and dir/ with inner.txt ("inner\n").
 *             Go's read-only open (rights = Go's fileRights &^ writeRights, see below) opens and
 *             reads on both; OFLAGS_DIRECTORY with FD_FILESTAT_SET_SIZE / FD_ALLOCATE opens the
 *             directory (without those rights); only FD_WRITE, CREAT and TRUNC are refused on the
 *             read-only preopen (NOTCAPABLE); SEEK/TELL are not granted beyond the inheriting
 *             rights of the directory opened through (NOTCAPABLE).
 *   slash     fd 3 holds dir/, link -> dir, dl -> newdir (dangling), file ("file\n"):
 *             rmdir("link/") NOTDIR, rename("link/", "x") NOTDIR, mkdir("dl/") EXIST,
 *             link("file", "link/") NOENT, mkdir("file/") EXIST, open("file/", CREAT) ISDIR;
 *             the host then checks nothing changed.
 *   readlink  fd 3 holds abs -> /etc/passwd (placed by the host) and rel -> file: readlink("abs")
 *             is PERM and writes nothing into the buffer; readlink("rel") gives "file".
 *   oldtime   fd 3 holds old.txt with atime and mtime in 1960: path_filestat_get and
 *             fd_filestat_get succeed with both times saturated to 0.
 *   det       (deterministic clocks) poll_oneoff with a relative timeout of 2^64-1, then every
 *             clock: no failure; prints "monotonic <ns>".
 *   nonblock  stdin is an empty pipe the run does not own: fd_fdstat_set_flags(0, NONBLOCK)
 *             succeeds, fdstat shows it, and fd_read is AGAIN at once (it does not block).
 *   accept    fd 3 is a listening socket with one client waiting (it sent "ping"), and the
 *             descriptor table is full (max_fds 4): sock_accept is MFILE; after fd_close(0) it
 *             accepts that same client and receives "ping".
 */
#define CHECK_NAME "compat"
#include "check.h"

#define E(x) __WASI_ERRNO_##x
#define R(x) __WASI_RIGHTS_##x
#define O(x) __WASI_OFLAGS_##x

/* Go's rights, from syscall/fs_wasip1.go (Go 1.21 and later). */
#define GO_FILE_RIGHTS                                                                             \
    (R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) | R(FD_TELL) | \
     R(FD_WRITE) | R(FD_ADVISE) | R(FD_ALLOCATE) | R(PATH_CREATE_DIRECTORY) |                     \
     R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) | R(PATH_OPEN) |             \
     R(FD_READDIR) | R(PATH_READLINK) | R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) |           \
     R(PATH_FILESTAT_GET) | R(PATH_FILESTAT_SET_SIZE) | R(PATH_FILESTAT_SET_TIMES) |              \
     R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES) | R(PATH_SYMLINK) |  \
     R(PATH_REMOVE_DIRECTORY) | R(PATH_UNLINK_FILE) | R(POLL_FD_READWRITE))
/* Go's writeRights: PATH_FILESTAT_SET_SIZE, not FD_FILESTAT_SET_SIZE. */
#define GO_WRITE_RIGHTS (R(FD_DATASYNC) | R(FD_WRITE) | R(FD_ALLOCATE) | R(PATH_FILESTAT_SET_SIZE))
#define GO_DIR_RIGHTS                                                                              \
    (R(FD_SEEK) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) | R(PATH_CREATE_DIRECTORY) |                 \
     R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) | R(PATH_OPEN) |             \
     R(FD_READDIR) | R(PATH_READLINK) | R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) |           \
     R(PATH_FILESTAT_GET) | R(PATH_FILESTAT_SET_SIZE) | R(PATH_FILESTAT_SET_TIMES) |              \
     R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_TIMES) | R(PATH_SYMLINK) | R(PATH_REMOVE_DIRECTORY) |  \
     R(PATH_UNLINK_FILE))
/* syscall.Open(path, O_RDONLY): rights fileRights &^ writeRights, inheriting fileRights. */
#define GO_RDONLY (GO_FILE_RIGHTS & ~GO_WRITE_RIGHTS)

static __wasi_fd_t open_ok(int line, __wasi_fd_t dir, __wasi_lookupflags_t lf, const char *path,
                           __wasi_oflags_t of, __wasi_rights_t base, __wasi_rights_t inheriting) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    check_errno(line, path, __wasi_path_open(dir, lf, path, of, base, inheriting, 0, &fd),
                ERRNOS(E(SUCCESS)));
    return fd;
}
#define OPEN_OK(...) open_ok(__LINE__, __VA_ARGS__)

static __wasi_fdstat_t fdstat(__wasi_fd_t fd) {
    __wasi_fdstat_t st;
    memset(&st, 0, sizeof st);
    EXPECT_OK(__wasi_fd_fdstat_get(fd, &st));
    return st;
}

/* Read up to 63 bytes from fd into a NUL-terminated static buffer (empty on error). */
static const char *read_all(__wasi_fd_t fd) {
    static char buf[64];
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    if (!EXPECT_OK(__wasi_fd_read(fd, &iov, 1, &n)))
        n = 0;
    buf[n] = 0;
    return buf;
}

static int rights(void) {
    __wasi_fd_t fd;
    __wasi_fdstat_t st;
    const __wasi_rights_t writes = R(FD_WRITE) | R(FD_ALLOCATE) | R(FD_FILESTAT_SET_SIZE);

    /* Go's read-only open on a read-only preopen: opened for reading, without the write rights. */
    fd = OPEN_OK(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "data.txt", 0, GO_RDONLY, GO_FILE_RIGHTS);
    CHECKF(!strcmp(read_all(fd), "hello\n"), "read data.txt through Go's read-only open");
    st = fdstat(fd);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ(st.fs_rights_base & writes, 0);
    CHECK(st.fs_rights_base & R(FD_READ));
    CHECK(st.fs_rights_base & R(FD_SEEK));
    const __wasi_ciovec_t one = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    EXPECT_ERRNO(__wasi_fd_write(fd, &one, 1, &n), E(NOTCAPABLE));
    EXPECT_ERRNO(__wasi_fd_filestat_set_size(fd, 0), E(NOTCAPABLE));
    EXPECT_OK(__wasi_fd_close(fd));

    /* ... and on a file the host cannot write (wasmtime reads it; a read-write host open is PERM). */
    fd = OPEN_OK(4, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "frozen.txt", 0, GO_RDONLY, GO_FILE_RIGHTS);
    CHECKF(!strcmp(read_all(fd), "frozen\n"), "read frozen.txt through Go's read-only open");
    EXPECT_OK(__wasi_fd_close(fd));

    /* Go's os.Open of a directory: O_RDONLY | O_DIRECTORY, the rights masked with dirRights. */
    fd = OPEN_OK(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, ".", O(DIRECTORY), GO_RDONLY & GO_DIR_RIGHTS,
                 GO_FILE_RIGHTS);
    CHECK_EQ(fdstat(fd).fs_filetype, __WASI_FILETYPE_DIRECTORY);
    EXPECT_OK(__wasi_fd_close(fd));

    /* OFLAGS_DIRECTORY with FD_FILESTAT_SET_SIZE and FD_ALLOCATE: the directory opens (those rights
     * do not apply to it and are not granted), on both preopens. */
    const __wasi_rights_t odd = R(FD_READDIR) | R(FD_FILESTAT_SET_SIZE) | R(FD_ALLOCATE) | R(PATH_OPEN);
    fd = OPEN_OK(4, 0, "dir", O(DIRECTORY), odd, 0);
    st = fdstat(fd);
    CHECK_EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    CHECK_EQ(st.fs_rights_base & (R(FD_FILESTAT_SET_SIZE) | R(FD_ALLOCATE)), 0);
    CHECK(st.fs_rights_base & R(FD_READDIR));
    EXPECT_OK(__wasi_fd_close(fd));
    fd = OPEN_OK(3, 0, ".", O(DIRECTORY), odd, 0);
    EXPECT_OK(__wasi_fd_close(fd));
    /* FD_WRITE on a directory stays ISDIR (security notes). */
    EXPECT_ERRNO(__wasi_path_open(4, 0, "dir", O(DIRECTORY), R(FD_READDIR) | R(FD_WRITE), 0, 0, &fd),
                 E(ISDIR));

    /* What really writes is still refused on the read-only preopen. */
    EXPECT_ERRNO(__wasi_path_open(3, 0, "data.txt", 0, R(FD_READ) | R(FD_WRITE), 0, 0, &fd),
                 E(NOTCAPABLE));
    EXPECT_ERRNO(__wasi_path_open(3, 0, "new.txt", O(CREAT), R(FD_READ), 0, 0, &fd), E(NOTCAPABLE));
    EXPECT_ERRNO(__wasi_path_open(3, 0, "data.txt", O(TRUNC), R(FD_READ), 0, 0, &fd), E(NOTCAPABLE));

    /* SEEK and TELL only when the directory opened through passes them on. */
    __wasi_fd_t dir = OPEN_OK(4, 0, "dir", O(DIRECTORY), R(PATH_OPEN) | R(FD_READDIR),
                              R(FD_READ) | R(FD_FILESTAT_GET));
    fd = OPEN_OK(dir, 0, "inner.txt", 0, R(FD_READ) | R(FD_SEEK) | R(FD_TELL), 0);
    CHECK_EQ(fdstat(fd).fs_rights_base & (R(FD_SEEK) | R(FD_TELL)), 0);
    __wasi_filesize_t pos;
    EXPECT_ERRNO(__wasi_fd_tell(fd, &pos), E(NOTCAPABLE));
    EXPECT_ERRNO(__wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &pos), E(NOTCAPABLE));
    CHECKF(!strcmp(read_all(fd), "inner\n"), "read inner.txt");
    EXPECT_OK(__wasi_fd_close(fd));
    EXPECT_OK(__wasi_fd_close(dir));
    return check_summary("ok %d checks\n", checks);
}

static int slash(void) {
    __wasi_fd_t fd;
    EXPECT_ERRNO(__wasi_path_remove_directory(3, "link/"), E(NOTDIR));
    EXPECT_ERRNO(__wasi_path_rename(3, "link/", 3, "x"), E(NOTDIR));
    EXPECT_ERRNO(__wasi_path_create_directory(3, "dl/"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_link(3, 0, "file", 3, "link/"), E(NOENT));
    EXPECT_ERRNO(__wasi_path_create_directory(3, "file/"), E(EXIST));
    EXPECT_ERRNO(__wasi_path_open(3, 0, "file/", O(CREAT), R(FD_READ) | R(FD_WRITE), 0, 0, &fd), E(ISDIR));
    /* The entries themselves, without the slash, behave as before. */
    __wasi_filestat_t st;
    EXPECT_OK(__wasi_path_filestat_get(3, 0, "link/", &st)); /* stat follows, as lstat("link/") */
    CHECK_EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);
    return check_summary("ok %d checks\n", checks);
}

static int readlink_abs(void) {
    uint8_t buf[64];
    __wasi_size_t n = 99;
    memset(buf, 'Z', sizeof buf);
    EXPECT_ERRNO(__wasi_path_readlink(3, "abs", buf, sizeof buf, &n), E(PERM));
    int untouched = 1;
    for (size_t i = 0; i < sizeof buf; i++)
        untouched &= buf[i] == 'Z';
    CHECKF(untouched, "the refused readlink wrote into the buffer");
    EXPECT_OK(__wasi_path_readlink(3, "rel", buf, sizeof buf, &n));
    CHECK(n == 4 && !memcmp(buf, "file", 4));
    return check_summary("ok %d checks\n", checks);
}

static int oldtime(void) {
    __wasi_filestat_t st;
    __wasi_fd_t fd;
    if (EXPECT_OK(__wasi_path_filestat_get(3, 0, "old.txt", &st))) {
        CHECK_EQ(st.atim, 0);
        CHECK_EQ(st.mtim, 0);
        CHECK_EQ(st.size, 4);
    }
    fd = OPEN_OK(3, 0, "old.txt", 0, R(FD_READ) | R(FD_FILESTAT_GET), 0);
    memset(&st, 0xAA, sizeof st);
    if (EXPECT_OK(__wasi_fd_filestat_get(fd, &st)))
        CHECK_EQ(st.mtim, 0);
    return check_summary("ok %d checks\n", checks);
}

static int det(void) {
    __wasi_subscription_t sub;
    __wasi_event_t ev;
    __wasi_size_t nevents = 0;
    __wasi_timestamp_t t = 0;
    memset(&sub, 0, sizeof sub);
    sub.userdata = 7;
    sub.u.tag = __WASI_EVENTTYPE_CLOCK;
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = UINT64_MAX;
    EXPECT_OK(__wasi_poll_oneoff(&sub, &ev, 1, &nevents));
    CHECK_EQ(nevents, 1);
    for (__wasi_clockid_t id = 0; id < 4; id++)
        EXPECT_OK(__wasi_clock_time_get(id, 0, &t));
    EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t));
    printf("monotonic %llu\n", (unsigned long long)t);
    return check_summary("ok %d checks\n", checks);
}

static int nonblock(void) {
    EXPECT_OK(__wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_NONBLOCK));
    CHECK(fdstat(0).fs_flags & __WASI_FDFLAGS_NONBLOCK);
    uint8_t buf[8];
    __wasi_iovec_t iov = {buf, sizeof buf};
    __wasi_size_t n = 0;
    if (EXPECT_ERRNO(__wasi_fd_read(0, &iov, 1, &n), E(AGAIN))) {
        /* Blocking again: the bytes the host writes a little later arrive. (A host that blocked
         * above already consumed them: this second read would then wait forever.) */
        EXPECT_OK(__wasi_fd_fdstat_set_flags(0, 0));
        EXPECT_OK(__wasi_fd_read(0, &iov, 1, &n));
        CHECK(n == 4 && !memcmp(buf, "late", 4));
    }
    return check_summary("ok %d checks\n", checks);
}

static int accept_full(void) {
    __wasi_fd_t conn = 99;
    /* NONBLOCK: a host that dropped the client answers AGAIN below instead of waiting forever. */
    EXPECT_OK(__wasi_fd_fdstat_set_flags(3, __WASI_FDFLAGS_NONBLOCK));
    EXPECT_ERRNO(__wasi_sock_accept(3, 0, &conn), E(MFILE));
    EXPECT_OK(__wasi_fd_close(0));
    if (EXPECT_OK(__wasi_sock_accept(3, 0, &conn))) {
        uint8_t buf[8];
        __wasi_iovec_t iov = {buf, sizeof buf};
        __wasi_size_t n = 0;
        __wasi_roflags_t ro;
        EXPECT_OK(__wasi_sock_recv(conn, &iov, 1, 0, &n, &ro));
        CHECK(n == 4 && !memcmp(buf, "ping", 4));
    }
    return check_summary("ok %d checks\n", checks);
}

int main(int argc, char **argv) {
    const char *s = argc > 1 ? argv[1] : "";
    check_name_set("compat %s", s);
    if (!strcmp(s, "rights")) return rights();
    if (!strcmp(s, "slash")) return slash();
    if (!strcmp(s, "readlink")) return readlink_abs();
    if (!strcmp(s, "oldtime")) return oldtime();
    if (!strcmp(s, "det")) return det();
    if (!strcmp(s, "nonblock")) return nonblock();
    if (!strcmp(s, "accept")) return accept_full();
    fprintf(stderr, "usage: compat rights|slash|readlink|oldtime|det|nonblock|accept\n");
    return 2;
}
