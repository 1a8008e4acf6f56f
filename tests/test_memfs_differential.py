"""The memory backend answers as the host backend does, errno for errno: random sequences of path
operations, drawn by hypothesis, applied to a host directory and to a MemoryFS copy of it through the
Descriptor interface the syscalls use; every outcome compared, then the two trees.

The resolver's own rules (symlink limit, absolute paths and targets, ``..`` above the base, trailing
slashes) are exercised by the paths drawn; test_resolve.py checks the host resolver against the
kernel, this checks the memory walk against the host resolver.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pywasihost import Descriptor, Errno, Fdflags, MemoryFS, Oflags, Rights
from pywasihost.errors import WasiError, errno_from_oserror
from pywasihost.fs.host import HostDirectory

# Weighted towards names that exist or can be made, so that most operations get past the walk.
COMPONENTS = [
    "a",
    "a",
    "a",
    "b",
    "b",
    "f",
    "f",
    "f",
    "ln",
    "lf",
    "new",
    "new",
    "x",
    "..",
    ".",
    "",
    "loop",
    "esc",
    "abs",
]
TARGETS = ["a", "f", "../outside", "ln/f", "new", ".", "..", "a/", "/abs", "loop", "missing/x"]


def build(root: Path) -> Path:
    """box/{a/{f}, b/, f, ln -> a, lf -> f, loop -> loop, esc -> ../outside, abs -> /tmp} and outside/."""
    box = root / "box"
    (box / "a").mkdir(parents=True)
    (box / "b").mkdir()
    (box / "a" / "f").write_bytes(b"in a")
    (box / "f").write_bytes(b"top")
    (root / "outside").mkdir()
    (root / "outside" / "secret").write_bytes(b"secret")
    for name, target in {"ln": "a", "lf": "f", "loop": "loop", "esc": "../outside", "abs": "/tmp"}.items():
        (box / name).symlink_to(target)
    return box


paths = st.builds(
    lambda parts, slash: "/".join(parts) + ("/" if slash else ""),
    st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=3),
    st.sampled_from([False, False, False, True]),
)
OFLAGS = [0, Oflags.CREAT, Oflags.CREAT | Oflags.EXCL, Oflags.DIRECTORY, Oflags.TRUNC, Oflags.CREAT | Oflags.TRUNC]
_SEEK = Rights.FD_SEEK | Rights.FD_TELL
_SIZE = Rights.FD_FILESTAT_SET_SIZE | Rights.FD_ALLOCATE  # they need a file open for writing
RIGHTS = [
    Rights.FD_READ,
    Rights.FD_READ | Rights.FD_WRITE,
    Rights.FD_READDIR,
    Rights(0),
    Rights.FD_READ | _SEEK | _SIZE,  # Go's read-only open: SET_SIZE and ALLOCATE dropped, not refused
    Rights.FD_WRITE | _SEEK | _SIZE,
]

Op = Callable[[Descriptor], object]


def _open(path: str, follow: bool, oflags: Oflags, rights: Rights) -> Op:
    def op(d: Descriptor) -> object:
        new = d.open_at(path, follow=follow, oflags=oflags, fdflags=Fdflags(0), base=rights, inheriting=Rights(0))
        try:
            return (new.filetype, int(new.rights_base), new.filestat().size if new.filetype != 3 else None)
        finally:
            new.close()

    return op


def _stat(path: str, follow: bool) -> Op:
    def op(d: Descriptor) -> object:
        s = d.stat_at(path, follow=follow)
        return (s.filetype, s.nlink, s.size if s.filetype != 3 else None)

    return op


ops = st.one_of(
    st.builds(_open, paths, st.booleans(), st.sampled_from(OFLAGS), st.sampled_from(RIGHTS)),
    st.builds(_stat, paths, st.booleans()),
    st.builds(lambda p: lambda d: d.create_directory(p), paths),
    st.builds(lambda p: lambda d: d.unlink_file(p), paths),
    st.builds(lambda p: lambda d: d.remove_directory(p), paths),
    st.builds(lambda p: lambda d: d.readlink(p), paths),
    st.builds(lambda t, p: lambda d: d.symlink(t, p), st.sampled_from(TARGETS), paths),
    st.builds(lambda a, b, f: lambda d: d.link(a, d, b, follow=f), paths, paths, st.booleans()),
    st.builds(lambda a, b: lambda d: d.rename(a, d, b), paths, paths),
)


def outcome(op: Op, d: Descriptor) -> object:
    """What the guest would see: the result, or the errno (an OSError becomes one, as in the namespace)."""
    try:
        return op(d)
    except WasiError as exc:
        return exc.errno
    except OSError as exc:
        return errno_from_oserror(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=st.lists(ops, min_size=1, max_size=25), readonly=st.sampled_from([False, False, False, True]))
def test_the_memory_backend_answers_as_the_host_backend(sequence: list[Op], readonly: bool) -> None:
    from fs_backends import HostView, MemoryView  # here: fs_backends is a plugin, loaded first by pytest

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        box = build(root)
        fs = MemoryFS.from_directory(root)
        host = HostDirectory.open_preopen(box, "/box", readonly=readonly)
        memory = fs.subdir("box").open_root("/box", readonly=readonly)
        try:
            for i, op in enumerate(sequence):
                expected, got = outcome(op, host), outcome(op, memory)
                assert got == expected, f"operation {i}: host {expected!r}, memory {got!r}"
            assert MemoryView(fs.subdir("box")).tree() == HostView(box).tree()
            assert MemoryView(fs.subdir("outside")).tree() == {"secret": ("file", b"secret")}
            assert HostView(root / "outside").tree() == {"secret": ("file", b"secret")}
        finally:
            host.close()
            memory.close()
        assert fs.open_descriptors == 0


@pytest.mark.parametrize("length", [39, 40, 41])
def test_symlink_chains_at_the_limit(length: int, tmp_path: Path) -> None:
    """c0 -> c1 -> ... -> file and k0 -> ... -> a used as a directory: 40 expansions pass, 41 are LOOP."""
    box = build(tmp_path)
    for prefix, end in (("c", "f"), ("k", "a")):
        for i in range(length):
            (box / f"{prefix}{i}").symlink_to(f"{prefix}{i + 1}" if i + 1 < length else end)
    fs = MemoryFS.from_directory(box)
    host, memory = HostDirectory.open_preopen(box, "/"), fs.open_root("/")
    try:
        for op in (_stat("c0", True), _stat("k0/f", False), _open("c0", True, Oflags(0), Rights.FD_READ)):
            expected = outcome(op, host)
            assert outcome(op, memory) == expected
            assert (expected == Errno.LOOP) == (length > 40)
    finally:
        host.close()
        memory.close()
