/*
 * bulk_copy: copy a file to stdout in 64 KiB fd_read / fd_write calls.
 *
 * Usage: bulk_copy.wasm PATH   (PATH through a preopen, e.g. /data/big.bin)
 * Output: the bytes of PATH on stdout, nothing else. Exit 0; a failed call or
 * a zero-byte write prints "bulk_copy: FAIL ..." on stderr and exits 1.
 */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <wasi/api.h>

#include "bench_util.h"
#define PROG "bulk_copy"

static uint8_t buf[64 * 1024];

int main(int argc, char **argv) {
    FAIL_IF(argc != 2, "usage: bulk_copy PATH");
    int fd = open(argv[1], O_RDONLY);
    FAIL_IF(fd < 0, "open %s failed", argv[1]);
    for (;;) {
        __wasi_iovec_t iov = {buf, sizeof buf};
        __wasi_size_t got = 0;
        __wasi_errno_t err = __wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &got);
        FAIL_IF(err != 0, "fd_read: errno %u", err);
        if (got == 0)
            break;
        for (__wasi_size_t done = 0; done < got;) {
            __wasi_ciovec_t out = {buf + done, got - done};
            __wasi_size_t put = 0;
            err = __wasi_fd_write(1, &out, 1, &put);
            FAIL_IF(err != 0 || put == 0, "fd_write: errno %u, wrote %zu", err, (size_t)put);
            done += put;
        }
    }
    close(fd);
    return 0;
}
