"""Guest memory: every access bounds-checked as unsigned 32-bit, views refreshed after growth."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pywasihost import GuestMemory, GuestMemoryError, MemoryLimits, WasiError
from pywasihost.abi import Errno, Filestat, Filetype
from test_abi import filestat

PAGE = 65536
U32 = st.integers(min_value=0, max_value=0xFFFFFFFF)


class GrowableBuffer:
    """Stands in for an engine's memory: one reserved mapping, of which ``pages`` are visible;
    ``grow`` makes more visible at the same base, as wasmer's memories do."""

    def __init__(self, pages: int) -> None:
        self.storage = bytearray(16 * PAGE)
        self.data = memoryview(self.storage)
        self.pages = pages

    def grow(self, pages: int) -> None:
        self.pages += pages

    def buffer(self) -> memoryview:
        return self.data[: self.pages * PAGE]


def memory(pages: int = 1, **limits: int) -> tuple[GuestMemory, GrowableBuffer]:
    buf = GrowableBuffer(pages)
    mem = GuestMemory(MemoryLimits(**limits))
    mem.bind(buf.buffer)
    return mem, buf


@given(address=U32, length=U32)
def test_slice_is_exact_or_traps(address: int, length: int) -> None:
    mem, _ = memory()
    if address + length <= PAGE:
        assert len(mem.slice(address, length)) == length
    else:
        with pytest.raises(GuestMemoryError) as info:
            mem.slice(address, length)
        assert (info.value.address, info.value.length) == (address, length)


def test_unbound_memory_traps() -> None:
    with pytest.raises(GuestMemoryError):
        GuestMemory().load_u32(0)


def test_scalars_and_structs_round_trip() -> None:
    mem, _ = memory()
    mem.store_u32(PAGE - 4, 0xDEADBEEF)
    assert mem.load_u32(PAGE - 4) == 0xDEADBEEF
    mem.store_u64(8, 1 << 63)
    assert mem.load_u64(8) == 1 << 63
    stat = filestat(Filetype.DIRECTORY)
    mem.store(PAGE - 64, stat)
    assert mem.load(Filestat, PAGE - 64) == stat
    with pytest.raises(GuestMemoryError):
        mem.store(PAGE - 63, stat)
    with pytest.raises(GuestMemoryError):
        mem.load_u64(PAGE - 7)


def test_iovecs_are_zero_copy_views() -> None:
    mem, buf = memory()
    struct.pack_into("<IIII", buf.data, 0, 100, 3, 200, 2)
    views = mem.iovecs(0, 2)
    assert [len(v) for v in views] == [3, 2]
    views[0][:] = b"abc"
    assert bytes(buf.data[100:103]) == b"abc"


@given(buf=U32, length=U32)
def test_iovec_buffers_are_checked(buf: int, length: int) -> None:
    mem, data = memory()
    struct.pack_into("<II", data.data, 0, buf, length)
    if buf + length <= PAGE:
        assert len(mem.iovecs(0, 1)[0]) == length
    else:
        with pytest.raises(GuestMemoryError):
            mem.iovecs(0, 1)


def test_iovec_count_is_bounded_but_an_array_outside_memory_traps_first() -> None:
    mem, _ = memory(max_iovecs=4)
    with pytest.raises(WasiError) as info:
        mem.iovecs(0, 5)
    assert info.value.errno == Errno.INVAL
    with pytest.raises(GuestMemoryError):
        mem.iovecs(0, 0x80000001)


def test_growth_is_seen_without_rebinding() -> None:
    mem, buf = memory()
    with pytest.raises(GuestMemoryError):
        mem.store_u32(PAGE, 1)
    buf.grow(1)
    mem.store_u32(PAGE, 7)  # the failed check refreshes the view and finds the new page
    assert mem.size == 2 * PAGE
    assert mem.load_u32(PAGE) == 7


def test_strings_are_utf8_and_bounded() -> None:
    mem, buf = memory(max_string=8)
    buf.data[0:6] = "héllo".encode()
    assert mem.read_string(0, 6) == "héllo"
    buf.data[0] = 0xFF
    with pytest.raises(WasiError) as info:
        mem.read_string(0, 6)
    assert info.value.errno == Errno.ILSEQ
    with pytest.raises(WasiError) as info:
        mem.read_string(0, 9)
    assert info.value.errno == Errno.NAMETOOLONG
