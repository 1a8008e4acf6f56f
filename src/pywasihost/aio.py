"""Running a guest from asyncio: the run goes to a worker thread, its output comes back to the loop.

    queue: asyncio.Queue[bytes] = asyncio.Queue()
    task = asyncio.create_task(run_async("prog.wasm", WasiConfig(stdout=queue.put_nowait)))
    first = await queue.get()        # while the guest is still running
    result = await task

The event loop is never blocked by the guest. Whether other Python threads run while the guest
computes in wasm depends on the engine: wasmer holds the GIL for the whole wasm call (the loop then
runs only while the guest is in a host function), engines that release it let the loop run throughout.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from .config import OutputSpec, WasiConfig
from .engines import Engine
from .instance import ModuleSource, RunResult, run
from .namespace import Namespace

__all__ = ["run_async"]


def _on_loop(loop: asyncio.AbstractEventLoop, spec: OutputSpec) -> OutputSpec:
    """A callback spec, made to run on the event loop's thread (in order); any other spec as it is."""
    if not callable(spec) or callable(getattr(spec, "write", None)):
        return spec
    callback: Callable[[bytes], object] = spec
    return lambda data: loop.call_soon_threadsafe(callback, data)


async def run_async(
    module: ModuleSource,
    config: WasiConfig | None = None,
    *,
    namespace: Namespace | None = None,
    engine: Engine | None = None,
    entry: str = "_start",
) -> RunResult:
    """:func:`pywasihost.run` on a worker thread, awaited.

    A callback given as ``stdout``/``stderr`` receives each write as the guest makes it, called on
    the event loop's thread (``queue.put_nowait`` works as one); ``CAPTURE`` gives the bytes in the
    result as with :func:`run`. Traps and exits are raised as :func:`run` raises them."""
    loop = asyncio.get_running_loop()
    config = config or WasiConfig()
    config = dataclasses.replace(config, stdout=_on_loop(loop, config.stdout), stderr=_on_loop(loop, config.stderr))
    call: Callable[[], Any] = functools.partial(run, module, config, namespace=namespace, engine=engine, entry=entry)
    result: RunResult = await loop.run_in_executor(None, call)
    return result
