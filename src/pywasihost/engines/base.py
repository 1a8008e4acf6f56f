"""What an engine adapter provides (see :mod:`pywasihost.engines.wasmer` and ``.wasmtime``).

An engine compiles modules, lists their imports and exports, and instantiates them with host
functions given as plain Python callables plus their core wasm types. Host functions receive core
wasm values as Python numbers (i32 and i64 as *signed* ints, as both engines deliver them; the
namespace masks what it reads as unsigned) and return ``None``, one value, or a tuple.

Exceptions raised by a host function come out of :meth:`EngineInstance.call` unchanged (that is how
``proc_exit`` ends a run); a wasm trap comes out as :class:`pywasihost.Trap`, an interrupted run as
:class:`pywasihost.Timeout`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

__all__ = [
    "NATIVE",
    "NO_LIMITS",
    "CompiledModule",
    "Engine",
    "EngineInstance",
    "HostFunctions",
    "ImportSpec",
    "InstanceLimits",
    "LimitError",
    "LinkError",
]


class LinkError(Exception):
    """The module imports something that nobody provides."""


class LimitError(ValueError):
    """The module cannot run under the instance's limits (its initial memory exceeds ``max_memory``)."""


# The two records below are NamedTuples, not frozen dataclasses: making a dataclass compiles its
# methods, about 0.5 ms of every start-up each (measured: benchmarks/import_time.py).


class ImportSpec(NamedTuple):
    """One import or export: ``kind`` is function/memory/table/global; types are core wasm names."""

    module: str
    name: str
    kind: str
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()

    def signature(self) -> str:
        return f"({', '.join(self.params)}) -> ({', '.join(self.results)})"


class InstanceLimits(NamedTuple):
    """What an engine enforces on one instance (None: no limit).

    ``timeout``: seconds per call into the guest; only an engine with ``interrupts_wasm`` can stop
    wasm code that makes no host call (the instance layer checks the deadline at every host call on
    every engine). ``max_memory``: bytes of linear memory; ``memory.grow`` past it returns -1.
    ``fuel``: an instruction budget (engines with ``supports_fuel`` only).
    """

    timeout: float | None = None
    max_memory: int | None = None
    fuel: int | None = None


NO_LIMITS = InstanceLimits()


class CompiledModule(Protocol):
    @property
    def imports(self) -> list[ImportSpec]: ...

    @property
    def exports(self) -> list[ImportSpec]: ...

    @property
    def engine(self) -> Engine:
        """The engine that compiled it (and the only one that can instantiate it)."""

    @property
    def deferred_start(self) -> str | None:
        """The export that is the module's start function, moved out of its start section at
        compile time (:func:`pywasihost.engines.binary.defer_start`; None: no start section). The
        instance calls it once memory is bound; ``exports`` does not list it."""


HostFunctions = dict[tuple[str, str], tuple[Callable[..., Any], tuple[str, ...], tuple[str, ...]]]
"""``(module, name) -> (callable, wasm param types, wasm result types)``."""

NATIVE = "__pywasihost_native__"
"""A host callable with this attribute (a syscall name) may be served by the engine's native fast
path of that name, where it has one; the callable stays the reference that the fast path hands
everything unusual to (see ``Syscall.native``)."""

NATIVE_DESCRIPTORS = "__pywasihost_native_descriptors__"
"""Beside :data:`NATIVE`: the instance's :class:`pywasihost.fdtable.DirectDescriptors` (a ctypes
structure the descriptor table keeps current), which native ``fd_read``/``fd_write`` consult to know
which guest descriptors they may serve."""


class EngineInstance(Protocol):
    def call(self, name: str, *args: Any) -> Any:
        """Call an exported function; a wasm trap raises :class:`pywasihost.Trap`."""

    def memory_buffer(self) -> Callable[[], Any] | None:
        """A function giving a fresh buffer over the exported ``memory`` (None if there is none)."""

    def export_names(self) -> list[str]: ...


class Engine(Protocol):
    name: str
    version: str
    interrupts_wasm: bool
    """Whether ``timeout`` (and then a Ctrl-C on the main thread) stops wasm code that makes no host
    call (wasmtime: epoch interruption)."""
    supports_fuel: bool
    host_calls: str
    """How the engine calls a Python host function (``pywasihost inspect`` shows it)."""

    def compile(self, wasm: bytes) -> CompiledModule:
        """Compile a module (``ValueError`` with the engine's reason if it cannot)."""

    def variant(self, limits: InstanceLimits) -> Engine:
        """The engine that runs modules under ``limits``: this one, or a sibling that compiles other
        code for them (wasmtime: epoch checks for a timeout, fuel metering for fuel; they slow every
        loop, so a run without those limits goes without). :meth:`instantiate` accepts a sibling's
        module and compiles it again where it must; compiling with the variant in the first place
        lets the compiled-module cache keep that code."""

    @property
    def cache_tag(self) -> str:
        """What a compiled module depends on besides the wasm bytes: engine name and version,
        compiler, every option that changes the code, and the host CPU. :mod:`pywasihost.cache` keys
        its entries by it."""

    def serialize(self, module: CompiledModule) -> bytes:
        """The compiled code of ``module``, for :meth:`deserialize` by an engine of the same tag."""

    def deserialize(self, data: bytes, wasm: bytes) -> CompiledModule:
        """A module from :meth:`serialize`'s bytes, compiled from ``wasm`` (kept by engines that
        compile it again for some limits). Runs native code from ``data``: only give it bytes this
        engine (same ``cache_tag``) produced, intact (the cache checks a hash first)."""

    def instantiate(
        self, module: CompiledModule, functions: HostFunctions, limits: InstanceLimits = NO_LIMITS
    ) -> EngineInstance: ...
