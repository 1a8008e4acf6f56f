"""``path_*`` functions: operations on a path beneath a directory descriptor.

The directory descriptor is looked up with the rights the operation needs; the path is resolved by
the directory's backend (see :mod:`pywasihost.fs.host`), never here.
"""

from __future__ import annotations

from ..abi import Fd, Fdflags, Filestat, Fstflags, Lookupflags, Oflags, Rights, Size, Timestamp
from ..context import WasiContext
from ..fdtable import RIGHT
from ..namespace.types import GuestBytes, GuestString
from ._register import wasi
from .fd import times

R = RIGHT  # plain ints: see fdtable.RIGHT
# Plain ints: an IntFlag operation builds an enum member (about 1 us) and these run on every call.
_FOLLOW = Lookupflags.SYMLINK_FOLLOW.value
_PATH_OPEN, _CREATE_FILE, _SET_SIZE = R.PATH_OPEN, R.PATH_CREATE_FILE, R.PATH_FILESTAT_SET_SIZE
_CREAT, _TRUNC = Oflags.CREAT.value, Oflags.TRUNC.value


@wasi("fd")
def path_open(
    ctx: WasiContext,
    fd: Fd,
    dirflags: Lookupflags,
    path: GuestString,
    oflags: Oflags,
    fs_rights_base: Rights,
    fs_rights_inheriting: Rights,
    fdflags: Fdflags,
) -> Fd:
    o = int(oflags)
    need = _PATH_OPEN | (_CREATE_FILE if o & _CREAT else 0) | (_SET_SIZE if o & _TRUNC else 0)
    d = ctx.fds.get(fd, need)
    ctx.fds.check_room()
    new = d.open_at(
        path,
        follow=bool(int(dirflags) & _FOLLOW),
        oflags=oflags,
        fdflags=fdflags,
        base=fs_rights_base,
        inheriting=fs_rights_inheriting,
    )
    try:
        return Fd(ctx.fds.insert(new))
    except BaseException:
        new.close()
        raise


@wasi()
def path_create_directory(ctx: WasiContext, fd: Fd, path: GuestString) -> None:
    ctx.fds.get(fd, R.PATH_CREATE_DIRECTORY).create_directory(path)


@wasi("filestat")
def path_filestat_get(ctx: WasiContext, fd: Fd, flags: Lookupflags, path: GuestString) -> Filestat:
    return ctx.fds.get(fd, R.PATH_FILESTAT_GET).stat_at(path, follow=bool(int(flags) & _FOLLOW))


@wasi()
def path_filestat_set_times(
    ctx: WasiContext,
    fd: Fd,
    flags: Lookupflags,
    path: GuestString,
    atim: Timestamp,
    mtim: Timestamp,
    fst_flags: Fstflags,
) -> None:
    d = ctx.fds.get(fd, R.PATH_FILESTAT_SET_TIMES)
    a, m = times(ctx, atim, mtim, fst_flags)
    d.set_times_at(path, a, m, follow=bool(int(flags) & _FOLLOW))


@wasi()
def path_link(
    ctx: WasiContext, old_fd: Fd, old_flags: Lookupflags, old_path: GuestString, new_fd: Fd, new_path: GuestString
) -> None:
    source = ctx.fds.get(old_fd, R.PATH_LINK_SOURCE)
    target = ctx.fds.get(new_fd, R.PATH_LINK_TARGET)
    source.link(old_path, target, new_path, follow=bool(int(old_flags) & _FOLLOW))


@wasi("bufused")
def path_readlink(ctx: WasiContext, fd: Fd, path: GuestString, buf: GuestBytes) -> Size:
    """The link's target, cut to the buffer's size when it is longer (as wasmtime does)."""
    target = ctx.fds.get(fd, R.PATH_READLINK).readlink(path)
    n = min(len(target), len(buf))
    buf[:n] = target[:n]
    return Size(n)


@wasi()
def path_remove_directory(ctx: WasiContext, fd: Fd, path: GuestString) -> None:
    ctx.fds.get(fd, R.PATH_REMOVE_DIRECTORY).remove_directory(path)


@wasi()
def path_rename(ctx: WasiContext, fd: Fd, old_path: GuestString, new_fd: Fd, new_path: GuestString) -> None:
    source = ctx.fds.get(fd, R.PATH_RENAME_SOURCE)
    target = ctx.fds.get(new_fd, R.PATH_RENAME_TARGET)
    source.rename(old_path, target, new_path)


@wasi()
def path_symlink(ctx: WasiContext, old_path: GuestString, fd: Fd, new_path: GuestString) -> None:
    ctx.fds.get(fd, R.PATH_SYMLINK).symlink(old_path, new_path)


@wasi()
def path_unlink_file(ctx: WasiContext, fd: Fd, path: GuestString) -> None:
    ctx.fds.get(fd, R.PATH_UNLINK_FILE).unlink_file(path)
