"""The typed WASI preview 1 ABI on wasm32: scalars, enums, flags and structs, generated from the witx.

Every class here mirrors the C layout that wasi-libc compiles (checked by the tests against the spec
and against a guest program); :mod:`pywasihost.abi.cffi_types` gives the same types as cffi views.
"""

from ._generated import *  # noqa: F403
from ._generated import __all__ as _generated_all
from .base import InvalidValue, Record, Variant, WasiEnum, WasiFlags

__all__ = [*_generated_all, "InvalidValue", "Record", "Variant", "WasiEnum", "WasiFlags"]
