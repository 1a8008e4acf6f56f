#!/usr/bin/env bash
# The README's test command (`make test`): static checks once, then the whole test suite once per
# engine on each Python that has it:
#   CPython 3.10: wasmer and wasmtime (wasmer 1.1 has wheels only up to 3.10)
#   CPython 3.12: wasmtime (if 3.12 is missing, the newest 3.11+ found stands in)
# A Python that is missing is named in one line, with what was skipped; at least one run must happen.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pythons.sh

# The benchmark smoke test builds brotli from its PyPI sdist with clang + wasi-libc (Debian packages).
if ! command -v clang >/dev/null || [ ! -d /usr/include/wasm32-wasi ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -q && apt-get install -y -q clang lld wasi-libc libclang-rt-14-dev-wasm32
    else
        echo "error: clang and wasi-libc are needed (Debian: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)" >&2
        exit 3
    fi
fi

bash scripts/setup-venv.sh  # .venv: the static checks and the demo
.venv/bin/python tools/gen_abi.py --check
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

venv_for() {  # venv_for X.Y: a venv of that version (.venv when it is one), set up on first use
    if .venv/bin/python -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$1'" 2>/dev/null; then
        echo .venv
    else
        bash scripts/setup-venv.sh "$1" ".venvs/$1" >&2 && echo ".venvs/$1"
    fi
}

runs=()
skipped=()
if find_python 3.10 >/dev/null; then
    runs+=("3.10 wasmer" "3.10 wasmtime")
else
    skipped+=("no CPython 3.10: skipped the wasmer engine (its wheels exist only for CPython 3.7-3.10) and wasmtime on 3.10")
fi
newer=""
for v in 3.12 3.13 3.11; do
    if find_python "$v" >/dev/null; then newer=$v; break; fi
done
if [ -n "$newer" ]; then
    runs+=("$newer wasmtime")
    [ "$newer" = 3.12 ] || skipped+=("no CPython 3.12: ran wasmtime on $newer instead")
else
    skipped+=("no CPython 3.11+: skipped wasmtime on a Python newer than 3.10")
fi
[ ${#runs[@]} -gt 0 ] || { echo "error: no CPython 3.10+ found: nothing to test" >&2; exit 3; }

for run in "${runs[@]}"; do
    read -r version engine <<<"$run"
    venv=$(venv_for "$version")
    echo "=== tests: CPython $version, engine $engine"
    "$venv/bin/python" -m pytest --engine "$engine" "$@"
done
for line in "${skipped[@]}"; do echo "skipped: $line"; done
echo "tested: ${runs[*]/%/;}" | sed 's/;$//'
