"""The C extension both engine adapters use (``pywasihost.engines._trampoline``, built by ``setup.py``
from ``_trampoline_build.py`` where a C compiler exists; None where it was not built, and then every
call takes the Python path), and how a host callable asks for a native fast path."""

from __future__ import annotations

import ctypes
import importlib
from collections.abc import Callable
from typing import Any

from .base import NATIVE, NATIVE_DESCRIPTORS

__all__ = ["NATIVE_CODES", "c", "descriptors_pointer", "native_code"]

c: Any
try:
    c = importlib.import_module("pywasihost.engines._trampoline")
except ImportError:  # no C compiler when pywasihost was installed
    c = None

NATIVE_CODES = {"clock_time_get": 1, "random_get": 2, "fd_write": 3, "fd_read": 4}
"""The native fast paths by syscall name: ``_trampoline_build.NATIVE`` (not imported here: that
module loads the cffi builder; a test checks they agree)."""


def native_code(fn: Callable[..., Any]) -> int:
    """The number of the native fast path that may serve ``fn`` (see :data:`NATIVE`), 0 for none."""
    return NATIVE_CODES.get(getattr(fn, NATIVE, ""), 0) if c is not None else 0


def descriptors_pointer(fn: Callable[..., Any]) -> Any:
    """``fn``'s :data:`NATIVE_DESCRIPTORS` as a C ``void *`` (NULL when it has none). ``fn`` keeps the
    structure alive: whoever keeps the pointer must keep ``fn``."""
    descriptors = getattr(fn, NATIVE_DESCRIPTORS, None)
    return c.ffi.cast("void *", 0 if descriptors is None else ctypes.addressof(descriptors))
