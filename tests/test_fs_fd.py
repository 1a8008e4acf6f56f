"""The fd_* functions on files in a preopened sandbox (guest programs c/fs_fd and c/fs_readdir), on
both backends: host directories, and a MemoryFS copy of them (see fs_backends.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import run_program

if TYPE_CHECKING:
    from fs_backends import Backend

pytest_plugins = ["fs_backends"]  # the backend fixture: host directories, then a MemoryFS

T_ATIM_NS = 1_600_000_000_123_456_789
T_MTIM_NS = 1_500_000_000_987_654_321


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """``tmp_path/sandbox`` (the preopen) next to ``tmp_path/outside`` (must stay untouched)."""
    box = tmp_path / "sandbox"
    box.mkdir()
    (box / "data.txt").write_bytes(b"0123456789")
    os.link(box / "data.txt", box / "hard.txt")
    (box / "append.txt").write_bytes(b"start:")
    (box / "flags.txt").write_bytes(b"hello")
    (box / "a.txt").write_bytes(b"AAAA")
    (box / "b.txt").write_bytes(b"BBBB")
    (box / "sub").mkdir()
    rd = box / "rd"
    rd.mkdir()
    (rd / "file").write_bytes(b"x")
    (rd / "sub").mkdir()
    (rd / "sym").symlink_to("file")
    (rd / "a-much-longer-name-for-an-entry.txt").write_bytes(b"")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    return box


def test_fd_functions_on_real_files(sandbox: Path, backend: Backend) -> None:
    preopen = backend.preopen(sandbox, "/sandbox")
    box, outside = backend.view(sandbox), backend.view(sandbox.parent / "outside")
    outside_before = outside.snapshot(include_top=False)
    data_ino = box.lstat("data.txt").ino
    result = run_program("c/fs_fd", "/sandbox", namespace=backend.namespace(), preopens=[preopen])
    assert result.stderr == b"", result.stderr
    assert result.exit_code == 0
    out = result.stdout or b""
    match = re.fullmatch(rb"fs_fd: fd_write to stdout\nfs_fd: ok (\d+) checks\n", out)
    assert match is not None, out
    assert int(match.group(1)) > 4000 + 300  # 2000 renumber cycles count 2 each

    # What the guest wrote, seen from the host.
    assert box.read_bytes("append.txt") == b"start:onetwo"
    assert box.read_bytes("flags.txt") == b"JelloX"
    assert box.read_bytes("rw.txt") == b"abXYefghZZ"
    assert box.read_bytes("iovec.txt") == b"abcde"
    assert box.read_bytes("sized.bin") == b"0123"
    assert box.read_bytes("alloc.bin") == b"0123456789" + bytes(90)
    times = box.lstat("times.txt")
    assert times.atime_ns == T_ATIM_NS
    assert times.mtime_ns > T_MTIM_NS  # MTIM_NOW at the end: later than the fixed value

    # Read-only inputs unchanged; nothing else created; nothing outside touched.
    assert box.read_bytes("data.txt") == b"0123456789"
    assert box.lstat("data.txt").ino == data_ino
    assert box.lstat("data.txt").nlink == 2
    assert box.read_bytes("a.txt") == b"AAAA"
    assert box.read_bytes("b.txt") == b"BBBB"
    assert box.listdir() == sorted(
        [
            "a.txt",
            "alloc.bin",
            "append.txt",
            "b.txt",
            "data.txt",
            "flags.txt",
            "hard.txt",
            "iovec.txt",
            "rd",
            "rw.txt",
            "sized.bin",
            "sub",
            "times.txt",
        ]
    )
    assert box.listdir("sub") == []
    assert outside.snapshot(include_top=False) == outside_before
    assert backend.view(sandbox.parent).listdir() == ["outside", "sandbox"]
    backend.check_disk_untouched()


def test_fd_prestat_name_follows_the_preopen_name(sandbox: Path, backend: Backend) -> None:
    """The same program with another guest name: fd_prestat_get reports that name's length."""
    preopen = backend.preopen(sandbox, "/d")
    result = run_program("c/fs_fd", "/d", namespace=backend.namespace(), preopens=[preopen])
    assert result.stderr == b"", result.stderr
    assert result.exit_code == 0
    assert backend.view(sandbox).read_bytes("append.txt") == b"start:onetwo"
    backend.check_disk_untouched()


def test_fd_readdir_entries_cookies_and_truncation(sandbox: Path, backend: Backend) -> None:
    preopen = backend.preopen(sandbox, "/sandbox")
    box = backend.view(sandbox)
    before = box.snapshot(include_top=False)
    result = run_program("c/fs_readdir", preopens=[preopen])
    assert result.stderr == b"", result.stderr
    assert result.exit_code == 0
    lines = (result.stdout or b"").decode().splitlines()
    match = re.fullmatch(r"fs_readdir: ok (\d+) checks", lines[0])
    assert match is not None, lines
    assert int(match.group(1)) > 200
    # filetype 3 = directory, 4 = regular file, 7 = symbolic link
    assert sorted(lines[1:]) == sorted(
        [
            "entry 3 .",
            "entry 3 ..",
            "entry 4 file",
            "entry 3 sub",
            "entry 7 sym",
            "entry 4 a-much-longer-name-for-an-entry.txt",
        ]
    )
    assert box.snapshot(include_top=False) == before  # reading a directory changes nothing
    backend.check_disk_untouched()
