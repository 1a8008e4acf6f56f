/*
 * poll: poll_oneoff with clocks, regular files, stdio and pipes, and its errors.
 *
 * Usage: poll.wasm MODE
 *
 *   main   fd 3 is a preopened directory holding "data.txt" (exactly 100
 *          bytes); stdin is the 12 bytes "hello stdin\n"; stdout is captured.
 *          Checks relative clocks (MONOTONIC, REALTIME: event CLOCK, userdata
 *          echoed, error 0, the wait lasts >= the timeout), absolute deadlines
 *          (in the past: fire at once; near future: reached on return; far
 *          future, even 2^64-1: no overflow, a shorter relative clock wins),
 *          the CPU-time clocks, several subscriptions at once (only the
 *          earliest clock fires; a regular file is ready before a long clock,
 *          nbytes = bytes left to read), fd_write readiness on stdout and on
 *          a file (writes "written by poll\n" to out.txt), fd_read readiness
 *          on stdin given as bytes (nbytes = bytes left), and the errors:
 *          0 subscriptions INVAL, unknown fd BADF, unknown tag INVAL, unknown
 *          clock id INVAL.
 *   pipe   stdin is a pipe holding "pipe data\n" (10 bytes) whose write end
 *          stays open: fd_read is ready with nbytes 10; once it is drained, a
 *          fd_read + 30 ms clock poll gives only the clock event.
 *   eof    stdin is a pipe holding "pipe data\n" whose write end is closed:
 *          ready with nbytes 10, then ready with nbytes 0 (end of input).
 *   det    (deterministic clocks) a 1-hour relative sleep; prints
 *          "mono0=<ns> mono1=<ns> real0=<ns> real1=<ns>" and checks that both
 *          clocks advanced by >= 1 hour.
 *
 * CPU-time clock subscriptions: the spec does not restrict the clock of a
 * subscription, and wasmtime answers INVAL for the CPU-time clocks; both a
 * well-formed CLOCK event and INVAL are accepted. The outcome is printed as
 * "cputime process=<errno> thread=<errno>".
 *
 * Every check failure prints "poll: FAIL line N: ..." to stderr (check.h); the
 * run goes on, and the exit status is 1 if any check failed. On success the last line
 * of stdout is "ok <N> checks".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define CHECK_NAME "poll"
#include "check.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define ABS __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME

static __wasi_subscription_t clock_sub(uint64_t userdata, __wasi_clockid_t id, uint64_t timeout,
                                       __wasi_subclockflags_t flags) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.precision = 0;
    s.u.u.clock.flags = flags;
    return s;
}

static __wasi_subscription_t fd_sub(uint64_t userdata, uint8_t tag, __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = tag;
    s.u.u.fd_read.file_descriptor = fd; /* fd_read and fd_write share the layout */
    return s;
}

static __wasi_timestamp_t now(__wasi_clockid_t id) {
    __wasi_timestamp_t t = 0;
    __wasi_errno_t err = __wasi_clock_time_get(id, 1, &t);
    CHECKF(err == 0, "clock_time_get(%u) returned errno %u", id, err);
    return t;
}

/* poll_oneoff on n subscriptions; events are cleared to 0xAA first. */
static __wasi_errno_t do_poll(const __wasi_subscription_t *subs, size_t n, __wasi_event_t *events,
                           __wasi_size_t *nevents) {
    memset(events, 0xAA, sizeof(__wasi_event_t) * (n ? n : 1));
    *nevents = 0xFFFFFFFFu;
    return __wasi_poll_oneoff(subs, events, n, nevents);
}

/* Checks that exactly one event came back and that it is a successful CLOCK event for userdata. */
static void expect_one_clock(int line, __wasi_errno_t err, __wasi_size_t n, const __wasi_event_t *e,
                             uint64_t userdata) {
    checks++;
    if (err != 0) {
        check_fail(line, "poll_oneoff returned errno %u, want 0", err);
        return;
    }
    checks++;
    if (n != 1) {
        check_fail(line, "poll_oneoff gave %lu events, want 1", n);
        if (n == 0 || n > 8)
            return;
    }
    checks += 3;
    if (e[0].userdata != userdata)
        check_fail(line, "event userdata 0x%llx, want 0x%llx", (unsigned long long)e[0].userdata,
                   (unsigned long long)userdata);
    if (e[0].error != 0)
        check_fail(line, "event error %u, want 0", e[0].error);
    if (e[0].type != __WASI_EVENTTYPE_CLOCK)
        check_fail(line, "event type %u, want CLOCK (0)", e[0].type);
}

/* Finds the event with the given userdata among n, or NULL. */
static const __wasi_event_t *find(const __wasi_event_t *e, __wasi_size_t n, uint64_t userdata) {
    for (__wasi_size_t i = 0; i < n && i < 16; i++)
        if (e[i].userdata == userdata)
            return &e[i];
    return NULL;
}

/* Checks a successful fd event: type, error 0, and nbytes when want_nbytes >= 0. */
static void expect_fd_event(int line, const __wasi_event_t *e, uint8_t type, long long want_nbytes) {
    checks++;
    if (e == NULL) {
        check_fail(line, "no event for the fd subscription");
        return;
    }
    checks += 2;
    if (e->error != 0)
        check_fail(line, "fd event error %u, want 0", e->error);
    if (e->type != type)
        check_fail(line, "fd event type %u, want %u", e->type, type);
    if (want_nbytes >= 0) {
        checks++;
        if (e->fd_readwrite.nbytes != (unsigned long long)want_nbytes)
            check_fail(line, "fd event nbytes %llu, want %lld",
                       (unsigned long long)e->fd_readwrite.nbytes, want_nbytes);
    }
}

static size_t read_fd(__wasi_fd_t fd, char *buf, size_t len) {
    __wasi_iovec_t iov = {(uint8_t *)buf, len};
    __wasi_size_t n = 0;
    __wasi_errno_t err = __wasi_fd_read(fd, &iov, 1, &n);
    CHECKF(err == 0, "fd_read(%u) returned errno %u", fd, err);
    return err == 0 ? n : 0;
}

static void relative_clocks(void) {
    __wasi_subscription_t s[4];
    __wasi_event_t e[4];
    __wasi_size_t n;
    __wasi_errno_t err;

    /* A relative MONOTONIC timeout: the call lasts at least that long. */
    const uint64_t ud = 0xDEADBEEFCAFEF00Dull;
    s[0] = clock_sub(ud, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0);
    __wasi_timestamp_t t0 = now(__WASI_CLOCKID_MONOTONIC);
    err = do_poll(s, 1, e, &n);
    __wasi_timestamp_t t1 = now(__WASI_CLOCKID_MONOTONIC);
    expect_one_clock(__LINE__, err, n, e, ud);
    CHECKF(t1 - t0 >= 20 * MS, "monotonic 20 ms sleep lasted %llu ns", (unsigned long long)(t1 - t0));

    /* A relative REALTIME timeout: also a duration. */
    s[0] = clock_sub(0x0123456789ABCDEFull, __WASI_CLOCKID_REALTIME, 20 * MS, 0);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    err = do_poll(s, 1, e, &n);
    t1 = now(__WASI_CLOCKID_MONOTONIC);
    expect_one_clock(__LINE__, err, n, e, 0x0123456789ABCDEFull);
    CHECKF(t1 - t0 >= 20 * MS, "realtime 20 ms sleep lasted %llu ns", (unsigned long long)(t1 - t0));

    /* A zero timeout fires at once. */
    s[0] = clock_sub(5, __WASI_CLOCKID_MONOTONIC, 0, 0);
    err = do_poll(s, 1, e, &n);
    expect_one_clock(__LINE__, err, n, e, 5);

    /* Three clocks: only the earliest fires (order in the array does not matter). */
    s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5 * SEC, 0);
    s[1] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 10 * MS, 0);
    s[2] = clock_sub(3, __WASI_CLOCKID_REALTIME, 200 * MS, 0);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    err = do_poll(s, 3, e, &n);
    t1 = now(__WASI_CLOCKID_MONOTONIC);
    expect_one_clock(__LINE__, err, n, e, 2);
    CHECKF(t1 - t0 >= 10 * MS, "3-clock poll returned after %llu ns", (unsigned long long)(t1 - t0));
}

static void absolute_clocks(void) {
    __wasi_subscription_t s[4];
    __wasi_event_t e[4];
    __wasi_size_t n;
    __wasi_errno_t err;

    /* Absolute deadlines in the past fire at once, before a 10 s relative clock. */
    __wasi_timestamp_t mono = now(__WASI_CLOCKID_MONOTONIC);
    s[0] = clock_sub(10, __WASI_CLOCKID_MONOTONIC, 10 * SEC, 0);
    s[1] = clock_sub(11, __WASI_CLOCKID_MONOTONIC, mono > SEC ? mono - SEC : 0, ABS);
    err = do_poll(s, 2, e, &n);
    expect_one_clock(__LINE__, err, n, e, 11);

    s[1] = clock_sub(12, __WASI_CLOCKID_REALTIME, 1, ABS); /* 1 ns after the epoch */
    err = do_poll(s, 2, e, &n);
    expect_one_clock(__LINE__, err, n, e, 12);

    s[1] = clock_sub(13, __WASI_CLOCKID_MONOTONIC, 0, ABS);
    err = do_poll(s, 2, e, &n);
    expect_one_clock(__LINE__, err, n, e, 13);

    /* A near-future absolute MONOTONIC deadline: it has passed on return. */
    __wasi_timestamp_t deadline = now(__WASI_CLOCKID_MONOTONIC) + 30 * MS;
    s[1] = clock_sub(14, __WASI_CLOCKID_MONOTONIC, deadline, ABS);
    err = do_poll(s, 2, e, &n);
    __wasi_timestamp_t after = now(__WASI_CLOCKID_MONOTONIC);
    expect_one_clock(__LINE__, err, n, e, 14);
    CHECKF(after >= deadline, "absolute monotonic deadline %llu, returned at %llu",
           (unsigned long long)deadline, (unsigned long long)after);

    /* The same on REALTIME. */
    deadline = now(__WASI_CLOCKID_REALTIME) + 30 * MS;
    s[1] = clock_sub(15, __WASI_CLOCKID_REALTIME, deadline, ABS);
    err = do_poll(s, 2, e, &n);
    after = now(__WASI_CLOCKID_REALTIME);
    expect_one_clock(__LINE__, err, n, e, 15);
    CHECKF(after >= deadline, "absolute realtime deadline %llu, returned at %llu",
           (unsigned long long)deadline, (unsigned long long)after);

    /* Far-future absolute deadlines (up to 2^64-1) do not overflow: a 10 ms relative clock wins. */
    s[0] = clock_sub(16, __WASI_CLOCKID_MONOTONIC, UINT64_MAX, ABS);
    s[1] = clock_sub(17, __WASI_CLOCKID_REALTIME, UINT64_MAX, ABS);
    s[2] = clock_sub(18, __WASI_CLOCKID_MONOTONIC, 10 * MS, 0);
    s[3] = clock_sub(19, __WASI_CLOCKID_REALTIME, (uint64_t)1 << 63, ABS);
    err = do_poll(s, 4, e, &n);
    expect_one_clock(__LINE__, err, n, e, 18);
}

/* CPU-time clocks: a well-formed CLOCK event, or INVAL as wasmtime answers. Returns the errno. */
static __wasi_errno_t cputime_clock(__wasi_clockid_t id) {
    __wasi_subscription_t s[2];
    __wasi_event_t e[2];
    __wasi_size_t n;
    s[0] = clock_sub(40 + id, id, 1 * MS, 0);
    __wasi_errno_t err = do_poll(s, 1, e, &n);
    if (err == __WASI_ERRNO_INVAL) {
        checks++;
        return err;
    }
    expect_one_clock(__LINE__, err, n, e, 40 + id);
    /* An absolute deadline of 0 on the CPU clock is in the past: before a 10 s relative clock. */
    s[0] = clock_sub(50 + id, id, 0, ABS);
    s[1] = clock_sub(60, __WASI_CLOCKID_MONOTONIC, 10 * SEC, 0);
    __wasi_errno_t err2 = do_poll(s, 2, e, &n);
    expect_one_clock(__LINE__, err2, n, e, 50 + id);
    return err;
}

static __wasi_fd_t open_at(const char *path, __wasi_oflags_t oflags, __wasi_rights_t rights) {
    __wasi_fd_t fd = 0;
    __wasi_errno_t err = __wasi_path_open(3, 0, path, oflags, rights, 0, 0, &fd);
    CHECKF(err == 0, "path_open(3, \"%s\") returned errno %u", path, err);
    return err == 0 ? fd : (__wasi_fd_t)-1;
}

static void files_and_stdio(void) {
    __wasi_subscription_t s[4];
    __wasi_event_t e[4];
    __wasi_size_t n;
    __wasi_errno_t err;
    char buf[128];

    /* fd_read on a regular file: ready before a long clock, nbytes = bytes left to read. */
    __wasi_fd_t rd = open_at("data.txt", 0,
                             __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
                                 __WASI_RIGHTS_POLL_FD_READWRITE);
    CHECKF(read_fd(rd, buf, 30) == 30, "read of 30 bytes from data.txt");
    s[0] = clock_sub(20, __WASI_CLOCKID_MONOTONIC, 10 * SEC, 0);
    s[1] = fd_sub(21, __WASI_EVENTTYPE_FD_READ, rd);
    err = do_poll(s, 2, e, &n);
    CHECKF(err == 0, "poll(clock, fd_read file) returned errno %u", err);
    CHECKF(n == 1, "poll(clock, fd_read file) gave %lu events, want 1", n);
    expect_fd_event(__LINE__, find(e, n, 21), __WASI_EVENTTYPE_FD_READ, 70);
    CHECKF(find(e, n, 20) == NULL, "the 10 s clock fired");

    /* At end of file the file is still ready (a read gives 0) and nbytes is 0. */
    CHECKF(read_fd(rd, buf, sizeof buf) == 70, "read of the 70 bytes left of data.txt");
    err = do_poll(s, 2, e, &n);
    CHECKF(err == 0 && n == 1, "poll at end of file: errno %u, %lu events", err, n);
    expect_fd_event(__LINE__, find(e, n, 21), __WASI_EVENTTYPE_FD_READ, 0);

    /* fd_write on a regular file, then on stdout (captured), then both plus a read at once. */
    __wasi_fd_t wr = open_at("out.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                             __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_POLL_FD_READWRITE);
    s[1] = fd_sub(22, __WASI_EVENTTYPE_FD_WRITE, wr);
    err = do_poll(s, 2, e, &n);
    CHECKF(err == 0 && n == 1, "poll(clock, fd_write file): errno %u, %lu events", err, n);
    expect_fd_event(__LINE__, find(e, n, 22), __WASI_EVENTTYPE_FD_WRITE, -1);
    const char *msg = "written by poll\n";
    __wasi_ciovec_t iov = {(const uint8_t *)msg, strlen(msg)};
    __wasi_size_t written = 0;
    EXPECT_ERRNO(__wasi_fd_write(wr, &iov, 1, &written), 0);
    CHECKF(written == strlen(msg), "fd_write to out.txt wrote %lu bytes", written);

    s[1] = fd_sub(23, __WASI_EVENTTYPE_FD_WRITE, 1);
    err = do_poll(s, 2, e, &n);
    CHECKF(err == 0 && n == 1, "poll(clock, fd_write stdout): errno %u, %lu events", err, n);
    expect_fd_event(__LINE__, find(e, n, 23), __WASI_EVENTTYPE_FD_WRITE, -1);

    EXPECT_ERRNO(__wasi_fd_seek(rd, 90, __WASI_WHENCE_SET, &(__wasi_filesize_t){0}), 0);
    s[2] = fd_sub(24, __WASI_EVENTTYPE_FD_READ, rd);
    s[3] = fd_sub(25, __WASI_EVENTTYPE_FD_WRITE, wr);
    err = do_poll(s, 4, e, &n);
    CHECKF(err == 0 && n == 3, "poll(clock, 3 fds): errno %u, %lu events (want 3)", err, n);
    expect_fd_event(__LINE__, find(e, n, 23), __WASI_EVENTTYPE_FD_WRITE, -1);
    expect_fd_event(__LINE__, find(e, n, 24), __WASI_EVENTTYPE_FD_READ, 10);
    expect_fd_event(__LINE__, find(e, n, 25), __WASI_EVENTTYPE_FD_WRITE, -1);
    CHECKF(find(e, n, 20) == NULL, "the 10 s clock fired");
    EXPECT_ERRNO(__wasi_fd_close(rd), 0);
    EXPECT_ERRNO(__wasi_fd_close(wr), 0);

    /* stdin given as bytes ("hello stdin\n"): always ready, nbytes = bytes left. */
    s[1] = fd_sub(26, __WASI_EVENTTYPE_FD_READ, 0);
    err = do_poll(s, 2, e, &n);
    CHECKF(err == 0 && n == 1, "poll(clock, fd_read stdin): errno %u, %lu events", err, n);
    expect_fd_event(__LINE__, find(e, n, 26), __WASI_EVENTTYPE_FD_READ, 12);
    CHECKF(read_fd(0, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0, "read 5 bytes of stdin");
    err = do_poll(s, 2, e, &n);
    CHECKF(err == 0 && n == 1, "poll(clock, fd_read stdin): errno %u, %lu events", err, n);
    expect_fd_event(__LINE__, find(e, n, 26), __WASI_EVENTTYPE_FD_READ, 7);
    CHECKF(read_fd(0, buf, sizeof buf) == 7 && memcmp(buf, " stdin\n", 7) == 0, "read rest of stdin");
    err = do_poll(s, 2, e, &n);
    CHECKF(err == 0 && n == 1, "poll(clock, fd_read stdin at EOF): errno %u, %lu events", err, n);
    expect_fd_event(__LINE__, find(e, n, 26), __WASI_EVENTTYPE_FD_READ, 0);
}

static void errors(void) {
    __wasi_subscription_t s[2];
    __wasi_event_t e[2];
    __wasi_size_t n;

    /* No subscriptions: INVAL (it would block forever). */
    s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 0, 0);
    EXPECT_ERRNO(do_poll(s, 0, e, &n), __WASI_ERRNO_INVAL);

    /* An fd that is not open: the call fails with BADF, as in wasmtime. */
    s[0] = fd_sub(1, __WASI_EVENTTYPE_FD_READ, 99);
    EXPECT_ERRNO(do_poll(s, 1, e, &n), __WASI_ERRNO_BADF);
    s[0] = fd_sub(1, __WASI_EVENTTYPE_FD_WRITE, 0x7FFFFFFF);
    EXPECT_ERRNO(do_poll(s, 1, e, &n), __WASI_ERRNO_BADF);
    s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 0, 0);
    s[1] = fd_sub(2, __WASI_EVENTTYPE_FD_READ, 99);
    EXPECT_ERRNO(do_poll(s, 2, e, &n), __WASI_ERRNO_BADF);

    /* An unknown event type tag. */
    s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 0, 0);
    s[0].u.tag = 3;
    EXPECT_ERRNO(do_poll(s, 1, e, &n), __WASI_ERRNO_INVAL);
    s[0].u.tag = 255;
    EXPECT_ERRNO(do_poll(s, 1, e, &n), __WASI_ERRNO_INVAL);

    /* An unknown clock id, relative or absolute, alone or next to a valid clock. */
    s[0] = clock_sub(1, 4, 0, 0);
    EXPECT_ERRNO(do_poll(s, 1, e, &n), __WASI_ERRNO_INVAL);
    s[0] = clock_sub(1, 0xFFFFFFFFu, 1 * MS, 0);
    EXPECT_ERRNO(do_poll(s, 1, e, &n), __WASI_ERRNO_INVAL);
    s[0] = clock_sub(1, 4, 0, ABS);
    EXPECT_ERRNO(do_poll(s, 1, e, &n), __WASI_ERRNO_INVAL);
    s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 0, 0);
    s[1] = clock_sub(2, 7, 0, 0);
    EXPECT_ERRNO(do_poll(s, 2, e, &n), __WASI_ERRNO_INVAL);
}

static void pipe_mode(int eof) {
    __wasi_subscription_t s[2];
    __wasi_event_t e[2];
    __wasi_size_t n;
    __wasi_errno_t err;
    char buf[64];

    s[0] = clock_sub(30, __WASI_CLOCKID_MONOTONIC, 5 * SEC, 0);
    s[1] = fd_sub(31, __WASI_EVENTTYPE_FD_READ, 0);
    err = do_poll(s, 2, e, &n);
    CHECKF(err == 0 && n == 1, "poll(clock, fd_read pipe): errno %u, %lu events", err, n);
    expect_fd_event(__LINE__, find(e, n, 31), __WASI_EVENTTYPE_FD_READ, 10);
    size_t got = read_fd(0, buf, sizeof buf);
    CHECKF(got == 10 && memcmp(buf, "pipe data\n", 10) == 0, "read %zu bytes from the pipe", got);

    if (!eof) {
        /* Empty pipe, writer still open: only the clock fires, after its timeout. */
        s[0] = clock_sub(32, __WASI_CLOCKID_MONOTONIC, 30 * MS, 0);
        __wasi_timestamp_t t0 = now(__WASI_CLOCKID_MONOTONIC);
        err = do_poll(s, 2, e, &n);
        __wasi_timestamp_t t1 = now(__WASI_CLOCKID_MONOTONIC);
        expect_one_clock(__LINE__, err, n, e, 32);
        CHECKF(t1 - t0 >= 30 * MS, "empty-pipe poll returned after %llu ns",
               (unsigned long long)(t1 - t0));
    } else {
        /* Writer closed: end of input is readable at once, with nothing left. */
        err = do_poll(s, 2, e, &n);
        CHECKF(err == 0 && n == 1, "poll(clock, fd_read closed pipe): errno %u, %lu events", err, n);
        expect_fd_event(__LINE__, find(e, n, 31), __WASI_EVENTTYPE_FD_READ, 0);
        CHECKF(read_fd(0, buf, sizeof buf) == 0, "read at end of the pipe");
    }
}

static void det_mode(void) {
    __wasi_subscription_t s[1];
    __wasi_event_t e[1];
    __wasi_size_t n;
    const uint64_t hour = 3600 * SEC;
    __wasi_timestamp_t mono0 = now(__WASI_CLOCKID_MONOTONIC);
    __wasi_timestamp_t real0 = now(__WASI_CLOCKID_REALTIME);
    s[0] = clock_sub(70, __WASI_CLOCKID_MONOTONIC, hour, 0);
    __wasi_errno_t err = do_poll(s, 1, e, &n);
    __wasi_timestamp_t mono1 = now(__WASI_CLOCKID_MONOTONIC);
    __wasi_timestamp_t real1 = now(__WASI_CLOCKID_REALTIME);
    expect_one_clock(__LINE__, err, n, e, 70);
    CHECKF(mono1 - mono0 >= hour, "monotonic advanced by %llu ns", (unsigned long long)(mono1 - mono0));
    CHECKF(real1 - real0 >= hour, "realtime advanced by %llu ns", (unsigned long long)(real1 - real0));
    printf("mono0=%llu mono1=%llu real0=%llu real1=%llu\n", (unsigned long long)mono0,
           (unsigned long long)mono1, (unsigned long long)real0, (unsigned long long)real1);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "main") == 0) {
        relative_clocks();
        absolute_clocks();
        __wasi_errno_t p = cputime_clock(__WASI_CLOCKID_PROCESS_CPUTIME_ID);
        __wasi_errno_t t = cputime_clock(__WASI_CLOCKID_THREAD_CPUTIME_ID);
        printf("cputime process=%u thread=%u\n", p, t);
        files_and_stdio();
        errors();
    } else if (strcmp(mode, "pipe") == 0) {
        pipe_mode(0);
    } else if (strcmp(mode, "eof") == 0) {
        pipe_mode(1);
    } else if (strcmp(mode, "det") == 0) {
        det_mode();
    } else {
        fprintf(stderr, "poll: unknown mode \"%s\"\n", mode);
        return 2;
    }
    return check_summary("ok %d checks\n", checks);
}
