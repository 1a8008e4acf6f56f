/*
 * limits: what a guest meets at the host's configurable bounds.
 *
 *   limits.wasm fds       path_open "f" (in the preopen, fd 3) until it fails; prints
 *                         "opened <n> errno <e>", closes them all, opens once more ("reopen 0")
 *   limits.wasm poll N    poll_oneoff with N relative clock subscriptions of 0 ns; prints
 *                         "poll <N> errno <e> nevents <k>"
 *   limits.wasm iovecs N  fd_write of N one-byte iovecs to stdout; prints "iovecs <N> errno <e>"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_fd_t fds[4096];

static int open_many(void) {
    int n = 0;
    __wasi_errno_t err = 0;
    while (n < 4096) {
        err = __wasi_path_open(3, 0, "f", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &fds[n]);
        if (err) break;
        n++;
    }
    printf("opened %d errno %u\n", n, err);
    for (int i = 0; i < n; i++) (void)!__wasi_fd_close(fds[i]);
    __wasi_fd_t again;
    err = __wasi_path_open(3, 0, "f", 0, __WASI_RIGHTS_FD_READ, 0, 0, &again);
    printf("reopen %u\n", err);
    return 0;
}

static int poll_many(int count) {
    __wasi_subscription_t *in = calloc((size_t)count, sizeof *in);
    __wasi_event_t *out = calloc((size_t)count, sizeof *out);
    for (int i = 0; i < count; i++) {
        in[i].userdata = (uint64_t)i;
        in[i].u.tag = __WASI_EVENTTYPE_CLOCK;
        in[i].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    }
    __wasi_size_t nevents = 0;
    __wasi_errno_t err = __wasi_poll_oneoff(in, out, (__wasi_size_t)count, &nevents);
    printf("poll %d errno %u nevents %lu\n", count, err, (unsigned long)nevents);
    return 0;
}

static int write_many(int count) {
    __wasi_ciovec_t *iov = calloc((size_t)count, sizeof *iov);
    for (int i = 0; i < count; i++) iov[i] = (__wasi_ciovec_t){(const uint8_t *)"x", 1};
    __wasi_size_t written = 0;
    __wasi_errno_t err = __wasi_fd_write(1, iov, (size_t)count, &written);
    printf("\niovecs %d errno %u\n", count, err);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "fds")) return open_many();
    if (argc == 3 && !strcmp(argv[1], "poll")) return poll_many(atoi(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "iovecs")) return write_many(atoi(argv[2]));
    fprintf(stderr, "usage: limits fds | poll N | iovecs N\n");
    return 2;
}
