"""Import cost of pywasihost, measured with ``python -X importtime`` in fresh processes.

    .venv/bin/python -m benchmarks.import_time [--rounds 15]

Prints, for each case, the minimum and median over the rounds (milliseconds) of the imports the case
adds to a bare interpreter (the sum of the top-level entries of ``-X importtime``, less those of
``python -c pass``):

* ``import pywasihost``: the package alone (target: under 8 ms);
* ``CLI``: ``import pywasihost.cli``, less the package alone (target: under 3 ms more);
* ``a run``: everything a ``pywasihost.run()`` of hello world imports (engine included), with the
  compiled module in the cache, and what of it is pywasihost's own code;
* ``a CLI run``: ``pywasihost run hello.wasm`` (as ``cli.main``), less ``a run``: what the CLI adds.

Bytecode is compiled first (``compileall``), as an installed package has it.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
from pathlib import Path

__all__ = ["main", "measure"]

HELLO = Path(__file__).resolve().parent / "programs" / "hello.wasm"
CASES = {
    "bare": "pass",
    "import pywasihost": "import pywasihost",
    "CLI": "import pywasihost.cli",
    "a run": f"import pywasihost; pywasihost.run({str(HELLO)!r}, pywasihost.WasiConfig(stdout=pywasihost.Stdio.NULL))",
    "a CLI run": f"from pywasihost.cli import main; main(['run', {str(HELLO)!r}])",
}


def _imports(code: str) -> tuple[float, float]:
    """(all top-level imports, pywasihost's own modules' self time) in ms for one process running code."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env, check=True
    )
    total = own = 0
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative, name = line.removeprefix("import time:").split("|")
        if not name.startswith("  "):  # a top-level entry: its cumulative covers what it imported
            total += int(cumulative)
        if name.strip().startswith("pywasihost"):
            own += int(self_us)
    return total / 1000, own / 1000


def measure(rounds: int) -> dict[str, list[tuple[float, float]]]:
    samples: dict[str, list[tuple[float, float]]] = {case: [] for case in CASES}
    for _ in range(rounds):
        for case, code in CASES.items():  # interleaved: a busy moment hits every case alike
            samples[case].append(_imports(code))
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_time", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    import pywasihost

    compileall.compile_dir(str(Path(pywasihost.__file__).parent), quiet=1)
    pywasihost.run(HELLO, pywasihost.WasiConfig(stdout=pywasihost.Stdio.NULL))  # fills the cache
    samples = measure(args.rounds)
    bare = min(total for total, _ in samples["bare"])
    package = min(total for total, _ in samples["import pywasihost"])
    print(f"imports in ms over a bare interpreter ({bare:.1f} ms of its own), {args.rounds} rounds")
    print(f"{'case':<24} {'min':>7} {'median':>7}   pywasihost's own modules (min)")
    for case, label, less in (
        ("import pywasihost", "import pywasihost", bare),
        ("CLI", "CLI (over the package)", package),
        ("a run", "a run (hello, cached)", bare),
        ("a CLI run", "CLI run (over a run)", min(total for total, _ in samples["a run"])),
    ):
        totals = [total for total, _ in samples[case]]
        own = min(o for _, o in samples[case])
        print(f"{label:<24} {min(totals) - less:7.1f} {statistics.median(totals) - less:7.1f}   {own:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
