"""``random_get``: filled straight into guest memory from the configured source."""

from __future__ import annotations

from ..config import SystemRandom
from ..context import WasiContext
from ..namespace.types import GuestBytes
from ._register import wasi


@wasi(native_when=lambda ctx: type(ctx.random) is SystemRandom)
def random_get(ctx: WasiContext, buf: GuestBytes) -> None:
    ctx.random.fill(buf)
