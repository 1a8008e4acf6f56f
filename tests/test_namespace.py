"""The namespace: the 46 signatures against the witx, stubs, custom syscalls, overrides and wraps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest

import pywasihost
from conftest import compiled, run_program
from pywasihost import (
    PREVIEW1,
    Errno,
    Fd,
    GuestBytes,
    GuestString,
    Namespace,
    SignatureMismatch,
    Size,
    WasiContext,
    WasiError,
)
from pywasihost.abi._generated import SIGNATURES
from pywasihost.abi.witx import ListType, NamedRef, PointerType, load_spec
from pywasihost.namespace.codecs import IovecsCodec, SliceCodec

SPEC = load_spec()


def _witx_params(name: str) -> list[str]:
    """The spec's parameters as the codecs name them: a (pointer u8, size) pair is one byte buffer."""
    out: list[str] = []
    params = list(SPEC.functions[name].params)
    i = 0
    while i < len(params):
        t = params[i].type
        nxt = params[i + 1].type if i + 1 < len(params) else None
        if isinstance(t, PointerType) and isinstance(nxt, NamedRef) and nxt.name == "size" and "u8" in repr(t.pointee):
            out.append("pointer u8")
            i += 2
            continue
        if isinstance(t, NamedRef) and isinstance(t.target.type, ListType):
            out.append(t.name)
        elif isinstance(t, NamedRef):
            out.append(t.name)
        elif isinstance(t, PointerType):
            out.append("pointer")
        else:
            out.append(getattr(t, "name", repr(t)))
        i += 1
    return out


@pytest.mark.parametrize("name", sorted(SPEC.functions))
def test_every_preview1_function_matches_the_spec(name: str) -> None:
    ns = Namespace.preview1()
    sc = ns[PREVIEW1, name]
    fn = SPEC.functions[name]
    assert sc.wasm_params == fn.wasm_params()
    assert sc.wasm_results == fn.wasm_results()
    assert sc.noreturn == fn.noreturn
    assert [codec.witx for _, codec in sc.params] == _witx_params(name)
    assert [codec.witx for _, codec in sc.results] == [getattr(t, "name", "") for t in fn.results]
    assert sc.implemented


def test_a_disabled_function_answers_enosys_with_the_spec_signature() -> None:
    ns = Namespace.preview1()
    stub = ns.disable("fd_close")
    assert not stub.implemented and ns[PREVIEW1, "fd_close"] is stub
    assert stub.wasm_params == SPEC.functions["fd_close"].wasm_params()
    ctx = WasiContext(pywasihost.WasiConfig(stdout=pywasihost.CAPTURE))
    raw = ns[PREVIEW1, "fd_close"].bind(ctx, ctx.memory)
    assert raw(1) == Errno.NOSYS
    assert 1 in ctx.fds  # nothing was closed
    with pytest.raises(KeyError):
        ns.disable("fd_nonexistent")


def test_registering_a_preview1_name_with_the_wrong_signature_is_refused() -> None:
    ns = Namespace.preview1()

    def fd_write(ctx: WasiContext, fd: Fd) -> Size:
        return Size(0)

    with pytest.raises(SignatureMismatch):
        ns.add(fd_write)


def test_bad_annotations_are_refused() -> None:
    ns = Namespace()
    with pytest.raises(TypeError, match="needs a type annotation"):
        ns.add(lambda ctx, x: None, "f", module="m")

    def f(ctx: WasiContext, x: complex) -> None: ...

    with pytest.raises(TypeError, match="cannot be a syscall parameter"):
        ns.add(f, module="m")


def test_generated_wrapper_is_specialised() -> None:
    ns = Namespace.preview1()
    ctx = WasiContext(pywasihost.WasiConfig())
    ns[PREVIEW1, "fd_write"].bind(ctx, ctx.memory)
    source = ns[PREVIEW1, "fd_write"]._factory[0].__source__  # type: ignore[attr-defined]
    assert "def fd_write(a0, a1, a2, a3):" in source
    assert "p1 = a1 & 0xffffffff" in source and "_iovecs(p1, p1_n)" in source


def custom_namespace(log: list[str]) -> Namespace:
    """The README's example: a custom syscall in another module, an override and a wrap."""
    ns = Namespace.preview1()

    @ns.syscall(module="myhost", results=("out_len",))
    def greet(ctx: WasiContext, name: GuestString, times: int) -> Size:
        log.append(f"hello {name} x{times}")
        ctx.state["greeted"] = name
        return Size(len(name) * times)

    def fixed_random(ctx: WasiContext, buf: GuestBytes) -> None:
        buf[:] = bytes(range(1, len(buf) + 1))

    ns.override("random_get", fixed_random)

    @ns.wrap("sched_yield")
    def counted_yield(original: object, ctx: WasiContext) -> None:
        log.append("yield")
        raise WasiError(Errno.AGAIN)

    return ns


def test_custom_syscall_override_and_wrap_from_a_guest() -> None:
    log: list[str] = []
    result = run_program("c/custom", namespace=custom_namespace(log))
    assert result.exit_code == 0
    assert result.stdout == b"greet=0 out_len=12\nrandom=0102030405060708\nyield=6\n"
    assert log == ["hello wasm x3", "yield"]


def test_wrapper_can_call_the_original() -> None:
    ns = Namespace.preview1()
    seen: list[int] = []

    @ns.wrap("fd_write")
    def count_bytes(original, ctx: WasiContext, fd: Fd, iovs: list[memoryview]) -> Size:  # type: ignore[no-untyped-def]
        n: Size = original(ctx, fd, iovs)
        seen.append(n)
        return n

    result = run_program("hello_wasi/hello_wasi", namespace=ns)
    assert result.stdout == b"Hello WASI!" and seen == [11]


def test_custom_syscall_reaches_instance_state() -> None:
    log: list[str] = []
    inst = pywasihost.WasiInstance(
        compiled("c/custom"), pywasihost.WasiConfig(stdout=pywasihost.CAPTURE), namespace=custom_namespace(log)
    )
    assert inst.start() == 0
    assert inst.context.state["greeted"] == "wasm"


def test_missing_custom_import_is_a_clear_link_error() -> None:
    with pytest.raises(pywasihost.LinkError, match=r"myhost\.greet function \(i32, i32, i32, i32\) -> \(i32\)"):
        pywasihost.WasiInstance(compiled("c/custom"))


def test_noreturn_custom_syscall() -> None:
    ns = Namespace()

    def stop(ctx: WasiContext, code: int) -> NoReturn:
        raise pywasihost.ProcExit(code)

    sc = ns.add(stop, module="m")
    assert (sc.wasm_params, sc.wasm_results) == (["i32"], [])


def test_codecs_of_buffers() -> None:
    sc = Namespace.preview1()[PREVIEW1, "fd_read"]
    assert isinstance(sc.params[1][1], IovecsCodec)
    assert isinstance(Namespace.preview1()[PREVIEW1, "random_get"].params[0][1], SliceCodec)


def test_flags_and_enums_outside_the_spec_answer_einval() -> None:
    ns = Namespace()
    seen: list[object] = []

    def f(ctx: WasiContext, flags: pywasihost.Oflags, clock: pywasihost.Clockid) -> None:
        seen.append((flags, clock))

    ctx = WasiContext(pywasihost.WasiConfig())
    raw = ns.add(f, module="m").bind(ctx, ctx.memory)
    assert raw(0b1001, 1) == 0
    assert raw(0b1001, 1) == 0  # the second decode comes from the cache, same answer
    assert raw(1 << 4, 1) == Errno.INVAL
    assert raw(1, 4) == Errno.INVAL
    assert raw(1, -1) == Errno.INVAL  # a negative-looking i32 is a large unsigned value
    assert seen == [(pywasihost.Oflags.CREAT | pywasihost.Oflags.TRUNC, pywasihost.Clockid.MONOTONIC)] * 2


def test_a_run_does_not_parse_the_witx_nor_load_tracing() -> None:
    # Start-up cost: the signatures and scalar types come from the generated module, whose --check
    # keeps it equal to the witx; the witx reader is not even imported for a run, nor is logging
    # when the trace is off.
    code = (
        "import sys, pywasihost\n"
        "r = pywasihost.run(sys.argv[1], pywasihost.WasiConfig(stdout=pywasihost.CAPTURE))\n"
        "assert r.stdout == b'Hello WASI!', r\n"
        "assert 'pywasihost.abi.witx' not in sys.modules, 'the witx reader was imported'\n"
        "assert 'logging' not in sys.modules, 'tracing is off, yet logging was imported'\n"
    )
    hello = str(Path(__file__).parent / "programs" / "hello_wasi" / "hello_wasi.wasm")
    proc = subprocess.run([sys.executable, "-c", code, hello], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()


def test_generated_signatures_are_the_spec_s() -> None:
    assert SIGNATURES == {
        name: (tuple(fn.wasm_params()), tuple(fn.wasm_results())) for name, fn in SPEC.functions.items()
    }


def test_the_generic_registry_imports_no_concrete_preview1_function() -> None:
    """The registry (and the namespace package) import neither the syscall modules nor the stubs,
    at module level or inside a function: pywasihost.syscalls registers the preview 1 set instead."""
    import ast

    import pywasihost.namespace as package

    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names]
                assert not any("syscalls" in n or "stubs" in n for n in names), (path.name, ast.dump(node))
