"""What every directory descriptor shares, whichever backend holds the directory."""

from __future__ import annotations

from ..abi import Errno, Filetype, Oflags, Preopentype, Prestat, PrestatDir, Rights, Size, Whence
from ..errors import WasiError
from ..fdtable import SOCKET_ONLY, Descriptor

__all__ = ["DIRECTORY_RIGHTS", "FILE_RIGHTS", "READONLY_MASK", "WRITE_RIGHTS", "DirectoryDescriptor"]

_R = Rights
#: What a directory descriptor can be asked to do.
DIRECTORY_RIGHTS = _R.union(
    _R.PATH_CREATE_DIRECTORY, _R.PATH_CREATE_FILE, _R.PATH_LINK_SOURCE, _R.PATH_LINK_TARGET, _R.PATH_OPEN,
    _R.FD_READDIR, _R.PATH_READLINK, _R.PATH_RENAME_SOURCE, _R.PATH_RENAME_TARGET, _R.PATH_FILESTAT_GET,
    _R.PATH_FILESTAT_SET_SIZE, _R.PATH_FILESTAT_SET_TIMES, _R.FD_FILESTAT_GET, _R.FD_FILESTAT_SET_TIMES,
    _R.PATH_SYMLINK, _R.PATH_REMOVE_DIRECTORY, _R.PATH_UNLINK_FILE, _R.FD_FDSTAT_SET_FLAGS, _R.FD_SYNC,
    _R.FD_DATASYNC, _R.FD_ADVISE, _R.POLL_FD_READWRITE,
)  # fmt: skip
#: What a file descriptor can be asked to do.
FILE_RIGHTS = _R.union(
    _R.FD_DATASYNC, _R.FD_READ, _R.FD_SEEK, _R.FD_FDSTAT_SET_FLAGS, _R.FD_SYNC, _R.FD_TELL, _R.FD_WRITE, _R.FD_ADVISE,
    _R.FD_ALLOCATE, _R.FD_FILESTAT_GET, _R.FD_FILESTAT_SET_SIZE, _R.FD_FILESTAT_SET_TIMES, _R.POLL_FD_READWRITE,
)  # fmt: skip
#: Every right that changes something: absent from a read-only directory and all it opens.
WRITE_RIGHTS = _R.union(
    _R.FD_WRITE, _R.FD_ALLOCATE, _R.FD_FILESTAT_SET_SIZE, _R.FD_FILESTAT_SET_TIMES, _R.PATH_CREATE_DIRECTORY,
    _R.PATH_CREATE_FILE, _R.PATH_LINK_SOURCE, _R.PATH_LINK_TARGET, _R.PATH_RENAME_SOURCE, _R.PATH_RENAME_TARGET,
    _R.PATH_FILESTAT_SET_SIZE, _R.PATH_FILESTAT_SET_TIMES, _R.PATH_SYMLINK, _R.PATH_REMOVE_DIRECTORY,
    _R.PATH_UNLINK_FILE,
)  # fmt: skip
READONLY_MASK = ~WRITE_RIGHTS
# Plain ints (IntFlag operations cost about 1 us each, and path_open is hot).
_FD_WRITE = _R.FD_WRITE.value
_DIRECTORY_RIGHTS, _READONLY_MASK = int(DIRECTORY_RIGHTS), ~int(WRITE_RIGHTS)
# Rights that a file open for reading only cannot serve (the host kernel would refuse them).
_NEEDS_WRITE_MASK = ~int(_R.FD_WRITE | _R.FD_ALLOCATE | _R.FD_FILESTAT_SET_SIZE)
_O_DIRECTORY, _O_CREAT, _O_EXCL, _O_TRUNC = (
    f.value for f in (Oflags.DIRECTORY, Oflags.CREAT, Oflags.EXCL, Oflags.TRUNC)
)


class DirectoryDescriptor(Descriptor):
    """A directory of some backend (:class:`~pywasihost.fs.host.HostDirectory`,
    :class:`~pywasihost.fs.memory.MemoryDirectory`): the answers to the calls of a file, the
    preopen's name, and the refusal of a read-only directory. A backend implements the path
    operations of :class:`~pywasihost.fdtable.Descriptor` (``open_at``, ``stat_at``, ``rename``...),
    ``readdir``, ``filestat`` and ``set_times``.

    ``preopen`` is the guest name of a preopened directory (None for one the guest opened);
    ``readonly`` directories refuse every change, and so does everything opened through them.
    """

    filetype = Filetype.DIRECTORY
    # The I/O calls of a file reach the methods below and answer BADF, as wasmtime does.
    implied = SOCKET_ONLY | int(
        _R.union(_R.FD_READ, _R.FD_WRITE, _R.FD_SEEK, _R.FD_TELL, _R.FD_ALLOCATE, _R.FD_FILESTAT_SET_SIZE)
    )
    readonly: bool = False
    preopen: str | None = None

    # -- what a directory is not ------------------------------------------------------------------

    def direct_fd(self) -> int | None:
        return None  # read and write answer BADF, whatever the backend holds: never a native readv/writev

    def read(self, bufs: list[memoryview]) -> int:
        raise WasiError(Errno.BADF)

    def write(self, bufs: list[memoryview]) -> int:
        raise WasiError(Errno.BADF)

    def pread(self, bufs: list[memoryview], offset: int) -> int:
        raise WasiError(Errno.BADF)

    def pwrite(self, bufs: list[memoryview], offset: int) -> int:
        raise WasiError(Errno.BADF)

    def seek(self, offset: int, whence: Whence) -> int:
        raise WasiError(Errno.BADF)

    def set_size(self, size: int) -> None:
        raise WasiError(Errno.BADF)

    def allocate(self, offset: int, length: int) -> None:
        raise WasiError(Errno.BADF)

    # -- preopen ----------------------------------------------------------------------------------

    def prestat(self) -> Prestat:
        if self.preopen is None:
            raise WasiError(Errno.BADF)
        return Prestat(Preopentype.DIR, PrestatDir(Size(len(self.preopen.encode()))))

    def preopen_name(self) -> bytes:
        if self.preopen is None:
            raise WasiError(Errno.BADF)
        return self.preopen.encode()

    @staticmethod
    def _own_rights(rights: int, inheriting: int, readonly: bool) -> tuple[int, int]:
        """The rights and inheriting rights a new directory descriptor of either backend holds: of
        ``rights`` only those that apply to a directory, and when ``readonly`` no right that writes,
        held or passed on."""
        if readonly:
            rights &= _READONLY_MASK
            inheriting &= _READONLY_MASK
        return rights & _DIRECTORY_RIGHTS, inheriting

    def _open_rights(self, oflags: int, base: int, inheriting: int) -> tuple[int, int, bool]:
        """``path_open``'s rights rule, for both backends: the rights asked for that this directory
        can pass on, for the new descriptor and what it may pass on in turn, and whether the file is
        opened for writing, which ``FD_WRITE`` alone decides. Opened for reading, the new descriptor
        does not get the rights that need writing (``FD_ALLOCATE``, ``FD_FILESTAT_SET_SIZE``: Go's
        read-only open asks for them): they are dropped, not refused. The caller keeps those that
        apply to what was opened (a file or a directory).

        ``INVAL`` for ``DIRECTORY`` with ``CREAT``, ``EXCL`` or ``TRUNC``. Through a directory that
        cannot pass writing on (a read-only preopen) only what would really write is refused
        (``NOTCAPABLE``): ``FD_WRITE``, ``CREAT`` and ``TRUNC``.
        """
        if oflags & _O_DIRECTORY and oflags & (_O_CREAT | _O_EXCL | _O_TRUNC):
            raise WasiError(Errno.INVAL, "DIRECTORY cannot be combined with CREAT, EXCL or TRUNC")
        write = bool(base & _FD_WRITE)
        if (write or oflags & (_O_CREAT | _O_TRUNC)) and (self.readonly or not self._inheriting & _FD_WRITE):
            raise WasiError(Errno.NOTCAPABLE, "cannot open for writing through this directory")
        b, i = base & self._inheriting, inheriting & self._inheriting
        if not write:
            b &= _NEEDS_WRITE_MASK
        return b, i, write

    def _writable(self) -> None:
        if self.readonly:
            raise WasiError(Errno.NOTCAPABLE, "read-only directory")
