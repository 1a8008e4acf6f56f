#!/usr/bin/env python3
"""Generate ``src/pywasihost/abi/_generated.py`` from the witx files shipped in the package.

    python tools/gen_abi.py           # rewrite the module
    python tools/gen_abi.py --check   # exit 1 if the committed module is not what the spec gives

The tests run the ``--check`` comparison too, so the committed module can never drift from the spec.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pywasihost.abi.base import camel  # noqa: E402
from pywasihost.abi.witx import (  # noqa: E402
    Builtin,
    EnumType,
    FlagsType,
    Handle,
    ListType,
    NamedRef,
    PointerType,
    RecordType,
    Spec,
    UnionType,
    WitxType,
    load_spec,
)

OUT = ROOT / "src" / "pywasihost" / "abi" / "_generated.py"

# Python identifiers for the few witx names that are not valid ones (wiggle makes the same choice).
MEMBER_NAMES = {"2big": "TOOBIG"}
FMT = {"u8": "B", "u16": "H", "u32": "I", "u64": "Q", "s64": "q"}
CTYPE = {"u8": "uint8_t", "u16": "uint16_t", "u32": "uint32_t", "u64": "uint64_t", "s64": "int64_t"}


def member(name: str) -> str:
    return MEMBER_NAMES.get(name, name).upper()


def resolve(t: WitxType) -> WitxType:
    while isinstance(t, NamedRef):
        t = t.target.type
    return t


def fmt_char(t: WitxType) -> str:
    r = resolve(t)
    if isinstance(r, Builtin):
        return FMT[r.name]
    if isinstance(r, (EnumType, FlagsType)):
        return FMT[r.repr.name]
    if isinstance(r, (Handle, PointerType)):
        return "I"
    raise TypeError(t)


def py_type(t: WitxType) -> str:
    if isinstance(t, NamedRef):
        return camel(t.name)
    if isinstance(t, Builtin):
        return "int"
    if isinstance(t, PointerType):
        return "int"  # a guest address
    raise TypeError(t)


def doc_lines(doc: str, indent: str) -> list[str]:
    if not doc:
        return []
    text = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.splitlines()
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}'] + [f"{indent}{ln}" if ln else "" for ln in lines[1:]] + [f'{indent}"""']


class Flat:
    """The leaf fields of a record, flattened (nested records inline), for one ``struct`` format."""

    def __init__(self) -> None:
        self.leaves: list[tuple[int, str, WitxType, str]] = []  # offset, fmt, type, attribute path

    def add(self, t: WitxType, offset: int, path: str) -> None:
        r = resolve(t)
        if isinstance(r, RecordType):
            for f in r.fields:
                self.add(f.type, offset + f.offset, f"{path}.{f.name}")
        else:
            self.leaves.append((offset, fmt_char(t), t, path))

    def format(self, size: int) -> str:
        out, pos = "<", 0
        for off, ch, _, _ in self.leaves:
            if off > pos:
                out += f"{off - pos}x"
            out += ch
            pos = off + {"B": 1, "H": 2, "I": 4, "Q": 8, "q": 8}[ch]
        if size > pos:
            out += f"{size - pos}x"
        return out


def decode_expr(t: WitxType, var: str) -> str:
    r = resolve(t)
    if isinstance(r, (EnumType, FlagsType)) and isinstance(t, NamedRef):
        return f"{camel(t.name)}.decode({var})"
    return var


def build_expr(t: WitxType, values: dict[str, str], path: str) -> str:
    r = resolve(t)
    if isinstance(r, RecordType):
        assert isinstance(t, NamedRef)
        args = ", ".join(build_expr(f.type, values, f"{path}.{f.name}") for f in r.fields)
        return f"{camel(t.name)}({args})"
    return decode_expr(t, values[path])


def value_methods(cls: str, fields: list[tuple[str, str]]) -> list[str]:
    """What ``@dataclass(slots=True)`` would add, written out: ``__slots__``, ``__init__``,
    ``__repr__``, ``__eq__`` (so that importing the package runs no dataclass machinery)."""
    names = [n for n, _ in fields]
    tup = "(" + ", ".join(f"{{0}}.{n}" for n in names) + ("," if len(names) == 1 else "") + ")"
    lines = ["", f"    __slots__ = {tuple(names)!r}", f"    __match_args__ = {tuple(names)!r}", ""]
    lines.append(f"    def __init__(self, {', '.join(f'{n}: {t}' for n, t in fields)}) -> None:")
    lines += [f"        self.{n} = {n}" for n in names]
    lines += ["", "    def __repr__(self) -> str:"]
    lines.append(f'        return f"{cls}({", ".join(f"{n}={{self.{n}!r}}" for n in names)})"')
    lines += ["", "    def __eq__(self, other: object) -> bool:", f"        if not isinstance(other, {cls}):"]
    lines += ["            return NotImplemented", f"        return {tup.format('self')} == {tup.format('other')}"]
    lines += ["", "    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value"]
    return lines


def gen_record(name: str, rec: RecordType, doc: str) -> list[str]:
    cls = camel(name)
    lines = ["", "", f"class {cls}(Record):"]
    lines += doc_lines(doc, "    ")
    union_fields = [f for f in rec.fields if isinstance(resolve(f.type), UnionType)]
    for f in rec.fields:
        lines.append(f"    {f.name}: {py_type(f.type)}")
        lines += doc_lines(f.doc, "    ")
    lines.append("")
    lines.append(f"    SIZE: ClassVar[int] = {rec.size}")
    lines.append(f"    ALIGN: ClassVar[int] = {rec.align}")
    offsets = ", ".join(f'"{f.name}": {f.offset}' for f in rec.fields)
    lines.append(f"    OFFSETS: ClassVar[dict[str, int]] = {{{offsets}}}")
    lines += value_methods(cls, [(f.name, py_type(f.type)) for f in rec.fields])
    flat = Flat()
    for f in rec.fields:
        if f not in union_fields:
            flat.add(f.type, f.offset, f"self.{f.name}")
    end = union_fields[0].offset if union_fields else rec.size
    lines.append(f'    _codec: ClassVar[struct.Struct] = struct.Struct("{flat.format(end)}")')
    names = [f"v{i}" for i in range(len(flat.leaves))]
    values = {leaf[3]: v for leaf, v in zip(flat.leaves, names, strict=True)}
    lines += ["", "    @classmethod", f"    def unpack_from(cls, buf: Any, offset: int = 0) -> {cls}:"]
    lines.append(f"        {', '.join(names)}{',' if len(names) == 1 else ''} = cls._codec.unpack_from(buf, offset)")
    args = []
    for f in rec.fields:
        if f in union_fields:
            args.append(f"{py_type(f.type)}.unpack_from(buf, offset + {f.offset})")
        else:
            args.append(build_expr(f.type, values, f"self.{f.name}"))
    lines.append(f"        return cls({', '.join(args)})")
    lines += ["", "    def pack_into(self, buf: Any, offset: int = 0) -> None:"]
    lines.append(f"        self._codec.pack_into(buf, offset, {', '.join(leaf[3] for leaf in flat.leaves)})")
    for f in union_fields:
        lines.append(f"        self.{f.name}.pack_into(buf, offset + {f.offset})")
    return lines


def gen_union(name: str, u: UnionType, doc: str) -> list[str]:
    cls = camel(name)
    tag_cls = camel(u.tag.name)
    payloads = sorted({py_type(t) for _, t in u.cases if t is not None})
    lines = ["", "", f"class {cls}(Variant):"]
    lines += doc_lines(doc, "    ")
    lines.append(f"    tag: {tag_cls}")
    lines.append(f"    value: {' | '.join(payloads)}")
    lines.append("")
    lines.append(f"    SIZE: ClassVar[int] = {u.size}")
    lines.append(f"    ALIGN: ClassVar[int] = {u.align}")
    lines.append(f'    OFFSETS: ClassVar[dict[str, int]] = {{"tag": 0, "u": {u.payload_offset}}}')
    lines.append(f"    PAYLOAD_OFFSET: ClassVar[int] = {u.payload_offset}")
    lines.append(f'    _tag: ClassVar[struct.Struct] = struct.Struct("<{fmt_char(u.tag)}")')
    lines += value_methods(cls, [("tag", tag_cls), ("value", " | ".join(payloads))])
    lines += ["", "    @classmethod", f"    def unpack_from(cls, buf: Any, offset: int = 0) -> {cls}:"]
    lines.append(f"        tag = {tag_cls}.decode(cls._tag.unpack_from(buf, offset)[0])")
    lines.append("        payload = cls._payloads[tag]")
    lines.append(f"        return cls(tag, payload.unpack_from(buf, offset + {u.payload_offset}))")
    lines += ["", "    def pack_into(self, buf: Any, offset: int = 0) -> None:"]
    lines.append("        self._tag.pack_into(buf, offset, self.tag)")
    lines.append(f"        self.value.pack_into(buf, offset + {u.payload_offset})")
    return lines


def gen_members(
    cls: str, base: str, doc: str, members: tuple[tuple[str, str], ...], value: Callable[[int], str], size: int
) -> list[str]:
    """An enum or flags class: one member per witx case (``value`` gives its value from its index)."""
    lines = ["", "", f"class {cls}({base}):", *doc_lines(doc, "    ")]
    lines += [f"    {member(name)} = {value(i)}" for i, (name, _) in enumerate(members)]
    docs = ", ".join(f"{member(name)!r}: {text!r}" for name, text in members)
    lines.append(f"    __member_docs__: ClassVar[dict[str, str]] = {{{docs}}}")
    lines.append(f"    __size__: ClassVar[int] = {size}")
    return lines


def gen_union_tables(spec: Spec) -> list[str]:
    lines = [""]
    for name, td in spec.types.items():
        if isinstance(td.type, UnionType):
            u = td.type
            tag_cls = camel(u.tag.name)
            entries = ", ".join(f"{tag_cls}.{member(case)}: {py_type(t)}" for case, t in u.cases if t is not None)
            lines.append(f"{camel(name)}._payloads = {{{entries}}}")
    return lines


def gen_cdef(spec: Spec) -> list[str]:
    """C declarations in wasi-libc's names, guest pointers as ``uint32_t`` (wasm32 addresses)."""
    out: list[str] = []

    def ctype(t: WitxType) -> str:
        if isinstance(t, NamedRef):
            return f"__wasi_{t.name}_t"
        if isinstance(t, Builtin):
            return CTYPE[t.name]
        if isinstance(t, (Handle, PointerType)):
            return "uint32_t"
        raise TypeError(t)

    for name, td in spec.types.items():
        t = td.type
        if isinstance(t, Builtin):
            out.append(f"typedef {CTYPE[t.name]} __wasi_{name}_t;")
        elif isinstance(t, Handle):
            out.append(f"typedef uint32_t __wasi_{name}_t;")
        elif isinstance(t, (EnumType, FlagsType)):
            out.append(f"typedef {CTYPE[t.repr.name]} __wasi_{name}_t;")
        elif isinstance(t, RecordType):
            fields = " ".join(f"{ctype(f.type)} {f.name};" for f in t.fields)
            out.append(f"typedef struct __wasi_{name}_t {{ {fields} }} __wasi_{name}_t;")
        elif isinstance(t, UnionType):
            cases = " ".join(f"{ctype(pt)} {case};" for case, pt in t.cases if pt is not None)
            out.append(
                f"typedef struct __wasi_{name}_t {{ {ctype(t.tag)} tag; union {{ {cases} }} u; }} __wasi_{name}_t;"
            )
        elif isinstance(t, ListType):
            continue  # lists are (pointer, length) pairs of arguments, never stored
        else:
            raise TypeError(t)
    return out


def generate(spec: Spec) -> str:
    lines = [
        '"""The WASI preview 1 ABI model on wasm32. GENERATED by tools/gen_abi.py from',
        "``pywasihost/abi/spec/*.witx``: do not edit; change the generator and run it again.",
        '"""',
        "",
        "# ruff: noqa: E501",
        "from __future__ import annotations",
        "",
        "import struct",
        "from typing import Any, ClassVar, NewType",
        "",
        "from .base import Record, Variant, WasiEnum, WasiFlags",
        "",
    ]
    exports: list[str] = []
    for name, td in spec.types.items():
        t, cls = td.type, camel(name)
        if isinstance(t, (Builtin, Handle)):
            lines += ["", f'{cls} = NewType("{cls}", int)']
            lines += doc_lines(td.doc or f"``{name}`` of the spec.", "")
        elif isinstance(t, EnumType):
            lines += gen_members(cls, "WasiEnum", td.doc, t.cases, lambda i: str(i), t.size)
        elif isinstance(t, FlagsType):
            lines += gen_members(cls, "WasiFlags", td.doc, t.flags, lambda i: f"1 << {i}", t.size)
            lines.insert(-1, f"    __mask__: ClassVar[int] = {(1 << len(t.flags)) - 1:#x}")
        elif isinstance(t, RecordType):
            lines += gen_record(name, t, td.doc)
        elif isinstance(t, UnionType):
            lines += gen_union(name, t, td.doc)
        elif isinstance(t, ListType):
            continue
        else:
            raise TypeError(t)
        exports.append(cls)
    lines += gen_union_tables(spec)
    lines.append("")
    for name, td in spec.types.items():
        if isinstance(td.type, EnumType):
            lines.append(f"{camel(name)}.__by_value__ = tuple({camel(name)})")
    lines += gen_runtime_tables(spec)
    lines += ["", "# C declarations of every type, for cffi (see pywasihost.abi.cffi_types).", "CDEF = '''"]
    lines += gen_cdef(spec)
    lines.append("'''")
    lines += ["", "__all__ = ["] + [f'    "{e}",' for e in sorted(exports + ["CDEF"])] + ["]", ""]
    return "\n".join(lines)


def gen_runtime_tables(spec: Spec) -> list[str]:
    """What the namespace needs of the spec at run time, so that no run parses the witx."""
    bits = {"u8": 8, "u16": 16, "u32": 32, "u64": 64, "s64": 64}
    lines = ["", "# Scalar typenames: Python alias -> (witx name, bits, signed). For the namespace's codecs."]
    lines.append("SCALARS: dict[str, tuple[str, int, bool]] = {")
    for name, td in spec.types.items():
        t = td.type
        if isinstance(t, Handle):
            lines.append(f'    "{camel(name)}": ("{name}", 32, False),')
        elif isinstance(t, Builtin):
            lines.append(f'    "{camel(name)}": ("{name}", {bits[t.name]}, {t.name == "s64"}),')
    lines.append("}")
    lines += ["", "# wasi_snapshot_preview1 functions: name -> (wasm params, wasm results)."]
    lines.append("SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {")
    for name, fn in spec.functions.items():
        lines.append(f'    "{name}": ({tuple(fn.wasm_params())!r}, {tuple(fn.wasm_results())!r}),')
    lines.append("}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    args = ap.parse_args()
    text = generate(load_spec())
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run tools/gen_abi.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
