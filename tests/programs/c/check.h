/*
 * check.h: the in-guest checks of the C test programs and their report. Header only: build.sh
 * builds every .c file in c/ as a program of its own, and this file is only #included.
 *
 * Before the #include a program defines
 *   CHECK_NAME        its name (a string literal), which starts every line the checks print;
 *   CHECK_FAIL_FAST   (optional) to end the run at the first failed check, with exit status 1.
 *                     Without it a failed check is counted and the run goes on.
 * check_name_set(fmt, ...) replaces the name at run time (e.g. "fs_path basic", "sandbox[paths]").
 *
 * The checks (each adds one to `checks`; a program adds to it itself for checks it makes in bulk):
 *   CHECK(cond)                  cond holds
 *   CHECKF(cond, fmt, ...)       cond holds; the printf arguments say what failed
 *   CHECK_EQ(got, want)          got == want, compared as unsigned 64-bit numbers
 *   EXPECT_ERRNO(call, e, ...)   call returns one of the errnos listed
 *   EXPECT_OK(call)              call returns 0 (SUCCESS)
 * Each is an expression, true when the check passed. check_errno(line, what, got, ERRNOS(e, ...))
 * is EXPECT_ERRNO for helpers that pass the accepted errnos on; check_fail(line, fmt, ...) reports
 * a failure found some other way. A failure adds one to `failures` and prints, on stderr (stdout
 * is flushed first),
 *   <name>: FAIL line <n>: <what>
 * where <what> for an errno is "<call>: expected errno <NAME>[|<NAME>...], got <n> (<NAME>)".
 *
 * main ends with `return check_summary(fmt, ...);`: if a check failed, that prints
 *   <name>: <k> of <n> checks failed
 * on stderr and returns 1; otherwise it prints fmt with its arguments (the program's
 * "ok <n> checks" line) on stdout, flushes stdout and returns 0 (1 if the flush fails).
 */
#ifndef CHECK_H
#define CHECK_H

#ifndef CHECK_NAME
#error "define CHECK_NAME (the program's name) before including check.h"
#endif

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* A program uses only some of these: none of them is an unused-function error. */
#define CHECK_API static __attribute__((unused))

CHECK_API int checks, failures;
CHECK_API char check_name[64] = CHECK_NAME;

__attribute__((format(printf, 1, 2)))
CHECK_API void check_name_set(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(check_name, sizeof check_name, fmt, ap);
    va_end(ap);
}

#ifdef CHECK_FAIL_FAST
__attribute__((format(printf, 2, 3), noreturn))
#else
__attribute__((format(printf, 2, 3)))
#endif
CHECK_API void check_fail(int line, const char *fmt, ...) {
    va_list ap;
    failures++;
    fflush(stdout);
    fprintf(stderr, "%s: FAIL line %d: ", check_name, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
#ifdef CHECK_FAIL_FAST
    exit(1);
#endif
}

/* One check: ok must hold; if not, fmt says what failed. */
__attribute__((format(printf, 3, 4)))
CHECK_API bool check_that(int line, bool ok, const char *fmt, ...) {
    checks++;
    if (!ok) {
        char what[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        check_fail(line, "%s", what);
    }
    return ok;
}
#define CHECK(cond) check_that(__LINE__, (cond), "check failed: %s", #cond)
#define CHECKF(cond, ...) check_that(__LINE__, (cond), __VA_ARGS__)

CHECK_API bool check_eq(int line, const char *what, unsigned long long got, unsigned long long want) {
    return check_that(line, got == want, "%s: got %llu, want %llu", what, got, want);
}
#define CHECK_EQ(got, want) check_eq(__LINE__, #got " == " #want, (got), (want))

/* The name of a WASI errno ("NOTCAPABLE"), "?" for a number outside the enum. */
CHECK_API const char *check_errno_name(int e) {
    static const char *const names[] = {
        "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN",
        "ALREADY", "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD", "CONNABORTED",
        "CONNREFUSED", "CONNRESET", "DEADLK", "DESTADDRREQ", "DOM", "DQUOT", "EXIST",
        "FAULT", "FBIG", "HOSTUNREACH", "IDRM", "ILSEQ", "INPROGRESS", "INTR", "INVAL",
        "IO", "ISCONN", "ISDIR", "LOOP", "MFILE", "MLINK", "MSGSIZE", "MULTIHOP",
        "NAMETOOLONG", "NETDOWN", "NETRESET", "NETUNREACH", "NFILE", "NOBUFS", "NODEV",
        "NOENT", "NOEXEC", "NOLCK", "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC",
        "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP",
        "NOTTY", "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO",
        "PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE",
        "TIMEDOUT", "TXTBSY", "XDEV", "NOTCAPABLE",
    };
    return e >= 0 && e < (int)(sizeof names / sizeof names[0]) ? names[e] : "?";
}

/* A list of accepted errnos: ERRNOS(__WASI_ERRNO_PERM, __WASI_ERRNO_NOTCAPABLE). */
#define CHECK_END (-1)
#define ERRNOS(...) ((const int[]){__VA_ARGS__, CHECK_END})

/* One check: got must be one of the errnos in want (an ERRNOS list). */
CHECK_API bool check_errno(int line, const char *what, int got, const int *want) {
    char names[256] = "";
    checks++;
    for (const int *w = want; *w != CHECK_END; w++)
        if (got == *w)
            return true;
    for (const int *w = want; *w != CHECK_END; w++) {
        if (w != want)
            strncat(names, "|", sizeof names - strlen(names) - 1);
        strncat(names, check_errno_name(*w), sizeof names - strlen(names) - 1);
    }
    check_fail(line, "%s: expected errno %s, got %d (%s)", what, names, got, check_errno_name(got));
    return false;
}
#define EXPECT_ERRNO(call, ...) check_errno(__LINE__, #call, (call), ERRNOS(__VA_ARGS__))
#define EXPECT_OK(call) check_errno(__LINE__, #call, (call), ERRNOS(__WASI_ERRNO_SUCCESS))

/* The end of a run: main returns what this returns (see the top of this file). */
__attribute__((format(printf, 1, 2)))
CHECK_API int check_summary(const char *ok_fmt, ...) {
    va_list ap;
    if (failures) {
        fflush(stdout);
        fprintf(stderr, "%s: %d of %d checks failed\n", check_name, failures, checks);
        return 1;
    }
    va_start(ap, ok_fmt);
    vprintf(ok_fmt, ap);
    va_end(ap);
    return fflush(stdout) == 0 ? 0 : 1;
}

#endif
