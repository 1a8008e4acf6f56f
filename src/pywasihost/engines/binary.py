"""Rewriting a module's memory limits in the binary (for engines that cannot limit a store).

wasmer 1.1 has no per-instance memory limit, but ``memory.grow`` past a memory's declared maximum
returns -1 on every engine. :func:`cap_memory` lowers the maximum of every memory the module defines
to the cap (adding one where there is none) and leaves every other byte as it was.
"""

from __future__ import annotations

from .base import LimitError

__all__ = ["cap_memory"]

_PAGE = 65536
_MEMORY_SECTION = 5
_IMPORT_SECTION = 2


def _read_u32(data: bytes, pos: int) -> tuple[int, int]:
    """An unsigned LEB128 at ``pos``: (value, position after it)."""
    value = shift = 0
    while True:
        if pos >= len(data):
            raise LimitError("truncated module")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise LimitError("malformed LEB128 in module")


def _u32(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def cap_memory(wasm: bytes, max_bytes: int) -> bytes:
    """``wasm`` with each defined memory's maximum at most ``max_bytes`` (rounded down to pages)."""
    if not wasm.startswith(b"\0asm"):
        raise LimitError("max_memory needs a binary module on this engine (not WAT text)")
    cap = max_bytes // _PAGE
    out = bytearray(wasm[:8])
    pos = 8
    while pos < len(wasm):
        section_id = wasm[pos]
        size, body = _read_u32(wasm, pos + 1)
        end = body + size
        if section_id == _IMPORT_SECTION and _imports_memory(wasm, body, end):
            raise LimitError("max_memory cannot be applied to a module that imports its memory")
        if section_id == _MEMORY_SECTION:
            new_body = _cap_memory_section(wasm[body:end], cap, max_bytes)
            out += bytes([section_id]) + _u32(len(new_body)) + new_body
        else:
            out += wasm[pos:end]
        pos = end
    return bytes(out)


def _cap_memory_section(body: bytes, cap: int, max_bytes: int) -> bytes:
    count, pos = _read_u32(body, 0)
    out = bytearray(_u32(count))
    for _ in range(count):
        flags = body[pos]
        if flags & ~0x01:
            raise LimitError("max_memory supports only 32-bit, unshared memories on this engine")
        minimum, pos = _read_u32(body, pos + 1)
        maximum = None
        if flags & 0x01:
            maximum, pos = _read_u32(body, pos)
        if minimum > cap:
            raise LimitError(
                f"the module's initial memory ({minimum * _PAGE} bytes) exceeds max_memory ({max_bytes} bytes)"
            )
        new_max = cap if maximum is None else min(maximum, cap)
        out += b"\x01" + _u32(minimum) + _u32(new_max)
    return bytes(out + body[pos:])


def _imports_memory(wasm: bytes, pos: int, end: int) -> bool:
    count, pos = _read_u32(wasm, pos)
    for _ in range(count):
        for _name in range(2):
            length, pos = _read_u32(wasm, pos)
            pos += length
        kind = wasm[pos]
        pos += 1
        if kind == 0x02:
            return True
        if kind == 0x00:  # function: type index
            _, pos = _read_u32(wasm, pos)
        elif kind == 0x01:  # table: reftype, limits
            pos += 1
            flags, pos = _read_u32(wasm, pos)
            _, pos = _read_u32(wasm, pos)
            if flags & 0x01:
                _, pos = _read_u32(wasm, pos)
        elif kind == 0x03:  # global: valtype, mutability
            pos += 2
        else:
            return False  # a kind this reader does not know: the engine will judge the module
    return False
