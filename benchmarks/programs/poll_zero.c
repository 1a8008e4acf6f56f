/*
 * poll_zero: N calls of poll_oneoff with a timeout of 0 on several descriptors.
 *
 * Usage: poll_zero.wasm FILE N   (FILE through a preopen, e.g. /data/poll.txt;
 *                                 it must exist)
 * Each call has 4 subscriptions: fd_write on stdout (userdata 11), fd_read
 * and fd_write on FILE (12, 13) and a relative REALTIME clock of 0 ns (14).
 * Every call must succeed with 1 to 4 events of a known type; stdout must be
 * reported writable (error 0) every time.
 *
 * What the set is, and what is not checked, comes from native wasmer WASI
 * (wasmer-wasi 2.1.1, the baseline), whose poll_oneoff is partial: fd_read on
 * stdin fails the whole call with EIO, a MONOTONIC clock subscription beside
 * descriptors panics ("Polling not implemented for clocks yet"), regular
 * files come back with error AGAIN, and the clock event comes back with
 * userdata 0; and with stdout on /dev/null the whole call fails with EIO
 * (the runner gives this guest a regular file as stdout). So there is no
 * stdin subscription, the clock is REALTIME, file event errors are not
 * checked, and a clock event may carry userdata 0.
 * Output: "poll_zero: N polls ok".
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "bench_util.h"
#define PROG "poll_zero"

#define NSUBS 4

static void fd_sub(__wasi_subscription_t *s, __wasi_userdata_t ud, uint8_t tag, int fd) {
    memset(s, 0, sizeof *s);
    s->userdata = ud;
    s->u.tag = tag;
    s->u.u.fd_read.file_descriptor = (__wasi_fd_t)fd; /* fd_read and fd_write share the layout */
}

int main(int argc, char **argv) {
    FAIL_IF(argc != 3, "usage: poll_zero FILE N");
    long n = atol(argv[2]);
    int fd = open(argv[1], O_RDWR);
    FAIL_IF(fd < 0, "open %s failed", argv[1]);
    __wasi_subscription_t subs[NSUBS];
    fd_sub(&subs[0], 11, __WASI_EVENTTYPE_FD_WRITE, 1);
    fd_sub(&subs[1], 12, __WASI_EVENTTYPE_FD_READ, fd);
    fd_sub(&subs[2], 13, __WASI_EVENTTYPE_FD_WRITE, fd);
    memset(&subs[3], 0, sizeof subs[3]);
    subs[3].userdata = 14;
    subs[3].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[3].u.u.clock.id = __WASI_CLOCKID_REALTIME;
    subs[3].u.u.clock.timeout = 0;
    __wasi_event_t events[NSUBS];
    for (long i = 0; i < n; i++) {
        __wasi_size_t got = 0;
        __wasi_errno_t err = __wasi_poll_oneoff(subs, events, NSUBS, &got);
        FAIL_IF(err != 0, "poll_oneoff: errno %u at %ld", err, i);
        FAIL_IF(got < 1 || got > NSUBS, "poll_oneoff: %u events at %ld", (unsigned)got, i);
        int stdout_ready = 0;
        for (__wasi_size_t k = 0; k < got; k++) {
            __wasi_userdata_t ud = events[k].userdata;
            if (events[k].type == __WASI_EVENTTYPE_CLOCK && ud == 0)
                continue; /* native wasmer's clock event */
            FAIL_IF(ud < 11 || ud > 14, "unknown userdata %llu", (unsigned long long)ud);
            FAIL_IF(events[k].type != subs[ud - 11].u.tag, "userdata %llu: type %u", (unsigned long long)ud,
                    events[k].type);
            if (ud == 11) {
                FAIL_IF(events[k].error != 0, "stdout event: errno %u", events[k].error);
                stdout_ready = 1;
            }
        }
        FAIL_IF(!stdout_ready, "poll %ld: no stdout event", i);
    }
    close(fd);
    printf("poll_zero: %ld polls ok\n", n);
    return 0;
}
