"""The filesystem backends the file, path, directory and sandbox tests run against, and a
backend-neutral way to look at what a guest did.

A test builds its fixture tree on disk under a root (``tmp_path``), then asks the ``backend`` fixture
for its preopens. The ``host`` backend preopens the directories themselves; the ``memory`` backend
copies the whole root into one :class:`MemoryFS` (at the first preopen) and preopens its
subdirectories, so that two preopens are two directories of one tree, as two host directories are
two directories of one disk, and the fixture's "outside" directories are copied too (and must stay
unchanged in memory). :meth:`Backend.view` looks at a directory of either: after a run, the same
assertions hold for both. A memory run must leave the disk exactly as it was:
:meth:`Backend.check_disk_untouched`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from pywasihost import Filetype, MemoryFS, Namespace, Preopen
from sandbox_watch import Snapshot, fd_count_namespace, snapshot

BACKENDS = ["host", "memory"]

# A tree as {relative path: ("dir",) | ("file", content) | ("link", target)}.
Entry = tuple[str] | tuple[str, bytes] | tuple[str, str]
Tree = dict[str, Entry]


@dataclass(frozen=True)
class Stat:
    """What the tests compare of an entry (symlinks not followed)."""

    kind: str  # "file", "dir", "link"
    ino: int
    nlink: int
    size: int
    atime_ns: int
    mtime_ns: int
    ctime_ns: int


class View:
    """A directory of either backend, read the way the tests need (paths relative to it)."""

    def lstat(self, rel: str = ".") -> Stat:
        raise NotImplementedError

    def read_bytes(self, rel: str) -> bytes:
        raise NotImplementedError

    def readlink(self, rel: str) -> str:
        raise NotImplementedError

    def listdir(self, rel: str = ".") -> list[str]:
        """The names in directory ``rel``, sorted."""
        raise NotImplementedError

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` names anything (a dangling symlink too)."""
        try:
            self.lstat(rel)
        except FileNotFoundError:
            return False
        return True

    def tree(self) -> Tree:
        """Everything below (symlinks not followed)."""
        out: Tree = {}

        def below(rel: str) -> None:
            for name in self.listdir(rel):
                path = name if rel == "." else f"{rel}/{name}"
                kind = self.lstat(path).kind
                if kind == "link":
                    out[path] = ("link", self.readlink(path))
                elif kind == "dir":
                    out[path] = ("dir",)
                    below(path)
                else:
                    out[path] = ("file", self.read_bytes(path))

        below(".")
        return out

    def snapshot(self, *, include_top: bool = True) -> dict[str, tuple[object, ...]]:
        """Names, kinds, contents, link targets, inodes, link counts, sizes, mtimes and ctimes
        (not atimes, which reading may move)."""
        entries: Tree = {**({".": ("dir",)} if include_top else {}), **self.tree()}
        out: dict[str, tuple[object, ...]] = {}
        for rel, entry in entries.items():
            st = self.lstat(rel)
            out[rel] = (*entry, st.ino, st.nlink, st.size, st.mtime_ns, st.ctime_ns)
        return out


_KINDS = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "link"}


class HostView(View):
    def __init__(self, root: Path) -> None:
        self.root = root

    def lstat(self, rel: str = ".") -> Stat:
        st = (self.root / rel).lstat()
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), "other")
        return Stat(kind, st.st_ino, st.st_nlink, st.st_size, st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)

    def read_bytes(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()

    def readlink(self, rel: str) -> str:
        return os.readlink(self.root / rel)

    def listdir(self, rel: str = ".") -> list[str]:
        return sorted(os.listdir(self.root / rel))


_FS_KINDS = {Filetype.REGULAR_FILE: "file", Filetype.DIRECTORY: "dir", Filetype.SYMBOLIC_LINK: "link"}


class MemoryView(View):
    def __init__(self, fs: MemoryFS) -> None:
        self.fs = fs

    def lstat(self, rel: str = ".") -> Stat:
        st = self.fs.stat(rel, follow_symlinks=False)
        return Stat(_FS_KINDS[st.filetype], st.ino, st.nlink, st.size, st.atim, st.mtim, st.ctim)

    def read_bytes(self, rel: str) -> bytes:
        return self.fs.read_bytes(rel)

    def readlink(self, rel: str) -> str:
        return self.fs.readlink(rel)

    def listdir(self, rel: str = ".") -> list[str]:
        return sorted(Path(p).name for p in self.fs.iterdir(rel))


class Backend:
    """Preopens of directories below ``root`` on one backend, and views of them."""

    def __init__(self, name: str, root: Path) -> None:
        self.name, self.root = name, root
        self.fs: MemoryFS | None = None
        self._disk: Snapshot | None = None

    @property
    def memory(self) -> bool:
        return self.name == "memory"

    def _tree(self) -> MemoryFS:
        if self.fs is None:
            # Copied before the snapshot reads the files (which may change their atime on the disk).
            self.fs = MemoryFS.from_directory(self.root)
            self._disk = snapshot(self.root)
        return self.fs

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def preopen(self, path: Path, guest: str, *, readonly: bool = False) -> Preopen:
        """Directory ``path`` (below the root) as the preopen ``guest``. On the memory backend the
        root is copied into memory at the first call: build the fixture before."""
        if not self.memory:
            return Preopen(path, guest, readonly=readonly)
        return Preopen(self._tree().subdir(self._rel(path)), guest, readonly=readonly)

    def view(self, path: Path) -> View:
        if not self.memory:
            return HostView(path)
        return MemoryView(self._tree().subdir(self._rel(path)))

    def open_descriptors(self) -> int:
        """Descriptors open on the memory tree (0 on the host backend, whose are host fds)."""
        return self.fs.open_descriptors if self.fs is not None else 0

    def namespace(self) -> Namespace:
        """sandbox_watch.fd_count_namespace, counting the memory tree's open descriptors too."""
        return fd_count_namespace(self.open_descriptors)

    def check_disk_untouched(self) -> None:
        """After a memory run: the disk below the root is exactly as the copy found it."""
        if self.memory and self._disk is not None:
            assert snapshot(self.root) == self._disk


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The test runs once with host directories and once with a MemoryFS copy of ``tmp_path``."""
    return Backend(str(request.param), tmp_path)
