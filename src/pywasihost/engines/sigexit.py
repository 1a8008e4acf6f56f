"""Ctrl-C for the command line on an engine that cannot stop wasm code from Python.

wasmer 1.1 holds the GIL while wasm runs, so no Python signal handler runs while a guest spins in
pure wasm (a Ctrl-C would wait for the guest's next host call, forever for a loop). For the length
of a run, :func:`exit_on_sigint` replaces SIGINT's handler with a C one (``pywasihost.engines._sigint``,
built by ``setup.py`` where a C compiler is there) that writes one line on stderr and ends the
process with ``_exit(130)``. Without the C module, SIGINT gets its default action for the run: the
process ends, killed by the signal (a shell reports 130), without the line.

Only for a process that is about to end anyway (the command line): no Python code runs on the way
out (no ``finally``, no ``atexit``); the guest's output went to the process's file descriptors as it
was written.
"""

from __future__ import annotations

import importlib
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["exit_on_sigint"]

_c: Any
try:
    _c = importlib.import_module("pywasihost.engines._sigint")
except ImportError:  # no C compiler when pywasihost was installed
    _c = None


@contextmanager
def exit_on_sigint(message: str) -> Iterator[None]:
    """A SIGINT during the block writes ``message`` (a line) on stderr and exits 130 at once. Does
    nothing where SIGINT is ignored (a background job) or handled by no Python handler."""
    if not callable(signal.getsignal(signal.SIGINT)):
        yield
        return
    if _c is None:
        previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
        return
    text = message.encode("utf-8", "replace")
    if _c.lib.pywasihost_exit_on_sigint(text, len(text)) != 0:
        yield  # already armed (a run inside a run): the outer block's handler serves
        return
    try:
        yield
    finally:
        _c.lib.pywasihost_restore_sigint()
