#!/usr/bin/env bash
# Create .venv with a CPython 3.10 (the newest Python that wasmer 1.1.0 has wheels for) and install
# pywasihost with its development tools. Idempotent: a second run only re-installs the package.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
    local candidates=()
    [ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
    candidates+=(python3.10)
    if command -v pyenv >/dev/null 2>&1; then
        local root; root=$(pyenv root)
        for d in "$root"/versions/3.10*; do [ -x "$d/bin/python3.10" ] && candidates+=("$d/bin/python3.10"); done
    fi
    for d in "$HOME"/.pyenv/versions/3.10* /root/.pyenv/versions/3.10*; do
        [ -x "$d/bin/python3.10" ] && candidates+=("$d/bin/python3.10")
    done
    for c in "${candidates[@]}"; do
        if "$c" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
            echo "$c"; return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    if ! PY=$(find_python310); then
        cat >&2 <<'MSG'
error: pywasihost needs CPython 3.10: wasmer 1.1.0 publishes wheels only for CPython 3.7-3.10
(on 3.11+ pip installs a stub that cannot import). None was found on PATH (python3.10) or in pyenv.
Install one, e.g. `pyenv install 3.10.13`, or set PYTHON310=/path/to/python3.10, then run this again.
MSG
        exit 1
    fi
    echo "setting up .venv with $PY"
    rm -rf .venv
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet -e '.[dev]'
