"""Stopping wasm code on the wasmtime engine: the epoch deadline callback, and Ctrl-C.

Every store of an engine that compiles epoch checks in (the timed and fuel kinds of
:meth:`WasmtimeEngine.variant <pywasihost.engines.wasmtime.WasmtimeEngine.variant>`; plain code
cannot be stopped) gets an epoch deadline callback
(``wasmtime_store_epoch_deadline_callback``) and a deadline of the next epoch tick. The engine's
epoch advances every 10 ms while a timed call runs (the ticker of :mod:`.wasmtime`, which serves
every thread's timed calls) and at once on a Ctrl-C; at each tick wasmtime calls the callback on the
thread running the guest, and the callback stops the guest (an error: the call raises
``wasmtime.WasmtimeError``) when the call's time limit has passed
(:attr:`DeadlineState.timed_out`) or a Ctrl-C is to end the call (:attr:`DeadlineState.stop`),
else lets it go on until the next tick. No call sets a deadline of its own.

Ctrl-C on the main thread. CPython runs a Python signal handler only on the main thread, between
two bytecodes; while wasmtime runs wasm there (the GIL released), no bytecode runs, so a Ctrl-C
would wait for the guest's next host call, forever for a guest that spins in pure wasm. For the
outermost call on the main thread, while SIGINT has a Python handler (:func:`sigint_applies`),
:class:`SigintGuard`:

- makes the C-level signal handler write the signal number to a pipe (``signal.set_wakeup_fd``;
  what arrives is passed on to the previous wakeup fd, asyncio's say); a watcher thread reads it
  and advances the engine's epoch, so the guest enters the deadline callback at once: Python code
  on the main thread, where the pending handler runs, at the callback's first bytecode;
- wraps the SIGINT handler for the call: run at the callback's entry, it calls the original
  handler and keeps what it raises (``KeyboardInterrupt``) in ``stop`` instead of letting it escape
  the C callback; the callback then stops the guest and the call raises what was kept. Run
  anywhere else (a host function, Python code), the original handler runs as it is. A handler that
  does not raise lets the guest go on, as it lets Python code go on.

Measured on a loaded 2-core VM: 0.5-0.8 ms from the SIGINT to the call's end; entering and leaving
the guard costs 4-10 us a call (through ``_signal``, see below), against 75 us or more for the
wasmtime-py call itself at the same moment.
"""

from __future__ import annotations

import ctypes
import importlib
import itertools
import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

__all__ = ["DeadlineState", "SigintGuard", "forget_after_fork", "sigint_applies"]

# The C module that ``signal`` wraps: ``signal.getsignal``/``signal.signal`` turn every handler into
# an enum member if they can, and a Python function fails that with an exception (about 7 us per
# call, 28 us per guarded call in all); ``_signal``'s answer in 0.2-0.6 us.
_signal: Any = importlib.import_module("_signal")

_CALLBACK_TYPE = ffi.dll.wasmtime_store_epoch_deadline_callback.argtypes[1]
_FINALIZER_TYPE = ffi.dll.wasmtime_store_epoch_deadline_callback.argtypes[3]
_CONTINUE = 0  # WASMTIME_UPDATE_DEADLINE_CONTINUE


class DeadlineState:
    """What one store's deadline callback decides on, set by each call into the store."""

    def __init__(self, store: wasmtime.Store) -> None:
        self.stop: BaseException | None = None  # what the SIGINT handler raised: end the call with it
        self.timeout_at: float | None = None  # time.monotonic() past which the call is stopped
        self.timed_out = False
        env = next(_ENVS)
        _STATES[env] = self
        ffi.dll.wasmtime_store_epoch_deadline_callback(store.ptr(), _on_deadline_c, ctypes.c_void_p(env), _forget_c)
        store.set_epoch_deadline(1)  # and the callback keeps it at the next tick, for good

    def begin(self, timeout: float | None) -> None:
        self.stop, self.timed_out = None, False
        self.timeout_at = None if timeout is None else time.monotonic() + timeout

    def stopping(self) -> bool:
        if self.stop is not None:
            return True
        if self.timeout_at is not None and time.monotonic() >= self.timeout_at:
            self.timed_out = True
        return self.timed_out


_ENVS = itertools.count(1)
_STATES: dict[int, DeadlineState] = {}  # env -> state, until wasmtime drops the store


def _on_deadline(context: Any, env: int | None, delta: Any, kind: Any) -> int:
    # the SIGINT handler of watching_sigint may run right here, at the first bytecode (see the docstring)
    state = _STATES.get(env or 0)
    if state is None or state.stopping():
        error = ffi.wasmtime_error_new(b"the guest was stopped")
        return ctypes.cast(error, ctypes.c_void_p).value or 0
    delta[0], kind[0] = 1, _CONTINUE
    return 0


def _forget(env: int | None, states: dict[int, DeadlineState] = _STATES) -> None:
    states.pop(env or 0, None)  # (a default argument: module globals may be gone at interpreter exit)


_on_deadline_c = _CALLBACK_TYPE(_on_deadline)
_forget_c = _FINALIZER_TYPE(_forget)
# wasmtime may call these from C for as long as any store lives, during interpreter teardown too:
# never freed (one reference each, never given back).
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_on_deadline_c))
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_forget_c))


def sigint_applies() -> bool:
    """Whether a Ctrl-C can end a call made now: on the main thread, with a Python SIGINT handler
    (not ``SIG_IGN``, nor ``SIG_DFL``, which ends the process without Python)."""
    return threading.current_thread() is threading.main_thread() and callable(_signal.getsignal(signal.SIGINT))


class _Watcher:
    """Reads the signal numbers the C-level handler writes, and wakes the guest on SIGINT."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.write_fd, False)  # set_wakeup_fd requires it
        self.engine: wasmtime.Engine | None = None  # the engine running the main thread's guest
        self.forward_to = -1  # the wakeup fd that was there before
        threading.Thread(target=self._run, name="pywasihost-sigint", daemon=True).start()

    def _run(self) -> None:
        while True:
            data = os.read(self.read_fd, 256)
            if self.forward_to >= 0:
                try:
                    os.write(self.forward_to, data)
                except OSError:
                    pass
            engine = self.engine
            if engine is not None and signal.SIGINT in data:
                engine.increment_epoch()


_watcher: _Watcher | None = None


def forget_after_fork() -> None:
    """In a forked child: the watcher thread is gone, a new one is made when needed."""
    global _watcher
    _watcher = None


class SigintGuard:
    """``with guard:`` around a call on the main thread (:func:`sigint_applies`) into a store whose
    deadline is the next tick: a SIGINT stops the guest and the call raises what the SIGINT
    handler raised (see the module's docstring). Made once per store, entered per call."""

    def __init__(self, engine: wasmtime.Engine, state: DeadlineState) -> None:
        self.engine, self.state = engine, state
        self.original: Callable[[int, FrameType | None], Any] | None = None
        self.handler = self._on_sigint  # the one object installed and compared

    def _on_sigint(self, signum: int, frame: FrameType | None) -> Any:
        original = self.original
        assert original is not None
        if frame is None or frame.f_code is not _on_deadline.__code__:
            return original(signum, frame)  # in Python code: as if we were not there
        try:
            original(signum, frame)
        except BaseException as exc:  # kept, and raised by the call once the guest has stopped
            self.state.stop = exc
        return None

    def __enter__(self) -> None:
        global _watcher
        if _watcher is None:
            _watcher = _Watcher()
        self.watcher = watcher = _watcher  # (a fork inside the call makes the child a new one)
        self.original = _signal.getsignal(signal.SIGINT)
        watcher.forward_to = _signal.set_wakeup_fd(watcher.write_fd, warn_on_full_buffer=False)
        watcher.engine = self.engine
        _signal.signal(signal.SIGINT, self.handler)

    def __exit__(self, *exc: object) -> None:
        watcher = self.watcher
        watcher.engine = None
        _signal.set_wakeup_fd(watcher.forward_to)
        watcher.forward_to = -1
        if _signal.getsignal(signal.SIGINT) is self.handler:
            _signal.signal(signal.SIGINT, self.original)
