/* hello: the start-up workload (instantiate, libc start-up, one write, exit). */
#include <stdio.h>

int main(void) {
    puts("hello, world");
    return 0;
}
