/*
 * custom: call a host function from a non-WASI import module, then two WASI
 * calls a test is expected to override or observe.
 *
 *   myhost.greet(name, name_len, times, out_len) -> errno
 *       called with name "wasm" (4 bytes), times 3; the host writes a u32
 *       through out_len (initialised to 0 here).
 *   random_get(buf, 8)   (a test may replace it to return fixed bytes)
 *   sched_yield()
 *
 * Output (stdout):
 *   greet=<ret> out_len=<out_len>
 *   random=<16 hex digits>
 *   yield=<errno>
 * Exit status 0 (return values are printed, not judged).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

__attribute__((import_module("myhost"), import_name("greet")))
int32_t greet(const char *name, size_t name_len, uint32_t times, uint32_t *out_len);

int main(void) {
    const char *name = "wasm";
    uint32_t out_len = 0;
    int32_t ret = greet(name, strlen(name), 3, &out_len);
    printf("greet=%d out_len=%u\n", (int)ret, (unsigned)out_len);

    uint8_t bytes[8] = {0};
    __wasi_errno_t err = __wasi_random_get(bytes, sizeof bytes);
    if (err != 0)
        fprintf(stderr, "custom: random_get returned errno %u\n", err);
    printf("random=");
    for (size_t i = 0; i < sizeof bytes; i++)
        printf("%02x", bytes[i]);
    printf("\n");

    printf("yield=%u\n", __wasi_sched_yield());
    fflush(stdout);
    return 0;
}
