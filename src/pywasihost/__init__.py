"""pywasihost: host WebAssembly programs built for WASI preview 1, with the system calls in Python.

    import pywasihost
    result = pywasihost.run("hello.wasm", pywasihost.WasiConfig(stdout=pywasihost.CAPTURE))
"""

from .abi import *  # noqa: F403
from .abi import __all__ as _abi_all
from .config import CAPTURE, INHERIT, Clocks, DeterministicClocks, RandomSource, SeededRandom, Stdio
from .config import SystemClocks, SystemRandom, WasiConfig
from .context import WasiContext
from .engines import LinkError
from .errors import GuestMemoryError, HostError, ProcExit, Trap, WasiError
from .fdtable import Descriptor, FdTable
from .instance import RunResult, WasiInstance, run
from .memory import GuestMemory, MemoryLimits
from .namespace import PREVIEW1, CiovecArray, GuestBytes, GuestPtr, GuestString, IovecArray, Namespace
from .namespace import S64, U64, SignatureMismatch, Syscall
from .tracing import enable_trace_output

__version__ = "0.1.0"

__all__ = [
    *_abi_all,
    "CAPTURE",
    "INHERIT",
    "PREVIEW1",
    "S64",
    "U64",
    "CiovecArray",
    "Clocks",
    "Descriptor",
    "DeterministicClocks",
    "FdTable",
    "GuestBytes",
    "GuestMemory",
    "GuestMemoryError",
    "GuestPtr",
    "GuestString",
    "HostError",
    "IovecArray",
    "LinkError",
    "MemoryLimits",
    "Namespace",
    "ProcExit",
    "RandomSource",
    "RunResult",
    "SeededRandom",
    "SignatureMismatch",
    "Stdio",
    "Syscall",
    "SystemClocks",
    "SystemRandom",
    "Trap",
    "WasiConfig",
    "WasiContext",
    "WasiError",
    "WasiInstance",
    "enable_trace_output",
    "run",
]
