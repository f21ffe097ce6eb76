"""A TCP proxy between the tests and a database server that cuts or stalls connections on cue.

The proxy listens on 127.0.0.1 (a free port) and forwards every connection to the server. A
:class:`Fault` armed on it picks a point in what the clients send — the n-th occurrence of some
bytes (a statement's text: ``b"COMMIT"``, ``b"LOAD DATA"``), optionally so many bytes further,
or simply the n-th byte sent since arming — and there

- ``cut``: forwards what came before that point, then closes both sides (the client sees the
  server go away, the server sees the client go away mid-statement);
- ``cut_reply``: forwards the client's bytes, then closes both sides as soon as the server
  answers (the statement ran, its answer is lost: the client cannot tell);
- ``stall``: forwards what came before that point, then nothing either way (on any of its
  connections) until :meth:`FaultProxy.release`.

Each fault fires once, on whichever connection reaches its point first. The proxy runs in a
process of its own: libpq's cancel request (``psycopg2`` ``connection.cancel()``) holds the
interpreter lock while it waits for the server, which would starve a proxy thread in the
test's process. Tests start it with :class:`FaultProxy` and stop it with
:meth:`FaultProxy.close`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import queue
import socket
import threading
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

Action = Literal["cut", "cut_reply", "stall"]
_CHUNK = 65536
_DEFAULT_PORTS = {"postgresql": 5432, "postgres": 5432, "mysql": 3306, "mariadb": 3306}
_context = multiprocessing.get_context("spawn")


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
    fired : Event
        Set (by :meth:`FaultProxy.arm`'s proxy) once the fault has struck.
    """

    action: Action
    pattern: bytes | None = None
    occurrence: int = 1
    offset: int = 0
    fired: Any = dataclasses.field(default=None, compare=False, repr=False)


class FaultProxy:
    """A proxy on 127.0.0.1 to the server of database URL ``url`` (see the module docstring).

    Attributes
    ----------
    url : str
        ``url`` with the proxy's host and port.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.split("+")[0]
        target = (parts.hostname or "127.0.0.1", parts.port or _DEFAULT_PORTS[scheme])
        self._commands: Any = _context.Queue()
        self._answers: Any = _context.Queue()
        self._fired = _context.Event()
        self._process = _context.Process(
            target=_serve, args=(target, self._commands, self._answers, self._fired), daemon=True
        )
        self._process.start()
        port = self._answers.get(timeout=60)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
        self.url = urlunsplit(parts._replace(netloc=netloc))

    def _tell(self, *command: Any) -> None:
        self._commands.put(command)
        assert self._answers.get(timeout=60) == "done"

    def arm(self, fault: Fault) -> Fault:
        """Break a connection where ``fault`` says (once); returns it, with ``fault.fired``."""
        self._fired.clear()
        fault.fired = self._fired
        self._tell("arm", fault.action, fault.pattern, fault.occurrence, fault.offset)
        return fault

    def disarm(self) -> None:
        """Forget the armed fault (if it has not struck) and end a stall (forwarding on)."""
        self._tell("disarm")

    def release(self, cut: bool = False) -> None:
        """End a stall: forward on, or (``cut``) close the stalled connections."""
        self._tell("release", cut)

    def cut_all(self) -> None:
        """Close every connection now."""
        self._tell("cut_all")

    def close(self) -> None:
        """Close every connection and stop the proxy."""
        if self._process.is_alive():
            with contextlib.suppress(queue.Empty, AssertionError):
                self._tell("close")
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


# -- the proxy process ---------------------------------------------------------------------


@dataclasses.dataclass
class _Trigger:
    """An armed fault, counting its way to the point where it strikes."""

    action: Action
    pattern: bytes | None
    occurrence: int
    offset: int
    seen: int = 0  # occurrences so far
    tail: bytes = b""  # the end of the previous chunk (a pattern may straddle two)
    remaining: int | None = None  # bytes still to forward once the point is known

    def point(self, data: bytes) -> int | None:
        """Where in ``data`` (the next chunk a client sends) the fault strikes, if it does."""
        if self.remaining is None and self.pattern is None:
            self.remaining = self.offset
        if self.remaining is None:
            assert self.pattern is not None
            text = self.tail + data
            start = 0
            while self.remaining is None:
                found = text.find(self.pattern, start)
                if found < 0:
                    break
                self.seen += 1
                if self.seen == self.occurrence:
                    self.remaining = max(found - len(self.tail), 0) + self.offset
                start = found + 1
            self.tail = text[-(len(self.pattern) - 1) :] if len(self.pattern) > 1 else b""
            if self.remaining is None:
                return None
        if self.remaining <= len(data):
            return self.remaining
        self.remaining -= len(data)
        return None


class _Proxy:
    """The proxy's state in its process."""

    def __init__(self, target: tuple[str, int], fired: Any) -> None:
        self.target = target
        self.fired = fired
        self.lock = threading.Lock()
        self.trigger: _Trigger | None = None
        self.released = threading.Event()
        self.released.set()
        self.cut_on_release = False
        self.links: list[_Link] = []
        self.listener = socket.create_server(("127.0.0.1", 0))

    def accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(self, client, server)
            with self.lock:
                self.links.append(link)
            link.start()

    def strike(self, data: bytes) -> tuple[_Trigger | None, int | None]:
        with self.lock:
            trigger = self.trigger
            if trigger is None:
                return None, None
            point = trigger.point(data)
            if point is not None:
                self.trigger = None
                if trigger.action == "stall":
                    self.released.clear()
            return trigger, point

    def release(self, cut: bool) -> None:
        self.cut_on_release = cut
        self.released.set()

    def cut_all(self) -> None:
        with self.lock:
            links, self.links = self.links, []
        for link in links:
            link.close()


class _Link:
    """One client connection and its connection to the server."""

    def __init__(self, proxy: _Proxy, client: socket.socket, server: socket.socket):
        self.proxy = proxy
        self.client = client
        self.server = server
        self.cut_on_reply = False
        self.closed = False

    def start(self) -> None:
        threading.Thread(target=self._upstream, daemon=True).start()
        threading.Thread(target=self._downstream, daemon=True).start()

    def close(self) -> None:
        self.closed = True
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _upstream(self) -> None:
        """Client to server, watching for the armed fault."""
        proxy = self.proxy
        try:
            while not self.closed:
                data = self.client.recv(_CHUNK)
                if not data:
                    break
                trigger, point = proxy.strike(data)
                if trigger is None or point is None:
                    self.server.sendall(data)
                    continue
                if trigger.action == "cut_reply":
                    self.cut_on_reply = True
                    self.server.sendall(data)
                    proxy.fired.set()
                    continue
                self.server.sendall(data[:point])
                proxy.fired.set()
                if trigger.action == "cut":
                    break
                proxy.released.wait()  # stall
                if proxy.cut_on_release:
                    break
                self.server.sendall(data[point:])
        except OSError:
            pass
        self.close()

    def _downstream(self) -> None:
        """Server to client (held while a stall lasts; dropped by ``cut_reply``)."""
        proxy = self.proxy
        try:
            while not self.closed:
                data = self.server.recv(_CHUNK)
                if not data or self.cut_on_reply:
                    break
                if not proxy.released.is_set():
                    proxy.released.wait()
                    if proxy.cut_on_release:
                        break
                self.client.sendall(data)
        except OSError:
            pass
        self.close()


def _serve(target: tuple[str, int], commands: Any, answers: Any, fired: Any) -> None:
    """The proxy process: accept connections, obey the test's commands."""
    proxy = _Proxy(target, fired)
    answers.put(proxy.listener.getsockname()[1])
    threading.Thread(target=proxy.accept, daemon=True).start()
    while True:
        command, *args = commands.get()
        if command == "arm":
            with proxy.lock:
                proxy.trigger = _Trigger(*args)
                proxy.cut_on_release = False
        elif command == "disarm":
            with proxy.lock:
                proxy.trigger = None
            proxy.release(False)
        elif command == "release":
            proxy.release(*args)
        elif command == "cut_all":
            proxy.cut_all()
        elif command == "close":
            proxy.release(True)
            with contextlib.suppress(OSError):
                proxy.listener.close()
            proxy.cut_all()
            answers.put("done")
            return
        answers.put("done")
