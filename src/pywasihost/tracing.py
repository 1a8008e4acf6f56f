"""The syscall trace: one log line per call, with decoded arguments, results and the errno.

    [1] fd_write(fd=Fd(1), iovs=*guest 0xfffd8/1 b'Hello WASI!') -> result=(nwritten=11) -> errno=Success
    [1] app.log(msg='plugin ready')

Tracing wraps the raw functions when an instance is created with tracing on; when it is off nothing
is wrapped, so it costs nothing per call. Lines go to the ``pywasihost.trace`` logger at INFO, each
record carrying ``wasi_instance`` (the instance's id); :func:`enable_trace_output` sends them to
stderr with that id in front (``--trace`` and ``PYWASIHOST_TRACE=1`` do). Functions of modules other
than preview 1 are named with their module; flags with many members are counted, not listed; the
data that ``fd_write``/``fd_read`` and friends move is previewed (32 bytes), and so are the buffers a
call fills (the preopen names of ``fd_prestat_dir_name``, say).

``WasiConfig(trace_hook=fn)`` calls ``fn(TraceEvent)`` after every call instead of (or beside) the
log: the function's module and name, decoded arguments, results and errno, for tools.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from .abi import Errno, Record, Variant, WasiFlags
from .errors import ProcExit, Trap
from .memory import GuestMemory
from .namespace.codecs import HOOK_PREVIEW_BYTES, PREVIEW_BYTES, ScalarResult, preview_text, short_flags
from .namespace.registry import Syscall

__all__ = [
    "TRACE_LOGGER",
    "TraceEvent",
    "enable_trace_output",
    "format_errno",
    "prepare_trace_output",
    "traced",
]

TRACE_LOGGER = logging.getLogger("pywasihost.trace")


@dataclass
class TraceEvent:
    """One host call, as the trace hook receives it.

    ``args``: decoded arguments by name (ints, enum and flags members, strings, a preview of the
    bytes a ``ciovec`` array passes); ``results``: the values written through out-pointers, the
    values returned directly, and a preview of each buffer the call filled; ``errno``: the errno
    answered (None for a function without one); ``trap``: the message when the call trapped."""

    instance: int
    module: str
    name: str
    args: dict[str, Any]
    results: dict[str, Any] = field(default_factory=dict)
    errno: Errno | int | None = None
    trap: str | None = None


class _InstanceFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        instance = getattr(record, "wasi_instance", None)
        return message if instance is None else f"[{instance}] {message}"


def enable_trace_output(stream: TextIO | None = None) -> logging.Handler:
    """Send trace lines to ``stream`` (stderr by default), each after its instance's id; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_InstanceFormatter("%(message)s"))
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


def _params(sc: Syscall, raw: tuple[Any, ...]) -> list[tuple[str, Any, tuple[Any, ...]]]:
    out, i = [], 0
    for name, codec in sc.params:
        n = len(codec.wasm)
        out.append((name, codec, raw[i : i + n]))
        i += n
    return out


def format_call(sc: Syscall, raw: tuple[Any, ...], memory: GuestMemory) -> str:
    parts = [f"{name}={codec.format(args, memory)}" for name, codec, args in _params(sc, raw)]
    return f"{sc.qualname}({', '.join(parts)})"


def _load_results(sc: Syscall, raw: tuple[Any, ...], memory: GuestMemory) -> dict[str, Any]:
    """The values the call wrote through its out-pointers (``?`` where they cannot be read)."""
    pointers = raw[len(raw) - len(sc.results) :]
    out: dict[str, Any] = {}
    for (name, codec), ptr in zip(sc.results, pointers, strict=True):
        try:
            out[name] = codec.load(memory, ptr & 0xFFFFFFFF)
        except Exception:  # the trace must never change what the guest sees
            out[name] = "?"
    return out


def _filled(
    sc: Syscall, raw: tuple[Any, ...], memory: GuestMemory, results: dict[str, Any], limit: int
) -> dict[str, bytes]:
    """A preview of each buffer the call filled, cut to the size the call reported (nread, bufused)."""
    out: dict[str, bytes] = {}
    count = None
    if sc.results and isinstance(sc.results[0][1], ScalarResult) and isinstance(results.get(sc.results[0][0]), int):
        count = results[sc.results[0][0]]
    for name, codec, args in _params(sc, raw):
        if codec.output:
            data = codec.preview(args, memory, limit)
            out[name] = data if count is None else data[: min(count, limit + 1)]
    return out


def _show(value: Any) -> str:
    """``repr``, with flags of many members counted (an fdstat's rights) instead of listed."""
    if isinstance(value, WasiFlags):
        return short_flags(value)
    if isinstance(value, Record) and not isinstance(value, Variant):
        fields = ", ".join(f"{name}={_show(getattr(value, name))}" for name in value.OFFSETS)
        return f"{type(value).__name__}({fields})"
    return repr(value)


def format_results(sc: Syscall, raw: tuple[Any, ...], memory: GuestMemory) -> str:
    results = _load_results(sc, raw, memory)
    return f"result=({', '.join(f'{name}={_show(value)}' for name, value in results.items())})"


def traced(
    sc: Syscall,
    fn: Callable[..., Any],
    memory: GuestMemory,
    logger: logging.Logger | None = TRACE_LOGGER,
    *,
    instance: int = 0,
    hook: Callable[[TraceEvent], object] | None = None,
) -> Callable[..., Any]:
    """``fn`` (the raw function of ``sc``) wrapped to log each call and/or report it to ``hook``."""
    extra = {"wasi_instance": instance}

    def log(message: str) -> None:
        if logger is not None:
            logger.info("%s", message, extra=extra)

    def report(raw: tuple[Any, ...], results: dict[str, Any], errno: int | None, trap: str | None) -> None:
        if hook is None:
            return
        args = {name: codec.decoded(a, memory) for name, codec, a in _params(sc, raw)}
        code: Errno | int | None = errno
        if errno is not None and errno in Errno._value2member_map_:
            code = Errno(errno)
        hook(TraceEvent(instance, sc.module, sc.name, args, results, code, trap))

    def tracing(*raw: Any) -> Any:
        call = format_call(sc, raw, memory) if logger is not None else ""
        if sc.noreturn:
            log(call)
            if hook is not None:
                report(raw, {}, None, None)
        try:
            rc = fn(*raw)
        except ProcExit:
            raise
        except Trap as exc:
            log(f"{call} -> trap: {exc}")
            report(raw, {}, None, str(exc))
            raise
        if sc.noreturn:
            return rc
        if not sc.returns_errno:  # results returned directly
            values = rc if len(sc.values) > 1 else (rc,) if sc.values else ()
            log(f"{call} -> {rc!r}" if sc.values else call)
            report(raw, {name: v for (name, _), v in zip(sc.values, values, strict=False)}, None, None)
            return rc
        results = _load_results(sc, raw, memory) if rc == 0 else {}
        filled = _filled(sc, raw, memory, results, PREVIEW_BYTES) if rc == 0 else {}
        line = call
        if results:
            line += f" -> result=({', '.join(f'{name}={_show(value)}' for name, value in results.items())})"
        for name, data in filled.items():
            line += f" -> {name}={preview_text(data, PREVIEW_BYTES)}"
        log(f"{line} -> {format_errno(rc)}")
        if hook is not None:
            filled = _filled(sc, raw, memory, results, HOOK_PREVIEW_BYTES)
            report(raw, {**results, **{k: v[:HOOK_PREVIEW_BYTES] for k, v in filled.items()}}, rc, None)
        return rc

    tracing.__name__ = sc.name
    return tracing
