#!/usr/bin/env bash
# Create a virtual environment with pywasihost (editable) and its development tools.
#
#   scripts/setup-venv.sh                 .venv with CPython 3.10 if there is one (both engines),
#                                         else the newest CPython 3.11+ found (wasmtime only)
#   scripts/setup-venv.sh 3.12 .venvs/3.12   a venv of that CPython version in that directory
#
# Pythons are looked for on PATH (python3.X), in pyenv, and as $PYTHON310/$PYTHON312...; a missing
# one makes this exit 3 with one line on stderr. Idempotent: a second run only re-installs the package.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pythons.sh

version=${1:-}
dir=${2:-.venv}
if [ -z "$version" ]; then
    for v in 3.10 3.13 3.12 3.11; do
        if find_python "$v" >/dev/null; then version=$v; break; fi
    done
    if [ -z "$version" ]; then
        echo "error: pywasihost needs CPython 3.10 or newer; none was found on PATH or in pyenv (try 'pyenv install 3.12')" >&2
        exit 3
    fi
fi
if ! PY=$(find_python "$version"); then
    echo "no CPython $version found (on PATH as python$version, in pyenv, or as \$PYTHON${version/./})" >&2
    exit 3
fi
if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$version'" 2>/dev/null; then
    echo "setting up $dir with $PY"
    rm -rf "$dir"
    "$PY" -m venv "$dir"
fi
"$dir/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
"$dir/bin/python" -m pip install --quiet -e '.[dev]'
