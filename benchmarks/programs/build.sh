#!/usr/bin/env bash
# Rebuild the benchmark guest programs of our own (*.c -> *.wasm next to the
# source). The real programs (brotli, flite) are not here: benchmarks/fetch.py
# takes them from PyPI and npm at run time, and build-brotli.sh builds brotli.
#
#   bash benchmarks/programs/build.sh          rebuild in place
#   bash benchmarks/programs/build.sh --check  rebuild into a temp dir; fail if
#                                              any committed .wasm differs
#
# Toolchain: clang 14 + wasi-libc (Debian packages, sysroot /usr). Builds are
# reproducible (no debug info, no absolute paths, no timestamps); --check is
# byte-exact, so it needs the same clang/wasi-libc versions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export LC_ALL=C

CLANG=${CLANG:-clang}
CFLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -g0
        -Wall -Wextra -Werror "-ffile-prefix-map=$PWD=." -Wl,--strip-debug)

build_into() {
    local out=$1 src
    mkdir -p "$out"
    for src in *.c; do
        "$CLANG" "${CFLAGS[@]}" -o "$out/$(basename "$src" .c).wasm" "$src"
    done
    chmod 644 "$out"/*.wasm
}

case "${1:-}" in
"")
    build_into .
    echo "built: $(ls *.wasm | wc -l) programs"
    ;;
--check)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    build_into "$tmp"
    status=0
    for built in "$tmp"/*.wasm; do
        rel=$(basename "$built")
        if [[ ! -f $rel ]]; then
            echo "MISSING: $rel (not committed; run build.sh)" >&2
            status=1
        elif ! cmp -s "$built" "$rel"; then
            echo "DIFFERS: $rel (stale or non-reproducible; run build.sh)" >&2
            status=1
        fi
    done
    if [[ $status -ne 0 ]]; then
        echo "toolchain: $("$CLANG" --version | head -n1)" >&2
        exit 1
    fi
    echo "ok: every committed .wasm matches a fresh build"
    ;;
*)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
