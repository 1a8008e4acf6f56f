"""The implementations of ``wasi_snapshot_preview1``, one module per family of functions.

Each function receives the context and decoded, typed arguments, and returns its typed result or
raises :class:`pywasihost.WasiError`; the namespace does every conversion to and from guest memory.
"""

from __future__ import annotations

from ..namespace.registry import Syscall, set_preview1
from . import args, clock, fd, path, poll, proc, random, sock  # noqa: F401  (importing registers them)
from ._register import BUILTINS

__all__ = ["BUILTINS", "Preview1"]


class Preview1:
    """The concrete ``wasi_snapshot_preview1`` set, as the generic registry asks for it
    (:meth:`pywasihost.Namespace.preview1`, :meth:`pywasihost.Namespace.disable`)."""

    def names(self) -> list[str]:
        return list(BUILTINS)

    def function(self, name: str) -> Syscall:
        return BUILTINS[name]()

    def stub(self, name: str) -> Syscall | None:
        from .stubs import stubs  # the witx is parsed only when a function is disabled

        return stubs().get(name)


set_preview1(Preview1())
