"""What an engine adapter provides (see :mod:`pywasihost.engines.wasmer`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["CompiledModule", "Engine", "EngineInstance", "ImportSpec", "LinkError"]


class LinkError(Exception):
    """The module imports something that nobody provides."""


@dataclass(frozen=True)
class ImportSpec:
    """One import or export: ``kind`` is function/memory/table/global; types are core wasm names."""

    module: str
    name: str
    kind: str
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()

    def signature(self) -> str:
        return f"({', '.join(self.params)}) -> ({', '.join(self.results)})"


class CompiledModule(Protocol):
    imports: list[ImportSpec]
    exports: list[ImportSpec]


class EngineInstance(Protocol):
    def call(self, name: str, *args: Any) -> Any:
        """Call an exported function; a wasm trap raises :class:`pywasihost.Trap`."""

    def memory_buffer(self) -> Callable[[], Any] | None:
        """A function giving a fresh buffer over the exported ``memory`` (None if there is none)."""

    def export_names(self) -> list[str]: ...


class Engine(Protocol):
    name: str

    def compile(self, wasm: bytes) -> CompiledModule: ...

    def instantiate(
        self,
        module: CompiledModule,
        functions: dict[tuple[str, str], tuple[Callable[..., Any], tuple[str, ...], tuple[str, ...]]],
    ) -> EngineInstance: ...
