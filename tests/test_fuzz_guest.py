"""The guest-level fuzzer (tests/programs/c/fuzz_guest.c): random sequences of path and fd calls
from a seed, run on the engine under test, with the sandbox checked after every run.

The guest itself fails on any answer that is not an errno of the spec. Here, after each seed: the
canary tree beside the sandbox is unchanged (content and mtime of every entry), and no host fd
outlived the run. The CI profile is a few seeds; a long run is one command:

    PYWASIHOST_FUZZ_SEEDS=2000 PYWASIHOST_FUZZ_CALLS=5000 .venv/bin/python -m pytest tests/test_fuzz_guest.py
"""

from __future__ import annotations

import os
from pathlib import Path

from conftest import run_program
from pywasihost import Preopen
from sandbox_watch import host_fds, snapshot

SEEDS = int(os.environ.get("PYWASIHOST_FUZZ_SEEDS", "12"))
CALLS = int(os.environ.get("PYWASIHOST_FUZZ_CALLS", "1500"))


def _fresh(box: Path) -> None:
    """The sandbox each seed starts from: files, a directory, links inside, and the host's link
    "out" to the directory beside the sandbox (the guest must never reach through it)."""
    for entry in sorted(box.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if entry.is_dir() and not entry.is_symlink():
            entry.rmdir()
        else:
            entry.unlink()
    (box / "a").write_bytes(b"a" * 100)
    (box / "d").mkdir()
    (box / "d" / "x").write_bytes(b"x")
    (box / "l").symlink_to("a")
    (box / "ld").symlink_to("d")
    (box / "dangling").symlink_to("nowhere")
    (box / "loop").symlink_to("loop")
    (box / "out").symlink_to("../outside")


def test_guest_fuzzer_stays_in_the_sandbox(tmp_path: Path) -> None:
    box, outside = tmp_path / "box", tmp_path / "outside"
    box.mkdir()
    outside.mkdir()
    (outside / "canary").write_bytes(b"canary")
    (outside / "sub").mkdir()
    canary = snapshot(outside)
    baseline = host_fds()
    total_ok = 0
    for seed in range(SEEDS):
        _fresh(box)
        result = run_program("c/fuzz_guest", str(seed), str(CALLS), preopens=[Preopen(box, "/box")])
        assert result.exit_code == 0, (seed, result.stderr)
        assert result.stdout is not None  # (the fuzzer's random writes may land on stdout too)
        summary = result.stdout.rsplit(b"fuzz seed ", 1)[-1].split()
        assert summary[:2] == [str(seed).encode(), b"calls"], result.stdout[-200:]
        assert int(summary[2]) >= CALLS  # (some steps make two calls)
        total_ok += int(summary[-1])
        assert snapshot(outside) == canary, f"seed {seed} changed something outside the sandbox"
        assert host_fds() == baseline, f"seed {seed} left host fds open"
    assert total_ok > SEEDS * CALLS // 50  # the fuzzer does reach the filesystem, not only errors
