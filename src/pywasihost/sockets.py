"""Socket descriptors: preopened listening sockets and the connections ``sock_accept`` takes from them.

Preview 1 cannot create, bind or connect a socket: the host hands the guest sockets it opened
(``WasiConfig(sockets=[...])``, the CLI's ``--tcplisten``), and the guest accepts, receives, sends
and shuts down. I/O goes straight between the socket and guest memory (``recvmsg_into`` and
``sendmsg`` take the guest's buffers). A socket the caller passed in is never closed or switched to
non-blocking by the run: a guest's ``NONBLOCK`` becomes ``MSG_DONTWAIT`` (or a zero-timeout
``select`` before ``accept``) on each call instead.
"""

from __future__ import annotations

import os
import select
import socket

from .abi import Errno, Fdflags, Filestat, Filetype, Riflags, Rights, Roflags, Sdflags
from .errors import WasiError
from .fdtable import DIRECTORY_ONLY, NO_FLAGS, Descriptor, filestat_from, fionread

__all__ = ["SocketDescriptor"]

R = Rights
_CONNECTION_RIGHTS = (
    R.FD_READ | R.FD_WRITE | R.POLL_FD_READWRITE | R.SOCK_SHUTDOWN | R.FD_FDSTAT_SET_FLAGS | R.FD_FILESTAT_GET
)
_LISTENER_RIGHTS = _CONNECTION_RIGHTS | R.SOCK_ACCEPT
_NONBLOCK = Fdflags.NONBLOCK.value
_NO_RIFLAGS = Riflags(0)


class SocketDescriptor(Descriptor):
    """A host socket. ``owned`` sockets (accepted by the guest) are closed with the table."""

    implied = DIRECTORY_ONLY  # path_* and fd_readdir on a socket: NOTDIR

    def __init__(self, sock: socket.socket, *, owned: bool, flags: Fdflags = NO_FLAGS) -> None:
        self.filetype = Filetype.SOCKET_DGRAM if sock.type == socket.SOCK_DGRAM else Filetype.SOCKET_STREAM
        listening = bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
        super().__init__(_LISTENER_RIGHTS if listening else _CONNECTION_RIGHTS, flags=flags)
        self.sock, self.owned = sock, owned

    def _dontwait(self) -> int:
        return socket.MSG_DONTWAIT if self.flags & _NONBLOCK else 0

    # fd_read / fd_write work on sockets as on any stream.
    def read(self, bufs: list[memoryview]) -> int:
        return self.recv(bufs, _NO_RIFLAGS)[0]

    def write(self, bufs: list[memoryview]) -> int:
        return self.send(bufs)

    def recv(self, bufs: list[memoryview], flags: Riflags) -> tuple[int, Roflags]:
        host = self._dontwait()
        if flags & Riflags.RECV_PEEK:
            host |= socket.MSG_PEEK
        if flags & Riflags.RECV_WAITALL:
            host |= socket.MSG_WAITALL
        n, _, msg_flags, _ = self.sock.recvmsg_into(bufs, 0, host)
        return n, Roflags.RECV_DATA_TRUNCATED if msg_flags & socket.MSG_TRUNC else Roflags(0)

    def send(self, bufs: list[memoryview]) -> int:
        return self.sock.sendmsg(bufs, [], self._dontwait() | socket.MSG_NOSIGNAL)

    def accept(self, flags: Fdflags) -> Descriptor:
        if flags & ~_NONBLOCK:
            raise WasiError(Errno.INVAL, "sock_accept takes only NONBLOCK")
        if self.flags & _NONBLOCK or self.sock.gettimeout() == 0.0:
            ready, _, _ = select.select([self.sock], [], [], 0)
            if not ready:
                raise WasiError(Errno.AGAIN)
        conn, _ = self.sock.accept()
        conn.setblocking(True)
        return SocketDescriptor(conn, owned=True, flags=flags)

    def shutdown(self, how: Sdflags) -> None:
        if how & Sdflags.RD and how & Sdflags.WR:
            self.sock.shutdown(socket.SHUT_RDWR)
        elif how & Sdflags.RD:
            self.sock.shutdown(socket.SHUT_RD)
        elif how & Sdflags.WR:
            self.sock.shutdown(socket.SHUT_WR)
        else:
            raise WasiError(Errno.INVAL, "sock_shutdown needs RD, WR or both")

    def set_flags(self, flags: Fdflags) -> None:
        if flags & ~_NONBLOCK:
            raise WasiError(Errno.NOTSUP)
        self.flags = flags

    def filestat(self) -> Filestat:
        st = filestat_from(os.fstat(self.sock.fileno()))
        st.filetype = self.filetype
        return st

    def poll_fileno(self) -> int | None:
        return self.sock.fileno()

    def readable_bytes(self) -> int:
        return fionread(self.sock.fileno())

    def close(self) -> None:
        if self.owned:
            self.owned = False
            self.sock.close()
