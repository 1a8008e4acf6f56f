"""``poll_oneoff``: wait for clocks and for descriptors to become readable or writable.

Clock subscriptions (relative or absolute, on any clock) set the longest wait; descriptors backed by
a host fd (pipes, terminals, sockets) are waited on with ``poll(2)``; everything else (regular files,
directories, stdin given as bytes, captured output) is always ready, as the spec says of regular
files. When only clocks are subscribed the wait is the context's ``clocks.sleep``, so deterministic
clocks advance instead of sleeping.
"""

from __future__ import annotations

import select
import time

from ..abi import (
    Errno,
    Event,
    EventFdReadwrite,
    Eventrwflags,
    Eventtype,
    Filesize,
    Rights,
    Size,
    Subclockflags,
    Subscription,
    SubscriptionClock,
    Userdata,
)
from ..context import WasiContext
from ..errors import WasiError
from ..fdtable import Descriptor
from ..namespace.types import GuestPtr
from ._register import wasi

_ABSTIME = Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME
_POLL = Rights.POLL_FD_READWRITE.value
_MAX_WAIT_MS = 1 << 30  # poll(2) takes an int of milliseconds: longer waits go round again
_NO_FLAGS = Eventrwflags(0)
_HANGUP = Eventrwflags.FD_READWRITE_HANGUP


@wasi("nevents")
def poll_oneoff(ctx: WasiContext, in_: GuestPtr, out: GuestPtr, nsubscriptions: Size) -> Size:
    mem = ctx.memory
    if nsubscriptions == 0:
        raise WasiError(Errno.INVAL, "no subscriptions")
    # Both arrays must lie in memory (a trap otherwise), whatever their length; then the count is
    # bounded before anything is decoded, so a guest cannot size a host allocation.
    mem.check(in_, Subscription.SIZE * nsubscriptions)
    mem.check(out, Event.SIZE * nsubscriptions)
    if nsubscriptions > mem.limits.max_subscriptions:
        raise WasiError(Errno.INVAL, f"more than {mem.limits.max_subscriptions} subscriptions")
    subs = mem.load_array(Subscription, in_, nsubscriptions)

    clocks: list[tuple[Subscription, int]] = []  # (subscription, ns left until it fires)
    fds: list[tuple[Subscription, Descriptor, int | None]] = []
    for sub in subs:
        payload = sub.u.value
        if isinstance(payload, SubscriptionClock):
            timeout: int = payload.timeout
            if payload.flags & _ABSTIME:
                timeout -= ctx.clocks.time(payload.id)  # a deadline in the past fires at once
            clocks.append((sub, max(0, timeout)))
        else:
            d = ctx.fds.get(payload.file_descriptor, _POLL)
            fds.append((sub, d, d.poll_fileno()))

    wait = min((left for _, left in clocks), default=None)
    ready: dict[int, int] = {}  # host fd -> poll(2) revents
    always_ready = any(fileno is None for _, _, fileno in fds)
    pollable = [(sub, fileno) for sub, _, fileno in fds if fileno is not None]
    if always_ready:
        wait = 0
    if pollable:
        waited = _poll(pollable, wait, ready)
    else:
        if wait:
            ctx.clocks.sleep(wait)
        waited = wait or 0

    events: list[Event] = []
    for sub, d, fileno in fds:
        kind = sub.u.tag
        if fileno is None:
            events.append(_fd_event(sub, kind, d, _NO_FLAGS))
        elif fileno in ready:
            revents = ready[fileno]
            if revents & select.POLLNVAL:
                events.append(Event(sub.userdata, Errno.BADF, kind, EventFdReadwrite(Filesize(0), _NO_FLAGS)))
            elif kind == Eventtype.FD_READ and revents & (select.POLLIN | select.POLLHUP | select.POLLERR):
                events.append(_fd_event(sub, kind, d, _HANGUP if revents & select.POLLHUP else _NO_FLAGS))
            elif kind == Eventtype.FD_WRITE and revents & (select.POLLOUT | select.POLLHUP | select.POLLERR):
                events.append(_fd_event(sub, kind, d, _HANGUP if revents & select.POLLHUP else _NO_FLAGS))
    if not events or any(left == 0 for _, left in clocks):
        for sub, left in clocks:
            if left <= waited:
                events.append(Event(sub.userdata, Errno.SUCCESS, Eventtype.CLOCK, _NO_READWRITE))
    mem.store_array(out, events)
    return Size(len(events))


_NO_READWRITE = EventFdReadwrite(Filesize(0), _NO_FLAGS)


def _fd_event(sub: Subscription, kind: Eventtype, d: Descriptor, flags: Eventrwflags) -> Event:
    nbytes = 0
    if kind == Eventtype.FD_READ:
        try:
            nbytes = d.readable_bytes()
        except OSError:
            pass
    return Event(Userdata(sub.userdata), Errno.SUCCESS, kind, EventFdReadwrite(Filesize(nbytes), flags))


def _poll(pollable: list[tuple[Subscription, int]], wait_ns: int | None, ready: dict[int, int]) -> int:
    """Wait on the host fds until one is ready or ``wait_ns`` passed (None: no limit); fill
    ``ready``; return the ns waited."""
    poller = select.poll()
    masks: dict[int, int] = {}
    for sub, fileno in pollable:
        masks[fileno] = masks.get(fileno, 0) | (select.POLLIN if sub.u.tag == Eventtype.FD_READ else select.POLLOUT)
    for fileno, mask in masks.items():
        poller.register(fileno, mask)
    start = time.monotonic_ns()
    while True:
        elapsed = time.monotonic_ns() - start
        if wait_ns is None:
            timeout_ms = _MAX_WAIT_MS
        else:
            left = wait_ns - elapsed
            timeout_ms = min(_MAX_WAIT_MS, max(0, -(-left // 1_000_000)))  # rounded up: never early
        for fileno, revents in poller.poll(timeout_ms):
            ready[fileno] = revents
        elapsed = time.monotonic_ns() - start
        if ready or (wait_ns is not None and elapsed >= wait_ns):
            return elapsed
