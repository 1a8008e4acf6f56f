"""A plugin host: load a WASI reactor plugin once, give it host functions, call its exports.

    .venv/bin/python examples/plugin_host.py [N]

The plugin (``tests/programs/reactor/plugin.c``) imports three functions from the module ``app``, of
plain C signatures: ``void log(const char *, size_t)``, ``double price(int32_t item)`` and
``int32_t quantity(int32_t item)``. The host serves ``log`` as a typed function returning nothing and
``quantity`` as a typed function returning its result directly (both ``errno=False``), and ``price``
as a raw function of core wasm types. The plugin is a reactor: creating the instance runs its
``_initialize`` (the C constructors) once; then the host calls ``total(n)`` as often as it likes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pywasihost
from pywasihost import GuestString, Namespace, WasiConfig, WasiContext

PLUGIN = Path(__file__).resolve().parent.parent / "tests" / "programs" / "reactor" / "plugin.wasm"
PRICES = [2.5, 4.0, 1.25, 10.0]


def plugin_namespace(messages: list[str]) -> Namespace:
    ns = Namespace.preview1()

    @ns.syscall(module="app", errno=False)  # void log(const char *msg, size_t len)
    def log(ctx: WasiContext, msg: GuestString) -> None:
        messages.append(msg)

    @ns.function("app", "price", params=["i32"], results=["f64"])  # double price(int32_t item)
    def price(ctx: WasiContext, item: int) -> float:
        ctx.state["asked"] = ctx.state.get("asked", 0) + 1
        return PRICES[item % len(PRICES)]

    @ns.syscall(module="app", errno=False)  # int32_t quantity(int32_t item): returned, not an errno
    def quantity(ctx: WasiContext, item: int) -> int:
        return 1 + item % 2

    return ns


def load_plugin(messages: list[str]) -> pywasihost.WasiInstance:
    """Compile and instantiate the plugin (its constructor runs now, once)."""
    module = pywasihost.compile(PLUGIN)
    assert module.kind == "reactor"
    return pywasihost.WasiInstance(module, WasiConfig(), namespace=plugin_namespace(messages))


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 3
    messages: list[str] = []
    with load_plugin(messages) as plugin:
        print(f"plugin says: {messages[0]} (initialised {plugin.call('initialized_count')} time)")
        for count in (n, n + 1):
            total = plugin.call("total", count)
            print(f"total({count}) = {total:.2f}; plugin logged: {messages[-1]!r}")
        print(f"prices asked: {plugin.context.state['asked']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
