"""Shared helpers: the guest programs and a way to run one with captured output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import pywasihost
from pywasihost import CAPTURE, RunResult, WasiConfig
from pywasihost.engines.wasmer import WasmerEngine, WasmerModule

PROGRAMS = Path(__file__).resolve().parent / "programs"

_ENGINE = WasmerEngine()
_COMPILED: dict[str, WasmerModule] = {}


def program(name: str) -> Path:
    """``"c/clock"`` -> ``tests/programs/c/clock.wasm``."""
    path = PROGRAMS / f"{name}.wasm"
    assert path.is_file(), path
    return path


def compiled(name: str) -> WasmerModule:
    """The program compiled once per test session (compiling is the slow part of a run)."""
    if name not in _COMPILED:
        _COMPILED[name] = _ENGINE.compile(program(name).read_bytes())
    return _COMPILED[name]


def run_program(name: str, *args: str, namespace: pywasihost.Namespace | None = None, **config: Any) -> RunResult:
    """Run a guest with stdout and stderr captured; ``config`` overrides WasiConfig fields."""
    config.setdefault("stdout", CAPTURE)
    config.setdefault("stderr", CAPTURE)
    config.setdefault("stdin", b"")
    cfg = WasiConfig(args=[Path(name).name + ".wasm", *args], **config)
    return pywasihost.run(compiled(name), cfg, engine=_ENGINE, namespace=namespace)


@pytest.fixture
def engine() -> WasmerEngine:
    return _ENGINE
