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
    # Each engine's table in the README is the one its last full run wrote, row for row.
    results = README.parent / "benchmarks" / "results"
    engines = sorted(p.name for p in results.iterdir() if (p / "latest.md").is_file())
    assert "wasmer" in engines
    readme = README.read_text(encoding="utf-8")
    for engine in engines:
        latest = (results / engine / "latest.md").read_text(encoding="utf-8")
        table = [line for line in latest.splitlines() if line.startswith("|")]
        assert len(table) >= 10  # header, rule, seven workloads, geometric mean
        assert "\n".join(table) in readme, engine
        assert (results / engine / "ratios.png").is_file()


def test_readme_shows_the_committed_ruby_results() -> None:
    # The CRuby table in the README holds each engine's row from its last `benchmarks.ruby` run.
    results = README.parent / "benchmarks" / "results"
    readme = README.read_text(encoding="utf-8")
    written = sorted(results.glob("*/ruby.md"))
    assert written
    for path in written:
        rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("| wasm")]
        assert len(rows) == 1 and rows[0] in readme, path
