/*
 * raise: proc_raise. wasi-libc no longer declares it, so it is imported here.
 *
 * Usage:
 *   raise.wasm            proc_raise(0) (no signal) and signals whose default
 *                         action is to be ignored (CHLD 16, URG 22, WINCH 27)
 *                         return 0 and the program carries on; signal numbers
 *                         outside the enum (31, 200, 255) are INVAL.
 *                         stdout: "ok <N> checks".
 *   raise.wasm SIG        prints "raising SIG\n" (flushed), then
 *                         proc_raise(SIG); if that returns, prints
 *                         "returned <errno>\n" and exits 1. A terminating
 *                         signal (TERM 15, ...) ends the run: exit code 128+SIG.
 * A failed check prints "raise: FAIL line N: ..." on stderr; exit status 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t wasi_proc_raise(int32_t sig);

static int checks, failures;

#define EXPECT_ERRNO(call, want)                                                            \
    do {                                                                                    \
        int32_t e_ = (call);                                                                \
        checks++;                                                                           \
        if (e_ != (want)) {                                                                 \
            failures++;                                                                     \
            fprintf(stderr, "raise: FAIL line %d: %s: expected errno %d, got %d\n", __LINE__, \
                    #call, (int)(want), (int)e_);                                           \
        }                                                                                   \
    } while (0)

#define INVAL 28

int main(int argc, char **argv) {
    if (argc > 1) {
        int sig = atoi(argv[1]);
        printf("raising %d\n", sig);
        fflush(stdout);
        int32_t err = wasi_proc_raise(sig);
        printf("returned %d\n", (int)err);
        return 1;
    }

    EXPECT_ERRNO(wasi_proc_raise(0), 0);
    EXPECT_ERRNO(wasi_proc_raise(16), 0); /* CHLD */
    EXPECT_ERRNO(wasi_proc_raise(22), 0); /* URG */
    EXPECT_ERRNO(wasi_proc_raise(27), 0); /* WINCH */
    EXPECT_ERRNO(wasi_proc_raise(31), INVAL);
    EXPECT_ERRNO(wasi_proc_raise(200), INVAL);
    EXPECT_ERRNO(wasi_proc_raise(255), INVAL);
    /* Still running after all of them. */
    if (failures) {
        fprintf(stderr, "raise: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("ok %d checks\n", checks);
    return fflush(stdout) == 0 ? 0 : 1;
}
