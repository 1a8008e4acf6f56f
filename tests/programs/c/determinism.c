/*
 * determinism: print everything a run could take from the outside world, so
 * that two runs can be compared byte for byte.
 *
 * Output (stdout):
 *   clock <id> res=<ns> time=<ns>       for the four clocks 0..3
 *   random=<64 hex digits>              32 bytes of random_get
 *   stdin=<the bytes of stdin, as read> (then a newline)
 * Exit status 1 with "determinism: FAIL: ..." on stderr if a call fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

static void fail(const char *what, __wasi_errno_t err) {
    fflush(stdout);
    fprintf(stderr, "determinism: FAIL: %s returned errno %u\n", what, err);
    exit(1);
}

int main(void) {
    for (__wasi_clockid_t id = 0; id <= 3; id++) {
        __wasi_timestamp_t res = 0, t = 0;
        __wasi_errno_t err = __wasi_clock_res_get(id, &res);
        if (err != 0)
            fail("clock_res_get", err);
        err = __wasi_clock_time_get(id, 1, &t);
        if (err != 0)
            fail("clock_time_get", err);
        printf("clock %u res=%llu time=%llu\n", id, (unsigned long long)res, (unsigned long long)t);
    }

    uint8_t rnd[32];
    __wasi_errno_t err = __wasi_random_get(rnd, sizeof rnd);
    if (err != 0)
        fail("random_get", err);
    printf("random=");
    for (size_t i = 0; i < sizeof rnd; i++)
        printf("%02x", rnd[i]);
    printf("\nstdin=");

    char buf[256];
    for (;;) {
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
        __wasi_size_t n = 0;
        err = __wasi_fd_read(0, &iov, 1, &n);
        if (err != 0)
            fail("fd_read(0)", err);
        if (n == 0)
            break;
        fwrite(buf, 1, n, stdout);
    }
    printf("\n");
    return fflush(stdout) == 0 ? 0 : 1;
}
