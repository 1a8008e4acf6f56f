"""The command line, like ``wasmtime run`` (also ``python -m pywasihost``).

    pywasihost [run] [--dir HOST[::GUEST]] [--env KEY[=VALUE]] [--trace] ... MODULE.wasm [ARGS...]
    pywasihost run --invoke NAME MODULE.wasm [ARGS...]    # call an export, print its results
    pywasihost inspect MODULE.wasm
    pywasihost cache info|clear
    pywasihost --version

A thin layer over the public API (:class:`WasiConfig`, :func:`run`, :func:`describe_module`): the
guest's exit code becomes the process's; a trap prints the wasm message and its backtrace on stderr
(no Python traceback) and exits 134 like an abort; Ctrl-C exits 130; bad input is one line on stderr
and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__

TYPE_CHECKING = False  # not typing's (its import costs more than this module)
if TYPE_CHECKING:
    import socket

    from .config import Preopen
    from .instance import WasiInstance

# What a command needs is imported by the function that runs it: the CLI's own start-up stays at
# argparse, and `pywasihost run` does not load module inspection or sockets it is not asked for.

__all__ = ["main"]

TRAP_EXIT = 134
TIMEOUT_EXIT = 124  # as coreutils' timeout(1)
INVALID_EXIT = 1  # proc_exit with a status outside 0-125
INTERRUPTED_EXIT = 130  # 128 + SIGINT, as a shell reports it
USAGE_EXIT = 2

RUN_HELP = """\
Run a WASI command module: the guest's exit code becomes this process's.

examples:
  pywasihost run hello.wasm                     # or just: pywasihost hello.wasm
  pywasihost run --dir ./data::/data --env LANG=C prog.wasm in.txt
  pywasihost run --invoke add calc.wasm 2 40     # call export add(2, 40), print the result
  pywasihost run --dir-ro /srv/site::/ --tcplisten 127.0.0.1:8080 server.wasm
  pywasihost run --dir-mem ./input::/work prog.wasm     # the guest changes a copy in memory
  pywasihost run --deterministic --trace prog.wasm      # reproducible, every syscall logged
  pywasihost run --engine wasmtime --timeout 2 --max-memory 64M prog.wasm
"""

_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


class UsageError(Exception):
    """Bad input on the command line: printed on one line, exit code 2."""


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized to the terminal without ``shutil``: argparse makes a formatter for
    every ``add_argument``, and ``shutil`` (with zlib, bz2 and lzma) cost ~5 ms of every start-up."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        if width is None:
            try:
                columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(1).columns
            except (ValueError, OSError):  # no COLUMNS, no terminal: 80, as shutil says
                columns = 80
            width = columns - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class _RawDescriptionFormatter(_Formatter, argparse.RawDescriptionHelpFormatter):
    pass


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with ``command`` only that command's: making parsers and arguments is
    a good part of the CLI's own start-up (argparse looks up translations of its messages for each)."""
    p = argparse.ArgumentParser(
        prog="pywasihost",
        description="Run WebAssembly programs built for WASI preview 1, with the syscalls in Python.",
        formatter_class=_Formatter,
    )
    p.add_argument("--version", action="version", version=f"pywasihost {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if command in (None, "run"):
        _run_parser(sub)
    if command in (None, "inspect"):
        i = sub.add_parser(
            "inspect",
            help="show a module's WASI version, imports (and which are provided), exports and memory",
            description="Show what MODULE.wasm imports (and whether pywasihost provides it), exports and its memory.",
            formatter_class=_Formatter,
        )
        _engine_option(i)
        i.add_argument("module", metavar="MODULE.wasm")
    if command in (None, "cache"):
        c = sub.add_parser(
            "cache",
            help="show or clear the compiled-module cache",
            description="The compiled-module cache ($XDG_CACHE_HOME/pywasihost, default ~/.cache/pywasihost).",
            formatter_class=_Formatter,
        )
        c.add_argument("action", choices=["info", "clear"], help="info: where, state, size; clear: remove every entry")
    return p


def _run_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    r = sub.add_parser(
        "run",
        help="run a WASI command module",
        description=RUN_HELP,
        formatter_class=_RawDescriptionFormatter,
    )
    r.add_argument(
        "--dir",
        dest="dirs",
        action="append",
        default=[],
        type=lambda spec: (spec, "rw"),
        metavar="HOST[::GUEST]",
        help="preopen host directory HOST as GUEST (default: the same name); HOST::/ maps the guest root",
    )
    r.add_argument(
        "--dir-ro",
        dest="dirs",
        action="append",
        type=lambda spec: (spec, "ro"),
        metavar="HOST[::GUEST]",
        help="like --dir, but read-only: the guest can read, not change anything",
    )
    r.add_argument(
        "--dir-mem",
        dest="dirs",
        action="append",
        type=lambda spec: (spec, "mem"),
        metavar="HOST[::GUEST]",
        help="like --dir, but a copy of HOST in memory: the guest may change it, the disk never sees it",
    )
    r.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY[=VALUE]",
        help="set a guest environment variable; KEY alone passes the host's value, which must be set (repeatable)",
    )
    r.add_argument("--inherit-env", action="store_true", help="give the guest the whole host environment")
    r.add_argument("--argv0", metavar="NAME", help="the guest's argv[0] (default: the module's file name)")
    r.add_argument("--stdin", metavar="FILE", help="read the guest's stdin from FILE (default: this process's)")
    r.add_argument(
        "--tcplisten",
        action="append",
        default=[],
        metavar="ADDR:PORT",
        help="preopen a listening TCP socket for sock_accept (after the directories)",
    )
    r.add_argument("--deterministic", action="store_true", help="fixed clocks and seeded random: reproducible runs")
    r.add_argument("--seed", type=int, default=None, help="the random seed of --deterministic (default 0)")
    r.add_argument("--trace", action="store_true", help="log every syscall on stderr")
    r.add_argument(
        "--invoke",
        default=None,
        metavar="FUNC",
        help="call export FUNC instead of _start: ARGS are its arguments (by its types); prints its results",
    )
    _engine_option(r)
    r.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="stop the guest after SECONDS (exit code 124); wasmer checks only at system calls",
    )
    r.add_argument(
        "--max-memory",
        type=_size,
        metavar="SIZE",
        help="most linear memory the guest may grow to, in bytes or with K/M/G (memory.grow fails beyond)",
    )
    r.add_argument("--fuel", type=int, metavar="UNITS", help="instruction budget (wasmtime only); traps when spent")
    r.add_argument("--no-cache", action="store_true", help="compile without the compiled-module cache")
    r.add_argument("module", metavar="MODULE.wasm")
    r.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="arguments for the guest, as given")


def _engine_option(p: argparse.ArgumentParser) -> None:
    from .engines import ENGINE_NAMES

    p.add_argument(
        "--engine",
        choices=("auto", *ENGINE_NAMES),
        default=None,
        help="the WebAssembly engine (default: $PYWASIHOST_ENGINE or auto: wasmer where it imports, else wasmtime)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: the timeout must be positive")
    return value


def _size(text: str) -> int:
    number, unit = text.rstrip("KMGkmgBb"), text[len(text.rstrip("KMGkmgBb")) :].upper().rstrip("B")
    if unit not in _SIZE_UNITS or not number.isdigit() or int(number) == 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a size such as 65536, 512K, 64M or 1G")
    return int(number) * _SIZE_UNITS[unit]


def _dir(spec: str, mode: str) -> Preopen:
    from .config import Preopen

    host, sep, guest = spec.partition("::")
    if not host:
        raise UsageError(f"--dir {spec!r}: expected HOST[::GUEST]")
    if not os.path.isdir(host):
        raise UsageError(f"--dir {spec!r}: {host!r} is not a directory")
    if mode == "mem":
        from .fs.memory import MemoryFS  # only for runs that use it

        try:
            return Preopen(MemoryFS.from_directory(host), guest if sep else host)
        except OSError as exc:
            raise UsageError(f"--dir-mem {spec!r}: {exc.strerror or exc}") from None
    return Preopen(host, guest if sep else host, readonly=mode == "ro")


def _env(items: list[str]) -> dict[str, str]:
    env = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not key:
            raise UsageError(f"--env {item!r}: expected KEY=VALUE or KEY")
        if not sep:
            if key not in os.environ:
                raise UsageError(f"--env {key}: not set in this environment (give it a value: --env {key}=VALUE)")
            value = os.environ[key]
        env[key] = value
    return env


def _listen(spec: str) -> socket.socket:
    import socket

    host, sep, port = spec.rpartition(":")
    if not sep or not port.isdigit():
        raise UsageError(f"--tcplisten {spec!r}: expected ADDR:PORT")
    host = host.strip("[]") or "0.0.0.0"
    try:
        return socket.create_server((host, int(port)), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        raise UsageError(f"--tcplisten {spec!r}: {exc.strerror or exc}") from None


def _read_module(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def _parse_value(text: str, wasm_type: str) -> int | float:
    """A float, or an int given signed or unsigned (``-1`` and ``0xffffffff`` are the same i32)."""
    try:
        if wasm_type.startswith("f"):
            return float(text)
        value, bits = int(text, 0), int(wasm_type[1:])
    except ValueError:
        raise UsageError(f"--invoke: {text!r} is not an {wasm_type}") from None
    if not -(1 << (bits - 1)) <= value < 1 << bits:
        raise UsageError(f"--invoke: {text} does not fit in an {wasm_type}")
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _invoke(inst: WasiInstance, name: str, texts: list[str]) -> int:
    """Call export ``name`` with ``texts`` parsed by its parameter types; print each result on a line."""
    exports = {e.name: e for e in inst.module.exports if e.kind == "function"}
    spec = exports.get(name)
    if spec is None:
        raise UsageError(f"the module exports no function {name!r} (it exports: {', '.join(exports) or 'none'})")
    if len(texts) != len(spec.params):
        raise UsageError(f"--invoke {name} takes {len(spec.params)} arguments {spec.signature()}, got {len(texts)}")
    results = inst.call(name, *(_parse_value(t, w) for t, w in zip(texts, spec.params, strict=True)))
    values = results if len(spec.results) > 1 else () if not spec.results else (results,)
    for value in values:
        print(value)
    return 0


def _run(opts: argparse.Namespace) -> int:
    from contextlib import ExitStack

    from .config import DeterministicClocks, SeededRandom, WasiConfig
    from .engines import LinkError
    from .engines.sigexit import exit_on_sigint
    from .errors import ProcExit
    from .instance import WasiInstance, load_module, run

    path = opts.module
    wasm = _read_module(path)
    if opts.seed is not None and not opts.deterministic:
        raise UsageError("--seed only makes sense with --deterministic")
    with ExitStack() as stack:
        preopens = [_dir(spec, mode) for spec, mode in opts.dirs]  # in the order given
        sockets = [stack.enter_context(_listen(s)) for s in opts.tcplisten]
        config = WasiConfig(
            args=[opts.argv0 or os.path.basename(path), *([] if opts.invoke else opts.args)],
            env=_env(opts.env),
            inherit_env=opts.inherit_env,
            preopens=preopens,
            sockets=sockets,
            timeout=opts.timeout,
            max_memory=opts.max_memory,
            fuel=opts.fuel,
        )
        if opts.stdin is not None:
            try:
                config.stdin = stack.enter_context(open(opts.stdin, "rb")).fileno()
            except OSError as exc:
                raise UsageError(f"--stdin {opts.stdin}: {exc.strerror}") from None
        if opts.deterministic:
            config.clocks, config.random = DeterministicClocks(), SeededRandom(opts.seed or 0)
        config.trace = config.trace or opts.trace  # PYWASIHOST_TRACE=1 works without --trace too
        try:
            module = load_module(wasm, opts.engine, cache=not opts.no_cache)
            # Ctrl-C: a C handler exits 130 at once, even while the guest spins in pure wasm (code
            # compiled without epoch checks, wasmer's or wasmtime's untimed runs, cannot be stopped)
            stack.enter_context(exit_on_sigint(f"pywasihost: {path}: interrupted\n"))
            if opts.invoke:
                with WasiInstance(module, config) as inst:
                    try:
                        return _invoke(inst, opts.invoke, opts.args)
                    except ProcExit as exit_:
                        return exit_.code
            return run(module, config).exit_code
        except (LinkError, ValueError) as exc:
            raise UsageError(f"{path}: {exc}") from None


def _inspect(opts: argparse.Namespace) -> int:
    from .modinfo import describe_module

    path = opts.module
    wasm = _read_module(path)
    try:
        info = describe_module(wasm, engine=opts.engine)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None
    sys.stdout.write(info.format())
    return 0


def _cache(opts: argparse.Namespace) -> int:
    from .cache import default_cache

    cache = default_cache()
    if opts.action == "clear":
        print(f"removed {cache.clear()} compiled modules from {cache.directory}")
    else:
        sys.stdout.write(cache.info().format())
    return 0


COMMANDS = ("run", "inspect", "cache")


def _with_command(argv: list[str]) -> list[str]:
    """``pywasihost prog.wasm ...`` (and ``pywasihost --dir . prog.wasm``) mean ``pywasihost run ...``."""
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        return ["run", *argv]
    return argv


def _guest_args(argv: list[str], opts: argparse.Namespace) -> list[str]:
    """The guest's arguments as given: argparse drops a ``--`` right after the module; put it back."""
    args: list[str] = opts.args
    n = len(args)
    if len(argv) >= n + 2 and argv[len(argv) - n - 1] == "--" and argv[len(argv) - n - 2] == opts.module:
        return ["--", *args]
    return args


def main(argv: list[str] | None = None) -> int:
    argv = _with_command(sys.argv[1:] if argv is None else list(argv))
    opts = _parser(argv[0] if argv and argv[0] in COMMANDS else None).parse_args(argv)
    if opts.command == "run" and not opts.invoke:  # --invoke's ARGS are numbers, never a "--"
        opts.args = _guest_args(argv, opts)
    if opts.command == "cache":
        return _cache(opts)
    from .engines import EngineUnavailable  # run and inspect load the engines and the errors anyway
    from .errors import InvalidExitStatus, Timeout, Trap

    try:
        return _run(opts) if opts.command == "run" else _inspect(opts)
    except EngineUnavailable as exc:  # no engine (or not the one asked for) imports on this Python
        print(f"pywasihost: no WebAssembly engine can run here: {exc}", file=sys.stderr)
        return USAGE_EXIT
    except UsageError as exc:
        print(f"pywasihost: {exc}", file=sys.stderr)
        return USAGE_EXIT
    except Timeout as exc:
        print(f"pywasihost: {opts.module}: {exc}", file=sys.stderr)
        return TIMEOUT_EXIT
    except InvalidExitStatus as exc:  # as wasmtime: an error, in one line, exit code 1
        print(f"pywasihost: {opts.module}: {exc}", file=sys.stderr)
        return INVALID_EXIT
    except Trap as exc:
        print(f"pywasihost: {opts.module}: wasm trap: {exc}", file=sys.stderr)
        return TRAP_EXIT
    except KeyboardInterrupt:  # Ctrl-C: the run's descriptors are closed on the way out
        print(f"pywasihost: {opts.module}: interrupted", file=sys.stderr)
        return INTERRUPTED_EXIT


if __name__ == "__main__":
    sys.exit(main())
