/* Shared helpers of the benchmark guests: a failed check prints
 * "<prog>: FAIL line N: ..." on stderr and exits 1. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H
#include <stdio.h>
#include <stdlib.h>

#define FAIL_IF(cond, ...)                                              \
    do {                                                                \
        if (cond) {                                                     \
            fflush(stdout);                                             \
            fprintf(stderr, "%s: FAIL line %d: ", PROG, __LINE__);      \
            fprintf(stderr, __VA_ARGS__);                               \
            fputc('\n', stderr);                                        \
            exit(1);                                                    \
        }                                                               \
    } while (0)

/* FNV-1a, to summarise data in one line of output. */
static inline unsigned long long fnv1a(unsigned long long h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}
#define FNV_INIT 14695981039346656037ULL
#endif
