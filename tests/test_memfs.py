"""MemoryFS: its Python API, its limits, mounts beside host directories, files backed by Python
objects, and runs that never touch the disk. (The guest tests of files, paths, directories and the
sandbox run on it too: see fs_backends.py.)"""

from __future__ import annotations

import io
import os
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import compiled, run_program
from pywasihost import (
    CAPTURE,
    Descriptor,
    Errno,
    Fdflags,
    IterableFile,
    MemoryFS,
    Oflags,
    Preopen,
    Rights,
    Symlink,
    WasiConfig,
    WasiError,
    Whence,
    run,
)
from pywasihost.engines import Engine
from pywasihost.fs.host import DIRECTORY_RIGHTS, HostDirectory
from pywasihost.fs.memory import MemoryDirectory

JOINED = b"== /work/in/a.txt (6 bytes) ==\nALPHA\n== /work/in/b.txt (5 bytes) ==\nBETA\n"


def join(fs: MemoryFS, *extra: Preopen) -> tuple[int, bytes]:
    result = run_program(
        "c/join", "/work/out/joined.txt", "/work/in/a.txt", "/work/in/b.txt", preopens=[Preopen(fs, "/work"), *extra]
    )
    return result.exit_code, result.stderr or b""


# -- a run in memory ----------------------------------------------------------------------------------


@pytest.fixture
def disk_audit() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    """Every file-system operation Python makes while the fixture is active (``sys.addaudithook``:
    ``open``, ``os.*``, ``shutil.*``), which is the only way pywasihost reaches the disk."""
    events: list[tuple[str, tuple[object, ...]]] = []
    active = [True]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if active[0] and (event == "open" or event.startswith(("os.", "shutil."))):
            events.append((event, args))

    sys.addaudithook(hook)  # hooks cannot be removed: this one goes quiet at the end
    try:
        yield events
    finally:
        active[0] = False


def test_a_run_in_memory_touches_no_file_on_disk(
    disk_audit: list[tuple[str, tuple[object, ...]]], engine: Engine
) -> None:
    module = compiled("c/join")  # compiled (and read from disk) before the audit
    for _ in range(2):  # the first run imports what a run needs (.pyc files are opened): not audited
        disk_audit.clear()
        fs = MemoryFS({"in/a.txt": b"alpha\n", "in/b.txt": b"beta\n"}, max_bytes=2 << 20)
        config = WasiConfig(
            args=["join", "/work/out/joined.txt", "/work/in/a.txt", "/work/in/b.txt"],
            preopens=[Preopen(fs, "/work")],
            stdin=b"",
            stdout=CAPTURE,
            stderr=CAPTURE,
        )
        result = run(module, config, engine=engine)
    assert (result.exit_code, result.stderr) == (0, b"")
    assert fs.read_bytes("out/joined.txt") == JOINED
    assert disk_audit == []  # no open, mkdir, stat, listdir, rename... of anything


def test_the_tree_outlives_the_run_and_serves_another() -> None:
    fs = MemoryFS({"in/a.txt": b"alpha\n", "in/b.txt": b"beta\n"})
    assert join(fs) == (0, b"")
    fs.write_bytes("in/a.txt", b"again\n")
    keep = fs.copy()
    assert join(fs) == (0, b"")
    assert fs.read_bytes("out/joined.txt").startswith(b"== /work/in/a.txt (6 bytes) ==\nAGAIN\n")
    assert keep.read_bytes("out/joined.txt") == JOINED  # the copy did not change with the original
    assert fs.open_descriptors == 0


def test_a_preopen_is_a_host_path_or_a_filesystem() -> None:
    with pytest.raises(TypeError, match="a preopen is a host path"):
        run_program("c/fsutil", "ls", "/x", preopens=[Preopen(42, "/x")])  # type: ignore[arg-type]


# -- limits ----------------------------------------------------------------------------------------------


def test_writing_past_max_bytes_is_nospc_for_the_guest() -> None:
    fs = MemoryFS({"in/a.txt": b"alpha\n", "in/b.txt": b"beta\n"}, max_bytes=40)
    code, stderr = join(fs)
    assert (code, stderr) == (1, b"join: /work/out/joined.txt: No space left on device\n")
    assert fs.used_bytes <= 40
    assert len(fs.read_bytes("out/joined.txt")) == 40 - 11  # what fitted (a short write, as a full disk)


def test_a_guest_cannot_make_the_host_allocate_past_max_bytes() -> None:
    fs = MemoryFS(max_bytes=1 << 20)
    d = fs.open_root("/")
    rights = Rights.FD_WRITE | Rights.FD_FILESTAT_SET_SIZE | Rights.FD_ALLOCATE
    f = d.open_at("big", follow=False, oflags=Oflags.CREAT, fdflags=Fdflags(0), base=rights, inheriting=Rights(0))
    for grow in (
        lambda: f.set_size(1 << 40),
        lambda: f.allocate(0, 1 << 40),
        lambda: f.pwrite([memoryview(b"x")], 1 << 40),
    ):
        with pytest.raises(WasiError) as exc:
            grow()
        assert exc.value.errno == Errno.NOSPC
    with pytest.raises(WasiError) as exc:
        f.set_size(1 << 60)  # past the largest file (ext4's), as the host backend on ext4
    assert exc.value.errno == Errno.FBIG
    assert fs.used_bytes == 0
    f.close()
    d.close()


def test_the_inode_limit_is_nospc() -> None:
    fs = MemoryFS({"a": b"", "b": b""}, max_inodes=4)  # the root, a, b: one more fits
    assert run_program("c/fsutil", "write", "/w/c", "x", preopens=[Preopen(fs, "/w")]).exit_code == 0
    result = run_program("c/fsutil", "write", "/w/d", "x", preopens=[Preopen(fs, "/w")])
    assert (result.exit_code, result.stderr) == (1, b"fsutil: /w/d: No space left on device\n")
    with pytest.raises(OSError) as exc:
        fs.mkdir("e")
    assert exc.value.errno == 28  # ENOSPC
    fs.unlink("c")  # a name and an inode given back
    fs.mkdir("e")
    assert sorted(fs.iterdir()) == ["a", "b", "e"]
    fs.rmdir("e")
    for _ in range(3):  # an extra hard link counts, and is given back with its name
        fs.link("a", "a2")
        with pytest.raises(OSError):
            fs.link("a", "a3")
        fs.rename("a2", "b")  # b's inode given back, a2's name moved
        fs.unlink("b")
        fs.write_bytes("b", b"")
    assert sorted(fs.iterdir()) == ["a", "b"] and fs.stat("a").nlink == 1
    d = fs.open_root("/")
    sub = d.open_at("x", follow=False, oflags=Oflags.CREAT, fdflags=Fdflags(0), base=Rights(0), inheriting=Rights(0))
    fs.unlink("x")  # open: the inode lives on until the descriptor closes
    with pytest.raises(OSError):
        fs.mkdir("y")
    sub.close()
    fs.mkdir("y")
    d.close()


# -- mounts ----------------------------------------------------------------------------------------------


def test_memory_beside_a_readonly_host_directory(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"from the disk\n")
    fs = MemoryFS({"in/a.txt": b"alpha\n"})
    result = run_program(
        "c/join",
        "/work/out.txt",
        "/data/x.txt",
        "/work/in/a.txt",
        preopens=[Preopen(fs, "/work"), Preopen(str(tmp_path), "/data", readonly=True)],
    )
    assert (result.exit_code, result.stderr) == (0, b"")
    assert (
        fs.read_bytes("out.txt")
        == b"== /data/x.txt (14 bytes) ==\nFROM THE DISK\n== /work/in/a.txt (6 bytes) ==\nALPHA\n"
    )
    assert os.listdir(tmp_path) == ["x.txt"]
    # The host mount refuses writes; the memory one never reaches the disk.
    result = run_program("c/fsutil", "write", "/data/y.txt", "no", preopens=[Preopen(tmp_path, "/data", readonly=True)])
    assert result.exit_code == 1 and os.listdir(tmp_path) == ["x.txt"]


def test_links_and_renames_never_cross_a_backend(tmp_path: Path) -> None:
    (tmp_path / "h.txt").write_bytes(b"host")
    fs = MemoryFS({"m.txt": b"memory"})
    host, memory = HostDirectory.open_preopen(tmp_path, "/h"), fs.open_root("/m")
    other = MemoryFS().open_root("/o")
    try:
        for source, target, name in ((host, memory, "h.txt"), (memory, host, "m.txt"), (memory, other, "m.txt")):
            with pytest.raises(WasiError) as exc:
                source.rename(name, target, "moved")
            assert exc.value.errno == Errno.XDEV
            with pytest.raises(WasiError) as exc:
                source.link(name, target, "linked", follow=False)
            assert exc.value.errno == Errno.XDEV
    finally:
        for d in (host, memory, other):
            d.close()
    assert os.listdir(tmp_path) == ["h.txt"] and fs.to_dict() == {"m.txt": b"memory"}


def test_two_preopens_of_one_tree_link_and_rename_between_them() -> None:
    fs = MemoryFS({"a/f": b"data", "b": {}})
    a, b = fs.subdir("a").open_root("/a"), fs.subdir("b").open_root("/b")
    a.link("f", b, "g", follow=False)
    b.rename("g", a, "h")
    assert fs.stat("a/f").nlink == 2 and fs.stat("a/h").ino == fs.stat("a/f").ino
    with pytest.raises(WasiError) as exc:
        a.open_at("../b", follow=False, oflags=Oflags(0), fdflags=Fdflags(0), base=Rights(0), inheriting=Rights(0))
    assert exc.value.errno == Errno.NOTCAPABLE  # ".." never leaves the mount
    a.close()
    b.close()


# -- readdir cookies ------------------------------------------------------------------------------


def test_readdir_cookies_stay_valid_while_entries_change() -> None:
    fs = MemoryFS({name: b"" for name in ("a", "b", "c", "d")})
    d = fs.open_root("/")
    listing = d.readdir(0)
    assert [e[3] for e in listing] == [b".", b"..", b"a", b"b", b"c", b"d"]
    after_b = next(e[0] for e in listing if e[3] == b"b")
    fs.unlink("a")  # before the cookie
    fs.unlink("c")  # after it
    fs.write_bytes("e", b"")  # a new entry
    fs.rename("d", "b")  # replaces b in place
    # c is gone, e is new, and d comes again as b: a new entry (POSIX lets a renamed entry show twice).
    assert [e[3] for e in d.readdir(after_b)] == [b"e", b"b"]
    assert [e[3] for e in d.readdir(0)] == [b".", b"..", b"e", b"b"]
    cookies = [e[0] for e in d.readdir(0)]
    assert cookies == sorted(set(cookies))  # increasing, each once
    d.close()


# -- the Python API -------------------------------------------------------------------------------


def test_building_reading_and_writing_from_python() -> None:
    fs = MemoryFS({"in/a.txt": b"alpha", "notes.txt": "héllo", "empty": {}, "link": Symlink("in/a.txt")})
    assert fs.read_bytes("link") == b"alpha" and fs.read_text("notes.txt") == "héllo"
    fs.mkdir("out/deep", parents=True)
    fs.write_bytes("out/deep/x.bin", b"\0\1")
    assert sorted(fs.iterdir()) == ["empty", "in", "link", "notes.txt", "out"]
    assert list(fs.iterdir("out")) == ["out/deep"]
    assert fs.exists("out/deep/x.bin") and not fs.exists("out/nope") and fs.is_dir("out") and fs.is_symlink("link")
    assert fs.to_dict() == {
        "in/a.txt": b"alpha",
        "notes.txt": "héllo".encode(),
        "empty": {},
        "link": Symlink("in/a.txt"),
        "out/deep/x.bin": b"\0\1",
    }
    assert MemoryFS(fs.to_dict()).to_dict() == fs.to_dict()
    with pytest.raises(FileNotFoundError):
        fs.read_bytes("missing")
    with pytest.raises(IsADirectoryError):
        fs.read_bytes("in")
    with pytest.raises(PermissionError):  # the guest's rules: ".." never above the root
        fs.read_bytes("../etc/passwd")
    with pytest.raises(OSError) as exc:
        MemoryFS({"big": b"x" * 100}, max_bytes=99)
    assert exc.value.errno == 28


def test_a_tree_deeper_than_the_recursion_limit_copies_and_lists() -> None:
    depth = sys.getrecursionlimit() + 100
    fs = MemoryFS()
    d: Descriptor = fs.open_root("/")
    for _ in range(depth):  # what a guest can make, one directory fd at a time
        d.create_directory("d")
        sub = d.open_at(
            "d", follow=False, oflags=Oflags.DIRECTORY, fdflags=Fdflags(0), base=DIRECTORY_RIGHTS, inheriting=Rights(0)
        )
        d.close()
        d = sub
    d.close()
    fs.write_bytes("f", b"top")
    fs.link("f", "g")
    deepest = "/".join(["d"] * depth)
    for tree in (fs, fs.copy()):
        assert len(list(tree.walk())) == depth + 2
        assert tree.to_dict() == {deepest: {}, "f": b"top", "g": b"top"}
    copy = fs.copy()
    assert copy.stat("g").nlink == 2 and copy.used_bytes == fs.used_bytes == 3
    view = fs.subdir("d/d")
    assert view.copy().used_bytes == 0 and view.copy().stat().ino == view.stat().ino
    assert len(list(view.copy().walk())) == depth - 2


def test_from_directory_zip_and_tar(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_bytes(b"alpha")
    os.link(src / "a.txt", src / "hard.txt")
    (src / "sub" / "b.txt").write_bytes(b"beta")
    (src / "link").symlink_to("sub/b.txt")
    os.utime(src / "a.txt", ns=(1_000_000_000, 2_000_000_000))
    expected = {"a.txt": b"alpha", "hard.txt": b"alpha", "link": Symlink("sub/b.txt"), "sub/b.txt": b"beta"}

    fs = MemoryFS.from_directory(src)
    assert fs.to_dict() == expected
    assert fs.stat("a.txt").ino == fs.stat("hard.txt").ino and fs.stat("a.txt").nlink == 2
    assert (fs.stat("a.txt").atim, fs.stat("a.txt").mtim) == (1_000_000_000, 2_000_000_000)

    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        tar.add(src, arcname=".")
    archive.seek(0)
    assert MemoryFS.from_tar(archive).to_dict() == expected

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", b"alpha")
        z.writestr("sub/", b"")
        z.writestr("sub/b.txt", b"beta")
    archive.seek(0)
    assert MemoryFS.from_zip(archive).to_dict() == {"a.txt": b"alpha", "sub/b.txt": b"beta"}
    with pytest.raises(OSError):  # sizes are checked before anything is read
        MemoryFS.from_zip(io.BytesIO(archive.getvalue()), max_bytes=8)


# -- files backed by Python objects -----------------------------------------------------------------


class Sink:
    """A write-only file object: collects what the guest writes."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)


def test_python_objects_as_files_in_a_memory_tree() -> None:
    sink = Sink()
    fs = MemoryFS(
        {
            "bytesio.txt": io.BytesIO(b"from a BytesIO\n"),
            "generated.txt": IterableFile(f"line {i}\n".encode() for i in range(3)),
            "sink.txt": sink,
        }
    )
    result = run_program("c/fsutil", "cat", "/w/bytesio.txt", "/w/generated.txt", preopens=[Preopen(fs, "/w")])
    assert (result.exit_code, result.stdout) == (0, b"from a BytesIO\nline 0\nline 1\nline 2\n")
    result = run_program("c/fsutil", "write", "/w/sink.txt", "to the sink", preopens=[Preopen(fs, "/w")])
    assert (result.exit_code, result.stderr) == (0, b"")
    assert b"".join(sink.chunks) == b"to the sink"
    result = run_program("c/fsutil", "ls", "/w", preopens=[Preopen(fs, "/w")])
    assert result.stdout == b"bytesio.txt\ngenerated.txt\nsink.txt\n"
    assert fs.open_descriptors == 0


def test_python_objects_as_extra_descriptors() -> None:
    """``WasiConfig(files=[...])``: fds after the preopens (here fd 4, after /w at fd 3)."""
    stream = io.BytesIO(b"a stream at fd 4\n")
    result = run_program("c/fsutil", "catfd", "4", preopens=[Preopen(MemoryFS(), "/w")], files=[stream])
    assert (result.exit_code, result.stdout) == (0, b"a stream at fd 4\n")
    sink = Sink()
    result = run_program("c/fsutil", "writefd", "3", "hello object", files=[sink])
    assert (result.exit_code, result.stderr) == (0, b"")
    assert sink.chunks == [b"hello object"]
    # A read-only object has no write right: fd_write is NOTCAPABLE (wasi-libc's write makes it EBADF).
    result = run_program("c/fsutil", "writefd", "3", "no", files=[IterableFile([b"x"])])
    assert (result.exit_code, result.stderr) == (1, b"fsutil: write: Bad file descriptor\n")


def test_an_object_file_seeks_and_stats_through_the_object() -> None:
    blob = io.BytesIO(b"0123456789")
    fs = MemoryFS({"blob": blob})
    d = fs.open_root("/")
    rights = Rights.FD_READ | Rights.FD_WRITE | Rights.FD_SEEK | Rights.FD_FILESTAT_GET
    f = d.open_at("blob", follow=False, oflags=Oflags(0), fdflags=Fdflags(0), base=rights, inheriting=Rights(0))
    assert f.filestat().size == 10 and f.filestat().ino == fs.stat("blob").ino
    assert fs.stat("blob").size == 10 and fs.used_bytes == 0  # the object's bytes are not the tree's
    assert f.seek(4, Whence.SET) == 4
    buf = bytearray(3)
    assert f.read([memoryview(buf)]) == 3 and bytes(buf) == b"456"
    assert f.pwrite([memoryview(b"AB")], 0) == 2 and f.tell() == 7  # pwrite leaves the position
    assert blob.getvalue() == b"AB23456789"
    f.close()
    d.close()
    assert isinstance(d, MemoryDirectory) and fs.open_descriptors == 0


def test_a_readonly_memory_preopen() -> None:
    fs = MemoryFS({"f.txt": b"keep"})
    result = run_program("c/fsutil", "write", "/ro/f.txt", "changed", preopens=[Preopen(fs, "/ro", readonly=True)])
    assert result.exit_code == 1 and b"Capabilities insufficient" in (result.stderr or b"")
    assert fs.to_dict() == {"f.txt": b"keep"}
