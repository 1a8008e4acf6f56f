"""``fd_readdir``'s buffer: directory entries serialised as the spec lays them out."""

from __future__ import annotations

from collections.abc import Sequence

from ..abi import Dircookie, Dirent, Dirnamlen, Filetype, Inode

__all__ = ["pack_dirents"]

_HEADER = Dirent.SIZE


def pack_dirents(entries: Sequence[tuple[int, Filetype, bytes]], cookie: int, buf: memoryview) -> int:
    """Write ``entries`` (the listing from position ``cookie`` on) into ``buf``; return the bytes used.

    Each entry is a ``dirent`` followed by its name (not NUL-terminated); its ``d_next`` is the cookie
    of the entry after it. When the buffer is full the last entry is cut where the buffer ends, so a
    result equal to the buffer's size tells the guest to call again with a larger buffer (the spec's
    rule, which wasi-libc relies on).
    """
    size, used = len(buf), 0
    header = bytearray(_HEADER)
    for i, (ino, kind, name) in enumerate(entries):
        if used >= size:
            break
        Dirent(Dircookie(cookie + i + 1), Inode(ino), Dirnamlen(len(name)), kind).pack_into(header)
        for part in (header, name):
            n = min(len(part), size - used)
            buf[used : used + n] = part[:n]
            used += n
    return used
