"""How each parameter and result type crosses the wasm boundary.

A :class:`ParamCodec` turns the raw wasm arguments of one parameter (ints, signed as the engine hands
them over) into the typed value a syscall implementation receives; a :class:`ResultCodec` writes one
result through its out-pointer. Both produce Python *source lines*: the namespace compiles one
specialised wrapper per syscall from them (as wiggle generates Rust glue), so the hot path has no
per-argument loop, no dispatch on types and no allocation that the decoded values do not need.
"""

from __future__ import annotations

import functools
import struct
from typing import TYPE_CHECKING, Any, ClassVar

from ..abi import Record, WasiEnum, WasiFlags

if TYPE_CHECKING:
    from ..memory import GuestMemory

__all__ = [
    "EnumCodec",
    "FlagsCodec",
    "IovecsCodec",
    "ParamCodec",
    "PointerCodec",
    "RecordResult",
    "ResultCodec",
    "ScalarCodec",
    "ScalarResult",
    "SliceCodec",
    "StringCodec",
    "ValueCodec",
    "ValueResult",
]

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF
WASM_TYPES = ("i32", "i64", "f32", "f64")


class ParamCodec:
    """One parameter: ``wasm`` lists the core wasm types it arrives as."""

    wasm: tuple[str, ...] = ("i32",)
    witx: str = ""  # the witx type it corresponds to, for checking against the spec

    def setup(self, name: str, env: dict[str, Any]) -> list[str]:
        """Lines run once per instance (``_mem`` and ``_ctx`` are in scope)."""
        return []

    def decode(self, args: list[str], out: str) -> list[str]:
        """Lines that assign the decoded value of raw ``args`` to ``out``."""
        raise NotImplementedError

    def format(self, raw: tuple[int, ...], memory: GuestMemory) -> str:
        """The argument as the trace shows it."""
        raise NotImplementedError

    def decoded(self, raw: tuple[int, ...], memory: GuestMemory) -> Any:
        """The argument as the trace hook receives it (never raises: a bad value stays raw)."""
        return raw[0] if len(raw) == 1 else raw

    output = False
    """A buffer the call fills (``iovec`` arrays, byte buffers): the trace previews it afterwards."""

    def preview(self, raw: tuple[int, ...], memory: GuestMemory, limit: int) -> bytes:
        """Up to ``limit`` bytes of the buffers the argument names (empty when they are not in memory)."""
        return b""


class ScalarCodec(ParamCodec):
    """An integer type of the spec: unsigned (masked) or ``s64``; ``label`` is the type name shown."""

    def __init__(self, label: str | None, bits: int, signed: bool = False, witx: str = "") -> None:
        self.label, self.bits, self.signed, self.witx = label, bits, signed, witx
        self.wasm = ("i64",) if bits == 64 else ("i32",)

    def decode(self, args: list[str], out: str) -> list[str]:
        if self.signed:
            return [f"{out} = {args[0]}"]
        return [f"{out} = {args[0]} & {(1 << self.bits) - 1:#x}"]

    def value(self, raw: int) -> int:
        if self.signed:
            return raw
        return raw & ((1 << self.bits) - 1)

    def format(self, raw: tuple[int, ...], memory: GuestMemory) -> str:
        v = self.value(raw[0])
        return f"{self.label}({v})" if self.label else str(v)

    def decoded(self, raw: tuple[int, ...], memory: GuestMemory) -> Any:
        return self.value(raw[0])


class EnumCodec(ParamCodec):
    """A spec enum: values outside it give ``EINVAL`` (through :class:`InvalidValue`)."""

    def __init__(self, cls: type[WasiEnum], witx: str = "") -> None:
        self.cls, self.witx = cls, witx
        size: int = cls.__size__
        self.mask = (1 << (8 * size)) - 1
        self.wasm = ("i64",) if size == 8 else ("i32",)

    def setup(self, name: str, env: dict[str, Any]) -> list[str]:
        env[f"_members_{name}"] = self.cls.__by_value__
        env[f"_decode_{name}"] = self.cls.decode
        return []

    def decode(self, args: list[str], out: str) -> list[str]:
        name = out
        return [
            f"{out} = {args[0]} & {self.mask:#x}",
            f"{out} = _members_{name}[{out}] if {out} < {len(self.cls)} else _decode_{name}({out})",
        ]

    def format(self, raw: tuple[int, ...], memory: GuestMemory) -> str:
        v = raw[0] & self.mask
        try:
            return f"{self.cls.__name__}.{self.cls(v).name}"
        except ValueError:
            return f"{self.cls.__name__}({v}?)"

    def decoded(self, raw: tuple[int, ...], memory: GuestMemory) -> Any:
        v = raw[0] & self.mask
        try:
            return self.cls(v)
        except ValueError:
            return v


class FlagsCodec(ParamCodec):
    """A spec flags type: bits outside it give ``EINVAL``."""

    def __init__(self, cls: type[WasiFlags], witx: str = "") -> None:
        self.cls, self.witx = cls, witx
        size: int = cls.__size__
        self.mask = (1 << (8 * size)) - 1
        self.wasm = ("i64",) if size == 8 else ("i32",)

    def setup(self, name: str, env: dict[str, Any]) -> list[str]:
        # Building an IntFlag member costs ~0.5 us; guests pass the same few values again and again.
        env[f"_decode_{name}"] = functools.lru_cache(maxsize=256)(self.cls.decode)
        return []

    def decode(self, args: list[str], out: str) -> list[str]:
        return [f"{out} = _decode_{out}({args[0]} & {self.mask:#x})"]

    def format(self, raw: tuple[int, ...], memory: GuestMemory) -> str:
        v = raw[0] & self.mask
        if v & ~self.cls.__mask__:
            return f"{self.cls.__name__}({v:#x}?)"
        return short_flags(self.cls(v))

    def decoded(self, raw: tuple[int, ...], memory: GuestMemory) -> Any:
        v = raw[0] & self.mask
        return v if v & ~self.cls.__mask__ else self.cls(v)


class ValueCodec(ParamCodec):
    """A core wasm value passed on as it is: ``f32``/``f64`` as a ``float``, ``i32``/``i64`` as a signed
    ``int`` (the raw functions of :meth:`Namespace.function`; ``float`` and ``F32`` annotations)."""

    def __init__(self, wasm: str) -> None:
        if wasm not in WASM_TYPES:
            raise ValueError(f"{wasm!r} is not a core wasm value type (one of {', '.join(WASM_TYPES)})")
        self.wasm, self.witx = (wasm,), wasm
        self.bits = {"i32": 32, "i64": 64}.get(wasm, 0)

    def decode(self, args: list[str], out: str) -> list[str]:
        if not self.bits:  # a float arrives as a float
            return [f"{out} = {args[0]}"]
        # engines differ in how they hand over the sign: the same signed value on every engine
        half = 1 << (self.bits - 1)
        return [f"{out} = (({args[0]} + {half:#x}) & {2 * half - 1:#x}) - {half:#x}"]

    def signed(self, raw: Any) -> Any:
        """The value :meth:`decode` gives (for the trace)."""
        if not self.bits:
            return raw
        half = 1 << (self.bits - 1)
        return ((raw + half) & (2 * half - 1)) - half

    def format(self, raw: tuple[int, ...], memory: GuestMemory) -> str:
        return repr(self.signed(raw[0]))

    def decoded(self, raw: tuple[int, ...], memory: GuestMemory) -> Any:
        return self.signed(raw[0])


MAX_FLAG_NAMES = 4  # past it the trace counts: all 30 rights by name made 1,500-character lines


def short_flags(value: WasiFlags) -> str:
    """``Rights.FD_READ|FD_SEEK``, or ``Rights(24 of 30 flags: 0xfbffebe)`` past a few names."""
    cls = type(value)
    names = [m.name for m in cls if m & value and m.name]
    if len(names) > MAX_FLAG_NAMES:
        total = sum(1 for m in cls if m.name)
        return f"{cls.__name__}({len(names)} of {total} flags: {int(value):#x})"
    return f"{cls.__name__}.{'|'.join(names)}" if names else f"{cls.__name__}(0)"


class PointerCodec(ParamCodec):
    """A guest address, passed on as an unsigned int (the implementation reads it through memory)."""

    def __init__(self, witx: str = "pointer") -> None:
        self.witx = witx

    def decode(self, args: list[str], out: str) -> list[str]:
        return [f"{out} = {args[0]} & {M32:#x}"]

    def format(self, raw: tuple[int, ...], memory: GuestMemory) -> str:
        return f"*guest {raw[0] & M32:#x}"


class IovecsCodec(ParamCodec):
    """An ``iovec``/``ciovec`` array (pointer, count) as zero-copy views of the buffers it names."""

    wasm = ("i32", "i32")

    def __init__(self, witx: str) -> None:
        self.witx = witx
        self.output = witx == "iovec_array"  # the guest's buffers to fill, not data it passes

    def setup(self, name: str, env: dict[str, Any]) -> list[str]:
        env["_unpack_iovec"] = struct.Struct("<II").unpack_from
        return ["_iovecs = _mem.iovecs", "_max_io = _mem.limits.max_io_bytes"]

    def decode(self, args: list[str], out: str) -> list[str]:
        # One iovec inside memory and within max_io_bytes is the common case: decode it inline (a
        # Python call less); anything else, including every out-of-bounds case, goes through
        # GuestMemory.iovecs (which also cuts the buffers at max_io_bytes).
        return [
            f"{out} = {args[0]} & {M32:#x}",
            f"{out}_n = {args[1]} & {M32:#x}",
            f"{out}_size = _mem.size",
            f"if {out}_n == 1 and {out} + 8 <= {out}_size:",
            f"    {out}_b, {out}_l = _unpack_iovec(_mem.view, {out})",
            f"    {out} = [_mem.view[{out}_b : {out}_b + {out}_l]]"
            f" if {out}_b + {out}_l <= {out}_size and {out}_l <= _max_io else _iovecs({out}, 1)",
            "else:",
            f"    {out} = _iovecs({out}, {out}_n)",
        ]

    def format(self, raw: tuple[int, ...], memory: GuestMemory) -> str:
        where = f"*guest {raw[0] & M32:#x}/{raw[1] & M32}"
        if self.output:  # filled by the call: previewed after it
            return where
        return f"{where} {preview_text(self.preview(raw, memory, PREVIEW_BYTES), PREVIEW_BYTES)}"

    def decoded(self, raw: tuple[int, ...], memory: GuestMemory) -> Any:
        return (raw[0] & M32, raw[1] & M32) if self.output else self.preview(raw, memory, HOOK_PREVIEW_BYTES)

    def preview(self, raw: tuple[int, ...], memory: GuestMemory, limit: int) -> bytes:
        address, count = raw[0] & M32, raw[1] & M32
        out = bytearray()
        try:
            for buf in memory.iovecs(address, min(count, memory.limits.max_iovecs)):
                out += buf[: limit + 1 - len(out)]
                if len(out) > limit:
                    break
        except Exception:  # the trace never changes what the guest sees
            return b""
        return bytes(out)


PREVIEW_BYTES = 32  # bytes of data a trace line shows
HOOK_PREVIEW_BYTES = 4096  # bytes of data the trace hook receives


def preview_text(data: bytes, limit: int) -> str:
    """``b'Hello'``, or the first ``limit`` bytes and ``...`` when there were more."""
    return repr(data[:limit]) + ("..." if len(data) > limit else "")


class StringCodec(ParamCodec):
    """A witx ``string`` (pointer, byte length), decoded as UTF-8 (``EILSEQ`` if it is not)."""

    wasm = ("i32", "i32")
    witx = "string"

    def setup(self, name: str, env: dict[str, Any]) -> list[str]:
        return ["_read_string = _mem.read_string"]

    def decode(self, args: list[str], out: str) -> list[str]:
        return [f"{out} = _read_string({args[0]} & {M32:#x}, {args[1]} & {M32:#x})"]

    def format(self, raw: tuple[int, ...], memory: GuestMemory) -> str:
        address, length = raw[0] & M32, raw[1] & M32
        if length <= 4096 and address + length <= memory.size:
            return repr(bytes(memory.view[address : address + length]).decode("utf-8", "replace"))
        return f"*guest {address:#x}/{length}"

    def decoded(self, raw: tuple[int, ...], memory: GuestMemory) -> Any:
        address, length = raw[0] & M32, raw[1] & M32
        if length <= HOOK_PREVIEW_BYTES and address + length <= memory.size:
            return bytes(memory.view[address : address + length]).decode("utf-8", "replace")
        return (address, length)


class SliceCodec(ParamCodec):
    """A (pointer, length) byte buffer as a writable zero-copy view of guest memory."""

    wasm = ("i32", "i32")

    def __init__(self, witx: str = "pointer u8") -> None:
        self.witx = witx

    def setup(self, name: str, env: dict[str, Any]) -> list[str]:
        return ["_slice = _mem.slice"]

    def decode(self, args: list[str], out: str) -> list[str]:
        return [f"{out} = _slice({args[0]} & {M32:#x}, {args[1]} & {M32:#x})"]

    output = True  # every byte buffer of preview 1 is one the call fills

    def format(self, raw: tuple[int, ...], memory: GuestMemory) -> str:
        return f"*guest {raw[0] & M32:#x}/{raw[1] & M32}"

    def decoded(self, raw: tuple[int, ...], memory: GuestMemory) -> Any:
        return (raw[0] & M32, raw[1] & M32)

    def preview(self, raw: tuple[int, ...], memory: GuestMemory, limit: int) -> bytes:
        address, length = raw[0] & M32, raw[1] & M32
        if address + length > memory.size:
            return b""
        return bytes(memory.view[address : address + min(length, limit + 1)])


class ResultCodec:
    """One result of a successful call, written through an out-pointer of ``size`` bytes."""

    size: int
    witx: str = ""
    expected: str = "an int"

    def check(self, value: Any) -> None:
        """``TypeError``/``ValueError`` unless ``value`` can be stored (to name a wrong result)."""
        raise NotImplementedError

    def store(self, address: str, value: str, env: dict[str, Any]) -> list[str]:
        raise NotImplementedError

    def load(self, memory: GuestMemory, address: int) -> Any:
        """Read the result back (for the trace)."""
        raise NotImplementedError


class ScalarResult(ResultCodec):
    _FMT: ClassVar[dict[int, str]] = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}

    def __init__(self, size: int, witx: str = "", cls: type | None = None) -> None:
        self.size, self.witx, self.cls = size, witx, cls
        self.codec = struct.Struct(self._FMT[size])
        self.expected = f"an int for {getattr(cls, '__name__', witx or 'u' + str(8 * size))} ({8 * size} bits)"

    def check(self, value: Any) -> None:
        if not isinstance(value, int):
            raise TypeError(f"{type(value).__name__} is not an int")
        if not 0 <= value < 1 << (8 * self.size):
            raise ValueError(f"{value} does not fit in {8 * self.size} unsigned bits")

    def store(self, address: str, value: str, env: dict[str, Any]) -> list[str]:
        env[f"_pack{self.size * 8}"] = self.codec.pack_into
        return [f"_pack{self.size * 8}(_mem.view, {address}, {value})"]

    def load(self, memory: GuestMemory, address: int) -> Any:
        v = self.codec.unpack_from(memory.view, address)[0]
        if self.cls is not None:
            try:
                return self.cls(v)
            except ValueError:
                return v
        return v


class RecordResult(ResultCodec):
    def __init__(self, cls: type[Record], witx: str = "") -> None:
        self.cls, self.size, self.witx = cls, cls.SIZE, witx
        self.expected = f"a {cls.__name__}"

    def check(self, value: Any) -> None:
        if not isinstance(value, self.cls):
            raise TypeError(f"{type(value).__name__} is not a {self.cls.__name__}")

    def store(self, address: str, value: str, env: dict[str, Any]) -> list[str]:
        return [f"{value}.pack_into(_mem.view, {address})"]

    def load(self, memory: GuestMemory, address: int) -> Any:
        return self.cls.unpack_from(memory.view, address)


class ValueResult:
    """One result returned directly as a core wasm value (by a function without an errno result).

    ``convert`` checks what the implementation returned: an ``int`` in the range of ``i32``/``i64``
    (signed or unsigned; the engine gets the signed value) or a number for ``f32``/``f64``.
    """

    def __init__(self, wasm: str, label: str = "") -> None:
        if wasm not in WASM_TYPES:
            raise ValueError(f"{wasm!r} is not a core wasm value type (one of {', '.join(WASM_TYPES)})")
        self.wasm, self.label = wasm, label or wasm
        bits = {"i32": 32, "i64": 64}.get(wasm)
        self.bits = bits or 0

    @property
    def expected(self) -> str:
        if self.bits:
            return f"an int for {self.label} ({self.wasm})"
        return f"a float for {self.label} ({self.wasm})"

    def convert(self, value: Any) -> int | float:
        """The value handed to the engine; ``TypeError``/``ValueError`` if it cannot be one."""
        if not self.bits:
            if isinstance(value, (int, float)):
                return float(value)
            raise TypeError(f"expected {self.expected}")
        if not isinstance(value, int):
            raise TypeError(f"expected {self.expected}")
        half = 1 << (self.bits - 1)
        if not -half <= value < 2 * half:
            raise ValueError(f"{value} does not fit in {self.wasm}")
        return ((value + half) & (2 * half - 1)) - half

    def fast_path(self, value: str) -> str:
        """An expression that is ``value`` itself in the common case, else its :meth:`convert`."""
        if not self.bits:
            return f"{value} if {value}.__class__ is float else _convert_{value}({value})"
        half = 1 << (self.bits - 1)
        in_range = f"{value}.__class__ is int and {-half:#x} <= {value} < {half:#x}"
        return f"{value} if {in_range} else _convert_{value}({value})"
