/*
 * hostfuncs: call host functions of plain C signatures from the import module
 * "app" (not WASI-shaped: no errno, no out-pointers except get_point).
 *
 *   void     app.log(const char *msg, size_t len)        (i32, i32) -> ()
 *   int32_t  app.add(int32_t a, int32_t b)               (i32, i32) -> (i32)
 *   uint32_t app.counter(void)                           () -> (i32)
 *   double   app.scale(double x, float factor)           (f64, f32) -> (f64)
 *   float    app.half(float x)                           (f32) -> (f32)
 *   int64_t  app.neg64(int64_t x)                        (i64) -> (i64)
 *   int32_t  app.get_point(int32_t seed, struct point *) (i32, i32) -> (i32)  errno style
 *
 * argv[1] selects what to do:
 *   (none)   call each once and print what came back
 *   badlog   call log with invalid UTF-8: the host must trap, "after" is never printed
 *   hugelog  call log with 100000 bytes (past the 64 KiB string limit): a trap too
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define APP(name) __attribute__((import_module("app"), import_name(name)))

struct point {
    int32_t x;
    int32_t y;
};

APP("log") void app_log(const char *msg, size_t len);
APP("add") int32_t app_add(int32_t a, int32_t b);
APP("counter") uint32_t app_counter(void);
APP("scale") double app_scale(double x, float factor);
APP("half") float app_half(float x);
APP("neg64") int64_t app_neg64(int64_t x);
APP("get_point") int32_t app_get_point(int32_t seed, struct point *out);

static char big[100000];

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "badlog") == 0) {
        app_log("\xff\xfe", 2);
        printf("after\n");
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "hugelog") == 0) {
        memset(big, 'a', sizeof big);
        app_log(big, sizeof big);
        printf("after\n");
        return 0;
    }
    const char *msg = "hello from the guest";
    app_log(msg, strlen(msg));
    printf("add=%d\n", (int)app_add(2, 40));
    printf("add_negative=%d\n", (int)app_add(-5, 3));
    uint32_t first = app_counter();
    uint32_t second = app_counter();
    printf("counter=%u,%u\n", (unsigned)first, (unsigned)second);
    printf("scale=%.4f\n", app_scale(1.25, 2.5f));
    printf("half=%.4f\n", (double)app_half(3.0f));
    printf("neg64=%lld\n", (long long)app_neg64(1LL << 40));
    struct point p = {0, 0};
    int32_t err = app_get_point(7, &p);
    printf("get_point=%d x=%d y=%d\n", (int)err, (int)p.x, (int)p.y);
    err = app_get_point(-1, &p);
    printf("get_point_bad=%d\n", (int)err);
    return 0;
}
