/*
 * args_env: print argv and environ as the guest sees them, and cross-check
 * them against the raw WASI calls.
 *
 * Output (stdout):
 *   argc=<n>
 *   argv[<i>]=<arg>          for each argument
 *   environ=<KEY=VALUE>      for each environ entry, in order
 *   args_buf=<n> environ_buf=<n>
 * Checks (exit 1 with "args_env: FAIL: ..." on stderr):
 *   - args_sizes_get / environ_sizes_get succeed; their counts equal argc and
 *     the number of environ entries; their buffer sizes equal the sum of
 *     strlen()+1 (UTF-8 byte lengths, not character counts);
 *   - args_get / environ_get fill caller buffers with pointers that point into
 *     the caller's buffer, to NUL-terminated strings equal to argv / environ.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

extern char **environ;

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fputs("args_env: FAIL: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Check a (pointer array, buffer) pair filled by args_get / environ_get. */
static void check_vector(const char *what, char **ptrs, char *buf, size_t count,
                         size_t buf_size, char **expected) {
    for (size_t i = 0; i < count; i++) {
        char *p = ptrs[i];
        if (p < buf || p >= buf + buf_size)
            fail("%s[%zu] pointer %p outside buffer [%p, +%zu)", what, i, (void *)p,
                 (void *)buf, buf_size);
        size_t room = (size_t)(buf + buf_size - p);
        if (memchr(p, '\0', room) == NULL)
            fail("%s[%zu] is not NUL-terminated inside the buffer", what, i);
        if (strcmp(p, expected[i]) != 0)
            fail("%s[%zu] = \"%s\" but libc saw \"%s\"", what, i, p, expected[i]);
    }
}

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);

    size_t env_count = 0;
    for (char **e = environ; e != NULL && *e != NULL; e++, env_count++)
        printf("environ=%s\n", *e);

    /* --- args --- */
    __wasi_size_t a_count = 0, a_size = 0;
    __wasi_errno_t err = __wasi_args_sizes_get(&a_count, &a_size);
    if (err != 0)
        fail("args_sizes_get returned errno %u", err);
    if (a_count != (__wasi_size_t)argc)
        fail("args_sizes_get count %zu != argc %d", a_count, argc);
    size_t want = 0;
    for (int i = 0; i < argc; i++)
        want += strlen(argv[i]) + 1;
    if (a_size != want)
        fail("args_sizes_get buf size %zu != sum(strlen+1) %zu", a_size, want);
    {
        char **ptrs = calloc(a_count + 1, sizeof(char *));
        char *buf = calloc(a_size + 1, 1);
        if (!ptrs || !buf)
            fail("out of memory");
        err = __wasi_args_get((uint8_t **)ptrs, (uint8_t *)buf);
        if (err != 0)
            fail("args_get returned errno %u", err);
        check_vector("args", ptrs, buf, a_count, a_size, argv);
        free(ptrs);
        free(buf);
    }

    /* --- environ --- */
    __wasi_size_t e_count = 0, e_size = 0;
    err = __wasi_environ_sizes_get(&e_count, &e_size);
    if (err != 0)
        fail("environ_sizes_get returned errno %u", err);
    if (e_count != env_count)
        fail("environ_sizes_get count %zu != environ entries %zu", e_count, env_count);
    want = 0;
    for (size_t i = 0; i < env_count; i++)
        want += strlen(environ[i]) + 1;
    if (e_size != want)
        fail("environ_sizes_get buf size %zu != sum(strlen+1) %zu", e_size, want);
    {
        char **ptrs = calloc(e_count + 1, sizeof(char *));
        char *buf = calloc(e_size + 1, 1);
        if (!ptrs || !buf)
            fail("out of memory");
        err = __wasi_environ_get((uint8_t **)ptrs, (uint8_t *)buf);
        if (err != 0)
            fail("environ_get returned errno %u", err);
        check_vector("environ", ptrs, buf, e_count, e_size, environ);
        free(ptrs);
        free(buf);
    }

    printf("args_buf=%zu environ_buf=%zu\n", a_size, e_size);
    if (fflush(stdout) != 0)
        fail("fflush(stdout)");
    return 0;
}
