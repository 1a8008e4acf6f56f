/*
 * random: exercise random_get with 0, 1, 16, 4096 and 300000 bytes.
 *
 * Every call must succeed. Guard bytes after each buffer must stay untouched
 * (the host must not write past buf_len). The 4096-byte result must not be
 * all zeros, nor may the last 4096 bytes of the 300000-byte result (catches a
 * host that only fills part of a large request).
 *
 * Output (stdout):
 *   hex=<32 hex digits: a fresh 16-byte request>
 *   ok
 * Any failure: "random: FAIL: ..." on stderr and exit 1.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define GUARD 16
#define GUARD_BYTE 0xA5

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fputs("random: FAIL: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Static buffers, each followed by GUARD guard bytes. */
static uint8_t buf0[0 + GUARD];
static uint8_t buf1[1 + GUARD];
static uint8_t buf16[16 + GUARD];
static uint8_t buf4096[4096 + GUARD];
static uint8_t buf300k[300000 + GUARD];
static uint8_t fresh[16 + GUARD];

static void get(uint8_t *buf, size_t len) {
    memset(buf, 0, len);
    memset(buf + len, GUARD_BYTE, GUARD);
    __wasi_errno_t err = __wasi_random_get(buf, len);
    if (err != 0)
        fail("random_get(%zu bytes) returned errno %u", len, err);
    for (size_t i = 0; i < GUARD; i++)
        if (buf[len + i] != GUARD_BYTE)
            fail("random_get(%zu bytes) wrote past the end (offset %zu)", len, len + i);
}

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

int main(void) {
    get(buf0, 0);
    get(buf1, 1);
    get(buf16, 16);
    get(buf4096, 4096);
    if (all_zero(buf4096, 4096))
        fail("random_get(4096) returned all zeros");
    get(buf300k, 300000);
    if (all_zero(buf300k + 300000 - 4096, 4096))
        fail("random_get(300000): last 4096 bytes are all zeros");

    get(fresh, 16);
    printf("hex=");
    for (int i = 0; i < 16; i++)
        printf("%02x", fresh[i]);
    printf("\nok\n");
    if (fflush(stdout) != 0)
        fail("fflush(stdout)");
    return 0;
}
