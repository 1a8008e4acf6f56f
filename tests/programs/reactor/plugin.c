/*
 * plugin: a WASI reactor (built with -mexec-model=reactor): no main, no _start;
 * _initialize runs the C constructors once, then the host calls the exports.
 *
 * Imports from module "app":
 *   void   app.log(const char *msg, size_t len)   (i32, i32) -> ()
 *   double app.price(int32_t item)                (i32) -> (f64)
 *   int32_t app.quantity(int32_t item)            (i32) -> (i32)
 * Exports:
 *   int32_t initialized_count(void)   how often the constructor ran (1 when the host is right)
 *   double  total(int32_t n)          sum of app.price(i) * app.quantity(i) for i in 0..n-1,
 *                                     logged through app.log
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define APP(name) __attribute__((import_module("app"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

APP("log") void app_log(const char *msg, size_t len);
APP("price") double app_price(int32_t item);
APP("quantity") int32_t app_quantity(int32_t item);

static int32_t constructed;

__attribute__((constructor)) static void plugin_setup(void) {
    constructed++;
    const char *msg = "plugin ready";
    app_log(msg, strlen(msg));
}

EXPORT("initialized_count") int32_t initialized_count(void) {
    return constructed;
}

EXPORT("total") double total(int32_t n) {
    double sum = 0;
    for (int32_t i = 0; i < n; i++)
        sum += app_price(i) * app_quantity(i);
    char line[64];
    int len = snprintf(line, sizeof line, "total of %d items: %.2f", (int)n, sum);
    app_log(line, (size_t)len);
    return sum;
}
