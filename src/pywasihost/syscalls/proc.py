"""``proc_exit``, ``proc_raise`` and ``sched_yield``."""

from __future__ import annotations

import os
from typing import NoReturn

from ..abi import Exitcode, Signal
from ..context import WasiContext
from ..errors import InvalidExitStatus, ProcExit
from ._register import wasi

#: Exit statuses a guest may give (wasmtime's range: 126 and up mean "not run" or a signal to a shell).
MAX_EXIT_STATUS = 125


@wasi()
def proc_exit(ctx: WasiContext, rval: Exitcode) -> NoReturn:
    if rval > MAX_EXIT_STATUS:
        raise InvalidExitStatus(rval)
    raise ProcExit(rval)


@wasi()
def sched_yield(ctx: WasiContext) -> None:
    os.sched_yield()


def _default_action(sig: Signal) -> str:
    """What POSIX does with ``sig`` by default, from the spec's own text ("Action: Terminates...")."""
    doc = sig.doc
    return doc[doc.find("Action:") + 8 :].split()[0] if "Action:" in doc else "Ignored."


@wasi()
def proc_raise(ctx: WasiContext, sig: Signal) -> None:
    """A signal with nobody to catch it: one whose default action terminates ends the run with exit
    code 128 + the host's number for it (as a shell reports it); the others change nothing."""
    if sig == Signal.NONE or _default_action(sig) != "Terminates":
        return
    import signal  # here: its import costs more than this module's (start-up)

    host = getattr(signal, f"SIG{sig.name}", None)
    raise ProcExit(128 + (int(host) if host is not None else int(sig)))
