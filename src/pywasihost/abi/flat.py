"""Flat ``struct`` codecs for arrays that a hot path decodes whole (``poll_oneoff``'s subscriptions
and events): one ``iter_unpack`` per array instead of nested record objects per element.

Each is derived from the generated layouts (offsets and sizes from the witx), never written by hand,
and ``tests/test_abi.py`` checks that it reads exactly what the generated classes read.
"""

from __future__ import annotations

import struct

from ._generated import Event, Subscription, SubscriptionClock, SubscriptionFdReadwrite, SubscriptionU

__all__ = ["EVENT", "SUBSCRIPTION"]


def _packed(size: int, fields: list[tuple[int, str]]) -> struct.Struct:
    """A little-endian struct of ``size`` bytes with ``fields`` (offset, format char) and padding between."""
    fmt, at = "<", 0
    for offset, char in sorted(fields):
        assert offset >= at, "overlapping fields"
        fmt += f"{offset - at}x" if offset > at else ""
        fmt += char
        at = offset + struct.calcsize("<" + char)
    fmt += f"{size - at}x" if size > at else ""
    codec = struct.Struct(fmt)
    assert codec.size == size, (fmt, size)
    return codec


def _subscription() -> struct.Struct:
    payload = Subscription.OFFSETS["u"] + SubscriptionU.PAYLOAD_OFFSET
    clock = SubscriptionClock.OFFSETS
    # an fd subscription's only field shares its place with the clock id
    assert SubscriptionFdReadwrite.OFFSETS["file_descriptor"] == clock["id"] == 0
    return _packed(
        Subscription.SIZE,
        [
            (Subscription.OFFSETS["userdata"], "Q"),
            (Subscription.OFFSETS["u"] + SubscriptionU.OFFSETS["tag"], "B"),
            (payload + clock["id"], "I"),  # clock id, or the fd of an fd_read / fd_write subscription
            (payload + clock["timeout"], "Q"),
            (payload + clock["precision"], "Q"),
            (payload + clock["flags"], "H"),
        ],
    )


#: A ``subscription`` as (userdata, tag, clock id or fd, timeout, precision, clock flags).
SUBSCRIPTION = _subscription()
#: An ``event`` as (userdata, error, type, fd_readwrite.nbytes, fd_readwrite.flags).
EVENT = Event._codec
