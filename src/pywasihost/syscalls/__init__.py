"""The implementations of ``wasi_snapshot_preview1``, one module per family of functions.

Each function receives the context and decoded, typed arguments, and returns its typed result or
raises :class:`pywasihost.WasiError`; the namespace does every conversion to and from guest memory.
"""

from . import args, clock, fd, path, poll, proc, random, sock  # noqa: F401  (importing registers them)
from ._register import BUILTINS

__all__ = ["BUILTINS"]
