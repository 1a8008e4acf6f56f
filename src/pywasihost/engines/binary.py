"""Rewriting a module in the binary, for what an engine cannot do itself.

wasmer 1.1 has no per-instance memory limit, but ``memory.grow`` past a memory's declared maximum
returns -1 on every engine. :func:`cap_memory` lowers the maximum of every memory the module defines
to the cap (adding one where there is none) and leaves every other byte as it was.

A module's start section runs its function inside instantiation, before the engine hands the host
the instance, and so before the host can find the exported ``memory`` that WASI functions read and
write (wasmer 1.1 gives a Python host function no caller or instance to ask). :func:`defer_start`
takes the start section out and exports its function under a fresh name, which the instance calls
right after instantiation, once memory is bound. Data and element segments are still applied at
instantiation, before the start function runs, as the spec orders it; a trap or ``proc_exit`` in it
ends the run as it would have.
"""

from __future__ import annotations

from .base import LimitError

__all__ = ["START_EXPORT", "cap_memory", "defer_start"]

_PAGE = 65536
_MEMORY_SECTION = 5
_IMPORT_SECTION = 2
_EXPORT_SECTION, _START_SECTION = 7, 8
_FUNC_KIND = 0
#: The name the start function is exported under (a suffix is added if the module uses it already).
START_EXPORT = "__pywasihost_start"


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


def _sections(wasm: bytes) -> list[tuple[int, int, int]]:
    """Every section as (id, start of its content, end of its content)."""
    out, pos = [], 8
    while pos < len(wasm):
        size, body = _read_u32(wasm, pos + 1)
        end = body + size
        if end > len(wasm):
            raise LimitError("section past the end")
        out.append((wasm[pos], body, end))
        pos = end
    return out


def _export_names(body: bytes) -> tuple[int, set[str]]:
    """The number of exports in an export section's content, and their names."""
    count, pos = _read_u32(body, 0)
    names = set()
    for _ in range(count):
        size, pos = _read_u32(body, pos)
        names.add(body[pos : pos + size].decode("utf-8", "replace"))
        pos += size + 1  # the name, then the kind byte
        _, pos = _read_u32(body, pos)  # the index
    return count, names


def defer_start(wasm: bytes) -> tuple[bytes, str | None]:
    """``wasm`` without its start section and with the start function exported, and that export's
    name; ``wasm`` itself and None when it has no start section (or cannot be read here)."""
    if not wasm.startswith(b"\0asm"):
        return wasm, None
    try:
        sections = _sections(wasm)
        start = [(body, end) for sid, body, end in sections if sid == _START_SECTION]
        if len(start) != 1:
            return wasm, None
        function, _ = _read_u32(wasm, start[0][0])
        exports = [(body, end) for sid, body, end in sections if sid == _EXPORT_SECTION]
        count, names = _export_names(wasm[exports[0][0] : exports[0][1]]) if exports else (0, set())
    except LimitError:  # malformed: the engine refuses it with its own message
        return wasm, None
    name = START_EXPORT
    while name in names:
        name += "_"
    encoded = name.encode()
    entry = _u32(len(encoded)) + encoded + bytes([_FUNC_KIND]) + _u32(function)
    if exports:
        body, end = exports[0]
        _, first_entry = _read_u32(wasm, body)
        content = _u32(count + 1) + wasm[first_entry:end] + entry
    else:
        content = _u32(1) + entry
    export_section = bytes([_EXPORT_SECTION]) + _u32(len(content)) + content

    out = bytearray(wasm[:8])
    pos = 8
    for sid, _body, end in sections:
        if sid == _EXPORT_SECTION:
            out += export_section
        elif sid == _START_SECTION:
            if not exports:  # the export section comes right before the start section
                out += export_section
        else:
            out += wasm[pos:end]
        pos = end
    return bytes(out), name
