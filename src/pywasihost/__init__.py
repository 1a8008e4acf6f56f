"""pywasihost: host WebAssembly programs built for WASI preview 1, with the system calls in Python.

import pywasihost
result = pywasihost.run("hello.wasm", pywasihost.WasiConfig(stdout=pywasihost.CAPTURE))
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing's: importing typing costs more than the rest of this file

# The public names load on first use (PEP 562 ``__getattr__`` below): ``import pywasihost`` costs
# about a millisecond, and a program that only runs modules never loads what a run does not need
# (module inspection, tracing, ...). Type checkers read the imports below.
if TYPE_CHECKING:
    import logging
    from typing import Any, TextIO

    from .abi import InvalidValue, Record, Variant, WasiEnum, WasiFlags, _generated
    from .abi._generated import *  # noqa: F403
    from .aio import run_async
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
    from .errors import (
        GuestMemoryError,
        HostError,
        InvalidExitStatus,
        ProcExit,
        Timeout,
        Trap,
        WasiError,
        WrongThreadError,
    )
    from .fdtable import Descriptor, FdTable
    from .fs.memory import MemoryFS, Symlink
    from .fs.objects import FileObject, IterableFile, ObjectFile
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
        "IterableFile",
        "LimitError",
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
        "WrongThreadError",
        "available_engines",
        "compile",
        "describe_module",
        "enable_trace_output",
        "run",
        "run_async",
    ]
    __all__ += ["InvalidValue", "Record", "Variant", "WasiEnum", "WasiFlags"]
    __all__ += _generated.__all__

# name -> the submodule that defines it; every other public name is an ABI class of abi._generated.
# (The same names as __all__ above; tests/test_imports.py keeps the two equal.)
_LAZY = {
    **dict.fromkeys(("InvalidValue", "Record", "Variant", "WasiEnum", "WasiFlags"), "abi"),
    **dict.fromkeys(
        (
            "CAPTURE",
            "INHERIT",
            "NULL",
            "Clocks",
            "DeterministicClocks",
            "Preopen",
            "RandomSource",
            "SeededRandom",
            "Stdio",
            "SystemClocks",
            "SystemRandom",
            "WasiConfig",
        ),
        "config",
    ),
    "WasiContext": "context",
    "run_async": "aio",  # asyncio (and logging with it) loads only for async runs
    **dict.fromkeys(("MemoryFS", "Symlink"), "fs.memory"),  # the in-memory filesystem
    **dict.fromkeys(("FileObject", "IterableFile", "ObjectFile"), "fs.objects"),  # object-backed files
    **dict.fromkeys(("EngineUnavailable", "LimitError", "LinkError", "available_engines"), "engines"),
    **dict.fromkeys(
        (
            "GuestMemoryError",
            "HostError",
            "InvalidExitStatus",
            "ProcExit",
            "Timeout",
            "Trap",
            "WasiError",
            "WrongThreadError",
        ),
        "errors",
    ),
    **dict.fromkeys(("Descriptor", "FdTable"), "fdtable"),
    **dict.fromkeys(("Module", "RunResult", "WasiInstance", "compile", "run"), "instance"),
    **dict.fromkeys(("GuestMemory", "MemoryLimits"), "memory"),
    **dict.fromkeys(("ModuleInfo", "describe_module"), "modinfo"),
    **dict.fromkeys(
        (
            "F32",
            "PREVIEW1",
            "S64",
            "U64",
            "CiovecArray",
            "GuestBytes",
            "GuestPtr",
            "GuestString",
            "IovecArray",
            "Namespace",
            "SignatureMismatch",
            "Syscall",
        ),
        "namespace",
    ),
}


def _submodule(name: str) -> Any:
    __import__(f"{__name__}.{name}")
    return sys.modules[f"{__name__}.{name}"]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use, and keep the name here."""
    if name == "__all__":
        value: Any = [*_OWN, *_LAZY, *_submodule("abi._generated").__all__]
    elif name in _LAZY:
        if _LAZY[name] == "namespace":
            _submodule("syscalls")  # registers the preview 1 set with the generic registry
        value = getattr(_submodule(_LAZY[name]), name)
    elif name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        generated = _submodule("abi._generated")
        if name not in generated.__all__:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(generated, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__getattr__("__all__")})


def enable_trace_output(stream: TextIO | None = None) -> logging.Handler:
    """Show the syscall trace on ``stream`` (stderr by default); see :mod:`pywasihost.tracing`.

    The tracing module, and ``logging`` with it, is imported only when tracing is used."""
    from . import tracing

    return tracing.enable_trace_output(stream)


__version__ = "0.1.0"

_OWN = ["enable_trace_output"]
