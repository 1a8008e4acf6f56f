"""How the built-in syscall modules register their functions.

Registering only records the function: its :class:`Syscall` (codecs read from its annotations,
which costs about 0.1 ms a function) is built the first time a namespace looks it up, so that a run
pays for the functions its guest imports, not for all 46 (start-up, measured by
``benchmarks/import_time.py``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from ..namespace.registry import PREVIEW1, Syscall, syscall_from_function

if TYPE_CHECKING:
    from ..context import WasiContext

F = TypeVar("F", bound=Callable[..., Any])

BUILTINS: dict[str, Callable[[], Syscall]] = {}
"""Preview 1 function name -> the (cached) builder of its :class:`Syscall`."""


def wasi(*results: str, native_when: Callable[[WasiContext], bool] | None = None) -> Callable[[F], F]:
    """Register a ``wasi_snapshot_preview1`` function; ``results`` names its results for the trace.

    ``native_when``: the function has a native fast path of its name (see
    :attr:`pywasihost.namespace.Syscall.native`), which an instance may use when this says so."""

    def register(fn: F) -> F:
        @functools.cache
        def build() -> Syscall:
            sc = syscall_from_function(fn, module=PREVIEW1, results=results or None)
            if native_when is not None:
                sc = replace(sc, native=sc.name, native_when=native_when)
            return sc

        BUILTINS[fn.__name__] = build
        return fn

    return register
