"""The command line, driven as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sandbox_watch
from conftest import program


def pywasihost(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pywasihost", *args], input=stdin, capture_output=True, timeout=60)


def test_run_hello_with_trace() -> None:
    proc = pywasihost("run", "--trace", str(program("hello_wasi/hello_wasi")))
    assert proc.returncode == 0
    assert proc.stdout == b"Hello WASI!"
    trace = proc.stderr.decode().splitlines()
    assert trace[0].startswith("[1] fd_write(fd=Fd(1), iovs=*guest 0x") and trace[0].endswith("errno=Success")
    assert trace[1] == "[1] proc_exit(rval=Exitcode(0))"


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


# -- issue 4: the wasmtime-like flags, inspect, and errors --------------------------------------------

FSUTIL = str(program("c/fsutil"))
JOIN = str(program("c/join"))


def test_dir_maps_a_host_directory_under_a_guest_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"alpha\n")
    (tmp_path / "b.txt").write_bytes(b"beta\n")
    proc = pywasihost("run", "--dir", f"{tmp_path}::/data", FSUTIL, "cat", "/data/a.txt", "/data/b.txt")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"alpha\nbeta\n", b"")
    # HOST::/ maps the guest root; a plain HOST keeps its own name
    assert pywasihost("run", "--dir", f"{tmp_path}::/", FSUTIL, "ls", "/").stdout == b"a.txt\nb.txt\n"
    proc = pywasihost("run", "--dir", str(tmp_path), FSUTIL, "write", f"{tmp_path}/c.txt", "gamma")
    assert proc.returncode == 0 and (tmp_path / "c.txt").read_bytes() == b"gamma"
    # outside the mapped directory there is nothing
    proc = pywasihost("run", "--dir", f"{tmp_path}::/data", FSUTIL, "cat", "/etc/passwd")
    assert proc.returncode == 1 and proc.stdout == b""


def test_dir_ro_refuses_changes_and_still_reads(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"alpha\n")
    proc = pywasihost("run", "--dir-ro", f"{tmp_path}::/ro", FSUTIL, "write", "/ro/a.txt", "overwritten")
    assert proc.returncode == 1 and b"fsutil: /ro/a.txt: Capabilities insufficient" in proc.stderr
    proc = pywasihost("run", "--dir-ro", f"{tmp_path}::/ro", FSUTIL, "write", "/ro/new.txt", "x")
    assert proc.returncode == 1
    assert sorted(os.listdir(tmp_path)) == ["a.txt"] and (tmp_path / "a.txt").read_bytes() == b"alpha\n"
    assert pywasihost("run", "--dir-ro", f"{tmp_path}::/ro", FSUTIL, "cat", "/ro/a.txt").stdout == b"alpha\n"


def test_dir_mem_gives_the_guest_a_copy_in_memory(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"alpha\n")
    before = sandbox_watch.snapshot(tmp_path)
    proc = pywasihost("run", "--dir-mem", f"{tmp_path}::/work", FSUTIL, "cat", "/work/a.txt")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"alpha\n", b"")
    for args in (["write", "/work/a.txt", "changed"], ["write", "/work/new.txt", "new"]):
        proc = pywasihost("run", "--dir-mem", f"{tmp_path}::/work", FSUTIL, *args)
        assert (proc.returncode, proc.stderr) == (0, b"")  # the guest may change its copy...
    assert sandbox_watch.snapshot(tmp_path) == before  # ...and the disk never sees it
    # beside a host directory, which does see the guest's writes
    out = tmp_path.parent / "out"
    out.mkdir()
    proc = pywasihost(
        "run", "--dir-mem", f"{tmp_path}::/work", "--dir", f"{out}::/out", JOIN, "/out/j.txt", "/work/a.txt"
    )
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert (out / "j.txt").read_bytes() == b"== /work/a.txt (6 bytes) ==\nALPHA\n"
    proc = pywasihost("run", "--dir-mem", f"{tmp_path / 'missing'}::/work", FSUTIL, "ls", "/work")
    assert proc.returncode == 2 and b"is not a directory" in proc.stderr


def test_dirs_keep_their_order_on_the_command_line(tmp_path: Path) -> None:
    # wasi-libc picks the preopen with the longest matching prefix: both orders must work
    (tmp_path / "outer").mkdir()
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "f").write_bytes(b"inner\n")
    for flags in (
        ["--dir-ro", f"{tmp_path / 'outer'}::/", "--dir", f"{tmp_path / 'inner'}::/in"],
        ["--dir", f"{tmp_path / 'inner'}::/in", "--dir-ro", f"{tmp_path / 'outer'}::/"],
    ):
        assert pywasihost("run", *flags, FSUTIL, "cat", "/in/f").stdout == b"inner\n"
        assert pywasihost("run", *flags, FSUTIL, "write", "/in/g", "ok").returncode == 0


def test_env_forms_inherit_env_and_argv0() -> None:
    env = dict(os.environ, PWH_ONE="1", PWH_TWO="2")
    cmd = [sys.executable, "-m", "pywasihost", "run"]
    out = subprocess.run(
        [*cmd, "--env", "PWH_ONE", "--env", "X=y=z", "--argv0", "tool", ARGS_ENV, "a"],
        capture_output=True,
        env=env,
        timeout=60,
    ).stdout.decode()
    assert out.splitlines()[:5] == ["argc=2", "argv[0]=tool", "argv[1]=a", "environ=PWH_ONE=1", "environ=X=y=z"]
    assert "PWH_TWO" not in out
    out = subprocess.run([*cmd, "--inherit-env", ARGS_ENV], capture_output=True, env=env, timeout=60).stdout.decode()
    assert "environ=PWH_ONE=1\n" in out and "environ=PWH_TWO=2\n" in out


ARGS_ENV = str(program("c/args_env"))


def test_stdin_from_a_file(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(b"from a file\n")
    proc = pywasihost("run", "--stdin", str(src), str(program("c/stdio")), stdin=b"not this\n")
    assert proc.stdout.startswith(b"FROM A FILE\n")


def test_tcplisten_preopens_a_listening_socket() -> None:
    import socket
    import threading

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reply: list[bytes] = []

    def client() -> None:
        for _ in range(200):
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except ConnectionRefusedError:
                threading.Event().wait(0.05)
        with conn:
            conn.sendall(b"ping")
            reply.append(conn.recv(16))
            reply.append(conn.recv(16))  # EOF after the guest's shutdown(WR)

    t = threading.Thread(target=client)
    t.start()
    proc = pywasihost("run", "--tcplisten", f"127.0.0.1:{port}", FSUTIL, "echo-server", "3")
    t.join(10)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"echoed 4 bytes\n", b"")
    assert reply == [b"PING", b""]


def test_deterministic_runs_give_the_same_bytes() -> None:
    random_prog = str(program("c/random"))
    first = pywasihost("run", "--deterministic", random_prog)
    second = pywasihost("run", "--deterministic", random_prog)
    other_seed = pywasihost("run", "--deterministic", "--seed", "5", random_prog)
    assert first.returncode == 0 and first.stdout == second.stdout
    assert first.stdout != other_seed.stdout


def test_trace_of_a_file_program(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"x")
    proc = pywasihost("run", "--trace", "--dir", f"{tmp_path}::/d", FSUTIL, "cat", "/d/a.txt")
    assert proc.returncode == 0 and proc.stdout == b"x"
    trace = proc.stderr.decode()
    assert "fd_prestat_dir_name(fd=Fd(3)" in trace
    assert "path_open(fd=Fd(3), dirflags=Lookupflags.SYMLINK_FOLLOW, path='a.txt'" in trace
    assert "fd_prestat_get(fd=Fd(4)) -> errno=Badf" in trace


def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    cases = [
        (["--dir", str(tmp_path / "missing"), FSUTIL], b"is not a directory"),
        (["--stdin", str(tmp_path / "missing.txt"), FSUTIL], b"No such file or directory"),
        (["--tcplisten", "nonsense", FSUTIL], b"expected ADDR:PORT"),
        (["--env", "=x", FSUTIL], b"expected KEY=VALUE or KEY"),
    ]
    for flags, message in cases:
        proc = pywasihost("run", *flags)
        assert proc.returncode == 2, flags
        assert message in proc.stderr and proc.stderr.count(b"\n") == 1 and b"Traceback" not in proc.stderr


def test_inspect_lists_imports_provided_and_missing() -> None:
    proc = pywasihost("inspect", str(program("c/custom")))
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert out.startswith("WASI: wasi_snapshot_preview1\n")
    assert "  myhost.greet: function (i32, i32, i32, i32) -> (i32)  [MISSING]\n" in out
    assert "  wasi_snapshot_preview1.fd_write: function (i32, i32, i32, i32) -> (i32)  [provided]\n" in out
    assert "  _start: function () -> ()\n" in out
    assert "  memory: min 2 pages (128 KiB), no maximum\n" in out
    assert "missing from modules: myhost" in out


def test_inspect_a_module_without_wasi_and_bad_input(tmp_path: Path) -> None:
    out = pywasihost("inspect", str(program("hello_wasi/hello_wasi"))).stdout.decode()
    assert "wasi_snapshot_preview1.proc_exit: function (i32) -> ()  [provided]" in out
    assert "2 of 2 imports provided" in out
    junk = tmp_path / "junk.wasm"
    junk.write_bytes(b"\0asm junk")
    proc = pywasihost("inspect", str(junk))
    assert proc.returncode == 2 and b"not a valid WebAssembly module" in proc.stderr
    assert pywasihost("inspect", str(tmp_path / "none.wasm")).returncode == 2


def test_help_names_every_flag() -> None:
    out = pywasihost("run", "--help").stdout.decode()
    for flag in ("--dir", "--dir-ro", "--env", "--inherit-env", "--argv0", "--stdin", "--tcplisten"):
        assert flag in out
    for flag in ("--deterministic", "--trace", "--invoke", "HOST::/ maps the guest root"):
        assert flag in out


def test_invoke_calls_another_export() -> None:
    module = str(program("wat/two_entries"))
    assert (pywasihost("run", module).returncode, pywasihost("run", module).stdout) == (0, b"start\n")
    proc = pywasihost("run", "--invoke", "greet", module)
    assert (proc.returncode, proc.stdout) == (7, b"greet\n")
    proc = pywasihost("run", "--invoke", "nonexistent", module)
    assert proc.returncode == 2 and b"nonexistent" in proc.stderr and b"Traceback" not in proc.stderr


def test_ctrl_c_ends_the_run_with_130_and_no_traceback() -> None:
    import signal

    proc = subprocess.Popen(
        [sys.executable, "-m", "pywasihost", "run", str(program("wat/sleep_10s"))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # a shell's background job starts with SIGINT ignored, and Python keeps it so: undo that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"sleeping\n"  # the guest is in poll_oneoff now
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    err = proc.stderr.read()
    assert b"interrupted" in err and b"Traceback" not in err
    proc.stdout.close()
    proc.stderr.close()
