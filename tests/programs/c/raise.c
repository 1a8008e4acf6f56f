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
 * A failed check prints "raise: FAIL line N: ..." on stderr (check.h); the
 * checks go on, and the exit status is 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK_NAME "raise"
#include "check.h"

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t wasi_proc_raise(int32_t sig);

#define INVAL __WASI_ERRNO_INVAL

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
    return check_summary("ok %d checks\n", checks);
}
