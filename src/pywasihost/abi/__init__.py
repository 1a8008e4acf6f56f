"""The typed WASI preview 1 ABI on wasm32: scalars, enums, flags and structs, generated from the witx.

Every class here mirrors the C layout that wasi-libc compiles (checked by the tests against the spec
and against a guest program); :mod:`pywasihost.abi.cffi_types` gives the same types as cffi views.
"""

from . import _generated
from ._generated import *  # noqa: F403
from .base import InvalidValue, Record, Variant, WasiEnum, WasiFlags

__all__ = ["InvalidValue", "Record", "Variant", "WasiEnum", "WasiFlags"]
__all__ += _generated.__all__
