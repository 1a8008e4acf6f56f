"""``sock_*`` functions, on the sockets the host preopened and the connections accepted from them."""

from __future__ import annotations

from ..abi import Errno, Fd, Fdflags, Riflags, Roflags, Sdflags, Siflags, Size
from ..context import WasiContext
from ..errors import WasiError
from ..fdtable import RIGHT
from ..namespace.types import CiovecArray, IovecArray
from ._register import wasi

R = RIGHT  # plain ints: see fdtable.RIGHT


@wasi("fd")
def sock_accept(ctx: WasiContext, fd: Fd, flags: Fdflags) -> Fd:
    listener = ctx.fds.get(fd, R.SOCK_ACCEPT)
    ctx.fds.check_room()  # before the connection is taken from the client: MFILE leaves it queued
    new = listener.accept(flags)
    try:
        return Fd(ctx.fds.insert(new))
    except BaseException:
        new.close()
        raise


@wasi("ro_datalen", "ro_flags")
def sock_recv(ctx: WasiContext, fd: Fd, ri_data: IovecArray, ri_flags: Riflags) -> tuple[Size, Roflags]:
    n, flags = ctx.fds.get(fd, R.FD_READ).recv(ri_data, ri_flags)
    return Size(n), flags


@wasi("so_datalen")
def sock_send(ctx: WasiContext, fd: Fd, si_data: CiovecArray, si_flags: Siflags) -> Size:
    if si_flags:
        raise WasiError(Errno.INVAL, "no siflags are defined")
    return Size(ctx.fds.get(fd, R.FD_WRITE).send(si_data))


@wasi()
def sock_shutdown(ctx: WasiContext, fd: Fd, how: Sdflags) -> None:
    ctx.fds.get(fd, R.SOCK_SHUTDOWN).shutdown(how)
