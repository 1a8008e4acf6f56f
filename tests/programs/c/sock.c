/*
 * sock: sock_accept, sock_recv, sock_send, sock_shutdown and fd I/O on an
 * accepted connection, plus the sock_* errors.
 *
 * Run with: fd 3 a listening stream socket (TCP or Unix domain; no preopens),
 * stdin a regular file, stdout captured. A peer connects to the listener and:
 *   1. sends "ping";
 *   2. reads "pong" (sock_send) then "via fd_write\n" (fd_write): 17 bytes;
 *   3. sends "more";
 *   4. reads until end of stream (the guest shuts down its write side);
 *   5. sends "last" and closes.
 * The guest checks, in this order:
 *   - fd 3 is a SOCKET_STREAM; sock_accept(3, 0) gives fd 4, a SOCKET_STREAM;
 *   - poll_oneoff fd_read on fd 4 (next to a 10 s clock) reports it readable,
 *     1 <= nbytes <= 4; fd_write on it is ready;
 *   - sock_recv with RECV_PEEK sees a prefix of "ping" and leaves it there;
 *     sock_recv with RECV_WAITALL then takes "ping"; ro_flags are 0;
 *   - sock_send "pong" sends 4 bytes; fd_write sends "via fd_write\n";
 *   - fd_read gets "more"; sock_shutdown(4, 0) is INVAL; sock_shutdown(4, WR)
 *     succeeds; the connection still reads: "last", then end of stream (0);
 *   - errors: sock_accept(1) (captured stdout) NOTSOCK (BADF accepted, as
 *     wasi-common answered); sock_accept(99) BADF; with fd 3 set to NONBLOCK
 *     by fd_fdstat_set_flags, sock_accept(3, NONBLOCK) and sock_accept(3, 0)
 *     are AGAIN (no pending connection; flags are restored after);
 *     sock_accept(3, APPEND) INVAL (only NONBLOCK applies to a socket);
 *     sock_recv(0) on the file NOTSOCK; sock_send(1) on stdout and
 *     sock_shutdown(0, RD) on the file NOTSOCK (BADF accepted: wasmtime
 *     answers NOTSOCK, wasi-common answered BADF; never NOTCAPABLE, a file
 *     is not a socket whatever its rights); sock_recv/sock_send/sock_shutdown
 *     on fd 99 BADF;
 *   - fd_close(4) succeeds; fd 4 is then BADF.
 * Every failed check prints "sock: FAIL line N: ..." on stderr (check.h); the
 * exit status is 1 if any failed. On success stdout is "ok <N> checks".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define CHECK_NAME "sock"
#include "check.h"

static uint8_t filetype(__wasi_fd_t fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t err = __wasi_fd_fdstat_get(fd, &st);
    CHECKF(err == 0, "fd_fdstat_get(%u) returned errno %u", fd, err);
    return err == 0 ? st.fs_filetype : 0xFF;
}

/* fd_read until len bytes or end of stream; returns the count. */
static size_t read_full(__wasi_fd_t fd, char *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        __wasi_iovec_t iov = {(uint8_t *)buf + got, len - got};
        __wasi_size_t n = 0;
        __wasi_errno_t err = __wasi_fd_read(fd, &iov, 1, &n);
        CHECKF(err == 0, "fd_read(%u) returned errno %u", fd, err);
        if (err != 0 || n == 0)
            break;
        got += n;
    }
    return got;
}

int main(void) {
    char buf[64];
    __wasi_size_t n = 0;
    __wasi_roflags_t roflags = 0xFFFF;

    CHECKF(filetype(3) == __WASI_FILETYPE_SOCKET_STREAM, "fd 3 filetype is not SOCKET_STREAM");

    __wasi_fd_t c = 0xFFFF;
    EXPECT_ERRNO(__wasi_sock_accept(3, 0, &c), 0);
    CHECKF(c == 4, "sock_accept gave fd %u, want 4", c);
    CHECKF(filetype(c) == __WASI_FILETYPE_SOCKET_STREAM, "accepted fd filetype is not SOCKET_STREAM");

    /* poll_oneoff: the connection becomes readable (the peer sent "ping"), and is writable. */
    __wasi_subscription_t s[2];
    __wasi_event_t e[2];
    memset(s, 0, sizeof s);
    s[0].userdata = 1;
    s[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    s[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s[0].u.u.clock.timeout = 10000000000ull;
    s[1].userdata = 2;
    s[1].u.tag = __WASI_EVENTTYPE_FD_READ;
    s[1].u.u.fd_read.file_descriptor = c;
    EXPECT_ERRNO(__wasi_poll_oneoff(s, e, 2, &n), 0);
    CHECKF(n == 1, "poll(fd_read) gave %lu events", n);
    CHECKF(e[0].userdata == 2 && e[0].type == __WASI_EVENTTYPE_FD_READ && e[0].error == 0,
           "poll(fd_read) event userdata %llu type %u error %u", (unsigned long long)e[0].userdata,
           e[0].type, e[0].error);
    CHECKF(e[0].fd_readwrite.nbytes >= 1 && e[0].fd_readwrite.nbytes <= 4, "poll(fd_read) nbytes %llu",
           (unsigned long long)e[0].fd_readwrite.nbytes);
    s[1].userdata = 3;
    s[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    EXPECT_ERRNO(__wasi_poll_oneoff(s, e, 2, &n), 0);
    CHECKF(n == 1 && e[0].userdata == 3 && e[0].type == __WASI_EVENTTYPE_FD_WRITE && e[0].error == 0,
           "poll(fd_write): %lu events, userdata %llu type %u error %u", n,
           (unsigned long long)e[0].userdata, e[0].type, e[0].error);

    /* RECV_PEEK leaves the data; RECV_WAITALL then takes all 4 bytes. */
    memset(buf, 0, sizeof buf);
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    EXPECT_ERRNO(__wasi_sock_recv(c, &iov, 1, __WASI_RIFLAGS_RECV_PEEK, &n, &roflags), 0);
    CHECKF(n >= 1 && n <= 4 && memcmp(buf, "ping", n) == 0, "peek got %lu bytes \"%.*s\"", n, (int)n,
           buf);
    CHECKF(roflags == 0, "peek ro_flags %u", roflags);
    memset(buf, 0, sizeof buf);
    __wasi_iovec_t iovs[2] = {{(uint8_t *)buf, 1}, {(uint8_t *)buf + 1, 3}};
    roflags = 0xFFFF;
    EXPECT_ERRNO(__wasi_sock_recv(c, iovs, 2, __WASI_RIFLAGS_RECV_WAITALL, &n, &roflags), 0);
    CHECKF(n == 4 && memcmp(buf, "ping", 4) == 0, "recv got %lu bytes \"%.*s\"", n, (int)n, buf);
    CHECKF(roflags == 0, "recv ro_flags %u", roflags);

    /* sock_send, then fd_write on the same connection. */
    __wasi_ciovec_t out[2] = {{(const uint8_t *)"po", 2}, {(const uint8_t *)"ng", 2}};
    EXPECT_ERRNO(__wasi_sock_send(c, out, 2, 0, &n), 0);
    CHECKF(n == 4, "sock_send sent %lu bytes", n);
    const char *msg = "via fd_write\n";
    __wasi_ciovec_t w = {(const uint8_t *)msg, strlen(msg)};
    EXPECT_ERRNO(__wasi_fd_write(c, &w, 1, &n), 0);
    CHECKF(n == strlen(msg), "fd_write sent %lu bytes", n);

    /* fd_read on the connection. */
    memset(buf, 0, sizeof buf);
    CHECKF(read_full(c, buf, 4) == 4 && memcmp(buf, "more", 4) == 0, "fd_read got \"%s\"", buf);

    /* Shutting down nothing is INVAL; shutting down the write side lets the peer see EOF. */
    EXPECT_ERRNO(__wasi_sock_shutdown(c, 0), __WASI_ERRNO_INVAL);
    EXPECT_ERRNO(__wasi_sock_shutdown(c, __WASI_SDFLAGS_WR), 0);
    memset(buf, 0, sizeof buf);
    CHECKF(read_full(c, buf, 4) == 4 && memcmp(buf, "last", 4) == 0, "read after shutdown got \"%s\"",
           buf);
    CHECKF(read_full(c, buf, sizeof buf) == 0, "no end of stream after \"last\"");

    /* Errors. */
    __wasi_fd_t bad = 0xFFFF;
    EXPECT_ERRNO(__wasi_sock_accept(1, 0, &bad), __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_sock_accept(99, 0, &bad), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_fd_fdstat_set_flags(3, __WASI_FDFLAGS_NONBLOCK), 0);
    __wasi_fdstat_t st;
    EXPECT_ERRNO(__wasi_fd_fdstat_get(3, &st), 0);
    CHECKF(st.fs_flags & __WASI_FDFLAGS_NONBLOCK, "listener flags %u lack NONBLOCK", st.fs_flags);
    EXPECT_ERRNO(__wasi_sock_accept(3, __WASI_FDFLAGS_NONBLOCK, &bad), __WASI_ERRNO_AGAIN);
    EXPECT_ERRNO(__wasi_sock_accept(3, 0, &bad), __WASI_ERRNO_AGAIN);
    EXPECT_ERRNO(__wasi_fd_fdstat_set_flags(3, 0), 0);
    EXPECT_ERRNO(__wasi_sock_accept(3, __WASI_FDFLAGS_APPEND, &bad), __WASI_ERRNO_INVAL);
    CHECKF(bad == 0xFFFF, "a failed sock_accept wrote fd %u", bad);

    iov.buf = (uint8_t *)buf;
    iov.buf_len = sizeof buf;
    EXPECT_ERRNO(__wasi_sock_recv(0, &iov, 1, 0, &n, &roflags), __WASI_ERRNO_NOTSOCK);
    EXPECT_ERRNO(__wasi_sock_send(1, &w, 1, 0, &n), __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_sock_shutdown(0, __WASI_SDFLAGS_RD), __WASI_ERRNO_NOTSOCK, __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_sock_recv(99, &iov, 1, 0, &n, &roflags), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_sock_send(99, &w, 1, 0, &n), __WASI_ERRNO_BADF);
    EXPECT_ERRNO(__wasi_sock_shutdown(99, __WASI_SDFLAGS_WR), __WASI_ERRNO_BADF);

    EXPECT_ERRNO(__wasi_fd_close(c), 0);
    EXPECT_ERRNO(__wasi_fd_fdstat_get(c, &st), __WASI_ERRNO_BADF);

    return check_summary("ok %d checks\n", checks);
}
