"""CRuby 3.3 (``ruby+stdlib.wasm``, 35 MiB) started through the Python API: cold, then with the cache warm.

    .venv/bin/python -m benchmarks.ruby                          # every engine that imports
    .venv/bin/python -m benchmarks.ruby --engine wasmtime --warm 3

The target (issue 12): the second run of ``ruby+stdlib.wasm`` -- instantiation and an empty run,
through the Python API with stubs for its non-WASI imports -- under 1 s. Compiling the module takes
about a minute on wasmer 1.1 and 14 s on wasmtime; the compiled-module cache (on by default) is what
makes every later run fast.

The module comes from npm ``@ruby/3.3-wasm-wasi`` (pinned version and sha256, :mod:`benchmarks.fetch`).
It is a WASI *reactor* built by ruby.wasm: ``_initialize`` runs when the instance is created, then the
host calls its exports, named by wit-bindgen after their interface (``ruby-init: func(args:
list<string>) -> ()``) and taking the canonical ABI's strings and lists (pointer and length, in memory
the guest allocates with ``cabi_realloc``). An empty run is what ruby.wasm's own JavaScript does to
start a VM, then an empty script: ``ruby-init(["ruby", "-EUTF-8", "-e_=0"])`` (boots the VM and loads
the standard library's prelude from the files packed in the module), then ``rb-eval-string-protect("")``.

For each engine, every measurement is a fresh process (``python -m benchmarks.ruby --worker ENGINE``)
with ``XDG_CACHE_HOME`` in a new private temporary directory, so that the cache starts empty:

* **cold**: the first process compiles the module (and stores it in the cache);
* **warm**: ``--warm`` more processes (default 5) load it from the cache; the figure is their median.

Each process times, with ``perf_counter``: *load* (``pywasihost.compile``: the engine's import, the
module's sha256, then compiling it or loading it from the cache), *instantiate* (``WasiInstance``,
``_initialize`` included) and *empty run* (``ruby-init`` and the empty eval); the total of the three
is the figure compared with the target. The process's whole wall time (interpreter start and
``import pywasihost`` too) is printed beside it. Bytecode is compiled first, as an installed package
has it. The table goes to ``benchmarks/results/ENGINE/ruby.md``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import fetch

if TYPE_CHECKING:
    from pywasihost import Namespace, WasiInstance

__all__ = ["RubyVM", "main", "ruby_namespace"]

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_MS = 1000.0
DEFAULT_WARM = 5
RUBY_ARGS = ["ruby", "-EUTF-8", "-e_=0"]  # what ruby.wasm's JavaScript passes (RubyVM.initialize)


# -- the host side of ruby.wasm: stubs for its non-WASI imports --------------------------------------


def ruby_namespace(imports: list[Any]) -> Namespace:
    """Preview 1, plus the imports of ruby.wasm that are not WASI, as raw host functions.

    ``imports`` are the module's (``pywasihost.compile(...).imports``): the JavaScript-interop
    functions are declared with the signature the module gives them."""
    from pywasihost import Namespace, Trap

    ns = Namespace.preview1()

    # canonical_abi: wit-bindgen's resource handles. A Ruby value the guest hands out (the result of
    # an eval) is a handle in a table the host keeps; here the table maps handle -> the guest's own
    # representation, as ruby.wasm's JavaScript does with its slab.
    values: dict[int, int] = {}

    @ns.function("canonical_abi", "resource_new_rb-abi-value", params=["i32"], results=["i32"])
    def resource_new(ctx: Any, rep: int) -> int:
        handle = len(values) + 1
        values[handle] = rep
        return handle

    @ns.function("canonical_abi", "resource_get_rb-abi-value", params=["i32"], results=["i32"])
    def resource_get(ctx: Any, handle: int) -> int:
        return values[handle]

    @ns.function("canonical_abi", "resource_drop_js-abi-value", params=["i32"])
    def resource_drop_js(ctx: Any, handle: int) -> None:
        pass  # no JavaScript values are ever made here, so there is none to drop

    # rb-js-abi-host: the JavaScript side of the `js` gem (JS.eval, JS.global, ...). There is no
    # JavaScript in this host: a script that never requires 'js' never calls them, and a call traps,
    # naming the function.
    def no_javascript(name: str) -> Any:
        def stub(ctx: Any, *args: Any) -> None:
            raise Trap(f"rb-js-abi-host.{name}: this host has no JavaScript")

        return stub

    for imp in imports:
        if imp.module == "rb-js-abi-host":
            ns.function(imp.module, imp.name, params=imp.params, results=imp.results)(no_javascript(imp.name))
    return ns


class RubyVM:
    """ruby.wasm's exports called the way its JavaScript calls them (canonical ABI by hand)."""

    def __init__(self, instance: WasiInstance) -> None:
        self.instance = instance
        # wit-bindgen names an export after its signature ("ruby-init: func(args: list<string>) -> ()").
        self.exports = {e.name.split(":")[0]: e.name for e in instance.module.exports if e.kind == "function"}

    def _call(self, export: str, *args: int) -> Any:
        return self.instance.call(self.exports[export], *args)

    def _string(self, text: str) -> tuple[int, int]:
        """``text`` in guest memory the guest allocated: (address, length)."""
        data = text.encode()
        address = self._call("cabi_realloc", 0, 0, 1, len(data))
        self.instance.memory.write_bytes(address, data)
        return address, len(data)

    def init(self, args: list[str]) -> None:
        """``ruby-init(args: list<string>)``: a list is (address, count) of (address, length) pairs;
        ruby.wasm hands each argument over NUL-terminated, as C's argv."""
        vector = self._call("cabi_realloc", 0, 0, 4, 8 * len(args))
        for i, arg in enumerate(args):
            address, length = self._string(arg + "\0")
            self.instance.memory.store_u32(vector + 8 * i, address)
            self.instance.memory.store_u32(vector + 8 * i + 4, length)
        self._call("ruby-init", vector, len(args))

    def eval(self, code: str) -> int:
        """``rb-eval-string-protect(code)``: the status ``rb_eval_string_protect`` gave (0: no
        exception). The result is a tuple<handle, s32> in memory the guest returns the address of."""
        result = self._call("rb-eval-string-protect", *self._string(code))
        return int(self.instance.memory.load_u32(result + 4))


# -- one process: load, instantiate, empty run -----------------------------------------------------


def worker(engine: str, path: str) -> dict[str, Any]:
    """Time one start of Ruby (``path``) in this process (see the module's docstring); check that it ran."""
    started = time.perf_counter()
    import pywasihost

    imported = time.perf_counter()
    t0 = time.perf_counter()
    module = pywasihost.compile(path, engine=engine)
    t1 = time.perf_counter()
    namespace = ruby_namespace(module.imports)
    config = pywasihost.WasiConfig(stdout=pywasihost.CAPTURE, stderr=pywasihost.CAPTURE)
    with pywasihost.WasiInstance(module, config, namespace=namespace) as instance:
        t2 = time.perf_counter()
        vm = RubyVM(instance)
        vm.init(RUBY_ARGS)
        status = vm.eval("")
        t3 = time.perf_counter()
        # Not timed: show that this was a working Ruby.
        check = vm.eval("$stdout.write(RUBY_VERSION, ' ', 6 * 7); $stdout.flush")
        output = instance.stdout or b""
    if status != 0 or check != 0 or not output.startswith(b"3.3.") or not output.endswith(b" 42"):
        raise RuntimeError(f"ruby did not run: status {status}, {check}; stdout {output!r}")
    ms = 1000.0
    return {
        "load_ms": (t1 - t0) * ms,
        "instantiate_ms": (t2 - t1) * ms,
        "run_ms": (t3 - t2) * ms,
        "total_ms": (t3 - t0) * ms,
        "import_ms": (imported - started) * ms,
        "ruby": output.decode().split()[0],
        "engine_version": module.engine.version,
    }


def _spawn(engine: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    """One worker process: its figures, and its whole wall time from spawn to exit."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.ruby", "--worker", engine, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    wall = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise RuntimeError(f"the {engine} worker failed:\n{proc.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(proc.stdout)
    figures["process_ms"] = wall
    return figures


@dataclass
class EngineResult:
    engine: str
    cold: dict[str, Any]
    warm: list[dict[str, Any]]

    def median(self, key: str) -> float:
        return float(statistics.median(w[key] for w in self.warm))

    @property
    def met(self) -> bool:
        return self.median("total_ms") < TARGET_MS


def measure(engine: str, path: Path, warm: int) -> EngineResult:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="pywasihost-ruby-cache-") as cache_home:  # mode 0700, empty
        env["XDG_CACHE_HOME"] = cache_home
        print(f"{engine}: cold run (compiles ruby+stdlib.wasm)...", file=sys.stderr, flush=True)
        cold = _spawn(engine, path, env)
        runs = []
        for i in range(warm):
            print(f"{engine}: warm run {i + 1}/{warm}", file=sys.stderr, flush=True)
            runs.append(_spawn(engine, path, env))
    return EngineResult(engine, cold, runs)


# -- the table ---------------------------------------------------------------------------------------

HEADER = (
    "engine",
    "cold ms",
    "warm median ms",
    "load / instantiate / empty run",
    "warm process ms",
    "target",
    "met?",
)


def rows(results: list[EngineResult]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in results:
        parts = " / ".join(f"{r.median(k):.0f}" for k in ("load_ms", "instantiate_ms", "run_ms"))
        out.append(
            (
                f"{r.engine} {r.cold['engine_version']}".strip(),
                f"{r.cold['total_ms']:.0f}",
                f"{r.median('total_ms'):.0f}",
                parts,
                f"{r.median('process_ms'):.0f}",
                f"< {TARGET_MS:.0f} ms",
                "met" if r.met else "NOT met",
            )
        )
    return out


def format_text(results: list[EngineResult]) -> str:
    table = [HEADER, *rows(results)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_markdown(result: EngineResult, command: str) -> str:
    from benchmarks.run import environment

    env = environment()
    cold = result.cold
    lines = [
        "# CRuby 3.3 (ruby+stdlib.wasm) through the Python API: cold and with the cache warm",
        "",
        f"Machine: {env['cpu']}, {env['cpus']} cores, {env['memory_gib']} GiB; {env['platform']}; "
        f"{env['python']}; pywasihost {env['pywasihost']} ({env['commit']}); {env['date']}; "
        f"load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        f"Command: `{command}`. `ruby+stdlib.wasm` from npm `{fetch.PACKAGES['ruby'].spec}` (Ruby "
        f"{cold['ruby']}, sha256 {fetch.RUBY_WASM_SHA256[:16]}...). Each run is a fresh process; cold: the "
        f"first, with an empty compiled-module cache; warm: the median of {len(result.warm)} more. Times: "
        "`pywasihost.compile` (compile, or load from the cache) + `WasiInstance` (`_initialize` included) "
        '+ an empty run (`ruby-init` and `rb-eval-string-protect("")`); the whole process\'s wall time '
        "beside it.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "| " + " | ".join("---" if i in (0, 3, 5, 6) else "---:" for i in range(len(HEADER))) + " |",
        *("| " + " | ".join(row) + " |" for row in rows([result])),
        "",
        f"Cold run: load (compile) {cold['load_ms']:.0f} ms, instantiate {cold['instantiate_ms']:.0f} ms, "
        f"empty run {cold['run_ms']:.0f} ms. Warm runs, in order (ms): "
        + ", ".join(f"{w['total_ms']:.0f}" for w in result.warm)
        + ".",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ruby", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", action="append", choices=["wasmer", "wasmtime"], help="default: every engine")
    parser.add_argument("--warm", type=int, default=DEFAULT_WARM, help="warm runs (default %(default)s)")
    parser.add_argument("--no-write", action="store_true", help="print only, write no results file")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    import pywasihost

    engines = args.engine or [n for n, problem in pywasihost.available_engines().items() if problem is None]
    try:
        path = fetch.program("ruby")
    except fetch.FetchError as exc:
        print(f"ruby: {exc}", file=sys.stderr)
        return 1
    compileall.compile_dir(str(Path(pywasihost.__file__).parent), quiet=1)
    results = []
    for engine in engines:
        result = measure(engine, path, args.warm)
        results.append(result)
        if not args.no_write:
            out = RESULTS / engine / "ruby.md"
            out.parent.mkdir(parents=True, exist_ok=True)
            command = f"python -m benchmarks.ruby --engine {engine}" + (
                f" --warm {args.warm}" if args.warm != DEFAULT_WARM else ""
            )
            out.write_text(format_markdown(result, command))
    print(format_text(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
