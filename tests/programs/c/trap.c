/*
 * trap: print "before trap\n" to stdout (flushed), then execute the wasm
 * `unreachable` instruction. The host must report a trap, not an exit code.
 */
#include <stdio.h>

int main(void) {
    puts("before trap");
    fflush(stdout);
    __builtin_trap();
}
