"""The guest programs of tests/programs, run end to end under pywasihost."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

import pywasihost
from conftest import compiled, run_program
from pywasihost import CAPTURE, Errno, GuestMemoryError, InvalidExitStatus, Trap, WasiConfig
from sandbox_watch import host_fds


def test_hello_wasi_prints_and_exits_zero(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="pywasihost.trace"):
        result = run_program("hello_wasi/hello_wasi", trace=True)
    assert result.stdout == b"Hello WASI!"
    assert result.exit_code == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "pywasihost.trace"]
    assert len(lines) == 2
    assert lines[0].startswith("fd_write(fd=Fd(1), iovs=*guest 0x")
    assert lines[0].endswith("/1 b'Hello WASI!') -> result=(nwritten=11) -> errno=Success")
    assert lines[1] == "proc_exit(rval=Exitcode(0))"


def test_trace_is_off_by_default(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="pywasihost.trace"):
        result = run_program("hello_wasi/hello_wasi")
    assert result.stdout == b"Hello WASI!"
    assert not [r for r in caplog.records if r.name == "pywasihost.trace"]


def test_trace_names_errno_and_meaning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="pywasihost.trace"):
        run_program("wat/bad_clock", trace=True)
    lines = [r.getMessage() for r in caplog.records if r.name == "pywasihost.trace"]
    assert lines[0] == "clock_time_get(id=Clockid(7?), precision=Timestamp(0)) -> errno=Inval (Invalid argument.)"


def test_args_and_environ_are_utf8_byte_counts() -> None:
    result = run_program("c/args_env", "héllo", "a b", env={"K": "V", "ключ": "значение"})
    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout
        == (
            "argc=3\nargv[0]=args_env.wasm\nargv[1]=héllo\nargv[2]=a b\n"
            "environ=K=V\nenviron=ключ=значение\nargs_buf=25 environ_buf=30\n"
        ).encode()
    )


def test_inherit_env_passes_the_host_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYWASIHOST_TEST_VAR", "from-host")
    result = run_program("c/args_env", inherit_env=True, env={"EXTRA": "1"})
    assert b"environ=PYWASIHOST_TEST_VAR=from-host\n" in (result.stdout or b"")
    assert (result.stdout or b"").count(b"environ=EXTRA=1\n") == 1


def test_clocks_resolutions_and_invalid_ids() -> None:
    result = run_program("c/clock")
    assert result.exit_code == 0, result.stderr
    out = (result.stdout or b"").decode().splitlines()
    assert [line.split(" res=")[0] for line in out[:4]] == ["clock 0", "clock 1", "clock 2", "clock 3"]
    assert out[-1] == "ok"


def test_deterministic_clocks_are_reproducible() -> None:
    first = run_program("c/clock", clocks=pywasihost.DeterministicClocks(step=7))
    second = run_program("c/clock", clocks=pywasihost.DeterministicClocks(step=7))
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    assert b"clock 1 res=7\n" in (first.stdout or b"")


def test_random_fills_buffers_and_seeded_runs_repeat() -> None:
    real = run_program("c/random")
    assert real.exit_code == 0, real.stderr
    seeded = [run_program("c/random", random=pywasihost.SeededRandom(42)) for _ in range(2)]
    assert seeded[0].exit_code == 0
    assert seeded[0].stdout == seeded[1].stdout
    assert seeded[0].stdout != run_program("c/random", random=pywasihost.SeededRandom(43)).stdout


def test_stdio_stdin_bytes_capture_and_isatty() -> None:
    result = run_program("c/stdio", stdin=b"hello\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == b"err:6\n"
    # Captured streams are not terminals: isatty() is 0, and with no preopens fd 3 is BADF.
    assert result.stdout == (b"HELLO\nisatty0=0\nisatty1=0\nisatty2=0\nfdstat0=0\nfdstat1=0\nfdstat2=0\nprestat3=8\n")


def test_stdin_from_a_binary_stream_and_output_to_a_callback() -> None:
    import io

    chunks: list[bytes] = []
    result = run_program("c/stdio", stdin=io.BytesIO(b"abc" * 50_000), stdout=chunks.append)
    assert result.exit_code == 0
    assert b"".join(chunks).startswith(b"ABC" * 50_000)
    assert result.stderr == b"err:150000\n"


def test_stdio_on_a_host_tty_reports_a_character_device() -> None:
    import pty

    main, secondary = pty.openpty()
    try:
        result = run_program("c/stdio", stdin=b"x", stdout=CAPTURE, stderr=secondary)
    finally:
        os.close(secondary)
        os.close(main)
    assert result.stdout is not None
    assert b"isatty2=1\n" in result.stdout and b"fdstat2=2\n" in result.stdout


@pytest.mark.parametrize("code", [0, 1, 7, 125])
def test_exit_code_is_returned(code: int) -> None:
    assert run_program("c/exit_code", str(code)).exit_code == code


@pytest.mark.parametrize("code", [126, 255, 256, 300, -1])
def test_exit_status_outside_0_to_125_is_an_error(code: int) -> None:
    """As wasmtime: proc_exit(126 and up) is an error of the guest, not an exit code (256 would
    report success to a shell). run() raises InvalidExitStatus, a Trap."""
    with pytest.raises(InvalidExitStatus, match=r"outside of \[0..126\)") as info:
        run_program("c/exit_code", str(code))
    assert info.value.status == code & 0xFFFFFFFF


def test_trap_raises_and_the_process_carries_on() -> None:
    with pytest.raises(Trap, match="unreachable"):
        run_program("c/trap")
    assert run_program("hello_wasi/hello_wasi").stdout == b"Hello WASI!"


@pytest.mark.parametrize("name", ["wat/oob_iovec", "wat/iovs_ptr_negative", "wat/huge_len", "wat/oob_result_ptr"])
def test_out_of_bounds_arguments_trap_cleanly(name: str) -> None:
    with pytest.raises(GuestMemoryError) as info:
        run_program(name)
    message = str(info.value)
    assert message.startswith(("fd_write: ", "args_sizes_get: "))
    assert "out of bounds" in message
    # The host survives, and a new instance runs normally.
    assert run_program("hello_wasi/hello_wasi").exit_code == 0


def test_oob_trap_names_the_address() -> None:
    with pytest.raises(GuestMemoryError) as info:
        run_program("wat/iovs_ptr_negative")
    assert info.value.address == 0xFFFFFFF0
    assert info.value.syscall == "fd_write"


def test_iovec_ending_exactly_at_memory_end_is_legal() -> None:
    result = run_program("wat/iovec_at_end")
    assert (result.exit_code, result.stdout) == (0, b"edge!\n")


def test_memory_grow_is_seen_by_the_host() -> None:
    result = run_program("wat/grow_then_write")
    assert (result.exit_code, result.stdout) == (0, b"grown\n")


def test_unknown_clock_is_einval() -> None:
    assert run_program("wat/bad_clock").exit_code == Errno.INVAL


def test_negative_looking_fd_is_unsigned_and_badf() -> None:
    assert run_program("wat/negative_fd").exit_code == Errno.BADF


def test_instances_do_not_share_descriptors() -> None:
    a = pywasihost.WasiInstance(compiled("c/stdio"), WasiConfig(stdout=CAPTURE))
    b = pywasihost.WasiInstance(compiled("c/stdio"), WasiConfig(stdout=CAPTURE))
    a.context.fds.close(1)
    assert 1 not in a.context.fds and 1 in b.context.fds


def test_null_stdio_reads_nothing_and_discards_output() -> None:
    result = run_program("c/stdio", stdin=pywasihost.Stdio.NULL, stdout=pywasihost.Stdio.NULL)
    assert result.exit_code == 0
    assert result.stdout is None  # nothing was captured: the output went nowhere
    assert result.stderr == b"err:0\n"


def test_stdio_from_and_to_files_given_by_path(tmp_path: Path) -> None:
    src, out, err = tmp_path / "in.txt", tmp_path / "out.txt", tmp_path / "err.txt"
    src.write_bytes(b"from a path\n")
    out.write_bytes(b"old contents that must go away")
    before = len(host_fds())
    result = run_program("c/stdio", stdin=src, stdout=out, stderr=err)
    assert result.exit_code == 0 and result.stdout is None
    assert out.read_bytes().startswith(b"FROM A PATH\n") and err.read_bytes() == b"err:12\n"
    assert len(host_fds()) == before  # the run closed the files it opened
