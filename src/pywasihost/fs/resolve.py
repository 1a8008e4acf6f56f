"""Resolve a guest path beneath a directory fd, so that it can never name anything above it.

The algorithm is the manual walk of cap-std and WAMR (see ``SECURITY.md`` at the repository root):

1. Refuse a malformed path before any system call: NUL byte (``INVAL``), invalid UTF-8 (``ILSEQ``),
   more than :data:`MAX_PATH_BYTES` bytes (``NAMETOOLONG``), the empty path (``NOENT``), an absolute
   path (``NOTCAPABLE``).
2. Keep a stack of open directory fds, starting at the base. For each component: ``.`` stays, ``..``
   pops (popping the base is an escape: ``NOTCAPABLE``), a name is opened relative to the top of the
   stack with ``O_PATH | O_DIRECTORY | O_NOFOLLOW``, so that the kernel never follows a symlink for us.
3. A name that is a symlink is read with ``readlinkat`` and its target's components are spliced in
   place of the name (an absolute target is ``NOTCAPABLE``); after :data:`MAX_SYMLINKS` expansions
   the walk stops with ``LOOP``.
4. The last component is not opened: it is returned with the fd of its directory, for a ``*at`` call.
   It is expanded like the others only when the caller follows symlinks, or when the path ends with a
   slash (which means "must be a directory", and follows as POSIX says): the slash itself is never
   handed to the kernel, which would then follow the link regardless of ``O_NOFOLLOW``
   (GHSA-vqjp-4c8c-hfgg).

Every fd the walk opens is closed on every way out, except the directory fd it returns.

Two shortcuts give the same answers with fewer system calls, and fall back to the walk whenever
they cannot be sure: a path of one plain name needs no walk at all (the name is acted on in the base
directory); and where the kernel has ``openat2`` (Linux 5.6+), the directory part of a longer path is
opened in one call with ``RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS``, the kernel's own version of
steps 2-3 (it refuses ``..`` above the base, absolute symlinks and absolute paths with ``EXDEV``).
The final component is still handled here, as in step 4.
"""

from __future__ import annotations

import errno as host_errno
import functools
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from ..abi import Errno
from ..errors import WasiError, errno_from_oserror

__all__ = [
    "MAX_DEPTH",
    "MAX_PATH_BYTES",
    "MAX_SYMLINKS",
    "Resolved",
    "open_beneath",
    "resolve",
    "splice_symlink",
    "strip_slashes",
]

#: Longest guest path accepted, in UTF-8 bytes (Linux's PATH_MAX less its NUL).
MAX_PATH_BYTES = 4096
#: Symlink expansions allowed in one resolution (Linux's own limit).
MAX_SYMLINKS = 40
#: Deepest directory stack the walk keeps open (each level holds one host fd while the walk runs).
MAX_DEPTH = 512

# Intermediate directories: O_PATH needs no read permission on them (search permission on the parent
# is enough) and the fd can serve only as a dir_fd. Where there is no O_PATH, a read-only open.
_O_PATH: int = getattr(os, "O_PATH", 0)
_DIR_FLAGS = (_O_PATH or os.O_RDONLY) | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass
class Resolved:
    """Where a guest path leads: the final component ``name`` in the directory ``dir_fd``.

    ``dir_fd`` is the base fd itself (``owned`` false) or an fd that the walk opened (``owned`` true,
    closed by :meth:`close` or on leaving a ``with`` block). It is opened with ``O_PATH`` on Linux: use
    it as the ``dir_fd`` of ``*at`` calls, not to read a directory (open ``"."`` beneath it for that).
    ``name`` is a single component, never ``..``; it is ``.`` when the path names the directory itself.
    With ``follow`` it is not a symlink (when it exists); without, it may be one.
    ``trailing_slash`` says the target must be a directory: the guest's path ended with a slash (or
    a symlink that the final component expanded to did). When the target exists it has been checked
    to be a directory; when it does not, the caller decides (``mkdir`` may create it, ``open`` may not).
    """

    dir_fd: int
    name: str
    trailing_slash: bool
    owned: bool = False
    _closed: bool = field(default=False, init=False, repr=False, compare=False)

    def close(self) -> None:
        """Close ``dir_fd`` if the walk opened it; the base fd is left alone. Safe to call twice."""
        if self.owned and not self._closed:
            self._closed = True
            os.close(self.dir_fd)

    def __enter__(self) -> Resolved:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _split(path: str) -> tuple[list[str], bool]:
    """The components of a relative path (empty ones dropped), and whether it ends with a slash."""
    return [c for c in path.split("/") if c], path.endswith("/")


def _check_path(path: str) -> tuple[list[str], bool]:
    """Refuse a malformed guest path before any system call; split a well-formed one."""
    if "\0" in path:
        raise WasiError(Errno.INVAL, "path contains a NUL byte")
    try:
        size = len(path.encode("utf-8"))
    except UnicodeEncodeError:
        raise WasiError(Errno.ILSEQ, "path is not valid UTF-8") from None
    if size > MAX_PATH_BYTES:
        raise WasiError(Errno.NAMETOOLONG, f"path is {size} bytes long (at most {MAX_PATH_BYTES})")
    if not path:
        raise WasiError(Errno.NOENT, "empty path")
    if path.startswith("/"):
        raise WasiError(Errno.NOTCAPABLE, "absolute path")
    return _split(path)


def splice_symlink(name: str, target: str, pending: list[str], expansions: int, max_symlinks: int, path: str) -> bool:
    """Put the components of symlink ``name``'s ``target`` on the walk's stack ``pending`` (the next
    component last), as its ``expansions``-th expansion; return whether the target ends with a slash.

    ``LOOP`` past ``max_symlinks`` expansions, ``NOTCAPABLE`` for an absolute target, ``NOENT`` for an
    empty one. (The memory backend's walk expands its symlinks here too: the same rules.)
    """
    if expansions > max_symlinks:
        raise WasiError(Errno.LOOP, f"more than {max_symlinks} symlinks in {path!r}")
    if target.startswith("/"):
        raise WasiError(Errno.NOTCAPABLE, f"symlink {name!r} has an absolute target")
    if not target:
        raise WasiError(Errno.NOENT, f"symlink {name!r} has an empty target")
    parts, slash = _split(target)
    pending.extend(reversed(parts))
    return slash


def _readlink(name: str, dir_fd: int) -> str | None:
    """The target of symlink ``name`` in ``dir_fd``; None when ``name`` is not a symlink or is missing.

    ``readlinkat`` itself tells a symlink from anything else (``EINVAL``), in the same system call
    that reads it: there is no separate check that could race with a rename.
    """
    try:
        return os.readlink(name, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (host_errno.EINVAL, host_errno.ENOENT):
            return None
        raise WasiError(errno_from_oserror(exc)) from exc


def _oserror(exc: OSError) -> WasiError:
    return WasiError(errno_from_oserror(exc), str(exc))


# -- openat2(RESOLVE_BENEATH) ------------------------------------------------------------------------


_SYS_OPENAT2 = 437  # the same number on every Linux architecture (the unified syscall table)
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_BENEATH = 0x08


@functools.cache
def _openat2() -> Callable[[int, bytes], tuple[int, int]]:
    """``openat2(dirfd, path, {O_PATH | O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS})`` as
    a function returning ``(fd, errno)``; ctypes is loaded on the first path that needs it."""
    import ctypes

    class OpenHow(ctypes.Structure):
        _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]

    how = OpenHow(_DIR_FLAGS & ~os.O_NOFOLLOW, 0, _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS)
    how_ref, how_size = ctypes.byref(how), ctypes.sizeof(how)
    syscall = ctypes.CDLL(None, use_errno=True).syscall
    syscall.restype = ctypes.c_long
    syscall.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t]
    get_errno = ctypes.get_errno

    def call(base_fd: int, path: bytes) -> tuple[int, int]:
        fd = syscall(_SYS_OPENAT2, base_fd, path, how_ref, how_size)
        return (int(fd), 0) if fd >= 0 else (-1, get_errno())

    return call


#: Whether to use ``openat2``; cleared when the kernel (or a seccomp filter) refuses it.
USE_OPENAT2 = _O_PATH != 0 and os.uname().sysname == "Linux"


def _openat2_dir(base_fd: int, path: str) -> int | None:
    """Open directory ``path`` beneath ``base_fd`` in one kernel call; None to let the walk do it."""
    global USE_OPENAT2
    fd, err = _openat2()(base_fd, path.encode())
    if fd >= 0:
        return fd
    if err == host_errno.EXDEV:
        raise WasiError(Errno.NOTCAPABLE, f"{path!r} leads outside its base directory")
    if err in (host_errno.ENOSYS, host_errno.EPERM, host_errno.E2BIG, host_errno.EINVAL):
        USE_OPENAT2 = False  # no openat2 here (old kernel, seccomp): the walk from now on
        return None
    if err in (host_errno.EAGAIN, host_errno.EINTR):
        return None  # a concurrent rename: the walk is race-free in its own way
    raise WasiError(errno_from_oserror(OSError(err, os.strerror(err))), f"{path!r}: {os.strerror(err)}")


def _quick(base_fd: int, pending: list[str], follow: bool, must_be_dir: bool, max_depth: int) -> Resolved | None:
    """The shortcuts: the result, or None when the walk must decide."""
    if not pending or pending[-1] in (".", ".."):
        return None  # "x/." and "x/.." traverse x (it must be a directory, a symlink is expanded)
    names = [c for c in pending if c != "."]
    final, parents = names[-1], names[:-1]
    if not parents:
        dir_fd, owned = base_fd, False
    elif USE_OPENAT2 and len(parents) <= max_depth:
        opened = _openat2_dir(base_fd, "/".join(parents))
        if opened is None:
            return None
        dir_fd, owned = opened, True
    else:
        return None
    try:
        if (follow or must_be_dir) and _readlink(final, dir_fd) is not None:
            if owned:
                os.close(dir_fd)
            return None  # a symlink to expand: the walk's job
        if must_be_dir:
            _check_dir(final, dir_fd, pending)
    except BaseException:
        if owned:
            os.close(dir_fd)
        raise
    return Resolved(dir_fd, final, must_be_dir, owned)


def _check_dir(name: str, dir_fd: int, pending: list[str]) -> None:
    """A path that ended with a slash: what it names, if it exists, must be a directory."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _oserror(exc) from exc
    if not stat.S_ISDIR(st.st_mode):
        raise WasiError(Errno.NOTDIR, f"{'/'.join(pending)!r} ends with a slash but is not a directory")


def resolve(
    base_fd: int,
    path: str,
    *,
    follow: bool,
    max_symlinks: int = MAX_SYMLINKS,
    max_depth: int = MAX_DEPTH,
    base_is_dir: bool = False,
) -> Resolved:
    """Resolve guest ``path`` beneath the directory ``base_fd``, following no symlink out of it.

    ``follow``: expand a symlink in the final component (``LOOKUP_SYMLINK_FOLLOW``); symlinks in the
    other components are always expanded, beneath the base like everything else. Raises
    :class:`WasiError`: ``NOTCAPABLE`` for anything that would leave the base (absolute path or
    symlink target, ``..`` above it), ``NOENT`` / ``NOTDIR`` for a missing / non-directory
    intermediate component (or the base not a directory), ``LOOP`` after ``max_symlinks`` expansions,
    ``NAMETOOLONG`` for a path longer than :data:`MAX_PATH_BYTES` or deeper than ``max_depth``,
    ``INVAL`` / ``ILSEQ`` for a NUL byte / invalid UTF-8. ``base_is_dir``: the caller knows the base
    is a directory (a directory descriptor), which saves checking it.
    """
    pending, must_be_dir = _check_path(path)
    if not base_is_dir:
        try:
            if not stat.S_ISDIR(os.fstat(base_fd).st_mode):
                raise WasiError(Errno.NOTDIR, "the base fd is not a directory")
        except OSError as exc:
            raise _oserror(exc) from exc
    if max_symlinks == MAX_SYMLINKS:  # the kernel's own limit, which openat2 applies
        quick = _quick(base_fd, pending, follow, must_be_dir, max_depth)
        if quick is not None:
            return quick

    pending.reverse()  # a stack: the next component is pending[-1], a symlink target is pushed back
    stack = [base_fd]  # stack[0] is the caller's; every other entry is ours to close
    expansions = 0
    final = "."
    done = False
    try:
        while pending:
            comp = pending.pop()
            last = not pending
            if comp == ".":
                continue
            if comp == "..":
                if len(stack) == 1:
                    raise WasiError(Errno.NOTCAPABLE, f"{path!r} leads above its base directory")
                os.close(stack.pop())
                continue

            target: str | None = None
            if last:
                if follow or must_be_dir:
                    target = _readlink(comp, stack[-1])
                if target is None:
                    final = comp
                    break
            else:
                if len(stack) > max_depth:
                    raise WasiError(Errno.NAMETOOLONG, f"{path!r} is more than {max_depth} directories deep")
                try:
                    stack.append(os.open(comp, _DIR_FLAGS, dir_fd=stack[-1]))
                    continue
                except OSError as exc:
                    # O_NOFOLLOW on a symlink: ELOOP, or ENOTDIR with O_PATH | O_DIRECTORY.
                    if exc.errno in (host_errno.ELOOP, host_errno.ENOTDIR):
                        target = _readlink(comp, stack[-1])
                    if target is None:
                        raise _oserror(exc) from exc

            # comp is a symlink to expand: splice its target's components in its place.
            expansions += 1
            slash = splice_symlink(comp, target, pending, expansions, max_symlinks, path)
            if last:
                must_be_dir = must_be_dir or slash

        if must_be_dir and final != ".":
            _check_dir(final, stack[-1], [path])
        result = Resolved(stack[-1], final, must_be_dir, owned=len(stack) > 1)
        done = True
        return result
    finally:
        keep = len(stack) - 1 if done else 0  # on success, the top of the stack is the result's
        for i in range(1, len(stack)):
            if i != keep:
                os.close(stack[i])


def open_beneath(
    base_fd: int, path: str, flags: int, mode: int = 0o666, *, follow: bool, base_is_dir: bool = False
) -> int:
    """Open guest ``path`` beneath ``base_fd`` with ``os.open`` ``flags``; return the new host fd.

    The final component is opened with ``O_NOFOLLOW`` always: with ``follow``, :func:`resolve` has
    already expanded a symlink there (beneath the base), so a symlink found at open time is one that
    appeared since, and is refused (``LOOP``) rather than followed. ``O_CREAT`` on a dangling
    symlink thus gives ``LOOP`` without ``follow`` and creates nothing. A path ending with a slash
    must name a directory: ``O_DIRECTORY`` is added, and with ``O_CREAT`` it is ``ISDIR`` (as Linux
    answers), before the kernel is asked to create anything.

    With ``follow``, the final component is first opened as it is (no-follow): most paths do not end
    in a symlink, and this saves reading the link first. Only when the kernel says it is one
    (``ELOOP``, or ``ENOTDIR`` for ``O_DIRECTORY``) is the path resolved again with the expansion.
    """
    if flags & os.O_CREAT and path.endswith("/"):
        # A file cannot be created at a name ending with a slash (Linux: EISDIR, whatever is there);
        # the parent is still resolved first, so a missing or escaping parent answers as usual.
        with resolve(base_fd, path.rstrip("/") or path, follow=False, base_is_dir=base_is_dir):
            raise WasiError(Errno.ISDIR, f"{path!r} ends with a slash: cannot create a file there")
    if follow:
        with resolve(base_fd, path, follow=False, base_is_dir=base_is_dir) as where:
            try:
                return _open_final(where, path, flags, mode)
            except WasiError as exc:
                if exc.errno not in (Errno.LOOP, Errno.NOTDIR):
                    raise
    with resolve(base_fd, path, follow=follow, base_is_dir=base_is_dir) as where:
        return _open_final(where, path, flags, mode)


def _open_final(where: Resolved, path: str, flags: int, mode: int) -> int:
    if where.trailing_slash:
        if flags & os.O_CREAT:
            raise WasiError(Errno.ISDIR, f"{path!r} ends with a slash: cannot create a file there")
        flags |= os.O_DIRECTORY
    try:
        return os.open(where.name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=where.dir_fd)
    except OSError as exc:
        raise _oserror(exc) from exc


def strip_slashes(path: str) -> tuple[str, bool]:
    """``path`` without its trailing slashes, and whether it had any. Operations on the entry itself
    (``mkdir``, ``rmdir``, ``rename``) take them off, as cap-std does, rather than letting the
    resolver follow a final symlink because of them (the slash alone is kept: absolute, refused)."""
    stripped = path.rstrip("/")
    return (stripped, stripped != path) if stripped else (path, False)
