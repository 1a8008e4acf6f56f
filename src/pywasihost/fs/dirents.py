"""``fd_readdir``'s buffer: directory entries serialised as the spec lays them out."""

from __future__ import annotations

from collections.abc import Sequence

from ..abi import Dircookie, Dirent, Dirnamlen, Filetype, Inode

__all__ = ["pack_dirents"]

_HEADER = Dirent.SIZE


def pack_dirents(entries: Sequence[tuple[int, int, Filetype, bytes]], buf: memoryview) -> int:
    """Write ``entries`` (``(next cookie, inode, filetype, name)``) into ``buf``; return the bytes used.

    Each entry is a ``dirent`` followed by its name (not NUL-terminated); its ``d_next`` is the cookie
    that resumes the listing after it (the backend's to choose: see ``Descriptor.readdir``). When
    the buffer is full the last entry is cut where the buffer ends, so a result equal to the
    buffer's size tells the guest to call again with a larger buffer (the spec's rule, which
    wasi-libc relies on).
    """
    size, used = len(buf), 0
    header = bytearray(_HEADER)
    for next_cookie, ino, kind, name in entries:
        if used >= size:
            break
        Dirent(Dircookie(next_cookie), Inode(ino), Dirnamlen(len(name)), kind).pack_into(header)
        for part in (header, name):
            n = min(len(part), size - used)
            buf[used : used + n] = part[:n]
            used += n
    return used
