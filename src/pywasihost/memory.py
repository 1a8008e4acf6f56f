"""Guest linear memory: zero-copy views, every address and length checked as unsigned 32-bit.

Python slicing never raises (``mv[p:p+n]`` silently truncates, a negative index wraps), so every access
here checks ``address + length <= size`` explicitly before touching the view. Addresses reach this
module already masked to unsigned 32-bit by the namespace; the checks stay correct for any int.

The view is cached. After ``memory.grow`` a cached view keeps its old, smaller length, so a check that
fails first refreshes the view from the engine and only then traps: accesses below the old size never
pay for the refresh, and accesses to grown memory see it.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .abi import Errno, Record
from .errors import GuestMemoryError, WasiError

__all__ = ["GuestMemory", "MemoryLimits"]

R = TypeVar("R", bound=Record)

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_IOVEC = struct.Struct("<II")


class MemoryLimits:
    """Bounds on what a guest can make the host allocate, hold or do in one call (the guest chooses
    these sizes). Each is documented, with its default, in SECURITY.md."""

    __slots__ = ("max_capture", "max_fds", "max_io_bytes", "max_iovecs", "max_string", "max_subscriptions")

    def __init__(
        self,
        max_iovecs: int = 1024,
        max_string: int = 1 << 16,
        max_fds: int = 1024,
        max_subscriptions: int = 1 << 16,
        max_capture: int | None = None,
        max_io_bytes: int = 1 << 24,
    ) -> None:
        self.max_iovecs = max_iovecs  # IOV_MAX of wasi-libc and Linux; more gives EINVAL as writev does
        self.max_string = max_string  # longest path or name a guest may pass (NAMETOOLONG beyond)
        self.max_fds = max_fds  # open descriptors per instance (MFILE beyond)
        # poll_oneoff subscriptions per call (INVAL beyond): 65,536 is 3 MiB of guest subscriptions,
        # decoded into about 15 MiB of host rows; wasmtime serves 10,000 and more, so do we.
        self.max_subscriptions = max_subscriptions
        # Bytes one read or write handles (the iovecs are cut there: a short read or write, which
        # the guest must expect anyway). Iovecs may all point at the same buffer: without this, a
        # write to a sink that copies (CAPTURE, a callback) could cost 1024 times the guest's memory.
        self.max_io_bytes = max_io_bytes
        # bytes kept of each CAPTURE'd stream (None: no limit); a write past it traps, keeping what fit
        self.max_capture = max_capture


class GuestMemory:
    """The linear memory of one instance.

    ``buffer_source`` returns a fresh buffer-protocol object over the whole memory (for wasmer,
    ``lambda: memory.buffer``). Until :meth:`bind` is called the memory is empty, so any access traps.
    """

    __slots__ = ("_source", "limits", "size", "view")

    def __init__(self, limits: MemoryLimits | None = None) -> None:
        self._source: Callable[[], Any] | None = None
        self.view: memoryview = memoryview(bytearray())
        self.size = 0
        self.limits = limits or MemoryLimits()

    def bind(self, buffer_source: Callable[[], Any]) -> None:
        self._source = buffer_source
        self.refresh()

    def refresh(self) -> None:
        """Take a new view from the engine (the memory may have grown)."""
        if self._source is not None:
            self.view = memoryview(self._source()).cast("B")
            self.size = len(self.view)

    def check(self, address: int, length: int) -> None:
        """Trap unless ``[address, address + length)`` lies inside memory."""
        if address < 0 or length < 0 or address + length > self.size:
            self.refresh()
            if address < 0 or length < 0 or address + length > self.size:
                raise GuestMemoryError(address, length, self.size)

    # -- bytes -----------------------------------------------------------------------------------

    def slice(self, address: int, length: int) -> memoryview:
        """A writable zero-copy view of ``length`` bytes at ``address``."""
        if address + length > self.size:
            self.check(address, length)
        return self.view[address : address + length]

    def read_bytes(self, address: int, length: int) -> bytes:
        return bytes(self.slice(address, length))

    def write_bytes(self, address: int, data: bytes | bytearray | memoryview) -> None:
        n = len(data)
        if address + n > self.size:
            self.check(address, n)
        self.view[address : address + n] = data

    def read_string(self, address: int, length: int) -> str:
        """A UTF-8 string of ``length`` bytes (ILSEQ if it is not UTF-8, NAMETOOLONG past the limit).

        Outside memory is a trap whatever the length; inside, a string longer than the limit is
        refused before it is decoded."""
        raw = self.slice(address, length)
        if length > self.limits.max_string:
            raise WasiError(Errno.NAMETOOLONG)
        try:
            return str(raw, "utf-8")
        except UnicodeDecodeError:
            raise WasiError(Errno.ILSEQ) from None

    # -- scalars ---------------------------------------------------------------------------------

    def load_u32(self, address: int) -> int:
        if address + 4 > self.size:
            self.check(address, 4)
        return int(_U32.unpack_from(self.view, address)[0])

    def store_u32(self, address: int, value: int) -> None:
        if address + 4 > self.size:
            self.check(address, 4)
        _U32.pack_into(self.view, address, value)

    def load_u64(self, address: int) -> int:
        if address + 8 > self.size:
            self.check(address, 8)
        return int(_U64.unpack_from(self.view, address)[0])

    def store_u64(self, address: int, value: int) -> None:
        if address + 8 > self.size:
            self.check(address, 8)
        _U64.pack_into(self.view, address, value)

    def store_u32_array(self, address: int, values: Iterable[int]) -> None:
        data = list(values)
        self.check(address, 4 * len(data))
        struct.pack_into(f"<{len(data)}I", self.view, address, *data)

    # -- ABI structs -----------------------------------------------------------------------------

    def load(self, cls: type[R], address: int) -> R:
        if address + cls.SIZE > self.size:
            self.check(address, cls.SIZE)
        result: R = cls.unpack_from(self.view, address)
        return result

    def store(self, address: int, value: Record) -> None:
        if address + value.SIZE > self.size:
            self.check(address, value.SIZE)
        value.pack_into(self.view, address)

    # -- arrays of flat rows (see pywasihost.abi.flat) -----------------------------------------

    def load_rows(self, codec: struct.Struct, address: int, count: int) -> list[tuple[Any, ...]]:
        """``count`` consecutive ``codec`` structs at ``address``, as tuples (bounds checked first)."""
        size = codec.size * count
        if address + size > self.size:
            self.check(address, size)
        return list(codec.iter_unpack(self.view[address : address + size]))

    def store_rows(self, codec: struct.Struct, address: int, rows: list[tuple[Any, ...]]) -> None:
        """Write ``rows`` as consecutive ``codec`` structs at ``address`` (bounds checked first)."""
        size = codec.size
        self.check(address, size * len(rows))
        view, pack = self.view, codec.pack_into
        for i, row in enumerate(rows):
            pack(view, address + i * size, *row)

    # -- iovec arrays: the I/O hot path ---------------------------------------------------------

    def iovecs(self, address: int, count: int) -> list[memoryview]:
        """The buffers an ``iovec``/``ciovec`` array points at, as zero-copy views into memory.

        The array and every buffer are bounds-checked; more than ``limits.max_iovecs`` entries is
        ``EINVAL`` (as ``writev`` answers past ``IOV_MAX``), so a guest cannot size a host allocation.
        The views stop after ``limits.max_io_bytes`` bytes in all: the call is then a short one.
        """
        end = address + 8 * count
        if end > self.size:  # an array outside memory traps, whatever its length
            self.check(address, 8 * count)
        if count > self.limits.max_iovecs:
            raise WasiError(Errno.INVAL)
        view, size = self.view, self.size
        budget = self.limits.max_io_bytes
        out = []
        for buf, n in _IOVEC.iter_unpack(view[address:end]):
            if buf + n > size:
                self.check(buf, n)
                view, size = self.view, self.size
            take = min(n, budget)  # every buffer is still bounds-checked: a trap does not depend on it
            out.append(view[buf : buf + take])
            budget -= take
        return out
