"""Smoke tests of the benchmarks at a tiny size (timings are printed by the benchmarks, never asserted)."""

from __future__ import annotations

from benchmarks.bench_fd_write import PROGRAM, measure

import pywasihost
from pywasihost import CAPTURE, WasiConfig


def test_small_writes_guest_output_under_pywasihost() -> None:
    result = pywasihost.run(PROGRAM, WasiConfig(args=[PROGRAM.name, "20"], stdout=CAPTURE))
    assert result.exit_code == 0
    assert result.stdout == b"0123456789abcde\n" * 20


def test_fd_write_benchmark_runs_both_hosts() -> None:
    figures = measure(calls=20, repeat=1)
    assert set(figures["hosts"]) == {"native", "pywasihost"}
    for host in figures["hosts"].values():
        assert len(host["total_ns"]) == 1 and host["total_ns"][0] > 0
