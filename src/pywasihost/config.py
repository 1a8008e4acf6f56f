"""What a run gets from the host: args, environment, stdio, clocks, randomness, limits.

    config = WasiConfig(args=["prog", "in.txt"], env={"LANG": "C"}, stdin=b"data", stdout=CAPTURE)

Everything has a sane default: no args but the program name, an empty environment, inherited stdio,
the host's clocks and ``os.urandom``. ``deterministic=True`` swaps in fixed clocks and a seeded
generator so that two runs give the same bytes.
"""

from __future__ import annotations

import enum
import io
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Union

from .abi import Clockid
from .memory import MemoryLimits

if TYPE_CHECKING:
    import socket

    from .fdtable import Descriptor
    from .fs.mount import MountSource
    from .fs.objects import FileObject

__all__ = [
    "CAPTURE",
    "INHERIT",
    "NULL",
    "Clocks",
    "DeterministicClocks",
    "Preopen",
    "RandomSource",
    "SeededRandom",
    "Stdio",
    "SystemClocks",
    "SystemRandom",
    "WasiConfig",
]


class Stdio(enum.Enum):
    INHERIT = "inherit"  # the host process's own descriptor
    CAPTURE = "capture"  # collected into bytes, read from RunResult after the run
    NULL = "null"  # empty input / discarded output


INHERIT = Stdio.INHERIT
CAPTURE = Stdio.CAPTURE
NULL = Stdio.NULL

InputSpec = Union[Stdio, bytes, BinaryIO, int, str, "os.PathLike[str]"]
"""stdin: INHERIT, NULL, the bytes to read, a binary stream, a host fd (not closed by the run), or a
file's path (a ``str`` or ``pathlib.Path``: opened for reading, closed at the end of the run)."""
OutputSpec = Union[Stdio, BinaryIO, Callable[[bytes], object], int, str, "os.PathLike[str]"]
"""stdout/stderr: INHERIT, CAPTURE, NULL, a binary stream, a callback taking bytes, a host fd, or a
file's path (a ``str`` or ``pathlib.Path``: created or truncated, closed at the end of the run)."""


def _is_text_stream(spec: object) -> bool:
    return isinstance(spec, io.TextIOBase) or isinstance(getattr(spec, "encoding", None), str)


def _check_args(args: object) -> None:
    if isinstance(args, (str, bytes)):
        raise TypeError(f"args={args!r}: args is a list of strings (args=[{args!r}, ...]), not one string")
    if not isinstance(args, Sequence):
        raise TypeError(f"args={args!r}: args is a list of strings")
    for i, arg in enumerate(args):
        if not isinstance(arg, str):
            raise TypeError(f"args[{i}]={arg!r}: every argument is a str, not {type(arg).__name__}")


def _check_env(env: object) -> None:
    if not isinstance(env, Mapping):
        raise TypeError(f"env={env!r}: env is a mapping of str to str")
    for key, value in env.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"env[{key!r}]={value!r}: environment names and values are str")


def _check_stdin(spec: object) -> None:
    if spec is CAPTURE:
        raise ValueError("stdin=CAPTURE: only output can be captured (stdin takes INHERIT, NULL, bytes...)")
    if isinstance(spec, (Stdio, bytes, bytearray, memoryview, int, os.PathLike)):
        return
    if isinstance(spec, str):
        if not os.path.exists(spec):
            raise ValueError(
                f"stdin={spec!r}: a str is a file's path, and there is no such file; "
                f"to give the guest these characters as its input, pass bytes: stdin={spec.encode()!r}"
            )
        return
    if _is_text_stream(spec):
        raise TypeError(f"stdin={spec!r} is a text stream; the guest reads bytes: pass its binary buffer (.buffer)")
    if not callable(getattr(spec, "readinto", None)):
        raise TypeError(
            f"stdin={spec!r}: expected INHERIT, NULL, bytes, a binary stream (with readinto), a host fd or a path"
        )


def _check_output(name: str, spec: object) -> None:
    if isinstance(spec, (Stdio, int, str, os.PathLike)):
        return
    if _is_text_stream(spec):
        raise TypeError(
            f"{name}={spec!r} is a text stream; the guest writes bytes: pass its binary buffer "
            f"({name}=sys.{name}.buffer), or INHERIT for this process's own {name}"
        )
    if not callable(spec) and not callable(getattr(spec, "write", None)):
        raise TypeError(
            f"{name}={spec!r}: expected INHERIT, CAPTURE, NULL, a binary stream, a callback taking bytes, "
            f"a host fd or a path"
        )


class Clocks:
    """The four clocks of ``Clockid``: ``time`` and ``resolution`` in nanoseconds."""

    def time(self, clock: Clockid) -> int:
        raise NotImplementedError

    def resolution(self, clock: Clockid) -> int:
        raise NotImplementedError

    def sleep(self, ns: int) -> None:
        """Wait ``ns`` nanoseconds (``poll_oneoff`` with only clock subscriptions)."""
        time.sleep(min(ns, _MAX_SLEEP_NS) / 1e9)

    def for_run(self) -> Clocks:
        """The clocks one run uses. Stateless clocks are shared (``self``); clocks with state give
        each run its own copy from the same start, so that reusing a config repeats a run."""
        return self


_MAX_SLEEP_NS = 1 << 62  # about 146 years: longer waits would overflow the host's time type
_MAX_TIMESTAMP = (1 << 64) - 1  # a WASI timestamp is a u64: deterministic time stops there


class SystemClocks(Clocks):
    _NOW: tuple[Callable[[], int], ...] = (time.time_ns, time.monotonic_ns, time.process_time_ns, time.thread_time_ns)
    _HOST = (time.CLOCK_REALTIME, time.CLOCK_MONOTONIC, time.CLOCK_PROCESS_CPUTIME_ID, time.CLOCK_THREAD_CPUTIME_ID)

    def time(self, clock: Clockid) -> int:
        return self._NOW[clock]()

    def resolution(self, clock: Clockid) -> int:
        return max(1, round(time.clock_getres(self._HOST[clock]) * 1e9))


class DeterministicClocks(Clocks):
    """Every clock starts at ``start`` and advances by ``step`` ns at each reading: reproducible runs."""

    def __init__(self, start: int = 1_600_000_000_000_000_000, step: int = 1_000) -> None:
        self.start, self.now, self.step = start, start, step

    def time(self, clock: Clockid) -> int:
        self.now = min(self.now + self.step, _MAX_TIMESTAMP)
        return self.now

    def resolution(self, clock: Clockid) -> int:
        return self.step

    def sleep(self, ns: int) -> None:
        """No real wait: the clocks jump forward, so a run with timers is fast and reproducible."""
        self.now = min(self.now + ns, _MAX_TIMESTAMP)

    def for_run(self) -> DeterministicClocks:
        return DeterministicClocks(self.start, self.step)


class RandomSource:
    def fill(self, buf: memoryview) -> None:
        raise NotImplementedError

    def for_run(self) -> RandomSource:
        """The source one run uses: ``self`` when it has no state; a seeded source starts afresh."""
        return self


class SystemRandom(RandomSource):
    """``os.urandom``, written in chunks so that no request makes the host allocate more than 64 KiB."""

    CHUNK = 1 << 16

    def fill(self, buf: memoryview) -> None:
        n, chunk = len(buf), self.CHUNK
        if n <= chunk:
            buf[:] = os.urandom(n)
            return
        for start in range(0, n, chunk):
            end = min(n, start + chunk)
            buf[start:end] = os.urandom(end - start)


class SeededRandom(RandomSource):
    """A reproducible stream of bytes (not for secrets): the same seed gives the same bytes."""

    def __init__(self, seed: int = 0) -> None:
        import random  # only for seeded runs (it imports hashlib and more)

        self.seed = seed
        self._rng = random.Random(seed)

    def for_run(self) -> SeededRandom:
        return SeededRandom(self.seed)

    def fill(self, buf: memoryview) -> None:
        n, chunk = len(buf), SystemRandom.CHUNK
        for start in range(0, n, chunk):
            end = min(n, start + chunk)
            buf[start:end] = self._rng.randbytes(end - start)


@dataclass(frozen=True)
class Preopen:
    """A directory the guest sees under the name ``guest`` (``/``, ``.``, ``/data``...): a host
    directory (``host`` a ``str`` or ``os.PathLike``), or a filesystem in Python memory
    (``host`` a :class:`~pywasihost.MemoryFS`, or any :class:`~pywasihost.fs.mount.Filesystem`).

    ``readonly``: the guest can read through it but not write, create, truncate, rename, link,
    change times or delete anything beneath it (the host enforces it, not the guest's libc).
    """

    host: MountSource
    guest: str = "."
    readonly: bool = False


def _trace_default() -> bool:
    return os.environ.get("PYWASIHOST_TRACE", "") not in ("", "0")


@dataclass
class WasiConfig:
    """The configuration of one run. ``args[0]`` is the program name the guest sees; with no ``args``
    the guest's argv is the module's file name alone (``main.wasm`` for a module given as bytes).

    ``preopens`` become guest fds 3, 4... in order, then ``sockets`` (listening or connected
    sockets, which the run does not close: the caller owns them), then ``files``: Python file
    objects (see :mod:`pywasihost.fs.objects`), which the run does not close either, or descriptors
    of your own (:class:`~pywasihost.Descriptor` subclasses, whose ``close`` the run calls).
    """

    args: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    inherit_env: bool = False
    stdin: InputSpec = INHERIT
    stdout: OutputSpec = INHERIT
    stderr: OutputSpec = INHERIT
    clocks: Clocks = field(default_factory=SystemClocks)
    random: RandomSource = field(default_factory=SystemRandom)
    trace: bool = field(default_factory=_trace_default)
    trace_hook: Callable[[Any], object] | None = None
    """Called after every host call with a :class:`pywasihost.tracing.TraceEvent` (for tools)."""
    limits: MemoryLimits = field(default_factory=MemoryLimits)
    preopens: Sequence[Preopen] = ()
    sockets: Sequence[socket.socket] = ()
    files: Sequence[FileObject | Descriptor] = ()
    timeout: float | None = None
    """Seconds each call into the guest may take (``run``: the whole run); past it the run ends with
    :class:`pywasihost.Timeout`. wasmtime stops even a guest that never makes a system call; wasmer
    can only check at system calls (and in ``poll_oneoff``'s waits, on every engine)."""
    max_memory: int | None = None
    """Bytes of linear memory the guest may have: ``memory.grow`` past it returns -1 (the guest sees an
    allocation failure). A module whose initial memory is larger does not start (``LimitError``)."""
    fuel: int | None = None
    """An instruction budget (wasmtime only): deterministic, unlike ``timeout``; running out traps."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``TypeError``/``ValueError`` naming the first field that cannot work.

        Run at construction, and again when an instance is created (fields may change in between)."""
        _check_args(self.args)
        _check_env(self.env)
        _check_stdin(self.stdin)
        _check_output("stdout", self.stdout)
        _check_output("stderr", self.stderr)
        for pre in self.preopens:
            if not isinstance(pre, Preopen):
                raise TypeError(f"preopens: {pre!r} is not a Preopen(host, guest)")
        _check_limits(self)

    @classmethod
    def deterministic(cls, seed: int = 0, **kwargs: object) -> WasiConfig:
        """Fixed clocks and a seeded generator: two runs with the same input give the same bytes
        (each run starts the clocks and the generator afresh, so the config can be reused)."""
        return cls(clocks=DeterministicClocks(), random=SeededRandom(seed), **kwargs)  # type: ignore[arg-type]

    def environment(self) -> dict[str, str]:
        """The guest's environment: the host's when ``inherit_env``, then ``env`` on top."""
        out = dict(os.environ) if self.inherit_env else {}
        out.update(self.env)
        return out


def _check_limits(config: WasiConfig) -> None:
    """timeout, max_memory and fuel: positive numbers (whole ones for the last two), or None."""
    for name in ("timeout", "max_memory", "fuel"):
        value = getattr(config, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
            raise ValueError(f"WasiConfig.{name} must be a positive number or None, not {value!r}")
    for name in ("max_memory", "fuel"):
        if getattr(config, name) is not None and not isinstance(getattr(config, name), int):
            raise ValueError(f"WasiConfig.{name} must be a whole number, not {getattr(config, name)!r}")
