"""``ENOSYS`` placeholders with the spec's signature (:meth:`Namespace.disable`), built from the witx.

The only part of the host that parses the witx at run time, and only when a function is disabled.
"""

from __future__ import annotations

import functools
from typing import Any, NoReturn

from .. import abi
from ..abi import Errno
from ..abi.witx import Builtin, Function, ListType, NamedRef, Param, PointerType, WitxType, load_spec
from ..errors import WasiError
from ..namespace.codecs import IovecsCodec, ParamCodec, PointerCodec, ResultCodec, SliceCodec, StringCodec
from ..namespace.registry import PREVIEW1, Syscall
from ..namespace.types import param_codec, result_codec

__all__ = ["stub", "stubs"]


def stub(fn: Function) -> Syscall:
    """An ``ENOSYS`` placeholder with the spec's signature (:meth:`Namespace.disable`)."""

    def not_implemented(ctx: Any, *args: Any) -> NoReturn:
        raise WasiError(Errno.NOSYS)

    params = tuple(witx_params(fn.params))
    results = tuple(
        (f"ret{i}" if len(fn.results) > 1 else "ret", witx_result_codec(t)) for i, t in enumerate(fn.results)
    )
    return Syscall(PREVIEW1, fn.name, not_implemented, params, results, fn.noreturn, implemented=False)


@functools.cache
def stubs() -> dict[str, Syscall]:
    """The ENOSYS placeholders, built once: their compiled wrappers are then shared by every namespace."""
    return {name: stub(fn) for name, fn in load_spec().functions.items()}


def witx_params(params: tuple[Param, ...]) -> list[tuple[str, ParamCodec]]:
    """Codecs for a function's witx parameters; a (``pointer u8``, ``size``) pair is one byte buffer."""
    out: list[tuple[str, ParamCodec]] = []
    i = 0
    while i < len(params):
        t = params[i].type
        nxt = params[i + 1].type if i + 1 < len(params) else None
        if (
            isinstance(t, PointerType)
            and t.pointee == Builtin("u8")
            and isinstance(nxt, NamedRef)
            and nxt.name == "size"
        ):
            out.append((params[i].name, SliceCodec()))
            i += 2
        else:
            out.append((params[i].name, witx_param_codecs(t)))
            i += 1
    return out


def witx_param_codecs(t: WitxType) -> ParamCodec:
    if isinstance(t, NamedRef):
        target = t.target.type
        if isinstance(target, ListType):
            return IovecsCodec(t.name)
        return param_codec(getattr(abi, abi.base.camel(t.name)))
    if isinstance(t, Builtin) and t.name == "string":
        return StringCodec()
    if isinstance(t, PointerType):
        return PointerCodec()
    raise TypeError(t)


def witx_result_codec(t: WitxType) -> ResultCodec:
    assert isinstance(t, NamedRef), t
    return result_codec(getattr(abi, abi.base.camel(t.name)))
