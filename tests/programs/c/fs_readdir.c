/*
 * fs_readdir: fd_readdir on a real directory in a preopened sandbox (fd 3).
 *
 * The host prepares, inside the preopen:
 *   rd/file     regular file "x"
 *   rd/sub/     directory
 *   rd/sym      symlink -> file
 *   rd/a-much-longer-name-for-an-entry.txt   regular file
 * and nothing else in rd/. The guest only reads.
 *
 * Checks:
 *   - one call with a large buffer returns every entry once, "." and ".."
 *     included, and nothing else; bufused < buf_len (it all fits);
 *   - d_type per entry (DIRECTORY, REGULAR_FILE, SYMBOLIC_LINK, not following
 *     the symlink), d_namlen == name length, d_ino of "file" and "sub" equal the
 *     ino that fd_filestat_get reports for them;
 *   - cookies: a call starting at entry i's d_next returns exactly entries
 *     i+1.. with the same bytes; the last entry's d_next and UINT64_MAX give
 *     bufused 0 (success);
 *   - a small buffer: for every buf_len from 0 up to the full size, bufused ==
 *     buf_len and the bytes are the prefix of the full listing (the last entry
 *     is truncated to fill the buffer exactly, as the spec says);
 *   (byte comparisons skip the 3 padding bytes after d_type: the spec does not
 *   say what a host writes there)
 *   - fd_readdir on a regular file: NOTDIR (BADF, NOTCAPABLE accepted); on an
 *     unopened fd: BADF.
 * Output: "fs_readdir: ok <n> checks\n" and the entry names in listing order,
 * one "entry <type> <name>" line each. The first failed check ends the run
 * (check.h with CHECK_FAIL_FAST): "fs_readdir: FAIL line <n>: ..." on stderr and
 * exit status 1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define CHECK_NAME "fs_readdir"
#define CHECK_FAIL_FAST
#include "check.h"

#define DIR_FD 3
#define HDR sizeof(__wasi_dirent_t)
#define MAXE 16

struct entry {
    __wasi_dirent_t d;
    char name[64];
    size_t off; /* offset of the entry in the full listing */
};

static uint8_t full[4096];
static __wasi_size_t full_len;
static struct entry ents[MAXE];
static int nents;

static const struct {
    const char *name;
    __wasi_filetype_t type;
} expected[] = {
    {".", __WASI_FILETYPE_DIRECTORY},
    {"..", __WASI_FILETYPE_DIRECTORY},
    {"file", __WASI_FILETYPE_REGULAR_FILE},
    {"sub", __WASI_FILETYPE_DIRECTORY},
    {"sym", __WASI_FILETYPE_SYMBOLIC_LINK},
    {"a-much-longer-name-for-an-entry.txt", __WASI_FILETYPE_REGULAR_FILE},
};
#define NEXPECTED (int)(sizeof expected / sizeof expected[0])

/* Split a listing into entries; every entry must be complete. */
static int parse(int line, const uint8_t *buf, __wasi_size_t len, struct entry *out, int max) {
    int n = 0;
    size_t off = 0;
    while (off < len) {
        if (n == max)
            check_fail(line, "more than %d entries", max);
        if (len - off < HDR)
            check_fail(line, "truncated header at offset %zu (bufused %lu)", off, len);
        memcpy(&out[n].d, buf + off, HDR);
        uint32_t nl = out[n].d.d_namlen;
        if (nl >= sizeof out[n].name || len - off - HDR < nl)
            check_fail(line, "bad d_namlen %u at offset %zu (bufused %lu)", nl, off, len);
        memcpy(out[n].name, buf + off + HDR, nl);
        out[n].name[nl] = 0;
        if (strlen(out[n].name) != nl)
            check_fail(line, "NUL byte inside the name at offset %zu", off);
        out[n].off = off;
        off += HDR + nl;
        n++;
    }
    return n;
}

/* 1 for the bytes of the full listing that are dirent padding (after d_type): a
 * host need not write them, so they are not compared. */
static uint8_t padding[4096];

/* got[0..n) equals full[start..start+n), padding bytes aside */
static int same(const uint8_t *got, size_t start, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!padding[start + i] && got[i] != full[start + i])
            return 0;
    return 1;
}

static int find(const char *name) {
    for (int i = 0; i < nents; i++)
        if (strcmp(ents[i].name, name) == 0)
            return i;
    return -1;
}

static __wasi_fd_t open_rd(const char *path, __wasi_oflags_t oflags) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    EXPECT_OK(__wasi_path_open(DIR_FD, 0, path, oflags,
                               __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_FD_FILESTAT_GET |
                                   __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_PATH_OPEN,
                               0, 0, &fd));
    return fd;
}

int main(void) {
    __wasi_fd_t rd = open_rd("rd", __WASI_OFLAGS_DIRECTORY);

    /* the whole listing in one call */
    memset(full, 0xEE, sizeof full);
    EXPECT_OK(__wasi_fd_readdir(rd, full, sizeof full, 0, &full_len));
    CHECK(full_len > 0 && full_len < sizeof full);
    nents = parse(__LINE__, full, full_len, ents, MAXE);
    CHECK_EQ(nents, NEXPECTED);
    for (int i = 0; i < NEXPECTED; i++) {
        int j = find(expected[i].name);
        if (j < 0)
            check_fail(__LINE__, "entry \"%s\" missing", expected[i].name);
        CHECK_EQ(ents[j].d.d_type, expected[i].type);
        CHECK_EQ(ents[j].d.d_namlen, strlen(expected[i].name));
    }
    CHECK(full[full_len] == 0xEE); /* nothing written past bufused */
    for (int i = 0; i < nents; i++)
        for (size_t b = offsetof(__wasi_dirent_t, d_type) + 1; b < HDR; b++)
            padding[ents[i].off + b] = 1;

    /* d_ino agrees with fd_filestat_get */
    const char *inodes[] = {"file", "sub"};
    for (int i = 0; i < 2; i++) {
        __wasi_fd_t f = (__wasi_fd_t)-1;
        char path[16];
        snprintf(path, sizeof path, "rd/%s", inodes[i]);
        EXPECT_OK(__wasi_path_open(DIR_FD, 0, path, 0, __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &f));
        __wasi_filestat_t st;
        EXPECT_OK(__wasi_fd_filestat_get(f, &st));
        CHECK_EQ(ents[find(inodes[i])].d.d_ino, st.ino);
        EXPECT_OK(__wasi_fd_close(f));
    }

    /* the same listing again: identical bytes (cookies and order are stable) */
    static uint8_t again[4096];
    __wasi_size_t used = 0;
    EXPECT_OK(__wasi_fd_readdir(rd, again, sizeof again, 0, &used));
    CHECK_EQ(used, full_len);
    CHECK(same(again, 0, full_len));

    /* resume from each entry's d_next: the rest of the listing, byte for byte */
    for (int i = 0; i < nents; i++) {
        memset(again, 0, sizeof again);
        EXPECT_OK(__wasi_fd_readdir(rd, again, sizeof again, ents[i].d.d_next, &used));
        size_t rest = full_len - (ents[i].off + HDR + ents[i].d.d_namlen);
        CHECK_EQ(used, rest);
        CHECK(same(again, full_len - rest, rest));
        if (i + 1 < nents)
            CHECK(ents[i].d.d_next != ents[i + 1].d.d_next);
    }
    /* cookie past the end: nothing, and not an error */
    EXPECT_OK(__wasi_fd_readdir(rd, again, sizeof again, ents[nents - 1].d.d_next, &used));
    CHECK_EQ(used, 0);
    used = 1234;
    EXPECT_OK(__wasi_fd_readdir(rd, again, sizeof again, UINT64_MAX, &used));
    CHECK_EQ(used, 0);

    /* small buffers: filled exactly, the last entry truncated */
    for (__wasi_size_t len = 0; len <= full_len; len++) {
        memset(again, 0xEE, sizeof again);
        used = 0xFFFF;
        __wasi_errno_t e = __wasi_fd_readdir(rd, again, len, 0, &used);
        if (e != 0)
            check_fail(__LINE__, "fd_readdir buf_len %lu: errno %u", len, e);
        if (used != len)
            check_fail(__LINE__, "fd_readdir buf_len %lu: bufused %lu, expected %lu", len, used, len);
        if (!same(again, 0, len) || again[len] != 0xEE)
            check_fail(__LINE__, "fd_readdir buf_len %lu: bytes differ from the full listing", len);
        checks += 3;
    }
    /* a small buffer from a cookie: the truncated start of the rest */
    size_t off2 = ents[2].off;
    EXPECT_OK(__wasi_fd_readdir(rd, again, (uint32_t)(HDR + 1), ents[1].d.d_next, &used));
    CHECK_EQ(used, HDR + 1);
    CHECK(same(again, off2, HDR + 1));

    /* errors */
    __wasi_fd_t f = open_rd("rd/file", 0);
    EXPECT_ERRNO(__wasi_fd_readdir(f, again, sizeof again, 0, &used), __WASI_ERRNO_NOTDIR,
                 __WASI_ERRNO_BADF, __WASI_ERRNO_NOTCAPABLE);
    EXPECT_OK(__wasi_fd_close(f));
    EXPECT_ERRNO(__wasi_fd_readdir(1000, again, sizeof again, 0, &used), __WASI_ERRNO_BADF);
    EXPECT_OK(__wasi_fd_close(rd));
    EXPECT_ERRNO(__wasi_fd_readdir(rd, again, sizeof again, 0, &used), __WASI_ERRNO_BADF);

    int status = check_summary("fs_readdir: ok %d checks\n", checks);
    for (int i = 0; i < nents; i++)
        printf("entry %u %s\n", (unsigned)ents[i].d.d_type, ents[i].name);
    return status;
}
