"""What a module needs and offers: its WASI version, imports (and which pywasihost provides), exports
and memory, as ``pywasihost inspect`` prints it.

    info = describe_module("prog.wasm")
    info.missing        # the imports nobody provides: the custom syscalls to write
"""

from __future__ import annotations

from dataclasses import dataclass

from .engines import ENGINE_NAMES, EngineChoice, ImportSpec, available_engines
from .instance import ModuleSource, load_module
from .namespace import Namespace

__all__ = ["ImportInfo", "ModuleInfo", "describe_module"]

#: Import module names of the WASI versions, oldest first.
WASI_MODULES = {"wasi_unstable": "wasi_unstable (preview 0)", "wasi_snapshot_preview1": "wasi_snapshot_preview1"}


@dataclass(frozen=True)
class ImportInfo:
    spec: ImportSpec
    provided: bool
    """A function the namespace has with this exact signature (memories and tables are the module's)."""
    note: str = ""


@dataclass(frozen=True)
class ModuleInfo:
    imports: list[ImportInfo]
    exports: list[ImportSpec]
    engine: str = ""
    """The engine that compiled the module: the one a run with the same choice would use."""
    engines: tuple[tuple[str, str | None], ...] = ()
    """Every engine and, where it does not import here, why."""
    host_calls: str = ""
    """How the engine of ``engine`` calls Python host functions."""
    kind: str = "command"
    """``command`` (exports ``_start``), ``reactor`` (exports ``_initialize``) or ``library`` (neither)."""

    @property
    def wasi_versions(self) -> list[str]:
        seen = {i.spec.module for i in self.imports}
        out = [label for name, label in WASI_MODULES.items() if name in seen]
        out += sorted(m for m in seen if m.startswith("wasi:"))  # component-model interfaces
        return out

    @property
    def missing(self) -> list[ImportInfo]:
        return [i for i in self.imports if not i.provided]

    @property
    def memories(self) -> list[ImportSpec]:
        return [e for e in [*self.exports, *(i.spec for i in self.imports)] if e.kind == "memory"]

    def format(self) -> str:
        """The report ``pywasihost inspect`` prints."""
        lines = [f"WASI: {', '.join(self.wasi_versions) or 'none (no WASI imports)'}", f"kind: {_KINDS[self.kind]}"]
        lines += ["", "imports:"]
        for i in self.imports:
            s = i.spec
            mark = "provided" if i.provided else f"MISSING{': ' + i.note if i.note else ''}"
            lines.append(f"  {s.module}.{s.name}: {s.kind} {_sig(s)}  [{mark}]".rstrip())
        if not self.imports:
            lines.append("  (none)")
        lines += ["", "exports:"]
        lines += [f"  {e.name}: {e.kind} {_sig(e)}".rstrip() for e in self.exports] or ["  (none)"]
        lines += ["", "memory:"]
        for m in self.memories:
            minimum, maximum = m.params[:2]
            top = "no maximum" if maximum in ("None", "") else f"max {maximum} pages"
            lines.append(f"  {m.name}: min {minimum} pages ({int(minimum) * 64} KiB), {top}")
        if not self.memories:
            lines.append("  (none)")
        if self.engines:
            lines += ["", "engines:"]
            for name, problem in self.engines:
                state = "available" if problem is None else f"unavailable: {problem}"
                used = f"  <- a run uses this one; host calls: {self.host_calls}" if name == self.engine else ""
                lines.append(f"  {name}: {state}{used}")
        missing = self.missing
        lines += ["", f"{len(self.imports) - len(missing)} of {len(self.imports)} imports provided"]
        if missing:
            modules = sorted({i.spec.module for i in missing})
            lines.append(f"missing from modules: {', '.join(modules)} (add them with Namespace.syscall)")
        return "\n".join(lines) + "\n"


_KINDS = {
    "command": "command (exports _start: run it)",
    "reactor": "reactor (exports _initialize: instantiate it, then call its exports)",
    "library": "library (neither _start nor _initialize: call its exports)",
}


def _sig(s: ImportSpec) -> str:
    return s.signature() if s.kind == "function" else ""


def describe_module(
    module: ModuleSource,
    namespace: Namespace | None = None,
    engine: EngineChoice = None,
) -> ModuleInfo:
    """Compile ``module`` and tell what it imports and exports, which imports ``namespace``
    (default: preview 1) provides, and which engine runs it."""
    module = load_module(module, engine)
    ns = namespace or Namespace.preview1()
    imports = []
    for imp in module.imports:
        if imp.kind != "function":
            imports.append(ImportInfo(imp, False, f"pywasihost provides functions, not a {imp.kind}"))
            continue
        sc = ns.get(imp.module, imp.name)
        if sc is None:
            imports.append(ImportInfo(imp, False))
        elif (tuple(sc.wasm_params), tuple(sc.wasm_results)) != (imp.params, imp.results):
            want = f"({', '.join(sc.wasm_params)}) -> ({', '.join(sc.wasm_results)})"
            imports.append(ImportInfo(imp, False, f"pywasihost's has signature {want}"))
        else:
            imports.append(ImportInfo(imp, True))
    engines = available_engines()
    return ModuleInfo(
        imports,
        list(module.exports),
        engine=module.engine.name,
        engines=tuple((name, engines[name]) for name in ENGINE_NAMES),
        host_calls=module.engine.host_calls,
        kind=module.kind,
    )
