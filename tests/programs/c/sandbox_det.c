/*
 * sandbox_det: output that depends only on the configuration, for
 * reproducibility checks under WasiConfig.deterministic().
 *
 * Prints, for clocks 0..3, `clock <id> res=<ns> t=<ns>,<ns>,<ns>` (three
 * reads), then `random=<64 hex digits>` (32 bytes of random_get), then
 * `stdin=<hex of everything read from fd 0>` and `ok`. Every call must
 * succeed; a failure prints "sandbox_det: FAIL: ..." on stderr and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

static void fail(const char *what, int e) {
    fflush(stdout);
    fprintf(stderr, "sandbox_det: FAIL: %s: errno %d\n", what, e);
    exit(1);
}

int main(void) {
    for (__wasi_clockid_t id = 0; id <= 3; id++) {
        __wasi_timestamp_t res = 0, t[3] = {0};
        int e = __wasi_clock_res_get(id, &res);
        if (e)
            fail("clock_res_get", e);
        for (int i = 0; i < 3; i++)
            if ((e = __wasi_clock_time_get(id, 0, &t[i])) != 0)
                fail("clock_time_get", e);
        printf("clock %u res=%llu t=%llu,%llu,%llu\n", id, (unsigned long long)res, (unsigned long long)t[0],
               (unsigned long long)t[1], (unsigned long long)t[2]);
    }
    uint8_t rnd[32];
    int e = __wasi_random_get(rnd, sizeof rnd);
    if (e)
        fail("random_get", e);
    printf("random=");
    for (size_t i = 0; i < sizeof rnd; i++)
        printf("%02x", rnd[i]);
    printf("\nstdin=");
    for (;;) {
        uint8_t buf[64];
        __wasi_iovec_t iov = {buf, sizeof buf};
        size_t n = 0;
        if ((e = __wasi_fd_read(0, &iov, 1, &n)) != 0)
            fail("fd_read(0)", e);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            printf("%02x", buf[i]);
    }
    printf("\nok\n");
    return 0;
}
