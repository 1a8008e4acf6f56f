"""The path resolver: every guest path stays beneath its base directory, and no fd leaks.

Each attack test runs against real directories: a sandbox ``box``, a sibling ``box2`` whose name
starts with the sandbox's, and ``outside`` with a secret file. Besides the errno, each checks that
nothing outside changed (a snapshot of names, contents, modes and mtimes), that nothing outside was
opened for reading or writing or created (an inotify watch on every outside directory: inotify
reports opens, reads, writes and creations, though not ``O_PATH`` opens), and that no host fd
still points outside (a scan of ``/proc/self/fd``, which does see ``O_PATH`` fds).
"""

from __future__ import annotations

import ctypes
import errno as host_errno
import importlib
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pywasihost.abi import Errno
from pywasihost.errors import WasiError
from pywasihost.fs import MAX_SYMLINKS, Resolved, open_beneath, resolve
from sandbox_watch import InotifyWatch, Snapshot, host_fds, libc, snapshot

# The module, which the package's ``resolve`` function shadows as an attribute.
resolve_module = importlib.import_module("pywasihost.fs.resolve")

# Linux only, as the project is (/proc, O_PATH and inotify are used here).

RDONLY = os.O_RDONLY
CREATE = os.O_CREAT | os.O_WRONLY
CREATE_TRUNC = os.O_CREAT | os.O_WRONLY | os.O_TRUNC
SECRET = b"TOP SECRET"

# --------------------------------------------------------------------------------------------------
# Watching the outside (sandbox_watch: inotify, snapshots, this process's fds), and where an fd points.


def fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def is_beneath(path: str, top: Path) -> bool:
    top_s = os.path.realpath(top)
    return path == top_s or path.startswith(top_s + os.sep)


# --------------------------------------------------------------------------------------------------
# The sandbox.


@dataclass
class Tree:
    root: Path
    box: Path
    box2: Path
    outside: Path
    secret: Path
    base: int
    watch: InotifyWatch | None = None
    before: dict[str, Snapshot] = field(default_factory=dict)

    def guarded(self) -> list[Path]:
        return [self.outside, self.box2]

    def start_watching(self) -> None:
        self.before = {str(p): snapshot(p) for p in self.guarded()}
        dirs = [Path(d) for top in self.guarded() for d, _, _ in os.walk(top)]
        self.watch = InotifyWatch(dirs)

    def assert_outside_untouched(self) -> None:
        """Nothing outside the box was opened, read, written, created, or changed; no fd points there."""
        assert self.watch is not None
        assert self.watch.events() == []  # read first: the snapshot below opens the files itself
        for top in self.guarded():
            assert [fd for fd, p in host_fds().items() if is_beneath(p, top)] == []
            assert snapshot(top) == self.before[str(top)]
        assert self.secret.read_bytes() == SECRET


def build_tree(root: Path) -> Tree:
    """::

    root/box/         the sandbox (the base fd)
        file                "inside"
        a/b/c.txt           "c"
        sub/link         -> ../file                  (legal: stays in the box)
        d/esc            -> ../../outside/secret     (wasmer CVE-2024-38358)
        d/escnew         -> ../../outside/created    (dangling, outside)
        esc_dir          -> ../outside               (GHSA-vqjp-4c8c-hfgg)
        esc_file         -> ../outside/secret
        dot              -> .
        dir_link         -> a
        abs              -> /.../outside/secret
        absdir           -> /.../outside
        loop_a -> loop_b -> loop_a
        dangle           -> newfile                  (dangling, inside)
    root/box2/x         "sibling"
    root/outside/secret "TOP SECRET", outside/a/b/
    """
    box, box2, outside = root / "box", root / "box2", root / "outside"
    for d in (box / "a" / "b", box / "sub", box / "d", box2, outside / "a" / "b"):
        d.mkdir(parents=True)
    (box / "file").write_bytes(b"inside")
    (box / "a" / "b" / "c.txt").write_bytes(b"c")
    (box2 / "x").write_bytes(b"sibling")
    secret = outside / "secret"
    secret.write_bytes(SECRET)
    links = {
        "sub/link": "../file",
        "d/esc": "../../outside/secret",
        "d/escnew": "../../outside/created",
        "esc_dir": "../outside",
        "esc_file": "../outside/secret",
        "dot": ".",
        "dir_link": "a",
        "abs": str(secret),
        "absdir": str(outside),
        "loop_a": "loop_b",
        "loop_b": "loop_a",
        "dangle": "newfile",
    }
    for name, target in links.items():
        os.symlink(target, box / name)
    base = os.open(box, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    return Tree(root, box, box2, outside, secret, base)


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Tree]:
    t = build_tree(tmp_path)
    t.start_watching()
    yield t
    assert t.watch is not None
    t.watch.close()
    os.close(t.base)


BASE = "the base directory"


def where(r: Resolved, base: int) -> object:
    """``r.dir_fd``, as :data:`BASE` when it is the base directory: the base fd itself (the walk
    returns it), or a new fd to it (``openat2`` of ``a/..`` opens one), owned exactly when new."""
    assert r.owned == (r.dir_fd != base)
    a, b = os.fstat(r.dir_fd), os.fstat(base)
    return BASE if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino) else r.dir_fd


@pytest.fixture(autouse=True, params=["openat2", "walk"])
def resolver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs twice: with the kernel's openat2 shortcut where it exists, and with the walk
    alone (as on a kernel without openat2)."""
    if request.param == "walk":
        monkeypatch.setattr(resolve_module, "USE_OPENAT2", False)
    else:
        assert resolve_module.USE_OPENAT2, "this kernel has no openat2: the shortcut is untested"
    return str(request.param)


def errno_of(exc: pytest.ExceptionInfo[WasiError]) -> Errno:
    return exc.value.errno


def refused(base: int, path: str, *, follow: bool) -> Errno:
    with pytest.raises(WasiError) as exc:
        resolve(base, path, follow=follow)
    return errno_of(exc)


def open_refused(base: int, path: str, flags: int, *, follow: bool) -> Errno:
    with pytest.raises(WasiError) as exc:
        open_beneath(base, path, flags, follow=follow)
    return errno_of(exc)


def read_beneath(base: int, path: str, *, follow: bool) -> bytes:
    fd = open_beneath(base, path, RDONLY, follow=follow)
    try:
        return os.read(fd, 100)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------------
# The guard itself must see what it is meant to catch.


def test_guard_sees_outside_access(tree: Tree) -> None:
    assert tree.watch is not None
    fd = os.open(tree.secret, os.O_RDONLY)
    os.read(fd, 1)
    os.close(fd)
    (tree.outside / "a" / "new").write_bytes(b"")
    masks = {(str(where / name), m & 0x123) for where, name, m in tree.watch.events()}
    assert (str(tree.secret), 0x20) in masks  # IN_OPEN
    assert (str(tree.secret), 0x01) in masks  # IN_ACCESS
    assert (str(tree.outside / "a" / "new"), 0x100) in masks  # IN_CREATE
    fd = os.open(tree.outside, os.O_PATH)
    try:
        assert fd in [f for f, p in host_fds().items() if is_beneath(p, tree.outside)]
    finally:
        os.close(fd)
    (tree.outside / "a" / "new").unlink()
    with pytest.raises(AssertionError):
        tree.assert_outside_untouched()  # the deletion above changed the outside's mtimes


# --------------------------------------------------------------------------------------------------
# Paths that stay inside.


def test_plain_nested_path(tree: Tree) -> None:
    with resolve(tree.base, "a/b/c.txt", follow=False) as r:
        assert (r.name, r.trailing_slash, r.owned) == ("c.txt", False, True)
        assert fd_path(r.dir_fd) == str(tree.box / "a" / "b")
    assert read_beneath(tree.base, "a/b/c.txt", follow=False) == b"c"
    assert read_beneath(tree.base, "file", follow=True) == b"inside"
    tree.assert_outside_untouched()


def test_owned_fd_and_close(tree: Tree) -> None:
    r = resolve(tree.base, "file", follow=False)
    assert (where(r, tree.base), r.name) == (BASE, "file")
    r.close()
    os.fstat(tree.base)  # the base is never closed
    r = resolve(tree.base, "a/b/c.txt", follow=False)
    with r:
        os.fstat(r.dir_fd)
    with pytest.raises(OSError) as exc:
        os.fstat(r.dir_fd)
    assert exc.value.errno == host_errno.EBADF
    r.close()  # twice is harmless
    assert isinstance(r, Resolved)


def test_dot(tree: Tree) -> None:
    for path in (".", "./", "./.", ".//."):
        with resolve(tree.base, path, follow=True) as r:
            assert (where(r, tree.base), r.name) == (BASE, ".")
    fd = open_beneath(tree.base, ".", os.O_RDONLY | os.O_DIRECTORY, follow=False)
    try:
        assert sorted(os.listdir(fd)) == sorted(os.listdir(tree.box))
    finally:
        os.close(fd)
    tree.assert_outside_untouched()


def test_dot_components(tree: Tree) -> None:
    for path in ("a/./b", "./a/b", "a//b", "a/./././b"):
        with resolve(tree.base, path, follow=False) as r:
            assert (fd_path(r.dir_fd), r.name) == (str(tree.box / "a"), "b")
    tree.assert_outside_untouched()


def test_dotdot_inside(tree: Tree) -> None:
    with resolve(tree.base, "a/../file", follow=False) as r:
        assert (where(r, tree.base), r.name) == (BASE, "file")
    with resolve(tree.base, "a/b/../b/c.txt", follow=False) as r:
        assert (fd_path(r.dir_fd), r.name) == (str(tree.box / "a" / "b"), "c.txt")
    for path in ("a/..", "a/b/../..", "a/../", "a/b/../../."):
        with resolve(tree.base, path, follow=False) as r:
            assert (where(r, tree.base), r.name) == (BASE, ".")
    assert read_beneath(tree.base, "a/b/../../file", follow=False) == b"inside"
    tree.assert_outside_untouched()


def test_dotdot_is_physical_after_a_symlinked_dir(tree: Tree) -> None:
    # dir_link -> a, so dir_link/.. is a/.. = the box (as the kernel does it), not a lexical no-op.
    with resolve(tree.base, "dir_link/..", follow=False) as r:
        assert (where(r, tree.base), r.name) == (BASE, ".")
    with resolve(tree.base, "dir_link/b/c.txt", follow=False) as r:
        assert (fd_path(r.dir_fd), r.name) == (str(tree.box / "a" / "b"), "c.txt")
    assert refused(tree.base, "dir_link/../..", follow=False) == Errno.NOTCAPABLE
    tree.assert_outside_untouched()


def test_trailing_slash_on_dir(tree: Tree) -> None:
    with resolve(tree.base, "a/b/", follow=False) as r:
        assert (fd_path(r.dir_fd), r.name, r.trailing_slash) == (str(tree.box / "a"), "b", True)
    fd = open_beneath(tree.base, "a/b/", RDONLY, follow=False)
    try:
        assert stat.S_ISDIR(os.fstat(fd).st_mode)
    finally:
        os.close(fd)
    # A trailing slash on a symlink to a directory inside follows it (POSIX), even without follow.
    with resolve(tree.base, "dir_link/", follow=False) as r:
        assert (where(r, tree.base), r.name, r.trailing_slash) == (BASE, "a", True)
    # A missing final component with a slash is left to the caller (mkdir may create it).
    with resolve(tree.base, "a/newdir/", follow=False) as r:
        assert (r.name, r.trailing_slash) == ("newdir", True)
    assert open_refused(tree.base, "a/newdir/", RDONLY, follow=False) == Errno.NOENT
    assert open_refused(tree.base, "a/newdir/", CREATE, follow=False) == Errno.ISDIR
    assert not (tree.box / "a" / "newdir").exists()
    tree.assert_outside_untouched()


def test_trailing_slash_on_file(tree: Tree) -> None:
    for path in ("file/", "a/b/c.txt/", "file//", "sub/link/"):
        assert refused(tree.base, path, follow=False) == Errno.NOTDIR
        assert refused(tree.base, path, follow=True) == Errno.NOTDIR
        assert open_refused(tree.base, path, RDONLY, follow=False) == Errno.NOTDIR
        # CREAT at a name ending with a slash: ISDIR whatever is there, as Linux's open(2) answers.
        assert open_refused(tree.base, path, CREATE_TRUNC, follow=False) == Errno.ISDIR
    assert (tree.box / "file").read_bytes() == b"inside"
    tree.assert_outside_untouched()


def test_dot_after_a_file_or_an_escaping_symlink(tree: Tree) -> None:
    # "x/." traverses x: a file there is NOTDIR, a symlink there is expanded (and refused if it escapes)
    for path in ("file/.", "a/b/c.txt/.", "file/./", "file/.."):
        assert refused(tree.base, path, follow=False) == Errno.NOTDIR, path
        assert open_refused(tree.base, path, RDONLY, follow=False) == Errno.NOTDIR, path
    assert refused(tree.base, "esc_dir/.", follow=False) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "esc_dir/.", RDONLY, follow=False) == Errno.NOTCAPABLE
    tree.assert_outside_untouched()


def test_missing_and_non_directory_components(tree: Tree) -> None:
    assert refused(tree.base, "missing/x", follow=False) == Errno.NOENT
    assert refused(tree.base, "file/x", follow=False) == Errno.NOTDIR
    assert refused(tree.base, "sub/link/x", follow=False) == Errno.NOTDIR  # a symlink to a file
    assert refused(tree.base, "file/..", follow=False) == Errno.NOTDIR
    with resolve(tree.base, "a/missing", follow=True) as r:
        assert r.name == "missing"
    assert open_refused(tree.base, "a/missing", RDONLY, follow=True) == Errno.NOENT
    tree.assert_outside_untouched()


def test_symlink_inside_via_dotdot(tree: Tree) -> None:
    # sub/link -> ../file: a `..` in a target is legal while it stays in the box.
    with resolve(tree.base, "sub/link", follow=True) as r:
        assert (where(r, tree.base), r.name) == (BASE, "file")
    with resolve(tree.base, "sub/link", follow=False) as r:
        assert (fd_path(r.dir_fd), r.name) == (str(tree.box / "sub"), "link")
    assert read_beneath(tree.base, "sub/link", follow=True) == b"inside"
    assert open_refused(tree.base, "sub/link", RDONLY, follow=False) == Errno.LOOP
    tree.assert_outside_untouched()


def test_link_to_dot_inside(tree: Tree) -> None:
    with resolve(tree.base, "dot/dot/dot/file", follow=False) as r:
        assert (where(r, tree.base), r.name) == (BASE, "file")
    with resolve(tree.base, "dot", follow=True) as r:
        assert (where(r, tree.base), r.name) == (BASE, ".")
    tree.assert_outside_untouched()


# --------------------------------------------------------------------------------------------------
# Malformed paths, refused before any system call.


def test_empty_path(tree: Tree) -> None:
    assert refused(tree.base, "", follow=False) == Errno.NOENT
    assert open_refused(tree.base, "", CREATE, follow=True) == Errno.NOENT
    tree.assert_outside_untouched()


def test_absolute_path(tree: Tree) -> None:
    for path in ("/", "/etc/passwd", str(tree.secret), "//x", str(tree.box / "file")):
        assert refused(tree.base, path, follow=False) == Errno.NOTCAPABLE
        assert open_refused(tree.base, path, RDONLY, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, str(tree.outside / "created"), CREATE, follow=True) == Errno.NOTCAPABLE
    tree.assert_outside_untouched()


def test_nul_byte(tree: Tree) -> None:
    for path in ("fi\0le", "\0", "a/\0/b", "file\0../../outside/secret"):
        assert refused(tree.base, path, follow=False) in (Errno.INVAL, Errno.ILSEQ)
        assert open_refused(tree.base, path, CREATE, follow=True) in (Errno.INVAL, Errno.ILSEQ)
    tree.assert_outside_untouched()


def test_invalid_utf8(tree: Tree) -> None:
    # A lone surrogate: what a str holds where the guest's bytes were not UTF-8 (surrogateescape).
    assert refused(tree.base, "a/\udcff", follow=False) == Errno.ILSEQ
    tree.assert_outside_untouched()


def test_path_too_long(tree: Tree) -> None:
    with resolve(tree.base, "./" * 2048, follow=False) as r:  # exactly 4096 bytes: accepted
        assert r.name == "."
    assert refused(tree.base, "./" * 2048 + ".", follow=False) == Errno.NAMETOOLONG
    assert refused(tree.base, "é" * 2049, follow=False) == Errno.NAMETOOLONG  # 2049 chars, 4098 bytes
    tree.assert_outside_untouched()


def test_depth_bound(tree: Tree) -> None:
    with resolve(tree.base, "a/b/c.txt", follow=False, max_depth=2) as r:
        assert r.name == "c.txt"
    with pytest.raises(WasiError) as exc:
        resolve(tree.base, "a/b/c.txt", follow=False, max_depth=1)
    assert errno_of(exc) == Errno.NAMETOOLONG


# --------------------------------------------------------------------------------------------------
# Escapes.


def test_dotdot_alone(tree: Tree) -> None:
    for path in ("..", "../", "./..", "../box", "../box/file"):
        assert refused(tree.base, path, follow=False) == Errno.NOTCAPABLE
        assert open_refused(tree.base, path, RDONLY, follow=True) == Errno.NOTCAPABLE
    tree.assert_outside_untouched()


def test_dotdot_past_base_after_descending(tree: Tree) -> None:
    for path in ("a/../../x", "a/../..", "a/b/../../../outside/secret", "a/b/../../../outside/"):
        assert refused(tree.base, path, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "a/b/../../../outside/secret", RDONLY, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "a/../../outside/created", CREATE, follow=False) == Errno.NOTCAPABLE
    tree.assert_outside_untouched()


def test_sibling_with_the_sandbox_name_as_prefix(tree: Tree) -> None:
    # box2 passes `normpath(join(root, p)).startswith(root)` for root=.../box: the pywasm escape.
    assert refused(tree.base, "../box2/x", follow=False) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "../box2/x", RDONLY, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "../box2/new", CREATE, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "a/../../box2/x", CREATE_TRUNC, follow=True) == Errno.NOTCAPABLE
    tree.assert_outside_untouched()  # box2 is guarded too: its x was neither opened nor changed


def test_symlink_to_outside_followed(tree: Tree) -> None:
    # wasmer CVE-2024-38358: d/esc -> ../../outside/secret, opened with FOLLOW, to read and to write.
    assert refused(tree.base, "d/esc", follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "d/esc", RDONLY, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "d/esc", CREATE_TRUNC, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "d/escnew", CREATE, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "esc_file", os.O_RDWR, follow=True) == Errno.NOTCAPABLE
    # Not following: the link itself is named, never its target.
    assert open_refused(tree.base, "d/esc", RDONLY, follow=False) == Errno.LOOP
    assert open_refused(tree.base, "d/escnew", CREATE, follow=False) == Errno.LOOP
    assert not (tree.outside / "created").exists()
    tree.assert_outside_untouched()


def test_symlink_to_outside_as_intermediate(tree: Tree) -> None:
    for follow in (False, True):
        assert refused(tree.base, "esc_dir/secret", follow=follow) == Errno.NOTCAPABLE
        assert open_refused(tree.base, "esc_dir/created", CREATE, follow=follow) == Errno.NOTCAPABLE
        assert refused(tree.base, "d/../esc_dir/a/b", follow=follow) == Errno.NOTCAPABLE
    assert not (tree.outside / "created").exists()
    tree.assert_outside_untouched()


def test_link_to_dot_then_dotdot(tree: Tree) -> None:
    # The erlang host's escape: dot -> . ; then dot/.. is the box's parent.
    for path in ("dot/../../outside/secret", "dot/../outside/secret", "dot/..", "dot/dot/../box/file"):
        assert refused(tree.base, path, follow=True) == Errno.NOTCAPABLE
        assert open_refused(tree.base, path, RDONLY, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "dot/../outside/created", CREATE, follow=False) == Errno.NOTCAPABLE
    tree.assert_outside_untouched()


def test_trailing_slash_on_symlink_to_outside(tree: Tree) -> None:
    # GHSA-vqjp-4c8c-hfgg: `esc_dir/` without follow; a kernel given the slash follows the link anyway.
    for path in ("esc_dir/", "esc_dir//", "esc_file/", "d/esc/", "d/escnew/"):
        assert refused(tree.base, path, follow=False) == Errno.NOTCAPABLE
        assert open_refused(tree.base, path, RDONLY, follow=False) == Errno.NOTCAPABLE
        assert open_refused(tree.base, path, os.O_RDONLY | os.O_DIRECTORY, follow=False) == Errno.NOTCAPABLE
    # Without the slash and without follow, the link itself is named; opening it is refused.
    with resolve(tree.base, "esc_dir", follow=False) as r:
        assert (where(r, tree.base), r.name, r.trailing_slash) == (BASE, "esc_dir", False)
    assert open_refused(tree.base, "esc_dir", RDONLY, follow=False) == Errno.LOOP
    tree.assert_outside_untouched()


def test_symlink_with_absolute_target(tree: Tree) -> None:
    assert refused(tree.base, "abs", follow=True) == Errno.NOTCAPABLE
    assert refused(tree.base, "abs/", follow=False) == Errno.NOTCAPABLE
    assert refused(tree.base, "absdir/secret", follow=False) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "abs", RDONLY, follow=True) == Errno.NOTCAPABLE
    assert open_refused(tree.base, "absdir/created", CREATE, follow=True) == Errno.NOTCAPABLE
    with resolve(tree.base, "abs", follow=False) as r:  # not followed: the link itself
        assert (where(r, tree.base), r.name) == (BASE, "abs")
    tree.assert_outside_untouched()


def test_symlink_loop(tree: Tree) -> None:
    assert refused(tree.base, "loop_a", follow=True) == Errno.LOOP
    assert refused(tree.base, "loop_a/x", follow=False) == Errno.LOOP
    assert refused(tree.base, "loop_b/", follow=False) == Errno.LOOP
    assert open_refused(tree.base, "loop_a", CREATE, follow=True) == Errno.LOOP
    assert open_refused(tree.base, "loop_a", CREATE, follow=False) == Errno.LOOP
    tree.assert_outside_untouched()


@pytest.mark.parametrize("length", [39, 40, 41])
def test_symlink_chain(tree: Tree, length: int) -> None:
    # c0 -> c1 -> ... -> c{length-1} -> file (and k0 -> ... -> a, used as a directory)
    for prefix, end in (("c", "file"), ("k", "a")):
        for i in range(length):
            os.symlink(f"{prefix}{i + 1}" if i + 1 < length else end, tree.box / f"{prefix}{i}")
    if length <= MAX_SYMLINKS:
        with resolve(tree.base, "c0", follow=True) as r:
            assert (where(r, tree.base), r.name) == (BASE, "file")
        with resolve(tree.base, "k0/b/c.txt", follow=False) as r:
            assert (fd_path(r.dir_fd), r.name) == (str(tree.box / "a" / "b"), "c.txt")
        assert read_beneath(tree.base, "c0", follow=True) == b"inside"
    else:
        assert refused(tree.base, "c0", follow=True) == Errno.LOOP
        assert refused(tree.base, "k0/b/c.txt", follow=False) == Errno.LOOP
        assert open_refused(tree.base, "c0", RDONLY, follow=True) == Errno.LOOP
    with pytest.raises(WasiError) as exc:  # the limit is the caller's to lower
        resolve(tree.base, "c0", follow=True, max_symlinks=length - 1)
    assert errno_of(exc) == Errno.LOOP
    tree.assert_outside_untouched()


def test_dangling_symlink_create(tree: Tree) -> None:
    # dangle -> newfile: O_CREAT without follow must not create the target through the link.
    assert open_refused(tree.base, "dangle", CREATE, follow=False) in (Errno.LOOP, Errno.EXIST)
    assert open_refused(tree.base, "dangle", CREATE | os.O_EXCL, follow=False) in (Errno.LOOP, Errno.EXIST)
    assert not (tree.box / "newfile").exists()
    assert os.readlink(tree.box / "dangle") == "newfile"
    # With follow the target is created, beneath the box: that is what the guest asked for.
    os.close(open_beneath(tree.base, "dangle", CREATE, follow=True))
    assert (tree.box / "newfile").is_file()
    tree.assert_outside_untouched()


def test_base_fd_not_a_directory(tree: Tree) -> None:
    fd = os.open(tree.box / "file", os.O_RDONLY)
    try:
        for path in ("x", ".", "a/b", "../outside/secret", "file"):
            assert refused(fd, path, follow=True) in (Errno.NOTDIR, Errno.NOTCAPABLE)
        assert refused(fd, "x", follow=False) == Errno.NOTDIR
        assert open_refused(fd, ".", RDONLY, follow=False) == Errno.NOTDIR
    finally:
        os.close(fd)
    closed = os.open(tree.box, os.O_RDONLY)
    os.close(closed)
    assert refused(closed, "file", follow=False) == Errno.BADF
    tree.assert_outside_untouched()


def test_search_only_intermediate_directory(tree: Tree) -> None:
    # O_PATH needs no read permission on an intermediate directory (only meaningful when not root).
    (tree.box / "a").chmod(0o311)
    try:
        with resolve(tree.base, "a/b/c.txt", follow=False) as r:
            assert r.name == "c.txt"
        assert read_beneath(tree.base, "a/b/c.txt", follow=False) == b"c"
    finally:
        (tree.box / "a").chmod(0o755)


# --------------------------------------------------------------------------------------------------
# Races: a directory swapped with a symlink to outside while the guest's path is resolved.


def test_swapped_component_never_leads_outside(tree: Tree) -> None:
    renameat2 = libc.renameat2  # glibc >= 2.28; the project runs on Linux only (wasmer wheels)
    rename_exchange = 2
    (tree.box / "race").mkdir()
    (tree.box / "race" / "secret").write_bytes(b"decoy")
    os.symlink("../outside", tree.box / "race_alt")
    (tree.box / "racefile").write_bytes(b"decoy")
    os.symlink("../outside/secret", tree.box / "racefile_alt")
    stop = threading.Event()
    swaps = 0

    def swapper() -> None:
        nonlocal swaps
        pairs = [(b"race", b"race_alt"), (b"racefile", b"racefile_alt")]
        while not stop.is_set():
            for a, b in pairs:
                if renameat2(tree.base, a, tree.base, b, rename_exchange) != 0:
                    raise OSError(ctypes.get_errno(), "renameat2")
                swaps += 1

    thread = threading.Thread(target=swapper)
    thread.start()
    outcomes: set[str] = set()
    try:
        for i in range(2000):
            path, follow = [("race/secret", False), ("race/secret", True), ("racefile", True)][i % 3]
            try:
                data = read_beneath(tree.base, path, follow=follow)
            except WasiError as exc:
                outcomes.add(exc.errno.name)
            else:
                assert data == b"decoy"
                outcomes.add("decoy")
    finally:
        stop.set()
        thread.join()
    assert swaps > 0
    assert "decoy" in outcomes and "NOTCAPABLE" in outcomes, outcomes
    tree.assert_outside_untouched()


# --------------------------------------------------------------------------------------------------
# No fd leaks, whatever the outcome.


def test_no_fd_leak(tree: Tree) -> None:
    paths = [
        "a/b/c.txt", "a/b/", "a/..", ".", "sub/link", "dir_link/b", "dot/dot/file", "a/missing",
        "", "/abs", "..", "a/../../x", "../box2/x", "d/esc", "esc_dir/", "esc_dir/secret", "abs",
        "absdir/x", "loop_a", "loop_a/x", "file/", "file/x", "missing/x", "a/b/c.txt/x", "x\0y",
        "dot/../outside/secret", "a/b/../../../outside", "d/escnew", "dangle",
    ]  # fmt: skip
    before = host_fds()
    for i in range(500):
        path = paths[i % len(paths)]
        follow = bool(i // len(paths) % 2)
        try:
            resolve(tree.base, path, follow=follow).close()
        except WasiError:
            pass
        try:
            r = resolve(tree.base, path, follow=follow, max_depth=1)
        except WasiError:
            pass
        else:
            with r:
                pass
        try:
            os.close(open_beneath(tree.base, path, RDONLY if i % 3 else CREATE, follow=follow))
        except WasiError:
            pass
    assert host_fds() == before
    tree.assert_outside_untouched()


# --------------------------------------------------------------------------------------------------
# Any path built from these components resolves beneath the box, or not at all.


def build_hypothesis_tree(root: Path) -> Tree:
    """::

    box/  a/ a/a/ a/b/ b/           outside/  a/ a/b/ b/ secret
      link_in  -> .                   link_in  -> .
      link_out -> ../outside          link_out -> ..
      a/link_in  -> ..                a/link_in -> ../b
      a/link_out -> ../../outside
      a/b/link_in  -> ../../b/./
      a/b/link_out -> ../../../outside/secret
      b/link_in  -> ../a/b
      b/link_out -> ../../box2
      b/a -> link_in
    """
    box, outside = root / "box", root / "outside"
    for d in ("box/a/a", "box/a/b", "box/b", "box2", "outside/a/b", "outside/b"):
        (root / d).mkdir(parents=True)
    (outside / "secret").write_bytes(SECRET)
    (root / "box2" / "x").write_bytes(b"sibling")
    links = {
        "box/link_in": ".",
        "box/link_out": "../outside",
        "box/a/link_in": "..",
        "box/a/link_out": "../../outside",
        "box/a/b/link_in": "../../b/./",
        "box/a/b/link_out": "../../../outside/secret",
        "box/b/link_in": "../a/b",
        "box/b/link_out": "../../box2",
        "box/b/a": "link_in",
        "outside/link_in": ".",
        "outside/link_out": "..",
        "outside/a/link_in": "../b",
    }
    for name, target in links.items():
        os.symlink(target, root / name)
    base = os.open(box, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    return Tree(root, box, root / "box2", outside, outside / "secret", base)


@pytest.fixture(scope="module")
def htree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tree]:
    t = build_hypothesis_tree(tmp_path_factory.mktemp("hypothesis"))
    t.start_watching()
    fds = host_fds()
    yield t
    assert host_fds() == fds
    t.assert_outside_untouched()
    assert t.watch is not None
    t.watch.close()
    os.close(t.base)


COMPONENTS = ["a", "b", "..", ".", "link_out", "link_in", ""]


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(parts=st.lists(st.sampled_from(COMPONENTS), max_size=10), follow=st.booleans())
def test_random_paths_stay_beneath(htree: Tree, parts: list[str], follow: bool) -> None:
    path = "/".join(parts)
    try:
        r = resolve(htree.base, path, follow=follow)
    except WasiError as exc:
        assert exc.errno in (Errno.NOENT, Errno.NOTDIR, Errno.NOTCAPABLE, Errno.LOOP), (path, exc.errno)
        return
    with r:
        where = fd_path(r.dir_fd)
        assert is_beneath(where, htree.box), (path, follow, where)
        assert r.owned == (r.dir_fd != htree.base)
        assert r.name != ".." and "/" not in r.name and r.name
        if follow or r.trailing_slash:
            # The final component was expanded: it is no symlink, and it is where the kernel's own
            # (physical) resolution of the same path leads, since that stayed inside.
            try:
                assert not stat.S_ISLNK(os.stat(r.name, dir_fd=r.dir_fd, follow_symlinks=False).st_mode)
            except FileNotFoundError:
                pass
            assert os.path.normpath(os.path.join(where, r.name)) == os.path.realpath(htree.box / path), path
    assert htree.watch is not None
    assert htree.watch.events() == []
