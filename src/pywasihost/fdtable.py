"""The descriptor table, and one class per kind of descriptor.

A :class:`Descriptor` declares one method per fd-level operation; the default answers the errno a
descriptor of that kind gives, and each subclass implements what it supports (as browser_wasi_shim's
``Fd`` classes do). Syscalls look a descriptor up with :meth:`FdTable.get`, which checks the rights
the call needs in the same step, so no syscall can forget the check.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import BinaryIO

from .abi import Errno, Fdflags, Fdstat, Filetype, Prestat, Rights
from .errors import WasiError

__all__ = [
    "BytesInput",
    "CallbackOutput",
    "Descriptor",
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
NO_RIGHTS = Rights(0)
NO_FLAGS = Fdflags(0)


class Descriptor:
    """An open descriptor: its type, rights and flags, and the operations it supports."""

    filetype: Filetype = Filetype.UNKNOWN

    def __init__(self, rights_base: Rights, rights_inheriting: Rights = NO_RIGHTS, flags: Fdflags = NO_FLAGS):
        self.rights_base = rights_base
        self.rights_inheriting = rights_inheriting
        self.flags = flags

    @property
    def rights_base(self) -> Rights:
        return self._rights_base

    @rights_base.setter
    def rights_base(self, rights: Rights) -> None:
        self._rights_base = rights
        # The rights this descriptor lacks, as a plain int: FdTable.get checks against it on every
        # call, and IntFlag arithmetic would build enum members there (about 1.5 us per call).
        self.lacking = ~int(rights)

    def fdstat(self) -> Fdstat:
        return Fdstat(self.filetype, self.flags, self.rights_base, self.rights_inheriting)

    def read(self, bufs: list[memoryview]) -> int:
        """Fill ``bufs`` in order (a ``readv``); return the byte count, 0 at end of input."""
        raise WasiError(Errno.BADF)

    def write(self, bufs: list[memoryview]) -> int:
        """Write ``bufs`` in order (a ``writev``); return the byte count."""
        raise WasiError(Errno.BADF)

    def prestat(self) -> Prestat:
        """The preopen this descriptor is, if it is one (``BADF`` otherwise, as the spec says)."""
        raise WasiError(Errno.BADF)

    def preopen_name(self) -> bytes:
        raise WasiError(Errno.BADF)

    def close(self) -> None:
        """Release host resources (the table calls it once)."""


class HostFd(Descriptor):
    """A host file descriptor, read and written with ``readv``/``writev`` straight from guest memory.

    ``owned`` descriptors are closed with the table; inherited stdio is not.
    """

    def __init__(self, fd: int, rights: Rights, *, owned: bool = False) -> None:
        st = os.fstat(fd)
        mode = st.st_mode
        if stat.S_ISREG(mode):
            self.filetype, rights = Filetype.REGULAR_FILE, rights | SEEKABLE
        elif stat.S_ISCHR(mode):
            # wasi-libc's isatty() is "character device without seek/tell rights": give a terminal
            # exactly that, and a non-terminal character device (/dev/null) the seek rights it has.
            self.filetype = Filetype.CHARACTER_DEVICE
            if not os.isatty(fd):
                rights |= SEEKABLE
        elif stat.S_ISSOCK(mode):
            self.filetype = Filetype.SOCKET_STREAM
        elif stat.S_ISBLK(mode):
            self.filetype, rights = Filetype.BLOCK_DEVICE, rights | SEEKABLE
        else:  # pipes and anything else have no filetype of their own in preview 1
            self.filetype = Filetype.UNKNOWN
        super().__init__(rights)
        self.fd, self.owned = fd, owned

    def read(self, bufs: list[memoryview]) -> int:
        return os.readv(self.fd, bufs)

    def write(self, bufs: list[memoryview]) -> int:
        # os.write is about 230 ns cheaper than os.writev, and one buffer is the common case.
        return os.write(self.fd, bufs[0]) if len(bufs) == 1 else os.writev(self.fd, bufs)

    def close(self) -> None:
        if self.owned:
            os.close(self.fd)


class BytesInput(Descriptor):
    """Input from bytes given up front (stdin from a ``bytes`` value): copied once, straight into guest buffers."""

    def __init__(self, data: bytes) -> None:
        super().__init__(READ_STREAM)
        self._data, self._pos = memoryview(data), 0

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


class NullDescriptor(Descriptor):
    """Empty input and discarded output."""

    def __init__(self) -> None:
        super().__init__(READ_STREAM | WRITE_STREAM)

    def read(self, bufs: list[memoryview]) -> int:
        return 0

    def write(self, bufs: list[memoryview]) -> int:
        return sum(len(b) for b in bufs)


class FdTable:
    """Descriptors by number. One table per instance: no instance sees another's descriptors."""

    def __init__(self, max_fds: int = 1024) -> None:
        self._fds: dict[int, Descriptor] = {}
        self.max_fds = max_fds

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
        self._fds[fd] = descriptor
        if old is not None and old is not descriptor:
            old.close()

    def insert(self, descriptor: Descriptor) -> int:
        """Put ``descriptor`` at the lowest free number (``NFILE`` past ``max_fds``)."""
        if len(self._fds) >= self.max_fds:
            raise WasiError(Errno.NFILE)
        fd = 0
        while fd in self._fds:
            fd += 1
        self._fds[fd] = descriptor
        return fd

    def remove(self, fd: int) -> Descriptor:
        d = self.get(fd)
        del self._fds[fd]
        return d

    def close(self, fd: int) -> None:
        self.remove(fd).close()

    def close_all(self) -> None:
        """Close every descriptor (at the end of a run, however it ended)."""
        fds, self._fds = self._fds, {}
        for d in fds.values():
            try:
                d.close()
            except OSError:
                pass
