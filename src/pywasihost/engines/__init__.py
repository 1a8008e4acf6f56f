"""Engine adapters: the only code that talks to a WebAssembly engine.

Two engines sit behind one small interface (:mod:`.base`): ``wasmer`` 1.1 with Cranelift, where its
wheels exist (CPython 3.10 and older on x86_64), and ``wasmtime``, on every CPython. ``"auto"`` takes
wasmer where it imports, else wasmtime, and compiles with wasmtime a module that wasmer cannot
compile (saying so once on stderr). ``PYWASIHOST_ENGINE`` sets the default choice.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Union

from .base import (
    NATIVE,
    NATIVE_DESCRIPTORS,
    NO_LIMITS,
    CompiledModule,
    Engine,
    EngineInstance,
    HostFunctions,
    ImportSpec,
    InstanceLimits,
    LimitError,
    LinkError,
)

if TYPE_CHECKING:
    from ..cache import ModuleCache

__all__ = [
    "ENGINE_NAMES",
    "CompiledModule",
    "Engine",
    "EngineChoice",
    "EngineInstance",
    "EngineUnavailable",
    "HostFunctions",
    "ImportSpec",
    "InstanceLimits",
    "LimitError",
    "LinkError",
    "NATIVE",
    "NATIVE_DESCRIPTORS",
    "NO_LIMITS",
    "available_engines",
    "compile_module",
    "default_engine",
    "get_engine",
    "resolve_choice",
]

ENGINE_NAMES = ("wasmer", "wasmtime")
"""In order of preference for ``"auto"``."""

EngineChoice = Union[str, Engine, None]
"""An engine by name (``"auto"``, ``"wasmer"``, ``"wasmtime"``), an engine object, or None (the
``PYWASIHOST_ENGINE`` environment variable, else ``"auto"``)."""


class EngineUnavailable(ImportError):
    """The engine asked for does not import on this Python (the message says why)."""


_ENGINES: dict[str, Engine] = {}
_UNAVAILABLE: dict[str, str] = {}
_lock = threading.Lock()


def get_engine(name: str) -> Engine:
    """The shared engine called ``name`` (created on first use); ``EngineUnavailable`` if it does not
    import here, ``ValueError`` for a name that is no engine."""
    if name not in ENGINE_NAMES:
        raise ValueError(f"unknown engine {name!r}: choose one of auto, {', '.join(ENGINE_NAMES)}")
    with _lock:
        if name in _ENGINES:
            return _ENGINES[name]
        if name in _UNAVAILABLE:
            raise EngineUnavailable(_UNAVAILABLE[name])
        try:
            engine = _create(name)
        except ImportError as exc:
            _UNAVAILABLE[name] = str(exc)
            raise EngineUnavailable(str(exc)) from None
        _ENGINES[name] = engine
        return engine


def _create(name: str) -> Engine:
    if name == "wasmer":
        from .wasmer import WasmerEngine

        return WasmerEngine()
    from .wasmtime import WasmtimeEngine

    return WasmtimeEngine()


def available_engines() -> dict[str, str | None]:
    """Each engine's name -> None where it imports, else the reason it does not."""
    out: dict[str, str | None] = {}
    for name in ENGINE_NAMES:
        try:
            get_engine(name)
            out[name] = None
        except EngineUnavailable as exc:
            out[name] = str(exc)
    return out


def resolve_choice(choice: EngineChoice = None) -> str | Engine:
    """``None`` -> ``PYWASIHOST_ENGINE`` or ``"auto"``; names are checked, engines returned as they are."""
    if choice is None:
        choice = os.environ.get("PYWASIHOST_ENGINE") or "auto"
    if isinstance(choice, str) and choice != "auto" and choice not in ENGINE_NAMES:
        raise ValueError(f"unknown engine {choice!r}: choose one of auto, {', '.join(ENGINE_NAMES)}")
    return choice


def default_engine(choice: EngineChoice = None) -> Engine:
    """The engine a run would use for ``choice`` (``"auto"``: the first of ``ENGINE_NAMES`` that imports)."""
    resolved = resolve_choice(choice)
    if not isinstance(resolved, str):
        return resolved
    if resolved != "auto":
        return get_engine(resolved)
    reasons = []
    for name in ENGINE_NAMES:
        try:
            return get_engine(name)
        except EngineUnavailable as exc:
            reasons.append(f"{name}: {exc}")
    raise EngineUnavailable("no WebAssembly engine imports on this Python (" + "; ".join(reasons) + ")")


def compile_module(
    wasm: bytes, choice: EngineChoice = None, cache: ModuleCache | None = None, limits: InstanceLimits = NO_LIMITS
) -> CompiledModule:
    """Compile ``wasm`` with the chosen engine (through ``cache``, if given, keyed by the engine that
    compiles: the fallback's modules are cached as the fallback's), in the variant that runs it under
    ``limits`` (see :meth:`Engine.variant`).

    ``"auto"`` falls back to the next engine for a module the first cannot compile (one line on
    stderr says so); an explicit engine that cannot compile it raises ``ValueError`` naming the engine
    that can, if one can.
    """

    def compile_with(engine: Engine) -> CompiledModule:
        engine = engine.variant(limits)
        return engine.compile(wasm) if cache is None else cache.compile(engine, wasm)

    resolved = resolve_choice(choice)
    engine = default_engine(resolved)
    try:
        return compile_with(engine)
    except ValueError as first:
        others = [n for n in ENGINE_NAMES if n != engine.name]
        for name in others:
            try:
                other = get_engine(name)
                module = compile_with(other)
            except (EngineUnavailable, ValueError):
                continue
            if resolved == "auto":
                print(
                    f"pywasihost: {engine.name} cannot compile this module ({_first_line(first)}); "
                    f"running it on {name}",
                    file=sys.stderr,
                )
                return module
            raise ValueError(f"{first} ({engine.name} cannot compile it; engine={name!r} can)") from None
        raise


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
