"""Watching the host while a guest or the path resolver runs: inotify events on directories,
snapshots of directory trees, and the fds of this process.

Shared by test_sandbox.py and test_resolve.py. Linux only, as the project is (inotify through
ctypes, and /proc). inotify reports opens, reads, writes and creations, though not ``O_PATH`` opens;
the fds in ``/proc/self/fd`` do show ``O_PATH`` fds.
"""

from __future__ import annotations

import ctypes
import os
import stat
import struct
from collections.abc import Callable
from pathlib import Path

from pywasihost import Namespace, Size, WasiContext

# The inotify event bits (<sys/inotify.h>).
IN = {
    "ACCESS": 0x1,
    "MODIFY": 0x2,
    "ATTRIB": 0x4,
    "CLOSE_WRITE": 0x8,
    "CLOSE_NOWRITE": 0x10,
    "OPEN": 0x20,
    "MOVED_FROM": 0x40,
    "MOVED_TO": 0x80,
    "CREATE": 0x100,
    "DELETE": 0x200,
    "DELETE_SELF": 0x400,
    "MOVE_SELF": 0x800,
}
IN_ALL = 0xFFF  # every one of them
IN_READ_ONLY = IN["ACCESS"] | IN["OPEN"] | IN["CLOSE_NOWRITE"]  # what reading a file or a directory causes
_EVENT = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len (then the name)

libc = ctypes.CDLL(None, use_errno=True)


def mask_names(mask: int) -> str:
    """``0x21`` -> ``"ACCESS|OPEN"``."""
    return "|".join(name for name, bit in IN.items() if mask & bit)


class InotifyWatch:
    """Records every inotify event on some directories and on the entries in them."""

    def __init__(self, directories: list[Path]) -> None:
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.paths: dict[int, Path] = {}
        for d in directories:
            wd = libc.inotify_add_watch(self.fd, os.fsencode(d), IN_ALL)
            if wd < 0:
                raise OSError(ctypes.get_errno(), f"inotify_add_watch {d}")
            self.paths[wd] = d

    def events(self) -> list[tuple[Path, str, int]]:
        """The events since the last call: (watched directory, entry name or "" for the directory
        itself, mask of IN bits)."""
        out: list[tuple[Path, str, int]] = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return out
            pos = 0
            while pos < len(data):
                wd, mask, _cookie, size = _EVENT.unpack_from(data, pos)
                name = data[pos + _EVENT.size : pos + _EVENT.size + size].rstrip(b"\0").decode()
                pos += _EVENT.size + size
                if mask & IN_ALL and wd in self.paths:
                    out.append((self.paths[wd], name, mask & IN_ALL))

    def close(self) -> None:
        os.close(self.fd)


# Relative path ("." for the top) -> (st_mode, st_mtime_ns, the file's bytes, the symlink's target, or
# b"" for a directory).
Snapshot = dict[str, tuple[int, int, bytes]]


def snapshot(top: Path, *, include_top: bool = True) -> Snapshot:
    """Every entry under ``top``, symlinks not followed. ``include_top=False`` leaves out ``top``
    itself (".", whose mtime changes whenever an entry is added to it or removed)."""

    def entry(path: str) -> tuple[int, int, bytes]:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            content = os.fsencode(os.readlink(path))
        elif stat.S_ISDIR(st.st_mode):
            content = b""
        else:
            content = Path(path).read_bytes()
        return (st.st_mode, st.st_mtime_ns, content)

    def fail(exc: OSError) -> None:
        raise exc

    out: Snapshot = {".": entry(os.fspath(top))} if include_top else {}
    for dirpath, dirnames, filenames in os.walk(top, onerror=fail):
        for name in [*dirnames, *filenames]:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, top)] = entry(path)
    return out


# wasmtime keeps a compiled module's initial memory in a memfd, made at its first instantiation and
# owned by the module (not by a run): not a descriptor that pywasihost opens.
ENGINE_OWNED = ("/memfd:wasm-memory-image",)


def host_fds() -> dict[int, str]:
    """This process's open fds and what each one refers to (those the engine owns left out)."""
    out: dict[int, str] = {}
    for entry in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{entry}")
        except FileNotFoundError:  # the fd that listdir itself had open
            continue
        if not target.startswith(ENGINE_OWNED):
            out[int(entry)] = target
    return out


def fd_count_namespace(extra: Callable[[], int] | None = None) -> Namespace:
    """Preview 1 plus ``test.host_fd_count``: how many fds the host process has open, so that a
    guest can check from inside that what it does leaks none. ``extra`` adds what a backend holds
    open without host fds (a MemoryFS's open descriptors)."""
    ns = Namespace.preview1()

    @ns.syscall(module="test", results=("count",))
    def host_fd_count(ctx: WasiContext) -> Size:
        return Size(len(host_fds()) + (extra() if extra is not None else 0))

    return ns
