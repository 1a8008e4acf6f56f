"""Threads and fork: compiled modules from any thread, instances refused where their engine cannot
run them, and compiling in a forked child of a process that has compiled (it used to hang)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from typing import Any

import pytest

import pywasihost
from conftest import current_engine, program
from pywasihost import CAPTURE, WasiConfig, WrongThreadError


def in_thread(fn: Callable[[], Any]) -> Any:
    """``fn()`` run on a new thread: its result, or the exception it raised (any BaseException)."""
    out: list[Any] = []

    def body() -> None:
        try:
            out.append(fn())
        except BaseException as exc:  # pyo3's PanicException is a BaseException
            out.append(exc)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    return out[0]


def test_a_compiled_module_runs_on_other_threads(engine: Any) -> None:
    module = pywasihost.compile(program("c/args_env"), engine=engine, cache=False)

    def run(arg: str) -> pywasihost.RunResult:
        return pywasihost.run(module, WasiConfig(args=["a", arg], stdout=CAPTURE))

    results = [in_thread(functools.partial(run, str(i))) for i in range(3)]
    for i, result in enumerate(results):
        assert isinstance(result, pywasihost.RunResult), result
        assert f"argv[1]={i}\n".encode() in (result.stdout or b"")
    # and still on the thread that compiled it
    assert pywasihost.run(module, WasiConfig(args=["a", "main"], stdout=CAPTURE)).exit_code == 0


def test_a_compiled_module_serves_threads_at_once(engine: Any) -> None:
    module = pywasihost.compile(program("hello_wasi/hello_wasi"), engine=engine, cache=False)
    barrier = threading.Barrier(4)

    def job() -> bytes | None:
        barrier.wait()
        return pywasihost.run(module, WasiConfig(stdout=CAPTURE)).stdout

    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(job())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [b"Hello WASI!"] * 4


def test_a_second_thread_is_refused_while_the_instance_runs_in_another(engine: Any) -> None:
    inside, release = threading.Event(), threading.Event()
    instances: list[pywasihost.WasiInstance] = []

    def stdout(data: bytes) -> None:  # called by the guest's fd_write, on the running thread
        inside.set()
        release.wait(30)

    def runner() -> None:
        inst = pywasihost.WasiInstance(program("hello_wasi/hello_wasi"), WasiConfig(stdout=stdout), engine=engine)
        instances.append(inst)
        inst.start()

    thread = threading.Thread(target=runner)
    thread.start()
    try:
        assert inside.wait(30)
        with pytest.raises(WrongThreadError, match="thread"):
            instances[0].call("_start")
    finally:
        release.set()
        thread.join(30)
    instances[0].close()


def test_an_instance_used_from_another_thread(engine: Any) -> None:
    """wasmer binds an instance to its thread: refused with WrongThreadError (a RuntimeError, so
    ``except Exception`` sees it), never pyo3's PanicException. wasmtime lets a store move between
    threads (one at a time): the call runs."""
    inst = pywasihost.WasiInstance(program("wat/two_entries"), WasiConfig(stdout=CAPTURE), engine=engine)
    outcome = in_thread(lambda: inst.start())
    if current_engine().name == "wasmer":
        assert isinstance(outcome, WrongThreadError) and isinstance(outcome, RuntimeError)
        assert "created it" in str(outcome)
        refresh = in_thread(inst.memory.refresh)  # a new view of memory asks wasmer: refused too
        assert isinstance(refresh, WrongThreadError), refresh
    else:
        assert outcome == 0 and inst.stdout == b"start\n"
    assert inst.start() == 0  # the creating thread can always use it
    inst.close()


FORK_SCENARIO = """
import json, multiprocessing, sys
import pywasihost
from pywasihost import CAPTURE, WasiConfig

def child(path):
    # a module the parent never compiled, compiled here (no cache: a real compile), then run
    result = pywasihost.run(path, WasiConfig(args=["args_env", "forked"], stdout=CAPTURE), cache=False)
    return result.exit_code, result.stdout.decode()

def compiled_before_the_fork():
    return pywasihost.run(parent, WasiConfig(stdout=CAPTURE)).stdout.decode()

if __name__ == "__main__":
    parent = pywasihost.compile(sys.argv[1], cache=False)  # the parent compiles first
    with multiprocessing.get_context("fork").Pool(1) as pool:
        code, out = pool.apply(child, (sys.argv[2],))
        before = pool.apply(compiled_before_the_fork)  # the child has the parent's modules too
    print(json.dumps([code, out, before, parent.engine.name]))
"""


def test_a_forked_child_compiles_after_the_parent_has_compiled(engine: Any) -> None:
    """Both engines compile on thread pools that fork does not copy: the child used to hang
    forever. The whole scenario runs in a subprocess with a time limit, so a hang fails."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FORK_SCENARIO), str(program("hello_wasi/hello_wasi"))]
        + [str(program("c/args_env"))],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    code, out, before, name = json.loads(proc.stdout)
    assert (code, before, name) == (0, "Hello WASI!", engine.name)
    assert "argv[1]=forked\n" in out


def test_an_invalid_module_in_a_forked_child_is_a_value_error(engine: Any) -> None:
    bad = b"\0asm\x01\0\0\0\x01"  # a section that ends early
    scenario = f"""
import os, pywasihost
pywasihost.compile({str(program("hello_wasi/hello_wasi"))!r}, cache=False)
pid = os.fork()
if pid == 0:
    try:
        pywasihost.compile({bad!r}, cache=False)
    except ValueError as exc:
        os._exit(7 if "not a valid WebAssembly module" in str(exc) else 1)
    os._exit(2)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""
    proc = subprocess.run([sys.executable, "-c", scenario], capture_output=True, timeout=120)
    assert proc.stdout.strip() == b"7", proc.stderr.decode()


FORK_DURING_A_TIMED_RUN = """
import os, sys, threading, time
import pywasihost
from pywasihost import WasiConfig

module = pywasihost.compile(sys.argv[1], cache=False)

def long_run():
    try:
        pywasihost.run(module, WasiConfig(timeout=3))
    except pywasihost.Timeout:
        pass

thread = threading.Thread(target=long_run)
thread.start()
time.sleep(0.3)  # the timed run is going on in the other thread
pid = os.fork()
if pid == 0:
    try:
        pywasihost.run(module, WasiConfig(timeout=0.2))
    except pywasihost.Timeout:
        os._exit(0)
    os._exit(1)
_, status = os.waitpid(pid, 0)
thread.join()
print(os.waitstatus_to_exitcode(status))
"""


def test_a_time_limit_works_in_a_child_forked_during_a_timed_run(engine: Any) -> None:
    """The thread that advances wasmtime's epoch for timed runs stays behind at a fork: the child
    starts its own. (A guest spinning in pure wasm where the engine can stop one, else at host calls.)"""
    guest = program("wat/spin" if engine.interrupts_wasm else "wat/yield_loop")
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FORK_DURING_A_TIMED_RUN), str(guest)], capture_output=True, timeout=60
    )
    assert proc.stdout == b"0\n", proc.stderr.decode()
