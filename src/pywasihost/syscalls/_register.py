"""How the built-in syscall modules register their functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from ..namespace.registry import PREVIEW1, Syscall, syscall_from_function

if TYPE_CHECKING:
    from ..context import WasiContext

F = TypeVar("F", bound=Callable[..., Any])

BUILTINS: list[Syscall] = []


def wasi(*results: str, native_when: Callable[[WasiContext], bool] | None = None) -> Callable[[F], F]:
    """Register a ``wasi_snapshot_preview1`` function; ``results`` names its results for the trace.

    ``native_when``: the function has a native fast path of its name (see
    :attr:`pywasihost.namespace.Syscall.native`), which an instance may use when this says so."""

    def register(fn: F) -> F:
        sc = syscall_from_function(fn, module=PREVIEW1, results=results or None)
        if native_when is not None:
            sc = replace(sc, native=sc.name, native_when=native_when)
        BUILTINS.append(sc)
        return fn

    return register
