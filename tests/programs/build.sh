#!/usr/bin/env bash
# Rebuild every guest test program and write each .wasm next to its source.
#
#   bash tests/programs/build.sh          rebuild in place
#   bash tests/programs/build.sh --check  rebuild into a temp dir; fail if any
#                                         committed .wasm differs (or is missing)
#
# Toolchains (Debian packages): clang 14 + wasi-libc (sysroot /usr), Debian's
# rustc 1.63 at /usr/bin/rustc with the wasm32-unknown-unknown target, and
# wat2wasm from wabt 1.0.32. Other versions build working programs, but not
# byte-identical ones, so --check only makes sense with these versions.
# Builds are reproducible: no debug info, no absolute paths, no timestamps.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export LC_ALL=C

CLANG=${CLANG:-clang}
RUSTC=${RUSTC:-/usr/bin/rustc}   # not rustup's rustc: it lacks the wasm targets
WAT2WASM=${WAT2WASM:-wat2wasm}

CFLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -g0
        -Wall -Wextra -Werror "-ffile-prefix-map=$PWD=." -Wl,--strip-debug)

# build_into OUT: build everything below OUT (same layout as this directory).
build_into() {
    local out=$1 src name
    mkdir -p "$out/hello_wasi" "$out/rust_std" "$out/c" "$out/reactor" "$out/wat"

    # Rust: hand-declared WASI imports, no std, no WASI crate.
    "$RUSTC" --edition 2021 --crate-type cdylib --crate-name hello_wasi \
        --target wasm32-unknown-unknown -O -C codegen-units=1 -C panic=abort \
        -C debuginfo=0 -C strip=symbols "--remap-path-prefix=$PWD=." \
        -o "$out/hello_wasi/hello_wasi.wasm" hello_wasi/src/lib.rs

    # Rust std for wasm32-wasi: std::fs as Rust programs use it.
    "$RUSTC" --edition 2021 --crate-name fs_std --target wasm32-wasi -O -C codegen-units=1 \
        -C debuginfo=0 -C strip=symbols "--remap-path-prefix=$PWD=." \
        -o "$out/rust_std/fs_std.wasm" rust_std/fs_std.rs
    "$RUSTC" --edition 2021 --crate-name panic --target wasm32-wasi -O -C codegen-units=1 \
        -C debuginfo=0 -C strip=symbols "--remap-path-prefix=$PWD=." \
        -o "$out/rust_std/panic.wasm" rust_std/panic.rs

    # C: wasi-libc command modules.
    for src in c/*.c; do
        name=$(basename "$src" .c)
        "$CLANG" "${CFLAGS[@]}" -o "$out/c/$name.wasm" "$src"
    done

    # C: wasi-libc reactor modules (_initialize, then the host calls the exports).
    for src in reactor/*.c; do
        name=$(basename "$src" .c)
        "$CLANG" "${CFLAGS[@]}" -mexec-model=reactor -o "$out/reactor/$name.wasm" "$src"
    done

    # WAT: hand-written hostile modules.
    for src in wat/*.wat; do
        name=$(basename "$src" .wat)
        "$WAT2WASM" -o "$out/wat/$name.wasm" "$src"
    done
    chmod 644 "$out"/hello_wasi/*.wasm "$out"/rust_std/*.wasm "$out"/c/*.wasm "$out"/reactor/*.wasm "$out"/wat/*.wasm
}

case "${1:-}" in
"")
    build_into .
    echo "built: $(ls hello_wasi/*.wasm rust_std/*.wasm c/*.wasm reactor/*.wasm wat/*.wasm | wc -l) programs"
    ;;
--check)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    build_into "$tmp"
    status=0
    while IFS= read -r -d '' built; do
        rel=${built#"$tmp"/}
        if [[ ! -f $rel ]]; then
            echo "MISSING: $rel (not committed; run build.sh)" >&2
            status=1
        elif ! cmp -s "$built" "$rel"; then
            echo "DIFFERS: $rel (stale or non-reproducible; run build.sh)" >&2
            status=1
        fi
    done < <(find "$tmp" -name '*.wasm' -print0 | sort -z)
    if [[ $status -ne 0 ]]; then
        echo "toolchain: $("$CLANG" --version | head -n1); $("$RUSTC" --version);" \
             "wat2wasm $("$WAT2WASM" --version)" >&2
        exit 1
    fi
    echo "ok: every committed .wasm matches a fresh build"
    ;;
*)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
