"""Every Python block of README.md runs as written (from the repository root)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(README.parent)
    exec(compile(BLOCKS[index], f"README.md block {index}", "exec"), {"__name__": "readme"})
    assert os.getcwd() == str(README.parent)


def test_readme_shows_the_committed_benchmark_results() -> None:
    # The table in the README is the one the last full run wrote, row for row.
    latest = (README.parent / "benchmarks" / "results" / "latest.md").read_text(encoding="utf-8")
    table = [line for line in latest.splitlines() if line.startswith("|")]
    assert len(table) >= 10  # header, rule, seven workloads, geometric mean
    readme = README.read_text(encoding="utf-8")
    assert "\n".join(table) in readme
    assert (README.parent / "benchmarks" / "results" / "ratios.png").is_file()
