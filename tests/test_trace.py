"""The trace: module-qualified names, short rights, data previews, preopen names, instance ids, the hook."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from conftest import run_program
from pywasihost import Errno, GuestString, Preopen, Trap, WasiContext, WasiError, enable_trace_output
from pywasihost.tracing import TRACE_LOGGER, TraceEvent
from test_host_functions import app_namespace


def trace_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pywasihost.trace"]


def test_custom_calls_are_named_with_their_module(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="pywasihost.trace"):
        run_program("c/hostfuncs", namespace=app_namespace([]), trace=True)
    lines = trace_lines(caplog)
    assert "app.log(msg='hello from the guest')" in lines
    assert "app.add(a0=2, a1=40) -> 42" in lines
    assert "app.add(a0=-5, a1=3) -> -2" in lines  # raw values shown as the function receives them
    assert "app.scale(x=1.25, factor=2.5) -> 3.125" in lines
    assert "app.get_point(seed=7) -> result=(point=Point(x=7, y=14)) -> errno=Success" in lines
    assert "app.get_point(seed=4294967295) -> errno=Inval (Invalid argument.)" in lines


def test_path_open_is_one_short_line_with_data_previews_and_preopen_names(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a.txt").write_bytes(b"0123456789" * 10)
    with caplog.at_level(logging.INFO, logger="pywasihost.trace"):
        result = run_program("c/fsutil", "cat", "/data/a.txt", preopens=[Preopen(tmp_path, "/data")], trace=True)
    assert result.exit_code == 0
    lines = trace_lines(caplog)
    (path_open,) = [line for line in lines if line.startswith("path_open(")]
    assert len(path_open) < 300, path_open
    assert "fs_rights_base=Rights(" in path_open and " of 30 flags: 0x" in path_open
    assert "fd_prestat_dir_name(fd=Fd(3), path=*guest 0x" in "\n".join(lines)
    assert any(line.endswith("-> path=b'/data' -> errno=Success") for line in lines)  # the preopen's name
    (read,) = [line for line in lines if line.startswith("fd_read(fd=Fd(4)") and "nread=100" in line]
    assert "-> iovs=b'01234567890123456789012345678901'... -> errno=Success" in read
    (write,) = [line for line in lines if line.startswith("fd_write(fd=Fd(1)")]
    assert "b'01234567890123456789012345678901'...) -> result=(nwritten=100)" in write
    assert all(len(line) < 400 for line in lines), max(lines, key=len)


def test_each_instance_has_its_id_in_the_trace() -> None:
    stream = io.StringIO()
    handler = enable_trace_output(stream)
    try:
        run_program("hello_wasi/hello_wasi", trace=True)
        run_program("hello_wasi/hello_wasi", trace=True)
    finally:
        TRACE_LOGGER.removeHandler(handler)
        TRACE_LOGGER.propagate = True
    shown = stream.getvalue().splitlines()
    ids = [line[: line.index("] ") + 1] for line in shown]
    assert len(shown) == 4 and ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2]
    assert shown[0].startswith(f"{ids[0]} fd_write(fd=Fd(1)") and shown[3] == f"{ids[2]} proc_exit(rval=Exitcode(0))"


def test_the_trace_hook_gets_structured_calls(caplog: pytest.LogCaptureFixture) -> None:
    events: list[TraceEvent] = []
    with caplog.at_level(logging.INFO, logger="pywasihost.trace"):
        result = run_program("c/hostfuncs", namespace=app_namespace([]), trace=False, trace_hook=events.append)
    assert result.exit_code == 0
    assert trace_lines(caplog) == []  # the hook alone: no log lines
    by_name: dict[tuple[str, str], TraceEvent] = {}
    for e in events:
        by_name.setdefault((e.module, e.name), e)  # the first call of each
    log = by_name["app", "log"]
    assert (log.args, log.results, log.errno, log.trap) == ({"msg": "hello from the guest"}, {}, None, None)
    assert by_name["app", "add"].results == {"ret": 42} and by_name["app", "add"].args == {"a0": 2, "a1": 40}
    writes = [e for e in events if e.name == "fd_write"]
    assert writes[0].args["fd"] == 1 and writes[0].args["iovs"].startswith(b"add=42\n")
    assert writes[0].errno is Errno.SUCCESS and writes[0].results["nwritten"] == len(writes[0].args["iovs"])
    assert len({e.instance for e in events}) == 1


def test_the_trace_hook_sees_traps() -> None:
    events: list[TraceEvent] = []
    ns = app_namespace([])

    @ns.syscall("log", module="app", errno=False)
    def refuse(ctx: WasiContext, msg: GuestString) -> None:
        raise WasiError(Errno.PERM)

    with pytest.raises(Trap):
        run_program("c/hostfuncs", namespace=ns, trace_hook=events.append)
    assert events[-1].name == "log" and events[-1].trap is not None and "app.log: PERM" in events[-1].trap
