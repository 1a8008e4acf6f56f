"""The descriptor table, and one class per kind of descriptor.

A :class:`Descriptor` declares one method per fd-level operation; the default answers the errno a
descriptor of that kind gives, and each subclass implements what it supports (as browser_wasi_shim's
``Fd`` classes do). Syscalls look a descriptor up with :meth:`FdTable.get`, which checks the rights
the call needs in the same step, so no syscall can forget the check.
"""

from __future__ import annotations

import ctypes
import fcntl
import io
import os
import select
import stat
import sys
import termios
from collections.abc import Callable
from functools import partial
from types import SimpleNamespace
from typing import BinaryIO

from .abi import (
    Advice,
    Device,
    Errno,
    Fdflags,
    Fdstat,
    Filesize,
    Filestat,
    Filetype,
    Inode,
    Linkcount,
    Oflags,
    Prestat,
    Riflags,
    Rights,
    Roflags,
    Sdflags,
    Timestamp,
    Whence,
)
from .errors import Trap, WasiError

__all__ = [
    "BytesInput",
    "CallbackOutput",
    "Descriptor",
    "DirectDescriptors",
    "FdTable",
    "HostFd",
    "NullDescriptor",
    "StreamInput",
]

# Rights of a stream that can be polled and read or written, and have its flags queried and set.
_STREAM = Rights.POLL_FD_READWRITE | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_FILESTAT_GET
READ_STREAM = _STREAM | Rights.FD_READ
WRITE_STREAM = _STREAM | Rights.FD_WRITE
SEEKABLE = Rights.FD_SEEK | Rights.FD_TELL
_SEEKABLE = SEEKABLE.value
NO_RIGHTS = Rights(0)
#: Every right as a plain int (``RIGHT.FD_READ``), for what a call passes to :meth:`FdTable.get`:
#: an IntFlag operation builds an enum member each time (about 1 us), an int one does not.
RIGHT = SimpleNamespace(**{str(m.name): m.value for m in Rights})
_FD_READ, _FD_WRITE = Rights.FD_READ.value, Rights.FD_WRITE.value
#: Rights only a directory / a socket implements (the other kinds refuse with NOTDIR / NOTSOCK).
DIRECTORY_ONLY = sum(r.value for r in Rights if (r.name or "").startswith("PATH_")) | Rights.FD_READDIR.value
SOCKET_ONLY = (Rights.SOCK_ACCEPT | Rights.SOCK_SHUTDOWN).value
NO_FLAGS = Fdflags(0)


class Descriptor:
    """An open descriptor: its type, rights and flags, and the operations it supports.

    Every operation's default answers the errno a descriptor of the wrong kind gives (``BADF`` for
    I/O, ``SPIPE`` for seeking a stream, ``NOTDIR`` for path operations), so a subclass implements
    only what its kind supports. Rights are checked by :meth:`FdTable.get` before any of these runs.
    """

    filetype: Filetype = Filetype.UNKNOWN
    #: Rights the table treats as held although they are not in ``rights_base``, so that the call
    #: reaches the method and gets the errno of the wrong kind of descriptor, as wasmtime answers
    #: (``read`` on a directory is ``BADF``, ``sock_accept`` on a file ``NOTSOCK``), rather than
    #: ``NOTCAPABLE``. Only rights whose methods this class leaves at their refusing default.
    implied: int = SOCKET_ONLY
    #: Called when the rights or flags change, by the table that holds the descriptor (see
    #: :attr:`FdTable.direct`).
    on_change: Callable[[], None] | None = None

    # Rights are kept as plain ints (``_base``, ``_inheriting``): IntFlag arithmetic builds an enum
    # member per operation (about 1 us each), and descriptors are made and checked on hot paths.
    # The properties give them as ``Rights`` to everyone else.

    def __init__(self, rights_base: int, rights_inheriting: int = 0, flags: Fdflags = NO_FLAGS):
        self.rights_base = rights_base
        self._inheriting = int(rights_inheriting)
        self.flags = flags

    @property
    def rights_base(self) -> Rights:
        return Rights(self._base)

    @rights_base.setter
    def rights_base(self, rights: int) -> None:
        self._base = int(rights)
        # The rights this descriptor lacks: FdTable.get checks the call's rights against it.
        self.lacking = ~(self._base | self.implied)
        if self.on_change is not None:
            self.on_change()

    @property
    def rights_inheriting(self) -> Rights:
        return Rights(self._inheriting)

    @rights_inheriting.setter
    def rights_inheriting(self, rights: int) -> None:
        self._inheriting = int(rights)

    def fdstat(self) -> Fdstat:
        return Fdstat(self.filetype, self.flags, self.rights_base, self.rights_inheriting)

    def direct_fd(self) -> int | None:
        """The host fd that :meth:`read` and :meth:`write` are exactly ``readv``/``writev`` on, if
        there is one: an engine's native fast path may then do them itself (see
        :class:`DirectDescriptors`). None for every other kind of descriptor."""
        return None

    # -- I/O -------------------------------------------------------------------------------------

    def read(self, bufs: list[memoryview]) -> int:
        """Fill ``bufs`` in order (a ``readv``); return the byte count, 0 at end of input."""
        raise WasiError(Errno.BADF)

    def write(self, bufs: list[memoryview]) -> int:
        """Write ``bufs`` in order (a ``writev``); return the byte count."""
        raise WasiError(Errno.BADF)

    def pread(self, bufs: list[memoryview], offset: int) -> int:
        raise WasiError(Errno.SPIPE)

    def pwrite(self, bufs: list[memoryview], offset: int) -> int:
        raise WasiError(Errno.SPIPE)

    def seek(self, offset: int, whence: Whence) -> int:
        """Move the position (``offset`` is signed); return the new one."""
        raise WasiError(Errno.SPIPE)

    def tell(self) -> int:
        return self.seek(0, Whence.CUR)

    # -- metadata --------------------------------------------------------------------------------

    def filestat(self) -> Filestat:
        return Filestat(Device(0), Inode(0), self.filetype, Linkcount(1), Filesize(0), *_NO_TIMES)

    def set_size(self, size: int) -> None:
        raise WasiError(Errno.INVAL)

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        """Set the access/modification times in ns (None: leave it as it is)."""
        raise WasiError(Errno.INVAL)

    def set_flags(self, flags: Fdflags) -> None:
        """``fd_fdstat_set_flags``: streams keep the flags without meaning anything by them."""
        self.flags = flags

    def advise(self, offset: int, length: int, advice: Advice) -> None:
        """Only a hint: a descriptor that cannot use it ignores it."""

    def allocate(self, offset: int, length: int) -> None:
        raise WasiError(Errno.BADF)

    def sync(self) -> None:
        """Flush data and metadata; nothing to do for a descriptor without storage."""

    def datasync(self) -> None:
        self.sync()

    # -- directories -----------------------------------------------------------------------------

    def readdir(self, cookie: int) -> list[tuple[int, int, Filetype, bytes]]:
        """The entries after position ``cookie``, ``.`` and ``..`` first, each as ``(next cookie,
        inode, filetype, name)``: the cookie that resumes the listing after that entry."""
        raise WasiError(Errno.NOTDIR)

    # Path operations (a directory backend implements them; anything else is not a directory).

    def open_at(
        self, path: str, *, follow: bool, oflags: Oflags, fdflags: Fdflags, base: Rights, inheriting: Rights
    ) -> Descriptor:
        raise WasiError(Errno.NOTDIR)

    def create_directory(self, path: str) -> None:
        raise WasiError(Errno.NOTDIR)

    def stat_at(self, path: str, *, follow: bool) -> Filestat:
        raise WasiError(Errno.NOTDIR)

    def set_times_at(self, path: str, atim: int | None, mtim: int | None, *, follow: bool) -> None:
        raise WasiError(Errno.NOTDIR)

    def readlink(self, path: str) -> bytes:
        raise WasiError(Errno.NOTDIR)

    def remove_directory(self, path: str) -> None:
        raise WasiError(Errno.NOTDIR)

    def unlink_file(self, path: str) -> None:
        raise WasiError(Errno.NOTDIR)

    def symlink(self, target: str, path: str) -> None:
        raise WasiError(Errno.NOTDIR)

    def link(self, old_path: str, new_dir: Descriptor, new_path: str, *, follow: bool) -> None:
        raise WasiError(Errno.NOTDIR)

    def rename(self, old_path: str, new_dir: Descriptor, new_path: str) -> None:
        raise WasiError(Errno.NOTDIR)

    def prestat(self) -> Prestat:
        """The preopen this descriptor is, if it is one (``BADF`` otherwise, as the spec says)."""
        raise WasiError(Errno.BADF)

    def preopen_name(self) -> bytes:
        raise WasiError(Errno.BADF)

    # -- polling and sockets ---------------------------------------------------------------------

    def poll_fileno(self) -> int | None:
        """The host fd to wait on for readiness; None when the descriptor is always ready."""
        return None

    def readable_bytes(self) -> int:
        """For ``poll_oneoff``: how many bytes a read would get without blocking (a hint)."""
        return 0

    def recv(self, bufs: list[memoryview], flags: Riflags) -> tuple[int, Roflags]:
        raise WasiError(Errno.NOTSOCK)

    def send(self, bufs: list[memoryview]) -> int:
        raise WasiError(Errno.NOTSOCK)

    def accept(self, flags: Fdflags) -> Descriptor:
        raise WasiError(Errno.NOTSOCK)

    def shutdown(self, how: Sdflags) -> None:
        raise WasiError(Errno.NOTSOCK)

    def close(self) -> None:
        """Release host resources (the table calls it once)."""


_NO_TIMES = (Timestamp(0), Timestamp(0), Timestamp(0))


def filestat_from(st: os.stat_result) -> Filestat:
    """A host ``stat`` result as a WASI ``filestat``. Times before 1970 are negative on the host and
    have no u64 timestamp: they saturate to 0 (the epoch)."""
    return Filestat(
        Device(st.st_dev),
        Inode(st.st_ino),
        filetype_of(st.st_mode),
        Linkcount(st.st_nlink),
        Filesize(st.st_size),
        Timestamp(max(0, st.st_atime_ns)),
        Timestamp(max(0, st.st_mtime_ns)),
        Timestamp(max(0, st.st_ctime_ns)),
    )


def filetype_of(mode: int) -> Filetype:
    """The WASI filetype of a host ``st_mode`` (a pipe has none of its own in preview 1)."""
    return _FILETYPES.get(stat.S_IFMT(mode), Filetype.UNKNOWN)


_FILETYPES = {
    stat.S_IFREG: Filetype.REGULAR_FILE,
    stat.S_IFDIR: Filetype.DIRECTORY,
    stat.S_IFCHR: Filetype.CHARACTER_DEVICE,
    stat.S_IFBLK: Filetype.BLOCK_DEVICE,
    stat.S_IFSOCK: Filetype.SOCKET_STREAM,
    stat.S_IFLNK: Filetype.SYMBOLIC_LINK,
}

_FADVISE = {
    Advice.NORMAL: getattr(os, "POSIX_FADV_NORMAL", 0),
    Advice.SEQUENTIAL: getattr(os, "POSIX_FADV_SEQUENTIAL", 0),
    Advice.RANDOM: getattr(os, "POSIX_FADV_RANDOM", 0),
    Advice.WILLNEED: getattr(os, "POSIX_FADV_WILLNEED", 0),
    Advice.DONTNEED: getattr(os, "POSIX_FADV_DONTNEED", 0),
    Advice.NOREUSE: getattr(os, "POSIX_FADV_NOREUSE", 0),
}


class HostFd(Descriptor):
    """A host file descriptor, read and written with ``readv``/``writev`` straight from guest memory.

    ``owned`` descriptors are closed with the table; inherited stdio is not. The kind comes from
    ``fstat``: a terminal never has the seek rights (so wasi-libc's ``isatty`` is right);
    ``add_seek`` gives them to the kinds that can seek (stdio given as a file); a file opened by
    ``path_open`` has exactly the rights it was given, which already say whether it may seek.
    """

    def __init__(
        self,
        fd: int,
        rights: int,
        *,
        owned: bool = False,
        inheriting: int = 0,
        flags: Fdflags = NO_FLAGS,
        st: os.stat_result | None = None,
        add_seek: bool = True,
    ) -> None:
        mode = (st or os.fstat(fd)).st_mode
        self.filetype = filetype_of(mode)
        rights = int(rights)
        if stat.S_ISCHR(mode) and os.isatty(fd):
            # wasi-libc's isatty() is "character device without seek/tell rights".
            rights &= ~_SEEKABLE
        elif add_seek and (stat.S_ISREG(mode) or stat.S_ISBLK(mode) or stat.S_ISCHR(mode)):
            rights |= _SEEKABLE
        if self.filetype != Filetype.DIRECTORY:
            # path_* and fd_readdir on a file reach the method and answer NOTDIR. For the path_*
            # calls that is wasmtime's answer; for fd_readdir on a file wasmtime answers otherwise
            # (not parity: NOTDIR is what the spec's errno means, and what the tests check).
            self.implied = DIRECTORY_ONLY | SOCKET_ONLY
        super().__init__(rights, inheriting, flags)
        self.fd, self.owned = fd, owned
        # NONBLOCK on a descriptor the run does not own (inherited stdio, a host fd the caller
        # passed): the host's own file status flags are shared with the host process and must not
        # change, so each read and write polls first instead (AGAIN when it would block).
        self.poll_first = False

    def direct_fd(self) -> int | None:
        return None if self.poll_first else self.fd

    def read(self, bufs: list[memoryview]) -> int:
        if self.poll_first:
            _would_block(self.fd, select.POLLIN)
        return os.readv(self.fd, bufs)

    def write(self, bufs: list[memoryview]) -> int:
        if self.poll_first:
            _would_block(self.fd, select.POLLOUT)
        # os.write is about 230 ns cheaper than os.writev, and one buffer is the common case.
        return os.write(self.fd, bufs[0]) if len(bufs) == 1 else os.writev(self.fd, bufs)

    def pread(self, bufs: list[memoryview], offset: int) -> int:
        self._check_seekable()
        return os.preadv(self.fd, bufs, offset)

    def pwrite(self, bufs: list[memoryview], offset: int) -> int:
        self._check_seekable()
        if self.flags & Fdflags.APPEND:
            # Linux's pwrite ignores the offset on an O_APPEND file; the spec's pwrite writes at it.
            fl = fcntl.fcntl(self.fd, fcntl.F_GETFL)
            fcntl.fcntl(self.fd, fcntl.F_SETFL, fl & ~os.O_APPEND)
            try:
                return os.pwritev(self.fd, bufs, offset)
            finally:
                fcntl.fcntl(self.fd, fcntl.F_SETFL, fl)
        return os.pwritev(self.fd, bufs, offset)

    def _check_seekable(self) -> None:
        if self.filetype not in (Filetype.REGULAR_FILE, Filetype.BLOCK_DEVICE):
            raise WasiError(Errno.SPIPE)

    def seek(self, offset: int, whence: Whence) -> int:
        # A terminal never gets here: it has no seek or tell rights (see __init__).
        return os.lseek(self.fd, offset, whence)  # Whence matches SEEK_SET/CUR/END

    def filestat(self) -> Filestat:
        return filestat_from(os.fstat(self.fd))

    def set_size(self, size: int) -> None:
        os.ftruncate(self.fd, size)

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        set_times(self.fd, atim, mtim)

    def set_flags(self, flags: Fdflags) -> None:
        if flags & (Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC):
            # The sync flags are chosen at path_open or not at all. wasmtime refuses to change them
            # too, with another errno (INVAL in its preview 1 adapter); NOTSUP says what this is.
            raise WasiError(Errno.NOTSUP)
        if not self.owned:
            self.poll_first = bool(flags & Fdflags.NONBLOCK) and self.filetype != Filetype.REGULAR_FILE
        else:
            fl = fcntl.fcntl(self.fd, fcntl.F_GETFL) & ~(os.O_APPEND | os.O_NONBLOCK)
            if flags & Fdflags.APPEND:
                fl |= os.O_APPEND
            if flags & Fdflags.NONBLOCK:
                fl |= os.O_NONBLOCK
            fcntl.fcntl(self.fd, fcntl.F_SETFL, fl)
        self.flags = (self.flags & ~(Fdflags.APPEND | Fdflags.NONBLOCK)) | flags
        if self.on_change is not None:
            self.on_change()  # poll_first may have changed, and with it direct_fd

    def advise(self, offset: int, length: int, advice: Advice) -> None:
        if self.filetype == Filetype.REGULAR_FILE and hasattr(os, "posix_fadvise"):
            os.posix_fadvise(self.fd, offset, length, _FADVISE[advice])

    def allocate(self, offset: int, length: int) -> None:
        if self.filetype != Filetype.REGULAR_FILE:  # (a directory is HostDirectory: BADF there)
            raise WasiError(Errno.NOTSUP)
        if length == 0:
            raise WasiError(Errno.INVAL)
        os.posix_fallocate(self.fd, offset, length)

    def sync(self) -> None:
        os.fsync(self.fd)

    def datasync(self) -> None:
        os.fdatasync(self.fd)

    def poll_fileno(self) -> int | None:
        return None if self.filetype in (Filetype.REGULAR_FILE, Filetype.DIRECTORY) else self.fd

    def readable_bytes(self) -> int:
        if self.filetype == Filetype.REGULAR_FILE:
            return max(0, os.fstat(self.fd).st_size - os.lseek(self.fd, 0, os.SEEK_CUR))
        return fionread(self.fd)

    def close(self) -> None:
        if self.owned:
            self.owned = False
            os.close(self.fd)


def _would_block(fd: int, event: int) -> None:
    """``AGAIN`` unless ``fd`` is ready for ``event`` now (NONBLOCK without touching the host fd)."""
    poller = select.poll()
    poller.register(fd, event)
    if not poller.poll(0):
        raise WasiError(Errno.AGAIN, "NONBLOCK: the descriptor is not ready")


def fionread(fd: int) -> int:
    """Bytes waiting in a pipe or socket (0 when the host cannot tell)."""
    buf = bytearray(4)
    try:
        fcntl.ioctl(fd, termios.FIONREAD, buf)
    except OSError:
        return 0
    return int.from_bytes(buf, sys.byteorder)


def set_times(target: int | str, atim: int | None, mtim: int | None, *, dir_fd: int | None = None) -> None:
    """``utimensat``: set the times in ns that are not None, leave the others (read first)."""
    if atim is None or mtim is None:
        st = os.fstat(target) if isinstance(target, int) else os.stat(target, dir_fd=dir_fd, follow_symlinks=False)
        atim = st.st_atime_ns if atim is None else atim
        mtim = st.st_mtime_ns if mtim is None else mtim
    if isinstance(target, int):
        os.utime(target, ns=(atim, mtim))
    else:
        os.utime(target, ns=(atim, mtim), dir_fd=dir_fd, follow_symlinks=False)


class BytesInput(Descriptor):
    """Input from bytes given up front (stdin from a ``bytes`` value): copied once, straight into guest buffers."""

    def __init__(self, data: bytes) -> None:
        super().__init__(READ_STREAM)
        self._data, self._pos = memoryview(data), 0

    def readable_bytes(self) -> int:
        return len(self._data) - self._pos

    def read(self, bufs: list[memoryview]) -> int:
        total = 0
        for buf in bufs:
            chunk = self._data[self._pos : self._pos + len(buf)]
            n = len(chunk)
            buf[:n] = chunk
            self._pos += n
            total += n
            if n < len(buf):
                break
        return total


class StreamInput(Descriptor):
    """Input from a Python binary stream, read into guest buffers with ``readinto``."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(READ_STREAM)
        self._stream = stream

    def readable_bytes(self) -> int:
        """What is left in a seekable stream (a file, ``BytesIO``); 0 when a stream cannot tell."""
        s = self._stream
        if not s.seekable():
            return 0
        pos = s.tell()
        end = s.seek(0, os.SEEK_END)
        s.seek(pos)
        return max(0, end - pos)

    def read(self, bufs: list[memoryview]) -> int:
        total = 0
        readinto = getattr(self._stream, "readinto", None)
        for buf in bufs:
            if readinto is not None:
                n = readinto(buf) or 0
            else:
                data = self._stream.read(len(buf))
                n = len(data)
                buf[:n] = data
            total += n
            if n < len(buf):
                break
        return total


class CallbackOutput(Descriptor):
    """Output handed to a callback as ``bytes`` (a capture buffer, a stream's ``write``, a user function)."""

    def __init__(self, sink: Callable[[bytes], object]) -> None:
        super().__init__(WRITE_STREAM)
        self._sink = sink

    def write(self, bufs: list[memoryview]) -> int:
        data = bufs[0].tobytes() if len(bufs) == 1 else b"".join(bufs)
        self._sink(data)
        return len(data)


class CapturedOutput(Descriptor):
    """Output collected in memory (``CAPTURE``), at most ``limit`` bytes (None: no limit).

    A write past the limit keeps what fits and traps the guest, as wasmtime's memory pipe does: the
    run ends instead of going on with its output silently cut. ``getvalue`` hands out the bytes
    without copying them (``io.BytesIO`` shares its buffer until the next write)."""

    def __init__(self, name: str, limit: int | None = None) -> None:
        super().__init__(WRITE_STREAM)
        self.name, self.limit = name, limit
        self._buffer = io.BytesIO()

    def write(self, bufs: list[memoryview]) -> int:
        buffer, n = self._buffer, 0
        for b in bufs:
            if self.limit is not None and buffer.tell() + len(b) > self.limit:
                buffer.write(b[: self.limit - buffer.tell()])
                raise Trap(f"captured {self.name} reached its limit of {self.limit} bytes (MemoryLimits.max_capture)")
            n += buffer.write(b)
        return n

    def getvalue(self) -> bytes:
        return self._buffer.getvalue()


class NullDescriptor(Descriptor):
    """Empty input and discarded output."""

    def __init__(self) -> None:
        super().__init__(READ_STREAM | WRITE_STREAM)

    def read(self, bufs: list[memoryview]) -> int:
        return 0

    def write(self, bufs: list[memoryview]) -> int:
        return sum(len(b) for b in bufs)


class DirectDescriptors(ctypes.Structure):
    """Which guest descriptors a native fast path may read and write itself, for an engine's C code.

    ``write[fd]``/``read[fd]`` is the host fd when guest descriptor ``fd`` (below ``SLOTS``) is one
    whose ``write``/``read`` is exactly ``writev``/``readv`` on it (:meth:`Descriptor.direct_fd`) and
    holds the ``FD_WRITE``/``FD_READ`` right, else -1. ``max_io_bytes`` is the run's limit. The
    table keeps it up to date as descriptors come, go, move and lose rights or change flags, so a
    host fd number is never used after its descriptor closed. Native code handles only the ordinary
    case and leaves everything else (other descriptors, bounds, errors) to the Python functions.
    """

    SLOTS = 64
    _fields_ = (
        ("write", ctypes.c_int32 * SLOTS),
        ("read", ctypes.c_int32 * SLOTS),
        ("max_io_bytes", ctypes.c_uint64),
    )
    write: ctypes.Array[ctypes.c_int32]
    read: ctypes.Array[ctypes.c_int32]
    max_io_bytes: int

    def __init__(self, max_io_bytes: int) -> None:
        super().__init__()
        ctypes.memset(ctypes.addressof(self.write), 0xFF, 2 * ctypes.sizeof(self.write))  # all -1
        self.max_io_bytes = max_io_bytes


class FdTable:
    """Descriptors by number. One table per instance: no instance sees another's descriptors.

    ``direct`` mirrors the descriptors a native fast path may serve (:class:`DirectDescriptors`)."""

    def __init__(self, max_fds: int = 1024, max_io_bytes: int = 1 << 24) -> None:
        self._fds: dict[int, Descriptor] = {}
        self.max_fds = max_fds
        self.direct = DirectDescriptors(max_io_bytes)

    def _sync(self, fd: int) -> None:
        """Bring ``direct``'s entries for ``fd`` in line with the descriptor there now."""
        if fd >= DirectDescriptors.SLOTS:
            return
        d = self._fds.get(fd)
        host = None if d is None else d.direct_fd()
        if d is None or host is None:
            self.direct.write[fd] = self.direct.read[fd] = -1
        else:
            self.direct.write[fd] = -1 if d.lacking & _FD_WRITE else host
            self.direct.read[fd] = -1 if d.lacking & _FD_READ else host

    def _place(self, fd: int, descriptor: Descriptor) -> None:
        self._fds[fd] = descriptor
        descriptor.on_change = partial(self._sync, fd)
        self._sync(fd)

    def _take(self, fd: int) -> Descriptor:
        d = self._fds.pop(fd)
        d.on_change = None
        self._sync(fd)
        return d

    def get(self, fd: int, rights: int = 0) -> Descriptor:
        """The descriptor ``fd``, checked to hold ``rights`` (``BADF`` / ``NOTCAPABLE`` otherwise)."""
        d = self._fds.get(fd)
        if d is None:
            raise WasiError(Errno.BADF)
        if rights & d.lacking:
            raise WasiError(Errno.NOTCAPABLE)
        return d

    def __contains__(self, fd: int) -> bool:
        return fd in self._fds

    def __len__(self) -> int:
        return len(self._fds)

    def set(self, fd: int, descriptor: Descriptor) -> None:
        """Put ``descriptor`` at ``fd``, closing what was there."""
        old = self._fds.get(fd)
        if old is not None and old is not descriptor:
            old.on_change = None
        self._place(fd, descriptor)
        if old is not None and old is not descriptor:
            old.close()

    def insert(self, descriptor: Descriptor) -> int:
        """Put ``descriptor`` at the lowest free number (``MFILE`` past ``max_fds``)."""
        self.check_room()
        fd = 0
        while fd in self._fds:
            fd += 1
        self._place(fd, descriptor)
        return fd

    def check_room(self) -> None:
        """``MFILE`` when the table is full (before the host opens anything for a new descriptor)."""
        if len(self._fds) >= self.max_fds:
            raise WasiError(Errno.MFILE, f"more than {self.max_fds} open descriptors")

    def remove(self, fd: int) -> Descriptor:
        self.get(fd)
        return self._take(fd)

    def close(self, fd: int) -> None:
        self.remove(fd).close()

    def renumber(self, fd: int, to: int) -> None:
        """``fd_renumber``: move ``fd`` to ``to``, closing what was at ``to``. Both must be open;
        ``fd == to`` changes nothing (CVE-2025-53901 corrupted a table there)."""
        self.get(fd)
        self.get(to)
        if fd == to:
            return
        self.set(to, self._take(fd))

    def close_all(self) -> None:
        """Close every descriptor (at the end of a run, however it ended)."""
        for fd in list(self._fds):
            d = self._take(fd)
            try:
                d.close()
            except OSError:
                pass
