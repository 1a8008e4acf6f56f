"""The host functions a guest imports: a registry of typed Python implementations.

See :class:`Namespace` for adding, overriding and wrapping functions, and :mod:`.types` for the
parameter annotations that the namespace decodes.
"""

from .codecs import ParamCodec, ResultCodec
from .registry import PREVIEW1, Namespace, SignatureMismatch, Syscall
from .types import F32, S64, U64, CiovecArray, GuestBytes, GuestPtr, GuestString, IovecArray

__all__ = [
    "F32",
    "PREVIEW1",
    "S64",
    "U64",
    "CiovecArray",
    "GuestBytes",
    "GuestPtr",
    "GuestString",
    "IovecArray",
    "Namespace",
    "ParamCodec",
    "ResultCodec",
    "SignatureMismatch",
    "Syscall",
]
