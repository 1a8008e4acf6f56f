"""Mounts: what a preopen's directory comes from, a host directory or any other backend.

A backend is anything with ``open_root(guest, *, readonly) -> Descriptor`` (:class:`Filesystem`):
it hands out the directory descriptor that the guest sees as the preopen ``guest``, and that
descriptor implements the path operations of :class:`~pywasihost.fdtable.Descriptor` beneath it.
:class:`~pywasihost.fs.memory.MemoryFS` is one; a host path (``str`` or ``os.PathLike``) is the
host backend (:class:`~pywasihost.fs.host.HostDirectory`). Each preopen is its own mount: ``..``
and symlinks never leave it, whichever backend it has.
"""

from __future__ import annotations

import os
from typing import Protocol, Union, runtime_checkable

from ..fdtable import Descriptor
from .host import HostDirectory

__all__ = ["Filesystem", "MountSource", "open_preopen"]


@runtime_checkable
class Filesystem(Protocol):
    """A filesystem backend that can be preopened (``Preopen(fs, "/work")``)."""

    def open_root(self, guest: str, *, readonly: bool = False) -> Descriptor:
        """The directory descriptor of the preopen ``guest`` (read-only: no right that changes anything)."""
        ...


#: What ``Preopen`` accepts: a host directory's path, or a backend.
MountSource = Union[str, "os.PathLike[str]", Filesystem]


def open_preopen(source: MountSource, guest: str, *, readonly: bool = False) -> Descriptor:
    """The descriptor of the preopen ``guest`` on ``source``."""
    if isinstance(source, (str, os.PathLike)):
        return HostDirectory.open_preopen(source, guest, readonly=readonly)
    if isinstance(source, Filesystem):
        return source.open_root(guest, readonly=readonly)
    raise TypeError(f"a preopen is a host path (str or os.PathLike) or a filesystem such as MemoryFS, not {source!r}")
