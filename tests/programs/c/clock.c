/*
 * clock: exercise clock_res_get and clock_time_get.
 *
 * For clock ids 0..3 (realtime, monotonic, process_cputime_id,
 * thread_cputime_id): both calls must succeed and the resolution must be > 0.
 * The monotonic clock must never go backwards over several reads; the
 * realtime clock must be after 2020-01-01T00:00:00Z. Clock ids 4 and
 * 0xFFFFFFFF must make both calls return EINVAL (28).
 *
 * Output (stdout):
 *   clock 0 res=<ns>
 *   clock 1 res=<ns>
 *   clock 2 res=<ns>
 *   clock 3 res=<ns>
 *   ok
 * Any failure: "clock: FAIL: ..." on stderr and exit 1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fputs("clock: FAIL: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

#define JAN_1_2020_NS (1577836800ull * 1000000000ull)

int main(void) {
    for (__wasi_clockid_t id = 0; id <= 3; id++) {
        __wasi_timestamp_t res = 0, t = 0;
        __wasi_errno_t err = __wasi_clock_res_get(id, &res);
        if (err != 0)
            fail("clock_res_get(%u) returned errno %u", id, err);
        if (res == 0)
            fail("clock_res_get(%u) returned resolution 0", id);
        err = __wasi_clock_time_get(id, 0, &t);
        if (err != 0)
            fail("clock_time_get(%u) returned errno %u", id, err);
        printf("clock %u res=%llu\n", id, (unsigned long long)res);
    }

    /* realtime is plausible */
    __wasi_timestamp_t now = 0;
    if (__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now) != 0)
        fail("clock_time_get(realtime) failed");
    if (now < JAN_1_2020_NS)
        fail("realtime %llu ns is before 2020-01-01", (unsigned long long)now);

    /* monotonic never goes backwards (with various precisions) */
    __wasi_timestamp_t prev = 0;
    static const __wasi_timestamp_t precisions[] = {0, 1, 1000, 1000000, 1000000000};
    for (int i = 0; i < 100; i++) {
        __wasi_timestamp_t t = 0;
        __wasi_timestamp_t precision = precisions[i % 5];
        __wasi_errno_t err = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, precision, &t);
        if (err != 0)
            fail("clock_time_get(monotonic) returned errno %u", err);
        if (t < prev)
            fail("monotonic went backwards: %llu then %llu", (unsigned long long)prev,
                 (unsigned long long)t);
        prev = t;
    }

    /* invalid clock ids */
    static const __wasi_clockid_t bad_ids[] = {4, 0xFFFFFFFFu};
    for (int i = 0; i < 2; i++) {
        __wasi_clockid_t id = bad_ids[i];
        __wasi_timestamp_t out = 0;
        __wasi_errno_t err = __wasi_clock_res_get(id, &out);
        if (err != __WASI_ERRNO_INVAL)
            fail("clock_res_get(%u) returned errno %u, want %u (INVAL)", id, err,
                 __WASI_ERRNO_INVAL);
        err = __wasi_clock_time_get(id, 0, &out);
        if (err != __WASI_ERRNO_INVAL)
            fail("clock_time_get(%u) returned errno %u, want %u (INVAL)", id, err,
                 __WASI_ERRNO_INVAL);
    }

    puts("ok");
    if (fflush(stdout) != 0)
        fail("fflush(stdout)");
    return 0;
}
