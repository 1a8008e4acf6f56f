"""run_async: a run awaited from asyncio, its output delivered on the loop as the guest writes it."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import pywasihost
from conftest import program
from pywasihost import CAPTURE, Namespace, RunResult, Trap, WasiConfig, WasiContext


def tick_namespace(release: threading.Event, seen_on: list[str]) -> Namespace:
    ns = Namespace.preview1()

    @ns.function("app", "wait")
    def wait(ctx: WasiContext) -> None:
        seen_on.append(threading.current_thread().name)
        assert release.wait(30), "the test never released the guest"

    return ns


def test_output_reaches_the_loop_while_the_guest_runs(engine: Any) -> None:
    release = threading.Event()
    threads: list[str] = []

    async def main() -> tuple[bytes, bool, bytes, RunResult, list[str]]:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        delivered_on: list[str] = []

        def deliver(data: bytes) -> None:
            delivered_on.append(threading.current_thread().name)
            queue.put_nowait(data)

        config = WasiConfig(stdout=deliver)
        ns = tick_namespace(release, threads)
        task = asyncio.create_task(pywasihost.run_async(program("wat/tick"), config, namespace=ns, engine=engine))
        first = await asyncio.wait_for(queue.get(), 30)  # the guest is blocked in app.wait now
        still_running = not task.done()
        release.set()
        result = await task
        return first, still_running, queue.get_nowait(), result, delivered_on

    first, still_running, second, result, delivered_on = asyncio.run(main())
    assert (first, still_running, second, result.exit_code) == (b"tick\n", True, b"tock\n", 0)
    assert delivered_on == [threading.main_thread().name] * 2  # callbacks run on the loop's thread
    assert threads and threads[0] != threading.main_thread().name  # the guest ran on a worker


def test_captured_output_traps_and_state_come_back_as_with_run(engine: Any) -> None:
    release = threading.Event()
    release.set()
    ns = tick_namespace(release, [])
    result = asyncio.run(
        pywasihost.run_async(program("wat/tick"), WasiConfig(stdout=CAPTURE), namespace=ns, engine=engine)
    )
    assert (result.exit_code, result.stdout) == (0, b"tick\ntock\n")
    with pytest.raises(Trap, match="unreachable") as info:
        asyncio.run(pywasihost.run_async(program("c/trap"), WasiConfig(stdout=CAPTURE, stdin=b""), engine=engine))
    assert info.value.stdout == b"before trap\n"


def test_many_guests_run_in_a_spawned_process_pool() -> None:
    # The standard way past one process (and past the GIL): concurrent.futures with spawn. Configs and
    # results cross the process boundary by pickling; each worker compiles the module it is given.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    configs = [WasiConfig(args=["args_env", f"job{i}"], stdout=CAPTURE) for i in range(4)]
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(pywasihost.run, [str(program("c/args_env"))] * 4, configs))
    assert [r.exit_code for r in results] == [0] * 4
    assert [(r.stdout or b"").splitlines()[2] for r in results] == [b"argv[1]=job%d" % i for i in range(4)]
