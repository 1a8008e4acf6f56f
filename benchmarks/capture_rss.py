"""Peak memory of a run whose stdout is captured: the captured bytes must be held once, not twice.

The guest ``benchmarks/programs/bulk_copy.wasm`` copies a file to stdout in 64 KiB calls; the file is
sparse (no disk space), so the guest prints ``--mib`` MiB of zero bytes, all captured
(``WasiConfig(stdout=CAPTURE)``) into ``RunResult.stdout``. The script prints the process's peak RSS
before and after the run (``ru_maxrss``, in a fresh process: nothing else has grown it) and the
growth per captured byte. A host that copies the capture into the result peaks at about twice the
output; pywasihost hands the captured buffer over (``io.BytesIO.getvalue`` shares it), so the growth
stays near the output's size.

    .venv/bin/python -m benchmarks.capture_rss              # 1 GiB (about 2 s)
    .venv/bin/python -m benchmarks.capture_rss --mib 64

It prints figures and never fails because of them (it exits non-zero only if the run itself fails).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path

import pywasihost
from pywasihost import CAPTURE, Preopen, WasiConfig

PROGRAM = Path(__file__).resolve().parent / "programs" / "bulk_copy.wasm"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure(mib: int) -> dict[str, float]:
    """Run the guest once with ``mib`` MiB of captured output; the figures as a dict."""
    module = pywasihost.compile(PROGRAM)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp, "zeros.bin")
        with open(data, "wb") as f:
            f.truncate(mib << 20)  # sparse: reads give zeros, the disk holds nothing
        config = WasiConfig(args=["bulk_copy", "/data/zeros.bin"], preopens=[Preopen(tmp, "/data")], stdout=CAPTURE)
        before = peak_rss_mib()
        result = pywasihost.run(module, config)
        after = peak_rss_mib()
    if result.exit_code != 0 or result.stdout is None or len(result.stdout) != mib << 20:
        raise SystemExit(f"capture_rss: the run failed (exit {result.exit_code})")
    return {"captured_mib": mib, "peak_before_mib": before, "peak_after_mib": after, "growth_mib": after - before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024, help="MiB the guest prints (default 1024)")
    opts = parser.parse_args()
    figures = measure(opts.mib)
    print(f"captured:            {figures['captured_mib']:.0f} MiB")
    print(f"peak RSS before run: {figures['peak_before_mib']:.0f} MiB")
    print(f"peak RSS after run:  {figures['peak_after_mib']:.0f} MiB")
    print(f"growth:              {figures['growth_mib']:.0f} MiB ({figures['growth_mib'] / opts.mib:.2f} x the output)")


if __name__ == "__main__":
    main()
