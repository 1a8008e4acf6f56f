"""``fd_*`` functions: descriptor-level I/O and metadata, dispatched to the descriptor's class.

Each function looks its descriptor up with the rights it needs (``FdTable.get`` refuses with ``BADF``
or ``NOTCAPABLE``) and calls one method of it; what the descriptor supports is its class's business.
"""

from __future__ import annotations

from ..abi import (
    Advice,
    Clockid,
    Dircookie,
    Errno,
    Fd,
    Fdflags,
    Fdstat,
    Filedelta,
    Filesize,
    Filestat,
    Fstflags,
    Prestat,
    Rights,
    Size,
    Timestamp,
    Whence,
)
from ..context import WasiContext
from ..errors import WasiError
from ..fdtable import RIGHT
from ..fs.dirents import pack_dirents
from ..namespace.types import CiovecArray, GuestBytes, IovecArray
from ._register import wasi

R = RIGHT  # plain ints: see fdtable.RIGHT
_FD_WRITE = R.FD_WRITE
_FD_READ = R.FD_READ
_MAX_OFFSET = (1 << 63) - 1  # offsets are signed on the host (off_t)


# The hot path: no Size(...) around the count (a NewType is an identity function, but calling it
# costs about 70 ns on Python 3.10), hence the ignores.


def _descriptors_decide(ctx: WasiContext) -> bool:
    """fd_read/fd_write's native fast path serves the descriptors ``ctx.fds.direct`` lists."""
    return True


@wasi("nwritten", native_when=_descriptors_decide)
def fd_write(ctx: WasiContext, fd: Fd, iovs: CiovecArray) -> Size:
    return ctx.fds.get(fd, _FD_WRITE).write(iovs)  # type: ignore[return-value]


@wasi("nread", native_when=_descriptors_decide)
def fd_read(ctx: WasiContext, fd: Fd, iovs: IovecArray) -> Size:
    return ctx.fds.get(fd, _FD_READ).read(iovs)  # type: ignore[return-value]


@wasi("nread")
def fd_pread(ctx: WasiContext, fd: Fd, iovs: IovecArray, offset: Filesize) -> Size:
    d = ctx.fds.get(fd, R.FD_READ | R.FD_SEEK)
    if offset > _MAX_OFFSET:
        raise WasiError(Errno.INVAL, "offset above 2**63 - 1")
    return Size(d.pread(iovs, offset))


@wasi("nwritten")
def fd_pwrite(ctx: WasiContext, fd: Fd, iovs: CiovecArray, offset: Filesize) -> Size:
    d = ctx.fds.get(fd, R.FD_WRITE | R.FD_SEEK)
    if offset > _MAX_OFFSET:
        raise WasiError(Errno.INVAL, "offset above 2**63 - 1")
    return Size(d.pwrite(iovs, offset))


@wasi("newoffset")
def fd_seek(ctx: WasiContext, fd: Fd, offset: Filedelta, whence: Whence) -> Filesize:
    # Asking where we are needs only FD_TELL (wasi-libc's ftell is a seek by 0 from CUR).
    need = R.FD_TELL if offset == 0 and whence == Whence.CUR else R.FD_SEEK
    d = ctx.fds.get(fd, need)
    return Filesize(d.seek(offset, whence))


@wasi("offset")
def fd_tell(ctx: WasiContext, fd: Fd) -> Filesize:
    return Filesize(ctx.fds.get(fd, R.FD_TELL).tell())


@wasi()
def fd_close(ctx: WasiContext, fd: Fd) -> None:
    ctx.fds.close(fd)


@wasi()
def fd_renumber(ctx: WasiContext, fd: Fd, to: Fd) -> None:
    ctx.fds.renumber(fd, to)


@wasi()
def fd_sync(ctx: WasiContext, fd: Fd) -> None:
    ctx.fds.get(fd, R.FD_SYNC).sync()


@wasi()
def fd_datasync(ctx: WasiContext, fd: Fd) -> None:
    ctx.fds.get(fd, R.FD_DATASYNC).datasync()


@wasi()
def fd_advise(ctx: WasiContext, fd: Fd, offset: Filesize, len: Filesize, advice: Advice) -> None:
    d = ctx.fds.get(fd, R.FD_ADVISE)
    if offset > _MAX_OFFSET or len > _MAX_OFFSET:
        raise WasiError(Errno.INVAL)
    d.advise(offset, len, advice)


@wasi()
def fd_allocate(ctx: WasiContext, fd: Fd, offset: Filesize, len: Filesize) -> None:
    d = ctx.fds.get(fd, R.FD_ALLOCATE)
    if offset > _MAX_OFFSET or len > _MAX_OFFSET or offset + len > _MAX_OFFSET:
        raise WasiError(Errno.INVAL)
    d.allocate(offset, len)


@wasi("fdstat")
def fd_fdstat_get(ctx: WasiContext, fd: Fd) -> Fdstat:
    return ctx.fds.get(fd).fdstat()


@wasi()
def fd_fdstat_set_flags(ctx: WasiContext, fd: Fd, flags: Fdflags) -> None:
    ctx.fds.get(fd, R.FD_FDSTAT_SET_FLAGS).set_flags(flags)


@wasi()
def fd_fdstat_set_rights(ctx: WasiContext, fd: Fd, fs_rights_base: Rights, fs_rights_inheriting: Rights) -> None:
    """Rights can only shrink: asking for one the descriptor lacks is ``NOTCAPABLE``."""
    d = ctx.fds.get(fd)
    if fs_rights_base & ~d.rights_base or fs_rights_inheriting & ~d.rights_inheriting:
        raise WasiError(Errno.NOTCAPABLE, "fd_fdstat_set_rights cannot add rights")
    d.rights_base, d.rights_inheriting = fs_rights_base, fs_rights_inheriting


@wasi("filestat")
def fd_filestat_get(ctx: WasiContext, fd: Fd) -> Filestat:
    return ctx.fds.get(fd, R.FD_FILESTAT_GET).filestat()


@wasi()
def fd_filestat_set_size(ctx: WasiContext, fd: Fd, size: Filesize) -> None:
    d = ctx.fds.get(fd, R.FD_FILESTAT_SET_SIZE)
    if size > _MAX_OFFSET:
        raise WasiError(Errno.FBIG)
    d.set_size(size)


@wasi()
def fd_filestat_set_times(ctx: WasiContext, fd: Fd, atim: Timestamp, mtim: Timestamp, fst_flags: Fstflags) -> None:
    d = ctx.fds.get(fd, R.FD_FILESTAT_SET_TIMES)
    d.set_times(*times(ctx, atim, mtim, fst_flags))


def times(ctx: WasiContext, atim: int, mtim: int, flags: Fstflags) -> tuple[int | None, int | None]:
    """The (atime, mtime) that ``fst_flags`` asks for: a value, now, or None to leave it."""
    if (flags & Fstflags.ATIM and flags & Fstflags.ATIM_NOW) or (flags & Fstflags.MTIM and flags & Fstflags.MTIM_NOW):
        raise WasiError(Errno.INVAL, "both a time and _NOW")
    now = ctx.clocks.time(Clockid.REALTIME) if flags & (Fstflags.ATIM_NOW | Fstflags.MTIM_NOW) else 0
    a = atim if flags & Fstflags.ATIM else now if flags & Fstflags.ATIM_NOW else None
    m = mtim if flags & Fstflags.MTIM else now if flags & Fstflags.MTIM_NOW else None
    if (a or 0) > _MAX_OFFSET or (m or 0) > _MAX_OFFSET:
        raise WasiError(Errno.INVAL, "time past 2**63 ns")
    return a, m


@wasi("bufused")
def fd_readdir(ctx: WasiContext, fd: Fd, buf: GuestBytes, cookie: Dircookie) -> Size:
    d = ctx.fds.get(fd, R.FD_READDIR)
    return Size(pack_dirents(d.readdir(cookie), buf))


@wasi("prestat")
def fd_prestat_get(ctx: WasiContext, fd: Fd) -> Prestat:
    return ctx.fds.get(fd).prestat()


@wasi()
def fd_prestat_dir_name(ctx: WasiContext, fd: Fd, path: GuestBytes) -> None:
    name = ctx.fds.get(fd).preopen_name()
    if len(path) < len(name):
        raise WasiError(Errno.NAMETOOLONG)
    path[: len(name)] = name
