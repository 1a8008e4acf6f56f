"""Instances in one process share nothing: descriptors, memory, clocks and random state are per run,
whether the runs come one after another or from several threads at once (issue 10)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pywasihost
from conftest import current_engine, program
from pywasihost import CAPTURE, Preopen, RunResult, WasiConfig
from sandbox_watch import host_fds

THREADS, ROUNDS = 6, 3


def run_in_thread(name: str, *args: str, **config: Any) -> RunResult:
    """Compile and run in the calling thread: a wasmer 1.1 module compiled in one thread cannot be
    instantiated in another (pyo3 panics: "Module is unsendable"); the engine itself is shared."""
    cfg = WasiConfig(args=[name, *args], stdout=CAPTURE, stderr=CAPTURE, **config)
    return pywasihost.run(program(name), cfg, engine=current_engine())


def test_concurrent_runs_sharing_one_deterministic_config_each_repeat_the_first() -> None:
    """One WasiConfig.deterministic(seed) serves every run, from several threads at once: each run
    starts its clocks and generator afresh, so each gives the bytes of a lone run."""
    shared = WasiConfig.deterministic(seed=3)

    def one(i: int) -> bytes | None:
        return run_in_thread("c/determinism", clocks=shared.clocks, random=shared.random, stdin=b"in").stdout

    alone = one(0)
    assert alone and b"random=" in alone
    with ThreadPoolExecutor(THREADS) as pool:
        outputs = list(pool.map(one, range(THREADS * ROUNDS)))
    assert outputs == [alone] * (THREADS * ROUNDS)


def test_concurrent_runs_see_only_their_own_directory_and_descriptors(tmp_path: Path) -> None:
    """Each thread's guest writes then reads a file through its own preopen at the same guest path
    and the same fd number; no guest sees another's file, and no host fd outlives the runs."""
    dirs = [tmp_path / f"box{i}" for i in range(THREADS)]
    for d in dirs:
        d.mkdir()
    before = host_fds()

    def one(i: int) -> bytes | None:
        box = [Preopen(dirs[i % THREADS], "/box")]
        text = f"thread {i}"
        written = run_in_thread("c/fsutil", "write", "/box/f.txt", text, preopens=box, stdin=b"")
        assert written.exit_code == 0, written.stderr
        return run_in_thread("c/fsutil", "cat", "/box/f.txt", preopens=box, stdin=b"").stdout

    with ThreadPoolExecutor(THREADS) as pool:
        outputs = list(pool.map(one, range(THREADS)))
    assert outputs == [f"thread {i}".encode() for i in range(THREADS)]
    assert [sorted(os.listdir(d)) for d in dirs] == [["f.txt"]] * THREADS
    assert host_fds() == before
