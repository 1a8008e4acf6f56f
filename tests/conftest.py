"""Shared helpers: the guest programs, the engine under test, and a way to run a guest.

The whole suite runs on one engine per pytest session, chosen with ``--engine`` (default: the
``PYWASIHOST_ENGINE`` environment variable, else ``auto``); the README's test command runs it once
per engine on each Python that has that engine. Tests never name an engine class: they run guests
through :func:`run_program`, :func:`compiled` or the ``engine`` fixture.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import pywasihost
from pywasihost import CAPTURE, RunResult, WasiConfig
from pywasihost.engines import CompiledModule, Engine, default_engine

PROGRAMS = Path(__file__).resolve().parent / "programs"

_COMPILED: dict[tuple[str, str], CompiledModule] = {}
_SELECTED: list[Engine] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        default=None,
        choices=("auto", "wasmer", "wasmtime"),
        help="the engine the suite runs on (default: $PYWASIHOST_ENGINE, else auto)",
    )


def pytest_configure(config: pytest.Config) -> None:
    _SELECTED[:] = [default_engine(config.getoption("--engine"))]
    os.environ["PYWASIHOST_ENGINE"] = _SELECTED[0].name  # for the CLI and benchmark subprocesses


def pytest_report_header(config: pytest.Config) -> str:
    engine = current_engine()
    return f"pywasihost engine: {engine.name} {engine.version}"


def current_engine() -> Engine:
    """The engine this test session runs on."""
    if not _SELECTED:  # imported outside a pytest session
        _SELECTED.append(default_engine())
    return _SELECTED[0]


def program(name: str) -> Path:
    """``"c/clock"`` -> ``tests/programs/c/clock.wasm``."""
    path = PROGRAMS / f"{name}.wasm"
    assert path.is_file(), path
    return path


def compiled(name: str) -> CompiledModule:
    """The program compiled once per test session (compiling is the slow part of a run)."""
    engine = current_engine()
    key = (engine.name, name)
    if key not in _COMPILED:
        _COMPILED[key] = engine.compile(program(name).read_bytes())
    return _COMPILED[key]


def run_program(name: str, *args: str, namespace: pywasihost.Namespace | None = None, **config: Any) -> RunResult:
    """Run a guest with stdout and stderr captured; ``config`` overrides WasiConfig fields."""
    config.setdefault("stdout", CAPTURE)
    config.setdefault("stderr", CAPTURE)
    config.setdefault("stdin", b"")
    cfg = WasiConfig(args=[Path(name).name + ".wasm", *args], **config)
    return pywasihost.run(compiled(name), cfg, namespace=namespace)


@pytest.fixture
def engine() -> Engine:
    return current_engine()
