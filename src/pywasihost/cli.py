"""The command line: ``pywasihost run [--trace] MODULE.wasm [ARGS...]`` (also ``python -m pywasihost``).

A thin layer over the public API: the guest's exit code becomes the process's; a trap prints the
wasm message on stderr (no Python traceback) and exits 134 like an abort.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import LinkError, Trap, WasiConfig, run

__all__ = ["main"]

TRAP_EXIT = 134


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pywasihost", description="Run WebAssembly programs built for WASI preview 1.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a WASI command module", description="Run MODULE.wasm with ARGS.")
    r.add_argument("--trace", action="store_true", help="log every syscall on stderr")
    r.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="set a guest variable (repeatable)")
    r.add_argument("--invoke", default="_start", metavar="FUNC", help="export to call (default: _start)")
    r.add_argument("module", metavar="MODULE.wasm")
    r.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments for the guest")
    return p


def main(argv: list[str] | None = None) -> int:
    opts = _parser().parse_args(argv)
    path = Path(opts.module)
    env = {}
    for item in opts.env:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"pywasihost: --env {item!r}: expected KEY=VALUE", file=sys.stderr)
            return 2
        env[key] = value
    try:
        wasm = path.read_bytes()
    except OSError as exc:
        print(f"pywasihost: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    config = WasiConfig(args=[path.name, *opts.args], env=env)
    config.trace = config.trace or opts.trace  # PYWASIHOST_TRACE=1 works without --trace too
    try:
        return run(wasm, config, entry=opts.invoke).exit_code
    except (LinkError, ValueError) as exc:
        print(f"pywasihost: {path}: {exc}", file=sys.stderr)
        return 2
    except Trap as exc:
        print(f"pywasihost: {path}: wasm trap: {exc}", file=sys.stderr)
        return TRAP_EXIT


if __name__ == "__main__":
    sys.exit(main())
