"""The wasmtime adapter (the ``wasmtime`` package: one wheel for every CPython 3.9+).

Host functions do not go through ``wasmtime.Func``, whose ctypes trampoline boxes every value
(8-10 us a call): they are registered with ``wasmtime_func_new_unchecked``, whose callback gets the
arguments and leaves the results in one array of 16-byte ``wasmtime_val_raw_t`` slots. This module
generates, per signature, a small handler that reads the slots through one ctypes array laid over
them, calls the host function and writes the result back (the one measured hot path here: no
foreign call per host call, since each ctypes foreign call costs about a microsecond).

A Python exception cannot cross the C callback: the handler stores it on the instance and returns a
wasm trap; :meth:`WasmtimeInstance.call` re-raises the stored exception when that trap comes out, so
``ProcExit``, ``GuestMemoryError`` and host bugs surface exactly as on wasmer.

Limits: ``timeout`` uses epoch interruption (a ticker thread advances the engine's epoch while a
timed call runs, so even a guest spinning without system calls is stopped); ``max_memory`` uses the
store's limits; ``fuel`` fuel metering. Epoch checks and fuel metering are compiled into the code and
cost time in every loop (epoch checks: about 25% of brotli's CPU time, measured), so, as ``wasmtime
run`` does, only a run that asks for them gets them: the engine has a sibling per kind of code
(:meth:`WasmtimeEngine.variant`), each with its own ``cache_tag``. On the timed and fuel kinds,
each store's epoch deadline callback decides when a guest stops (:mod:`.wasmtime_interrupt`,
which also makes Ctrl-C stop a guest running on the main thread). Linear memories never move
(``memory_may_move`` is off), so a view of guest memory stays valid after ``memory.grow``; it only
becomes too short, which the guest-memory layer checks.

Threads and fork: engines and compiled modules serve every thread; a store (so an instance) may
move between threads but never be in two at once, so a call from a second thread while one runs is
refused with :class:`pywasihost.WrongThreadError`. wasmtime compiles on a pool of threads that its
first compile starts, and threads do not survive ``fork()``: a child forked after a compile compiles
with an engine of its own that compiles on the calling thread only, and loads the result into the
shared engine (``parallel_compilation`` does not change the code, so the two are compatible).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

from ..errors import Timeout, Trap, WrongThreadError
from .base import (
    NO_LIMITS,
    CompiledModule,
    HostFunctions,
    ImportSpec,
    InstanceLimits,
    LimitError,
    LinkError,
)
from .binary import defer_start
from .cachetag import distribution_version, host_cpu
from .native import c as _c
from .native import descriptors_pointer, native_code
from .wasmtime_interrupt import DeadlineState, SigintGuard, forget_after_fork, sigint_applies

try:
    import wasmtime
    from wasmtime import _ffi as ffi
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError("the wasmtime engine needs the 'wasmtime' package (pip install wasmtime)") from exc

__all__ = ["WasmtimeEngine", "WasmtimeInstance", "WasmtimeModule"]

_VALTYPES = {"i32": wasmtime.ValType.i32, "i64": wasmtime.ValType.i64, "f32": wasmtime.ValType.f32}
_VALTYPES["f64"] = wasmtime.ValType.f64
_TICK = 0.01  # seconds between epoch increments while a timed call runs

# The engine options that change compiled code, by kind of engine (see WasmtimeEngine.variant), each
# written into that engine's cache_tag (so a compiled module is never loaded by an engine configured
# otherwise): memory_may_move off keeps views of guest memory valid across memory.grow;
# epoch_interruption stops wasm code that makes no host call (timeouts); consume_fuel meters fuel.
_CODEGEN_OPTIONS: dict[str, dict[str, bool]] = {
    "plain": {"memory_may_move": False},
    "timed": {"memory_may_move": False, "epoch_interruption": True},
    "fuel": {"memory_may_move": False, "epoch_interruption": True, "consume_fuel": True},
}

# Whether this process has started wasmtime's compiler threads, and whether it is a child forked
# after that (see the module's docstring).
_compiler_threads_started = False
_compiler_threads_lost = False


def _after_fork_in_child() -> None:
    global _compiler_threads_lost
    _compiler_threads_lost = _compiler_threads_started
    forget_after_fork()
    for ticker in _TICKERS:
        ticker.forget_threads()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _describe(module: str, name: str, t: Any) -> ImportSpec:
    if isinstance(t, wasmtime.FuncType):
        return ImportSpec(
            module,
            name,
            "function",
            tuple(str(p) for p in t.params),
            tuple(str(r) for r in t.results),
        )
    if isinstance(t, wasmtime.MemoryType):
        limits = t.limits
        return ImportSpec(module, name, "memory", (str(limits.min), str(limits.max)))
    if isinstance(t, wasmtime.TableType):
        return ImportSpec(module, name, "table")
    return ImportSpec(module, name, "global")


class WasmtimeModule:
    def __init__(
        self, engine: WasmtimeEngine, module: wasmtime.Module, wasm: bytes, deferred_start: str | None
    ) -> None:
        self.engine = engine
        self.module = module
        self.wasm = wasm  # kept to compile again for a sibling engine (see WasmtimeEngine.variant)
        self.deferred_start = deferred_start
        self.siblings: dict[str, WasmtimeModule] = {}  # the same module compiled by the engine's siblings
        self.imports = [_describe(i.module, i.name or "", i.type) for i in module.imports]
        self.exports = [_describe("", e.name, e.type) for e in module.exports if e.name != deferred_start]


# -- raw host calls ------------------------------------------------------------------------------

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)

# env (an int handed to wasmtime with each function) -> the handler of that function; entries are
# removed by the finalizer when wasmtime drops the function (with its store).
_HANDLERS: dict[int, Callable[[int], int]] = {}
_next_env = 1
_env_lock = threading.Lock()


def _call_handler(env: int, caller: int, values: int, count: int) -> int:
    return _HANDLERS[env](values)


# An exception that escaped a C callback before the host function could hand it to its instance, by
# thread: the instance whose call traps on that thread re-raises it.
_ESCAPED = threading.local()


# The C trampoline's functions: env (the address of the function's signature struct) -> (function,
# what to do with an exception it raises, the struct, kept alive here).
_FAST: dict[int, tuple[Callable[..., Any], Callable[[BaseException], None], Any]] = {}


def _drop_handler(
    env: int | None, handlers: dict[int, Callable[[int], int]] = _HANDLERS, fast: dict[int, Any] = _FAST
) -> None:
    handlers.pop(env or 0, None)  # (default arguments: module globals may be gone at interpreter exit)
    fast.pop(env or 0, None)


_trampoline = _CALLBACK(_call_handler)
_finalize = _FINALIZER(_drop_handler)
# wasmtime calls these two from C for as long as any store lives, stores freed during interpreter
# teardown included: they must never be freed (one reference each, never given back).
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_trampoline))
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_finalize))

# -- the C trampoline (pywasihost.engines._trampoline, built by setup.py where a C compiler exists) --
# It reads the value slots in C and calls a Python function with plain ints: see _trampoline_build.
_MAX_C_PARAMS = 10  # _trampoline_build.MAX_PARAMS (not imported: that module loads the cffi builder)
# _c: None when no C compiler was there when pywasihost was installed: the ctypes path serves every call

if _c is not None:
    _C_TRAMPOLINE = ctypes.cast(
        int(_c.ffi.cast("intptr_t", _c.ffi.addressof(_c.lib, "pywasihost_trampoline"))),
        ffi.wasmtime_func_unchecked_callback_t,
    )

    def _c_pointer(function: Any) -> Any:
        """A function of libwasmtime (a ctypes function pointer) as a cffi ``void *``."""
        return _c.ffi.cast("void *", ctypes.cast(function, ctypes.c_void_p).value)

    _c.lib.pywasihost_set_trap_new(_c_pointer(ffi.dll.wasmtime_trap_new))
    _c.lib.pywasihost_set_memory_api(
        _c_pointer(ffi.dll.wasmtime_memory_data), _c_pointer(ffi.dll.wasmtime_memory_data_size)
    )

    def _fast_call(env: int, failed: Any, *args: int) -> int:
        fn, fail, _ = _FAST[env]
        try:
            result = fn(*args)
            return 0 if result is None else result & 0xFFFFFFFF
        except BaseException as exc:
            fail(exc)
            failed[0] = 1
            return 0

    def _on_callback_error(exc_type: Any, exc: BaseException, tb: Any) -> int:
        """cffi's handler for an exception that escaped ``_fast_call`` (raised before its ``try``: a
        signal handler's KeyboardInterrupt at its first instruction): the call traps, and the
        instance re-raises the exception (see ``_ESCAPED``), instead of cffi printing it and the guest
        going on with a result of 0."""
        _c.lib.pywasihost_callback_failed()
        _ESCAPED.exc = exc
        return 0

    for _n in range(_MAX_C_PARAMS + 1):
        _c.ffi.def_extern(name=f"pywasihost_call{_n}", onerror=_on_callback_error)(_fast_call)


def _c_eligible(params: tuple[str, ...], results: tuple[str, ...]) -> bool:
    """Whether the C trampoline serves this signature (i32/i64 parameters, none or one i32 result)."""
    return (
        _c is not None and len(params) <= _MAX_C_PARAMS and set(params) <= {"i32", "i64"} and results in ((), ("i32",))
    )


# The stores, modules and engines this adapter made, freed (in that order) before interpreter
# teardown: wasmtime-py frees its objects through module globals that teardown clears first.
_LIVE: tuple[weakref.WeakSet[Any], ...] = (weakref.WeakSet(), weakref.WeakSet(), weakref.WeakSet())


@atexit.register
def _close_all() -> None:
    for live in _LIVE:
        for obj in list(live):
            obj.close()


def _trap_pointer(message: bytes) -> int:
    """A new ``wasm_trap_t*`` (wasmtime takes ownership when the callback returns it)."""
    trap = ffi.wasmtime_trap_new(ctypes.create_string_buffer(message), len(message))
    return ctypes.cast(trap, ctypes.c_void_p).value or 0


# Slot views: a slot is 16 bytes (sizeof(wasmtime_val_raw_t)), so in units of the view's element the
# n-th slot starts at n*4 (i32, f32) or n*2 (i64, f64). i32 and i64 are read signed, as wasmer gives them.
_VIEW: dict[str, tuple[str, Any, int]] = {"i32": ("_i32", ctypes.c_int32, 4), "f32": ("_f32", ctypes.c_float, 4)}
_VIEW["i64"] = ("_i64", ctypes.c_int64, 2)
_VIEW["f64"] = ("_f64", ctypes.c_double, 2)
_FACTORIES: dict[tuple[tuple[str, ...], tuple[str, ...]], Callable[..., Callable[[int], int]]] = {}


def _handler_factory(params: tuple[str, ...], results: tuple[str, ...]) -> Callable[..., Callable[[int], int]]:
    """Generate (once per signature) ``factory(fn, failed) -> handler(address) -> 0 | trap``.

    The handler lays a ctypes array over the value slots, reads the arguments, calls ``fn`` and writes
    its result(s) into the first slots; any exception is handed to ``failed``, whose return value (a
    trap pointer) is returned to wasmtime."""
    key = (params, results)
    if key in _FACTORIES:
        return _FACTORIES[key]
    slots = max(len(params), len(results), 1)
    env: dict[str, Any] = {}
    views = {_VIEW[t][0] for t in (*params, *results)}
    for t in sorted({*params, *results}):
        name, ctype, per_slot = _VIEW[t]
        env[name + "_array"] = ctype * (slots * per_slot)
    args = []
    for i, t in enumerate(params):
        name, _, per_slot = _VIEW[t]
        args.append(f"{name}[{i * per_slot}]")
    setup = [f"{name} = {name}_array.from_address(address)" for name in sorted(views)]
    lines = ["def factory(fn, failed):", "    def handler(address):", "        try:"]
    lines += [f"            {s}" for s in setup]
    call = f"fn({', '.join(args)})"
    if not results:
        lines.append(f"            {call}")
    elif len(results) == 1:
        name, _, _ = _VIEW[results[0]]
        lines.append(f"            {name}[0] = {call}")
    else:
        outs = [f"r{j}" for j in range(len(results))]
        lines.append(f"            {', '.join(outs)} = {call}")
        for j, t in enumerate(results):
            name, _, per_slot = _VIEW[t]
            lines.append(f"            {name}[{j * per_slot}] = r{j}")
    lines += [
        "        except BaseException as exc:",
        "            return failed(exc)",
        "        return 0",
        "    return handler",
    ]
    code = compile("\n".join(lines) + "\n", f"<pywasihost wasmtime handler {params}->{results}>", "exec")
    exec(code, env)
    factory: Callable[..., Callable[[int], int]] = env["factory"]
    _FACTORIES[key] = factory
    return factory


# Trap reasons worded as wasmer words them, so that a trap reads the same on both engines.
_TRAP_REASONS = {
    "STACK_OVERFLOW": "call stack exhausted",
    "MEMORY_OUT_OF_BOUNDS": "out of bounds memory access",
    "HEAP_MISALIGNED": "misaligned heap",
    "TABLE_OUT_OF_BOUNDS": "undefined element: out of bounds table access",
    "INDIRECT_CALL_TO_NULL": "uninitialized element",
    "BAD_SIGNATURE": "indirect call type mismatch",
    "INTEGER_OVERFLOW": "integer overflow",
    "INTEGER_DIVISION_BY_ZERO": "integer divide by zero",
    "BAD_CONVERSION_TO_INTEGER": "invalid conversion to integer",
    "UNREACHABLE": "unreachable",
    "INTERRUPT": "interrupt",
}


def _trap_message(trap: wasmtime.Trap) -> str:
    """The reason, then one ``at function (<module>[index]:0xoffset)`` line per frame, as wasmer."""
    code = trap.trap_code
    reason = _TRAP_REASONS.get(code.name) if code is not None else None
    if reason is None:
        text = str(trap)
        reason = text.split("Caused by:", 1)[-1].strip().removeprefix("wasm trap: ") if "Caused by:" in text else text
    lines = [reason]
    for frame in trap.frames:
        name = frame.func_name or f"<wasm function {frame.func_index}>"
        lines.append(f"    at {name} (<module>[{frame.func_index}]:{frame.module_offset:#x})")
    return "\n".join(lines)


_TICKERS: weakref.WeakSet[_EpochTicker] = weakref.WeakSet()


class _EpochTicker:
    """Advances an engine's epoch every ``_TICK`` seconds while at least one timed call runs."""

    def __init__(self, engine: wasmtime.Engine) -> None:
        self._engine = engine
        self.forget_threads()
        _TICKERS.add(self)

    def forget_threads(self) -> None:
        """Start idle (in a forked child: the ticking thread and the calls it served stayed behind)."""
        self._users = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                self._wake.clear()
                threading.Thread(target=self._run, name="pywasihost-epoch", daemon=True).start()

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                self._wake.set()

    def _run(self) -> None:
        while not self._wake.wait(_TICK):
            self._engine.increment_epoch()


class WasmtimeInstance:
    def __init__(
        self, engine: WasmtimeEngine, module: WasmtimeModule, functions: HostFunctions, limits: InstanceLimits
    ) -> None:
        self.engine = engine
        self.limits = limits
        self.pending: BaseException | None = None  # the exception a host function raised
        self._thread_lock = threading.Lock()
        self._running_in: threading.Thread | None = None  # the thread calling into the store
        self._depth = 0  # calls in progress (a host function may call an export again)
        self._native: list[Any] = []  # the signatures of functions with a native fast path
        compiled, wasm_engine, self.ticker = module.module, engine.engine, engine.ticker
        self.store = store = wasmtime.Store(wasm_engine)
        _LIVE[0].add(store)
        # with epoch checks compiled in: a callback decides, at every epoch tick, whether the guest goes on
        self.deadline = DeadlineState(store) if engine.kind != "plain" else None
        self.sigint = SigintGuard(wasm_engine, self.deadline) if self.deadline is not None else None
        if limits.max_memory is not None:
            store.set_limits(memory_size=limits.max_memory)
        if limits.fuel is not None:
            store.set_fuel(limits.fuel)
        externs: list[Any] = []
        missing = []
        for imp in module.imports:
            entry = functions.get((imp.module, imp.name)) if imp.kind == "function" else None
            if entry is None:
                missing.append(f"{imp.module}.{imp.name} {imp.kind} {imp.signature()}")
                continue
            fn, params, results = entry
            if params != imp.params or results != imp.results:
                raise LinkError(
                    f"import {imp.module}.{imp.name}: the module wants {imp.signature()}, the host provides "
                    f"({', '.join(params)}) -> ({', '.join(results)})"
                )
            externs.append(self._host_function(fn, params, results))
        if missing:
            raise LinkError("unresolved imports: " + "; ".join(missing))
        try:
            self.instance = wasmtime.Instance(store, compiled, externs)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            self._reraise_pending()
            if limits.max_memory is not None and "memory" in str(exc) and "limit" in str(exc):
                raise LimitError(
                    f"the module's initial memory exceeds max_memory ({limits.max_memory} bytes)"
                ) from None
            raise Trap(f"instantiation failed: {exc}") from None
        self._exports = self.instance.exports(store)
        memory = self._exports.get("memory")
        if self._native and isinstance(memory, wasmtime.Memory):
            context = ctypes.cast(store._context(), ctypes.c_void_p).value
            handle = bytes(memory._memory)  # the wasmtime_memory_t, as the C API takes it
            for signature in self._native:
                signature.context = _c.ffi.cast("void *", context)
                _c.ffi.memmove(signature.memory, handle, len(handle))
                signature.has_memory = 1

    def _host_function(
        self, fn: Callable[..., Any], params: tuple[str, ...], results: tuple[str, ...]
    ) -> wasmtime.Func:
        global _next_env
        if self.engine.c_trampoline and _c_eligible(params, results):
            assert _c is not None
            signature = _c.ffi.new("pywasihost_signature *")
            signature.nparams, signature.has_result = len(params), len(results)
            signature.params = b"".join(b"i" if p == "i32" else b"I" for p in params)
            signature.native = native_code(fn)
            if signature.native:
                self._native.append(signature)  # told the memory once the instance exists
                signature.fds = descriptors_pointer(fn)  # kept alive by fn, in _FAST
            env = int(_c.ffi.cast("intptr_t", signature))
            _FAST[env] = (fn, self._record, signature)
            callback = _C_TRAMPOLINE
        else:
            with _env_lock:
                env = _next_env
                _next_env += 1
            _HANDLERS[env] = _handler_factory(params, results)(fn, self._failed)
            callback = ctypes.cast(_trampoline, ffi.wasmtime_func_unchecked_callback_t)
        functype = wasmtime.FuncType([_VALTYPES[p]() for p in params], [_VALTYPES[r]() for r in results])
        raw = ffi.wasmtime_func_t()
        ffi.dll.wasmtime_func_new_unchecked(
            self.store._context(), functype.ptr(), callback, ctypes.c_void_p(env), _finalize, ctypes.byref(raw)
        )
        return wasmtime.Func._from_raw(raw)

    def _record(self, exc: BaseException) -> None:
        self.pending = exc

    def _failed(self, exc: BaseException) -> int:
        self.pending = exc
        return _trap_pointer(f"host function raised {type(exc).__name__}".encode())

    def _reraise_pending(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            pending, _ESCAPED.exc = getattr(_ESCAPED, "exc", None), None
        if pending is not None:
            raise pending.with_traceback(pending.__traceback__)

    def call(self, name: str, *args: Any) -> Any:
        fn = self._exports[name]
        if not isinstance(fn, wasmtime.Func):
            raise TypeError(f"export {name!r} is not a function")
        self._enter()
        try:
            return self._call(fn, *args)
        finally:
            with self._thread_lock:
                self._depth -= 1

    def _enter(self) -> None:
        """Refuse a second thread while a call into the store runs in another (re-entry from a host
        function, on the same thread, is fine)."""
        thread = threading.current_thread()
        with self._thread_lock:
            if self._depth and self._running_in is not thread:
                assert self._running_in is not None
                raise WrongThreadError(
                    f"this instance is running in thread {self._running_in.name!r}: a wasmtime store cannot be "
                    f"used by two threads at once (create one instance per thread; a compiled module is shared)"
                )
            self._running_in = thread
            self._depth += 1

    def _call(self, fn: wasmtime.Func, *args: Any) -> Any:
        timeout = self.limits.timeout
        outermost = self._depth == 1  # (a host function may call an export again, on this thread)
        if outermost and self.deadline is not None:
            self.deadline.begin(timeout)
        if timeout is not None:
            self.ticker.acquire()
        try:
            guard = self.sigint if outermost and self.sigint is not None and sigint_applies() else None
            with guard or contextlib.nullcontext():
                return fn(self.store, *args)
        except wasmtime.Trap as exc:
            self._reraise_pending()
            self._raise_if_stopped(timeout)
            if exc.trap_code == wasmtime.TrapCode.OUT_OF_FUEL:
                raise Trap(f"the guest ran out of fuel ({self.limits.fuel} units)") from None
            raise Trap(_trap_message(exc)) from None
        except wasmtime.WasmtimeError as exc:
            self._reraise_pending()
            self._raise_if_stopped(timeout)
            raise Trap(str(exc)) from None
        finally:
            if timeout is not None:
                self.ticker.release()

    def _raise_if_stopped(self, timeout: float | None) -> None:
        """When the deadline callback stopped the guest: Ctrl-C (what the SIGINT handler raised,
        KeyboardInterrupt), or the time limit."""
        if self.deadline is None:
            return
        stop, self.deadline.stop = self.deadline.stop, None
        if stop is not None:
            raise stop from None
        if self.deadline.timed_out and timeout is not None:
            raise Timeout(timeout) from None

    def memory_buffer(self) -> Callable[[], Any] | None:
        memory = self._exports.get("memory")
        if not isinstance(memory, wasmtime.Memory):
            return None
        store = self.store

        def buffer() -> Any:
            size = memory.data_len(store)
            if size == 0:
                return bytearray()
            address = ctypes.addressof(memory.data_ptr(store).contents)
            return (ctypes.c_ubyte * size).from_address(address)

        return buffer

    def export_names(self) -> list[str]:
        return list(self._exports)


def _defer_start(wasm: bytes) -> tuple[bytes, str | None]:
    """The binary :meth:`WasmtimeEngine.compile` compiles (WAT text converted first) and the start
    function deferred from it (:func:`defer_start`: a start function calling WASI needs memory bound)."""
    if not wasm.startswith(b"\0asm"):
        wasm = bytes(wasmtime.wat2wasm(wasm.decode("utf-8", "replace")))
    return defer_start(wasm)


def _deserialize(engine: wasmtime.Engine, data: bytes) -> wasmtime.Module:
    """``wasmtime.Module.deserialize``, without its copy of ``data`` into a ctypes array first: wasmtime
    reads the bytes where they are and copies what it keeps. Measured: a cache hit of ruby.wasm's 65 MiB
    compiled code spent 80-140 ms in that copy, of 220-310 ms in all."""
    out = ctypes.POINTER(ffi.wasmtime_module_t)()
    in_place = ctypes.cast(ctypes.c_char_p(data), ctypes.POINTER(ctypes.c_uint8))  # the bytes object's buffer
    error = ffi.wasmtime_module_deserialize(engine.ptr(), in_place, len(data), ctypes.byref(out))
    if error:
        raise wasmtime.WasmtimeError._from_ptr(error)
    module: wasmtime.Module = wasmtime.Module._from_ptr(out)
    return module


class WasmtimeEngine:
    name = "wasmtime"
    interrupts_wasm = True
    supports_fuel = True

    def __init__(self, *, c_trampoline: bool | None = None, kind: str = "plain") -> None:
        """``c_trampoline``: call Python from the C trampoline where it serves the signature (default:
        where it was built; ``PYWASIHOST_PURE_PYTHON=1`` turns it off), else through ctypes.
        ``kind``: the code it compiles (``plain``, ``timed``: with epoch checks, ``fuel``: with fuel
        metering too); :meth:`variant` makes the siblings, which share this one's settings."""
        if c_trampoline is None:
            c_trampoline = os.environ.get("PYWASIHOST_PURE_PYTHON", "") in ("", "0")
        self.c_trampoline = bool(c_trampoline) and _c is not None
        self.host_calls = "C trampoline (cffi)" if self.c_trampoline else "ctypes callback"
        self.version = distribution_version(wasmtime.__file__, "wasmtime")
        self.kind = kind
        self._cache_tag: str | None = None
        self.engine = wasmtime.Engine(self._config(kind))
        _LIVE[2].add(self.engine)
        self.ticker = _EpochTicker(self.engine)
        self._siblings: dict[str, WasmtimeEngine] = {kind: self}

    @staticmethod
    def _config(kind: str, *, parallel: bool = True) -> wasmtime.Config:
        config = wasmtime.Config()
        for option, value in _CODEGEN_OPTIONS[kind].items():
            setattr(config, option, value)
        config.parallel_compilation = parallel
        return config

    def _compile(self, wasm: bytes) -> wasmtime.Module:
        """``wasm`` compiled by this engine (in a forked child: on this thread, see the module's docstring)."""
        global _compiler_threads_started
        if _compiler_threads_lost:
            serial = wasmtime.Engine(self._config(self.kind, parallel=False))
            compiled = wasmtime.Module.deserialize(self.engine, wasmtime.Module(serial, wasm).serialize())
        else:
            _compiler_threads_started = True
            compiled = wasmtime.Module(self.engine, wasm)
        _LIVE[1].add(compiled)
        return compiled

    def variant(self, limits: InstanceLimits) -> WasmtimeEngine:
        """The engine that runs a module under ``limits``: this one's sibling that compiles epoch
        checks in for a ``timeout`` (and fuel metering for ``fuel``), or the plain one. Siblings share
        settings and accept each other's modules (:meth:`instantiate` compiles them again, once)."""
        kind = "fuel" if limits.fuel is not None else "timed" if limits.timeout is not None else "plain"
        sibling = self._siblings.get(kind)
        if sibling is None:
            sibling = WasmtimeEngine(c_trampoline=self.c_trampoline, kind=kind)
            sibling._siblings = self._siblings  # one family: every member finds every other
            self._siblings[kind] = sibling
        return sibling

    def _adopt(self, module: WasmtimeModule) -> WasmtimeModule:
        """``module`` (compiled by a sibling) compiled by this engine, once per module."""
        if module.engine is self:
            return module
        if module.engine._siblings is not self._siblings:
            raise TypeError(f"{module!r} was not compiled by this wasmtime engine")
        adopted = module.siblings.get(self.kind)
        if adopted is None:
            compiled = self._compile(module.wasm)
            adopted = module.siblings[self.kind] = WasmtimeModule(self, compiled, module.wasm, module.deferred_start)
        return adopted

    def compile(self, wasm: bytes) -> WasmtimeModule:
        try:
            wasm, start = _defer_start(wasm)
            compiled = self._compile(wasm)
        except wasmtime.WasmtimeError as exc:
            raise ValueError(f"not a valid WebAssembly module: {exc}") from None
        return WasmtimeModule(self, compiled, wasm, start)

    @property
    def cache_tag(self) -> str:
        if self._cache_tag is None:
            options = " ".join(f"{option}={value}" for option, value in sorted(_CODEGEN_OPTIONS[self.kind].items()))
            self._cache_tag = f"wasmtime {self.version} {options} {host_cpu()}"
        return self._cache_tag

    def serialize(self, module: CompiledModule) -> bytes:
        if not isinstance(module, WasmtimeModule) or module.engine is not self:
            raise TypeError(f"{module!r} was not compiled by this wasmtime engine")
        return bytes(module.module.serialize())

    def deserialize(self, data: bytes, wasm: bytes) -> WasmtimeModule:
        """A module :meth:`serialize` gave, compiled from ``wasm`` by :meth:`compile`: what compile
        derived from ``wasm`` (the start function it deferred, the binary it compiled) is derived
        again, so that a cached module runs its start function as a fresh one does."""
        try:
            wasm, start = _defer_start(wasm)
        except wasmtime.WasmtimeError as exc:
            raise ValueError(f"not a valid WebAssembly module: {exc}") from None
        compiled = _deserialize(self.engine, data)  # wasmtime refuses another version's
        _LIVE[1].add(compiled)
        return WasmtimeModule(self, compiled, wasm, start)

    def instantiate(
        self, module: CompiledModule, functions: HostFunctions, limits: InstanceLimits = NO_LIMITS
    ) -> WasmtimeInstance:
        if not isinstance(module, WasmtimeModule):
            raise TypeError(f"{module!r} was not compiled by this wasmtime engine")
        engine = self.variant(limits)
        return WasmtimeInstance(engine, engine._adopt(module), functions, limits)
