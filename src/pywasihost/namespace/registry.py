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
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from ..abi import Errno, InvalidValue
from ..abi._generated import SIGNATURES
from ..errors import GuestMemoryError, WasiError, errno_from_oserror
from .codecs import ParamCodec, ResultCodec
from .types import param_codec, result_codec

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
    """One host function: its implementation and how its arguments and results cross the boundary."""

    module: str
    name: str
    impl: Callable[..., Any]
    params: tuple[tuple[str, ParamCodec], ...]
    results: tuple[tuple[str, ResultCodec], ...]
    noreturn: bool = False
    implemented: bool = True
    _factory: list[Callable[..., RawFunction]] = field(default_factory=list, compare=False, repr=False)

    @property
    def wasm_params(self) -> list[str]:
        out = [w for _, codec in self.params for w in codec.wasm]
        return out + ["i32"] * len(self.results)

    @property
    def wasm_results(self) -> list[str]:
        return [] if self.noreturn else ["i32"]

    def bind(self, ctx: WasiContext, memory: GuestMemory) -> RawFunction:
        """The raw function (plain ints in, errno out) that the engine calls for this instance."""
        if not self._factory:
            self._factory.append(_compile(self))
        return self._factory[0](self.impl, ctx, memory)


def _compile(sc: Syscall) -> Callable[..., RawFunction]:
    """Generate the Python source of the wrapper factory for ``sc`` and compile it."""
    env: dict[str, Any] = {
        "_WasiError": WasiError,
        "_InvalidValue": InvalidValue,
        "_GuestMemoryError": GuestMemoryError,
        "_errno_from_oserror": errno_from_oserror,
        "_INVAL": int(Errno.INVAL),
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
    values = [f"v{j}" for j in range(len(sc.results))]
    for j, (_, result) in enumerate(sc.results):
        r = f"a{len(raw)}"
        raw.append(r)
        decode.append(f"{r} &= 0xFFFFFFFF")
        decode.append(f"if {r} + {result.size} > _mem.size: _mem.check({r}, {result.size})")
        store.extend(result.store(r, values[j], env))
    call = f"_impl(_ctx{''.join(', ' + a for a in call_args)})"
    if not sc.results:
        body = [call]
    elif len(values) == 1:
        body = [f"v0 = {call}"]
    else:
        body = [f"{', '.join(values)} = {call}"]
    body += store
    lines = ["def _factory(_impl, _ctx, _mem):"]
    lines += [f"    {s}" for s in setup]
    lines.append(f"    def {sc.name}({', '.join(raw)}):")
    lines.append("        try:")
    lines += [f"            {s}" for s in decode + body]
    lines.append("        except _WasiError as e:")
    lines.append("            return int(e.errno)")
    lines.append("        except OSError as e:")
    lines.append("            return int(_errno_from_oserror(e))")
    lines.append("        except _InvalidValue:")
    lines.append("            return _INVAL")
    lines.append("        except _GuestMemoryError as e:")
    lines.append(f"            raise e.in_syscall({sc.name!r}) from None")
    lines.append("        return None" if sc.noreturn else "        return 0")
    lines.append(f"    return {sc.name}")
    source = "\n".join(lines) + "\n"
    code = compile(source, f"<pywasihost wrapper {sc.module}.{sc.name}>", "exec")
    exec(code, env)
    factory: Callable[..., RawFunction] = env["_factory"]
    factory.__source__ = source  # type: ignore[attr-defined]  # for the curious and the tests
    return factory


def syscall_from_function(
    fn: Callable[..., Any], *, module: str, name: str | None = None, results: tuple[str, ...] | None = None
) -> Syscall:
    """Build a :class:`Syscall` from a typed function whose first parameter is the context."""
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
    result_types: tuple[Any, ...]
    if noreturn or ret is type(None):
        result_types = ()
    elif typing.get_origin(ret) is tuple:
        result_types = typing.get_args(ret)
    else:
        result_types = (ret,)
    rnames = results or tuple(f"ret{i}" if len(result_types) > 1 else "ret" for i in range(len(result_types)))
    if len(rnames) != len(result_types):
        raise TypeError(f"{fn!r}: {len(rnames)} result names for {len(result_types)} results")
    res = tuple((rn, result_codec(rt)) for rn, rt in zip(rnames, result_types, strict=True))
    return Syscall(module, name or fn.__name__, fn, tuple(params), res, noreturn)


class Namespace:
    """The host functions an instance imports, by ``(module, name)``."""

    def __init__(self, syscalls: dict[tuple[str, str], Syscall] | None = None) -> None:
        self._syscalls: dict[tuple[str, str], Syscall] = dict(syscalls or {})

    # -- construction -----------------------------------------------------------------------------

    @classmethod
    def preview1(cls) -> Namespace:
        """A new namespace with every ``wasi_snapshot_preview1`` function (yours to change)."""
        from ..syscalls import BUILTINS

        ns = cls()
        for sc in BUILTINS:
            ns._put(sc)
        return ns

    def disable(self, name: str) -> Syscall:
        """Make preview 1 function ``name`` answer ``ENOSYS`` (the import stays, with the spec's
        signature): a way to deny a guest a whole family of calls, sockets say."""
        from .stubs import stubs  # the witx is parsed only for this

        stub = stubs().get(name)
        if stub is None:
            raise KeyError(f"{name!r} is not a {PREVIEW1} function")
        self._put(stub)
        return stub

    def copy(self) -> Namespace:
        return Namespace(self._syscalls)

    # -- adding, overriding, wrapping -------------------------------------------------------------

    def add(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        *,
        module: str = PREVIEW1,
        results: tuple[str, ...] | None = None,
    ) -> Syscall:
        """Register ``fn`` as ``module.name`` (replacing what was there); return the :class:`Syscall`."""
        sc = syscall_from_function(fn, module=module, name=name, results=results)
        self._put(sc)
        return sc

    def syscall(
        self, name: str | None = None, *, module: str = PREVIEW1, results: tuple[str, ...] | None = None
    ) -> Callable[[F], F]:
        """Decorator form of :meth:`add`; the function itself is returned unchanged."""

        def register(fn: F) -> F:
            self.add(fn, name, module=module, results=results)
            return fn

        return register

    def override(self, name: str, fn: Callable[..., Any], *, module: str = PREVIEW1) -> Syscall:
        """Replace an existing function (``KeyError`` if there is none); result names are kept."""
        old = self[module, name]
        return self.add(fn, name, module=module, results=tuple(n for n, _ in old.results))

    def wrap(self, name: str, *, module: str = PREVIEW1) -> Callable[[F], F]:
        """Decorator: ``wrapper(original, ctx, *args)`` replaces ``module.name`` and may call ``original``.

        The wrapper receives the same decoded arguments as the original and returns its result.
        """

        def register(wrapper: F) -> F:
            old = self[module, name]
            self._syscalls[module, name] = replace(old, impl=functools.partial(wrapper, old.impl), _factory=[])
            return wrapper

        return register

    def _put(self, sc: Syscall) -> None:
        spec = SIGNATURES.get(sc.name) if sc.module == PREVIEW1 else None  # generated from the witx
        if spec is not None and (tuple(sc.wasm_params), tuple(sc.wasm_results)) != spec:
            raise SignatureMismatch(
                f"{sc.name}: wasm signature {sc.wasm_params}->{sc.wasm_results} is not the spec's "
                f"{list(spec[0])}->{list(spec[1])}"
            )
        self._syscalls[sc.module, sc.name] = sc

    # -- lookup ---------------------------------------------------------------------------------------

    def __getitem__(self, key: tuple[str, str]) -> Syscall:
        try:
            return self._syscalls[key]
        except KeyError:
            raise KeyError(f"no host function {key[0]}.{key[1]}") from None

    def get(self, module: str, name: str) -> Syscall | None:
        return self._syscalls.get((module, name))

    def __contains__(self, key: object) -> bool:
        return key in self._syscalls

    def __iter__(self) -> Iterator[Syscall]:
        return iter(self._syscalls.values())

    def __len__(self) -> int:
        return len(self._syscalls)
