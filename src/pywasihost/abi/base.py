"""Base classes of the generated ABI model (see ``_generated.py``)."""

from __future__ import annotations

import enum
from typing import Any, ClassVar, TypeVar

__all__ = ["InvalidValue", "Record", "Variant", "WasiEnum", "WasiFlags", "camel"]

E = TypeVar("E", bound="WasiEnum")


class InvalidValue(ValueError):
    """A guest passed a value outside an enum or flags type; syscalls answer it with ``Errno.INVAL``."""


class WasiEnum(enum.IntEnum):
    """An enum of the spec. ``doc`` is the spec's one-line meaning of the member."""

    __size__: ClassVar[int]  # bytes in memory (the witx tag type)
    __member_docs__: ClassVar[dict[str, str]]
    __by_value__: ClassVar[tuple[Any, ...]]  # members indexed by value (values are 0..n-1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"

    @property
    def doc(self) -> str:
        docs: dict[str, str] = type(self).__member_docs__
        return docs.get(self.name, "")

    @classmethod
    def decode(cls: type[E], value: int) -> E:
        """The member for ``value``, or :class:`InvalidValue` (never a bare ``ValueError``)."""
        members: tuple[E, ...] = cls.__by_value__
        if 0 <= value < len(members):
            return members[value]
        raise InvalidValue(f"{value} is not a valid {cls.__name__}")


F = TypeVar("F", bound="WasiFlags")


class WasiFlags(enum.IntFlag):
    """A flags type of the spec; ``__mask__`` is the union of every defined bit."""

    __size__: ClassVar[int]
    __mask__: ClassVar[int]
    __member_docs__: ClassVar[dict[str, str]]

    def __repr__(self) -> str:
        names = [m.name for m in type(self) if m.name and m.value & self.value]
        return f"{type(self).__name__}.{'|'.join(names)}" if names else f"{type(self).__name__}(0)"

    @property
    def doc(self) -> str:
        docs: dict[str, str] = type(self).__member_docs__
        return docs.get(self.name or "", "")

    @classmethod
    def union(cls: type[F], *flags: F) -> F:
        """``a | b | c ...`` built once: each ``|`` of an IntFlag makes a member for the value it
        has not seen yet (about 20 us apiece on Python 3.10), so a long chain in a module constant
        costs start-up time; this makes one."""
        value = 0
        for flag in flags:
            value |= flag.value
        return cls(value)

    @classmethod
    def decode(cls: type[F], value: int) -> F:
        """``cls(value)``, or :class:`InvalidValue` when a bit outside the spec is set."""
        if value & ~cls.__mask__:
            raise InvalidValue(f"{value:#x} has bits outside {cls.__name__}")
        return cls(value)


def camel(name: str) -> str:
    """``event_fd_readwrite`` -> ``EventFdReadwrite``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class Record:
    """A C struct of the spec: ``SIZE``, ``ALIGN``, ``OFFSETS`` and a ``struct`` codec.

    Subclasses are value classes generated from the witx (slots, ``__init__``, ``__repr__``,
    ``__eq__`` written out, as a slotted dataclass has them); ``unpack_from``/``pack_into`` read and write
    the wasm32 layout at an offset of any buffer (a guest memory view in practice). Bounds are the
    caller's business: :class:`pywasihost.memory.GuestMemory` checks them before calling these.
    """

    __slots__ = ()
    SIZE: ClassVar[int]
    ALIGN: ClassVar[int]
    OFFSETS: ClassVar[dict[str, int]]

    @classmethod
    def unpack_from(cls, buf: Any, offset: int = 0) -> Any:  # pragma: no cover - generated
        raise NotImplementedError

    def pack_into(self, buf: Any, offset: int = 0) -> None:  # pragma: no cover - generated
        raise NotImplementedError

    def pack(self) -> bytes:
        out = bytearray(self.SIZE)
        self.pack_into(out, 0)
        return bytes(out)


class Variant(Record):
    """A tagged union of the spec: ``tag`` selects which payload type ``value`` has."""

    __slots__ = ()
    PAYLOAD_OFFSET: ClassVar[int]
    _payloads: ClassVar[dict[Any, Any]]  # tag -> payload class, filled in by the generated module
