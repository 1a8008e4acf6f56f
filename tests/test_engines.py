"""The engine layer: choosing an engine, host functions of every core type, and the limits
(timeout, max_memory, fuel) on whichever engine this session runs (see conftest's ``--engine``).

Where the engines differ, the test states what each one does: wasmer cannot interrupt wasm code,
and has no fuel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pywasihost
from conftest import compiled, current_engine, program, run_program
from pywasihost import LimitError, Timeout, Trap, WasiConfig, WasiInstance
from pywasihost.engines import (
    ENGINE_NAMES,
    Engine,
    EngineUnavailable,
    HostFunctions,
    available_engines,
    compile_module,
    default_engine,
    get_engine,
)

# -- choosing an engine --------------------------------------------------------------------------


def test_engines_are_shared_and_named() -> None:
    engine = current_engine()
    assert get_engine(engine.name) is engine
    assert engine.name in ENGINE_NAMES and engine.version
    assert available_engines()[engine.name] is None


def test_unknown_engine_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown engine 'v8'"):
        get_engine("v8")
    with pytest.raises(ValueError, match="choose one of auto, wasmer, wasmtime"):
        pywasihost.run(program("wat/spin"), engine="v8")


def test_auto_prefers_wasmer_where_it_imports() -> None:
    engines = available_engines()
    expected = "wasmer" if engines["wasmer"] is None else "wasmtime"
    assert default_engine("auto").name == expected
    if engines["wasmer"] is not None:  # CPython 3.11+: the reason is the wheels
        assert "3.7-3.10" in (engines["wasmer"] or "")
        with pytest.raises(EngineUnavailable, match=r"3\.7-3\.10"):
            get_engine("wasmer")


def test_the_environment_chooses_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYWASIHOST_ENGINE", current_engine().name)
    assert default_engine().name == current_engine().name
    monkeypatch.setenv("PYWASIHOST_ENGINE", "nonsense")
    with pytest.raises(ValueError, match="unknown engine 'nonsense'"):
        default_engine()


def test_a_module_only_wasmtime_compiles(capfd: pytest.CaptureFixture[str]) -> None:
    wasm = program("wat/simd_final").read_bytes()
    if available_engines()["wasmer"] is None:
        # auto falls back to wasmtime, saying so once on stderr
        module = compile_module(wasm, "auto")
        assert module.engine.name == "wasmtime"
        assert capfd.readouterr().err == (
            "pywasihost: wasmer cannot compile this module (not a valid WebAssembly module: WebAssembly "
            "translation error: Unsupported feature: proposed simd operator I64x2ExtendLowI32x4U); "
            "running it on wasmtime\n"
        )
        with pytest.raises(ValueError, match=r"wasmer cannot compile it; engine='wasmtime' can"):
            compile_module(wasm, "wasmer")
    else:  # no wasmer: auto is wasmtime from the start, and says nothing
        assert compile_module(wasm, "auto").engine.name == "wasmtime"
        assert capfd.readouterr().err == ""
    result = pywasihost.run(wasm, WasiConfig(stdout=pywasihost.CAPTURE), engine="auto")
    assert result.stdout == b"simd 7\n"


def test_a_compiled_module_runs_only_on_its_engine() -> None:
    module = compiled("wat/spin")
    others = [name for name in ENGINE_NAMES if name != current_engine().name]
    with pytest.raises(ValueError, match=f"compiled by {current_engine().name}, not by the engine asked for"):
        WasiInstance(module, engine=others[0])


# -- host functions of every core type -------------------------------------------------------------


def test_host_functions_take_and_return_every_core_type(engine: Engine) -> None:
    seen: list[Any] = []

    def mix(a: int, b: int, c: float, d: float) -> tuple[float, int]:
        seen.append((a, b, c, d))
        return d * 2, b - 1

    functions: HostFunctions = {
        ("env", "mix"): (mix, ("i32", "i64", "f32", "f64"), ("f64", "i64")),
        ("env", "note"): (seen.append, ("i32",), ()),
    }
    instance = engine.instantiate(compiled("wat/host_types"), functions)
    results = instance.call("run", -5, -(2**40), 1.5, 2.25)
    assert list(results) == [4.5, -(2**40) - 1]
    # i32 and i64 arrive signed on both engines; f32 and f64 as floats
    assert seen == [-5, (-5, -(2**40), 1.5, 2.25)]


def test_exceptions_of_host_functions_come_out_unchanged(engine: Engine) -> None:
    class Stop(Exception):
        pass

    def mix(a: int, b: int, c: float, d: float) -> tuple[float, int]:
        raise Stop(a)

    functions: HostFunctions = {
        ("env", "mix"): (mix, ("i32", "i64", "f32", "f64"), ("f64", "i64")),
        ("env", "note"): (id, ("i32",), ()),
    }
    instance = engine.instantiate(compiled("wat/host_types"), functions)
    with pytest.raises(Stop) as info:
        instance.call("run", 7, 0, 0.0, 0.0)
    assert info.value.args == (7,)
    # the instance is usable after that, and a later trap is not mistaken for the old exception
    with pytest.raises(Stop):
        instance.call("run", 8, 0, 0.0, 0.0)


def test_traps_read_the_same_on_every_engine() -> None:
    with pytest.raises(Trap) as info:
        run_program("c/trap")
    lines = str(info.value).splitlines()
    assert lines[0] == "unreachable"
    assert lines[1].startswith("    at __original_main (<module>[")


# -- timeout ---------------------------------------------------------------------------------------

# A guest that never makes a system call can only be stopped by an engine that interrupts wasm code.
SPINNERS = ["wat/yield_loop", *(["wat/spin"] if current_engine().interrupts_wasm else [])]


@pytest.mark.parametrize("guest", SPINNERS)
def test_a_timeout_stops_a_guest_that_never_ends(guest: str) -> None:
    start = time.monotonic()
    with pytest.raises(Timeout) as info:
        run_program(guest, timeout=0.5)
    elapsed = time.monotonic() - start
    assert 0.5 <= elapsed < 5, elapsed
    assert info.value.seconds == 0.5
    assert str(info.value) == "the guest ran longer than its time limit of 0.5 s"


if current_engine().name == "wasmtime":  # defined only in wasmtime sessions (no skipped tests elsewhere)

    def test_only_a_run_with_a_timeout_gets_code_with_epoch_checks() -> None:
        """Epoch checks slow every loop (a quarter of brotli's time): as `wasmtime run`, only a run
        that has a timeout compiles them in, whether its module is compiled for it from the start
        (its path or bytes given with the config) or was compiled before without them."""
        plain = pywasihost.compile(program("wat/spin"), cache=False)
        assert "epoch_interruption" not in plain.engine.cache_tag
        config = WasiConfig(timeout=0.3)
        for source in (plain, program("wat/spin").read_bytes()):
            with WasiInstance(source, config, cache=False) as inst:
                assert "epoch_interruption=True" in inst.module.engine.cache_tag or source is plain
                with pytest.raises(Timeout):
                    inst.start()


def test_engines_say_whether_they_interrupt_wasm(engine: Engine) -> None:
    assert engine.interrupts_wasm is (engine.name == "wasmtime")


def test_a_timeout_cuts_a_long_poll_short() -> None:
    start = time.monotonic()
    with pytest.raises(Timeout):
        run_program("wat/sleep_10s", timeout=0.5)
    assert 0.5 <= time.monotonic() - start < 3


def test_a_run_within_its_timeout_is_unaffected() -> None:
    result = run_program("c/args_env", "x", timeout=30)
    assert result.exit_code == 0 and b"argv[1]=x\n" in (result.stdout or b"")


def test_the_timeout_applies_to_each_call_of_an_instance() -> None:
    with WasiInstance(compiled("wat/grow"), WasiConfig(timeout=0.5)) as inst:
        time.sleep(0.6)  # time between calls does not count
        assert inst.call("grow", 0) == 1


def test_deterministic_clocks_are_not_held_to_the_real_deadline() -> None:
    # poll_oneoff's 10 s pass on the fake clocks at once: the run ends well before its timeout
    result = run_program("wat/sleep_10s", timeout=5, clocks=pywasihost.DeterministicClocks())
    assert result.exit_code == 0 and result.stdout == b"sleeping\n"


# -- max_memory ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_memory", "pages", "granted"),
    [
        (64 << 20, 1023, True),  # 1 + 1023 pages: exactly 64 MiB
        (64 << 20, 1024, False),  # one page past it
        ((64 << 20) + 1000, 1024, False),  # a cap that is not a whole page rounds down
    ],
)
def test_memory_grows_up_to_max_memory_and_no_further(max_memory: int, pages: int, granted: bool) -> None:
    with WasiInstance(compiled("wat/grow"), WasiConfig(max_memory=max_memory)) as inst:
        assert inst.call("grow", pages) == (1 if granted else -1)
        assert inst.call("grow", 0) == (1 + pages if granted else 1)


def test_a_one_gib_grow_is_refused_under_64_mib() -> None:
    assert run_program("wat/grow", max_memory=64 << 20).exit_code == 1
    assert run_program("wat/grow").exit_code == 0  # without a limit the guest gets its 1 GiB


def test_a_module_whose_initial_memory_exceeds_max_memory_does_not_start() -> None:
    with pytest.raises(LimitError, match=r"initial memory.* exceeds max_memory \(60000 bytes\)"):
        run_program("wat/grow", max_memory=60000)  # less than the one initial page


@pytest.mark.parametrize("field", ["timeout", "max_memory", "fuel"])
@pytest.mark.parametrize("value", [0, -1, "10", True])
def test_limits_are_checked_when_the_config_is_made(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"WasiConfig.{field} must be"):
        WasiConfig(**{field: value})  # type: ignore[arg-type]


# -- fuel ------------------------------------------------------------------------------------------


def test_fuel_bounds_the_instructions_a_guest_runs(engine: Engine) -> None:
    if not engine.supports_fuel:
        with pytest.raises(ValueError, match="fuel is not supported by the wasmer engine: use engine='wasmtime'"):
            run_program("wat/spin", fuel=100_000)
        return
    with pytest.raises(Trap, match=r"ran out of fuel \(100000 units\)"):
        run_program("wat/spin", fuel=100_000)
    assert run_program("c/args_env", fuel=10_000_000).exit_code == 0  # enough for a real program


# -- the command line ------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYWASIHOST_ENGINE": current_engine().name}
    return subprocess.run([sys.executable, "-m", "pywasihost", *args], capture_output=True, timeout=60, env=env)


@pytest.mark.parametrize("guest", SPINNERS)
def test_cli_timeout_exits_124_with_one_line(guest: str) -> None:
    start = time.monotonic()
    proc = _cli("run", "--timeout", "1", str(program(guest)))
    assert time.monotonic() - start < 10
    assert proc.returncode == 124
    assert proc.stderr.decode().splitlines() == [
        f"pywasihost: {program(guest)}: the guest ran longer than its time limit of 1 s"
    ]


def test_cli_max_memory_refuses_a_one_gib_grow() -> None:
    assert _cli("run", "--max-memory", "64M", str(program("wat/grow"))).returncode == 1
    assert _cli("run", "--max-memory", "2G", str(program("wat/grow"))).returncode == 0
    bad = _cli("run", "--max-memory", "lots", str(program("wat/grow")))
    assert bad.returncode == 2 and b"expected a size such as 65536, 512K, 64M or 1G" in bad.stderr


def test_cli_engine_choice_and_inspect() -> None:
    name = current_engine().name
    proc = _cli("run", "--engine", name, str(program("hello_wasi/hello_wasi")))
    assert proc.returncode == 0 and proc.stdout == b"Hello WASI!"
    report = _cli("inspect", "--engine", name, str(program("hello_wasi/hello_wasi"))).stdout.decode()
    assert f"  {name}: available  <- a run uses this one; host calls: " in report
    for other, problem in available_engines().items():
        state = "available" if problem is None else "unavailable:"
        assert f"  {other}: {state}" in report


# -- wasmtime's two host-call paths ----------------------------------------------------------------
# Where the C trampoline was built, the wasmtime engine calls Python through it for integer
# signatures, and through a ctypes callback otherwise (or when it was not built): both must hand the
# host function the same values and the guest the same results.

if current_engine().name == "wasmtime":  # defined only in wasmtime sessions (no skipped tests elsewhere)

    def _wasmtime(c_trampoline: bool) -> Engine:
        from pywasihost.engines.wasmtime import WasmtimeEngine

        engine = WasmtimeEngine(c_trampoline=c_trampoline)
        assert engine.c_trampoline is c_trampoline or not c_trampoline  # True only where it was built
        return engine

    @pytest.mark.parametrize("c_trampoline", [True, False])
    @given(
        a=st.integers(-(2**31), 2**31 - 1),
        b=st.integers(-(2**63), 2**63 - 1),
        c=st.integers(-(2**31), 2**31 - 1),
        result=st.integers(0, 2**32 - 1),
    )
    @settings(max_examples=200, deadline=None)
    def test_both_host_call_paths_pass_the_same_values(c_trampoline: bool, a: int, b: int, c: int, result: int) -> None:
        engine = _wasmtime(c_trampoline)
        seen: list[Any] = []

        def f(x: int, y: int, z: int) -> int:
            seen.append((x, y, z))
            return result

        functions: HostFunctions = {
            ("env", "f"): (f, ("i32", "i64", "i32"), ("i32",)),
            ("env", "note"): (seen.append, ("i64",), ()),
        }
        instance = engine.instantiate(engine.compile(program("wat/relay").read_bytes()), functions)
        returned = instance.call("relay", a, b, c)
        assert seen == [b, (a, b, c)]  # signed, as wasmer hands them over
        assert returned == (result ^ 0x80000000) - 0x80000000  # the i32 the guest got, read back signed

    @pytest.mark.parametrize("c_trampoline", [True, False])
    def test_both_host_call_paths_carry_exceptions_and_run_real_programs(c_trampoline: bool) -> None:
        engine = _wasmtime(c_trampoline)

        def f(x: int, y: int, z: int) -> int:
            raise KeyError(x)

        functions: HostFunctions = {
            ("env", "f"): (f, ("i32", "i64", "i32"), ("i32",)),
            ("env", "note"): (id, ("i64",), ()),
        }
        instance = engine.instantiate(engine.compile(program("wat/relay").read_bytes()), functions)
        with pytest.raises(KeyError) as info:
            instance.call("relay", 5, 0, 0)
        assert info.value.args == (5,)
        module = engine.compile(program("c/args_env").read_bytes())
        result = pywasihost.run(module, WasiConfig(args=["args_env.wasm", "é"], stdout=pywasihost.CAPTURE))
        assert result.exit_code == 0 and b"argv[1]=\xc3\xa9\n" in (result.stdout or b"")

    def test_an_exception_escaping_the_c_callback_traps_and_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
        """An exception raised in the callback before the host function's own handling (a signal's
        KeyboardInterrupt at its first instruction; here, its entry taken out of the table) must not
        be printed and ignored by cffi with the guest going on: the call traps and raises it."""
        from pywasihost.engines import wasmtime as adapter

        engine = _wasmtime(True)
        functions: HostFunctions = {
            ("env", "f"): (lambda x, y, z: 1, ("i32", "i64", "i32"), ("i32",)),
            ("env", "note"): (id, ("i64",), ()),
        }
        instance = engine.instantiate(engine.compile(program("wat/relay").read_bytes()), functions)
        assert instance.call("relay", 1, 2, 3) == 1
        monkeypatch.setattr(adapter, "_FAST", {})  # every entry gone: the lookup raises KeyError
        with pytest.raises(KeyError):
            instance.call("relay", 1, 2, 3)

    def test_the_adapter_agrees_with_the_trampoline_build() -> None:
        from pywasihost.engines import _trampoline_build, wasmtime

        assert wasmtime._MAX_C_PARAMS == _trampoline_build.MAX_PARAMS


def test_inspect_says_how_host_calls_are_made() -> None:
    report = _cli("inspect", str(program("hello_wasi/hello_wasi"))).stdout.decode()
    engine = current_engine()
    expected = engine.host_calls
    assert expected in (
        "wasmer.Function over a Python callable",
        "wasmer.Function over a Python callable; C fast paths (cffi) for fd_read, fd_write, clock_time_get, random_get",
        "C trampoline (cffi)",
        "ctypes callback",
    )
    assert f"  {engine.name}: available  <- a run uses this one; host calls: {expected}" in report.splitlines()
