"""The host filesystem backend: directories of the host, reached only beneath a preopened handle.

A :class:`HostDirectory` is a descriptor over a host directory fd. Every ``path_*`` operation
resolves its guest path with :func:`pywasihost.fs.resolve.resolve`, one component at a time beneath
that fd, and then acts on the final component with a ``*at`` call relative to the directory the walk
ended in: no path is ever handed to the kernel whole, and no prefix is compared as text.

A read-only directory is enforced twice: its rights (and the rights it passes on to what is opened
through it) lack every right that writes, so :meth:`FdTable.get` refuses first; and each mutating
method refuses again on its own (``NOTCAPABLE``), and files opened through it are opened ``O_RDONLY``
on the host, so no gap in the rights table can turn into a write.
"""

from __future__ import annotations

import os
import stat
from typing import Union

from ..abi import Errno, Fdflags, Filestat, Filetype, Oflags, Rights
from ..errors import WasiError
from ..fdtable import NO_FLAGS, Descriptor, HostFd, filestat_from, filetype_of, set_times
from .directory import DIRECTORY_RIGHTS, FILE_RIGHTS, READONLY_MASK, DirectoryDescriptor
from .resolve import Resolved, open_beneath, resolve, strip_slashes

__all__ = [
    "DIRECTORY_RIGHTS",
    "FILE_RIGHTS",
    "READONLY_MASK",
    "HostDirectory",
]

R = Rights
# Plain ints, for arithmetic on the path_open path (IntFlag operations cost ~1 us each).
_DIRECTORY_RIGHTS, _FILE_RIGHTS = int(DIRECTORY_RIGHTS), int(FILE_RIGHTS)
_HOST_READ = int(R.FD_READ | R.FD_READDIR)
_O_DIRECTORY, _O_CREAT, _O_EXCL, _O_TRUNC = (
    f.value for f in (Oflags.DIRECTORY, Oflags.CREAT, Oflags.EXCL, Oflags.TRUNC)
)

_DIR_OPEN = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_FDFLAGS_TO_HOST = (
    (Fdflags.APPEND.value, os.O_APPEND),
    (Fdflags.DSYNC.value, getattr(os, "O_DSYNC", os.O_SYNC)),
    (Fdflags.NONBLOCK.value, os.O_NONBLOCK),
    (Fdflags.RSYNC.value, getattr(os, "O_RSYNC", os.O_SYNC)),
    (Fdflags.SYNC.value, os.O_SYNC),
)

PathLike = Union[str, "os.PathLike[str]"]
Entry = tuple[int, int, Filetype, bytes]  # (cookie of the next entry, inode, type, name)


class HostDirectory(DirectoryDescriptor, HostFd):
    """A host directory: the base of the guest paths relative to it (``preopen`` and ``readonly``:
    see :class:`~pywasihost.fs.directory.DirectoryDescriptor`)."""

    def __init__(
        self,
        fd: int,
        rights: int,
        inheriting: int,
        *,
        readonly: bool = False,
        preopen: str | None = None,
        flags: Fdflags = NO_FLAGS,
    ) -> None:
        rights, inheriting = self._own_rights(rights, inheriting, readonly)
        super().__init__(fd, rights, owned=True, inheriting=inheriting, flags=flags)
        self.readonly = readonly
        self.preopen = preopen
        self._entries: list[Entry] | None = None

    @classmethod
    def open_preopen(cls, host: PathLike, guest: str, *, readonly: bool = False) -> HostDirectory:
        """Open host directory ``host`` as the preopen ``guest`` with every right (less writes if
        ``readonly``)."""
        fd = os.open(host, _DIR_OPEN)
        return cls(fd, DIRECTORY_RIGHTS, DIRECTORY_RIGHTS | FILE_RIGHTS, readonly=readonly, preopen=guest)

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        self._writable()
        super().set_times(atim, mtim)

    # -- listing ----------------------------------------------------------------------------------

    def readdir(self, cookie: int) -> list[Entry]:
        """The entries from ``cookie`` on. Cookie 0 lists the directory afresh; later cookies index
        the same listing, so they stay stable while the guest reads it in several calls."""
        if cookie == 0 or self._entries is None:
            self._entries = self._list()
        return self._entries[cookie:]

    def _list(self) -> list[Entry]:
        here = os.fstat(self.fd).st_ino
        # A preopen's ".." is above the sandbox: the host does not even stat it, and names the
        # preopen itself (as a root directory's ".." is itself).
        parent = here if self.preopen is not None else os.stat("..", dir_fd=self.fd).st_ino
        entries: list[Entry] = [(1, here, Filetype.DIRECTORY, b"."), (2, parent, Filetype.DIRECTORY, b"..")]
        with os.scandir(self.fd) as it:
            for e in it:
                if e.is_symlink():
                    kind = Filetype.SYMBOLIC_LINK
                elif e.is_dir(follow_symlinks=False):
                    kind = Filetype.DIRECTORY
                elif e.is_file(follow_symlinks=False):
                    kind = Filetype.REGULAR_FILE
                else:
                    kind = filetype_of(e.stat(follow_symlinks=False).st_mode)
                entries.append((len(entries) + 1, e.inode(), kind, os.fsencode(e.name)))
        return entries

    # -- path operations --------------------------------------------------------------------------

    def _at(self, path: str, *, follow: bool) -> Resolved:
        """Where ``path`` leads beneath this directory (see :func:`resolve`)."""
        return resolve(self.fd, path, follow=follow, base_is_dir=True)

    def open_at(
        self, path: str, *, follow: bool, oflags: Oflags, fdflags: Fdflags, base: Rights, inheriting: Rights
    ) -> Descriptor:
        """``path_open``. The host open mode comes from ``FD_WRITE`` alone (with ``FD_READ`` or
        ``FD_READDIR``: read and write); the new descriptor gets the rights asked for that this
        directory can pass on and that apply to what was opened (a file or a directory, opened for
        writing or not). Only what would really write is refused through a directory that cannot
        pass writing on (a read-only preopen): ``FD_WRITE``, ``CREAT`` and ``TRUNC`` (``NOTCAPABLE``).
        Programs ask for more than they use (Go's read-only open asks for ``FD_FILESTAT_SET_SIZE``
        and ``FD_ALLOCATE``): those rights are dropped, not refused."""
        o, fdf = int(oflags), int(fdflags)
        asked = int(base)
        b, i, write = self._open_rights(o, asked, int(inheriting))
        if o & _O_DIRECTORY:
            flags = (os.O_RDWR if write else os.O_RDONLY) | os.O_DIRECTORY  # RDWR: the kernel says ISDIR
        elif write:
            flags = os.O_RDWR if asked & _HOST_READ else os.O_WRONLY
        else:
            flags = os.O_RDONLY
        if o & _O_CREAT:
            flags |= os.O_CREAT
        if o & _O_EXCL:
            flags |= os.O_EXCL
        if o & _O_TRUNC:
            flags |= os.O_TRUNC
        if fdf:
            for wasi_flag, host_flag in _FDFLAGS_TO_HOST:
                if fdf & wasi_flag:
                    flags |= host_flag
        fd = open_beneath(self.fd, path, flags, 0o666, follow=follow, base_is_dir=True)
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                return HostDirectory(fd, b & _DIRECTORY_RIGHTS, i, readonly=self.readonly, flags=fdflags)
            return HostFd(fd, b & _FILE_RIGHTS, owned=True, inheriting=i, flags=fdflags, st=st, add_seek=False)
        except BaseException:
            os.close(fd)
            raise

    def create_directory(self, path: str) -> None:
        """``mkdir``: a trailing slash is ignored, so ``dl/`` with ``dl`` a dangling symlink is
        ``EXIST`` (as on Linux and wasmtime), never a directory created at the link's target."""
        self._writable()
        with self._at(strip_slashes(path)[0], follow=False) as at:
            os.mkdir(at.name, 0o777, dir_fd=at.dir_fd)

    def stat_at(self, path: str, *, follow: bool) -> Filestat:
        with self._at(path, follow=follow) as at:
            return filestat_from(os.stat(at.name, dir_fd=at.dir_fd, follow_symlinks=False))

    def set_times_at(self, path: str, atim: int | None, mtim: int | None, *, follow: bool) -> None:
        self._writable()
        with self._at(path, follow=follow) as at:
            set_times(at.name, atim, mtim, dir_fd=at.dir_fd)

    def readlink(self, path: str) -> bytes:
        """The target of a symlink. An absolute target (placed by the host: the guest cannot create
        one) would reveal a host path: refused with ``PERM``, as wasmtime (cap-std) refuses it."""
        with self._at(path, follow=False) as at:
            target = os.fsencode(os.readlink(at.name, dir_fd=at.dir_fd))
        if target.startswith(b"/"):
            raise WasiError(Errno.PERM, "the symlink has an absolute target, outside the sandbox")
        return target

    def remove_directory(self, path: str) -> None:
        """``rmdir``: a trailing slash is ignored, so ``link/`` removes nothing through a symlink
        (``NOTDIR``: the link itself is not a directory)."""
        self._writable()
        with self._at(strip_slashes(path)[0], follow=False) as at:
            os.rmdir(at.name, dir_fd=at.dir_fd)

    def unlink_file(self, path: str) -> None:
        self._writable()
        with self._at(path, follow=False) as at:
            if at.trailing_slash:  # "dir/": a directory, which unlink does not remove
                st = os.stat(at.name, dir_fd=at.dir_fd, follow_symlinks=False)
                raise WasiError(Errno.ISDIR if stat.S_ISDIR(st.st_mode) else Errno.NOTDIR)
            os.unlink(at.name, dir_fd=at.dir_fd)

    def symlink(self, target: str, path: str) -> None:
        """Create symlink ``path`` holding ``target``. An absolute target could never be followed
        inside the sandbox: refused (``NOTCAPABLE``), as is a NUL byte (``INVAL``)."""
        self._writable()
        if "\0" in target:
            raise WasiError(Errno.INVAL, "symlink target contains a NUL byte")
        if target.startswith("/"):
            raise WasiError(Errno.NOTCAPABLE, "absolute symlink target")
        with self._at(path, follow=False) as at:
            if at.trailing_slash:
                raise WasiError(Errno.NOENT, "a symlink cannot be created at a path ending with a slash")
            os.symlink(target, at.name, dir_fd=at.dir_fd)

    def link(self, old_path: str, new_dir: Descriptor, new_path: str, *, follow: bool) -> None:
        """Hard-link ``old_path`` (here) as ``new_path`` in ``new_dir``. A path ending with a slash
        names no file to link or to create: ``NOENT``, as wasmtime (cap-std) answers."""
        self._writable()
        target = _same_backend(new_dir)
        if old_path.endswith("/") or new_path.endswith("/"):
            raise WasiError(Errno.NOENT, "path_link: a path ending with a slash")
        with (
            self._at(old_path, follow=follow) as old,
            target._at(new_path, follow=False) as new,
        ):
            os.link(old.name, new.name, src_dir_fd=old.dir_fd, dst_dir_fd=new.dir_fd, follow_symlinks=False)

    def rename(self, old_path: str, new_dir: Descriptor, new_path: str) -> None:
        """``rename``: trailing slashes are taken off both paths (the entries themselves are renamed,
        never a symlink's target), and then require the entry renamed to be a directory."""
        self._writable()
        target = _same_backend(new_dir)
        (old_name, old_slash), (new_name, new_slash) = strip_slashes(old_path), strip_slashes(new_path)
        with (
            self._at(old_name, follow=False) as old,
            target._at(new_name, follow=False) as new,
        ):
            if old_slash or new_slash:
                st = os.stat(old.name, dir_fd=old.dir_fd, follow_symlinks=False)
                if not stat.S_ISDIR(st.st_mode):
                    raise WasiError(Errno.NOTDIR, "a path ending with a slash names a directory")
            os.rename(old.name, new.name, src_dir_fd=old.dir_fd, dst_dir_fd=new.dir_fd)


def _same_backend(d: Descriptor) -> HostDirectory:
    """The target directory of ``path_link`` / ``path_rename`` (another host directory)."""
    if not isinstance(d, HostDirectory):
        raise WasiError(Errno.XDEV if d.filetype == Filetype.DIRECTORY else Errno.NOTDIR)
    d._writable()
    return d
