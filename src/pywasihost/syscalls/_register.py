"""How the built-in syscall modules register their functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..namespace.registry import PREVIEW1, Syscall, syscall_from_function

F = TypeVar("F", bound=Callable[..., Any])

BUILTINS: list[Syscall] = []


def wasi(*results: str) -> Callable[[F], F]:
    """Register a ``wasi_snapshot_preview1`` function; ``results`` names its results for the trace."""

    def register(fn: F) -> F:
        BUILTINS.append(syscall_from_function(fn, module=PREVIEW1, results=results or None))
        return fn

    return register
