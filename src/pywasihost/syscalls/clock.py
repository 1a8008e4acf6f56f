"""``clock_res_get`` and ``clock_time_get``, read from the configured :class:`pywasihost.Clocks`."""

from __future__ import annotations

from ..abi import Clockid, Timestamp
from ..config import SystemClocks
from ..context import WasiContext
from ._register import wasi


@wasi("resolution")
def clock_res_get(ctx: WasiContext, id: Clockid) -> Timestamp:
    return Timestamp(ctx.clocks.resolution(id))


@wasi("time", native_when=lambda ctx: type(ctx.clocks) is SystemClocks)
def clock_time_get(ctx: WasiContext, id: Clockid, precision: Timestamp) -> Timestamp:
    return ctx.clocks.time(id)  # type: ignore[return-value]  # no NewType call on a hot path
