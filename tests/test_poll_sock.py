"""poll_oneoff, the sock_* functions and proc_raise, run end to end by the guests
tests/programs/c/poll.c, sock.c and raise.c (each checks the behaviour from inside the guest)."""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import pywasihost
from conftest import compiled, run_program
from pywasihost import CAPTURE, Preopen, RunResult, WasiConfig
from pywasihost.engines import Engine
from sandbox_watch import host_fds

HOUR_NS = 3600 * 10**9


def _ok(result: RunResult) -> int:
    """Assert a clean run ending with "ok N checks"; return N."""
    assert result.exit_code == 0, result.stderr
    assert result.stderr == b""
    lines = (result.stdout or b"").decode().splitlines()
    match = re.fullmatch(r"ok (\d+) checks", lines[-1])
    assert match, result.stdout
    return int(match.group(1))


# -- poll_oneoff -----------------------------------------------------------------------------------


def test_poll_clocks_files_stdio_and_errors(tmp_path: Path) -> None:
    data = bytes(range(100))
    (tmp_path / "data.txt").write_bytes(data)
    before = set(os.listdir(tmp_path.parent))
    result = run_program("c/poll", "main", stdin=b"hello stdin\n", preopens=[Preopen(tmp_path, "/sandbox")])
    assert _ok(result) >= 150
    out = (result.stdout or b"").decode().splitlines()
    # CPU-time clock subscriptions: a CLOCK event, or INVAL as wasmtime answers; both clocks alike.
    assert out[0] in ("cputime process=0 thread=0", "cputime process=28 thread=28")
    # The guest wrote out.txt through the poll-ready fd, and touched nothing else.
    assert (tmp_path / "out.txt").read_bytes() == b"written by poll\n"
    assert (tmp_path / "data.txt").read_bytes() == data
    assert sorted(os.listdir(tmp_path)) == ["data.txt", "out.txt"]
    assert set(os.listdir(tmp_path.parent)) == before


def test_poll_pipe_with_data_then_empty(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"pipe data\n")
        result = run_program("c/poll", "pipe", stdin=read_end)
        # The run does not close the caller's descriptor.
        os.fstat(read_end)
        os.write(write_end, b"x")
        assert os.read(read_end, 10) == b"x"
    finally:
        os.close(read_end)
        os.close(write_end)
    assert _ok(result) >= 10


def test_poll_pipe_at_end_of_input(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"pipe data\n")
    os.close(write_end)
    try:
        result = run_program("c/poll", "eof", stdin=read_end)
    finally:
        os.close(read_end)
    assert _ok(result) >= 10


def test_poll_deterministic_clocks_jump_instead_of_sleeping(engine: Engine) -> None:
    outputs = []
    for _ in range(2):
        config = WasiConfig.deterministic(seed=1, args=["poll.wasm", "det"], stdin=b"", stdout=CAPTURE, stderr=CAPTURE)
        result = pywasihost.run(compiled("c/poll"), config, engine=engine)
        _ok(result)
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]  # the clock readings are reproducible
    first = (outputs[0] or b"").decode().splitlines()[0]
    values = {key: int(value) for key, value in (item.split("=") for item in first.split())}
    assert values["mono1"] - values["mono0"] >= HOUR_NS
    assert values["real1"] - values["real0"] >= HOUR_NS


# -- sockets ---------------------------------------------------------------------------------------


class Peer(threading.Thread):
    """The other end of the guest's connection: the protocol described in sock.c."""

    def __init__(self, family: socket.AddressFamily, address: str | tuple[str, int]) -> None:
        super().__init__(daemon=True)
        self.family, self.address = family, address
        self.received = b""
        self.after_shutdown = b"unset"
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with socket.socket(self.family, socket.SOCK_STREAM) as s:
                s.settimeout(30)
                s.connect(self.address)
                s.sendall(b"ping")
                while len(self.received) < 17:
                    chunk = s.recv(64)
                    if not chunk:
                        break
                    self.received += chunk
                s.sendall(b"more")
                rest = b""
                while chunk := s.recv(64):
                    rest += chunk
                self.after_shutdown = rest  # b"": the guest's shutdown(WR) gave end of stream
                s.sendall(b"last")
        except BaseException as exc:  # reported by the test
            self.error = exc


@pytest.fixture
def stdin_file(tmp_path: Path) -> Iterator[int]:
    path = tmp_path / "stdin.txt"
    path.write_bytes(b"a regular file\n")
    fd = os.open(path, os.O_RDONLY)
    yield fd
    os.close(fd)


def _run_sock(listener: socket.socket, stdin_fd: int, address: str | tuple[str, int]) -> None:
    peer = Peer(listener.family, address)
    before = set(host_fds())
    peer.start()
    result = run_program("c/sock", sockets=[listener], stdin=stdin_fd)
    peer.join(30)
    assert not peer.is_alive()
    assert set(host_fds()) == before  # the accepted connection was closed
    assert _ok(result) >= 40
    assert peer.error is None, peer.error
    assert peer.received == b"pongvia fd_write\n"
    assert peer.after_shutdown == b""
    # The caller's listener is still open, still blocking, and still accepts.
    assert listener.fileno() != -1
    assert listener.gettimeout() is None
    with socket.socket(listener.family, socket.SOCK_STREAM) as client:
        client.settimeout(10)
        client.connect(address)
        conn, _ = listener.accept()
        with conn:
            client.sendall(b"still here")
            assert conn.recv(64) == b"still here"


def test_sockets_tcp(stdin_file: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        _run_sock(listener, stdin_file, listener.getsockname())


def test_sockets_unix_domain(stdin_file: int, tmp_path: Path) -> None:
    path = str(tmp_path / "guest.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(path)
        listener.listen(4)
        _run_sock(listener, stdin_file, path)


# -- proc_raise ------------------------------------------------------------------------------------


def test_raise_ignored_signals_return_and_invalid_ones_are_inval() -> None:
    assert _ok(run_program("c/raise")) == 7


@pytest.mark.parametrize("sig", [1, 2, 9, 15])  # HUP, INT, KILL, TERM: same numbers on Linux
def test_raise_terminating_signal_ends_the_run(sig: int) -> None:
    result = run_program("c/raise", str(sig))
    assert result.exit_code == 128 + sig
    assert result.stdout == f"raising {sig}\n".encode()  # nothing after proc_raise
    assert result.stderr == b""


def test_raise_term_gives_143_and_the_host_carries_on() -> None:
    assert run_program("c/raise", "15").exit_code == 143
    assert run_program("c/raise").exit_code == 0
