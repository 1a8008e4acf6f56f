"""The syscall trace: one log line per call, with decoded arguments, results and the errno.

    fd_write(fd=Fd(1), iovs=*guest 0xfffd8/1) -> result=(nwritten=11) -> errno=Success

Tracing wraps the raw functions when an instance is created with tracing on; when it is off nothing
is wrapped, so it costs nothing per call. Lines go to the ``pywasihost.trace`` logger at INFO;
:func:`enable_trace_output` sends them to stderr (``--trace`` and ``PYWASIHOST_TRACE=1`` do).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TextIO

from .abi import Errno
from .errors import ProcExit, Trap
from .memory import GuestMemory
from .namespace.registry import Syscall

__all__ = ["TRACE_LOGGER", "enable_trace_output", "format_errno", "prepare_trace_output", "traced"]

TRACE_LOGGER = logging.getLogger("pywasihost.trace")


def enable_trace_output(stream: TextIO | None = None) -> logging.Handler:
    """Send trace lines to ``stream`` (stderr by default) as they are; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    TRACE_LOGGER.addHandler(handler)
    TRACE_LOGGER.setLevel(logging.INFO)
    TRACE_LOGGER.propagate = False
    return handler


def prepare_trace_output() -> None:
    """Before a traced run: make the trace logger log, and show it on stderr when nobody listens."""
    if TRACE_LOGGER.level == logging.NOTSET:
        TRACE_LOGGER.setLevel(logging.INFO)
    if not TRACE_LOGGER.hasHandlers():
        enable_trace_output()


def format_errno(code: int) -> str:
    try:
        e = Errno(code)
    except ValueError:
        return f"errno={code} (not a WASI errno)"
    label = e.name.capitalize()
    return f"errno={label}" if e is Errno.SUCCESS else f"errno={label} ({e.doc})"


def format_call(sc: Syscall, raw: tuple[int, ...], memory: GuestMemory) -> str:
    parts, i = [], 0
    for name, codec in sc.params:
        n = len(codec.wasm)
        parts.append(f"{name}={codec.format(raw[i : i + n], memory)}")
        i += n
    return f"{sc.qualname}({', '.join(parts)})"


def format_results(sc: Syscall, raw: tuple[int, ...], memory: GuestMemory) -> str:
    pointers = raw[len(raw) - len(sc.results) :]
    out = []
    for (name, codec), ptr in zip(sc.results, pointers, strict=True):
        try:
            out.append(f"{name}={codec.load(memory, ptr & 0xFFFFFFFF)!r}")
        except Exception:  # the trace must never change what the guest sees
            out.append(f"{name}=?")
    return f"result=({', '.join(out)})"


def traced(
    sc: Syscall, fn: Callable[..., Any], memory: GuestMemory, logger: logging.Logger = TRACE_LOGGER
) -> Callable[..., Any]:
    """``fn`` (the raw function of ``sc``) wrapped to log each call."""

    def tracing(*raw: int) -> Any:
        call = format_call(sc, raw, memory)
        if sc.noreturn:
            logger.info("%s", call)
        try:
            rc = fn(*raw)
        except ProcExit:
            raise
        except Trap as exc:
            logger.info("%s -> trap: %s", call, exc)
            raise
        if sc.noreturn:
            return rc
        if not sc.returns_errno:  # results returned directly
            if sc.values:
                logger.info("%s -> %r", call, rc)
            else:
                logger.info("%s", call)
            return rc
        if rc == 0 and sc.results:
            logger.info("%s -> %s -> %s", call, format_results(sc, raw, memory), format_errno(rc))
        else:
            logger.info("%s -> %s", call, format_errno(rc))
        return rc

    tracing.__name__ = sc.name
    return tracing
