"""The in-memory filesystem backend: a tree of files, directories and symlinks in Python memory.

:class:`MemoryFS` is the tree (and its Python-side API, pathlib-flavoured); :class:`MemoryDirectory`
and :class:`MemoryFile` are the descriptors a guest holds on it. They implement the same
:class:`~pywasihost.fdtable.Descriptor` operations as the host backend (:mod:`pywasihost.fs.host`), with
the same errnos: a guest cannot tell the two apart, except that nothing reaches the disk.

Paths are resolved as :func:`pywasihost.fs.resolve.resolve` resolves them on the host, by the same
rules (:func:`_walk` mirrors the host walk step for step): a stack of directories starting at the
descriptor's, ``..`` pops it (popping the base is ``NOTCAPABLE``), symlinks are expanded by splicing
their target's components (absolute targets ``NOTCAPABLE``, at most 40 expansions, then ``LOOP``),
and a trailing slash means "must be a directory". The final component is then acted on as Linux
acts on it in the ``*at`` call the host backend makes (``openat``, ``mkdirat``, ``renameat``...),
errno for errno. ``..`` never leaves a mount: the walk never follows a parent pointer.

Bounded: ``max_bytes`` caps the bytes of file contents and symlink targets (a write past it is
``NOSPC``, a short write when part of it fits, as a full disk does), ``max_inodes`` the number of
files, directories, symlinks and extra hard links. A name is at most 255 bytes (``NAMETOOLONG``).
"""

from __future__ import annotations

import errno as host_errno
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar, Union

from ..abi import (
    Device,
    Errno,
    Fdflags,
    Filesize,
    Filestat,
    Filetype,
    Inode,
    Linkcount,
    Oflags,
    Rights,
    Timestamp,
    Whence,
)
from ..errors import WasiError
from ..fdtable import DIRECTORY_ONLY, NO_FLAGS, SOCKET_ONLY, Descriptor
from .directory import DIRECTORY_RIGHTS, FILE_RIGHTS, DirectoryDescriptor
from .objects import FileObject, ObjectFile
from .resolve import MAX_DEPTH, MAX_SYMLINKS, _check_path, splice_symlink, strip_slashes

__all__ = ["MemoryDirectory", "MemoryFS", "MemoryFile", "Symlink"]

#: Longest name of one directory entry, in UTF-8 bytes (Linux's NAME_MAX).
NAME_MAX = 255
#: Most names one file may have (ext4's limit; beyond it ``MLINK``).
LINK_MAX = 65000
#: Largest file, and furthest seek: ext4's (4 KiB blocks), where the host backend's files usually live.
MAX_FILE_SIZE = ((1 << 32) - 1) * 4096

_DIRECTORY_RIGHTS, _FILE_RIGHTS = int(DIRECTORY_RIGHTS), int(FILE_RIGHTS)
_O_DIRECTORY, _O_CREAT, _O_EXCL, _O_TRUNC = (
    f.value for f in (Oflags.DIRECTORY, Oflags.CREAT, Oflags.EXCL, Oflags.TRUNC)
)
_APPEND = Fdflags.APPEND.value
_SYNC_FLAGS = Fdflags.DSYNC | Fdflags.RSYNC | Fdflags.SYNC


@dataclass(frozen=True)
class Symlink:
    """A symlink in :meth:`MemoryFS.to_dict` and in the mapping :class:`MemoryFS` is built from."""

    target: str


# -- the tree ----------------------------------------------------------------------------------------


class _Store:
    """What every node of one tree shares: its device number, inode numbers and the limits."""

    _devices = 0

    def __init__(self, max_bytes: int, max_inodes: int) -> None:
        _Store._devices += 1
        self.dev = 0x6D656D00 + _Store._devices  # "mem" and a count: unlike any host device
        self.max_bytes, self.max_inodes = max_bytes, max_inodes
        self.bytes = self.inodes = 0
        self.opens = 0  # descriptors open on nodes of the tree
        self._next_ino = 1

    def count_one(self) -> None:
        """One more inode or hard link (``NOSPC`` past ``max_inodes``)."""
        if self.inodes >= self.max_inodes:
            raise WasiError(Errno.NOSPC, f"more than {self.max_inodes} inodes and links")
        self.inodes += 1

    def new_ino(self) -> int:
        self.count_one()
        ino, self._next_ino = self._next_ino, self._next_ino + 1
        return ino

    def grow(self, n: int) -> None:
        """Charge ``n`` more bytes (``NOSPC`` past ``max_bytes``); a negative ``n`` releases."""
        if n > 0 and self.bytes + n > self.max_bytes:
            raise WasiError(Errno.NOSPC, f"the tree would hold more than {self.max_bytes} bytes")
        self.bytes += n

    def room(self) -> int:
        return max(0, self.max_bytes - self.bytes)


class _Node:
    kind = Filetype.UNKNOWN
    __slots__ = ("atim", "ctim", "ino", "mtim", "nlink", "opens", "store")

    def __init__(self, store: _Store, now: int) -> None:
        self.store = store
        self.ino = store.new_ino()
        self.nlink = 0  # names in directories (a directory's is computed: see _Dir)
        self.opens = 0  # descriptors open on it: its storage lives while either is non-zero
        self.atim = self.mtim = self.ctim = now

    def size(self) -> int:
        return 0

    def links(self) -> int:
        return self.nlink

    def filestat(self) -> Filestat:
        return Filestat(
            Device(self.store.dev),
            Inode(self.ino),
            self.kind,
            Linkcount(self.links()),
            Filesize(self.size()),
            Timestamp(self.atim),
            Timestamp(self.mtim),
            Timestamp(self.ctim),
        )

    def release(self) -> None:
        """Give back the node's storage once it has no name and no open descriptor (once: the inode
        number is then marked 0)."""
        if self.nlink == 0 and self.opens == 0 and self.ino:
            self.ino = 0
            self.store.inodes -= 1
            self.store.grow(-self.size())
            self._drop()

    def _drop(self) -> None:
        pass


class _File(_Node):
    kind = Filetype.REGULAR_FILE
    __slots__ = ("data",)

    def __init__(self, store: _Store, now: int) -> None:
        super().__init__(store, now)
        self.data = bytearray()

    def size(self) -> int:
        return len(self.data)

    def resize(self, size: int, now: int) -> None:
        """Truncate or zero-extend to ``size`` (``FBIG`` past the largest file, ``NOSPC`` past the tree's limit)."""
        if size > MAX_FILE_SIZE:
            raise WasiError(Errno.FBIG, f"a file is at most {MAX_FILE_SIZE} bytes")
        grow = size - len(self.data)
        self.store.grow(grow)
        if grow > 0:
            self.data.extend(bytes(grow))
        else:
            del self.data[size:]
        self.mtim = self.ctim = now

    def _drop(self) -> None:
        self.data = bytearray()


class _Object(_Node):
    """A file whose contents are a Python object's (see :mod:`pywasihost.fs.objects`); the object's
    bytes are its own, not charged against ``max_bytes`` (``size`` is what the tree holds: 0)."""

    kind = Filetype.REGULAR_FILE
    __slots__ = ("obj",)

    def __init__(self, store: _Store, now: int, obj: object) -> None:
        super().__init__(store, now)
        self.obj = obj

    def filestat(self) -> Filestat:
        """What ``fd_filestat_get`` on it says (the object's size and times), for ``path_filestat_get``."""
        probe = ObjectFile(self.obj, node=self)
        try:
            return probe.filestat()
        finally:
            probe.close()


class _Symlink(_Node):
    kind = Filetype.SYMBOLIC_LINK
    __slots__ = ("target",)

    def __init__(self, store: _Store, now: int, target: str) -> None:
        if store.inodes >= store.max_inodes:  # checked first: a refused symlink charges nothing
            store.count_one()
        store.grow(len(target.encode()))
        super().__init__(store, now)
        self.target = target

    def size(self) -> int:
        return len(self.target.encode())


class _Dir(_Node):
    """A directory. ``cookies`` gives each entry the ``fd_readdir`` cookie that follows it, from a
    counter that only grows: a cookie stays valid while other entries come and go."""

    kind = Filetype.DIRECTORY
    __slots__ = ("cookies", "entries", "next_cookie", "parent", "removed", "subdirs")

    def __init__(self, store: _Store, now: int, parent: _Dir | None) -> None:
        super().__init__(store, now)
        self.entries: dict[str, _Node] = {}
        self.cookies: dict[str, int] = {}
        self.next_cookie = 3  # 1 and 2 follow "." and ".."
        self.parent = parent  # for the inode of ".." in a listing only: the walk never climbs it
        self.subdirs = 0
        self.removed = False

    def links(self) -> int:
        return 0 if self.removed else 2 + self.subdirs

    def size(self) -> int:
        return 4096 if not self.removed else 0  # what st_size says of a directory on ext4

    def release(self) -> None:
        if self.removed and self.opens == 0 and self.ino:
            self.ino = 0
            self.store.inodes -= 1

    def add(self, name: str, node: _Node, now: int) -> None:
        if name not in self.cookies:
            self.cookies[name] = self.next_cookie
            self.next_cookie += 1
        self.entries[name] = node
        node.nlink += 1
        if isinstance(node, _Dir):
            node.parent = self
            self.subdirs += 1
        self.mtim = self.ctim = node.ctim = now

    def remove(self, name: str, now: int, *, release: bool = True) -> _Node:
        node = self.entries.pop(name)
        del self.cookies[name]
        node.nlink -= 1
        if isinstance(node, _Dir):
            self.subdirs -= 1
        self.mtim = self.ctim = node.ctim = now
        if release:
            _unlinked(node)
        return node


def _unlinked(node: _Node) -> None:
    """A node that lost a name for good: a directory is gone; a file that keeps other names gives
    back the count its extra name took (see ``link``), one that has none left its storage."""
    if isinstance(node, _Dir):
        node.removed = True
    elif node.nlink > 0:
        node.store.inodes -= 1
        return
    node.release()


def _opened(node: _Node) -> None:
    node.opens += 1
    node.store.opens += 1


def _closed(node: _Node) -> None:
    node.opens -= 1
    node.store.opens -= 1
    node.release()


_now = time.time_ns  # the host's real time, as the host backend's files get

#: Names this long or shorter cannot be past NAME_MAX bytes (a character is at most 4 bytes in UTF-8).
_SHORT_NAME = NAME_MAX // 4
_DOTS = frozenset((".", ".."))


def _name_ok(name: str) -> None:
    if len(name) > _SHORT_NAME and len(name.encode()) > NAME_MAX:
        raise WasiError(Errno.NAMETOOLONG, f"a name is at most {NAME_MAX} bytes")


# -- path resolution ------------------------------------------------------------------------------------


class _At:
    """Where a guest path leads: ``name`` in directory ``dir`` (``.`` for ``dir`` itself)."""

    __slots__ = ("dir", "name", "trailing_slash")

    def __init__(self, dir: _Dir, name: str, trailing_slash: bool) -> None:
        self.dir, self.name, self.trailing_slash = dir, name, trailing_slash

    def node(self) -> _Node | None:
        """What the final component names (a symlink is not followed), None when it is missing."""
        if self.name == ".":
            return self.dir
        _name_ok(self.name)
        return self.dir.entries.get(self.name)

    def existing(self) -> _Node:
        node = self.node()
        if node is None:
            raise WasiError(Errno.NOENT, f"{self.name!r} does not exist")
        return node


def _walk(base: _Dir, path: str, *, follow: bool) -> _At:
    """Resolve guest ``path`` beneath ``base``: :func:`pywasihost.fs.resolve.resolve`'s walk, on nodes.

    Measured hot (the file-tree benchmark): the common path of plain names through directories to a
    final component that needs no expansion is taken first; anything else goes to the full walk.
    """
    pending, must_be_dir = _check_path(path)
    if len(pending) <= MAX_DEPTH and (len(path) <= _SHORT_NAME or max(map(len, pending)) <= _SHORT_NAME):
        *parents, final = pending
        d = base
        for comp in parents:
            node = d.entries.get(comp)  # (no entry is named "." or "..")
            if type(node) is not _Dir:
                break
            d = node
        else:
            if final not in _DOTS:
                node = d.entries.get(final)
                if type(node) is _Symlink:
                    if not (follow or must_be_dir):
                        return _At(d, final, must_be_dir)
                elif not must_be_dir or node is None or type(node) is _Dir:
                    return _At(d, final, must_be_dir)
    return _full_walk(base, path, pending, must_be_dir, follow=follow)


def _full_walk(base: _Dir, path: str, pending: list[str], must_be_dir: bool, *, follow: bool) -> _At:
    pending.reverse()
    stack = [base]
    expansions = 0
    final = "."
    while pending:
        comp = pending.pop()
        last = not pending
        if comp == ".":
            continue
        if comp == "..":
            if len(stack) == 1:
                raise WasiError(Errno.NOTCAPABLE, f"{path!r} leads above its base directory")
            stack.pop()
            continue
        _name_ok(comp)
        node = stack[-1].entries.get(comp)
        if last:
            if not ((follow or must_be_dir) and isinstance(node, _Symlink)):
                final = comp
                break
        else:
            if len(stack) > MAX_DEPTH:
                raise WasiError(Errno.NAMETOOLONG, f"{path!r} is more than {MAX_DEPTH} directories deep")
            if isinstance(node, _Dir):
                stack.append(node)
                continue
            if node is None:
                raise WasiError(Errno.NOENT, f"{comp!r} does not exist")
            if not isinstance(node, _Symlink):
                raise WasiError(Errno.NOTDIR, f"{comp!r} is not a directory")
        assert isinstance(node, _Symlink)
        expansions += 1
        slash = splice_symlink(comp, node.target, pending, expansions, MAX_SYMLINKS, path)
        if last:
            must_be_dir = must_be_dir or slash
    at = _At(stack[-1], final, must_be_dir)
    if must_be_dir and final != ".":
        node = at.node()
        if node is not None and not isinstance(node, _Dir):
            raise WasiError(Errno.NOTDIR, f"{path!r} ends with a slash but is not a directory")
    return at


# -- descriptors -------------------------------------------------------------------------------------


class MemoryDirectory(DirectoryDescriptor):
    """A directory of a :class:`MemoryFS`: the base of the guest paths relative to it."""

    def __init__(
        self,
        node: _Dir,
        rights: int,
        inheriting: int,
        *,
        readonly: bool = False,
        preopen: str | None = None,
        flags: Fdflags = NO_FLAGS,
    ) -> None:
        super().__init__(*self._own_rights(rights, inheriting, readonly), flags)
        self.node, self.readonly, self.preopen = node, readonly, preopen
        _opened(node)
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _closed(self.node)

    def set_flags(self, flags: Fdflags) -> None:
        if flags & _SYNC_FLAGS:
            raise WasiError(Errno.NOTSUP)
        self.flags = flags

    def filestat(self) -> Filestat:
        return self.node.filestat()

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        self._writable()
        _set_times(self.node, atim, mtim)

    def readdir(self, cookie: int) -> list[tuple[int, int, Filetype, bytes]]:
        """Entries after ``cookie``: ``.`` (cookie 1), ``..`` (2), then each entry with the cookie the
        directory gave it when it was added (see :class:`_Dir`)."""
        d = self.node
        out: list[tuple[int, int, Filetype, bytes]] = []
        if cookie < 1:
            out.append((1, d.ino, Filetype.DIRECTORY, b"."))
        if cookie < 2:
            # A preopen's ".." is above the sandbox: named as the preopen itself (as the host does).
            parent = d if self.preopen is not None or d.parent is None else d.parent
            out.append((2, parent.ino, Filetype.DIRECTORY, b".."))
        for name, next_cookie in d.cookies.items():
            if next_cookie > cookie:
                node = d.entries[name]
                out.append((next_cookie, node.ino, node.kind, name.encode()))
        return out

    # -- path operations --------------------------------------------------------------------------

    def _at(self, path: str, *, follow: bool) -> _At:
        return _walk(self.node, path, follow=follow)

    def open_at(
        self, path: str, *, follow: bool, oflags: Oflags, fdflags: Fdflags, base: Rights, inheriting: Rights
    ) -> Descriptor:
        """``path_open``, with the rights of :meth:`HostDirectory.open_at` and the errnos of Linux's
        ``openat(..., O_NOFOLLOW)`` on the final component (what the host backend calls)."""
        o = int(oflags)
        b, i, write = self._open_rights(o, int(base), int(inheriting))
        if o & _O_CREAT and path.endswith("/"):
            # As the host backend (Linux: EISDIR whatever is there), once the parent is resolved.
            self._at(path.rstrip("/") or path, follow=False)
            raise WasiError(Errno.ISDIR, f"{path!r} ends with a slash: cannot create a file there")
        if follow:  # as open_beneath: the final component as it is first, expanded if it is a symlink
            try:
                node = self._open_final(self._at(path, follow=False), path, o, write)
            except WasiError as exc:
                if exc.errno not in (Errno.LOOP, Errno.NOTDIR):
                    raise
                node = self._open_final(self._at(path, follow=True), path, o, write)
        else:
            node = self._open_final(self._at(path, follow=False), path, o, write)
        if isinstance(node, _Dir):
            return MemoryDirectory(node, b, i, readonly=self.readonly, flags=fdflags)
        if isinstance(node, _Object):
            return ObjectFile(node.obj, b & _FILE_RIGHTS, inheriting=i, flags=fdflags, node=node)
        assert isinstance(node, _File)
        return MemoryFile(node, b & _FILE_RIGHTS, i, flags=fdflags)

    def _open_final(self, at: _At, path: str, o: int, write: bool) -> _Node:
        """Linux's ``openat`` of the final component with ``O_NOFOLLOW`` (``fs/namei.c``: ``do_open``
        and ``may_open`` give the order of the checks)."""
        directory = bool(o & _O_DIRECTORY) or at.trailing_slash  # (CREAT with a slash: ISDIR before)
        node = at.node()
        if node is None:
            if not o & _O_CREAT:
                raise WasiError(Errno.NOENT, f"{path!r} does not exist")
            return self._create(at, _File)
        if o & _O_CREAT:
            if o & _O_EXCL:
                raise WasiError(Errno.EXIST, f"{path!r} exists")
            if isinstance(node, _Dir):
                raise WasiError(Errno.ISDIR, f"{path!r} is a directory")
        if directory and not isinstance(node, _Dir):
            raise WasiError(Errno.NOTDIR, f"{path!r} is not a directory")
        if isinstance(node, _Symlink):
            raise WasiError(Errno.LOOP, f"{path!r} is a symlink")
        if isinstance(node, _Dir) and (write or o & _O_TRUNC):
            raise WasiError(Errno.ISDIR, f"{path!r} is a directory")
        if o & _O_TRUNC:
            if isinstance(node, _File):
                node.resize(0, _now())
            elif isinstance(node, _Object):
                truncate = getattr(node.obj, "truncate", None)
                if callable(truncate):
                    truncate(0)
        return node

    def _create(self, at: _At, kind: type[_File] | type[_Dir]) -> _Node:
        if at.dir.removed:
            raise WasiError(Errno.NOENT, "the directory was removed")
        now = _now()
        node = _File(at.dir.store, now) if kind is _File else _Dir(at.dir.store, now, at.dir)
        at.dir.add(at.name, node, now)
        return node

    def create_directory(self, path: str) -> None:
        """``mkdir``: a trailing slash is ignored, as on the host backend (``dl/`` with ``dl`` a
        dangling symlink is ``EXIST``, never a directory created at the link's target)."""
        self._writable()
        at = self._at(strip_slashes(path)[0], follow=False)
        if at.node() is not None:
            raise WasiError(Errno.EXIST, f"{path!r} exists")
        self._create(at, _Dir)

    def stat_at(self, path: str, *, follow: bool) -> Filestat:
        return self._at(path, follow=follow).existing().filestat()

    def set_times_at(self, path: str, atim: int | None, mtim: int | None, *, follow: bool) -> None:
        self._writable()
        _set_times(self._at(path, follow=follow).existing(), atim, mtim)

    def readlink(self, path: str) -> bytes:
        """The target of a symlink; an absolute one (only the host API can place it) is refused with
        ``PERM``, as on the host backend."""
        node = self._at(path, follow=False).existing()
        if not isinstance(node, _Symlink):
            raise WasiError(Errno.INVAL, f"{path!r} is not a symlink")
        if node.target.startswith("/"):
            raise WasiError(Errno.PERM, "the symlink has an absolute target, outside the sandbox")
        return node.target.encode()

    def remove_directory(self, path: str) -> None:
        """``rmdir``: a trailing slash is ignored (``link/`` is ``NOTDIR``), as on the host backend."""
        self._writable()
        at = self._at(strip_slashes(path)[0], follow=False)
        if at.name == ".":
            raise WasiError(Errno.INVAL, "cannot remove '.'")
        node = at.existing()
        if not isinstance(node, _Dir):
            raise WasiError(Errno.NOTDIR, f"{path!r} is not a directory")
        if node.entries:
            raise WasiError(Errno.NOTEMPTY, f"{path!r} is not empty")
        at.dir.remove(at.name, _now())

    def unlink_file(self, path: str) -> None:
        self._writable()
        at = self._at(path, follow=False)
        if at.name == ".":
            raise WasiError(Errno.ISDIR, "'.' is a directory")
        node = at.existing()
        if at.trailing_slash or isinstance(node, _Dir):
            raise WasiError(Errno.ISDIR if isinstance(node, _Dir) else Errno.NOTDIR)
        at.dir.remove(at.name, _now())

    def symlink(self, target: str, path: str, *, absolute_ok: bool = False) -> None:
        self._writable()
        if "\0" in target:
            raise WasiError(Errno.INVAL, "symlink target contains a NUL byte")
        if target.startswith("/") and not absolute_ok:
            raise WasiError(Errno.NOTCAPABLE, "absolute symlink target")
        at = self._at(path, follow=False)
        if at.trailing_slash:
            raise WasiError(Errno.NOENT, "a symlink cannot be created at a path ending with a slash")
        if at.node() is not None:
            raise WasiError(Errno.EXIST, f"{path!r} exists")
        if not target:
            raise WasiError(Errno.NOENT, "empty symlink target")
        if at.dir.removed:
            raise WasiError(Errno.NOENT, "the directory was removed")
        now = _now()
        at.dir.add(at.name, _Symlink(at.dir.store, now, target), now)

    def link(self, old_path: str, new_dir: Descriptor, new_path: str, *, follow: bool) -> None:
        """Hard-link ``old_path`` as ``new_path`` in ``new_dir``, a directory of the same tree
        (another backend, or another tree: ``XDEV``)."""
        self._writable()
        target = self._same_tree(new_dir)
        if old_path.endswith("/") or new_path.endswith("/"):
            raise WasiError(Errno.NOENT, "path_link: a path ending with a slash")
        old, new = self._at(old_path, follow=follow), target._at(new_path, follow=False)
        node = old.existing()
        if new.name == "." or new.node() is not None:
            raise WasiError(Errno.EXIST, f"{new_path!r} exists")
        if isinstance(node, _Dir):
            raise WasiError(Errno.PERM, "a directory cannot be hard-linked")
        if new.dir.removed:
            raise WasiError(Errno.NOENT, "the directory was removed")
        if node.nlink >= LINK_MAX:
            raise WasiError(Errno.MLINK)
        node.store.count_one()  # an extra name counts against max_inodes
        new.dir.add(new.name, node, _now())

    def rename(self, old_path: str, new_dir: Descriptor, new_path: str) -> None:
        """``renameat``: Linux's checks in Linux's order (``EBUSY`` for ``.``, ``EINVAL`` for a
        directory into itself, ``ENOTEMPTY``, ``EISDIR``/``ENOTDIR`` for a kind mismatch)."""
        self._writable()
        target = self._same_tree(new_dir)
        (old_name, old_slash), (new_name, new_slash) = strip_slashes(old_path), strip_slashes(new_path)
        old, new = self._at(old_name, follow=False), target._at(new_name, follow=False)
        if old_slash or new_slash:
            if not isinstance(old.existing(), _Dir):
                raise WasiError(Errno.NOTDIR, "a path ending with a slash names a directory")
        if old.name == "." or new.name == ".":
            raise WasiError(Errno.BUSY, "cannot rename '.'")
        node = old.existing()
        replaced = new.node()
        if isinstance(node, _Dir) and _is_within(new.dir, node):
            raise WasiError(Errno.INVAL, "cannot move a directory into itself")
        if isinstance(replaced, _Dir) and _is_within(old.dir, replaced):
            raise WasiError(Errno.NOTEMPTY, "the target is an ancestor of the source")
        if replaced is node:
            return  # two names of one file: nothing to do (POSIX)
        if replaced is not None:
            if isinstance(node, _Dir) and not isinstance(replaced, _Dir):
                raise WasiError(Errno.NOTDIR, f"{new_path!r} is not a directory")
            if not isinstance(node, _Dir) and isinstance(replaced, _Dir):
                raise WasiError(Errno.ISDIR, f"{new_path!r} is a directory")
            if isinstance(replaced, _Dir) and replaced.entries:
                raise WasiError(Errno.NOTEMPTY, f"{new_path!r} is not empty")
        if new.dir.removed:
            raise WasiError(Errno.NOENT, "the directory was removed")
        now = _now()
        if replaced is not None:
            new.dir.remove(new.name, now)
        old.dir.remove(old.name, now, release=False)
        new.dir.add(new.name, node, now)

    def _same_tree(self, d: Descriptor) -> MemoryDirectory:
        if not isinstance(d, MemoryDirectory) or d.node.store is not self.node.store:
            raise WasiError(Errno.XDEV if d.filetype == Filetype.DIRECTORY else Errno.NOTDIR)
        d._writable()
        return d


def _is_within(d: _Dir, ancestor: _Dir) -> bool:
    """Whether ``d`` is ``ancestor`` or beneath it."""
    node: _Dir | None = d
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


def _set_times(node: _Node, atim: int | None, mtim: int | None) -> None:
    now = _now()
    if atim is not None:
        node.atim = atim
    if mtim is not None:
        node.mtim = mtim
    node.ctim = now


class MemoryFile(Descriptor):
    """An open regular file of a :class:`MemoryFS`: its node, and this descriptor's position."""

    filetype = Filetype.REGULAR_FILE
    implied = DIRECTORY_ONLY | SOCKET_ONLY

    def __init__(self, node: _File, rights: int, inheriting: int = 0, *, flags: Fdflags = NO_FLAGS) -> None:
        super().__init__(rights, inheriting, flags)
        self.node, self.pos = node, 0
        _opened(node)
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _closed(self.node)

    def _read_at(self, bufs: list[memoryview], pos: int) -> int:
        data, total = self.node.data, 0
        with memoryview(data) as view:
            for buf in bufs:
                chunk = view[pos + total : pos + total + len(buf)]
                n = len(chunk)
                buf[:n] = chunk
                total += n
                if n < len(buf):
                    break
        return total

    def _write_at(self, bufs: list[memoryview], pos: int) -> int:
        """Write ``bufs`` at ``pos`` (zero-filling a gap); past the tree's room, what fits (a short
        write, as a full disk gives) or ``NOSPC``; past the largest file, ``FBIG``."""
        node = self.node
        data = node.data
        size = len(bufs[0]) if len(bufs) == 1 else sum(len(b) for b in bufs)
        if size == 0:
            return 0  # as Linux: an empty write changes nothing, not even the times
        end = pos + size
        if end > len(data):
            if end > MAX_FILE_SIZE:
                if pos >= MAX_FILE_SIZE:
                    raise WasiError(Errno.FBIG, f"a file is at most {MAX_FILE_SIZE} bytes")
                end = MAX_FILE_SIZE
            room = node.store.room()
            if end - len(data) > room:
                end = len(data) + room
                if end <= pos:
                    raise WasiError(Errno.NOSPC, "the tree is full")
            node.store.grow(end - len(data))
            if pos > len(data):
                data.extend(bytes(pos - len(data)))
        at = pos
        for buf in bufs:
            n = min(len(buf), end - at)
            data[at : at + n] = buf[:n] if n < len(buf) else buf
            at += n
            if at == end:
                break
        node.mtim = node.ctim = _now()
        return end - pos

    def read(self, bufs: list[memoryview]) -> int:
        n = self._read_at(bufs, self.pos)
        self.pos += n
        return n

    def write(self, bufs: list[memoryview]) -> int:
        if self.flags & _APPEND:
            self.pos = len(self.node.data)
        n = self._write_at(bufs, self.pos)
        self.pos += n
        return n

    def pread(self, bufs: list[memoryview], offset: int) -> int:
        return self._read_at(bufs, offset)

    def pwrite(self, bufs: list[memoryview], offset: int) -> int:
        return self._write_at(bufs, offset)

    def seek(self, offset: int, whence: Whence) -> int:
        start = 0 if whence == Whence.SET else self.pos if whence == Whence.CUR else len(self.node.data)
        pos = start + offset
        if pos < 0 or pos > MAX_FILE_SIZE:
            raise WasiError(Errno.INVAL, "seek before the start of the file or past the largest file")
        self.pos = pos
        return pos

    def filestat(self) -> Filestat:
        return self.node.filestat()

    def set_size(self, size: int) -> None:
        self.node.resize(size, _now())

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        _set_times(self.node, atim, mtim)

    def set_flags(self, flags: Fdflags) -> None:
        if flags & _SYNC_FLAGS:
            raise WasiError(Errno.NOTSUP)  # as the host backend (and wasmtime)
        self.flags = flags

    def allocate(self, offset: int, length: int) -> None:
        if length == 0:
            raise WasiError(Errno.INVAL)
        if offset + length > len(self.node.data):
            self.node.resize(offset + length, _now())

    def readable_bytes(self) -> int:
        return max(0, len(self.node.data) - self.pos)


# -- the tree's Python API -------------------------------------------------------------------------

#: What a path of the mapping given to :class:`MemoryFS` may hold: a file's contents, a directory
#: (a mapping of its own entries, or empty), a symlink, or a Python file object (see FileObject).
TreeValue = Union[bytes, bytearray, str, Mapping[str, "TreeValue"], Symlink, FileObject]

_T = TypeVar("_T")
_ERRNO_TO_HOST = {m: getattr(host_errno, "E" + (m.name or ""), host_errno.EIO) for m in Errno}
_ERRNO_TO_HOST[Errno.NOTCAPABLE] = host_errno.EPERM  # a PermissionError for Python callers


def _oserror(exc: WasiError, path: str) -> OSError:
    code = _ERRNO_TO_HOST[exc.errno]
    return OSError(code, os.strerror(code), path)


class MemoryFS:
    """A filesystem tree in Python memory, to preopen with ``Preopen(fs, "/work")``.

    ``MemoryFS({"in/a.txt": b"alpha", "out": {}})`` creates the files (bytes, or str as UTF-8),
    directories (a mapping, empty or not), symlinks (:class:`Symlink`) and object-backed files (any
    :class:`~pywasihost.fs.objects.FileObject`) of the mapping, parents as needed. ``max_bytes``
    caps file contents and symlink targets (default 256 MiB): a guest's write past it gets
    ``NOSPC``, and so does any Python call here (an ``OSError``). ``max_inodes`` caps files,
    directories, symlinks and extra hard links (default 65536).

    The tree outlives runs: read its results after a run, run again on it, :meth:`copy` it first to
    keep the original. Paths given to the methods here are relative to the tree's root, resolved as
    a guest's are (symlinks followed, ``..`` never above the root); errors are ``OSError``\\ s.
    """

    def __init__(
        self,
        files: Mapping[str, TreeValue] | None = None,
        *,
        max_bytes: int = 256 << 20,
        max_inodes: int = 1 << 16,
    ) -> None:
        self._store = _Store(max_bytes, max_inodes)
        self._root = _Dir(self._store, _now(), None)
        self._root.nlink = 1
        if files:
            self.update(files)

    # -- building ---------------------------------------------------------------------------------

    @classmethod
    def from_directory(
        cls, path: str | os.PathLike[str], *, max_bytes: int = 256 << 20, max_inodes: int = 1 << 16
    ) -> MemoryFS:
        """A copy of host directory ``path``: files, directories, symlinks (as they are, absolute
        targets too, which a guest cannot follow) and hard links; access and modification times kept.
        Devices, pipes and sockets are left out. The disk is only read, here and never again."""
        fs = cls(max_bytes=max_bytes, max_inodes=max_inodes)
        top = Path(path)
        seen: dict[tuple[int, int], str] = {}  # (device, inode) of a file with several names -> its first
        times: list[tuple[str, os.stat_result]] = [(".", top.lstat())]
        for dirpath, dirnames, filenames in os.walk(top):  # symlinks to directories are not descended
            for name in sorted(dirnames) + sorted(filenames):
                host = Path(dirpath, name)
                rel = host.relative_to(top).as_posix()
                st = host.lstat()
                if stat.S_ISLNK(st.st_mode):
                    fs.symlink(rel, os.readlink(host))
                elif stat.S_ISDIR(st.st_mode):
                    fs.mkdir(rel)
                elif stat.S_ISREG(st.st_mode):
                    first = seen.get((st.st_dev, st.st_ino))
                    if first is not None:
                        fs.link(first, rel)
                        continue
                    if st.st_nlink > 1:
                        seen[(st.st_dev, st.st_ino)] = rel
                    fs._check_room(st.st_size)
                    fs.write_bytes(rel, host.read_bytes())
                else:
                    continue
                times.append((rel, st))
        for rel, st in reversed(times):  # last: adding entries to a directory moves its times
            fs._copy_times(rel, st)
        return fs

    @classmethod
    def from_zip(
        cls, source: str | os.PathLike[str] | IO[bytes], *, max_bytes: int = 256 << 20, max_inodes: int = 1 << 16
    ) -> MemoryFS:
        """The files and directories of a zip archive (its sizes checked against ``max_bytes`` first)."""
        import zipfile  # only for trees built from a zip

        fs = cls(max_bytes=max_bytes, max_inodes=max_inodes)
        with zipfile.ZipFile(source) as archive:
            fs._check_room(sum(info.file_size for info in archive.infolist()))
            for info in archive.infolist():
                name = info.filename.rstrip("/")
                if not name:
                    continue
                if info.is_dir():
                    fs.mkdir(name, parents=True, exist_ok=True)
                else:
                    fs.write_bytes(name, archive.read(info), parents=True)
        return fs

    @classmethod
    def from_tar(
        cls, source: str | os.PathLike[str] | IO[bytes], *, max_bytes: int = 256 << 20, max_inodes: int = 1 << 16
    ) -> MemoryFS:
        """The files, directories, symlinks and hard links of a tar archive (any compression)."""
        import tarfile  # only for trees built from a tar

        fs = cls(max_bytes=max_bytes, max_inodes=max_inodes)
        if isinstance(source, (str, os.PathLike)):
            opened = tarfile.open(source)
        else:
            opened = tarfile.open(fileobj=source)
        with opened as archive:
            members = archive.getmembers()
            fs._check_room(sum(m.size for m in members if m.isfile()))
            for m in members:
                name = m.name.strip("/")
                if not name or name == ".":
                    continue
                if m.isdir():
                    fs.mkdir(name, parents=True, exist_ok=True)
                elif m.issym():
                    fs._parents(name)
                    fs.symlink(name, m.linkname)
                elif m.islnk():
                    fs._parents(name)
                    fs.link(m.linkname.strip("/"), name)
                elif m.isfile():
                    f = archive.extractfile(m)
                    assert f is not None
                    fs.write_bytes(name, f.read(), parents=True)
                    fs._set_mtime(name, int(m.mtime * 1_000_000_000))
        return fs

    def update(self, files: Mapping[str, TreeValue], base: str = ".") -> None:
        """Add the entries of ``files`` (as the constructor does), replacing files of the same name."""
        for rel, value in files.items():
            path = rel if base == "." else f"{base}/{rel}"
            if isinstance(value, Mapping):
                self.mkdir(path, parents=True, exist_ok=True)
                self.update(value, path)
            elif isinstance(value, Symlink):
                self._parents(path)
                self.symlink(path, value.target)
            elif isinstance(value, (bytes, bytearray, str)):
                self.write_bytes(path, value.encode() if isinstance(value, str) else bytes(value), parents=True)
            else:
                self._parents(path)
                self.add_object(path, value)

    def copy(self) -> MemoryFS:
        """An independent copy (same contents, times, inode numbers and hard links; the same limits).
        Iterative, as every walk of a tree here: a guest can nest directories deeper than Python's
        recursion limit."""
        new = MemoryFS(max_bytes=self._store.max_bytes, max_inodes=self._store.max_inodes)
        store = new._store
        store.inodes, store._next_ino = 0, self._store._next_ino
        copies: dict[int, _Node] = {}

        def clone(node: _Node, parent: _Dir | None) -> _Node:
            store.inodes += 1  # a node, or an extra name of one
            c = copies.get(id(node))
            if c is not None:
                c.nlink += 1
                return c
            c = copies[id(node)] = object.__new__(type(node))
            c.store, c.ino, c.nlink, c.opens = store, node.ino, 1, 0
            c.atim, c.mtim, c.ctim = node.atim, node.mtim, node.ctim
            if isinstance(node, _File) and isinstance(c, _File):
                c.data = bytearray(node.data)
                store.bytes += len(c.data)
            elif isinstance(node, _Symlink) and isinstance(c, _Symlink):
                c.target = node.target
                store.bytes += c.size()
            elif isinstance(node, _Object) and isinstance(c, _Object):
                c.obj = node.obj  # the same object: a copy cannot clone a stream
            elif isinstance(node, _Dir) and isinstance(c, _Dir):
                c.parent, c.subdirs, c.removed = parent, node.subdirs, False
                c.entries, c.cookies, c.next_cookie = {}, dict(node.cookies), node.next_cookie
            return c

        root = clone(self._root, None)
        assert isinstance(root, _Dir)
        pending: list[tuple[_Dir, _Dir]] = [(self._root, root)]
        while pending:
            source, target = pending.pop()
            for name, child in source.entries.items():
                c = target.entries[name] = clone(child, target)
                if isinstance(child, _Dir) and isinstance(c, _Dir):
                    pending.append((child, c))
        new._root = root
        return new

    def subdir(self, path: str) -> MemoryFS:
        """The directory ``path`` of this tree as a tree of its own, to preopen on its own: the same
        nodes (changes show in both) and the same limits; ``..`` never leaves it in a guest's paths.
        Two preopens from one tree may link and rename between them, as directories of one disk."""
        node = self._node(path)
        if not isinstance(node, _Dir):
            raise NotADirectoryError(host_errno.ENOTDIR, os.strerror(host_errno.ENOTDIR), path)
        view = object.__new__(MemoryFS)
        view._store, view._root = self._store, node
        return view

    # -- reading and writing from Python ----------------------------------------------------------

    def read_bytes(self, path: str) -> bytes:
        node = self._node(path)
        if isinstance(node, _Dir):
            raise IsADirectoryError(host_errno.EISDIR, os.strerror(host_errno.EISDIR), path)
        if isinstance(node, _Object):
            return _read_object(node.obj)
        assert isinstance(node, _File)
        return bytes(node.data)

    def read_text(self, path: str, encoding: str = "utf-8") -> str:
        return self.read_bytes(path).decode(encoding)

    def write_bytes(self, path: str, data: bytes, *, parents: bool = False) -> int:
        """Create or replace the contents of file ``path`` (``parents``: create missing directories)."""
        if parents:
            self._parents(path)
        at = self._call(path, lambda: _walk(self._root, path, follow=True))
        node = at.node()
        if node is None:
            if at.trailing_slash:
                raise IsADirectoryError(host_errno.EISDIR, os.strerror(host_errno.EISDIR), path)
            root = MemoryDirectory(self._root, _DIRECTORY_RIGHTS, 0)
            node = self._call(path, lambda: root._create(at, _File))
            root.close()
        if isinstance(node, _Dir):
            raise IsADirectoryError(host_errno.EISDIR, os.strerror(host_errno.EISDIR), path)
        if not isinstance(node, _File):
            raise OSError(host_errno.EINVAL, "not a regular file", path)
        file = node
        self._check_room(len(data) - len(file.data))  # all or nothing (a guest gets a short write)
        self._call(path, lambda: file.resize(0, _now()))
        writer = MemoryFile(file, 0)
        try:
            self._call(path, lambda: writer.write([memoryview(data)]))
        finally:
            writer.close()
        return len(data)

    def write_text(self, path: str, text: str, encoding: str = "utf-8", *, parents: bool = False) -> int:
        return self.write_bytes(path, text.encode(encoding), parents=parents)

    def add_object(self, path: str, obj: FileObject) -> None:
        """Put a file at ``path`` whose contents are the Python object ``obj`` (see
        :class:`~pywasihost.fs.objects.FileObject`): the guest opens, reads, writes and seeks it."""
        at = self._call(path, lambda: _walk(self._root, path, follow=False))
        if at.node() is not None:
            raise FileExistsError(host_errno.EEXIST, os.strerror(host_errno.EEXIST), path)
        now = _now()
        node = self._call(path, lambda: _Object(self._store, now, obj))
        at.dir.add(at.name, node, now)

    def mkdir(self, path: str, *, parents: bool = False, exist_ok: bool = False) -> None:
        if parents:
            self._parents(path)
        if exist_ok and isinstance(self._node(path, missing_ok=True), _Dir):
            return
        self._as_guest(path, lambda d: d.create_directory(path))

    def symlink(self, path: str, target: str) -> None:
        """Create symlink ``path`` pointing at ``target``. A guest can follow only a relative target
        that stays beneath its preopen; an absolute one is refused when followed (``NOTCAPABLE``)."""
        self._as_guest(path, lambda d: d.symlink(target, path, absolute_ok=True))

    def link(self, existing: str, path: str) -> None:
        """Give file ``existing`` a second name, ``path``."""
        self._as_guest(path, lambda d: d.link(existing, d, path, follow=False))

    def rename(self, old: str, new: str) -> None:
        self._as_guest(old, lambda d: d.rename(old, d, new))

    def unlink(self, path: str) -> None:
        self._as_guest(path, lambda d: d.unlink_file(path))

    def rmdir(self, path: str) -> None:
        self._as_guest(path, lambda d: d.remove_directory(path))

    def readlink(self, path: str) -> str:
        """The target of symlink ``path``, absolute or not (the guest's readlink refuses an absolute
        one; the host sees what it placed)."""
        node = self._node(path, follow=False)
        if not isinstance(node, _Symlink):
            raise OSError(host_errno.EINVAL, os.strerror(host_errno.EINVAL), path)
        return node.target

    def stat(self, path: str = ".", *, follow_symlinks: bool = True) -> Filestat:
        """The WASI ``filestat`` a guest would get (device, inode, type, links, size, times in ns)."""
        return self._as_guest(path, lambda d: d.stat_at(path, follow=follow_symlinks))

    def exists(self, path: str) -> bool:
        return self._node(path, missing_ok=True) is not None

    def lexists(self, path: str) -> bool:
        return self._node(path, missing_ok=True, follow=False) is not None

    def is_dir(self, path: str) -> bool:
        return isinstance(self._node(path, missing_ok=True), _Dir)

    def is_file(self, path: str) -> bool:
        return isinstance(self._node(path, missing_ok=True), (_File, _Object))

    def is_symlink(self, path: str) -> bool:
        return isinstance(self._node(path, missing_ok=True, follow=False), _Symlink)

    def iterdir(self, path: str = ".") -> Iterator[str]:
        """The paths of the entries of directory ``path`` (as ``pathlib.Path.iterdir`` gives them)."""
        node = self._node(path)
        if not isinstance(node, _Dir):
            raise NotADirectoryError(host_errno.ENOTDIR, os.strerror(host_errno.ENOTDIR), path)
        prefix = "" if path in (".", "") else path.rstrip("/") + "/"
        for name in list(node.entries):
            yield prefix + name

    def walk(self) -> Iterator[str]:
        """Every path in the tree, parents before children (symlinks not followed)."""
        return (path for path, _ in self._entries())

    def _entries(self) -> Iterator[tuple[str, _Node]]:
        # Iterative: a guest can nest directories deeper than Python's recursion limit (and paths
        # longer than a guest may resolve, so nodes are reached here, not their paths).
        pending: list[tuple[str, Iterator[tuple[str, _Node]]]] = [("", iter(list(self._root.entries.items())))]
        while pending:
            prefix, entries = pending[-1]
            entry = next(entries, None)
            if entry is None:
                pending.pop()
                continue
            name, child = entry
            yield prefix + name, child
            if isinstance(child, _Dir):
                pending.append((prefix + name + "/", iter(list(child.entries.items()))))

    def to_dict(self) -> dict[str, TreeValue]:
        """The tree as a flat mapping: each file's path to its bytes, each symlink's to a
        :class:`Symlink`, each empty directory's to ``{}`` (``MemoryFS(fs.to_dict())`` rebuilds it)."""
        out: dict[str, TreeValue] = {}
        for path, node in self._entries():
            if isinstance(node, _Dir):
                if not node.entries:
                    out[path] = {}
            elif isinstance(node, _Symlink):
                out[path] = Symlink(node.target)
            elif isinstance(node, _Object):
                out[path] = _read_object(node.obj)
            elif isinstance(node, _File):
                out[path] = bytes(node.data)
        return out

    @property
    def open_descriptors(self) -> int:
        """Descriptors open on the tree now, in every run using it (a leak check: 0 after the runs)."""
        return self._store.opens

    @property
    def used_bytes(self) -> int:
        """Bytes of file contents and symlink targets held (what ``max_bytes`` caps)."""
        return self._store.bytes

    # -- mounting ---------------------------------------------------------------------------------

    def open_root(self, guest: str, *, readonly: bool = False) -> MemoryDirectory:
        """The preopened directory descriptor of this tree under the guest name ``guest``."""
        return MemoryDirectory(
            self._root, _DIRECTORY_RIGHTS, _DIRECTORY_RIGHTS | _FILE_RIGHTS, readonly=readonly, preopen=guest
        )

    # -- helpers ----------------------------------------------------------------------------------

    def _call(self, path: str, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except WasiError as exc:
            raise _oserror(exc, path) from None

    def _as_guest(self, path: str, action: Callable[[MemoryDirectory], _T]) -> _T:
        root = MemoryDirectory(self._root, _DIRECTORY_RIGHTS, _DIRECTORY_RIGHTS | _FILE_RIGHTS)
        try:
            return action(root)
        except WasiError as exc:
            raise _oserror(exc, path) from None
        finally:
            root.close()

    def _node(self, path: str, *, missing_ok: bool = False, follow: bool = True) -> _Node | None:
        try:
            node = _walk(self._root, path or ".", follow=follow).node()
        except WasiError as exc:
            if missing_ok and exc.errno in (Errno.NOENT, Errno.NOTDIR):
                return None
            raise _oserror(exc, path) from None
        if node is None and not missing_ok:
            raise FileNotFoundError(host_errno.ENOENT, os.strerror(host_errno.ENOENT), path)
        return node

    def _parents(self, path: str) -> None:
        parts = [p for p in path.split("/") if p][:-1]
        for i in range(len(parts)):
            self.mkdir("/".join(parts[: i + 1]), exist_ok=True)

    def _check_room(self, size: int) -> None:
        if size > self._store.room():
            raise OSError(host_errno.ENOSPC, f"{size} bytes do not fit in max_bytes={self._store.max_bytes}")

    def _copy_times(self, path: str, st: os.stat_result) -> None:
        node = self._node(path, follow=False)
        assert node is not None
        node.atim, node.mtim = max(0, st.st_atime_ns), max(0, st.st_mtime_ns)  # before 1970: 0, as the host backend

    def _set_mtime(self, path: str, mtim: int) -> None:
        node = self._node(path, follow=False)
        assert node is not None
        node.mtim = max(0, mtim)  # before 1970: 0, as the host backend


def _read_object(obj: object) -> bytes:
    """The whole contents of an object-backed file, for :meth:`MemoryFS.read_bytes`."""
    seek = getattr(obj, "seek", None)
    if seek is not None:
        seek(0, os.SEEK_SET)
    read = getattr(obj, "read", None)
    if read is None:
        raise OSError(host_errno.EBADF, "the object cannot be read")
    data = read()
    return bytes(data)
