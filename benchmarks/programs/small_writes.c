/*
 * small_writes: host-call overhead benchmark.
 *
 * Writes the same 16-byte buffer ("0123456789abcde\n") to fd 1 with
 * __wasi_fd_write (one iovec) N times, N = atoi(argv[1]), default 1000000.
 * Output: N * 16 bytes on stdout. Exit 0; on an fd_write error or short write
 * prints "small_writes: FAIL ..." on stderr and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

static const char line[16] = "0123456789abcde\n";

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    __wasi_ciovec_t iov = {(const uint8_t *)line, sizeof line};
    for (long i = 0; i < n; i++) {
        __wasi_size_t written = 0;
        __wasi_errno_t err = __wasi_fd_write(1, &iov, 1, &written);
        if (err != 0 || written != sizeof line) {
            fprintf(stderr, "small_writes: FAIL at write %ld: errno %u, wrote %zu of 16\n", i,
                    err, written);
            return 1;
        }
    }
    return 0;
}
