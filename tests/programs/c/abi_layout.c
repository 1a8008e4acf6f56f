/*
 * abi_layout: print the wasm32 layout of every WASI preview1 type exactly as
 * wasi-libc compiles it (<wasi/api.h>), so a host's own layout tables can be
 * compared against it line by line.
 *
 * Output (stdout), one line per fact:
 *   size <witx_type_name> <size> <align>
 *   offset <witx_type_name> <field_name> <offset>
 * Exit status 0.
 */
#include <stddef.h>
#include <stdio.h>
#include <wasi/api.h>

#define SIZE(name) \
    printf("size %s %zu %zu\n", #name, sizeof(__wasi_##name##_t), _Alignof(__wasi_##name##_t))
#define OFFSET(name, field) \
    printf("offset %s %s %zu\n", #name, #field, offsetof(__wasi_##name##_t, field))

int main(void) {
    /* Structs and unions, each followed by its fields in witx order. */
    SIZE(iovec);
    OFFSET(iovec, buf);
    OFFSET(iovec, buf_len);

    SIZE(ciovec);
    OFFSET(ciovec, buf);
    OFFSET(ciovec, buf_len);

    SIZE(dirent);
    OFFSET(dirent, d_next);
    OFFSET(dirent, d_ino);
    OFFSET(dirent, d_namlen);
    OFFSET(dirent, d_type);

    SIZE(fdstat);
    OFFSET(fdstat, fs_filetype);
    OFFSET(fdstat, fs_flags);
    OFFSET(fdstat, fs_rights_base);
    OFFSET(fdstat, fs_rights_inheriting);

    SIZE(filestat);
    OFFSET(filestat, dev);
    OFFSET(filestat, ino);
    OFFSET(filestat, filetype);
    OFFSET(filestat, nlink);
    OFFSET(filestat, size);
    OFFSET(filestat, atim);
    OFFSET(filestat, mtim);
    OFFSET(filestat, ctim);

    SIZE(event_fd_readwrite);
    OFFSET(event_fd_readwrite, nbytes);
    OFFSET(event_fd_readwrite, flags);

    SIZE(event);
    OFFSET(event, userdata);
    OFFSET(event, error);
    OFFSET(event, type);
    OFFSET(event, fd_readwrite);

    SIZE(subscription_clock);
    OFFSET(subscription_clock, id);
    OFFSET(subscription_clock, timeout);
    OFFSET(subscription_clock, precision);
    OFFSET(subscription_clock, flags);

    SIZE(subscription_fd_readwrite);
    OFFSET(subscription_fd_readwrite, file_descriptor);

    /* The tagged union: `tag` is the eventtype, `u` the payload union. */
    SIZE(subscription_u);
    OFFSET(subscription_u, tag);
    OFFSET(subscription_u, u);

    SIZE(subscription);
    OFFSET(subscription, userdata);
    OFFSET(subscription, u);

    SIZE(prestat_dir);
    OFFSET(prestat_dir, pr_name_len);

    SIZE(prestat);
    OFFSET(prestat, tag);
    OFFSET(prestat, u);

    /* Scalars, enums and flags. */
    SIZE(size);
    SIZE(filesize);
    SIZE(timestamp);
    SIZE(clockid);
    SIZE(errno);
    SIZE(rights);
    SIZE(fd);
    SIZE(filedelta);
    SIZE(whence);
    SIZE(dircookie);
    SIZE(dirnamlen);
    SIZE(inode);
    SIZE(filetype);
    SIZE(advice);
    SIZE(fdflags);
    SIZE(device);
    SIZE(fstflags);
    SIZE(lookupflags);
    SIZE(oflags);
    SIZE(linkcount);
    SIZE(userdata);
    SIZE(eventtype);
    SIZE(eventrwflags);
    SIZE(subclockflags);
    SIZE(exitcode);
#ifdef __WASI_SIGNAL_NONE
    /* Older wasi-libc only: `signal` (and proc_raise) were dropped from its
     * header, so this line is absent when built against newer wasi-libc. */
    SIZE(signal);
#endif
    SIZE(riflags);
    SIZE(roflags);
    SIZE(siflags);
    SIZE(sdflags);
    SIZE(preopentype);

    if (fflush(stdout) != 0) {
        fputs("abi_layout: FAIL: fflush(stdout)\n", stderr);
        return 1;
    }
    return 0;
}
