"""The command line, driven as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import program


def pywasihost(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pywasihost", *args], input=stdin, capture_output=True, timeout=60)


def test_run_hello_with_trace() -> None:
    proc = pywasihost("run", "--trace", str(program("hello_wasi/hello_wasi")))
    assert proc.returncode == 0
    assert proc.stdout == b"Hello WASI!"
    trace = proc.stderr.decode().splitlines()
    assert trace[0].startswith("fd_write(fd=Fd(1), iovs=*guest 0x") and trace[0].endswith("errno=Success")
    assert trace[1] == "proc_exit(rval=Exitcode(0))"


def test_guest_exit_code_and_args_become_the_process_s() -> None:
    assert pywasihost("run", str(program("c/exit_code")), "42").returncode == 42


def test_args_env_and_argv0() -> None:
    proc = pywasihost("run", "--env", "K=V", str(program("c/args_env")), "x y")
    assert proc.returncode == 0
    assert proc.stdout.decode().splitlines()[:4] == ["argc=2", "argv[0]=args_env.wasm", "argv[1]=x y", "environ=K=V"]


def test_stdin_passes_through() -> None:
    proc = pywasihost("run", str(program("c/stdio")), stdin=b"shout\n")
    assert proc.stdout.startswith(b"SHOUT\n") and proc.stderr == b"err:6\n"


def test_trap_prints_the_wasm_message_without_a_python_traceback() -> None:
    proc = pywasihost("run", str(program("c/trap")))
    assert proc.returncode == 134
    assert proc.stdout == b"before trap\n"
    err = proc.stderr.decode()
    assert "wasm trap: unreachable" in err and "Traceback" not in err


def test_missing_file_and_non_wasm_are_errors(tmp_path: Path) -> None:
    proc = pywasihost("run", str(tmp_path / "nope.wasm"))
    assert proc.returncode == 2 and b"cannot read" in proc.stderr
    junk = tmp_path / "junk.wasm"
    junk.write_bytes(b"not wasm at all")
    proc = pywasihost("run", str(junk))
    assert proc.returncode == 2 and b"not a valid WebAssembly module" in proc.stderr


def test_unresolved_import_is_named() -> None:
    proc = pywasihost("run", str(program("c/custom")))
    assert proc.returncode == 2
    assert b"unresolved imports: myhost.greet" in proc.stderr


def test_trace_switched_on_by_environment_variable() -> None:
    env = dict(os.environ, PYWASIHOST_TRACE="1")
    proc = subprocess.run(
        [sys.executable, "-m", "pywasihost", "run", str(program("c/exit_code")), "3"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 3
    assert b"proc_exit(rval=Exitcode(3))" in proc.stderr
    assert b"args_sizes_get() -> result=(argc=2, argv_buf_size=" in proc.stderr


def test_a_host_with_stdin_closed_still_runs_guests() -> None:
    # The guest's fd 0 is then simply not open (BADF), as it is for the host.
    proc = subprocess.run(
        [sys.executable, "-m", "pywasihost", "run", str(program("hello_wasi/hello_wasi"))],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        preexec_fn=lambda: os.close(0),
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"Hello WASI!", b"")
