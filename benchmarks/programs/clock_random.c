/*
 * clock_random: N pairs of clock_time_get(MONOTONIC) + random_get(32 bytes).
 *
 * Usage: clock_random.wasm N
 * Checks that the monotonic clock never goes back and that the random bytes
 * are not all the same over the run. Output: "clock_random: N pairs ok".
 */
#include <stdint.h>
#include <string.h>
#include <wasi/api.h>

#include "bench_util.h"
#define PROG "clock_random"

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    uint8_t buf[32], acc_or[32] = {0}, acc_and[32];
    memset(acc_and, 0xff, sizeof acc_and);
    __wasi_timestamp_t last = 0;
    for (long i = 0; i < n; i++) {
        __wasi_timestamp_t now = 0;
        __wasi_errno_t err = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now);
        FAIL_IF(err != 0, "clock_time_get: errno %u at %ld", err, i);
        FAIL_IF(now < last, "monotonic clock went back at %ld", i);
        last = now;
        err = __wasi_random_get(buf, sizeof buf);
        FAIL_IF(err != 0, "random_get: errno %u at %ld", err, i);
        for (size_t k = 0; k < sizeof buf; k++) {
            acc_or[k] |= buf[k];
            acc_and[k] &= buf[k];
        }
    }
    if (n >= 16)
        FAIL_IF(memcmp(acc_or, acc_and, sizeof buf) == 0, "random_get gave the same bytes every time");
    printf("clock_random: %ld pairs ok\n", n);
    return 0;
}
