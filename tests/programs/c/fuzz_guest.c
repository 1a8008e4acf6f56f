/*
 * fuzz_guest SEED CALLS: a guest-level fuzzer. From SEED (a xorshift generator), CALLS random path
 * and fd calls on the preopen at fd 3 and on the descriptors opened through it: names from a small
 * pool that holds the hostile ones (.., absolute, trailing slashes, the host's symlink "out" to a
 * directory outside the sandbox, links the guest makes to "../outside"), random flags, rights,
 * offsets, whences and buffer sizes. Every answer must be an errno of the spec (0..76); anything
 * else is reported and the run fails. The host checks the rest: nothing outside the sandbox
 * changed, and no host fd outlived the run.
 *
 * Output: "fuzz seed <SEED> calls <CALLS> ok <successes>" on success (exit 0); on a bad answer,
 * "fuzz_guest: FAIL call <i> <name>: errno <e>" on stderr, exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static unsigned long long state;
static unsigned next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)(state >> 11);
}
static unsigned pick(unsigned n) { return next() % n; }

static const char *const names[] = {
    "a", "b", "d", "d/x", "d/", "l", "l/", "ld", "ld/", "ld/y", "out", "out/", "out/canary",
    "out/new", "../outside/canary", "/etc/passwd", "/", ".", "..", "./a", "d/../a", "d/../../outside",
    "", "a/", "a/.", "dangling", "dangling/", "d/x/..", "loop", "loop/z",
};
#define NNAMES (sizeof names / sizeof names[0])
static const char *const targets[] = {"a", "d", "../outside", "../outside/canary", "/etc", "d/x", "loop", "nowhere", ".."};
#define NTARGETS (sizeof targets / sizeof targets[0])

#define MAXFDS 32
static __wasi_fd_t fds[MAXFDS];
static int nfds;
static unsigned char buf[4096];
static int successes, calls;

static const char *name(void) { return names[pick(NNAMES)]; }
static __wasi_fd_t any_fd(void) {
    unsigned r = pick(nfds + 4);
    if (r < (unsigned)nfds) return fds[r];
    return r - nfds == 3 ? 3 : (__wasi_fd_t)(pick(8) ? 3 : pick(40)); /* mostly the preopen */
}
static __wasi_rights_t rights(void) {
    static const __wasi_rights_t masks[] = {
        0, __WASI_RIGHTS_FD_READ, __WASI_RIGHTS_FD_WRITE, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE,
        ~(__wasi_rights_t)0, 0x0FF7FEBEull /* Go's read-only open */, 0x1FFFFFFFull};
    return masks[pick(sizeof masks / sizeof masks[0])] | (pick(4) ? 0 : ((__wasi_rights_t)next() << 32 | next()));
}

static void check(const char *what, __wasi_errno_t e) {
    calls++;
    if (e == 0) successes++;
    if (e > __WASI_ERRNO_NOTCAPABLE) {
        fprintf(stderr, "fuzz_guest: FAIL call %d %s: errno %u\n", calls, what, e);
        exit(1);
    }
}

static void keep(__wasi_fd_t fd) {
    if (nfds < MAXFDS) fds[nfds++] = fd;
    else check("fd_close(extra)", __wasi_fd_close(fd));
}

static void one(void) {
    __wasi_fd_t fd = any_fd(), out = 0;
    __wasi_size_t n = 0;
    __wasi_filesize_t off = 0;
    __wasi_filestat_t st;
    __wasi_fdstat_t fst;
    __wasi_iovec_t iov = {buf, pick(sizeof buf)};
    __wasi_ciovec_t ciov = {buf, pick(sizeof buf)};
    switch (pick(20)) {
    case 0: case 1: case 2: {
        __wasi_errno_t e = __wasi_path_open(fd, pick(2), name(), (__wasi_oflags_t)pick(16), rights(), rights(),
                                            (__wasi_fdflags_t)(pick(4) ? 0 : pick(32)), &out);
        check("path_open", e);
        if (e == 0) keep(out);
        break;
    }
    case 3: check("fd_write", __wasi_fd_write(fd, &ciov, 1, &n)); break;
    case 4: check("fd_read", __wasi_fd_read(fd, &iov, 1, &n)); break;
    case 5: check("fd_seek", __wasi_fd_seek(fd, (__wasi_filedelta_t)pick(9000) - 100, (__wasi_whence_t)pick(4), &off)); break;
    case 6:
        if (nfds) {
            unsigned i = pick(nfds);
            check("fd_close", __wasi_fd_close(fds[i]));
            fds[i] = fds[--nfds];
        }
        break;
    case 7: check("path_create_directory", __wasi_path_create_directory(fd, name())); break;
    case 8: check("path_remove_directory", __wasi_path_remove_directory(fd, name())); break;
    case 9: check("path_unlink_file", __wasi_path_unlink_file(fd, name())); break;
    case 10: check("path_symlink", __wasi_path_symlink(targets[pick(NTARGETS)], fd, name())); break;
    case 11: check("path_link", __wasi_path_link(fd, pick(2), name(), any_fd(), name())); break;
    case 12: check("path_rename", __wasi_path_rename(fd, name(), any_fd(), name())); break;
    case 13: check("path_readlink", __wasi_path_readlink(fd, name(), buf, pick(64), &n)); break;
    case 14: check("path_filestat_get", __wasi_path_filestat_get(fd, pick(2), name(), &st)); break;
    case 15:
        check("path_filestat_set_times",
              __wasi_path_filestat_set_times(fd, pick(2), name(), next(), next(), (__wasi_fstflags_t)pick(16)));
        break;
    case 16: check("fd_readdir", __wasi_fd_readdir(fd, buf, pick(512), pick(6), &n)); break;
    case 17: check("fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, pick(5000))); break;
    case 18:
        check("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &fst));
        if (nfds) /* not on stdio or the preopen: the summary line and the rest of the run need them */
            check("fd_fdstat_set_rights", __wasi_fd_fdstat_set_rights(fds[pick(nfds)], rights(), rights()));
        break;
    default:
        check("fd_pwrite", __wasi_fd_pwrite(fd, &ciov, 1, pick(10000), &n));
        check("fd_filestat_get", __wasi_fd_filestat_get(fd, &st));
        break;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: fuzz_guest SEED CALLS\n");
        return 2;
    }
    unsigned long long seed = strtoull(argv[1], NULL, 10);
    int total = atoi(argv[2]);
    state = seed * 0x9E3779B97F4A7C15ull + 1;
    memset(buf, 'f', sizeof buf);
    while (calls < total) one();
    while (nfds) check("fd_close", __wasi_fd_close(fds[--nfds]));
    printf("fuzz seed %llu calls %d ok %d\n", seed, calls, successes);
    return 0;
}
