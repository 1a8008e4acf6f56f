"""Compiling a module, instantiating it with a WASI namespace, and running it.

    result = run("prog.wasm", WasiConfig(args=["prog", "x"], stdout=CAPTURE))
    result.exit_code, result.stdout

Lower level: :func:`compile` gives a :class:`Module` that any number of instances share;
:class:`WasiInstance` instantiates (running a reactor's ``_initialize``), exposes the context, memory
and captured output, and calls exports.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from . import syscalls  # noqa: F401  (registers the preview 1 set with the generic namespace registry)
from .config import WasiConfig
from .context import WasiContext
from .engines import (
    NATIVE,
    NATIVE_DESCRIPTORS,
    NO_LIMITS,
    CompiledModule,
    Engine,
    EngineChoice,
    ImportSpec,
    InstanceLimits,
    LinkError,
    compile_module,
    resolve_choice,
)
from .errors import HostError, ProcExit, Trap, WrongThreadError
from .namespace import Namespace, Syscall

if TYPE_CHECKING:
    from .cache import ModuleCache

__all__ = ["Module", "RunResult", "WasiInstance", "compile", "run"]

_INSTANCE_IDS = itertools.count(1)

DEFAULT_PROGRAM_NAME = "main.wasm"
"""argv[0] of a module given as bytes, when ``WasiConfig.args`` is empty."""


@dataclass(frozen=True)
class Module:
    """A compiled module (:func:`compile`): instantiate it as often as you like, it is compiled once.

    ``name`` is the file name it came from (the guest's default ``argv[0]``); ``engine`` compiled it
    and instantiates it."""

    compiled: CompiledModule
    name: str = DEFAULT_PROGRAM_NAME

    @property
    def engine(self) -> Engine:
        return self.compiled.engine

    @property
    def imports(self) -> list[ImportSpec]:
        return self.compiled.imports

    @property
    def exports(self) -> list[ImportSpec]:
        return self.compiled.exports

    @property
    def kind(self) -> str:
        """``command`` (exports ``_start``), ``reactor`` (exports ``_initialize``) or ``library``."""
        functions = {e.name for e in self.exports if e.kind == "function"}
        if "_initialize" in functions:
            return "reactor"
        return "command" if "_start" in functions else "library"


ModuleSource = Union[str, "os.PathLike[str]", bytes, Module, CompiledModule]


def compile(
    source: str | os.PathLike[str] | bytes, *, engine: EngineChoice = None, cache: bool | ModuleCache = True
) -> Module:
    """Compile a module from its path or its bytes (wasm, or WAT text where the engine reads it).

    ``engine``: as for :func:`run`. The result is shared: ``WasiInstance(module, ...)`` and
    ``run(module, ...)`` reuse it without compiling again, as many times as you like (on the engine
    that compiled it). Compiling is the slow part of starting a guest: ``cache`` (see
    :func:`load_module`) loads what an earlier process compiled."""
    return load_module(source, engine, cache)


def _compile(data: bytes, engine: EngineChoice, cache: bool | ModuleCache, limits: InstanceLimits) -> CompiledModule:
    """Compile binary wasm or WAT text; anything else is refused before the engine sees it, so that
    the message is not a WAT parser's complaint about a file that was never meant as WAT."""
    if not data.startswith(b"\0asm") and not data.lstrip().startswith((b"(", b";;")):
        raise ValueError(f"not a valid WebAssembly module: it does not start with b'\\0asm' (it starts {data[:8]!r})")
    if cache is False:
        return compile_module(data, engine, limits=limits)
    from .cache import default_cache

    return compile_module(data, engine, default_cache() if cache is True else cache, limits)


def load_module(
    module: ModuleSource,
    engine: EngineChoice = None,
    cache: bool | ModuleCache = True,
    limits: InstanceLimits = NO_LIMITS,
) -> Module:
    """A :class:`Module` for a path or bytes, compiled with the chosen engine (see
    :func:`pywasihost.engines.compile_module`), or for an already compiled module, which must have
    been compiled by the engine asked for, if one was named.

    ``cache``: True uses the compiled-module cache in its default directory (see
    :mod:`pywasihost.cache`), a :class:`~pywasihost.cache.ModuleCache` that one, False none. The cache
    is looked up for the engine that compiles, the ``"auto"`` fallback's included. ``limits``: the
    limits the module will run under, which decide the code some engines compile (see
    :meth:`pywasihost.engines.Engine.variant`)."""
    if isinstance(module, (str, os.PathLike)):
        with open(module, "rb") as f:
            return Module(_compile(f.read(), engine, cache, limits), os.path.basename(os.fspath(module)))
    if isinstance(module, (bytes, bytearray)):
        return Module(_compile(bytes(module), engine, cache, limits))
    loaded = module if isinstance(module, Module) else Module(module)  # compiled by an engine directly
    choice = resolve_choice(engine) if engine is not None else "auto"
    wanted = choice if isinstance(choice, str) else choice.name
    if wanted != "auto" and loaded.engine.name != wanted:
        raise ValueError(f"the module was compiled by {loaded.engine.name}, not by the engine asked for ({wanted})")
    return loaded


def _check_signature(imp: ImportSpec, sc: Syscall) -> None:
    """The engine refuses a mismatch too; this message also says how to write what the guest wants."""
    params, results = tuple(sc.wasm_params), tuple(sc.wasm_results)
    if (params, results) == (imp.params, imp.results):
        return
    hint = ""
    if sc.returns_errno and imp.results != ("i32",):
        hint = " (a function that returns its result directly, or nothing, is registered with errno=False)"
    raise LinkError(
        f"import {imp.module}.{imp.name}: the module wants {imp.signature()}, the host provides "
        f"({', '.join(params)}) -> ({', '.join(results)}){hint}"
    )


class WasiInstance:
    """One instance of a module, with its own context (descriptors, memory, state)."""

    def __init__(
        self,
        module: ModuleSource,
        config: WasiConfig | None = None,
        *,
        namespace: Namespace | None = None,
        engine: EngineChoice = None,
        cache: bool | ModuleCache = True,
    ) -> None:
        self.config = config or WasiConfig()
        self.namespace = namespace or Namespace.preview1()
        limits = InstanceLimits(self.config.timeout, self.config.max_memory, self.config.fuel)
        self.module = load_module(module, engine, cache, limits)
        self.engine = self.module.engine
        self._functions = frozenset(e.name for e in self.module.exports if e.kind == "function")
        self.id = next(_INSTANCE_IDS)
        """This instance's number in the process (the trace shows it)."""
        self.context = ctx = WasiContext(self.config, program_name=self.module.name)
        ctx.instance = self
        wrap_trace: Callable[..., Any] | None = None
        if self.config.trace or self.config.trace_hook:  # tracing (and logging) loads only for traced runs
            wrap_trace = self._tracer()
        functions = {}
        try:
            for imp in self.module.imports:
                sc = self.namespace.get(imp.module, imp.name)
                if sc is None or imp.kind != "function":
                    continue
                _check_signature(imp, sc)
                fn = sc.bind(ctx, ctx.memory)
                if wrap_trace is not None:
                    fn = wrap_trace(sc, fn)
                if self.config.timeout is not None:
                    fn = _deadline_checked(fn, ctx)
                elif wrap_trace is None and sc.native_when is not None and sc.native_when(ctx):
                    setattr(fn, NATIVE, sc.native)  # the engine may answer in C (see Syscall.native)
                    setattr(fn, NATIVE_DESCRIPTORS, ctx.fds.direct)
                functions[imp.module, imp.name] = (fn, tuple(sc.wasm_params), tuple(sc.wasm_results))
            self._instance = self.engine.instantiate(self.module.compiled, functions, limits)
        except BaseException:
            ctx.close()
            raise
        source = self._instance.memory_buffer()
        if source is not None:
            ctx.memory.bind(source)
        #: The exit code the module's start function ended the run with (``proc_exit`` in it).
        self.exited: int | None = None
        if self.module.compiled.deferred_start is not None:  # the start section's function, now memory is bound
            try:
                self._invoke(self.module.compiled.deferred_start)
            except ProcExit as exit_:
                self.exited = exit_.code
            except BaseException:
                ctx.close()
                raise
        if self.module.kind == "reactor":  # a WASI reactor is initialised once, before any other export
            try:
                self.call("_initialize")
            except BaseException:
                ctx.close()
                raise

    def _tracer(self) -> Callable[..., Any]:
        from . import tracing

        logger = None
        if self.config.trace:
            tracing.prepare_trace_output()
            logger = tracing.TRACE_LOGGER
        memory, instance, hook = self.context.memory, self.id, self.config.trace_hook
        return lambda sc, fn: tracing.traced(sc, fn, memory, logger, instance=instance, hook=hook)

    @property
    def stdout(self) -> bytes | None:
        """What the guest has written to stdout so far, when it is captured (else None)."""
        return self.context.captured_output(1)

    @property
    def stderr(self) -> bytes | None:
        """What the guest has written to stderr so far, when it is captured (else None)."""
        return self.context.captured_output(2)

    @property
    def memory(self) -> Any:
        return self.context.memory

    def call(self, name: str, *args: Any) -> Any:
        """Call an export. ``proc_exit`` raises :class:`ProcExit`; traps raise :class:`Trap`; a name
        the module does not export raises ``ValueError`` (naming the functions it does export)."""
        if name not in self._functions:
            exported = ", ".join(e.name for e in self.module.exports if e.kind == "function") or "none"
            raise ValueError(f"the module exports no function {name!r} (it exports: {exported})")
        if self.exited is not None:  # the start function already ended the run
            raise ProcExit(self.exited)
        return self._invoke(name, *args)

    def _invoke(self, name: str, *args: Any) -> Any:
        timeout = self.config.timeout
        if timeout is not None:
            self.context.deadline = time.monotonic() + timeout
        try:
            return self._instance.call(name, *args)
        except (ProcExit, Trap) as exc:
            exc.stdout, exc.stderr = self.stdout, self.stderr  # a panic's message travels with its trap
            raise
        except WrongThreadError:  # refused before the guest ran
            raise
        except Exception as exc:  # a bug in a host function: the guest traps, Python carries on
            error = HostError(f"host function failed: {type(exc).__name__}: {exc}")
            error.stdout, error.stderr = self.stdout, self.stderr
            raise error from exc

    def start(self, entry: str = "_start") -> int:
        """Run ``entry`` as a command: the exit code (0 when it returns, ``n`` on ``proc_exit(n)``)."""
        if entry not in self._functions and self.module.kind == "reactor":
            exported = ", ".join(e.name for e in self.module.exports if e.kind == "function")
            raise ValueError(f"a reactor has no {entry}: it is initialised, then you call its exports ({exported})")
        try:
            self.call(entry)
        except ProcExit as exit_:
            return exit_.code
        return 0

    def close(self) -> None:
        """Close every host descriptor the instance opened."""
        self.context.close()

    def __enter__(self) -> WasiInstance:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _deadline_checked(fn: Callable[..., Any], ctx: WasiContext) -> Callable[..., Any]:
    """``fn``, refusing to run past the context's deadline: on an engine that cannot interrupt wasm,
    a timeout takes effect at the guest's next host call."""

    def checked(*args: Any) -> Any:
        ctx.check_deadline()
        return fn(*args)

    return checked


@dataclass
class RunResult:
    """How a run ended: the exit code, stdout/stderr when they were captured (the captured bytes
    themselves, not a copy), and the context's ``state`` as the custom syscalls left it."""

    exit_code: int
    stdout: bytes | None = None
    stderr: bytes | None = None
    state: dict[str, Any] = field(default_factory=dict)


def run(
    module: ModuleSource,
    config: WasiConfig | None = None,
    *,
    namespace: Namespace | None = None,
    engine: EngineChoice = None,
    entry: str = "_start",
    cache: bool | ModuleCache = True,
) -> RunResult:
    """Instantiate ``module`` (a path, bytes or compiled module) and run it to its end.

    ``engine``: ``"auto"`` (default, or ``PYWASIHOST_ENGINE``), ``"wasmer"``, ``"wasmtime"`` or an
    engine object. Returns the exit code (and captured output); a trap raises :class:`Trap` (a run
    past ``config.timeout``: :class:`Timeout`), after every host descriptor of the run is closed.
    ``cache=False`` compiles without the compiled-module cache.
    """
    with WasiInstance(module, config, namespace=namespace, engine=engine, cache=cache) as inst:
        code = inst.start(entry)
        return RunResult(code, inst.stdout, inst.stderr, inst.context.state)
