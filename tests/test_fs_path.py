"""The path_* syscalls end to end: c/fs_path checks every errno inside the guest, these tests
check on the host what the guest did (and did not do) to the files. On both backends: host
directories, and a MemoryFS copy of them (see fs_backends.py)."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING

from conftest import run_program

if TYPE_CHECKING:
    from fs_backends import Backend, Tree

pytest_plugins = ["fs_backends"]  # the backend fixture: host directories, then a MemoryFS

LONG_TARGET = "a_rather_long_symlink_target_name_for_truncation"
ATIM_VAL = 1_600_000_000_123_456_789  # fs_path.c ATIM_VAL
MTIM_VAL = 1_500_000_000_987_654_321  # fs_path.c MTIM_VAL


def build(root: Path, spec: Tree) -> None:
    """Create ``spec`` below ``root`` (parents listed before children)."""
    root.mkdir(exist_ok=True)
    for rel, entry in spec.items():
        path, value = root / rel, entry[-1]
        if entry == ("dir",):
            path.mkdir()
        elif isinstance(value, bytes):
            path.write_bytes(value)
        else:
            os.symlink(value, path)


# Checks each mode makes when all pass (fs_path.c counts every check, also on the branches
# where a set of results is accepted): a run that ends early cannot print the same line.
CHECKS = {"basic": 263, "cross": 37, "readonly": 66}


def expect_ok(stdout: bytes | None, mode: str) -> None:
    """The guest's only output line: ``fs_path <mode>: ok <n> checks``."""
    assert stdout == f"fs_path {mode}: ok {CHECKS[mode]} checks\n".encode()


BASIC_FIXTURE: Tree = {
    "existing.txt": ("file", b"hello world\n"),
    "times.txt": ("file", b"t"),
    "trunc.txt": ("file", b"0123456789"),
    "unlink_me.txt": ("file", b"bye"),
    "ren_src.txt": ("file", b"rename me"),
    "over_src.txt": ("file", b"new"),
    "over_dst.txt": ("file", b"old"),
    "full": ("dir",),
    "full/inner.txt": ("file", b"inner"),
    "empty": ("dir",),
    "sub": ("dir",),
    "ren_dir": ("dir",),
    "ren_dir/f": ("file", b"f"),
    "link_file": ("link", "existing.txt"),
    "long_link": ("link", LONG_TARGET),
}

BASIC_RESULT: Tree = {
    "existing.txt": ("file", b"hello world\n"),
    "hardlink.txt": ("file", b"hello world\n"),  # path_link
    "times.txt": ("file", b"t"),
    "trunc.txt": ("file", b""),  # O_TRUNC
    "created.txt": ("file", b"abcXYZ"),  # O_CREAT, then APPEND after a seek to 0
    "excl.txt": ("file", b""),  # O_CREAT|O_EXCL
    "newdir": ("dir",),  # path_create_directory
    "newdir/child": ("dir",),
    "slashdir": ("dir",),  # path_create_directory("slashdir/")
    "full": ("dir",),
    "full/inner.txt": ("file", b"inner"),
    "full/inner_link": ("link", "inner.txt"),  # path_symlink in a subdirectory
    "sub": ("dir",),
    "sub/moved.txt": ("file", b"rename me"),  # ren_src.txt -> ren_dst.txt -> sub/moved.txt
    "ren_dir2": ("dir",),  # ren_dir renamed
    "ren_dir2/f": ("file", b"f"),
    "over_dst.txt": ("file", b"new"),  # over_src.txt renamed over it
    "link_file": ("link", "existing.txt"),
    "link_hard": ("link", "existing.txt"),  # path_link of the symlink itself
    "long_link": ("link", LONG_TARGET),
    "sym_dangling": ("link", "does_not_exist"),  # path_symlink, dangling
    # gone: empty (path_remove_directory), unlink_me.txt and sym_new (path_unlink_file),
    # ren_src.txt, ren_dir, over_src.txt (path_rename)
}


def test_every_path_syscall_on_one_preopen(tmp_path: Path, backend: Backend) -> None:
    sandbox = tmp_path / "sandbox"
    build(sandbox, BASIC_FIXTURE)
    (tmp_path / "outside.txt").write_bytes(b"outside")
    preopen = backend.preopen(sandbox, "/sandbox")
    top, box = backend.view(tmp_path), backend.view(sandbox)

    result = run_program("c/fs_path", "basic", preopens=[preopen])

    assert result.exit_code == 0, result.stderr
    assert result.stderr == b""
    expect_ok(result.stdout, "basic")
    times = box.lstat("times.txt")  # before tree() reads the file and moves its atime
    assert box.tree() == BASIC_RESULT
    # path_link: one inode, two names.
    existing, hardlink = box.lstat("existing.txt"), box.lstat("hardlink.txt")
    assert existing.ino == hardlink.ino
    assert existing.nlink == hardlink.nlink == 2
    link_file, link_hard = box.lstat("link_file"), box.lstat("link_hard")
    assert link_file.ino == link_hard.ino
    assert link_file.nlink == 2
    # The rename back of created_link.txt left a single name.
    assert box.lstat("created.txt").nlink == 1
    # path_filestat_set_times: exact atim, then mtim set to "now" (MTIM_NOW).
    assert times.atime_ns == ATIM_VAL
    assert MTIM_VAL < times.mtime_ns <= time.time_ns() + 1_000_000_000
    # Set through link_file with SYMLINK_FOLLOW: the target changed, not the link.
    assert existing.mtime_ns == MTIM_VAL
    assert box.lstat("link_file").mtime_ns != MTIM_VAL
    # Nothing outside the sandbox changed.
    assert top.read_bytes("outside.txt") == b"outside"
    assert top.listdir() == ["outside.txt", "sandbox"]
    backend.check_disk_untouched()


def test_rename_and_link_across_two_preopens(tmp_path: Path, backend: Backend) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    build(
        a, {"move.txt": ("file", b"move"), "linkme.txt": ("file", b"shared"), "dir": ("dir",), "dir/x": ("file", b"x")}
    )
    build(b, {})
    preopens = [backend.preopen(a, "/a"), backend.preopen(b, "/b")]

    result = run_program("c/fs_path", "cross", preopens=preopens)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == b""
    expect_ok(result.stdout, "cross")
    view_a, view_b = backend.view(a), backend.view(b)
    assert view_a.tree() == {"back.txt": ("file", b"move"), "linkme.txt": ("file", b"changed via b")}
    assert view_b.tree() == {"dir": ("dir",), "dir/x": ("file", b"x"), "linked.txt": ("file", b"changed via b")}
    linkme, linked = view_a.lstat("linkme.txt"), view_b.lstat("linked.txt")
    assert linkme.ino == linked.ino
    assert linkme.nlink == 2
    assert backend.view(tmp_path).listdir() == ["a", "b"]
    backend.check_disk_untouched()


RO_FIXTURE: Tree = {
    "file.txt": ("file", b"read only"),
    "dir": ("dir",),
    "dir/inner": ("file", b"i"),
    "emptydir": ("dir",),
    "link": ("link", "file.txt"),
}


def test_a_readonly_preopen_refuses_every_mutation(tmp_path: Path, backend: Backend) -> None:
    ro, rw = tmp_path / "ro", tmp_path / "rw"
    build(ro, RO_FIXTURE)
    build(rw, {})
    # The host permissions allow writing: only pywasihost's read-only preopen stands in the way.
    for path in (ro, ro / "file.txt", ro / "dir", ro / "dir" / "inner", ro / "emptydir"):
        assert path.lstat().st_mode & stat.S_IWUSR
    preopens = [backend.preopen(ro, "/ro", readonly=True), backend.preopen(rw, "/rw")]
    view_ro, view_rw = backend.view(ro), backend.view(rw)
    before = view_ro.snapshot()

    result = run_program("c/fs_path", "readonly", preopens=preopens)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == b""
    expect_ok(result.stdout, "readonly")
    assert view_ro.snapshot() == before
    assert view_ro.tree() == RO_FIXTURE
    # The writable preopen next to it took the guest's write, and nothing from /ro.
    assert view_rw.tree() == {"rwfile": ("file", b"rw")}
    assert view_rw.lstat("rwfile").nlink == 1
    assert backend.view(tmp_path).listdir() == ["ro", "rw"]
    backend.check_disk_untouched()


# -- Rust std: std::fs computes its own path_open rights (unlike wasi-libc) ---------------------------

RUST_STD_EXPECTED = """\
create_dir_all: ok
write: ok
read_to_string: ok
  content: hello from rust std
metadata: ok
  len 20 file true dir false
open append: ok
append: ok
open read+write: ok
seek: ok
read_exact: ok
  word: from
set_len: ok
  now: "hello"
copy: ok
hard_link: ok
symlink: ok
read_link: ok
  target: b/hello.txt
  through symlink: "hello"
rename: ok
read_dir: ok
  entries: b linked.txt sym
open missing: error NotFound errno 44
create_dir existing: error AlreadyExists errno 20
remove_dir non-empty: error Uncategorized errno 55
escape with ..: error Uncategorized errno 76
absolute outside: error Uncategorized errno -1
remove_dir_all: ok
remove_file: ok
tree gone: error NotFound errno 44
ro read: ok
  content: read me
ro write: error Uncategorized errno 76
ro create: error Uncategorized errno 76
ro append: error Uncategorized errno 76
ro remove: error Uncategorized errno 76
ro mkdir: error Uncategorized errno 76
"""


def test_rust_std_fs_works_and_is_refused_where_it_should_be(tmp_path: Path, backend: Backend) -> None:
    box, ro = tmp_path / "box", tmp_path / "ro"
    box.mkdir()
    ro.mkdir()
    (ro / "readme.txt").write_bytes(b"read me\n")
    (tmp_path / "outside.txt").write_bytes(b"secret\n")
    preopens = [backend.preopen(box, "/sb"), backend.preopen(ro, "/ro", readonly=True)]
    result = run_program("rust_std/fs_std", "/sb", "/ro", preopens=preopens)
    assert (result.exit_code, result.stderr) == (0, b"")
    assert (result.stdout or b"").decode() == RUST_STD_EXPECTED
    assert backend.view(box).listdir() == []  # the program removed all it made
    view_ro = backend.view(ro)
    assert view_ro.listdir() == ["readme.txt"] and view_ro.read_bytes("readme.txt") == b"read me\n"
    assert backend.view(tmp_path).read_bytes("outside.txt") == b"secret\n"
    backend.check_disk_untouched()
