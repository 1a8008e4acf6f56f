"""What real toolchains send, answered as wasmtime answers (issue 10): guests in C and WAT.

Each guest checks its errnos itself (``tests/programs/c/compat.c`` states every one); the host side
prepares the files, then checks what must not have changed.
"""

from __future__ import annotations

import fcntl
import os
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import program, run_program
from pywasihost import MemoryLimits, Preopen, RunResult, WasiConfig
from pywasihost.engines import Engine
from pywasihost.engines.binary import START_EXPORT, defer_start

if TYPE_CHECKING:
    from fs_backends import Backend

pytest_plugins = ["fs_backends"]  # the backend fixture: host directories, then a MemoryFS


def _ok(result: RunResult) -> bytes:
    assert result.exit_code == 0, result.stderr
    assert result.stdout is not None and b"ok " in result.stdout, result.stdout
    return result.stdout


@pytest.fixture
def frozen(tmp_path: Path) -> Iterator[Path]:
    """A file the host process itself cannot open for writing: immutable (root, where the
    filesystem has the attribute) or mode 0444 (anyone else)."""
    path = tmp_path / "rw" / "frozen.txt"
    path.parent.mkdir()
    path.write_bytes(b"frozen\n")
    immutable = False
    if os.geteuid() == 0:
        immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
    else:
        path.chmod(0o444)
    with pytest.raises(PermissionError):  # the point of the fixture: a read-write open fails
        os.open(path, os.O_RDWR)
    yield path
    if immutable:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_open_mode_and_rights_as_toolchains_send_them(tmp_path: Path, frozen: Path, backend: Backend) -> None:
    """Go's read-only open (FD_FILESTAT_SET_SIZE and FD_ALLOCATE asked, not FD_WRITE) opens for
    reading on a read-only preopen and on a file the host cannot write; OFLAGS_DIRECTORY with those
    rights opens the directory; only FD_WRITE, CREAT and TRUNC are NOTCAPABLE on a read-only
    preopen; SEEK/TELL are not granted beyond the inheriting rights. The same on a MemoryFS copy
    (where frozen.txt is an ordinary file: the rights alone make the open read-only)."""
    ro, rw = tmp_path / "ro", frozen.parent
    ro.mkdir()
    (ro / "data.txt").write_bytes(b"hello\n")
    (rw / "dir").mkdir()
    (rw / "dir" / "inner.txt").write_bytes(b"inner\n")
    preopens = [backend.preopen(ro, "/ro", readonly=True), backend.preopen(rw, "/rw")]
    _ok(run_program("c/compat", "rights", preopens=preopens))
    view = backend.view(ro)
    assert view.listdir() == ["data.txt"] and view.read_bytes("data.txt") == b"hello\n"
    assert backend.view(rw).read_bytes("frozen.txt") == b"frozen\n"
    backend.check_disk_untouched()


def test_trailing_slashes_do_not_reach_through_symlinks(tmp_path: Path, backend: Backend) -> None:
    """rmdir("link/") and rename("link/", "x") are NOTDIR, mkdir("dl/") on a dangling link EXIST
    (Linux and wasmtime), link("file", "link/") NOENT, mkdir("file/") EXIST, open("file/", CREAT)
    ISDIR: nothing is removed, renamed or created through the links."""
    box = tmp_path / "box"
    box.mkdir()
    (box / "dir").mkdir()
    (box / "dir" / "keep").write_bytes(b"keep")
    (box / "link").symlink_to("dir")
    (box / "dl").symlink_to("newdir")
    (box / "file").write_bytes(b"file\n")
    _ok(run_program("c/compat", "slash", preopens=[backend.preopen(box, "/box")]))
    view = backend.view(box)
    assert sorted(view.listdir()) == ["dir", "dl", "file", "link"]
    assert view.read_bytes("dir/keep") == b"keep" and view.readlink("link") == "dir"
    assert view.readlink("dl") == "newdir" and view.read_bytes("file") == b"file\n"
    backend.check_disk_untouched()


def test_readlink_never_reveals_a_host_path(tmp_path: Path, backend: Backend) -> None:
    """A symlink the host placed with an absolute target: PERM (cap-std's escape_attempt, which
    wasmtime reports as PERM), and no byte of the target in the guest's buffer. On a MemoryFS the
    host API places it (copied from the disk), and the guest's readlink refuses it the same way."""
    (tmp_path / "abs").symlink_to("/etc/passwd")
    (tmp_path / "rel").symlink_to("file")
    _ok(run_program("c/compat", "readlink", preopens=[backend.preopen(tmp_path, "/d")]))
    assert backend.view(tmp_path).readlink("abs") == "/etc/passwd"  # the host still sees it


def test_timestamps_before_1970_saturate_to_0(tmp_path: Path, backend: Backend) -> None:
    """A host file from 1960: stat succeeds with the times at 0 (no "argument out of range" trap);
    copied into a MemoryFS, its times are 0 there too."""
    old = tmp_path / "old.txt"
    old.write_bytes(b"1960")
    ten_years = 10 * 365 * 86400 * 10**9
    os.utime(old, ns=(-ten_years, -ten_years))
    assert old.stat().st_mtime_ns < 0
    _ok(run_program("c/compat", "oldtime", preopens=[backend.preopen(tmp_path, "/d")]))


def test_deterministic_clocks_saturate_instead_of_overflowing() -> None:
    """poll_oneoff with a relative timeout of 2**64-1, then clock reads: the deterministic clocks
    stop at the largest timestamp (no struct.error, no failure)."""
    config = WasiConfig.deterministic(seed=1)
    out = _ok(run_program("c/compat", "det", clocks=config.clocks, random=config.random))
    assert f"monotonic {2**64 - 1}\n".encode() in out


def test_a_reused_deterministic_config_repeats_the_run() -> None:
    """Clocks and random state are per run: the same WasiConfig.deterministic(seed=1) run twice
    gives the same bytes (the README's promise)."""
    config = WasiConfig.deterministic(seed=1)  # its clocks and random source, used by both runs
    first = run_program("c/determinism", clocks=config.clocks, random=config.random, stdin=b"same input")
    second = run_program("c/determinism", clocks=config.clocks, random=config.random, stdin=b"same input")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout and first.stdout == second.stdout


def test_nonblock_on_inherited_stdin_is_applied_without_touching_the_host_fd() -> None:
    """stdin is an empty pipe the run does not own: after NONBLOCK, fd_read is AGAIN at once (it
    used to block); the host's own O_NONBLOCK flag on that fd never changes."""
    r, w = os.pipe()
    late = threading.Timer(3.0, os.write, (w, b"late"))  # a host that blocks gets these bytes
    late.start()
    try:
        flags_before = fcntl.fcntl(r, fcntl.F_GETFL)
        _ok(run_program("c/compat", "nonblock", stdin=r))
        assert fcntl.fcntl(r, fcntl.F_GETFL) == flags_before
        assert not flags_before & os.O_NONBLOCK
    finally:
        late.cancel()
        late.join()
        os.close(r)
        os.close(w)


def test_sock_accept_with_a_full_table_leaves_the_client_queued() -> None:
    """MFILE before anything is accepted: the same client is accepted once there is room."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with socket.create_connection(listener.getsockname()) as client:
            client.sendall(b"ping")
            result = run_program("c/compat", "accept", sockets=[listener], limits=MemoryLimits(max_fds=4))
            _ok(result)


# -- start sections ---------------------------------------------------------------------------------


def test_start_function_calling_wasi_sees_memory() -> None:
    result = run_program("wat/start_write")
    assert result.exit_code == 0
    assert result.stdout == b"from start\nfrom _start\n"


def test_proc_exit_in_start_function_ends_the_run_with_its_code() -> None:
    result = run_program("wat/start_exit")
    assert result.exit_code == 5 and result.stdout == b""


def test_proc_exit_in_start_function_on_the_command_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pywasihost", "run", str(program("wat/start_exit"))], capture_output=True, timeout=60
    )
    assert proc.returncode == 5
    assert proc.stdout == b"" and proc.stderr == b""


def test_the_deferred_start_function_is_not_an_export() -> None:
    from pywasihost import describe_module

    info = describe_module(program("wat/start_write").read_bytes())
    assert [e.name for e in info.exports if e.kind == "function"] == ["_start"]


def _module(*sections: tuple[int, bytes]) -> bytes:
    return b"\0asm\1\0\0\0" + b"".join(bytes([sid, len(body)]) + body for sid, body in sections)


# One function () -> () that does nothing: type, function and code sections.
_TYPE, _FUNC, _CODE = (1, b"\x01\x60\x00\x00"), (3, b"\x01\x00"), (10, b"\x01\x02\x00\x0b")


def test_defer_start_rewrites_only_what_it_must(engine: Engine) -> None:
    """No export section: one is added where the start section was; an export already named like
    the deferred start gets a suffix; a module without a start section is left as it is."""
    plain = _module(_TYPE, _FUNC, _CODE)
    assert defer_start(plain) == (plain, None)
    started = _module(_TYPE, _FUNC, (8, b"\x00"), _CODE)
    wasm, name = defer_start(started)
    assert name == START_EXPORT and wasm == _module(_TYPE, _FUNC, (7, b"\x01\x12" + name.encode() + b"\x00\x00"), _CODE)
    compiled = engine.compile(started)
    assert compiled.deferred_start == START_EXPORT and compiled.exports == []  # hidden from the exports
    taken = _module(_TYPE, _FUNC, (7, b"\x01\x12" + START_EXPORT.encode() + b"\x00\x00"), (8, b"\x00"), _CODE)
    assert defer_start(taken)[1] == START_EXPORT + "_"
    compiled = engine.compile(taken)
    assert compiled.deferred_start == START_EXPORT + "_"
    assert [e.name for e in compiled.exports] == [START_EXPORT]
    assert defer_start(b"not wasm") == (b"not wasm", None)


@pytest.mark.parametrize("status", ["126", "256", "-1"])
def test_exit_status_outside_0_to_125_on_the_command_line(status: str) -> None:
    """As wasmtime: an error in one line and exit code 1 (proc_exit(256) used to exit 0)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pywasihost", "run", str(program("c/exit_code")), status],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and "exit with invalid exit status outside of [0..126)" in lines[0]


# -- bounds -----------------------------------------------------------------------------------------


def test_aliasing_iovecs_cannot_multiply_host_memory() -> None:
    """1024 iovecs at the same 1 MiB written to CAPTURE: one call handles at most max_io_bytes
    (16 MiB by default; a short write, which the guest sees in nwritten), not 1 GiB."""
    result = run_program("wat/alias_iovecs")
    assert result.exit_code == 0 and result.stdout is not None and result.stderr is not None
    (nwritten,) = struct.unpack("<I", result.stderr)
    assert nwritten == len(result.stdout) == MemoryLimits().max_io_bytes == 16 << 20
    small = run_program("wat/alias_iovecs", limits=MemoryLimits(max_io_bytes=3 << 20))
    assert small.stderr == struct.pack("<I", 3 << 20) and small.stdout is not None
    assert len(small.stdout) == 3 << 20


def test_poll_serves_10000_subscriptions(tmp_path: Path) -> None:
    """wasmtime serves 10,000 clock subscriptions in one poll_oneoff; so does the default bound."""
    result = run_program("c/limits", "poll", "10000", preopens=[Preopen(tmp_path, "/d")])
    assert result.stdout == b"poll 10000 errno 0 nevents 10000\n"
