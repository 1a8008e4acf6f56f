"""``proc_exit``, ``proc_raise`` and ``sched_yield``."""

from __future__ import annotations

import os
from typing import NoReturn

from ..abi import Exitcode
from ..context import WasiContext
from ..errors import ProcExit
from ._register import wasi


@wasi()
def proc_exit(ctx: WasiContext, rval: Exitcode) -> NoReturn:
    raise ProcExit(rval)


@wasi()
def sched_yield(ctx: WasiContext) -> None:
    os.sched_yield()
