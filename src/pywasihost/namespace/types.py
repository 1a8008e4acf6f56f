"""Annotations for syscall parameters and results, and the codec each ABI type maps to.

A syscall is an ordinary typed Python function; its annotations say how the namespace decodes the
raw wasm arguments::

    def greet(ctx: WasiContext, name: GuestString, times: int) -> Size: ...

- ABI scalars (``Fd``, ``Size``, ``Filesize``...), ``int`` (an unsigned i32), ``U64``, ``S64``;
- ``float`` (an ``f64``) and :data:`F32` (an ``f32``);
- ABI enums and flags (``Clockid``, ``Rights``...): values outside the spec answer ``EINVAL``;
- :data:`GuestPtr` (an address), :data:`GuestString` (pointer + length, UTF-8),
  :data:`GuestBytes` (pointer + length, a writable zero-copy view), :data:`CiovecArray` and
  :data:`IovecArray` (pointer + count, zero-copy views of every buffer).

A result annotation (a scalar, an ABI struct, or a tuple of them) adds one out-pointer parameter per
value after the others, and the function returns an errno, as every preview 1 function does.
Registered with ``errno=False`` instead, a function returns its results directly as wasm values
(``-> None``: none; ``-> int``: one ``i32``; ``-> tuple[float, U64]``: an ``f64`` and an ``i64``), and
what would have been an errno is a trap. ``NoReturn`` is a function that never returns (``proc_exit``):
its import has no result.
"""

from __future__ import annotations

from typing import Annotated, Any, NewType, get_args, get_origin

from .. import abi
from ..abi import Record, WasiEnum, WasiFlags
from ..abi._generated import SCALARS
from .codecs import (
    EnumCodec,
    FlagsCodec,
    IovecsCodec,
    ParamCodec,
    PointerCodec,
    RecordResult,
    ResultCodec,
    ScalarCodec,
    ScalarResult,
    SliceCodec,
    StringCodec,
    ValueCodec,
    ValueResult,
)

__all__ = [
    "F32",
    "CiovecArray",
    "GuestBytes",
    "GuestPtr",
    "GuestString",
    "IovecArray",
    "S64",
    "U64",
    "param_codec",
    "result_codec",
    "value_result",
]

CiovecArray = Annotated[list[memoryview], IovecsCodec("ciovec_array")]
"""A ``ciovec`` array: read-only use of the guest's buffers, as zero-copy views."""
IovecArray = Annotated[list[memoryview], IovecsCodec("iovec_array")]
"""An ``iovec`` array: the guest's buffers to fill, as writable zero-copy views."""
GuestString = Annotated[str, StringCodec()]
"""A UTF-8 string passed as (pointer, length)."""
GuestBytes = Annotated[memoryview, SliceCodec()]
"""A byte buffer passed as (pointer, length): a writable zero-copy view of guest memory."""
GuestPtr = NewType("GuestPtr", int)
"""A guest address (bounds are checked when it is used through ``ctx.memory``)."""
U64 = NewType("U64", int)
"""An unsigned i64 parameter."""
S64 = NewType("S64", int)
"""A signed i64 parameter."""
F32 = NewType("F32", float)
"""An ``f32`` parameter or result (a plain ``float`` is an ``f64``)."""


def _scalar_tables() -> tuple[dict[Any, ParamCodec], dict[Any, ResultCodec]]:
    params: dict[Any, ParamCodec] = {
        int: ScalarCodec(None, 32),
        U64: ScalarCodec(None, 64),
        S64: ScalarCodec(None, 64, True),
        float: ValueCodec("f64"),
        F32: ValueCodec("f32"),
    }
    results: dict[Any, ResultCodec] = {int: ScalarResult(4), U64: ScalarResult(8), S64: ScalarResult(8)}
    for alias_name, (witx, bits, signed) in SCALARS.items():  # generated from the witx
        alias = getattr(abi, alias_name)
        params[alias] = ScalarCodec(alias_name, bits, signed, witx=witx)
        results[alias] = ScalarResult(bits // 8, witx=witx)
    params[GuestPtr] = PointerCodec()
    return params, results


_PARAMS, _RESULTS = _scalar_tables()


def param_codec(annotation: Any) -> ParamCodec:
    """The codec for a parameter annotation (``TypeError`` if the type cannot cross the boundary)."""
    if get_origin(annotation) is Annotated:
        for meta in get_args(annotation)[1:]:
            if isinstance(meta, ParamCodec):
                return meta
    codec = _PARAMS.get(annotation)
    if codec is not None:
        return codec
    if isinstance(annotation, type):
        if issubclass(annotation, WasiEnum):
            return EnumCodec(annotation, witx=_witx_name(annotation))
        if issubclass(annotation, WasiFlags):
            return FlagsCodec(annotation, witx=_witx_name(annotation))
    raise TypeError(f"{annotation!r} cannot be a syscall parameter (see pywasihost.namespace.types)")


def result_codec(annotation: Any) -> ResultCodec:
    """The codec for one result value (written through an out-pointer)."""
    codec = _RESULTS.get(annotation)
    if codec is not None:
        return codec
    if isinstance(annotation, type):
        if issubclass(annotation, Record):
            return RecordResult(annotation, witx=_witx_name(annotation))
        if issubclass(annotation, (WasiEnum, WasiFlags)):
            return ScalarResult(annotation.__size__, witx=_witx_name(annotation), cls=annotation)
    raise TypeError(f"{annotation!r} cannot be a syscall result (see pywasihost.namespace.types)")


def value_result(annotation: Any) -> ValueResult:
    """The codec for one result returned directly (a function registered with ``errno=False``)."""
    label = getattr(annotation, "__name__", repr(annotation))
    direct = {int: "i32", U64: "i64", S64: "i64", float: "f64", F32: "f32"}.get(annotation)
    if direct is not None:
        return ValueResult(direct, label)
    if annotation in _RESULTS:  # an ABI scalar: Size, Filesize...
        return ValueResult("i64" if _RESULTS[annotation].size == 8 else "i32", label)
    if isinstance(annotation, type):
        if issubclass(annotation, (WasiEnum, WasiFlags)):
            return ValueResult("i64" if annotation.__size__ == 8 else "i32", label)
        if issubclass(annotation, Record):
            raise TypeError(f"{label}: a struct is returned through an out-pointer, so only with an errno result")
    raise TypeError(f"{annotation!r} cannot be a direct result (see pywasihost.namespace.types)")


def _witx_name(cls: type) -> str:
    """``EventFdReadwrite`` -> ``event_fd_readwrite``."""
    out = ""
    for ch in cls.__name__:
        out += ("_" + ch.lower()) if ch.isupper() and out else ch.lower()
    return out
