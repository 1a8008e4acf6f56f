/*
 * exit_code: exit with the status given as the first argument.
 *
 * `exit_code.wasm 7` returns 7 from main, which wasi-libc's _start turns into
 * proc_exit(7). With no argument it returns 0 -- and then wasi-libc's _start
 * simply returns without calling proc_exit at all. No output.
 */
#include <stdlib.h>

int main(int argc, char **argv) {
    return argc > 1 ? atoi(argv[1]) : 0;
}
