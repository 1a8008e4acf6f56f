"""The two hosts of the benchmarks, each able to run a compiled guest many times in one process, on
the engine that :func:`bench_engine` names (``PYWASIHOST_ENGINE``, else wasmer where it imports):

* ``native``: the engine's own WASI, in Rust: :class:`NativeHost` is wasmer's (``wasmer.wasi``,
  wasmer-wasi 2.1.1 inside the ``wasmer`` 1.1.0 wheel), :class:`NativeWasmtimeHost` wasmtime's
  (``wasmtime.WasiConfig`` with ``Linker.define_wasi``, inside the ``wasmtime`` wheel);
* :class:`PywasihostHost`: pywasihost on the same engine.

Both sides use the same engine and compile the module once, in the constructor, so that a timing of
:meth:`run` covers instantiate + ``_start`` + teardown.
Both inherit this process's fds 0, 1 and 2, and both see the directory ``data_dir`` (if given) under
the guest path ``/data`` (pywasihost: or a MemoryFS there). Imports are lazy so that a worker process
of one host does not load the other host's code (its peak RSS figure would include it).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pywasihost import MemoryFS

__all__ = [
    "GUEST_DATA",
    "HOSTS",
    "BenchmarkError",
    "Host",
    "NativeHost",
    "NativeWasmtimeHost",
    "PywasihostHost",
    "bench_engine",
    "make_host",
]

GUEST_DATA = "/data"
HOSTS = ("native", "pywasihost")
_NATIVE_EXIT = "WASI exited with code: "


class BenchmarkError(RuntimeError):
    """A guest run or a worker that failed (a broken host, not a slow one)."""


class Host(Protocol):
    name: str

    def run(self, argv: Sequence[str], data_dir: Path | MemoryFS | None = None) -> int:
        """Run the guest with ``argv`` (``argv[0]`` included) to its end; return its exit code."""
        ...


def bench_engine() -> str:
    """The engine the benchmarks run on: ``PYWASIHOST_ENGINE`` (wasmer or wasmtime), else wasmer
    where it imports, else wasmtime (without importing pywasihost: a native worker must not load it)."""
    chosen = os.environ.get("PYWASIHOST_ENGINE", "auto")
    if chosen in ("wasmer", "wasmtime"):
        return chosen
    return "wasmer" if importlib.util.find_spec("wasmer") is not None and sys.version_info < (3, 11) else "wasmtime"


class NativeHost:
    """wasmer's built-in WASI (Rust)."""

    name = "native"

    def __init__(self, wasm: bytes) -> None:
        from wasmer import Module, Store, engine, wasi
        from wasmer_compiler_cranelift import Compiler

        self._wasi: Any = wasi
        self.store: Any = Store(engine.Universal(Compiler))
        self.module: Any = Module(self.store, wasm)
        self.version: Any = wasi.get_version(self.module, strict=True)

    def run(self, argv: Sequence[str], data_dir: Path | MemoryFS | None = None) -> int:
        from wasmer import Instance

        if data_dir is not None and not isinstance(data_dir, Path):
            raise BenchmarkError("native wasmer WASI preopens host directories only")

        builder = self._wasi.StateBuilder(argv[0])
        for arg in argv[1:]:
            builder = builder.argument(arg)
        if data_dir is not None:
            builder = builder.map_directory(GUEST_DATA, str(data_dir))
        imports = builder.finalize().generate_import_object(self.store, self.version)
        instance = Instance(self.module, imports)
        try:
            instance.exports._start()  # returns when main returns 0
        except RuntimeError as exc:  # proc_exit(n), or a trap
            message = str(exc)
            if _NATIVE_EXIT in message:
                return int(message.rsplit(_NATIVE_EXIT, 1)[1].strip())
            raise BenchmarkError(f"native: {argv[0]} trapped: {message}") from None
        return 0


class NativeWasmtimeHost:
    """wasmtime's built-in WASI (Rust), through wasmtime-py, with wasmtime's default configuration."""

    name = "native"

    def __init__(self, wasm: bytes) -> None:
        import wasmtime

        self._wasmtime: Any = wasmtime
        self.engine: Any = wasmtime.Engine()
        self.module: Any = wasmtime.Module(self.engine, wasm)
        self.linker: Any = wasmtime.Linker(self.engine)
        self.linker.define_wasi()

    def run(self, argv: Sequence[str], data_dir: Path | MemoryFS | None = None) -> int:
        wasmtime = self._wasmtime
        config = wasmtime.WasiConfig()
        config.argv = list(argv)
        config.inherit_stdin()
        config.inherit_stdout()
        config.inherit_stderr()
        if data_dir is not None and not isinstance(data_dir, Path):
            raise BenchmarkError("native wasmtime WASI preopens host directories only")
        if data_dir is not None:
            config.preopen_dir(str(data_dir), GUEST_DATA)
        store = wasmtime.Store(self.engine)
        store.set_wasi(config)
        instance = self.linker.instantiate(store, self.module)
        try:
            instance.exports(store)["_start"](store)
        except wasmtime.ExitTrap as exc:
            return int(exc.code)
        except wasmtime.Trap as exc:
            raise BenchmarkError(f"native: {argv[0]} trapped: {exc}") from None
        return 0


class PywasihostHost:
    """pywasihost on the benchmark's engine."""

    name = "pywasihost"

    def __init__(self, wasm: bytes) -> None:
        from pywasihost.engines import get_engine

        self.engine = get_engine(bench_engine())
        self.module = self.engine.compile(wasm)

    def run(self, argv: Sequence[str], data_dir: Path | MemoryFS | None = None) -> int:
        from pywasihost import Preopen, WasiConfig, run

        preopens = [Preopen(data_dir, GUEST_DATA)] if data_dir is not None else []
        return run(self.module, WasiConfig(args=list(argv), preopens=preopens), engine=self.engine).exit_code


def make_host(name: str, wasm: bytes) -> Host:
    """The host called ``name`` (one of :data:`HOSTS`) with ``wasm`` compiled, on :func:`bench_engine`."""
    if name == "native":
        return NativeHost(wasm) if bench_engine() == "wasmer" else NativeWasmtimeHost(wasm)
    if name == "pywasihost":
        return PywasihostHost(wasm)
    raise ValueError(f"unknown host {name!r} (expected one of {', '.join(HOSTS)})")
