"""The host filesystem beneath the preopens.

Every guest path is resolved beneath a directory handle, component by component
(:func:`~pywasihost.fs.resolve.resolve`), never joined to a host path as a string nor checked with a
lexical prefix: a guest can name nothing above the directory it was given.
"""

from .resolve import MAX_DEPTH, MAX_PATH_BYTES, MAX_SYMLINKS, Resolved, open_beneath, resolve

__all__ = ["MAX_DEPTH", "MAX_PATH_BYTES", "MAX_SYMLINKS", "Resolved", "open_beneath", "resolve"]
