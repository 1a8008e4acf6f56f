"""A small reader for the witx files of WASI preview 1, and the wasm32 layout of their types.

The spec files ship inside the package (``pywasihost/abi/spec/``). ``tools/gen_abi.py`` turns them into
``_generated.py``; the tests parse them again and compare, so the code and the spec cannot drift.
Only the subset of witx that preview 1 uses is understood; anything else is an error.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Union

__all__ = [
    "Builtin",
    "EnumType",
    "FlagsType",
    "Function",
    "Handle",
    "ListType",
    "NamedRef",
    "Param",
    "PointerType",
    "RecordField",
    "RecordType",
    "Spec",
    "TypeDef",
    "UnionType",
    "load_spec",
    "parse_spec",
]

Sexp = Union[str, list["Sexp"]]


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Builtin:
    name: str  # u8 u16 u32 u64 s64 string

    @property
    def size(self) -> int:
        return {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "s64": 8, "string": 8}[self.name]

    @property
    def align(self) -> int:
        return 4 if self.name == "string" else self.size


@dataclass(frozen=True)
class Handle:
    size = 4
    align = 4


@dataclass(frozen=True)
class PointerType:
    pointee: WitxType
    const: bool
    size = 4
    align = 4


@dataclass(frozen=True)
class ListType:
    element: WitxType
    size = 8  # (pointer, length) in memory and two i32 arguments
    align = 4


@dataclass(frozen=True)
class NamedRef:
    """A reference to a typename, resolved lazily through the spec."""

    name: str
    spec: Spec = field(compare=False, repr=False)

    @property
    def target(self) -> TypeDef:
        return self.spec.types[self.name]

    @property
    def size(self) -> int:
        return self.target.size

    @property
    def align(self) -> int:
        return self.target.align


@dataclass(frozen=True)
class _Represented:
    """A type stored as its integer ``repr``."""

    repr: Builtin

    @property
    def size(self) -> int:
        return self.repr.size

    @property
    def align(self) -> int:
        return self.repr.align


@dataclass(frozen=True)
class EnumType(_Represented):
    cases: tuple[tuple[str, str], ...]  # (name, doc)


@dataclass(frozen=True)
class FlagsType(_Represented):
    flags: tuple[tuple[str, str], ...]  # (name, doc); bit i is flags[i]


@dataclass(frozen=True)
class RecordField:
    name: str
    type: WitxType
    doc: str
    offset: int


def _align_up(n: int, a: int) -> int:
    return (n + a - 1) // a * a


@dataclass(frozen=True)
class RecordType:
    fields: tuple[RecordField, ...]
    size: int
    align: int

    @staticmethod
    def build(members: list[tuple[str, WitxType, str]]) -> RecordType:
        offset, align, out = 0, 1, []
        for name, typ, doc in members:
            offset = _align_up(offset, typ.align)
            out.append(RecordField(name, typ, doc, offset))
            offset += typ.size
            align = max(align, typ.align)
        return RecordType(tuple(out), _align_up(offset, align), align)


@dataclass(frozen=True)
class UnionType:
    """A tagged union: the tag (an enum), then the payload at ``payload_offset``."""

    tag: NamedRef
    cases: tuple[tuple[str, WitxType | None], ...]  # (enum case name, payload type)

    @property
    def tag_size(self) -> int:
        return self.tag.size

    @property
    def payload_align(self) -> int:
        return max([t.align for _, t in self.cases if t is not None] + [1])

    @property
    def payload_size(self) -> int:
        return max([t.size for _, t in self.cases if t is not None] + [0])

    @property
    def align(self) -> int:
        return max(self.tag.align, self.payload_align)

    @property
    def payload_offset(self) -> int:
        return _align_up(self.tag_size, self.payload_align)

    @property
    def size(self) -> int:
        return _align_up(self.payload_offset + self.payload_size, self.align)


WitxType = Union[Builtin, Handle, PointerType, ListType, NamedRef, EnumType, FlagsType, RecordType, UnionType]


@dataclass(frozen=True)
class TypeDef:
    name: str
    type: WitxType
    doc: str

    @property
    def size(self) -> int:
        return self.type.size

    @property
    def align(self) -> int:
        return self.type.align


@dataclass(frozen=True)
class Param:
    name: str
    type: WitxType


@dataclass(frozen=True)
class Function:
    """One import of ``wasi_snapshot_preview1``: params, the ok results (each written through an
    out-pointer), and whether it returns an errno or never returns."""

    name: str
    params: tuple[Param, ...]
    results: tuple[WitxType, ...]
    noreturn: bool
    doc: str

    def wasm_params(self) -> list[str]:
        """The core wasm parameter types ("i32"/"i64") after lowering, out-pointers included."""
        out: list[str] = []
        for p in self.params:
            out.extend(lower(p.type))
        out.extend("i32" for _ in self.results)
        return out

    def wasm_results(self) -> list[str]:
        return [] if self.noreturn else ["i32"]


def lower(t: WitxType) -> list[str]:
    """The core wasm types that a value of ``t`` is passed as."""
    if isinstance(t, NamedRef):
        return lower(t.target.type)
    if isinstance(t, (ListType,)) or (isinstance(t, Builtin) and t.name == "string"):
        return ["i32", "i32"]
    if isinstance(t, (EnumType, FlagsType)):
        return lower(t.repr)
    if isinstance(t, Builtin):
        return ["i64"] if t.size == 8 else ["i32"]
    if isinstance(t, (Handle, PointerType)):
        return ["i32"]
    raise TypeError(f"type {t!r} cannot be a parameter")


@dataclass
class Spec:
    types: dict[str, TypeDef] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)


# --------------------------------------------------------------------------- parsing

_TOKEN = re.compile(r'\s*(?:(;;;[^\n]*)|(;;[^\n]*)|(\()|(\))|("[^"]*")|([^\s()";]+))')
_DOC = "\x00doc:"


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"witx: cannot read at {text[pos : pos + 30]!r}")
        pos = m.end()
        doc, _comment, lp, rp, string, atom = m.groups()
        if doc is not None:
            out.append(_DOC + doc[3:].strip())
        elif lp or rp:
            out.append(lp or rp)
        elif string is not None:
            out.append(string)
        elif atom is not None:
            out.append(atom)
    return out


def _parse(tokens: list[str]) -> list[Sexp]:
    """Nested lists; doc comments become ``_DOC``-prefixed atoms in place."""
    stack: list[list[Sexp]] = [[]]
    for tok in tokens:
        if tok == "(":
            stack.append([])
        elif tok == ")":
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    if len(stack) != 1:
        raise ValueError("witx: unbalanced parentheses")
    return stack[0]


def _docs_and_items(items: list[Sexp]) -> list[tuple[str, Sexp]]:
    """Attach each run of doc comments to the item that follows it."""
    out: list[tuple[str, Sexp]] = []
    doc: list[str] = []
    for it in items:
        if isinstance(it, str) and it.startswith(_DOC):
            doc.append(it[len(_DOC) :])
        else:
            out.append(("\n".join(doc).strip(), it))
            doc = []
    return out


def _name(atom: Sexp) -> str:
    if not (isinstance(atom, str) and atom.startswith("$")):
        raise ValueError(f"witx: expected a $name, got {atom!r}")
    return atom[1:]


class _Reader:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def type(self, s: Sexp) -> WitxType:
        if isinstance(s, str):
            if s.startswith("$"):
                return NamedRef(s[1:], self.spec)
            return Builtin(s)
        head = s[0]
        if head == "@witx":
            kind = s[1]
            if kind in ("pointer", "const_pointer"):
                return PointerType(self.type(s[2]), kind == "const_pointer")
            raise ValueError(f"witx: unknown @witx form {kind!r}")
        if head == "handle":
            return Handle()
        if head == "list":
            return ListType(self.type(s[1]))
        if head in ("enum", "flags"):
            attr = s[1]
            assert isinstance(attr, list) and attr[0] == "@witx"
            rep = Builtin(str(attr[2]))
            members = tuple((_name(it), doc) for doc, it in _docs_and_items(s[2:]))
            return EnumType(rep, members) if head == "enum" else FlagsType(rep, members)
        if head == "record":
            fields = []
            for doc, it in _docs_and_items(s[1:]):
                assert isinstance(it, list) and it[0] == "field"
                fields.append((_name(it[1]), self.type(it[2]), doc))
            return RecordType.build(fields)
        if head == "union":
            rest = [it for _, it in _docs_and_items(s[1:])]
            attr = rest.pop(0)
            assert isinstance(attr, list) and attr[:2] == ["@witx", "tag"]
            tag = NamedRef(_name(attr[2]), self.spec)
            tag_enum = tag.target.type
            assert isinstance(tag_enum, EnumType)
            if len(rest) != len(tag_enum.cases):
                raise ValueError("witx: union must give one payload per tag case")
            cases = tuple((case, self.type(t)) for (case, _), t in zip(tag_enum.cases, rest, strict=True))
            return UnionType(tag, cases)
        raise ValueError(f"witx: unknown type form {head!r}")

    def typename(self, doc: str, s: list[Sexp]) -> None:
        name = _name(s[1])
        self.spec.types[name] = TypeDef(name, self.type(s[2]), doc)

    def function(self, doc: str, s: list[Sexp]) -> None:
        export = s[2]
        assert isinstance(export, list) and export[0] == "export"
        name = str(export[1]).strip('"')
        params: list[Param] = []
        results: tuple[WitxType, ...] = ()
        noreturn = False
        for _, it in _docs_and_items(s[3:]):
            assert isinstance(it, list)
            if it[0] == "param":
                params.append(Param(_name(it[1]), self.type(it[2])))
            elif it[0] == "result":
                expected = it[2]
                assert isinstance(expected, list) and expected[0] == "expected"
                ok = [x for x in expected[1:] if not (isinstance(x, list) and x[0] == "error")]
                if ok:
                    okt = ok[0]
                    if isinstance(okt, list) and okt[0] == "tuple":
                        results = tuple(self.type(x) for x in okt[1:])
                    else:
                        results = (self.type(okt),)
            elif it[:2] == ["@witx", "noreturn"]:
                noreturn = True
            else:
                raise ValueError(f"witx: unknown function item {it!r}")
        self.spec.functions[name] = Function(name, tuple(params), results, noreturn, doc)


def parse_spec(typenames: str, module: str) -> Spec:
    spec = Spec()
    reader = _Reader(spec)
    for doc, item in _docs_and_items(_parse(_tokens(typenames))):
        assert isinstance(item, list) and item[0] == "typename", item
        reader.typename(doc, item)
    for _doc, item in _docs_and_items(_parse(_tokens(module))):
        if isinstance(item, list) and item[0] == "module":
            for fdoc, f in _docs_and_items(item[2:]):
                if isinstance(f, list) and f[0] == "@interface":
                    reader.function(fdoc, f)
    return spec


@functools.cache
def load_spec() -> Spec:
    """The preview 1 spec as shipped in this package (parsed once, shared: do not modify it)."""
    base = resources.files("pywasihost.abi") / "spec"
    return parse_spec(
        (base / "typenames.witx").read_text(encoding="utf-8"),
        (base / "wasi_snapshot_preview1.witx").read_text(encoding="utf-8"),
    )
