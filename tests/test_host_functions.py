"""Host functions of any signature: raw functions, direct results, floats, void imports, structs."""

from __future__ import annotations

import struct
from typing import Any, ClassVar

import pytest

import pywasihost
from conftest import compiled, run_program
from pywasihost import (
    F32,
    PREVIEW1,
    S64,
    Errno,
    GuestString,
    HostError,
    Namespace,
    Record,
    Trap,
    WasiContext,
    WasiError,
)


class Point(Record):
    """An application's own struct, ``struct point { int32_t x, y; }``: a Record subclass."""

    __slots__ = ("x", "y")
    SIZE: ClassVar[int] = 8
    ALIGN: ClassVar[int] = 4
    OFFSETS: ClassVar[dict[str, int]] = {"x": 0, "y": 4}
    _LAYOUT = struct.Struct("<ii")

    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    @classmethod
    def unpack_from(cls, buf: Any, offset: int = 0) -> Point:
        return cls(*cls._LAYOUT.unpack_from(buf, offset))

    def pack_into(self, buf: Any, offset: int = 0) -> None:
        self._LAYOUT.pack_into(buf, offset, self.x, self.y)


def app_namespace(logged: list[str]) -> Namespace:
    """Every kind of host function ``tests/programs/c/hostfuncs.c`` imports from ``app``."""
    ns = Namespace.preview1()

    @ns.syscall(module="app", errno=False)
    def log(ctx: WasiContext, msg: GuestString) -> None:  # void log(const char*, size_t)
        logged.append(msg)

    @ns.function("app", "add", params=["i32", "i32"], results=["i32"])
    def add(ctx: WasiContext, a: int, b: int) -> int:  # raw: signed wasm values in and out
        return a + b

    @ns.syscall(module="app", errno=False)
    def counter(ctx: WasiContext) -> int:  # () -> i32, as Ruby's imports have
        ctx.state["count"] = ctx.state.get("count", 0) + 1
        return int(ctx.state["count"])

    @ns.syscall(module="app", errno=False)
    def scale(ctx: WasiContext, x: float, factor: F32) -> float:  # (f64, f32) -> f64
        return x * factor

    @ns.function("app", "half", params=["f32"], results=["f32"])
    def half(ctx: WasiContext, x: float) -> float:
        return x / 2

    @ns.syscall(module="app", errno=False)
    def neg64(ctx: WasiContext, x: S64) -> S64:
        return S64(-x)

    @ns.syscall(module="app", results=("point",))  # WASI style: errno, the struct through a pointer
    def get_point(ctx: WasiContext, seed: int) -> Point:
        if seed == 0xFFFFFFFF:
            raise WasiError(Errno.INVAL)
        return Point(seed, 2 * seed)

    return ns


def test_a_c_guest_calls_void_direct_float_and_struct_host_functions() -> None:
    logged: list[str] = []
    result = run_program("c/hostfuncs", namespace=app_namespace(logged))
    assert (result.exit_code, result.stderr) == (0, b"")
    assert result.stdout == (
        b"add=42\nadd_negative=-2\ncounter=1,2\nscale=3.1250\nhalf=1.5000\nneg64=-1099511627776\n"
        b"get_point=0 x=7 y=14\nget_point_bad=28\n"
    )
    assert logged == ["hello from the guest"]


def test_signatures_come_from_annotations_and_declarations() -> None:
    ns = app_namespace([])
    wasm = {name: (ns["app", name].wasm_params, ns["app", name].wasm_results) for name in ("log", "add", "scale")}
    assert wasm == {
        "log": (["i32", "i32"], []),
        "add": (["i32", "i32"], ["i32"]),
        "scale": (["f64", "f32"], ["f64"]),
    }
    assert ns["app", "get_point"].wasm_results == ["i32"] and ns["app", "get_point"].wasm_params == ["i32", "i32"]


@pytest.mark.parametrize(("mode", "errno_name"), [("badlog", "ILSEQ"), ("hugelog", "NAMETOOLONG")])
def test_a_void_import_whose_argument_does_not_decode_traps_naming_it(mode: str, errno_name: str) -> None:
    logged: list[str] = []
    with pytest.raises(Trap, match=rf"app\.log: {errno_name} .*no errno result") as info:
        run_program("c/hostfuncs", mode, namespace=app_namespace(logged))
    assert logged == []  # never called with a bad string, and the run did not go on
    assert info.value.stdout == b""  # nothing printed "after"


def test_a_raw_function_returns_several_values_of_several_types(engine: Any) -> None:
    ns = Namespace()
    seen: list[int] = []

    @ns.function("app", "triple", params=["i32"], results=["i32", "i64", "f64"])
    def triple(ctx: WasiContext, n: int) -> tuple[int, int, float]:
        seen.append(n)
        return n + 1, -(1 << 40), n / 4

    with pywasihost.WasiInstance(compiled("wat/multi_value"), namespace=ns, engine=engine) as inst:
        assert tuple(inst.call("run", -3)) == (-2, -(1 << 40), -0.75)
        assert tuple(inst.call("run", -1)) == (0, -(1 << 40), -0.25)  # an i32 arrives signed
    assert seen == [-3, -1]


def _run_with(replace: dict[str, Any]) -> None:
    ns = app_namespace([])
    for name, (params, results, fn) in replace.items():
        ns.function("app", name, params=params, results=results)(fn)
    run_program("c/hostfuncs", namespace=ns)


def test_a_wrong_result_names_the_function_and_the_result() -> None:
    with pytest.raises(HostError, match=r"app\.add returned 'x': result 'ret': .*expected an int for i32"):
        _run_with({"add": (["i32", "i32"], ["i32"], lambda ctx, a, b: "x")})
    with pytest.raises(HostError, match=r"app\.add returned 4294967296: result 'ret': .*does not fit in i32"):
        _run_with({"add": (["i32", "i32"], ["i32"], lambda ctx, a, b: 1 << 32)})
    with pytest.raises(HostError, match=r"app\.scale returned None: result 'ret'.*expected a float"):
        _run_with({"scale": (["f64", "f32"], ["f64"], lambda ctx, x, f: None)})
    with pytest.raises(HostError, match=r"app\.log returned 1: expected no result"):
        _run_with({"log": (["i32", "i32"], [], lambda ctx, p, n: 1)})

    ns = app_namespace([])

    @ns.syscall(module="app", results=("point",))
    def get_point(ctx: WasiContext, seed: int) -> Point:
        return (1, 2)  # type: ignore[return-value]

    with pytest.raises(HostError, match=r"app\.get_point returned \(1, 2\): result 'point': .*expected a Point"):
        run_program("c/hostfuncs", namespace=ns)


def test_a_host_function_that_raises_is_a_trap_naming_it() -> None:
    def broken(ctx: WasiContext, a: int, b: int) -> int:
        raise KeyError("no such thing")

    with pytest.raises(HostError, match=r"host function app\.add failed: KeyError") as info:
        _run_with({"add": (["i32", "i32"], ["i32"], broken)})
    assert isinstance(info.value.__cause__, KeyError)


def test_an_errno_from_a_function_without_errno_result_is_a_trap() -> None:
    def refuse(ctx: WasiContext, msg: GuestString) -> None:
        raise WasiError(Errno.ACCES)

    ns = app_namespace([])
    ns.add(refuse, "log", module="app", errno=False)
    with pytest.raises(Trap, match=r"app\.log: ACCES"):
        run_program("c/hostfuncs", namespace=ns)


def test_module_is_required_outside_preview1() -> None:
    ns = Namespace.preview1()

    def log(ctx: WasiContext, msg: GuestString) -> None: ...

    with pytest.raises(ValueError, match=r"'log' is not a wasi_snapshot_preview1 function.*module="):
        ns.add(log, errno=False)
    with pytest.raises(ValueError, match="'log' is not a wasi_snapshot_preview1 function"):
        ns.function(PREVIEW1, "log", params=["i32", "i32"])(log)
    assert ns.get(PREVIEW1, "log") is None
    with pytest.raises(ValueError, match="not a core wasm value type"):
        ns.function("app", "f", params=["u32"])(log)


def test_direct_results_refuse_structs_and_unknown_types() -> None:
    ns = Namespace()

    def point(ctx: WasiContext) -> Point:
        return Point(1, 2)

    with pytest.raises(TypeError, match="out-pointer"):
        ns.add(point, module="app", errno=False)


def test_noreturn_still_means_never_returns() -> None:
    ns = Namespace()

    def stop(ctx: WasiContext, code: int) -> None:
        raise pywasihost.ProcExit(code)

    sc = ns.add(stop, module="app", errno=False)
    assert (sc.wasm_params, sc.wasm_results) == (["i32"], [])
    ctx = WasiContext(pywasihost.WasiConfig())
    with pytest.raises(pywasihost.ProcExit):
        sc.bind(ctx, ctx.memory)(3)


def test_a_void_import_served_wasi_style_is_a_link_error_that_says_what_to_do() -> None:
    ns = app_namespace([])

    @ns.syscall(module="app")  # forgot errno=False: this one answers an errno
    def log(ctx: WasiContext, msg: GuestString) -> None: ...

    message = (
        r"app\.log: the module wants \(i32, i32\) -> \(\), the host provides \(i32, i32\) -> \(i32\) .*errno=False"
    )
    with pytest.raises(pywasihost.LinkError, match=message):
        run_program("c/hostfuncs", namespace=ns)


def test_override_keeps_a_direct_function_direct() -> None:
    logged: list[str] = []
    ns = app_namespace([])

    def shout(ctx: WasiContext, msg: GuestString) -> None:
        logged.append(msg.upper())

    sc = ns.override("log", shout, module="app")
    assert (sc.errno, sc.wasm_results) == (False, [])

    def add(ctx: WasiContext, a: int, b: int) -> int:
        return (a * b) & 0xFFFFFFFF  # typed ints are unsigned: -5 arrives as 2**32 - 5

    assert ns.override("add", add, module="app").wasm_results == ["i32"]
    result = run_program("c/hostfuncs", namespace=ns)
    assert logged == ["HELLO FROM THE GUEST"] and result.stdout is not None
    assert result.stdout.startswith(b"add=80\nadd_negative=-15\n")


def test_import_and_export_names_that_are_not_python_identifiers(engine: Any) -> None:
    """Binding generators name imports ``resource_drop_js-abi-value`` or ``next-id: func(...)``
    (CRuby's ruby.wasm does): the wrapper generated for each must still compile and be called."""
    ns = Namespace()
    dropped: list[int] = []

    @ns.function("canonical_abi", "resource_drop_js-abi-value", params=["i32"])
    def drop(ctx: WasiContext, handle: int) -> None:
        dropped.append(handle)

    @ns.syscall(module="my-host", name="next-id: func(x: u32) -> u32", errno=False)
    def next_id(ctx: WasiContext, x: int) -> int:
        return x + 1

    @ns.function("env", "class", params=["i32"], results=["i32"])  # a Python keyword
    def klass(ctx: WasiContext, x: int) -> int:
        return 10 * x

    @ns.function("env", "2fa", params=["i32"], results=["i32"])  # starts with a digit
    def twofa(ctx: WasiContext, x: int) -> int:
        return 100 * x

    with pywasihost.WasiInstance(compiled("wat/odd_names"), namespace=ns, engine=engine) as inst:
        assert inst.call("run: func(x: u32) -> u32", 3) == 4 + 30 + 300
    assert dropped == [3]
