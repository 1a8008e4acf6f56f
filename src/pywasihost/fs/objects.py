"""Files backed by Python objects: a guest descriptor over anything with ``read``/``write``/``seek``.

An application gives the guest a stream, a generator of bytes or a database blob as a file, either
at a path of a :class:`~pywasihost.fs.memory.MemoryFS` (``fs.add_object("live.log", obj)``) or as an
extra descriptor after the preopens (``WasiConfig(files=[obj])``). The object needs only what the
guest is to do with it; each method it has gives the descriptor the matching rights:

* ``read(size) -> bytes`` (or ``readinto(buffer) -> int``): ``fd_read``; ``b""`` is the end;
* ``write(data) -> int | None``: ``fd_write`` (None: everything was written);
* ``seek(offset, whence) -> int`` (and ``tell()``): ``fd_seek``/``fd_tell``, ``fd_pread``/``fd_pwrite``;
* ``stat()``, returning anything with ``st_size`` (and optionally ``st_atime_ns``/``st_mtime_ns``/
  ``st_ctime_ns``), or ``__len__``: the size ``fd_filestat_get`` reports (else what ``seek`` finds);
* ``truncate(size)``: ``fd_filestat_set_size``.

``readable()``/``writable()``/``seekable()`` returning False take the right away again, so
``io.BytesIO``, a file opened with ``open(..., "rb")``, a socket's ``makefile("rb")`` or
``sqlite3.Blob`` work as they are. :class:`IterableFile` makes a readable object of any iterable
of bytes (a generator). A method may raise :class:`~pywasihost.WasiError` to answer with an errno;
an ``OSError`` becomes the matching errno. The run never closes the object: the application owns it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, Union, runtime_checkable

from ..abi import Device, Errno, Fdflags, Filesize, Filestat, Filetype, Inode, Linkcount, Rights, Timestamp, Whence
from ..errors import WasiError
from ..fdtable import DIRECTORY_ONLY, NO_FLAGS, SOCKET_ONLY, Descriptor

if TYPE_CHECKING:
    from .memory import _Object


def _opened(node: _Object) -> None:
    from .memory import _opened as opened  # memory imports this module: import at call time

    opened(node)


def _closed(node: _Object) -> None:
    from .memory import _closed as closed

    closed(node)


__all__ = ["FileObject", "IterableFile", "ObjectFile"]


@runtime_checkable
class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@runtime_checkable
class _Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


#: Anything with ``read`` or ``write`` (and optionally ``seek``, ``stat``, ``truncate``): see above.
FileObject = Union[_Readable, _Writable]

_R = Rights
_POLL_STAT = (_R.POLL_FD_READWRITE | _R.FD_FILESTAT_GET | _R.FD_FDSTAT_SET_FLAGS | _R.FD_ADVISE | _R.FD_SYNC).value
_POLL_STAT |= (_R.FD_DATASYNC | _R.FD_FILESTAT_SET_TIMES).value
_SEEK = (_R.FD_SEEK | _R.FD_TELL).value


def _has(obj: object, method: str, check: str) -> bool:
    """Whether ``obj`` has ``method``, and its ``check()`` (``readable``...) does not say no."""
    if not callable(getattr(obj, method, None)):
        return False
    probe = getattr(obj, check, None)
    return not callable(probe) or bool(probe())


def object_rights(obj: object) -> int:
    """The rights a descriptor over ``obj`` can have: those of the methods it has."""
    rights = _POLL_STAT
    if _has(obj, "readinto", "readable") or _has(obj, "read", "readable"):
        rights |= _R.FD_READ.value
    if _has(obj, "write", "writable"):
        rights |= _R.FD_WRITE.value
    if _has(obj, "seek", "seekable"):
        rights |= _SEEK
    if callable(getattr(obj, "truncate", None)):
        rights |= _R.FD_FILESTAT_SET_SIZE.value
    return rights


class ObjectFile(Descriptor):
    """A guest descriptor whose I/O calls the Python object ``obj`` (see the module's docstring).

    ``rights`` is narrowed to what the object can do. ``node`` is the object's place in a
    :class:`~pywasihost.fs.memory.MemoryFS` (its inode, links and times), None for an extra fd.
    """

    filetype = Filetype.REGULAR_FILE
    implied = DIRECTORY_ONLY | SOCKET_ONLY

    def __init__(
        self,
        obj: object,
        rights: int | None = None,
        *,
        inheriting: int = 0,
        flags: Fdflags = NO_FLAGS,
        node: _Object | None = None,
    ) -> None:
        can = object_rights(obj)
        super().__init__(can if rights is None else int(rights) & can, inheriting, flags)
        self.obj: Any = obj  # duck-typed: see the module's docstring
        self.node = node
        # Whether the object itself can seek (the rights also say what the guest asked for).
        self._seekable = bool(can & _SEEK)
        self._readinto = getattr(obj, "readinto", None)
        if node is not None:
            _opened(node)

    def read(self, bufs: list[memoryview]) -> int:
        total = 0
        for buf in bufs:
            if self._readinto is not None:
                n = self._readinto(buf) or 0
            else:
                data = self.obj.read(len(buf))
                n = len(data)
                if n > len(buf):
                    raise WasiError(Errno.IO, "read() returned more bytes than asked for")
                buf[:n] = data
            total += n
            if n < len(buf):
                break
        return total

    def write(self, bufs: list[memoryview]) -> int:
        data = bufs[0].tobytes() if len(bufs) == 1 else b"".join(bufs)
        n = self.obj.write(data)
        return len(data) if n is None else int(n)

    def _at(self, offset: int, action: Callable[[], int]) -> int:
        if not self._seekable:
            raise WasiError(Errno.SPIPE)
        obj = self.obj
        here = obj.seek(0, os.SEEK_CUR)
        try:
            obj.seek(offset, os.SEEK_SET)
            return int(action())
        finally:
            obj.seek(here, os.SEEK_SET)

    def pread(self, bufs: list[memoryview], offset: int) -> int:
        return self._at(offset, lambda: self.read(bufs))

    def pwrite(self, bufs: list[memoryview], offset: int) -> int:
        return self._at(offset, lambda: self.write(bufs))

    def seek(self, offset: int, whence: Whence) -> int:
        if offset < 0 and whence == Whence.SET:
            raise WasiError(Errno.INVAL, "seek before the start of the file")
        try:
            return int(self.obj.seek(offset, int(whence)))
        except ValueError as exc:  # io's answer to a negative position
            raise WasiError(Errno.INVAL, str(exc)) from None

    def _size(self) -> int:
        st = getattr(self.obj, "stat", None)
        if callable(st):
            return int(st().st_size)
        if hasattr(self.obj, "__len__"):
            return len(self.obj)
        if self._seekable:
            obj = self.obj
            here = obj.seek(0, os.SEEK_CUR)
            try:
                return int(obj.seek(0, os.SEEK_END))
            finally:
                obj.seek(here, os.SEEK_SET)
        return 0

    def filestat(self) -> Filestat:
        node, times = self.node, [0, 0, 0]
        if node is not None:
            times = [node.atim, node.mtim, node.ctim]
        st = getattr(self.obj, "stat", None)
        if callable(st):
            result = st()
            for i, name in enumerate(("st_atime_ns", "st_mtime_ns", "st_ctime_ns")):
                times[i] = max(0, int(getattr(result, name, times[i])))  # before 1970: 0
        return Filestat(
            Device(node.store.dev if node is not None else 0),
            Inode(node.ino if node is not None else 0),
            Filetype.REGULAR_FILE,
            Linkcount(node.nlink if node is not None else 1),
            Filesize(self._size()),
            *(Timestamp(t) for t in times),
        )

    def set_size(self, size: int) -> None:
        truncate = getattr(self.obj, "truncate", None)
        if not callable(truncate):
            raise WasiError(Errno.INVAL)
        truncate(size)

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        if self.node is not None:
            self.node.atim = self.node.atim if atim is None else atim
            self.node.mtim = self.node.mtim if mtim is None else mtim

    def readable_bytes(self) -> int:
        if not self._seekable:
            return 0
        return max(0, self._size() - int(self.obj.seek(0, os.SEEK_CUR)))

    def close(self) -> None:
        node, self.node = self.node, None
        if node is not None:
            _closed(node)


class IterableFile:
    """A readable file object over an iterable of bytes chunks (a generator, a list, a response body)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._pending = b""

    def read(self, size: int = -1, /) -> bytes:
        if size < 0:
            rest = self._pending + b"".join(self._chunks)
            self._pending = b""
            return rest
        while not self._pending:
            try:
                self._pending = bytes(next(self._chunks))
            except StopIteration:
                return b""
        out, self._pending = self._pending[:size], self._pending[size:]
        return out
