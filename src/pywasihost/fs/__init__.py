"""Filesystems beneath the preopens: the backends, and the rules they share.

The syscall layer talks to descriptors (:class:`~pywasihost.fdtable.Descriptor`): a directory
backend's descriptor (:class:`~pywasihost.fs.directory.DirectoryDescriptor`) implements the path
operations (``open_at``, ``stat_at``, ``create_directory``, ``rename``...) with guest paths relative
to it, and ``readdir``; what it opens implements the fd operations. A backend is mounted by
``Preopen`` through ``open_root`` (:mod:`pywasihost.fs.mount`). Two backends:

* host directories (:mod:`~pywasihost.fs.host`): every guest path is resolved beneath a directory
  handle, component by component (:func:`~pywasihost.fs.resolve.resolve`), never joined to a host
  path as a string nor checked with a lexical prefix: a guest can name nothing above it;
* trees in Python memory (:mod:`~pywasihost.fs.memory`), resolved by the same rules, with the same
  errnos; and files backed by Python objects (:mod:`~pywasihost.fs.objects`) in either.
"""

from .resolve import MAX_DEPTH, MAX_PATH_BYTES, MAX_SYMLINKS, Resolved, open_beneath, resolve

__all__ = ["MAX_DEPTH", "MAX_PATH_BYTES", "MAX_SYMLINKS", "Resolved", "open_beneath", "resolve"]
