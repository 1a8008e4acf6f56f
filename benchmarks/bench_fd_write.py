"""Host-call overhead of ``fd_write``: pywasihost against the engine's own (Rust) WASI, in one process
(the engine: ``PYWASIHOST_ENGINE``, see ``benchmarks/hosts.py``; the text below speaks of wasmer).

The guest ``benchmarks/programs/small_writes.wasm`` makes N ``__wasi_fd_write`` calls to fd 1, each
with one 16-byte iovec (N is its argv[1]; C source next to it). It runs under two hosts:

* **pywasihost**: ``pywasihost.run`` with stdout inherited, so every call goes wasm -> wasmer -> the
  generated Python wrapper -> ``fd_write`` -> ``os.writev(1, ...)``;
* **native**: wasmer's built-in WASI (``wasmer.wasi``), whose ``fd_write`` is Rust, writing to the
  same fd 1.

Both hosts make exactly one ``write``/``writev`` system call per ``fd_write`` (checked with strace), and
during the measurement the process's fd 1 points at ``/dev/null`` (``os.dup2``; restored before
anything is printed), so the kernel side is as cheap, and as equal, as it gets: what is left is the
cost of crossing into the host and back.

How it is measured:

* each host compiles the module once, outside the timing; the timing (``time.perf_counter_ns``)
  covers instantiate + ``_start`` + teardown of one run, nothing else;
* one untimed warm-up run per host, then ``--repeat`` rounds; each round runs both hosts (the order
  alternates between rounds), each host once with N = 0 (the fixed cost: instantiate, libc start-up,
  exit) and once with N = ``--calls``; ``gc.collect()`` runs before every timed run, outside it;
* a host's figures are the medians over the rounds; its cost per call is
  ``(median t(N) - median t(0)) / N`` in ns; the ratio is pywasihost ns/call over native ns/call.

The target for this foundation is a ratio of at most 2.0. The result says whether it is met, but
the script never fails because of a timing (it exits non-zero only if a run itself fails).

Run it (about 10-20 s with the defaults on a 2-core machine)::

    .venv/bin/python -m benchmarks.bench_fd_write
    .venv/bin/python -m benchmarks.bench_fd_write --calls 100000 --repeat 3 --json bench.json
    .venv/bin/python -m benchmarks.bench_fd_write --profile     # cProfile of the pywasihost side only

``--json PATH`` also writes every figure (raw samples included) to PATH. ``--profile`` skips the
timing and runs the pywasihost side once under cProfile (``--calls`` defaults to 100000 there),
printing the 15 functions with the largest own time. From code, :func:`measure` returns the figures
as a dict (a smoke test can call it with tiny sizes).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.hosts import HOSTS, BenchmarkError, Host, bench_engine, make_host

__all__ = ["DEFAULT_CALLS", "DEFAULT_REPEAT", "PROGRAM", "TARGET_RATIO", "measure", "main", "profile"]

PROGRAM = Path(__file__).resolve().parent / "programs" / "small_writes.wasm"
ARGV0 = "small_writes.wasm"
WRITE_SIZE = 16  # bytes per fd_write call (fixed by the guest)
DEFAULT_CALLS = 600_000
DEFAULT_REPEAT = 5
DEFAULT_PROFILE_CALLS = 100_000
WARMUP_CALLS = 1_000
TARGET_RATIO = 2.0


def _writer(host: Host) -> Callable[[int], None]:
    """``run(calls)`` for ``host`` (see benchmarks.hosts): the guest must exit 0."""

    def run(calls: int) -> None:
        code = host.run([ARGV0, str(calls)])
        if code != 0:
            raise BenchmarkError(f"{host.name}: small_writes {calls} exited with {code}")

    return run


@contextmanager
def stdout_to_devnull() -> Iterator[None]:
    """Point this process's fd 1 at /dev/null (what both hosts write to), and back afterwards."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _timed(run_once: Callable[[int], None], calls: int) -> int:
    """Nanoseconds taken by one run (instantiate + start), with a collection before it."""
    gc.collect()
    start = time.perf_counter_ns()
    run_once(calls)
    return time.perf_counter_ns() - start


def _summary(totals: list[int], baselines: list[int], net_calls: int) -> dict[str, Any]:
    total, base = statistics.median(totals), statistics.median(baselines)
    return {
        "total_ns": totals,
        "baseline_ns": baselines,
        "median_total_ms": total / 1e6,
        "median_baseline_ms": base / 1e6,
        "spread_total": (max(totals) - min(totals)) / total if total else 0.0,
        "ns_per_call": (total - base) / net_calls,
    }


def measure(calls: int = DEFAULT_CALLS, repeat: int = DEFAULT_REPEAT, *, baseline_calls: int = 0) -> dict[str, Any]:
    """Time both hosts (see the module docstring) and return the figures.

    ``calls`` fd_write calls per measured run, ``baseline_calls`` (0) in the run that estimates the
    fixed cost, ``repeat`` rounds. Raises :class:`BenchmarkError` if a guest run fails; a timing is
    never an error (``target_met`` just says whether pywasihost is within ``TARGET_RATIO``).
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    if not 0 <= baseline_calls < calls:
        raise ValueError("need 0 <= baseline_calls < calls")
    wasm = PROGRAM.read_bytes()
    hosts = {name: _writer(make_host(name, wasm)) for name in HOSTS}
    totals: dict[str, list[int]] = {name: [] for name in HOSTS}
    baselines: dict[str, list[int]] = {name: [] for name in HOSTS}
    with stdout_to_devnull():
        for host in hosts.values():
            host(min(calls, WARMUP_CALLS))  # first-run costs (lazy imports, caches) stay out
        for round_ in range(repeat):
            order = HOSTS if round_ % 2 == 0 else HOSTS[::-1]
            for name in order:
                baselines[name].append(_timed(hosts[name], baseline_calls))
                totals[name].append(_timed(hosts[name], calls))
    net = calls - baseline_calls
    per_host = {name: _summary(totals[name], baselines[name], net) for name in HOSTS}
    native, py = per_host["native"]["ns_per_call"], per_host["pywasihost"]["ns_per_call"]
    # Too few calls for the noise leave a per-call figure at or below zero: then there is no ratio.
    ratio = py / native if native > 0 and py > 0 else None
    return {
        "benchmark": "fd_write",
        "program": PROGRAM.name,
        "calls": calls,
        "baseline_calls": baseline_calls,
        "bytes_per_call": WRITE_SIZE,
        "repeat": repeat,
        "hosts": per_host,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "target_met": ratio is not None and ratio <= TARGET_RATIO,
        "environment": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "engine": bench_engine(),
            "engine_version": metadata.version(bench_engine()),
            "pywasihost": metadata.version("pywasihost"),
        },
    }


def format_report(figures: dict[str, Any]) -> str:
    """The figures of :func:`measure` as a small table."""
    lines = [
        f"fd_write: {figures['program']}, {figures['calls']} calls of {figures['bytes_per_call']} bytes "
        f"to /dev/null; median of {figures['repeat']}; fixed cost from N={figures['baseline_calls']}",
        f"{'host':<12}{'total ms':>12}{'fixed ms':>12}{'spread':>9}{'ns/call':>11}",
    ]
    for name in HOSTS:
        h = figures["hosts"][name]
        lines.append(
            f"{name:<12}{h['median_total_ms']:>12.2f}{h['median_baseline_ms']:>12.2f}"
            f"{h['spread_total']:>8.1%}{h['ns_per_call']:>11.0f}"
        )
    ratio = figures["ratio"]
    shown = "n/a (a per-call time is not positive: too few calls)" if ratio is None else f"{ratio:.2f}x"
    verdict = "met" if figures["target_met"] else "NOT met"
    lines.append(f"ratio pywasihost/native (ns per call): {shown}; target <= {figures['target_ratio']:.1f}x: {verdict}")
    return "\n".join(lines)


def profile(calls: int = DEFAULT_PROFILE_CALLS, top: int = 15) -> str:
    """Run the pywasihost side once under cProfile; the ``top`` functions by own time, as text."""
    host = _writer(make_host("pywasihost", PROGRAM.read_bytes()))
    profiler = cProfile.Profile()
    with stdout_to_devnull():
        host(min(calls, WARMUP_CALLS))
        gc.collect()
        profiler.enable()
        try:
            host(calls)
        finally:
            profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(pstats.SortKey.TIME).print_stats(top)
    return f"pywasihost, {calls} fd_write calls under cProfile (top {top} by tottime):\n{out.getvalue()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--calls",
        type=int,
        default=None,
        help=f"fd_write calls per measured run (default {DEFAULT_CALLS}; {DEFAULT_PROFILE_CALLS} with --profile)",
    )
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help=f"rounds (default {DEFAULT_REPEAT})")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures to PATH as JSON")
    parser.add_argument("--profile", action="store_true", help="only profile the pywasihost side with cProfile")
    args = parser.parse_args(argv)
    if args.profile:
        if args.json is not None:
            parser.error("--json goes with a measurement, not with --profile")
        print(profile(args.calls or DEFAULT_PROFILE_CALLS))
        return 0
    calls: int = DEFAULT_CALLS if args.calls is None else args.calls
    if calls < 1 or args.repeat < 1:
        parser.error("--calls and --repeat must be at least 1")
    try:
        figures = measure(calls, args.repeat)
    except BenchmarkError as exc:
        print(f"bench_fd_write: {exc}", file=sys.stderr)
        return 1
    print(format_report(figures))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
