"""The host state of one instance: what every syscall implementation receives as ``ctx``."""

from __future__ import annotations

import errno
import os
import time
from typing import TYPE_CHECKING, Any

from .abi import Rights
from .config import INHERIT, InputSpec, OutputSpec, Stdio, WasiConfig
from .errors import Timeout
from .fdtable import (
    READ_STREAM,
    WRITE_STREAM,
    BytesInput,
    CallbackOutput,
    CapturedOutput,
    Descriptor,
    FdTable,
    HostFd,
    NullDescriptor,
    StreamInput,
)
from .fs.mount import open_preopen
from .memory import GuestMemory

if TYPE_CHECKING:
    from .instance import WasiInstance

__all__ = ["WasiContext"]


def _encode_strings(items: list[str]) -> tuple[bytes, list[int]]:
    """NUL-terminated UTF-8 strings packed together, and where each starts."""
    offsets, blob = [], bytearray()
    for s in items:
        offsets.append(len(blob))
        blob += s.encode("utf-8") + b"\0"
    return bytes(blob), offsets


def _inherited(fd: int, rights: Rights) -> Descriptor | None:
    """The host's own stdio descriptor; None when the host process has it closed (the guest then
    gets BADF on that fd, as the host would)."""
    try:
        return HostFd(fd, rights)
    except OSError as exc:
        if exc.errno == errno.EBADF:
            return None
        raise


def _owned(fd: int, rights: Rights) -> Descriptor:
    """A host fd the run opened itself (a stdio file given by path): closed at the end of the run."""
    try:
        return HostFd(fd, rights, owned=True)
    except BaseException:
        os.close(fd)
        raise


class WasiContext:
    """Everything a syscall may reach: ``config``, ``memory``, ``fds``, ``clocks``, ``random``.

    ``state`` is a free dict for applications' custom syscalls; ``instance`` is the running instance.
    ``program_name`` is argv[0] when ``config.args`` is empty.
    """

    def __init__(self, config: WasiConfig, program_name: str = "main.wasm") -> None:
        config.validate()  # again: fields may have changed since the config was made
        self.config = config
        self.memory = GuestMemory(config.limits)
        self.fds = FdTable(config.limits.max_fds, config.limits.max_io_bytes)
        self.clocks = config.clocks.for_run()  # per run: a reused deterministic config repeats itself
        self.random = config.random.for_run()
        self.state: dict[str, Any] = {}
        self.instance: WasiInstance | None = None
        self.deadline: float | None = None  # time.monotonic() past which the call must end (config.timeout)
        # no args: the guest's argv is just the program name (the module's file name), as on the CLI
        self.args, self.arg_offsets = _encode_strings(list(config.args) or [program_name])
        env = config.environment()
        self.environ, self.environ_offsets = _encode_strings([f"{k}={v}" for k, v in env.items()])
        self.captured: dict[int, CapturedOutput] = {}
        try:  # each descriptor goes into the table as soon as it exists: a failure closes them all
            self._stdio(0, self._input(config.stdin))
            self._stdio(1, self._output(1, config.stdout))
            self._stdio(2, self._output(2, config.stderr))
            for fd, pre in enumerate(config.preopens, start=3):
                self.fds.set(fd, open_preopen(pre.host, pre.guest, readonly=pre.readonly))
            if config.sockets:
                from .sockets import SocketDescriptor  # the socket module only for runs that use it
            for fd, sock in enumerate(config.sockets, start=3 + len(config.preopens)):
                self.fds.set(fd, SocketDescriptor(sock, owned=False))
            if config.files:
                from .fs.objects import ObjectFile  # only for runs that use it
            for fd, file in enumerate(config.files, start=3 + len(config.preopens) + len(config.sockets)):
                self.fds.set(fd, file if isinstance(file, Descriptor) else ObjectFile(file))
        except BaseException:
            self.fds.close_all()
            raise

    def _stdio(self, fd: int, descriptor: Descriptor | None) -> None:
        if descriptor is not None:  # None: the host has that fd closed, and so has the guest
            self.fds.set(fd, descriptor)

    def _input(self, spec: InputSpec) -> Descriptor | None:
        if spec is INHERIT:
            return _inherited(0, READ_STREAM)
        if spec is Stdio.NULL:
            return NullDescriptor()
        if isinstance(spec, Stdio):  # CAPTURE: refused by WasiConfig.validate already
            raise ValueError("stdin cannot be CAPTURE")
        if isinstance(spec, (bytes, bytearray, memoryview)):
            return BytesInput(bytes(spec))
        if isinstance(spec, int):
            return HostFd(spec, READ_STREAM)
        if isinstance(spec, (str, os.PathLike)):
            return _owned(os.open(spec, os.O_RDONLY | os.O_CLOEXEC), READ_STREAM)
        return StreamInput(spec)

    def _output(self, fd: int, spec: OutputSpec) -> Descriptor | None:
        if spec is INHERIT:
            return _inherited(fd, WRITE_STREAM)
        if spec is Stdio.NULL:
            return NullDescriptor()
        if isinstance(spec, Stdio):  # CAPTURE
            captured = self.captured[fd] = CapturedOutput(("stdout", "stderr")[fd - 1], self.config.limits.max_capture)
            return captured
        if isinstance(spec, int):
            return HostFd(spec, WRITE_STREAM)
        if isinstance(spec, (str, os.PathLike)):
            return _owned(os.open(spec, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666), WRITE_STREAM)
        if callable(spec):
            return CallbackOutput(spec)
        return CallbackOutput(spec.write)

    def time_left_ns(self) -> int | None:
        """Nanoseconds until the deadline (None: no timeout); a blocking syscall waits no longer."""
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - time.monotonic()) * 1e9))

    def check_deadline(self) -> None:
        """Raise :class:`Timeout` once the deadline has passed."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise Timeout(self.config.timeout or 0)

    def captured_output(self, fd: int) -> bytes | None:
        """What the guest wrote to ``fd`` (1 or 2) so far when it is captured, else None (no copy)."""
        captured = self.captured.get(fd)
        return None if captured is None else captured.getvalue()

    def close(self) -> None:
        """Close every host descriptor the run opened (stdio that was inherited stays open)."""
        self.fds.close_all()
