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

from ..abi import Clockid, Errno, Eventrwflags, Eventtype, Rights, Size, Subclockflags
from ..abi.flat import EVENT, SUBSCRIPTION
from ..context import WasiContext
from ..errors import WasiError
from ..fdtable import Descriptor
from ..namespace.types import GuestPtr
from ._register import wasi

# Plain ints on the hot path (subscriptions are decoded as flat rows: see pywasihost.abi.flat).
_ABSTIME = Subclockflags.SUBSCRIPTION_CLOCK_ABSTIME.value
_CLOCK, _FD_READ, _FD_WRITE = Eventtype.CLOCK.value, Eventtype.FD_READ.value, Eventtype.FD_WRITE.value
_CLOCK_IDS = Clockid.__by_value__
_NCLOCKS = len(Clockid)
_POLL = Rights.POLL_FD_READWRITE.value
_HANGUP = Eventrwflags.FD_READWRITE_HANGUP.value
_MAX_WAIT_MS = 1 << 30  # poll(2) takes an int of milliseconds: longer waits go round again


@wasi("nevents")
def poll_oneoff(ctx: WasiContext, in_: GuestPtr, out: GuestPtr, nsubscriptions: Size) -> Size:
    mem = ctx.memory
    if nsubscriptions == 0:
        raise WasiError(Errno.INVAL, "no subscriptions")
    # Both arrays must lie in memory (a trap otherwise), whatever their length; then the count is
    # bounded before anything is decoded, so a guest cannot size a host allocation.
    mem.check(in_, SUBSCRIPTION.size * nsubscriptions)
    mem.check(out, EVENT.size * nsubscriptions)
    if nsubscriptions > mem.limits.max_subscriptions:
        raise WasiError(Errno.INVAL, f"more than {mem.limits.max_subscriptions} subscriptions")

    clocks: list[tuple[int, int]] = []  # (userdata, ns left until it fires)
    fds: list[tuple[int, int, Descriptor, int | None]] = []  # (userdata, event type, descriptor, host fd)
    now = ctx.clocks.time
    for userdata, tag, id_or_fd, timeout, _precision, flags in mem.load_rows(SUBSCRIPTION, in_, nsubscriptions):
        if tag == _CLOCK:
            if id_or_fd >= _NCLOCKS or flags & ~_ABSTIME:
                raise WasiError(Errno.INVAL, f"clock subscription: clock {id_or_fd}, flags {flags:#x}")
            if flags:  # an absolute deadline: in the past, it fires at once
                timeout -= now(_CLOCK_IDS[id_or_fd])
            clocks.append((userdata, max(0, timeout)))
        elif tag == _FD_READ or tag == _FD_WRITE:
            d = ctx.fds.get(id_or_fd, _POLL)
            fds.append((userdata, tag, d, d.poll_fileno()))
        else:
            raise WasiError(Errno.INVAL, f"unknown subscription type {tag}")

    wait = min((left for _, left in clocks), default=None)
    ready: dict[int, int] = {}  # host fd -> poll(2) revents
    pollable = [(tag, fileno) for _, tag, _, fileno in fds if fileno is not None]
    if len(pollable) < len(fds):  # something is always ready: do not wait
        wait = 0
    left = ctx.time_left_ns()  # a run with a timeout waits no longer than its deadline
    if pollable:
        capped = left is not None and (wait is None or wait > left)
        waited = _poll(pollable, left if capped else wait, ready)
        if capped and not ready:
            ctx.check_deadline()
    else:
        if wait and left is not None and wait > left:
            ctx.clocks.sleep(left)
            ctx.check_deadline()  # real clocks: the deadline has passed
            ctx.clocks.sleep(wait - left)  # clocks that do not really wait (deterministic): the rest
        elif wait:
            ctx.clocks.sleep(wait)
        waited = wait or 0

    events: list[tuple[int, int, int, int, int]] = []  # EVENT rows
    for userdata, tag, d, fileno in fds:
        if fileno is None:
            events.append(_fd_event(userdata, tag, d, 0))
        elif fileno in ready:
            revents = ready[fileno]
            if revents & select.POLLNVAL:
                events.append((userdata, Errno.BADF, tag, 0, 0))
            elif revents & (select.POLLHUP | select.POLLERR | (select.POLLIN if tag == _FD_READ else select.POLLOUT)):
                events.append(_fd_event(userdata, tag, d, _HANGUP if revents & select.POLLHUP else 0))
    if not events or any(left == 0 for _, left in clocks):
        events += [(userdata, 0, _CLOCK, 0, 0) for userdata, left in clocks if left <= waited]
    mem.store_rows(EVENT, out, events)
    return Size(len(events))


def _fd_event(userdata: int, tag: int, d: Descriptor, flags: int) -> tuple[int, int, int, int, int]:
    nbytes = 0
    if tag == _FD_READ:
        try:
            nbytes = d.readable_bytes()
        except OSError:
            pass
    return (userdata, 0, tag, nbytes, flags)


def _poll(pollable: list[tuple[int, int]], wait_ns: int | None, ready: dict[int, int]) -> int:
    """Wait on the host fds until one is ready or ``wait_ns`` passed (None: no limit); fill
    ``ready``; return the ns waited."""
    poller = select.poll()
    masks: dict[int, int] = {}
    for tag, fileno in pollable:
        masks[fileno] = masks.get(fileno, 0) | (select.POLLIN if tag == _FD_READ else select.POLLOUT)
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
