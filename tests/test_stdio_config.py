"""Every way WasiConfig can wire stdin, stdout and stderr, and reproducible runs with
WasiConfig.deterministic(). The guests are tests/programs/c/stdio.c (echoes stdin in upper case,
reports what it sees of fds 0-2) and tests/programs/c/determinism.c."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import pywasihost
from conftest import compiled, run_program
from pywasihost import CAPTURE, RunResult, SeededRandom, Stdio, WasiConfig, WasiContext
from pywasihost.engines import Engine

REGULAR_FILE = 4

# What c/stdio prints after the echo when no fd is a terminal and there are no preopens.
ISATTY = b"isatty0=0\nisatty1=0\nisatty2=0\n"


def _lines(data: bytes | None) -> list[bytes]:
    assert data is not None
    return data.splitlines()


def _fdstat(out: bytes, fd: int) -> int:
    (line,) = [x for x in _lines(out) if x.startswith(b"fdstat%d=" % fd)]
    return int(line.split(b"=")[1])


# -- stdin -----------------------------------------------------------------------------------------


def test_stdin_from_bytes_stdout_and_stderr_captured() -> None:
    result = run_program("c/stdio", stdin=b"abc xyz\n\x00\xff")
    assert result.exit_code == 0, result.stderr
    assert result.stdout is not None
    assert result.stdout.startswith(b"ABC XYZ\n\x00\xff" + ISATTY)
    assert result.stdout.endswith(b"prestat3=8\n")
    assert result.stderr == b"err:10\n"


def test_stdin_from_a_host_fd_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(b"from a file\n" * 1000)
    fd = os.open(path, os.O_RDONLY)
    try:
        result = run_program("c/stdio", stdin=fd)
        # The run neither closed the caller's fd nor left it anywhere but at the end of the file.
        assert os.lseek(fd, 0, os.SEEK_CUR) == 12_000
    finally:
        os.close(fd)
    assert result.exit_code == 0, result.stderr
    assert result.stdout is not None
    assert result.stdout.startswith(b"FROM A FILE\n" * 1000 + ISATTY)
    assert _fdstat(result.stdout, 0) == REGULAR_FILE
    assert result.stderr == b"err:12000\n"
    assert path.read_bytes() == b"from a file\n" * 1000  # read, not modified


def test_stdin_from_a_binary_stream_is_read_to_its_end() -> None:
    stream = io.BytesIO(b"skipped|" + b"stream data " * 10_000)
    stream.seek(8)  # the guest reads from the stream's current position
    result = run_program("c/stdio", stdin=stream)
    assert result.exit_code == 0, result.stderr
    assert result.stdout is not None
    assert result.stdout.startswith(b"STREAM DATA " * 10_000 + ISATTY)
    assert result.stderr == b"err:120000\n"
    assert stream.read() == b""  # consumed, and not closed by the run
    assert not stream.closed


def test_stdin_null_is_empty() -> None:
    result = run_program("c/stdio", stdin=Stdio.NULL)
    assert result.exit_code == 0, result.stderr
    assert result.stdout is not None and result.stdout.startswith(ISATTY)
    assert result.stderr == b"err:0\n"


def test_stdin_cannot_be_captured() -> None:
    with pytest.raises(ValueError):
        run_program("c/stdio", stdin=CAPTURE)


# -- stdout and stderr -----------------------------------------------------------------------------


def test_stdout_and_stderr_to_host_fds_of_files(tmp_path: Path) -> None:
    out_path, err_path = tmp_path / "out.txt", tmp_path / "err.txt"
    out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(err_fd, b"before\n")
    try:
        result = run_program("c/stdio", stdin=b"to files\n", stdout=out_fd, stderr=err_fd)
        os.write(out_fd, b"the fd is still open\n")
    finally:
        os.close(out_fd)
        os.close(err_fd)
    assert result.exit_code == 0
    assert result.stdout is None and result.stderr is None  # nothing was captured
    out = out_path.read_bytes()
    assert out.startswith(b"TO FILES\n" + ISATTY)
    assert out.endswith(b"prestat3=8\nthe fd is still open\n")
    assert _fdstat(out, 1) == REGULAR_FILE and _fdstat(out, 2) == REGULAR_FILE
    assert err_path.read_bytes() == b"before\nerr:9\n"
    assert sorted(os.listdir(tmp_path)) == ["err.txt", "out.txt"]


def test_stdout_and_stderr_to_binary_streams() -> None:
    out, err = io.BytesIO(), io.BytesIO()
    result = run_program("c/stdio", stdin=b"streams\n", stdout=out, stderr=err)
    assert result.exit_code == 0
    assert result.stdout is None and result.stderr is None
    assert out.getvalue().startswith(b"STREAMS\n" + ISATTY)
    assert out.getvalue().endswith(b"prestat3=8\n")
    assert err.getvalue() == b"err:8\n"
    assert not out.closed and not err.closed


def test_stdout_and_stderr_to_callbacks() -> None:
    out: list[bytes] = []
    err: list[bytes] = []
    result = run_program("c/stdio", stdin=b"x" * 100_000, stdout=out.append, stderr=err.append)
    assert result.exit_code == 0
    assert result.stdout is None and result.stderr is None
    assert all(isinstance(chunk, bytes) and chunk for chunk in out)
    assert b"".join(out).startswith(b"X" * 100_000 + ISATTY)
    assert b"".join(err) == b"err:100000\n"


def test_stdout_and_stderr_to_null() -> None:
    result = run_program("c/stdio", stdin=b"discarded\n", stdout=Stdio.NULL, stderr=Stdio.NULL)
    assert result.exit_code == 0  # the guest's writes succeeded (it exits 1 on a failed write)
    assert result.stdout is None and result.stderr is None


def test_captured_stdout_and_stderr_are_kept_apart() -> None:
    result = run_program("c/stdio", stdin=b"apart\n", stdout=CAPTURE, stderr=CAPTURE)
    assert result.stdout is not None and b"err:" not in result.stdout
    assert result.stderr == b"err:6\n"


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def test_stdio_to_and_from_paths_opened_and_closed_by_the_run(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_bytes(b"by path\n")
    (tmp_path / "out.txt").write_bytes(b"old contents that must go away" * 10)
    before = _open_fds()
    result = run_program("c/stdio", stdin=tmp_path / "in.txt", stdout=tmp_path / "out.txt", stderr=tmp_path / "err.txt")
    assert _open_fds() == before  # the run closed the files it opened
    assert result.exit_code == 0
    assert result.stdout is None and result.stderr is None
    out = (tmp_path / "out.txt").read_bytes()
    assert out.startswith(b"BY PATH\n" + ISATTY)  # truncated, then written
    assert out.endswith(b"prestat3=8\n")
    assert _fdstat(out, 0) == _fdstat(out, 1) == REGULAR_FILE
    assert (tmp_path / "in.txt").read_bytes() == b"by path\n"
    assert (tmp_path / "err.txt").read_bytes() == b"err:8\n"
    assert sorted(os.listdir(tmp_path)) == ["err.txt", "in.txt", "out.txt"]


# -- reproducible runs -----------------------------------------------------------------------------


def _run_determinism(engine: Engine, seed: int, stdin: bytes) -> RunResult:
    config = WasiConfig.deterministic(seed=seed, args=["determinism.wasm"], stdin=stdin, stdout=CAPTURE, stderr=CAPTURE)
    return pywasihost.run(compiled("c/determinism"), config, engine=engine)


def test_deterministic_runs_repeat_byte_for_byte(engine: Engine) -> None:
    stdin = b"same input\x00\xfe"
    first = _run_determinism(engine, 7, stdin)
    second = _run_determinism(engine, 7, stdin)
    assert first.exit_code == 0, first.stderr
    assert first.stderr == b""
    assert first.stdout == second.stdout
    lines = _lines(first.stdout)
    assert [line.split(b" res=")[0] for line in lines[:4]] == [b"clock 0", b"clock 1", b"clock 2", b"clock 3"]
    # The random bytes are the seeded generator's, and stdin comes through unchanged.
    expected = bytearray(32)
    SeededRandom(7).fill(memoryview(expected))
    assert lines[4] == b"random=" + expected.hex().encode()
    assert first.stdout is not None and first.stdout.endswith(b"\nstdin=" + stdin + b"\n")


def test_a_different_seed_changes_only_the_random_bytes(engine: Engine) -> None:
    seven = _lines(_run_determinism(engine, 7, b"in").stdout)
    eight = _lines(_run_determinism(engine, 8, b"in").stdout)
    assert seven[4].startswith(b"random=") and eight[4].startswith(b"random=")
    assert seven[4] != eight[4]
    assert seven[:4] == eight[:4]  # the clocks do not depend on the seed
    assert seven[5:] == eight[5:] == [b"stdin=in"]


def test_real_runs_differ_in_random_bytes(engine: Engine) -> None:
    runs = [run_program("c/determinism").stdout for _ in range(2)]
    assert _lines(runs[0])[4] != _lines(runs[1])[4]


def test_a_failing_stdio_file_closes_what_was_already_opened(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(b"x")
    before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(FileNotFoundError):
        WasiContext(WasiConfig(stdin=src, stdout=tmp_path / "missing-dir" / "out.txt"))
    assert len(os.listdir("/proc/self/fd")) == before
