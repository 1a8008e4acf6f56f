"""The wasmer adapter (``wasmer`` 1.1 with the Cranelift compiler; CPython 3.10 and older).

Host functions get explicit ``FunctionType``s (annotations would map ``float`` to f32 and break
under postponed evaluation). wasmer passes i32 arguments as signed ints: the namespace masks them.
A Python exception raised in a host function comes out of the wasm call unchanged (``ProcExit``,
``Trap``); wasm traps come out as ``RuntimeError`` and are turned into :class:`pywasihost.Trap`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import Trap
from .base import NO_LIMITS, CompiledModule, HostFunctions, ImportSpec, InstanceLimits, LinkError
from .binary import cap_memory, defer_start
from .cachetag import distribution_version, host_cpu

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


class WasmerModule:
    def __init__(self, engine: WasmerEngine, module: wasmer.Module, wasm: bytes, deferred_start: str | None) -> None:
        self.engine = engine
        self.module = module
        self.wasm = wasm  # kept to recompile with a lower memory maximum when a run sets max_memory
        self.deferred_start = deferred_start
        self.imports = [_describe("import", i.type, i.module, i.name) for i in module.imports]
        self.exports = [_describe("export", e.type, "", e.name) for e in module.exports if e.name != deferred_start]


class WasmerInstance:
    def __init__(self, instance: wasmer.Instance) -> None:
        self.instance = instance

    def call(self, name: str, *args: Any) -> Any:
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
        return lambda: memory.buffer

    def export_names(self) -> list[str]:
        return [name for name, _ in self.instance.exports]


class WasmerEngine:
    """wasmer 1.1: no way to interrupt wasm code (a timeout is checked at host calls only); a memory
    limit is applied by lowering the module's declared memory maximum and compiling it again."""

    name = "wasmer"
    interrupts_wasm = False
    supports_fuel = False
    host_calls = "wasmer.Function over a Python callable"

    def __init__(self) -> None:
        self.version = wasmer.__version__
        self.store = wasmer.Store(wasmer.engine.Universal(Compiler))
        self._cache_tag: str | None = None

    def compile(self, wasm: bytes) -> WasmerModule:
        wasm, start = defer_start(wasm)  # a start function calling WASI needs memory bound first
        try:
            return WasmerModule(self, wasmer.Module(self.store, wasm), wasm, start)
        except (ValueError, RuntimeError) as exc:
            raise ValueError(f"not a valid WebAssembly module: {exc}") from None

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
        data: bytes = module.module.serialize()
        return data

    def deserialize(self, data: bytes, wasm: bytes) -> WasmerModule:
        """A module :meth:`serialize` gave, compiled from ``wasm`` by :meth:`compile`: the start
        function compile deferred is derived from ``wasm`` again (and the binary it compiled kept, for
        ``max_memory``), so that a cached module runs its start function as a fresh one does."""
        wasm, start = defer_start(wasm)
        return WasmerModule(self, wasmer.Module.deserialize(self.store, data), wasm, start)

    def instantiate(
        self, module: CompiledModule, functions: HostFunctions, limits: InstanceLimits = NO_LIMITS
    ) -> WasmerInstance:
        if not isinstance(module, WasmerModule) or module.engine is not self:
            raise TypeError(f"{module!r} was not compiled by this wasmer engine")
        if limits.fuel is not None:
            raise ValueError("fuel is not supported by the wasmer engine: use engine='wasmtime'")
        compiled = module.module
        if limits.max_memory is not None:
            compiled = wasmer.Module(self.store, cap_memory(module.wasm, limits.max_memory))
        namespaces: dict[str, dict[str, wasmer.Function]] = {}
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
            ftype = wasmer.FunctionType([_TYPES[p] for p in params], [_TYPES[r] for r in results])
            namespaces.setdefault(imp.module, {})[imp.name] = wasmer.Function(self.store, fn, ftype)
        if missing:
            raise LinkError("unresolved imports: " + "; ".join(missing))
        import_object = wasmer.ImportObject()
        for mod, funcs in namespaces.items():
            import_object.register(mod, funcs)
        try:
            return WasmerInstance(wasmer.Instance(compiled, import_object))
        except RuntimeError as exc:
            raise Trap(f"instantiation failed: {exc}") from None
