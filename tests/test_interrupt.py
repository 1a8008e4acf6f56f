"""Ctrl-C while a guest runs: the command line exits 130 even when the guest spins in pure wasm, and
the Python API raises KeyboardInterrupt where the engine can stop wasm code (each in a subprocess
that gets a real SIGINT)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

from conftest import program


def test_ctrl_c_stops_a_guest_spinning_in_pure_wasm_with_130(engine: Any) -> None:
    path = str(program("wat/write_spin"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pywasihost", "run", path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # a shell's background job starts with SIGINT ignored, and Python keeps it so: undo that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        assert proc.stdout.readline() == b"spinning\n"  # written before the loop: not lost
        time.sleep(0.5)  # past the host call that wrote it, where Python would see the signal anyway
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
    finally:
        proc.kill()
        proc.wait()
    assert proc.stdout.read() == b""
    assert proc.stderr.read() == f"pywasihost: {path}: interrupted\n".encode()  # one line, no traceback
    proc.stdout.close()
    proc.stderr.close()


# Runs a guest on the main thread and sends itself a SIGINT half a second into the run (not before:
# a SIGINT during the compile would raise KeyboardInterrupt on any engine); prints how the run ended.
API_SCENARIO = """
import os, signal, sys, threading, time
import pywasihost
from pywasihost import WasiConfig

handled = []
if sys.argv[2] == "raise":
    signal.signal(signal.SIGINT, signal.default_int_handler)
else:
    signal.signal(signal.SIGINT, lambda signum, frame: handled.append(signum))  # does not raise
instance = pywasihost.WasiInstance(sys.argv[1], WasiConfig(timeout=float(sys.argv[3])))
threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()  # the guest runs by then
try:
    print("returned", instance.start())
except KeyboardInterrupt:
    print("KeyboardInterrupt")
except pywasihost.Timeout:
    print("Timeout", handled)
"""


def api(program_name: str, handler: str, timeout: float, *, limit: float) -> subprocess.CompletedProcess[bytes]:
    script = textwrap.dedent(API_SCENARIO)
    args = [sys.executable, "-c", script, str(program(program_name)), handler, str(timeout)]
    return subprocess.run(args, capture_output=True, timeout=limit)


def test_ctrl_c_in_a_spinning_guest_raises_keyboard_interrupt_where_the_engine_can_stop_wasm(engine: Any) -> None:
    if engine.interrupts_wasm:  # wasmtime, with a timeout (epoch checks): stopped within a millisecond
        proc = api("wat/spin", "raise", 60, limit=30)
        assert proc.stdout == b"KeyboardInterrupt\n", proc.stderr.decode()
    else:  # wasmer holds the GIL while wasm runs: no Python handler runs until the guest's next host call
        try:
            proc = api("wat/spin", "raise", 60, limit=3)
            raise AssertionError(f"the run ended: {proc.stdout!r}")
        except subprocess.TimeoutExpired:  # still spinning (subprocess.run killed it)
            pass


def test_ctrl_c_in_a_guest_making_host_calls_raises_keyboard_interrupt(engine: Any) -> None:
    proc = api("wat/yield_loop", "raise", 60, limit=30)
    assert proc.stdout == b"KeyboardInterrupt\n", proc.stderr.decode()


def test_a_sigint_handler_that_does_not_raise_lets_the_guest_go_on(engine: Any) -> None:
    proc = api("wat/yield_loop", "count", 1.5, limit=30)  # SIGINT at 0.5 s, the time limit at 1.5 s
    assert proc.stdout == f"Timeout [{int(signal.SIGINT)}]\n".encode(), proc.stderr.decode()
    if engine.interrupts_wasm:  # also when the SIGINT comes while the guest is in pure wasm
        proc = api("wat/spin", "count", 1.5, limit=30)
        assert proc.stdout == f"Timeout [{int(signal.SIGINT)}]\n".encode(), proc.stderr.decode()


SIGEXIT_SCENARIO = """
import os, signal, sys, time
import pywasihost.engines.sigexit as sigexit
if sys.argv[1] == "without-c":
    sigexit._c = None
with sigexit.exit_on_sigint("pywasihost: prog.wasm: interrupted\\n"):
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(30)
print("not reached")
"""


def test_the_command_line_s_c_handler_writes_one_line_and_exits_130() -> None:
    """What the command line arms for a run on an engine that cannot stop wasm (wasmer): a C
    handler (no Python runs after the signal, so it works while wasm holds the GIL); where it was
    not built, SIGINT's default action, which kills the process (a shell shows 130)."""
    args = [sys.executable, "-c", textwrap.dedent(SIGEXIT_SCENARIO)]

    def default_sigint() -> None:  # as under a terminal (a background job starts with SIGINT ignored)
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    proc = subprocess.run([*args, "with-c"], capture_output=True, timeout=30, preexec_fn=default_sigint)
    assert (proc.returncode, proc.stdout, proc.stderr) == (130, b"", b"pywasihost: prog.wasm: interrupted\n")
    proc = subprocess.run([*args, "without-c"], capture_output=True, timeout=30, preexec_fn=default_sigint)
    assert (proc.returncode, proc.stdout, proc.stderr) == (-signal.SIGINT, b"", b"")
