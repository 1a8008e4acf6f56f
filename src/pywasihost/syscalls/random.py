"""``random_get``: filled straight into guest memory from the configured source."""

from __future__ import annotations

from ..context import WasiContext
from ..namespace.types import GuestBytes
from ._register import wasi


@wasi()
def random_get(ctx: WasiContext, buf: GuestBytes) -> None:
    ctx.random.fill(buf)
