"""Exceptions: the errno a syscall answers with, and what ends a run (exit, traps)."""

from __future__ import annotations

import errno as host_errno

from .abi import Errno

__all__ = [
    "GuestMemoryError",
    "HostError",
    "InvalidExitStatus",
    "ProcExit",
    "Timeout",
    "Trap",
    "WasiError",
    "WrongThreadError",
    "errno_from_oserror",
]


class WasiError(Exception):
    """Raised by a syscall implementation to answer the guest with ``errno``.

    The namespace turns it into the function's return value; nothing reaches the guest's caller.
    """

    __slots__ = ("errno",)

    def __init__(self, errno: Errno, message: str = "") -> None:
        super().__init__(message or f"{errno.name}: {errno.doc}")
        self.errno = errno


class _EndsTheRun(Exception):
    """What ends a run early; carries the output captured until then (``CAPTURE``, else None)."""

    stdout: bytes | None = None
    stderr: bytes | None = None


class ProcExit(_EndsTheRun):
    """``proc_exit(code)``: ends the run; :func:`pywasihost.run` turns it into the returned code."""

    def __init__(self, code: int) -> None:
        super().__init__(f"guest exited with code {code}")
        self.code = code


class Trap(_EndsTheRun):
    """The guest trapped: a wasm trap, or a syscall argument the spec says must trap.

    ``stdout``/``stderr``: what the guest wrote to captured stdio before it trapped (a Rust panic's
    message, say), raised out of :meth:`WasiInstance.call` and :func:`run`."""


class Timeout(Trap):
    """The run exceeded ``WasiConfig.timeout`` (seconds per call into the guest) and was stopped.

    On an engine that interrupts wasm code (wasmtime) even a guest that never makes a system call is
    stopped; elsewhere (wasmer) the deadline is checked at every host call."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the guest ran longer than its time limit of {seconds:g} s")
        self.seconds = seconds


class InvalidExitStatus(Trap):
    """``proc_exit`` with a status outside 0-125. As in wasmtime, that is an error of the guest and
    not an exit code (a shell could not tell 256 from 0, nor 130 from a Ctrl-C): :func:`run` raises
    it, and the command line reports it in one line and exits 1."""

    def __init__(self, status: int) -> None:
        super().__init__(f"exit with invalid exit status outside of [0..126): {status}")
        self.status = status


class GuestMemoryError(Trap):
    """A guest pointer or length outside linear memory (the spec makes that a trap)."""

    def __init__(self, address: int, length: int, memory_size: int, syscall: str | None = None) -> None:
        self.address, self.length, self.memory_size, self.syscall = address, length, memory_size, syscall
        where = f"{syscall}: " if syscall else ""
        super().__init__(
            f"{where}guest memory access out of bounds: {length} bytes at {address:#x} "
            f"(memory is {memory_size:#x} bytes)"
        )

    def in_syscall(self, name: str) -> GuestMemoryError:
        return GuestMemoryError(self.address, self.length, self.memory_size, name)


class HostError(Trap):
    """A host function failed with an unexpected Python exception: a bug of the host, reported as a
    trap of the guest (the exception is chained) so that the embedding Python process carries on."""


class WrongThreadError(RuntimeError):
    """An instance used from a thread its engine cannot run it on, refused before the engine is
    touched: on wasmer, any thread but the one that created the instance (wasmer itself would raise
    pyo3's ``PanicException``, which ``except Exception`` misses); on wasmtime, a second thread while
    a call into the instance is running in another (a wasmtime store is not safe to use from two
    threads at once). Compiled modules (:func:`pywasihost.compile`) work from any thread."""


# Host errno -> WASI errno, for OSErrors that a syscall implementation lets through.
_BY_NAME = {m.name: m for m in Errno}
_ALIASES = {"E2BIG": Errno.TOOBIG, "EWOULDBLOCK": Errno.AGAIN, "EOPNOTSUPP": Errno.NOTSUP, "EDEADLOCK": Errno.DEADLK}
_OS_TO_WASI: dict[int, Errno] = {}
for _name, _code in vars(host_errno).items():
    if _name.startswith("E") and isinstance(_code, int):
        _wasi = _ALIASES.get(_name) or _BY_NAME.get(_name[1:])
        if _wasi is not None:
            _OS_TO_WASI.setdefault(_code, _wasi)


def errno_from_oserror(exc: OSError) -> Errno:
    """The WASI errno for a host ``OSError`` (``Errno.IO`` when the host's has no counterpart)."""
    return _OS_TO_WASI.get(exc.errno or 0, Errno.IO)
