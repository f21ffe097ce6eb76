"""A TCP proxy between the tests and a database server that cuts or stalls connections on cue.

The proxy listens on 127.0.0.1 (a free port) and forwards every connection to the server. A
:class:`Fault` armed on it picks a point in what the clients send — the n-th occurrence of some
bytes (a statement's text: ``b"COMMIT"``, ``b"LOAD DATA"``), optionally so many bytes further,
or simply the n-th byte sent since arming — and there

- ``cut``: forwards what came before that point, then closes both sides (the client sees the
  server go away, the server sees the client go away mid-statement);
- ``cut_reply``: forwards the client's bytes, then closes both sides as soon as the server
  answers (the statement ran, its answer is lost: the client cannot tell);
- ``stall``: forwards what came before that point, then nothing either way until
  :meth:`FaultProxy.release`.

Each fault fires once, on whichever connection reaches its point first. Used by
``tests/backends/test_faults.py``; the proxy is started and stopped by a fixture there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from typing import Literal

from sqlalchemy.engine import make_url

Action = Literal["cut", "cut_reply", "stall"]
_CHUNK = 65536


@dataclasses.dataclass
class Fault:
    """Where and how to break a connection (see the module docstring).

    Attributes
    ----------
    action : str
        ``'cut'``, ``'cut_reply'`` or ``'stall'``.
    pattern : bytes, optional
        Bytes the client sends (case-sensitive); None: count bytes from arming.
    occurrence : int
        Which occurrence of ``pattern`` (1: the first).
    offset : int
        Bytes after the start of that occurrence (without ``pattern``: after arming).
    """

    action: Action
    pattern: bytes | None = None
    occurrence: int = 1
    offset: int = 0
    fired: threading.Event = dataclasses.field(default_factory=threading.Event)
    _seen: int = 0  # occurrences so far
    _tail: bytes = b""  # the end of the previous chunk (a pattern may straddle two)
    _remaining: int | None = None  # bytes still to forward once the point is known

    def point(self, data: bytes) -> int | None:
        """Where in ``data`` (the next chunk a client sends) the fault strikes, if it does."""
        if self._remaining is None and self.pattern is None:
            self._remaining = self.offset
        if self._remaining is None:
            assert self.pattern is not None
            text = self._tail + data
            start = 0
            while self._remaining is None:
                found = text.find(self.pattern, start)
                if found < 0:
                    break
                self._seen += 1
                if self._seen == self.occurrence:
                    self._remaining = max(found - len(self._tail), 0) + self.offset
                    break
                start = found + 1
            self._tail = text[-(len(self.pattern) - 1) :] if len(self.pattern) > 1 else b""
            if self._remaining is None:
                return None
            if self._remaining <= len(data):
                return self._remaining
            self._remaining -= len(data)
            return None
        if self._remaining <= len(data):
            return self._remaining
        self._remaining -= len(data)
        return None


class _Link:
    """One client connection and its connection to the server."""

    def __init__(self, proxy: FaultProxy, client: socket.socket, server: socket.socket):
        self.proxy = proxy
        self.client = client
        self.server = server
        self.cut_on_reply = False
        self.closed = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._upstream, daemon=True).start()
        threading.Thread(target=self._downstream, daemon=True).start()

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _upstream(self) -> None:
        """Client to server, watching for the armed fault."""
        try:
            while not self.closed.is_set():
                data = self.client.recv(_CHUNK)
                if not data:
                    break
                fault, point = self.proxy._strike(data)
                if fault is None or point is None:
                    self.server.sendall(data)
                    continue
                if fault.action == "cut_reply":
                    self.cut_on_reply = True
                    self.server.sendall(data)
                    fault.fired.set()
                    continue
                self.server.sendall(data[:point])
                fault.fired.set()
                if fault.action == "cut":
                    break
                self.proxy._released.wait()  # stall
                if self.proxy._cut_on_release:
                    break
                self.server.sendall(data[point:])
        except OSError:
            pass
        self.close()

    def _downstream(self) -> None:
        """Server to client (held while a stall lasts; dropped by ``cut_reply``)."""
        try:
            while not self.closed.is_set():
                data = self.server.recv(_CHUNK)
                if not data or self.cut_on_reply:
                    break
                if self.proxy._stalling():
                    self.proxy._released.wait()
                    if self.proxy._cut_on_release:
                        break
                self.client.sendall(data)
        except OSError:
            pass
        self.close()


class FaultProxy:
    """A proxy on 127.0.0.1 to the server of ``url`` (see the module docstring).

    Parameters
    ----------
    url : str
        The server's database URL; :attr:`url` is the same through the proxy.
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self._target = (
            parsed.host or "127.0.0.1",
            parsed.port or _DEFAULT_PORTS[parsed.drivername],
        )
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = parsed.set(host="127.0.0.1", port=self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._links: list[_Link] = []
        self._fault: Fault | None = None
        self._released = threading.Event()
        self._released.set()
        self._cut_on_release = False
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(self, client, server)
            with self._lock:
                self._links.append(link)
            link.start()

    def arm(self, fault: Fault) -> Fault:
        """Break the connection where ``fault`` says (once); returns it (``fault.fired``)."""
        with self._lock:
            self._fault = fault
            if fault.action == "stall":
                self._released.clear()
                self._cut_on_release = False
        return fault

    def disarm(self) -> None:
        """Forget the armed fault (if it has not fired) and end any stall (forwarding on)."""
        with self._lock:
            self._fault = None
        self.release()

    def release(self, cut: bool = False) -> None:
        """End a stall: forward on, or (``cut``) close the stalled connections."""
        self._cut_on_release = cut
        self._released.set()

    def _strike(self, data: bytes) -> tuple[Fault | None, int | None]:
        with self._lock:
            fault = self._fault
            if fault is None or fault.fired.is_set():
                return None, None
            point = fault.point(data)
            if point is not None:
                self._fault = None
            return fault, point

    def _stalling(self) -> bool:
        return not self._released.is_set()

    def cut_all(self) -> None:
        """Close every connection now."""
        with self._lock:
            links = list(self._links)
        for link in links:
            link.close()

    def close(self) -> None:
        """Stop listening and close every connection."""
        self._running = False
        self.release(cut=True)
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut_all()


_DEFAULT_PORTS = {"postgresql": 5432, "postgres": 5432, "mysql": 3306, "mariadb": 3306}
