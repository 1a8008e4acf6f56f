"""The ABI as cffi types: ``ffi``-level struct views over guest memory, in wasi-libc's names.

    from pywasihost.abi.cffi_types import ffi, view
    st = view(memory, "__wasi_filestat_t", ptr)   # bounds-checked, zero-copy
    st.size, st.mtim

Guest pointers are ``uint32_t`` (wasm32 addresses), so the host compiler lays the structs out exactly
as wasm32 does; the tests check every size and offset against the witx and the Python classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cffi

from ._generated import CDEF

if TYPE_CHECKING:
    from ..memory import GuestMemory

__all__ = ["ffi", "view"]

ffi = cffi.FFI()
ffi.cdef(CDEF)


def view(memory: GuestMemory, ctype: str, address: int, count: int = 1) -> Any:
    """A cffi pointer to ``count`` ``ctype`` structs at ``address`` in guest memory (bounds-checked)."""
    size = ffi.sizeof(ctype) * count
    buf = memory.slice(address, size)
    return ffi.cast(f"{ctype} *", ffi.from_buffer(buf))
