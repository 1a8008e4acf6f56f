"""The wasmer adapter (``wasmer`` 1.1 with the Cranelift compiler; CPython 3.10 and older).

Host functions get explicit ``FunctionType``s (annotations would map ``float`` to f32 and break
under postponed evaluation). wasmer passes i32 arguments as signed ints: the namespace masks them.
A Python exception raised in a host function comes out of the wasm call unchanged (``ProcExit``,
``Trap``); wasm traps come out as ``RuntimeError`` and are turned into :class:`pywasihost.Trap`.

Native fast paths (``clock_time_get``, ``random_get``, ``fd_write``, ``fd_read``; see
``_trampoline_build``): wasmer 1.1 calls only Python, so a host function with a native path is a
small shim that calls the C function ``pywasihost_native`` first and the Python function only when it
answers -1 (anything unusual). The C side knows the memory's base address and size as last seen;
an access past that size goes to Python, which looks again first. The base never moves: wasmer's
Universal engine gives every wasm32 memory a static 4 GiB reservation on a 64-bit host (its default
tunables), so ``memory.grow`` only extends the size (a test grows memory under the fast path).

Threads: wasmer-python binds a ``Module``, an ``Instance`` and their functions to the thread that
made them (any other thread gets pyo3's ``PanicException``, a ``BaseException``). A compiled module
therefore keeps its compiled code as bytes and gives each thread its own ``Module``, deserialized
from them (about 0.1 ms for a small module); an instance refuses any other thread with
:class:`pywasihost.WrongThreadError` before wasmer is touched.

Fork: wasmer compiles on a pool of threads that its first compile starts, and threads do not survive
``fork()``: a forked child that compiled would wait for them forever. A child forked after a compile
therefore compiles in a fresh Python process and loads the code it sends back (modules compiled
before the fork, and modules from the compiled-module cache, load without compiling).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..errors import Trap, WrongThreadError
from .base import (
    NO_LIMITS,
    CompiledModule,
    HostFunctions,
    ImportSpec,
    InstanceLimits,
    LinkError,
)
from .binary import cap_memory, defer_start
from .cachetag import distribution_version, host_cpu
from .native import c as _c
from .native import descriptors_pointer, native_code

try:
    import wasmer
    from wasmer_compiler_cranelift import Compiler
except ImportError as exc:  # pragma: no cover - depends on the Python running us
    raise ImportError(
        "the wasmer engine needs the 'wasmer' and 'wasmer-compiler-cranelift' 1.1.0 wheels, which exist "
        "only for CPython 3.7-3.10 on x86_64; on other Pythons pywasihost runs on the wasmtime engine"
    ) from exc

__all__ = ["WasmerEngine"]

_TYPES = {"i32": wasmer.Type.I32, "i64": wasmer.Type.I64, "f32": wasmer.Type.F32, "f64": wasmer.Type.F64}
_NAMES = {v: k for k, v in _TYPES.items()}


def _describe(kind: str, t: Any, module: str, name: str) -> ImportSpec:
    if isinstance(t, wasmer.FunctionType):
        return ImportSpec(
            module,
            name,
            "function",
            tuple(_NAMES.get(p, str(p)) for p in t.params),
            tuple(_NAMES.get(r, str(r)) for r in t.results),
        )
    if isinstance(t, wasmer.MemoryType):
        return ImportSpec(module, name, "memory", (str(t.minimum), str(t.maximum)))
    if isinstance(t, wasmer.TableType):
        return ImportSpec(module, name, "table")
    return ImportSpec(module, name, "global")


# Whether this process has started wasmer's compiler threads, and whether it is a child forked after
# that (its compiles then run in a fresh process: see the module's docstring).
_compiler_threads_started = False
_compiler_threads_lost = False


def _after_fork_in_child() -> None:
    global _compiler_threads_lost
    _compiler_threads_lost = _compiler_threads_started


os.register_at_fork(after_in_child=_after_fork_in_child)

# Run by a fresh interpreter: compile the wasm read from stdin, write the compiled code to stdout.
_COMPILE_ELSEWHERE = """
import sys
sys.path[:0] = sys.argv[1:]
import wasmer
from wasmer_compiler_cranelift import Compiler
try:
    module = wasmer.Module(wasmer.Store(wasmer.engine.Universal(Compiler)), sys.stdin.buffer.read())
except (ValueError, RuntimeError) as exc:
    sys.stderr.write(str(exc))
    sys.exit(3)
sys.stdout.buffer.write(module.serialize())
"""


def _compile_in_fresh_process(wasm: bytes) -> bytes:
    """The compiled code of ``wasm`` (:meth:`wasmer.Module.serialize`), compiled by a new Python
    process with this one's ``sys.path``; ``ValueError`` with wasmer's reason for an invalid module."""
    proc = subprocess.run(
        [sys.executable, "-c", _COMPILE_ELSEWHERE, *sys.path], input=wasm, capture_output=True, check=False
    )
    if proc.returncode == 3:
        raise ValueError(proc.stderr.decode("utf-8", "replace"))
    if proc.returncode != 0:
        raise ChildProcessError(
            f"compiling in a fresh process (this is a forked child) failed with exit code {proc.returncode}: "
            + proc.stderr.decode("utf-8", "replace").strip()
        )
    return proc.stdout


class WasmerModule:
    def __init__(
        self,
        engine: WasmerEngine,
        module: wasmer.Module,
        wasm: bytes,
        deferred_start: str | None,
        code: bytes | None = None,
    ) -> None:
        self.engine = engine
        self.wasm = wasm  # kept to recompile with a lower memory maximum when a run sets max_memory
        self.deferred_start = deferred_start
        self.imports = [_describe("import", i.type, i.module, i.name) for i in module.imports]
        self.exports = [_describe("export", e.type, "", e.name) for e in module.exports if e.name != deferred_start]
        # The compiled code, from which any other thread gets its own Module (a Module serves only
        # the thread that made it); serializing costs about 1/200 of compiling.
        self.code: bytes = module.serialize() if code is None else code
        self._local = threading.local()
        self._local.module = module

    @property
    def module(self) -> wasmer.Module:
        """The ``wasmer.Module`` for the calling thread (made on its first use there)."""
        module: wasmer.Module | None = getattr(self._local, "module", None)
        if module is None:
            module = self._local.module = wasmer.Module.deserialize(self.engine.store, self.code)
        return module


class _NativeMemory:
    """The guest memory as the C fast paths see it (a ``pywasihost_memory``), for one instance."""

    def __init__(self) -> None:
        assert _c is not None
        self.c = _c.ffi.new("pywasihost_memory *")
        self.memory: wasmer.Memory | None = None  # known once the instance exists
        self._view: Any = None  # keeps the buffer that c.base points into alive

    def refresh(self) -> None:
        """Look at the memory again if it has grown, before the Python function runs (every call C
        declines comes here: a write to captured output, say, so the unchanged case is one size read)."""
        if self.memory is not None and (self._view is None or self.memory.data_size != self.c.size):
            self._view = memoryview(self.memory.buffer)
            self.c.base = _c.ffi.from_buffer(self._view)
            self.c.size = len(self._view)


def _native_shim(fn: Callable[..., Any], code: int, memory: _NativeMemory, nparams: int) -> Callable[..., Any]:
    """``fn`` behind its native fast path: C answers the ordinary case, ``fn`` (the reference) the rest.

    One shim per arity (2: random_get, 3: clock_time_get, 4: fd_read/fd_write): each is a call on the
    hot path, and ``*args`` packing would cost more than the C function."""
    native, state, refresh = _c.lib.pywasihost_native, memory.c, memory.refresh

    def shim2(a: int, b: int) -> int:
        result: int = native(code, state, a, b, 0, 0)
        if result < 0:
            refresh()
            result = fn(a, b)
        return result

    def shim3(a: int, b: int, c: int) -> int:
        result: int = native(code, state, a, b, c, 0)
        if result < 0:
            refresh()
            result = fn(a, b, c)
        return result

    def shim4(a: int, b: int, c: int, d: int) -> int:
        result: int = native(code, state, a, b, c, d)
        if result < 0:
            refresh()
            result = fn(a, b, c, d)
        return result

    shims: dict[int, Callable[..., int]] = {2: shim2, 3: shim3, 4: shim4}
    return shims[nparams]


class WasmerInstance:
    def __init__(self, instance: wasmer.Instance) -> None:
        self.instance = instance
        self.thread = threading.current_thread()  # the only one wasmer lets use the instance

    def _check_thread(self) -> None:
        if threading.current_thread() is not self.thread:
            raise WrongThreadError(
                f"this instance belongs to thread {self.thread.name!r}: on wasmer an instance can only be "
                f"used by the thread that created it (create one per thread; a compiled module is shared)"
            )

    def call(self, name: str, *args: Any) -> Any:
        self._check_thread()
        fn = getattr(self.instance.exports, name)
        try:
            return fn(*args)
        except RuntimeError as exc:
            raise Trap(str(exc).removeprefix("RuntimeError: ")) from None

    def memory_buffer(self) -> Callable[[], Any] | None:
        try:
            memory = self.instance.exports.memory
        except LookupError:
            return None
        if not isinstance(memory, wasmer.Memory):
            return None

        def buffer() -> Any:
            self._check_thread()
            return memory.buffer

        return buffer

    def export_names(self) -> list[str]:
        return [name for name, _ in self.instance.exports]


class WasmerEngine:
    """wasmer 1.1: no way to interrupt wasm code (a timeout is checked at host calls only); a memory
    limit is applied by lowering the module's declared memory maximum and compiling it again."""

    name = "wasmer"
    interrupts_wasm = False
    supports_fuel = False
    host_calls = "wasmer.Function over a Python callable" + (
        "; C fast paths (cffi) for fd_read, fd_write, clock_time_get, random_get" if _c is not None else ""
    )

    def __init__(self) -> None:
        self.version = wasmer.__version__
        self.store = wasmer.Store(wasmer.engine.Universal(Compiler))
        self._cache_tag: str | None = None

    def variant(self, limits: InstanceLimits) -> WasmerEngine:
        return self  # one kind of code: a timeout is checked at host calls, max_memory at instantiation

    def compile(self, wasm: bytes) -> WasmerModule:
        wasm, start = defer_start(wasm)  # a start function calling WASI needs memory bound first
        try:
            return WasmerModule(self, self._compile(wasm), wasm, start)
        except (ValueError, RuntimeError) as exc:
            raise ValueError(f"not a valid WebAssembly module: {exc}") from None

    def _compile(self, wasm: bytes) -> wasmer.Module:
        global _compiler_threads_started
        if _compiler_threads_lost:  # a forked child: its compiler threads are gone
            return wasmer.Module.deserialize(self.store, _compile_in_fresh_process(wasm))
        _compiler_threads_started = True
        return wasmer.Module(self.store, wasm)

    @property
    def cache_tag(self) -> str:
        if self._cache_tag is None:
            import wasmer_compiler_cranelift

            cranelift = distribution_version(wasmer_compiler_cranelift.__file__, "wasmer_compiler_cranelift")
            self._cache_tag = f"wasmer {wasmer.__version__} universal cranelift {cranelift} {host_cpu()}"
        return self._cache_tag

    def serialize(self, module: CompiledModule) -> bytes:
        if not isinstance(module, WasmerModule):
            raise TypeError(f"{module!r} was not compiled by this wasmer engine")
        return module.code

    def deserialize(self, data: bytes, wasm: bytes) -> WasmerModule:
        """A module :meth:`serialize` gave, compiled from ``wasm`` by :meth:`compile`: the start
        function compile deferred is derived from ``wasm`` again (and the binary it compiled kept, for
        ``max_memory``), so that a cached module runs its start function as a fresh one does."""
        wasm, start = defer_start(wasm)
        return WasmerModule(self, wasmer.Module.deserialize(self.store, data), wasm, start, data)

    def instantiate(
        self, module: CompiledModule, functions: HostFunctions, limits: InstanceLimits = NO_LIMITS
    ) -> WasmerInstance:
        if not isinstance(module, WasmerModule) or module.engine is not self:
            raise TypeError(f"{module!r} was not compiled by this wasmer engine")
        if limits.fuel is not None:
            raise ValueError("fuel is not supported by the wasmer engine: use engine='wasmtime'")
        compiled = module.module
        if limits.max_memory is not None:
            compiled = self._compile(cap_memory(module.wasm, limits.max_memory))
        namespaces: dict[str, dict[str, wasmer.Function]] = {}
        native_memory: _NativeMemory | None = None
        missing = []
        for imp in module.imports:
            if imp.kind != "function" or (imp.module, imp.name) not in functions:
                missing.append(f"{imp.module}.{imp.name} {imp.kind} {imp.signature()}")
                continue
            fn, params, results = functions[imp.module, imp.name]
            if params != imp.params or results != imp.results:
                raise LinkError(
                    f"import {imp.module}.{imp.name}: the module wants {imp.signature()}, the host provides "
                    f"({', '.join(params)}) -> ({', '.join(results)})"
                )
            code = native_code(fn)
            if code:
                native_memory = native_memory or _NativeMemory()
                if code in (3, 4):  # fd_write / fd_read: the descriptor mirror, kept alive by fn in the shim
                    native_memory.c.fds = descriptors_pointer(fn)
                fn = _native_shim(fn, code, native_memory, len(params))
            ftype = wasmer.FunctionType([_TYPES[p] for p in params], [_TYPES[r] for r in results])
            namespaces.setdefault(imp.module, {})[imp.name] = wasmer.Function(self.store, fn, ftype)
        if missing:
            raise LinkError("unresolved imports: " + "; ".join(missing))
        import_object = wasmer.ImportObject()
        for mod, funcs in namespaces.items():
            import_object.register(mod, funcs)
        try:
            instance = WasmerInstance(wasmer.Instance(compiled, import_object))
        except RuntimeError as exc:
            raise Trap(f"instantiation failed: {exc}") from None
        if native_memory is not None:
            try:
                memory = instance.instance.exports.memory
            except LookupError:
                memory = None
            native_memory.memory = memory if isinstance(memory, wasmer.Memory) else None
            native_memory.refresh()
        return instance
