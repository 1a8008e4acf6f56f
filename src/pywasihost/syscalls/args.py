"""``args_*`` and ``environ_*``: the program's arguments and environment, as NUL-terminated UTF-8."""

from __future__ import annotations

from ..abi import Size
from ..context import WasiContext
from ..namespace.types import GuestPtr
from ._register import wasi


def _put_strings(ctx: WasiContext, blob: bytes, offsets: list[int], pointers: GuestPtr, buf: GuestPtr) -> None:
    ctx.memory.check(buf, len(blob))
    ctx.memory.check(pointers, 4 * len(offsets))
    ctx.memory.write_bytes(buf, blob)
    ctx.memory.store_u32_array(pointers, [(buf + off) & 0xFFFFFFFF for off in offsets])


@wasi("argc", "argv_buf_size")
def args_sizes_get(ctx: WasiContext) -> tuple[Size, Size]:
    return Size(len(ctx.arg_offsets)), Size(len(ctx.args))


@wasi()
def args_get(ctx: WasiContext, argv: GuestPtr, argv_buf: GuestPtr) -> None:
    _put_strings(ctx, ctx.args, ctx.arg_offsets, argv, argv_buf)


@wasi("environc", "environ_buf_size")
def environ_sizes_get(ctx: WasiContext) -> tuple[Size, Size]:
    return Size(len(ctx.environ_offsets)), Size(len(ctx.environ))


@wasi()
def environ_get(ctx: WasiContext, environ: GuestPtr, environ_buf: GuestPtr) -> None:
    _put_strings(ctx, ctx.environ, ctx.environ_offsets, environ, environ_buf)
