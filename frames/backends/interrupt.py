"""Ctrl-C during a driver call that runs in C: cancel the call so that it returns.

Python runs a signal handler only between bytecodes, so ``KeyboardInterrupt`` cannot stop
psycopg2 while libpq waits for the server, nor DuckDB running a statement with parameters
(DuckDB checks for Ctrl-C itself in its other entry points): Ctrl-C would wait for the query
to end. Here a watcher thread learns of the signal through :func:`signal.set_wakeup_fd`
(Python writes the signal number there as soon as it arrives) and cancels the calls registered
with :func:`watch` (PostgreSQL's cancel request, DuckDB's ``interrupt()``). The call then
returns with the driver's "cancelled" error, and :func:`raise_pending` turns that into the
``KeyboardInterrupt`` that the signal handler raises. If a server does not answer within
:data:`FORCE_AFTER` seconds (a stalled network), the call's socket is shut down, which ends
the wait too.

Only ``SIGINT`` with Python's default handler cancels (a program with a handler of its own
asked for something else; the watcher puts :func:`interrupt_handler`, which does the same and
counts, in its place), and signals whose handler is marked ``frames_interrupts`` (the SIGTERM
handler of ``populate``). The watcher is installed from the main thread of a process, and not
where something else already uses the wakeup file descriptor (an asyncio loop with signal
handlers): there, Ctrl-C waits for the query as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator

logger = logging.getLogger("frames")

#: Seconds after a cancel request until a call still waiting has its socket shut down.
FORCE_AFTER = 1.0


class Call:
    """One driver call that Ctrl-C may cancel.

    Parameters
    ----------
    cancel : callable
        Asks the server to stop the call (``psycopg2`` ``connection.cancel``).
    fileno : callable, optional
        The call's socket, shut down if the cancel does not end the wait.
    """

    def __init__(self, cancel: Callable[[], None], fileno: Callable[[], int] | None) -> None:
        self._cancel = cancel
        self._fileno = fileno
        self.fired = False
        self.done = False

    def interrupt(self) -> None:
        """Cancel the call (from the watcher thread); shut its socket if it keeps waiting."""
        self.fired = True
        if self._fileno is not None:  # first: the cancel request itself may hang
            threading.Thread(target=self._force, daemon=True, name="frames-force").start()
        try:
            self._cancel()
        except Exception as error:  # the connection may be gone already
            logger.debug(f"cancel request failed: {error}")

    def _force(self) -> None:
        time.sleep(FORCE_AFTER)
        if self.done or self._fileno is None:
            return
        try:
            with socket.socket(fileno=os.dup(self._fileno())) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError as error:
            logger.debug(f"shutting the socket of a cancelled call failed: {error}")


class _Watcher:
    """The process's watcher thread and the calls it may cancel.

    A signal's number reaches the wakeup pipe at once, its Python handler only when the main
    thread next runs Python code: if that happened already (the signal came while Python code
    ran, which then raised), cancelling a call would stop the clean-up that the handler's
    ``KeyboardInterrupt`` started. So the handlers count the signals they handled
    (:func:`handled`), the watcher those that arrived, and only a signal still unhandled
    cancels the calls running now.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: set[Call] = set()
        self.pid: int | None = None  # the process the watcher runs in
        self.refused: int | None = None  # the process where it cannot run
        self.fds: tuple[int, int] | None = None
        self.arrived: dict[int, int] = {}
        self.handled: dict[int, int] = {}

    def installed(self) -> bool:
        """True if the watcher runs in this process (installing it if possible)."""
        pid = os.getpid()
        if self.pid == pid:
            return True
        if self.refused == pid or threading.current_thread() is not threading.main_thread():
            return False
        inherited = self.fds  # a forked child inherits the parent's pipe, not its thread
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        if previous != -1 and (inherited is None or previous != inherited[1]):
            signal.set_wakeup_fd(previous)  # someone else's (asyncio): leave it alone
            os.close(read_fd)
            os.close(write_fd)
            self.refused = pid
            return False
        if inherited is not None:
            for fd in inherited:
                with contextlib.suppress(OSError):
                    os.close(fd)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, interrupt_handler)
        self.fds, self.pid, self.calls = (read_fd, write_fd), pid, set()
        self.arrived, self.handled = {}, {}
        threading.Thread(
            target=self._run, args=(read_fd,), daemon=True, name="frames-sigint"
        ).start()
        return True

    def _run(self, read_fd: int) -> None:
        while True:
            try:
                received = os.read(read_fd, 64)
            except OSError:
                return
            if not received:
                return
            cancel = False
            for number in set(received):
                arrived = self.arrived.get(number, 0) + received.count(number)
                unhandled = arrived - self.handled.get(number, 0)
                # Python runs a handler once for signals that came together: count them once
                self.arrived[number] = arrived - max(unhandled - 1, 0)
                cancel = cancel or (unhandled > 0 and _cancels(number))
            if cancel:
                with self.lock:
                    calls = list(self.calls)
                for call in calls:
                    call.interrupt()


def handled(number: int) -> None:
    """Note that the Python handler of signal ``number`` has run (see :class:`_Watcher`);
    handlers that stop queries (``frames_interrupts``) call it first."""
    _watcher.handled[number] = _watcher.handled.get(number, 0) + 1


def interrupt_handler(number: int, frame: object) -> None:
    """Python's default Ctrl-C handler (``KeyboardInterrupt``), counting what it handled; the
    watcher puts it in the place of :func:`signal.default_int_handler`."""
    handled(number)
    signal.default_int_handler(number, frame)  # type: ignore[arg-type]


interrupt_handler.frames_interrupts = True  # type: ignore[attr-defined]


def raises_keyboard_interrupt(handler: object) -> bool:
    """True for Python's default Ctrl-C handler, or frames' in its place."""
    return handler is signal.default_int_handler or handler is interrupt_handler


def _cancels(number: int) -> bool:
    """True if signal ``number`` stops queries: its handler says so (``frames_interrupts``:
    :func:`interrupt_handler`, populate's SIGTERM handler)."""
    try:
        handler = signal.getsignal(number)
    except ValueError:  # not a signal number
        return False
    return bool(getattr(handler, "frames_interrupts", False))


_watcher = _Watcher()


@contextlib.contextmanager
def watch(cancel: Callable[[], None], fileno: Callable[[], int] | None = None) -> Iterator[Call]:
    """Let Ctrl-C cancel the driver call made in the block (see the module docstring); the
    :class:`Call` tells afterwards whether it did."""
    call = Call(cancel, fileno)
    if threading.current_thread() is not threading.main_thread() or not _watcher.installed():
        yield call  # Ctrl-C interrupts the main thread only
        return
    with _watcher.lock:
        _watcher.calls.add(call)
    try:
        yield call
    finally:
        call.done = True
        with _watcher.lock:
            _watcher.calls.discard(call)


def _pending() -> None:
    """A Python-level call: the interpreter runs a pending signal handler on entering it."""


def raise_pending(cause: BaseException) -> None:
    """Raise the ``KeyboardInterrupt`` of the Ctrl-C that cancelled a call, caused by the
    driver's error ``cause`` (its handler is still pending when the driver returns: it runs
    here, once; or the driver has run it already)."""
    try:
        _pending()
    except KeyboardInterrupt as interrupt:
        raise interrupt from cause
    raise KeyboardInterrupt from cause
