"""The command line, detail by detail like ``wasmtime run`` (issue 11): driven as a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import program
from test_cli import pywasihost

CALC = str(program("wat/calc"))
ARGS_ENV = str(program("c/args_env"))


def test_a_module_runs_without_the_run_command() -> None:
    proc = pywasihost(ARGS_ENV, "x")
    assert proc.returncode == 0 and proc.stdout.splitlines()[:3] == [b"argc=2", b"argv[0]=args_env.wasm", b"argv[1]=x"]
    proc = pywasihost("--env", "K=V", ARGS_ENV)  # options first, still a run
    assert b"environ=K=V\n" in proc.stdout


def test_version() -> None:
    proc = pywasihost("--version")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("pywasihost 0.1.0")


def test_double_dash_after_the_module_reaches_the_guest_as_given() -> None:
    out = pywasihost("run", ARGS_ENV, "--", "-x").stdout.splitlines()
    assert out[:4] == [b"argc=3", b"argv[0]=args_env.wasm", b"argv[1]=--", b"argv[2]=-x"]
    out = pywasihost("run", ARGS_ENV, "a", "--", "b").stdout.splitlines()
    assert out[:5] == [b"argc=4", b"argv[0]=args_env.wasm", b"argv[1]=a", b"argv[2]=--", b"argv[3]=b"]
    out = pywasihost("run", "--", ARGS_ENV, "a").stdout.splitlines()  # before the module: ends the options
    assert out[:3] == [b"argc=2", b"argv[0]=args_env.wasm", b"argv[1]=a"]


def test_invoke_parses_arguments_by_the_export_s_types_and_prints_results() -> None:
    assert pywasihost("run", "--invoke", "add", CALC, "2", "40").stdout == b"42\n"
    assert pywasihost("run", "--invoke", "add", CALC, "-5", "0x10").stdout == b"11\n"
    assert pywasihost("run", "--invoke", "add", CALC, "0xffffffff", "3").stdout == b"2\n"  # unsigned is fine
    assert pywasihost("--invoke", "scale", CALC, "1.5", "2").stdout == b"3.0\n"
    assert pywasihost("--invoke", "split", CALC, "-4294967295").stdout == b"1\n-1\n"
    proc = pywasihost("--invoke", "nothing", CALC)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
    for args, message in [
        (["add", CALC, "1"], b"--invoke add takes 2 arguments (i32, i32) -> (i32), got 1"),
        (["add", CALC, "1", "x"], b"--invoke: 'x' is not an i32"),
        (["add", CALC, "1", "4294967296"], b"--invoke: 4294967296 does not fit in an i32"),
        (["mul", CALC], b"the module exports no function 'mul' (it exports: add, scale, split, nothing)"),
    ]:
        proc = pywasihost("--invoke", *args)
        assert proc.returncode == 2 and message in proc.stderr and proc.stderr.count(b"\n") == 1, proc.stderr


def test_a_file_neither_wasm_nor_wat_gets_a_message_without_wat(tmp_path: Path) -> None:
    junk = tmp_path / "notes.wasm"
    junk.write_bytes(b"hello there\n")
    proc = pywasihost("run", str(junk))
    assert proc.returncode == 2 and proc.stderr.count(b"\n") == 1
    assert b"not a valid WebAssembly module: it does not start with b'\\0asm'" in proc.stderr
    assert b"wat" not in proc.stderr.lower()


def test_seed_needs_deterministic_and_env_key_needs_a_value() -> None:
    proc = pywasihost("run", "--seed", "3", ARGS_ENV)
    assert proc.returncode == 2 and b"--seed only makes sense with --deterministic" in proc.stderr
    proc = pywasihost("run", "--env", "PWH_SURELY_UNSET", ARGS_ENV)
    assert proc.returncode == 2 and b"--env PWH_SURELY_UNSET: not set in this environment" in proc.stderr


def test_without_an_engine_run_and_inspect_print_one_line() -> None:
    # As on a Python where no engine's wheels exist: every engine import fails.
    code = (
        "import sys\n"
        "for name in ('wasmer', 'wasmtime'): sys.modules[name] = None\n"
        "from pywasihost.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    for args in (["run", ARGS_ENV], ["inspect", ARGS_ENV]):
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(b"pywasihost: no WebAssembly engine can run here: ")
        assert proc.stderr.count(b"\n") == 1 and b"Traceback" not in proc.stderr


def test_the_project_has_its_license() -> None:
    root = Path(__file__).resolve().parent.parent
    assert "Apache License\n                           Version 2.0" in (root / "LICENSE").read_text()
    pyproject = (root / "pyproject.toml").read_text()
    assert 'license = "Apache-2.0"' in pyproject and "license = {" not in pyproject
