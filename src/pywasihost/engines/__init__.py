"""Engine adapters: the only code that talks to a WebAssembly engine.

An engine compiles modules, lists their imports and exports, and instantiates them with host
functions given as plain Python callables plus their core wasm types. :func:`default_engine` picks
wasmer (CPython 3.10 and older, where its wheels exist).
"""

from __future__ import annotations

from .base import CompiledModule, Engine, EngineInstance, ImportSpec, LinkError

__all__ = ["CompiledModule", "Engine", "EngineInstance", "ImportSpec", "LinkError", "default_engine"]

_DEFAULT: Engine | None = None


def default_engine() -> Engine:
    """The shared default engine (created on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        from .wasmer import WasmerEngine

        engine: Engine = WasmerEngine()
        _DEFAULT = engine
    return _DEFAULT
