# The two commands of README.md. Both set everything up first (a .venv with CPython 3.10).
.PHONY: demo test lint bench setup

setup:
	@bash scripts/setup-venv.sh

demo: setup
	.venv/bin/python examples/hello.py

test: setup
	.venv/bin/python tools/gen_abi.py --check
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/python -m pytest

# Every workload on both hosts (about 3 minutes); writes benchmarks/results/latest.{md,json} and ratios.png.
bench: setup
	.venv/bin/python -c 'import matplotlib' 2>/dev/null || .venv/bin/python -m pip install --quiet -e '.[dev,bench]'
	.venv/bin/python -m benchmarks.run
