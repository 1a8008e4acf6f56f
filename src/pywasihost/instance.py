"""Instantiating a module with a WASI namespace, and running it.

    result = run("prog.wasm", WasiConfig(args=["prog", "x"], stdout=CAPTURE))
    result.exit_code, result.stdout

Lower level: :class:`WasiInstance` instantiates, exposes the context and memory, and calls exports.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

from .config import WasiConfig
from .context import WasiContext
from .engines import CompiledModule, EngineChoice, InstanceLimits, compile_module, resolve_choice
from .errors import HostError, ProcExit, Trap
from .namespace import Namespace

__all__ = ["RunResult", "WasiInstance", "run"]

ModuleSource = Union[str, "os.PathLike[str]", bytes, CompiledModule]


def load_module(module: ModuleSource, engine: EngineChoice = None) -> CompiledModule:
    """Compile a module given as a path or bytes with the chosen engine (see
    :func:`pywasihost.engines.compile_module`); a compiled module is returned as it is, and must have
    been compiled by the engine asked for, if one was named."""
    if isinstance(module, (str, os.PathLike)):
        with open(module, "rb") as f:
            return compile_module(f.read(), engine)
    if isinstance(module, (bytes, bytearray)):
        return compile_module(bytes(module), engine)
    choice = resolve_choice(engine) if engine is not None else "auto"
    wanted = choice if isinstance(choice, str) else choice.name
    if wanted != "auto" and module.engine.name != wanted:
        raise ValueError(f"the module was compiled by {module.engine.name}, not by the engine asked for ({wanted})")
    return module


class WasiInstance:
    """One instance of a module, with its own context (descriptors, memory, state)."""

    def __init__(
        self,
        module: ModuleSource,
        config: WasiConfig | None = None,
        *,
        namespace: Namespace | None = None,
        engine: EngineChoice = None,
    ) -> None:
        self.config = config or WasiConfig()
        self.namespace = namespace or Namespace.preview1()
        self.module = load_module(module, engine)
        self.engine = self.module.engine
        self._functions = frozenset(e.name for e in self.module.exports if e.kind == "function")
        self.context = ctx = WasiContext(self.config)
        ctx.instance = self
        wrap_trace: Callable[..., Any] | None = None
        if self.config.trace:  # the tracing module (and logging) is loaded only for traced runs
            from . import tracing

            tracing.prepare_trace_output()
            wrap_trace = tracing.traced
        functions = {}
        try:
            for imp in self.module.imports:
                sc = self.namespace.get(imp.module, imp.name)
                if sc is None or imp.kind != "function":
                    continue
                fn = sc.bind(ctx, ctx.memory)
                if wrap_trace is not None:
                    fn = wrap_trace(sc, fn, ctx.memory)
                if self.config.timeout is not None:
                    fn = _deadline_checked(fn, ctx)
                functions[imp.module, imp.name] = (fn, tuple(sc.wasm_params), tuple(sc.wasm_results))
            limits = InstanceLimits(self.config.timeout, self.config.max_memory, self.config.fuel)
            self._instance = self.engine.instantiate(self.module, functions, limits)
        except BaseException:
            ctx.close()
            raise
        source = self._instance.memory_buffer()
        if source is not None:
            ctx.memory.bind(source)

    @property
    def memory(self) -> Any:
        return self.context.memory

    def call(self, name: str, *args: Any) -> Any:
        """Call an export. ``proc_exit`` raises :class:`ProcExit`; traps raise :class:`Trap`; a name
        the module does not export raises ``ValueError`` (naming the functions it does export)."""
        if name not in self._functions:
            exported = ", ".join(e.name for e in self.module.exports if e.kind == "function") or "none"
            raise ValueError(f"the module exports no function {name!r} (it exports: {exported})")
        timeout = self.config.timeout
        if timeout is not None:
            self.context.deadline = time.monotonic() + timeout
        try:
            return self._instance.call(name, *args)
        except (ProcExit, Trap):
            raise
        except Exception as exc:  # a bug in a host function: the guest traps, Python carries on
            raise HostError(f"host function failed: {type(exc).__name__}: {exc}") from exc

    def start(self, entry: str = "_start") -> int:
        """Run ``entry`` as a command: the exit code (0 when it returns, ``n`` on ``proc_exit(n)``)."""
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
    """How a run ended: the exit code, and stdout/stderr when they were captured."""

    exit_code: int
    stdout: bytes | None = None
    stderr: bytes | None = None


def run(
    module: ModuleSource,
    config: WasiConfig | None = None,
    *,
    namespace: Namespace | None = None,
    engine: EngineChoice = None,
    entry: str = "_start",
) -> RunResult:
    """Instantiate ``module`` (a path, bytes or compiled module) and run it to its end.

    ``engine``: ``"auto"`` (default, or ``PYWASIHOST_ENGINE``), ``"wasmer"``, ``"wasmtime"`` or an
    engine object. Returns the exit code (and captured output); a trap raises :class:`Trap` (a run
    past ``config.timeout``: :class:`Timeout`), after every host descriptor of the run is closed.
    """
    with WasiInstance(module, config, namespace=namespace, engine=engine) as inst:
        code = inst.start(entry)
        captured = inst.context.captured
        return RunResult(code, _bytes(captured.get(1)), _bytes(captured.get(2)))


def _bytes(buf: bytearray | None) -> bytes | None:
    return None if buf is None else bytes(buf)
