# The two commands of README.md. Both set everything up first (.venv: CPython 3.10 where there is one,
# else the newest 3.11+; `make test` also sets up .venvs/3.12 to test wasmtime on a current Python).
.PHONY: demo test lint bench bench-ruby setup

setup:
	@bash scripts/setup-venv.sh

demo: setup
	.venv/bin/python examples/hello.py

test:
	@bash scripts/test.sh

# Every workload on both hosts, on each engine .venv has (about 4 minutes each); writes
# benchmarks/results/ENGINE/latest.{md,json} and ratios.png.
bench: setup
	.venv/bin/python -c 'import matplotlib' 2>/dev/null || .venv/bin/python -m pip install --quiet -e '.[dev,bench]'
	for engine in $$(.venv/bin/python -c 'import pywasihost; print(*(n for n, p in pywasihost.available_engines().items() if p is None))'); do \
		.venv/bin/python -m benchmarks.run --engine $$engine || exit 1; \
	done

# CRuby 3.3 (ruby+stdlib.wasm from npm) started through the Python API, cold then with the compiled-module
# cache warm, on each engine .venv has; writes benchmarks/results/ENGINE/ruby.md. Apart from `make bench`:
# compiling Ruby cold takes a minute or more on wasmer.
bench-ruby: setup
	.venv/bin/python -m benchmarks.ruby
