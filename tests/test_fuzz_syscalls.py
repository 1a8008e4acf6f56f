"""Hostile arguments for every preview 1 function: an errno or a trap, never a host exception.

Each example calls one function's raw wrapper (what the engine calls: plain wasm integers in, an
errno out) on a context with a preopened sandbox. Each argument is drawn by its role (from the
function's codecs): descriptors near the open ones, paths and buffers at addresses where guest
memory holds plausible data (a path, an iovec array, subscriptions), small flag and enum values,
result pointers mostly valid; and, for every role, edge values and random integers. The only
outcomes allowed are an errno the spec defines, a trap (:class:`GuestMemoryError`) or the end of
the run (:class:`ProcExit`); anything else is a bug of the host. Nothing outside the sandbox may
change, and no host fd may stay open. Half the examples run on a MemoryFS copy of the sandbox.
"""

from __future__ import annotations

import random
import shutil
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pywasihost import (
    CAPTURE,
    Fdflags,
    GuestMemoryError,
    InvalidExitStatus,
    MemoryFS,
    Namespace,
    Oflags,
    Preopen,
    ProcExit,
    Rights,
    WasiConfig,
    WasiContext,
)
from pywasihost.abi._generated import SIGNATURES
from pywasihost.namespace.codecs import IovecsCodec, ParamCodec, PointerCodec, ScalarCodec, SliceCodec, StringCodec
from pywasihost.sockets import SocketDescriptor
from sandbox_watch import host_fds

NS = Namespace.preview1()
EVERY = Rights(sum(Rights))
NO_WRITE = Rights(EVERY & ~(Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE))
MEMORY = 1 << 16
ERRNO_MAX = 76

# Addresses where the memory of every example holds something a call could use.
PATH, IOVS, BUF, SUBS, OUT = 0x100, 0x200, 0x400, 0x800, 0x1000
LAYOUT = {
    PATH: b"file.txt\0dir/..\0link\0new\0",
    IOVS: struct.pack("<IIII", BUF, 16, BUF + 16, 0xFFFF),  # the second runs off the end: a trap
    SUBS: struct.pack("<QB7xIxxxxQQH6x", 7, 0, 1, 1_000, 0, 0)  # a relative MONOTONIC clock
    + struct.pack("<QB7xI36x", 8, 1, 0),  # fd_read on stdin
}

EDGE_I32 = [0, 1, 2, 3, 4, 5, 8, 9, 16, 0x7F, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFF, -1, -2, -(2**31)]
EDGE_I64 = [*EDGE_I32, 2**32, 2**62, 2**63 - 1, -(2**63), -(2**32)]
ADDRESSES = [PATH, PATH + 9, IOVS, BUF, SUBS, OUT, MEMORY - 8, MEMORY - 1, MEMORY]


def i32() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(EDGE_I32 + ADDRESSES), st.integers(-(2**31), 2**31 - 1))


def i64() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(EDGE_I64), st.integers(-(2**63), 2**63 - 1))


def likely(values: list[int], wide: st.SearchStrategy[int]) -> st.SearchStrategy[int]:
    """Mostly one of ``values``, sometimes anything ``wide`` gives."""
    return st.one_of(st.sampled_from(values), st.sampled_from(values), st.sampled_from(values), wide)


def pair(values: list[tuple[int, int]]) -> st.SearchStrategy[tuple[int, int]]:
    """Mostly one of the (pointer, length) ``values``, sometimes anything."""
    return st.one_of(st.sampled_from(values), st.sampled_from(values), st.sampled_from(values), st.tuples(i32(), i32()))


def role(codec: ParamCodec) -> st.SearchStrategy[tuple[int, ...]]:
    """The wasm arguments of one parameter, drawn by what the parameter is."""
    if isinstance(codec, StringCodec):  # "file.txt", "dir/..", "dir", "link", "new", ""
        return pair([(PATH, 8), (PATH + 9, 6), (PATH + 9, 3), (PATH + 16, 4), (PATH + 21, 3), (PATH, 0)])
    if isinstance(codec, IovecsCodec):
        return pair([(IOVS, 1), (IOVS, 2), (IOVS + 8, 1), (IOVS, 0)])
    if isinstance(codec, SliceCodec):
        return pair([(BUF, 16), (BUF, 1), (OUT, 300), (BUF, 0)])
    if isinstance(codec, PointerCodec):
        return st.tuples(likely([SUBS, OUT], i32()))
    if isinstance(codec, ScalarCodec) and codec.witx == "fd":
        return st.tuples(likely([3, 3, 3, 4, 4, 5, 6, 0, 1, 2, 7], i32()))
    if isinstance(codec, ScalarCodec) and codec.witx == "size":  # counts: nsubscriptions...
        return st.tuples(likely([1, 2, 0], i32()))
    if codec.wasm == ("i64",):  # offsets, sizes, timestamps, rights: small, and past 2**63
        return st.tuples(likely([0, 1, 16, 4096, 2**62, 2**63 - 1, -1, -(2**63)], i64()))
    return st.tuples(likely([0, 0, 1, 2, 3, 4, 8, 0x10, 0x1F], i32()))


def fresh_sandbox(box: Path) -> None:
    """The sandbox as every example starts with it (the examples before may have changed it all)."""
    if box.exists():
        shutil.rmtree(box)
    box.mkdir()
    (box / "file.txt").write_bytes(b"0123456789")
    (box / "dir").mkdir()
    (box / "link").symlink_to("../outside/secret.txt")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("fuzz")
    box, outside = root / "box", root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    fds_before = sorted(host_fds())
    yield box, outside
    assert sorted(host_fds()) == fds_before  # every context closed what it opened
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_bytes() == b"secret"


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(sorted(SIGNATURES)), data=st.data(), seed=st.integers(0, 2**32 - 1), in_memory=st.booleans()
)
def test_hostile_arguments_give_an_errno_or_a_trap(
    world: tuple[Path, Path], name: str, data: st.DataObject, seed: int, in_memory: bool
) -> None:
    """``in_memory``: the sandbox is a MemoryFS copy of the box (the other backend), not the box."""
    box, _ = world
    fresh_sandbox(box)
    sc = NS["wasi_snapshot_preview1", name]
    args = [a for param, codec in sc.params for a in data.draw(role(codec), label=param)]
    args += [data.draw(likely([OUT, OUT + 64], i32()), label=result) for result, _ in sc.results]
    assert len(args) == len(SIGNATURES[name][0])
    if name == "fd_allocate":  # a real allocation on the host's disk: keep it small
        args[1], args[2] = args[1] & 0xFFFF, args[2] & 0xFFFF

    config = WasiConfig.deterministic(seed, stdin=b"input", stdout=CAPTURE, stderr=CAPTURE)
    config.preopens = [Preopen(MemoryFS.from_directory(box) if in_memory else box, "/box")]  # fd 3
    ctx = WasiContext(config)
    ours, peer = socket.socketpair()
    try:
        # fd 4: a file and fd 5: a directory, with every right they can have; fd 6: a connected,
        # non-blocking socket with bytes waiting (a blocking one could hang on an empty receive).
        for path, oflags, rights in (("file.txt", Oflags(0), EVERY), ("dir", Oflags.DIRECTORY, NO_WRITE)):
            opened = ctx.fds.get(3).open_at(
                path, follow=False, oflags=oflags, fdflags=Fdflags(0), base=rights, inheriting=EVERY
            )
            ctx.fds.insert(opened)
        ours.setblocking(False)
        peer.sendall(b"ping")
        ctx.fds.insert(SocketDescriptor(ours, owned=True))
        memory = bytearray(random.Random(seed).randbytes(MEMORY))
        for at, blob in LAYOUT.items():
            memory[at : at + len(blob)] = blob
        ctx.memory.bind(lambda: memory)
        raw = sc.bind(ctx, ctx.memory)
        try:
            result = raw(*args)
        except (GuestMemoryError, ProcExit, InvalidExitStatus):  # the last: proc_exit(126 and up)
            return
    finally:
        ctx.close()
        ours.close()
        peer.close()
    if name == "proc_exit":
        pytest.fail("proc_exit returned")
    assert isinstance(result, int) and 0 <= result <= ERRNO_MAX, (name, args, result)
