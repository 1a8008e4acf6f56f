"""The compiled-module cache: compile a module once, load its compiled code on every later run.

Compiling is most of a short run's time (a 110 KiB C program: 24 ms to compile, 0.1 ms to load; a
35 MiB one: a minute against 0.14 s), so :func:`pywasihost.run`, :class:`pywasihost.WasiInstance` and
the CLI keep compiled modules in ``$XDG_CACHE_HOME/pywasihost`` (default ``~/.cache/pywasihost``),
unless told ``cache=False`` / ``--no-cache``.

* An entry is keyed by the module's sha256 and the engine's :attr:`~pywasihost.engines.Engine.cache_tag`
  (engine and version, compiler, host CPU). It holds a header, the sha256 of the compiled code and the
  code; the hash is checked before the engine sees the bytes, so a truncated or corrupt entry is
  compiled again (and replaced), never handed to the engine (wasmer crashes on a truncated one).
* Loading compiled code runs native code from the file: a directory that group or others can write, or
  that is not the user's own, is refused (said once, on one line of stderr) and the module is compiled
  without the cache; so is a directory that cannot be created or written. Entry files are checked the
  same way when read (``O_NOFOLLOW``, owner, mode).
* Writes are atomic: a private temporary file in the directory, renamed over the entry. Processes that
  fill the same entry at once each write a whole entry; the last rename wins.
* Size cap (:data:`DEFAULT_MAX_BYTES`), least recently used out first: a hit touches the entry's mtime
  (atime is unreliable under ``relatime``), and each write evicts the oldest entries past the cap.

The cache talks to engines only through ``cache_tag``, ``serialize`` and ``deserialize``.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import stat
import sys
import time
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .engines import CompiledModule, Engine

__all__ = ["DEFAULT_MAX_BYTES", "CacheInfo", "ModuleCache", "default_cache", "default_cache_dir"]

DEFAULT_MAX_BYTES = 1 << 30
_MAGIC = b"pywasihost compiled module 1\n"
_SUFFIX = ".module"
_TMP_PREFIX = ".tmp-"
_STALE_TMP_SECONDS = 3600  # a temporary file this old belongs to a writer that died
_warned: set[str] = set()
_defaults: dict[str, ModuleCache] = {}
_tmp_names = itertools.count()  # with the pid: a temporary file name no other writer uses


def default_cache_dir() -> str:
    """``$XDG_CACHE_HOME/pywasihost``, or ``~/.cache/pywasihost`` (a relative XDG path is ignored, as
    the XDG spec says)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pywasihost")


def default_cache() -> ModuleCache:
    """The cache in :func:`default_cache_dir` (one object per directory, made on first use)."""
    directory = default_cache_dir()
    if directory not in _defaults:
        _defaults[directory] = ModuleCache(directory)
    return _defaults[directory]


def _warn_once(directory: str, message: str) -> None:
    key = f"{directory}\0{message}"
    if key not in _warned:
        _warned.add(key)
        print(f"pywasihost: compiled-module cache not used: {message}", file=sys.stderr)


def _private_problem(path: str, st: os.stat_result) -> str:
    """Why ``path`` (with ``st``) cannot be trusted with compiled code; "" when it can."""
    uid = os.geteuid()
    if st.st_uid != uid:
        return f"{path} is owned by uid {st.st_uid}, not by this user (uid {uid})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{path} is writable by group or others (mode {stat.S_IMODE(st.st_mode):o}; chmod go-w it)"
    return ""


class CacheInfo(NamedTuple):
    """What ``pywasihost cache info`` prints (a NamedTuple: cheaper to create at start-up than a dataclass)."""

    directory: str
    problem: str  # why the cache is not used; "" when it is
    entries: int
    total_bytes: int
    max_bytes: int

    def format(self) -> str:
        state = f"not used: {self.problem}" if self.problem else "in use"
        return (
            f"directory: {self.directory}\n"
            f"state: {state}\n"
            f"entries: {self.entries}\n"
            f"size: {self.total_bytes / 2**20:.1f} MiB of {self.max_bytes / 2**20:.0f} MiB\n"
        )


class ModuleCache:
    """Compiled modules in ``directory`` (default :func:`default_cache_dir`), at most ``max_bytes``."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES):
        self.directory = os.fspath(directory) if directory is not None else default_cache_dir()
        self.max_bytes = max_bytes

    # -- compile through the cache -----------------------------------------------------------------

    def compile(self, engine: Engine, wasm: bytes) -> CompiledModule:
        """``engine.compile(wasm)``, or the cached compiled code of the same module, engine and CPU."""
        problem = self.problem()
        if problem:
            _warn_once(self.directory, problem)
            return engine.compile(wasm)
        tag = engine.cache_tag
        path = self.entry_path(tag, wasm)
        module = self._load(engine, tag, path, wasm)
        if module is None:
            module = engine.compile(wasm)
            self._store(engine, tag, module, path)
        return module

    def entry_path(self, tag: str, wasm: bytes) -> str:
        key = hashlib.sha256(tag.encode() + b"\0" + hashlib.sha256(wasm).digest()).hexdigest()
        return os.path.join(self.directory, key + _SUFFIX)

    def problem(self) -> str:
        """Why the directory cannot be used (made if missing, mode 0700); "" when it can."""
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            st = os.stat(self.directory)
        except OSError as exc:
            return f"cannot create {self.directory}: {exc.strerror or exc}"
        if not stat.S_ISDIR(st.st_mode):
            return f"{self.directory} is not a directory"
        problem = _private_problem(self.directory, st)
        if not problem and not os.access(self.directory, os.W_OK | os.X_OK):
            problem = f"{self.directory} is not writable"
        return problem

    @staticmethod
    def _header(tag: str) -> bytes:
        return _MAGIC + tag.encode() + b"\n"

    def _load(self, engine: Engine, tag: str, path: str, wasm: bytes) -> CompiledModule | None:
        """The module in entry ``path``; None (and the entry removed) when it is missing or not intact."""
        try:  # O_NONBLOCK: a FIFO in its place must not hang the run
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
        except OSError:  # missing (a miss), or a symlink (not ours): compiled and replaced
            return None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            return None  # a directory or a FIFO: not read, not removed; the write fails and says so
        header = self._header(tag)
        # Unbuffered: readall() reads the rest into one buffer of the file's size. A buffered read()
        # after the header joins what it buffered to the rest: one more copy of a compiled module that
        # can be 140 MiB (ruby.wasm on wasmer), which doubled the time of a cache hit.
        with open(fd, "rb", buffering=0) as f:
            private = not _private_problem(path, st)
            head = f.read(len(header) + 32) if private else b""
            payload = f.readall() if private else b""
        intact = head[: len(header)] == header and hashlib.sha256(payload).digest() == head[len(header) :]
        if not intact:  # truncated, corrupt, another format, or not private
            self._remove(path)
            return None
        try:
            module = engine.deserialize(payload, wasm)
        except Exception:  # intact bytes the engine still refuses: compiled again
            self._remove(path)
            return None
        try:
            os.utime(path)  # a hit is a use: the least recently used entries go first
        except OSError:
            pass
        return module

    def _store(self, engine: Engine, tag: str, module: CompiledModule, path: str) -> None:
        try:
            payload = engine.serialize(module)
        except Exception:  # an engine or module that cannot be serialized: simply not cached
            return
        tmp = os.path.join(self.directory, f"{_TMP_PREFIX}{os.getpid()}-{next(_tmp_names)}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            with open(fd, "wb") as f:
                f.write(self._header(tag))
                f.write(hashlib.sha256(payload).digest())
                f.write(payload)
            os.replace(tmp, path)
        except OSError as exc:
            self._remove(tmp)
            _warn_once(self.directory, f"cannot write in {self.directory}: {exc.strerror or exc}")
            return
        self.evict()

    @staticmethod
    def _remove(path: str) -> None:
        try:
            os.unlink(path)
        except OSError:
            pass

    # -- management --------------------------------------------------------------------------------

    def _files(self) -> list[tuple[str, bool, os.stat_result]]:
        """(path, is an entry (not a temporary file), stat) of every regular file the cache made."""
        found = []
        try:
            names = os.listdir(self.directory)
        except OSError:
            return []
        for name in names:
            if name.endswith(_SUFFIX) or name.startswith(_TMP_PREFIX):
                path = os.path.join(self.directory, name)
                try:
                    st = os.lstat(path)
                except OSError:  # removed meanwhile by another process
                    continue
                if stat.S_ISREG(st.st_mode):
                    found.append((path, not name.startswith(_TMP_PREFIX), st))
        return found

    def evict(self) -> None:
        """Remove the least recently used entries until the total is at most ``max_bytes`` (and the
        temporary files of writers that died)."""
        now = time.time()
        entries = []
        for path, is_entry, st in self._files():
            if is_entry:
                entries.append((st.st_mtime_ns, st.st_size, path))
            elif now - st.st_mtime > _STALE_TMP_SECONDS:
                self._remove(path)
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            self._remove(path)
            total -= size

    def info(self) -> CacheInfo:
        sizes = [st.st_size for _, is_entry, st in self._files() if is_entry]
        return CacheInfo(self.directory, self.problem(), len(sizes), sum(sizes), self.max_bytes)

    def clear(self) -> int:
        """Remove every entry (and temporary file); the number of entries removed."""
        removed = 0
        for path, is_entry, _ in self._files():
            self._remove(path)
            removed += is_entry
        return removed
