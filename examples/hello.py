"""The founding example: run the Rust "Hello WASI!" program with the syscall trace on.

make demo        (or: .venv/bin/python examples/hello.py)
"""

from __future__ import annotations

from pathlib import Path

import pywasihost
from pywasihost.engines import default_engine

HELLO = Path(__file__).resolve().parent.parent / "tests" / "programs" / "hello_wasi" / "hello_wasi.wasm"


def main() -> int:
    print(f"running {HELLO.name} (Rust cdylib, wasm32-unknown-unknown) with the syscall trace on:")
    pywasihost.enable_trace_output()
    config = pywasihost.WasiConfig(args=[HELLO.name], stdout=pywasihost.CAPTURE, trace=True)
    engine = default_engine()  # "auto": wasmer where it imports, else wasmtime (or $PYWASIHOST_ENGINE)
    result = pywasihost.run(HELLO, config, engine=engine)
    assert result.stdout is not None
    print(f"guest stdout: {result.stdout.decode()}")
    print(f"exit code: {result.exit_code}")
    print(f"engine: {engine.name} {engine.version}")
    return result.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
