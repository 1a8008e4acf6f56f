"""``fd_*`` functions: descriptor-level I/O and metadata, dispatched to the descriptor's class."""

from __future__ import annotations

from ..abi import Errno, Fd, Fdstat, Prestat, Rights, Size
from ..context import WasiContext
from ..errors import WasiError
from ..namespace.types import CiovecArray, GuestBytes, IovecArray
from ._register import wasi

_FD_WRITE = Rights.FD_WRITE.value
_FD_READ = Rights.FD_READ.value


@wasi("nwritten")
def fd_write(ctx: WasiContext, fd: Fd, iovs: CiovecArray) -> Size:
    return Size(ctx.fds.get(fd, _FD_WRITE).write(iovs))


@wasi("nread")
def fd_read(ctx: WasiContext, fd: Fd, iovs: IovecArray) -> Size:
    return Size(ctx.fds.get(fd, _FD_READ).read(iovs))


@wasi("fdstat")
def fd_fdstat_get(ctx: WasiContext, fd: Fd) -> Fdstat:
    return ctx.fds.get(fd).fdstat()


@wasi("prestat")
def fd_prestat_get(ctx: WasiContext, fd: Fd) -> Prestat:
    return ctx.fds.get(fd).prestat()


@wasi()
def fd_prestat_dir_name(ctx: WasiContext, fd: Fd, path: GuestBytes) -> None:
    name = ctx.fds.get(fd).preopen_name()
    if len(path) < len(name):
        raise WasiError(Errno.NAMETOOLONG)
    path[: len(name)] = name
