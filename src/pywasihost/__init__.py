"""pywasihost: host WebAssembly programs built for WASI preview 1, with the system calls in Python.

import pywasihost
result = pywasihost.run("hello.wasm", pywasihost.WasiConfig(stdout=pywasihost.CAPTURE))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from . import syscalls  # noqa: F401  (registers the preview 1 set with the generic namespace registry)
from .abi import InvalidValue, Record, Variant, WasiEnum, WasiFlags, _generated
from .abi._generated import *  # noqa: F403
from .config import (
    CAPTURE,
    INHERIT,
    NULL,
    Clocks,
    DeterministicClocks,
    Preopen,
    RandomSource,
    SeededRandom,
    Stdio,
    SystemClocks,
    SystemRandom,
    WasiConfig,
)
from .context import WasiContext
from .engines import EngineUnavailable, LimitError, LinkError, available_engines
from .errors import GuestMemoryError, HostError, InvalidExitStatus, ProcExit, Timeout, Trap, WasiError
from .fdtable import Descriptor, FdTable
from .instance import Module, RunResult, WasiInstance, compile, run
from .memory import GuestMemory, MemoryLimits
from .modinfo import ModuleInfo, describe_module
from .namespace import (
    F32,
    PREVIEW1,
    S64,
    U64,
    CiovecArray,
    GuestBytes,
    GuestPtr,
    GuestString,
    IovecArray,
    Namespace,
    SignatureMismatch,
    Syscall,
)

if TYPE_CHECKING:
    import logging

    from .aio import run_async
    from .fs.memory import MemoryFS, Symlink
    from .fs.objects import FileObject, IterableFile, ObjectFile

# Loaded on first use, so that a run without them does not pay for their import at start-up: the
# async runner (asyncio, and logging with it), the in-memory filesystem and object-backed files.
_LAZY = {
    "run_async": "aio",
    "MemoryFS": "fs.memory",
    "Symlink": "fs.memory",
    "FileObject": "fs.objects",
    "IterableFile": "fs.objects",
    "ObjectFile": "fs.objects",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pywasihost' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def enable_trace_output(stream: TextIO | None = None) -> logging.Handler:
    """Show the syscall trace on ``stream`` (stderr by default); see :mod:`pywasihost.tracing`.

    The tracing module, and ``logging`` with it, is imported only when tracing is used."""
    from . import tracing

    return tracing.enable_trace_output(stream)


__version__ = "0.1.0"

__all__ = [
    "CAPTURE",
    "F32",
    "INHERIT",
    "NULL",
    "PREVIEW1",
    "S64",
    "U64",
    "CiovecArray",
    "Clocks",
    "Descriptor",
    "DeterministicClocks",
    "EngineUnavailable",
    "FdTable",
    "FileObject",
    "GuestBytes",
    "GuestMemory",
    "GuestMemoryError",
    "GuestPtr",
    "GuestString",
    "HostError",
    "InvalidExitStatus",
    "IovecArray",
    "LimitError",
    "IterableFile",
    "LinkError",
    "MemoryFS",
    "MemoryLimits",
    "Module",
    "ModuleInfo",
    "Namespace",
    "ObjectFile",
    "Preopen",
    "ProcExit",
    "RandomSource",
    "RunResult",
    "SeededRandom",
    "SignatureMismatch",
    "Stdio",
    "Symlink",
    "Syscall",
    "SystemClocks",
    "SystemRandom",
    "Timeout",
    "Trap",
    "WasiConfig",
    "WasiContext",
    "WasiError",
    "WasiInstance",
    "available_engines",
    "compile",
    "describe_module",
    "enable_trace_output",
    "run",
    "run_async",
]
__all__ += ["InvalidValue", "Record", "Variant", "WasiEnum", "WasiFlags"]
__all__ += _generated.__all__
