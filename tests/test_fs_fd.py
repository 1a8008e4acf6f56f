"""The fd_* functions on real files in a preopened sandbox (guest programs c/fs_fd and c/fs_readdir)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import run_program
from pywasihost import Preopen
from sandbox_watch import fd_count_namespace, snapshot

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


def test_fd_functions_on_real_files(sandbox: Path) -> None:
    outside_before = snapshot(sandbox.parent / "outside", include_top=False)
    data_ino = (sandbox / "data.txt").stat().st_ino
    result = run_program("c/fs_fd", "/sandbox", namespace=fd_count_namespace(), preopens=[Preopen(sandbox, "/sandbox")])
    assert result.stderr == b"", result.stderr
    assert result.exit_code == 0
    out = result.stdout or b""
    match = re.fullmatch(rb"fs_fd: fd_write to stdout\nfs_fd: ok (\d+) checks\n", out)
    assert match is not None, out
    assert int(match.group(1)) > 4000 + 300  # 2000 renumber cycles count 2 each

    # What the guest wrote, seen from the host.
    assert (sandbox / "append.txt").read_bytes() == b"start:onetwo"
    assert (sandbox / "flags.txt").read_bytes() == b"JelloX"
    assert (sandbox / "rw.txt").read_bytes() == b"abXYefghZZ"
    assert (sandbox / "iovec.txt").read_bytes() == b"abcde"
    assert (sandbox / "sized.bin").read_bytes() == b"0123"
    assert (sandbox / "alloc.bin").read_bytes() == b"0123456789" + bytes(90)
    times = (sandbox / "times.txt").stat()
    assert times.st_atime_ns == T_ATIM_NS
    assert times.st_mtime_ns > T_MTIM_NS  # MTIM_NOW at the end: later than the fixed value

    # Read-only inputs unchanged; nothing else created; nothing outside touched.
    assert (sandbox / "data.txt").read_bytes() == b"0123456789"
    assert (sandbox / "data.txt").stat().st_ino == data_ino
    assert (sandbox / "data.txt").stat().st_nlink == 2
    assert (sandbox / "a.txt").read_bytes() == b"AAAA"
    assert (sandbox / "b.txt").read_bytes() == b"BBBB"
    assert sorted(p.name for p in sandbox.iterdir()) == sorted(
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
    assert list((sandbox / "sub").iterdir()) == []
    assert snapshot(sandbox.parent / "outside", include_top=False) == outside_before
    assert sorted(p.name for p in sandbox.parent.iterdir()) == ["outside", "sandbox"]


def test_fd_prestat_name_follows_the_preopen_name(sandbox: Path) -> None:
    """The same program with another guest name: fd_prestat_get reports that name's length."""
    result = run_program("c/fs_fd", "/d", namespace=fd_count_namespace(), preopens=[Preopen(sandbox, "/d")])
    assert result.stderr == b"", result.stderr
    assert result.exit_code == 0
    assert (sandbox / "append.txt").read_bytes() == b"start:onetwo"


def test_fd_readdir_entries_cookies_and_truncation(sandbox: Path) -> None:
    before = snapshot(sandbox, include_top=False)
    result = run_program("c/fs_readdir", preopens=[Preopen(sandbox, "/sandbox")])
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
    assert snapshot(sandbox, include_top=False) == before  # reading a directory changes nothing
