"""The native fast paths (C, in pywasihost.engines._trampoline) against the Python functions.

``fd_write``, ``fd_read``, ``clock_time_get`` and ``random_get`` have a native path on each engine:
wasmtime runs it inside its C trampoline, wasmer through a small shim. It must answer exactly as the
Python function, the reference, does: the same errno or trap, the same bytes in guest memory, the
same effect on the host. The reference here is the same engine with the function wrapped in the
namespace (a wrapped function never takes the native path), so every test runs on each engine.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pywasihost
from conftest import compiled, current_engine
from pywasihost import CAPTURE, MemoryLimits, Namespace, Trap, WasiConfig, WasiInstance
from pywasihost.abi import Errno, Fdflags, Rights
from pywasihost.fdtable import DirectDescriptors, FdTable, HostFd
from pywasihost.fs.host import HostDirectory

PAGE = 65536
NATIVE = ("fd_write", "fd_read", "clock_time_get", "random_get")
MAX_IO = 100  # a small max_io_bytes, so that examples cross it

# Both engines use the native paths wherever setup.py could build the C extension (it is built here:
# CI and `make test` install with a compiler); without it, these tests compare Python with Python.
BUILT = importlib.util.find_spec("pywasihost.engines._trampoline") is not None


def _python_namespace() -> Namespace:
    """preview 1 with the natively served functions wrapped: the Python path, always."""
    ns = Namespace.preview1()
    for name in NATIVE:
        ns.wrap(name)(lambda original, ctx, *args: original(ctx, *args))
    return ns


def _outcome(call: Any) -> object:
    try:
        return call()
    except Trap as exc:
        return type(exc)


class Pair:
    """The same guest twice, native and Python, each with its own stdin and stdout files."""

    def __init__(self, directory: Path, program: str) -> None:
        self.directory = directory
        stdin = directory / "stdin"
        stdin.write_bytes(bytes(range(256)) * 64)
        self.native, self.python = (
            WasiInstance(
                compiled(program),
                WasiConfig(
                    stdin=stdin,
                    stdout=directory / f"stdout-{kind}",
                    stderr=CAPTURE,
                    limits=MemoryLimits(max_io_bytes=MAX_IO),
                    preopens=[pywasihost.Preopen(directory, "/dir")],
                ),
                namespace=namespace,
            )
            for kind, namespace in (("native", None), ("python", _python_namespace()))
        )
        self.both = (self.native, self.python)

    def output(self, kind: str) -> bytes:
        return (self.directory / f"stdout-{kind}").read_bytes()

    def same(self) -> None:
        """Both guests' memories and both stdout files hold the same bytes."""
        assert bytes(self.native.memory.view) == bytes(self.python.memory.view)
        assert self.output("native") == self.output("python")
        assert self.native.stderr == self.python.stderr


@pytest.fixture(scope="module")
def fd_io(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    pair = Pair(tmp_path_factory.mktemp("fd_io"), "wat/fd_io")
    yield pair
    for inst in pair.both:
        inst.close()


addresses = st.integers(0, PAGE + 16) | st.integers(PAGE - 24, PAGE) | st.integers(0, 2**32 - 1)
lengths = st.integers(0, 40) | st.integers(MAX_IO - 4, MAX_IO + 4) | st.integers(0, 2**32 - 1)


@given(
    call=st.sampled_from(["write", "read"]),
    fd=st.sampled_from([1, 1, 1, 0, 2, 3, 7, 2**32 - 1]),  # stdout, stdin, captured, a directory, none
    iovs=addresses,
    entries=st.lists(st.tuples(addresses, lengths), max_size=6),
    count=st.none() | st.integers(0, 70) | st.integers(0, 2**32 - 1),
    out=addresses,
    fill=st.binary(min_size=1, max_size=8),
)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_native_fd_write_and_fd_read_answer_as_the_python_ones(
    fd_io: Pair, call: str, fd: int, iovs: int, entries: list[tuple[int, int]], count: int | None, out: int, fill: bytes
) -> None:
    for inst in fd_io.both:  # the same memory on both sides: some data, then the iovec array
        view = inst.memory.view
        view[:] = (fill * (len(view) // len(fill) + 1))[: len(view)]
        for i, (buf, length) in enumerate(entries):
            at = iovs + 8 * i
            if at + 8 <= len(view):
                view[at : at + 8] = buf.to_bytes(4, "little") + length.to_bytes(4, "little")
    n = len(entries) if count is None else count
    outcomes = [_outcome(lambda i=i: i.call(call, fd, iovs, n, out)) for i in fd_io.both]
    assert outcomes[0] == outcomes[1]  # the same errno, or both trap
    fd_io.same()


def test_ordinary_calls_do_not_reach_python(fd_io: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: a write to a plain host file and a read from one never call the
    descriptor's Python methods; a captured stream still does (Python owns its buffer)."""
    calls: list[str] = []
    write, read = HostFd.write, HostFd.read

    def spy_write(self: HostFd, bufs: list[memoryview]) -> int:
        calls.append("write")
        return write(self, bufs)

    def spy_read(self: HostFd, bufs: list[memoryview]) -> int:
        calls.append("read")
        return read(self, bufs)

    monkeypatch.setattr(HostFd, "write", spy_write)
    monkeypatch.setattr(HostFd, "read", spy_read)
    inst = fd_io.native
    before = len(fd_io.output("native"))
    inst.memory.view[0:16] = b"iovec goes here!"
    inst.memory.view[100:108] = (0).to_bytes(4, "little") + (16).to_bytes(4, "little")
    assert inst.call("write", 1, 100, 1, 200) == 0
    assert int.from_bytes(inst.memory.view[200:204], "little") == 16
    assert fd_io.output("native")[before:] == b"iovec goes here!"
    assert inst.call("read", 0, 100, 1, 200) == 0 and int.from_bytes(inst.memory.view[200:204], "little") == 16
    assert calls == ([] if BUILT else ["write", "read"])
    assert inst.call("write", 2, 100, 1, 200) == 0 and (inst.stderr or b"").endswith(bytes(inst.memory.view[0:16]))


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Pair]:
    pair = Pair(tmp_path, "wat/fd_io")
    for inst in pair.both:
        inst.memory.view[0:8] = b"12345678"
        inst.memory.view[100:108] = (0).to_bytes(4, "little") + (8).to_bytes(4, "little")
    yield pair
    for inst in pair.both:
        inst.close()


def test_the_fast_path_follows_the_descriptor_table(fresh: Pair) -> None:
    """Rights taken away, a descriptor moved or closed: the native path answers as Python does."""
    answers: list[list[object]] = []
    for inst in fresh.both:
        fds = inst.context.fds
        seen = [inst.call("write", 1, 100, 1, 200)]
        fds.renumber(1, 2)  # stdout's file now at 2 (the captured stderr closed), 1 gone
        seen += [inst.call("write", 1, 100, 1, 200), inst.call("write", 2, 100, 1, 200)]
        fds.get(2).rights_base = Rights.FD_READ  # fd_fdstat_set_rights: no FD_WRITE any more
        seen += [inst.call("write", 2, 100, 1, 200)]
        fds.close(0)
        seen += [inst.call("read", 0, 100, 1, 200)]
        answers.append(seen)
    assert answers[0] == answers[1] == [0, Errno.BADF, 0, Errno.NOTCAPABLE, Errno.BADF]
    assert fresh.output("native") == fresh.output("python") == b"12345678" * 2


def test_a_directory_is_never_read_or_written_natively(fresh: Pair) -> None:
    """Even with nothing to move: readv of 0 bytes on a host directory's fd succeeds in the kernel."""
    for inst in fresh.both:
        inst.memory.view[100:108] = bytes(8)  # one empty buffer
        assert inst.call("read", 3, 100, 1, 200) == inst.call("write", 3, 100, 1, 200) == Errno.BADF


def test_the_fast_path_sees_memory_grow(fresh: Pair) -> None:
    for inst in fresh.both:
        assert inst.call("grow", 2) == 1
        inst.memory.write_bytes(PAGE + 500, b"grown!!\n")
        inst.memory.write_bytes(PAGE + 600, (PAGE + 500).to_bytes(4, "little") + (8).to_bytes(4, "little"))
        assert inst.call("write", 1, PAGE + 600, 1, 2 * PAGE + 10) == 0
        assert inst.call("write", 1, PAGE + 600, 1, 2 * PAGE + 10) == 0  # again, now the C side knows
        assert inst.memory.load_u32(2 * PAGE + 10) == 8
    assert fresh.output("native") == fresh.output("python") == b"grown!!\n" * 2


def test_direct_descriptors_list_only_plain_host_fds_with_the_right(tmp_path: Path) -> None:
    table = FdTable()
    r, w = os.pipe()
    try:
        table.set(0, HostFd(r, Rights.FD_READ, owned=False))
        table.set(1, HostFd(w, Rights.FD_WRITE, owned=False))
        assert (table.direct.read[0], table.direct.write[0]) == (r, -1)
        assert (table.direct.read[1], table.direct.write[1]) == (-1, w)
        table.get(1).set_flags(Fdflags.NONBLOCK)  # a host fd the run does not own: Python polls first
        assert table.direct.write[1] == -1
        table.get(1).set_flags(Fdflags(0))
        assert table.direct.write[1] == w
        table.remove(1)
        assert table.direct.write[1] == -1
        # numbers past the mirror's slots are never served natively, and still work in Python
        table.set(DirectDescriptors.SLOTS, HostFd(w, Rights.FD_WRITE, owned=False))
        assert table.get(DirectDescriptors.SLOTS).direct_fd() == w
        # a directory is never direct, although a host directory holds a host fd
        table.set(3, HostDirectory.open_preopen(tmp_path, "/dir"))
        assert (table.direct.read[3], table.direct.write[3]) == (-1, -1)
        table.close_all()
        assert list(table.direct.read) == list(table.direct.write) == [-1] * DirectDescriptors.SLOTS
    finally:
        os.close(r)
        os.close(w)


# -- clock_time_get and random_get -----------------------------------------------------------------


@pytest.fixture(scope="module")
def clock_random() -> Iterator[tuple[WasiInstance, WasiInstance]]:
    pair = (
        WasiInstance(compiled("wat/clock_random"), WasiConfig()),
        WasiInstance(compiled("wat/clock_random"), WasiConfig(), namespace=_python_namespace()),
    )
    yield pair
    for inst in pair:
        inst.close()


@given(
    clock=st.integers(0, 2**32 - 1) | st.sampled_from([0, 1, 2, 3]),
    precision=st.integers(-(2**63), 2**63 - 1),
    out=st.integers(0, 2**32 - 1) | st.integers(PAGE - 12, PAGE) | st.just(64),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_native_clock_time_get_answers_as_the_python_one(
    clock_random: tuple[WasiInstance, WasiInstance], clock: int, precision: int, out: int
) -> None:
    for inst in clock_random:
        inst.memory.view[:] = bytes(PAGE)
    before = time.monotonic_ns()
    outcomes = [_outcome(lambda i=i: i.call("clock", clock, precision, out)) for i in clock_random]
    after = time.monotonic_ns()
    assert outcomes[0] == outcomes[1]  # the same errno, or both trap
    if outcomes[0] == 0:
        views = [bytes(i.memory.view) for i in clock_random]
        value = [int.from_bytes(v[out : out + 8], "little") for v in views]
        assert views[0][:out] == views[1][:out] and views[0][out + 8 :] == views[1][out + 8 :]
        if clock == 1:  # MONOTONIC: both readings lie in the window around them
            assert before <= value[0] <= value[1] <= after


@given(
    buf=st.integers(0, 2**32 - 1) | st.integers(PAGE - 40, PAGE),
    length=st.integers(0, 2**32 - 1) | st.integers(0, 64),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_native_random_get_answers_as_the_python_one(
    clock_random: tuple[WasiInstance, WasiInstance], buf: int, length: int
) -> None:
    for inst in clock_random:
        inst.memory.view[:] = bytes(PAGE)
    outcomes = [_outcome(lambda i=i: i.call("rand", buf, length)) for i in clock_random]
    assert outcomes[0] == outcomes[1]
    if outcomes[0] == 0:
        views = [bytes(i.memory.view) for i in clock_random]
        assert all(v[:buf] == bytes(buf) and v[buf + length :] == bytes(len(v) - buf - length) for v in views)
        if length >= 16:  # filled (16 zero bytes by chance: 2**-128)
            assert views[0][buf : buf + length] != bytes(length)


def test_the_native_paths_step_aside_for_configured_clocks_and_traces(tmp_path: Path) -> None:
    # deterministic clocks and seeded randomness are the configuration's, not the system's
    inst = WasiInstance(
        compiled("wat/clock_random"), WasiConfig(clocks=pywasihost.DeterministicClocks(start=5, step=1))
    )
    assert inst.call("clock", 1, 0, 64) == 0
    assert int.from_bytes(bytes(inst.memory.view[64:72]), "little") == 6
    seeded = [WasiInstance(compiled("wat/clock_random"), WasiConfig(random=pywasihost.SeededRandom(3))) for _ in "ab"]
    for inst in seeded:
        assert inst.call("rand", 100, 32) == 0
    assert bytes(seeded[0].memory.view[100:132]) == bytes(seeded[1].memory.view[100:132])
    # a traced call is seen by the trace: Python answers it
    events: list[Any] = []
    traced = WasiInstance(compiled("wat/fd_io"), WasiConfig(stdout=tmp_path / "out", trace_hook=events.append))
    traced.memory.view[100:108] = bytes(8)
    assert traced.call("write", 1, 100, 1, 200) == 0 and traced.call("read", 0, 100, 1, 200) == 0
    assert [e.name for e in events] == ["fd_write", "fd_read"]


def test_the_adapters_agree_with_the_c_build() -> None:
    from pywasihost.engines import _trampoline_build, native

    assert native.NATIVE_CODES == _trampoline_build.NATIVE
    assert DirectDescriptors.SLOTS == 64 and "#define DIRECT_SLOTS 64" in _trampoline_build.SOURCE


def test_the_engine_says_it_uses_the_native_paths() -> None:
    engine = current_engine()
    if engine.name == "wasmer":
        assert ("C fast paths" in engine.host_calls) is BUILT
    else:
        assert engine.c_trampoline is BUILT  # type: ignore[attr-defined]
