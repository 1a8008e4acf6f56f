"""The registry of host functions that a guest imports, and the wrappers the engine calls.

A :class:`Namespace` maps ``(module, name)`` to a :class:`Syscall`: a typed Python implementation
plus the codecs its annotations give. ``Namespace.preview1()`` holds all 46 functions of
``wasi_snapshot_preview1``, and applications add their
own functions to any module, override built-ins, or wrap them::

    ns = Namespace.preview1()

    @ns.syscall(module="myhost")
    def greet(ctx: WasiContext, name: GuestString, times: int) -> Size: ...

    @ns.wrap("fd_write")
    def counted(original, ctx, fd: Fd, iovs: CiovecArray) -> Size:
        ctx.state["writes"] = ctx.state.get("writes", 0) + 1
        return original(ctx, fd, iovs)

For each syscall the namespace compiles, once, a specialised wrapper that decodes the raw wasm
arguments, checks the out-pointers, calls the implementation, writes the results and turns
:class:`WasiError`/``OSError``/invalid enum values into the errno the guest gets back.
"""

from __future__ import annotations

import functools
import inspect
import keyword
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar

from ..abi import Errno, InvalidValue
from ..abi._generated import SIGNATURES
from ..errors import GuestMemoryError, HostError, ProcExit, Trap, WasiError, errno_from_oserror
from .codecs import ParamCodec, ResultCodec, ValueCodec, ValueResult
from .types import param_codec, result_codec, value_result

if TYPE_CHECKING:
    from ..context import WasiContext
    from ..memory import GuestMemory

__all__ = ["PREVIEW1", "Namespace", "Syscall", "SignatureMismatch"]

PREVIEW1 = "wasi_snapshot_preview1"
F = TypeVar("F", bound=Callable[..., Any])
RawFunction = Callable[..., Any]


class SignatureMismatch(TypeError):
    """A function registered under a preview 1 name whose wasm signature is not the spec's."""


@dataclass(frozen=True)
class Syscall:
    """One host function: its implementation and how its arguments and results cross the boundary.

    With ``errno`` (WASI style) the import returns an errno ``i32`` and ``results`` are written through
    out-pointers; without, ``values`` are returned directly as wasm values and failures trap.
    """

    module: str
    name: str
    impl: Callable[..., Any]
    params: tuple[tuple[str, ParamCodec], ...]
    results: tuple[tuple[str, ResultCodec], ...]
    noreturn: bool = False
    implemented: bool = True
    values: tuple[tuple[str, ValueResult], ...] = ()
    errno: bool = True
    native: str | None = None
    """The name of a native implementation an engine may run instead of this Python one (a C fast
    path for the ordinary case, which hands anything else back to it), when ``native_when`` says the
    instance's configuration allows it. Replacing or wrapping the function drops it."""
    native_when: Callable[[WasiContext], bool] | None = field(default=None, compare=False, repr=False)
    _factory: list[Callable[..., RawFunction]] = field(default_factory=list, compare=False, repr=False)

    @property
    def wasm_params(self) -> list[str]:
        out = [w for _, codec in self.params for w in codec.wasm]
        return out + ["i32"] * len(self.results)

    @property
    def wasm_results(self) -> list[str]:
        if self.returns_errno:
            return ["i32"]
        return [v.wasm for _, v in self.values]

    @property
    def returns_errno(self) -> bool:
        """Whether the import answers with an errno (else a failure can only be a trap)."""
        return self.errno and not self.noreturn

    @property
    def qualname(self) -> str:
        """``fd_write`` for preview 1, ``module.name`` for every other module."""
        return self.name if self.module == PREVIEW1 else f"{self.module}.{self.name}"

    def bind(self, ctx: WasiContext, memory: GuestMemory) -> RawFunction:
        """The raw function (wasm values in; an errno, the results or nothing out) the engine calls."""
        if not self._factory:
            self._factory.append(_compile(self))
        return self._factory[0](self.impl, ctx, memory)


def _call_failed(sc: Syscall, exc: BaseException) -> Trap:
    """A function without an errno result failed to decode an argument, or raised an errno: a trap."""
    if isinstance(exc, WasiError):
        what = f"{exc.errno.name} ({exc.errno.doc})"
    elif isinstance(exc, OSError):
        what = f"{errno_from_oserror(exc).name} ({exc})"
    else:
        what = f"INVAL ({exc})"
    return Trap(f"{sc.qualname}: {what}; the import has no errno result, so this is a trap")


def _host_bug(sc: Syscall, exc: BaseException) -> HostError:
    return HostError(f"host function {sc.qualname} failed: {type(exc).__name__}: {exc}")


def _bad_result(sc: Syscall, value: Any, exc: BaseException) -> HostError:
    """The implementation returned something its results cannot be: name the function and the result."""
    expected = [(n, v.convert, v.expected) for n, v in sc.values] + [(n, r.check, r.expected) for n, r in sc.results]
    shown = repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    if not expected:
        return HostError(f"{sc.qualname} returned {shown}: expected no result (None)")
    if len(expected) > 1 and not (isinstance(value, tuple) and len(value) == len(expected)):
        names = ", ".join(n for n, _, _ in expected)
        return HostError(f"{sc.qualname} returned {shown}: expected a tuple of {len(expected)} ({names})")
    values = value if len(expected) > 1 else (value,)
    for (name, check, want), v in zip(expected, values, strict=True):
        try:
            check(v)
        except (TypeError, ValueError) as err:
            return HostError(f"{sc.qualname} returned {shown}: result {name!r}: {err}; expected {want}")
    return HostError(f"{sc.qualname} returned {shown}: {type(exc).__name__}: {exc}")


def _identifier(name: str) -> str:
    """``name`` as a Python identifier for the generated wrapper: import names need not be one
    (``resource_drop_js-abi-value``, ``class``, ``rb-eval-string-protect: func(...)``)."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    return "_" + re.sub(r"\W", "_", name)


def _compile(sc: Syscall) -> Callable[..., RawFunction]:
    """Generate the Python source of the wrapper factory for ``sc`` and compile it."""
    env: dict[str, Any] = {
        "_WasiError": WasiError,
        "_InvalidValue": InvalidValue,
        "_GuestMemoryError": GuestMemoryError,
        "_PASS": (ProcExit, Trap),
        "_errno_from_oserror": errno_from_oserror,
        "_INVAL": int(Errno.INVAL),
        "_call_failed": functools.partial(_call_failed, sc),
        "_host_bug": functools.partial(_host_bug, sc),
        "_bad_result": functools.partial(_bad_result, sc),
    }
    raw: list[str] = []
    setup: list[str] = []
    decode: list[str] = []
    call_args: list[str] = []
    for i, (_, codec) in enumerate(sc.params):
        args = [f"a{len(raw) + k}" for k in range(len(codec.wasm))]
        raw.extend(args)
        for line in codec.setup(f"p{i}", env):
            if line not in setup:
                setup.append(line)
        decode.extend(codec.decode(args, f"p{i}"))
        call_args.append(f"p{i}")
    store: list[str] = []
    values = [f"v{j}" for j in range(len(sc.results) + len(sc.values))]
    for j, (_, result) in enumerate(sc.results):
        r = f"a{len(raw)}"
        raw.append(r)
        decode.append(f"{r} &= 0xFFFFFFFF")
        decode.append(f"if {r} + {result.size} > _mem.size: _mem.check({r}, {result.size})")
        store.extend(result.store(r, values[j], env))
    for j, (_, value) in enumerate(sc.values):
        env[f"_convert_v{j}"] = value.convert
        store.append(f"v{j} = {value.fast_path(f'v{j}')}")
    call = f"_impl(_ctx{''.join(', ' + a for a in call_args)})"
    if not values and sc.returns_errno:
        body = [call]
        unpack = []
    elif not values:  # a void import: anything but None is a mistake worth naming
        body = [f"v = {call}"]
        unpack = ["if v is not None: raise TypeError"]
    else:
        body = [f"v = {call}"]
        unpack = [f"{', '.join(values)} = v"]
    lines = ["def _factory(_impl, _ctx, _mem):"]
    lines += [f"    {s}" for s in setup]
    wrapper = _identifier(sc.name)
    lines.append(f"    def {wrapper}({', '.join(raw)}):")
    lines.append("        try:")
    lines += [f"            {s}" for s in decode + body]
    if sc.returns_errno:
        lines.append("        except _WasiError as e:")
        lines.append("            return int(e.errno)")
        lines.append("        except OSError as e:")
        lines.append("            return int(_errno_from_oserror(e))")
        lines.append("        except _InvalidValue:")
        lines.append("            return _INVAL")
    lines.append("        except _GuestMemoryError as e:")
    lines.append(f"            raise e.in_syscall({sc.qualname!r}) from None")
    lines.append("        except _PASS:")
    lines.append("            raise")
    if not sc.returns_errno:
        lines.append("        except (_WasiError, _InvalidValue, OSError) as e:")
        lines.append("            raise _call_failed(e) from None")
    lines.append("        except Exception as e:")
    lines.append("            raise _host_bug(e) from e")
    if unpack or store:
        lines.append("        try:")
        lines += [f"            {s}" for s in unpack + store]
        lines.append("        except Exception as e:")
        lines.append("            raise _bad_result(v, e) from None")
    if sc.returns_errno:
        lines.append("        return 0")
    elif len(sc.values) == 1:
        lines.append("        return v0")
    elif sc.values:
        lines.append(f"        return ({', '.join(f'v{j}' for j in range(len(sc.values)))})")
    lines.append(f"    return {wrapper}")
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<pywasihost wrapper {sc.module}.{sc.name}>", "exec")
    exec(code, env)
    factory: Callable[..., RawFunction] = env["_factory"]
    factory.__source__ = source  # type: ignore[attr-defined]  # for the curious and the tests
    return factory


def _result_types(ret: Any) -> tuple[Any, ...]:
    if ret is NoReturn or ret is type(None) or ret is None:
        return ()
    if typing.get_origin(ret) is tuple:
        return typing.get_args(ret)
    return (ret,)


def syscall_from_function(
    fn: Callable[..., Any],
    *,
    module: str,
    name: str | None = None,
    results: tuple[str, ...] | None = None,
    errno: bool = True,
) -> Syscall:
    """Build a :class:`Syscall` from a typed function whose first parameter is the context.

    ``errno=False``: the function's results are the import's results (not written through
    out-pointers), and an argument that does not decode, or a ``WasiError``, is a trap."""
    hints = typing.get_type_hints(fn, include_extras=True)
    sig = inspect.signature(fn)
    names = list(sig.parameters)
    if not names:
        raise TypeError(f"{fn!r}: the first parameter must be the context (ctx)")
    params = []
    for pname in names[1:]:
        if pname not in hints:
            raise TypeError(f"{fn!r}: parameter {pname!r} needs a type annotation")
        params.append((pname, param_codec(hints[pname])))
    ret = hints.get("return", type(None))
    noreturn = ret is NoReturn
    result_types = _result_types(ret)
    rnames = results or tuple(f"ret{i}" if len(result_types) > 1 else "ret" for i in range(len(result_types)))
    if len(rnames) != len(result_types):
        raise TypeError(f"{fn!r}: {len(rnames)} result names for {len(result_types)} results")
    if not errno:
        vals = tuple((rn, value_result(rt)) for rn, rt in zip(rnames, result_types, strict=True))
        return Syscall(module, name or fn.__name__, fn, tuple(params), (), noreturn, values=vals, errno=False)
    res = tuple((rn, result_codec(rt)) for rn, rt in zip(rnames, result_types, strict=True))
    return Syscall(module, name or fn.__name__, fn, tuple(params), res, noreturn)


def raw_function(
    fn: Callable[..., Any], *, module: str, name: str, params: Sequence[str], results: Sequence[str]
) -> Syscall:
    """A :class:`Syscall` taking and returning core wasm values as they are (:meth:`Namespace.function`)."""
    pcodecs = tuple((f"a{i}", ValueCodec(t)) for i, t in enumerate(params))
    rnames = [f"ret{i}" if len(results) > 1 else "ret" for i in range(len(results))]
    vals = tuple((rn, ValueResult(t)) for rn, t in zip(rnames, results, strict=True))
    return Syscall(module, name, fn, pcodecs, (), values=vals, errno=False)


class Preview1Set(Protocol):
    """The concrete ``wasi_snapshot_preview1`` functions, as this generic registry uses them:
    :mod:`pywasihost.syscalls` provides them (:func:`set_preview1`), so the registry imports none."""

    def names(self) -> Iterable[str]:
        """The names of the preview 1 functions there are."""

    def function(self, name: str) -> Syscall:
        """Preview 1 function ``name`` (built on first request, then the same object)."""

    def stub(self, name: str) -> Syscall | None:
        """The ``ENOSYS`` placeholder of preview 1 function ``name`` (None if there is none)."""


_PREVIEW1: list[Preview1Set] = []


def set_preview1(provider: Preview1Set) -> None:
    """Where :meth:`Namespace.preview1` and :meth:`Namespace.disable` take the preview 1 set from
    (called by :mod:`pywasihost.syscalls` when it is imported: :mod:`pywasihost.instance` imports it,
    and so does the first use of a namespace name through ``pywasihost``)."""
    _PREVIEW1[:] = [provider]


def _preview1() -> Preview1Set:
    if not _PREVIEW1:
        raise RuntimeError("no wasi_snapshot_preview1 set: import pywasihost.syscalls first")
    return _PREVIEW1[0]


class Namespace:
    """The host functions an instance imports, by ``(module, name)``."""

    def __init__(self, syscalls: dict[tuple[str, str], Syscall] | None = None) -> None:
        self._syscalls: dict[tuple[str, str], Syscall] = dict(syscalls or {})
        # Preview 1 functions in this namespace whose Syscall is fetched on first lookup: a run
        # builds only those its guest imports (start-up time: see syscalls/_register.py).
        self._pending: set[str] = set()

    # -- construction -----------------------------------------------------------------------------

    @classmethod
    def preview1(cls) -> Namespace:
        """A new namespace with every ``wasi_snapshot_preview1`` function (yours to change)."""
        ns = cls()
        ns._pending.update(_preview1().names())
        return ns

    def disable(self, name: str) -> Syscall:
        """Make preview 1 function ``name`` answer ``ENOSYS`` (the import stays, with the spec's
        signature): a way to deny a guest a whole family of calls, sockets say."""
        stub = _preview1().stub(name)
        if stub is None:
            raise KeyError(f"{name!r} is not a {PREVIEW1} function")
        self._put(stub)
        return stub

    def copy(self) -> Namespace:
        ns = Namespace(self._syscalls)
        ns._pending.update(self._pending)
        return ns

    # -- adding, overriding, wrapping -------------------------------------------------------------

    def add(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        *,
        module: str = PREVIEW1,
        results: tuple[str, ...] | None = None,
        errno: bool = True,
    ) -> Syscall:
        """Register ``fn`` as ``module.name`` (replacing what was there); return the :class:`Syscall`.

        ``module`` may be left out only for ``wasi_snapshot_preview1`` names. ``errno=False``: ``fn``
        returns the import's results directly (``-> None`` for a ``void`` import, ``-> int`` for an
        ``i32``...) and a failure is a trap instead of an errno."""
        sc = syscall_from_function(fn, module=module, name=name, results=results, errno=errno)
        self._put(sc)
        return sc

    def syscall(
        self,
        name: str | None = None,
        *,
        module: str = PREVIEW1,
        results: tuple[str, ...] | None = None,
        errno: bool = True,
    ) -> Callable[[F], F]:
        """Decorator form of :meth:`add`; the function itself is returned unchanged."""

        def register(fn: F) -> F:
            self.add(fn, name, module=module, results=results, errno=errno)
            return fn

        return register

    def function(
        self, module: str, name: str | None = None, *, params: Sequence[str] = (), results: Sequence[str] = ()
    ) -> Callable[[F], F]:
        """Decorator: a raw host function of any signature, ``module.name`` (default: the function's name).

        ``params`` and ``results`` are core wasm types (``"i32"``, ``"i64"``, ``"f32"``, ``"f64"``).
        The function receives ``ctx`` and the values (``i32``/``i64`` as signed ints, floats as
        floats) and returns ``None`` (no result), one value, or a tuple of them::

            @ns.function("env", "add", params=["i32", "i32"], results=["i32"])
            def add(ctx, a, b):
                return a + b
        """

        def register(fn: F) -> F:
            sc = raw_function(fn, module=module, name=name or fn.__name__, params=params, results=results)
            self._put(sc)
            return fn

        return register

    def override(self, name: str, fn: Callable[..., Any], *, module: str = PREVIEW1) -> Syscall:
        """Replace an existing function (``KeyError`` if there is none); result names and whether it
        answers an errno are kept."""
        old = self[module, name]
        names = tuple(n for n, _ in (old.results if old.errno else old.values)) or None
        return self.add(fn, name, module=module, results=names, errno=old.errno)

    def wrap(self, name: str, *, module: str = PREVIEW1) -> Callable[[F], F]:
        """Decorator: ``wrapper(original, ctx, *args)`` replaces ``module.name`` and may call ``original``.

        The wrapper receives the same decoded arguments as the original and returns its result.
        """

        def register(wrapper: F) -> F:
            old = self[module, name]
            self._syscalls[module, name] = replace(
                old, impl=functools.partial(wrapper, old.impl), native=None, native_when=None, _factory=[]
            )
            return wrapper

        return register

    def _put(self, sc: Syscall) -> None:
        spec = SIGNATURES.get(sc.name) if sc.module == PREVIEW1 else None  # generated from the witx
        if sc.module == PREVIEW1 and spec is None:
            raise ValueError(
                f"{sc.name!r} is not a {PREVIEW1} function: give your own functions their module "
                f"(module='app', the import module the guest names)"
            )
        if spec is not None and (tuple(sc.wasm_params), tuple(sc.wasm_results)) != spec:
            raise SignatureMismatch(
                f"{sc.name}: wasm signature {sc.wasm_params}->{sc.wasm_results} is not the spec's "
                f"{list(spec[0])}->{list(spec[1])}"
            )
        if sc.module == PREVIEW1:
            self._pending.discard(sc.name)
        self._syscalls[sc.module, sc.name] = sc

    def _fetch_pending(self, names: Iterable[str]) -> None:
        for name in [n for n in names if n in self._pending]:
            self._put(_preview1().function(name))

    # -- lookup ---------------------------------------------------------------------------------------

    def __getitem__(self, key: tuple[str, str]) -> Syscall:
        sc = self.get(*key)
        if sc is None:
            raise KeyError(f"no host function {key[0]}.{key[1]}")
        return sc

    def get(self, module: str, name: str) -> Syscall | None:
        if module == PREVIEW1:
            self._fetch_pending((name,))
        return self._syscalls.get((module, name))

    def __contains__(self, key: object) -> bool:
        if key in self._syscalls:
            return True
        return isinstance(key, tuple) and len(key) == 2 and key[0] == PREVIEW1 and key[1] in self._pending

    def __iter__(self) -> Iterator[Syscall]:
        self._fetch_pending(_preview1().names() if self._pending else ())
        return iter(self._syscalls.values())

    def __len__(self) -> int:
        return len(self._syscalls) + len(self._pending)
