"""The ABI model against the spec (witx and docs.md), against cffi, and against wasi-libc's layout."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_program
from pywasihost import abi
from pywasihost.abi import (
    Clockid,
    Errno,
    Event,
    EventFdReadwrite,
    Eventrwflags,
    Eventtype,
    Fd,
    Filesize,
    Record,
    Subclockflags,
    Subscription,
    SubscriptionClock,
    SubscriptionFdReadwrite,
    SubscriptionU,
    Timestamp,
    Userdata,
    Variant,
    WasiEnum,
    WasiFlags,
    flat,
)
from pywasihost.abi.base import camel
from pywasihost.abi.cffi_types import ffi
from pywasihost.abi.witx import Builtin, EnumType, FlagsType, Handle, ListType, RecordType, UnionType, load_spec

SPEC = load_spec()
ROOT = Path(__file__).resolve().parent.parent
RECORDS = {n: td for n, td in SPEC.types.items() if isinstance(td.type, (RecordType, UnionType))}


def test_generated_module_is_what_the_spec_gives() -> None:
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_abi.py"), "--check"], capture_output=True)
    assert check.returncode == 0, check.stderr.decode()


def test_spec_has_46_functions_and_77_errnos() -> None:
    assert len(SPEC.functions) == 46
    assert len(Errno) == 77


@pytest.mark.parametrize("name", sorted(SPEC.types))
def test_every_typename_has_a_python_class(name: str) -> None:
    td = SPEC.types[name]
    if isinstance(td.type, ListType):
        return  # lists are (pointer, count) arguments: see pywasihost.namespace.types
    cls = getattr(abi, camel(name))
    t = td.type
    if isinstance(t, EnumType):
        assert issubclass(cls, WasiEnum)
        assert [(m.name, m.value) for m in cls] == [
            ("TOOBIG" if c == "2big" else c.upper(), i) for i, (c, _) in enumerate(t.cases)
        ]
        assert [m.doc for m in cls] == [d for _, d in t.cases]
        assert cls.__size__ == t.size
    elif isinstance(t, FlagsType):
        assert issubclass(cls, WasiFlags)
        assert [(m.name, m.value) for m in cls] == [(f.upper(), 1 << i) for i, (f, _) in enumerate(t.flags)]
        assert cls.__size__ == t.size
    elif isinstance(t, RecordType):
        assert issubclass(cls, Record)
        assert (cls.SIZE, cls.ALIGN) == (t.size, t.align)
        assert cls.OFFSETS == {f.name: f.offset for f in t.fields}
    elif isinstance(t, UnionType):
        assert issubclass(cls, Variant)
        assert (cls.SIZE, cls.ALIGN, cls.PAYLOAD_OFFSET) == (t.size, t.align, t.payload_offset)
    else:
        assert isinstance(t, (Builtin, Handle))
        assert cls.__supertype__ is int  # a NewType alias of int


def _docs_layouts() -> dict[str, dict[str, int]]:
    """Sizes, alignments and offsets as the spec's rendered docs.md states them (independent of witx.py)."""
    text = (resources.files("pywasihost.abi") / "spec" / "docs.md").read_text(encoding="utf-8")
    out: dict[str, dict[str, int]] = {}
    current: dict[str, int] | None = None
    member: str | None = None
    for line in text.splitlines():
        if m := re.match(r'^## <a href="#(\w+)" name="\w+"></a>', line):
            current = out.setdefault(m.group(1), {})
            member = None
        elif current is None:
            continue
        elif m := re.match(r"^Size: (\d+)", line):
            current.setdefault("__size", int(m.group(1)))
        elif m := re.match(r"^Alignment: (\d+)", line):
            current.setdefault("__align", int(m.group(1)))
        elif m := re.match(r'^- <a href="#\w+\.(\w+)" name="\w+\.\w+"></a>', line):
            member = m.group(1)
        elif (m := re.match(r"^Offset: (\d+)", line)) and member:
            current[member] = int(m.group(1))
        elif line.startswith("# "):
            current = None
    return out


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_struct_layout_matches_docs_md(name: str) -> None:
    doc = _docs_layouts()[name]
    cls = getattr(abi, camel(name))
    assert (cls.SIZE, cls.ALIGN) == (doc["__size"], doc["__align"])
    for field, offset in cls.OFFSETS.items():
        if field in doc:
            assert offset == doc[field], field


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_cffi_layout_matches_classes(name: str) -> None:
    cls = getattr(abi, camel(name))
    ctype = f"__wasi_{name}_t"
    assert (ffi.sizeof(ctype), ffi.alignof(ctype)) == (cls.SIZE, cls.ALIGN)
    for field, offset in cls.OFFSETS.items():
        assert ffi.offsetof(ctype, field) == offset


def test_guest_wasi_libc_layout_matches_classes() -> None:
    result = run_program("c/abi_layout")
    assert result.exit_code == 0
    lines = (result.stdout or b"").decode().splitlines()
    seen_structs = set()
    for line in lines:
        kind, name, *rest = line.split()
        cls = getattr(abi, camel(name))
        if kind == "size":
            size, align = int(rest[0]), int(rest[1])
            if isinstance(cls, type) and issubclass(cls, Record):
                assert (cls.SIZE, cls.ALIGN) == (size, align), line
                seen_structs.add(name)
            else:
                assert SPEC.types[name].size == size, line
                assert SPEC.types[name].align == align, line
        else:
            assert kind == "offset"
            field, offset = rest[0], int(rest[1])
            assert cls.OFFSETS[field] == offset, line
    assert seen_structs == set(RECORDS)


def filestat(filetype: abi.Filetype) -> abi.Filestat:
    T = abi.Timestamp
    return abi.Filestat(abi.Device(1), abi.Inode(2), filetype, abi.Linkcount(3), abi.Filesize(4), T(5), T(6), T(7))


def test_structs_round_trip_through_bytes() -> None:
    clock = abi.SubscriptionClock(abi.Clockid.MONOTONIC, abi.Timestamp(10), abi.Timestamp(1), abi.Subclockflags(1))
    sub = abi.Subscription(abi.Userdata(7), abi.SubscriptionU(abi.Eventtype.CLOCK, clock))
    data = sub.pack()
    assert len(data) == 48
    assert abi.Subscription.unpack_from(data) == sub
    stat = filestat(abi.Filetype.REGULAR_FILE)
    assert abi.Filestat.unpack_from(stat.pack()) == stat
    raw = ffi.from_buffer(bytearray(stat.pack()))
    view = ffi.cast("__wasi_filestat_t *", raw)
    assert (view.dev, view.filetype, view.ctim) == (1, 4, 7)


def test_decoding_rejects_values_outside_the_spec() -> None:
    bad = bytearray(48)
    bad[8] = 9  # no such eventtype
    with pytest.raises(abi.InvalidValue):
        abi.Subscription.unpack_from(bad)
    with pytest.raises(abi.InvalidValue):
        abi.Oflags.decode(1 << 4)
    assert abi.Oflags.decode(0b1001) == abi.Oflags.CREAT | abi.Oflags.TRUNC


@settings(max_examples=300)
@given(
    userdata=st.integers(0, 2**64 - 1),
    tag=st.sampled_from(list(Eventtype)),
    first=st.integers(0, 3),
    timeout=st.integers(0, 2**64 - 1),
    precision=st.integers(0, 2**64 - 1),
    flags=st.integers(0, 1),
)
def test_flat_subscription_rows_read_what_the_records_read(
    userdata: int, tag: Eventtype, first: int, timeout: int, precision: int, flags: int
) -> None:
    """poll_oneoff decodes subscriptions as flat rows (abi.flat): they must agree with the records."""
    expected: tuple[int, ...]
    if tag == Eventtype.CLOCK:
        payload: SubscriptionClock | SubscriptionFdReadwrite = SubscriptionClock(
            Clockid(first), Timestamp(timeout), Timestamp(precision), Subclockflags(flags)
        )
        expected = (userdata, tag, first, timeout, precision, flags)
    else:
        payload = SubscriptionFdReadwrite(Fd(first))
        expected = (userdata, tag, first, 0, 0, 0)
    raw = bytearray(Subscription.SIZE)  # zero padding, as a guest's calloc'd array has
    Subscription(Userdata(userdata), SubscriptionU(tag, payload)).pack_into(raw)
    assert flat.SUBSCRIPTION.size == Subscription.SIZE
    assert flat.SUBSCRIPTION.unpack(bytes(raw)) == expected


def test_flat_event_rows_write_what_the_records_write() -> None:
    row = (2**64 - 1, Errno.BADF, Eventtype.FD_WRITE, 12345, Eventrwflags.FD_READWRITE_HANGUP)
    a, b = bytearray(Event.SIZE), bytearray(Event.SIZE)
    flat.EVENT.pack_into(a, 0, *row)
    Event(Userdata(row[0]), row[1], row[2], EventFdReadwrite(Filesize(row[3]), row[4])).pack_into(b)
    assert a == b
