#!/usr/bin/env bash
# Build the brotli command-line tool for wasm32-wasi from the PyPI sdist "Brotli" (its c/ directory:
# the library and tools/brotli.c). Called by benchmarks/fetch.py, which downloads the sdist (pinned
# version and sha256) into its cache; nothing of brotli is in this repository.
#
#   bash benchmarks/programs/build-brotli.sh SDIST.tar.gz OUT.wasm
#
# Toolchain: clang 14 + wasi-libc (Debian packages, sysroot /usr). The build is reproducible (no
# debug info, no absolute paths, no timestamps): brotli 1.2.0 gives the same bytes on every machine
# with the same clang and wasi-libc.
set -euo pipefail
export LC_ALL=C

if [[ $# -ne 2 ]]; then
    echo "usage: $0 SDIST.tar.gz OUT.wasm" >&2
    exit 2
fi
sdist=$(realpath "$1")
out=$(realpath -m "$2")
CLANG=${CLANG:-clang}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Only the C sources; --no-same-owner/--no-same-permissions: our umask, our user.
tar -xzf "$sdist" -C "$tmp" --no-same-owner --no-same-permissions --wildcards '*/c/*'
src=$(echo "$tmp"/*/c)
cd "$src"

# Third-party code: no -Werror (its warnings are not ours to fix). clock() comes from wasi-libc's
# process-clock emulation. WASI preview 1 has no file modes or owners: chmod/chown become no-ops,
# as brotli itself does for Windows (they only run when brotli writes an output file, to copy the
# input's mode and owner).
"$CLANG" --target=wasm32-wasi --sysroot=/usr -O2 -g0 "-ffile-prefix-map=$src=." -Wl,--strip-debug \
    -Iinclude -D_WASI_EMULATED_PROCESS_CLOCKS '-Dchmod(F,P)=0' '-Dchown(F,O,G)=0' \
    -o "$out" common/*.c dec/*.c enc/*.c tools/brotli.c -lwasi-emulated-process-clocks
chmod 644 "$out"
