"""Embedding: reactors, compiled modules shared by instances, live and carried output, the capture cap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pywasihost
from conftest import compiled, program, run_program
from pywasihost import (
    CAPTURE,
    GuestString,
    MemoryLimits,
    Namespace,
    ProcExit,
    Trap,
    WasiConfig,
    WasiContext,
    WasiInstance,
)
from test_host_functions import app_namespace

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def plugin_namespace(log: list[str], prices: tuple[float, ...] = (2.5, 4.0)) -> Namespace:
    ns = Namespace.preview1()

    @ns.syscall("log", module="app", errno=False)
    def log_(ctx: WasiContext, msg: GuestString) -> None:
        log.append(msg)

    @ns.function("app", "price", params=["i32"], results=["f64"])
    def price(ctx: WasiContext, item: int) -> float:
        return prices[item % len(prices)]

    @ns.syscall(module="app", errno=False)
    def quantity(ctx: WasiContext, item: int) -> int:
        return 1

    return ns


# -- reactors ----------------------------------------------------------------------------------------


def test_a_reactor_is_initialised_once_when_the_instance_is_created(engine: Any) -> None:
    log: list[str] = []
    inst = WasiInstance(compiled("reactor/plugin"), namespace=plugin_namespace(log), engine=engine)
    with inst:
        assert log == ["plugin ready"]  # _initialize ran the constructor before any call
        assert inst.call("initialized_count") == 1
        assert inst.call("total", 3) == 2.5 + 4.0 + 2.5
        assert inst.call("total", 1) == 2.5
        assert inst.call("initialized_count") == 1  # and never again
    assert log == ["plugin ready", "total of 3 items: 9.00", "total of 1 items: 2.50"]


def test_a_reactor_whose_initialisation_traps_raises_and_closes(engine: Any) -> None:
    ns = plugin_namespace([])

    @ns.syscall(module="app", errno=False)
    def log(ctx: WasiContext, msg: GuestString) -> None:
        raise Trap(f"refused: {msg}")

    with pytest.raises(Trap, match="refused: plugin ready"):
        WasiInstance(compiled("reactor/plugin"), namespace=ns, engine=engine)


def test_running_a_reactor_as_a_command_says_to_call_its_exports(engine: Any) -> None:
    with WasiInstance(compiled("reactor/plugin"), namespace=plugin_namespace([]), engine=engine) as inst:
        with pytest.raises(ValueError, match=r"a reactor has no _start: .*call its exports \(_initialize, "):
            inst.start()


def test_inspect_says_command_or_reactor() -> None:
    assert pywasihost.describe_module(program("reactor/plugin"), plugin_namespace([])).kind == "reactor"
    info = pywasihost.describe_module(program("c/args_env"))
    assert info.kind == "command" and "kind: command (exports _start" in info.format()
    assert pywasihost.describe_module(program("wat/multi_value")).kind == "library"
    out = subprocess.run(
        [sys.executable, "-m", "pywasihost", "inspect", str(program("reactor/plugin"))], capture_output=True, timeout=60
    ).stdout.decode()
    assert "\nkind: reactor (exports _initialize: instantiate it, then call its exports)\n" in out


def test_the_plugin_host_example_runs() -> None:
    proc = subprocess.run([sys.executable, str(EXAMPLES / "plugin_host.py"), "2"], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == (
        "plugin says: plugin ready (initialised 1 time)\n"
        "total(2) = 10.50; plugin logged: 'total of 2 items: 10.50'\n"
        "total(3) = 11.75; plugin logged: 'total of 3 items: 11.75'\n"
        "prices asked: 5\n"
    )


# -- compiled modules --------------------------------------------------------------------------------


def test_a_compiled_module_serves_many_instances(engine: Any) -> None:
    module = pywasihost.compile(program("c/args_env"), engine=engine)
    assert module.name == "args_env.wasm" and module.kind == "command" and module.engine is engine
    outputs = []
    for word in ("one", "two", "three"):
        result = pywasihost.run(module, WasiConfig(args=["prog", word], stdout=CAPTURE))
        assert result.exit_code == 0 and result.stdout is not None
        outputs.append(result.stdout.splitlines()[2])
    assert outputs == [b"argv[1]=one", b"argv[1]=two", b"argv[1]=three"]
    from_bytes = pywasihost.compile(program("c/args_env").read_bytes(), engine=engine)
    assert from_bytes.name == "main.wasm"
    with pytest.raises(ValueError, match="not a valid WebAssembly module"):
        pywasihost.compile(b"\0asm nonsense", engine=engine)


def test_argv0_defaults_to_the_module_file_name(engine: Any) -> None:
    module = pywasihost.compile(program("c/args_env"), engine=engine)
    result = pywasihost.run(module, WasiConfig(stdout=CAPTURE))
    assert result.stdout is not None and result.stdout.splitlines()[:2] == [b"argc=1", b"argv[0]=args_env.wasm"]
    result = pywasihost.run(program("c/args_env").read_bytes(), WasiConfig(stdout=CAPTURE), engine=engine)
    assert result.stdout is not None and result.stdout.splitlines()[1] == b"argv[0]=main.wasm"


# -- output while running, and carried by traps and exits ------------------------------------------


def test_captured_output_is_readable_while_the_instance_lives(engine: Any) -> None:
    seen: list[tuple[bytes | None, bytes | None]] = []
    ns = plugin_namespace([])

    @ns.wrap("fd_write")
    def watch(original: Any, ctx: WasiContext, fd: pywasihost.Fd, iovs: list[memoryview]) -> pywasihost.Size:
        assert ctx.instance is not None
        seen.append((ctx.instance.stdout, ctx.instance.stderr))
        n: pywasihost.Size = original(ctx, fd, iovs)
        return n

    config = WasiConfig(args=["stdio"], stdin=b"abc\n", stdout=CAPTURE, stderr=CAPTURE)
    with WasiInstance(compiled("c/stdio"), config, namespace=ns, engine=engine) as inst:
        assert (inst.stdout, inst.stderr) == (b"", b"")
        assert inst.start() == 0
        assert inst.stdout is not None and inst.stdout.startswith(b"ABC\n") and inst.stderr == b"err:4\n"
    assert seen[0] == (b"", b"") and seen[-1][0] is not None and seen[-1][0].startswith(b"ABC\n")
    with WasiInstance(compiled("c/stdio"), WasiConfig(stdin=b""), engine=engine) as inst:
        assert inst.stdout is None and inst.stderr is None  # not captured: nothing to show


def test_a_rust_panic_message_travels_with_its_trap() -> None:
    with pytest.raises(Trap, match="unreachable") as info:
        run_program("rust_std/panic", "a", "b")
    assert info.value.stdout == b"working\n"
    assert info.value.stderr is not None
    assert b"panicked at 'the plugin failed after 2 arguments'" in info.value.stderr


def test_proc_exit_from_call_carries_the_output(engine: Any) -> None:
    with WasiInstance(compiled("wat/two_entries"), WasiConfig(stdout=CAPTURE), engine=engine) as inst:
        with pytest.raises(ProcExit) as info:
            inst.call("greet")
    assert (info.value.code, info.value.stdout, info.value.stderr) == (7, b"greet\n", None)


def test_run_result_carries_the_state_of_the_context() -> None:
    ns = app_namespace([])

    @ns.syscall("log", module="app", errno=False)
    def log_(ctx: WasiContext, msg: GuestString) -> None:
        ctx.state.setdefault("logged", []).append(msg)

    result = run_program("c/hostfuncs", namespace=ns)
    assert result.exit_code == 0 and result.state == {"logged": ["hello from the guest"], "count": 2}


def test_the_capture_cap_keeps_what_fits_and_traps() -> None:
    message = r"captured stdout reached its limit of 5 bytes \(MemoryLimits.max_capture\)"
    with pytest.raises(Trap, match=message) as info:
        run_program("c/args_env", "long enough", limits=MemoryLimits(max_capture=5))
    assert info.value.stdout == b"argc="
    result = run_program("c/args_env", limits=MemoryLimits(max_capture=1000))
    assert result.exit_code == 0 and result.stdout is not None and len(result.stdout) < 1000


def test_the_capture_benchmark_runs_at_a_small_size() -> None:
    from benchmarks.capture_rss import measure

    figures = measure(4)
    assert figures["captured_mib"] == 4 and figures["peak_after_mib"] >= figures["peak_before_mib"]
