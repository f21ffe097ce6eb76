"""Ctrl-C during a driver call that waits in C (libpq): cancel the call so that it returns.

Python runs a signal handler only between bytecodes, so ``KeyboardInterrupt`` cannot stop
psycopg2 while libpq waits for the server: Ctrl-C would wait for the query to end. Here a
watcher thread learns of the signal through :func:`signal.set_wakeup_fd` (Python writes the
signal number there as soon as it arrives) and cancels the calls registered with :func:`watch`
(PostgreSQL's cancel request). The call then returns with the driver's "cancelled" error, and
:func:`raise_pending` turns that into the ``KeyboardInterrupt`` that the signal handler raises.
If the server does not answer within :data:`FORCE_AFTER` seconds (a stalled network), the
call's socket is shut down, which ends the wait too.

Only ``SIGINT`` with Python's default handler cancels (a program with a handler of its own
asked for something else), and signals whose handler is marked ``frames_interrupts`` (the
SIGTERM handler of ``populate``). The watcher is installed from the main thread of a
process, and not where something else already uses the wakeup file descriptor (an asyncio loop
with signal handlers): there, Ctrl-C waits for the query as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
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
    fileno : callable
        The call's socket, shut down if the cancel does not end the wait.
    """

    def __init__(self, cancel: Callable[[], None], fileno: Callable[[], int]) -> None:
        self._cancel = cancel
        self._fileno = fileno
        self.fired = False
        self.done = threading.Event()

    def interrupt(self) -> None:
        """Cancel the call (from the watcher thread); shut its socket if it keeps waiting."""
        self.fired = True
        try:
            self._cancel()
        except Exception as error:  # the connection may be gone already
            logger.debug(f"cancel request failed: {error}")
        threading.Thread(target=self._force, daemon=True, name="frames-force").start()

    def _force(self) -> None:
        if self.done.wait(FORCE_AFTER):
            return
        try:
            with socket.socket(fileno=os.dup(self._fileno())) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError as error:
            logger.debug(f"shutting the socket of a cancelled call failed: {error}")


class _Watcher:
    """The process's watcher thread and the calls it may cancel."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: set[Call] = set()
        self.pid: int | None = None  # the process the watcher runs in
        self.fds: tuple[int, int] | None = None

    def installed(self) -> bool:
        """True if the watcher runs in this process (installing it if possible)."""
        pid = os.getpid()
        if self.pid == pid:
            return True
        if threading.current_thread() is not threading.main_thread():
            return False
        inherited = self.fds  # a forked child inherits the parent's pipe, not its thread
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        if previous != -1 and (inherited is None or previous != inherited[1]):
            signal.set_wakeup_fd(previous)  # someone else's (asyncio): leave it alone
            os.close(read_fd)
            os.close(write_fd)
            self.pid = -1
            return False
        if inherited is not None:
            for fd in inherited:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.fds, self.pid, self.calls = (read_fd, write_fd), pid, set()
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
            if any(_cancels(number) for number in set(received)):
                with self.lock:
                    calls = list(self.calls)
                for call in calls:
                    call.interrupt()


def _cancels(number: int) -> bool:
    """True if signal ``number`` stops queries: Ctrl-C under Python's default handler, or a
    signal whose handler says so (``frames_interrupts = True``: populate's SIGTERM)."""
    try:
        handler = signal.getsignal(number)
    except ValueError:  # not a signal number
        return False
    if number == signal.SIGINT and handler is signal.default_int_handler:
        return True
    return bool(getattr(handler, "frames_interrupts", False))


_watcher = _Watcher()


@contextlib.contextmanager
def watch(cancel: Callable[[], None], fileno: Callable[[], int]) -> Iterator[Call]:
    """Let Ctrl-C cancel the driver call made in the block (see the module docstring); the
    :class:`Call` tells afterwards whether it did."""
    call = Call(cancel, fileno)
    if not _watcher.installed():
        yield call
        return
    with _watcher.lock:
        _watcher.calls.add(call)
    try:
        yield call
    finally:
        call.done.set()
        with _watcher.lock:
            _watcher.calls.discard(call)


def _pending() -> None:
    """A Python-level call: the interpreter runs a pending signal handler on entering it."""


def raise_pending() -> None:
    """Raise the ``KeyboardInterrupt`` of the Ctrl-C that cancelled a call (its handler is
    still pending when the driver returns; it runs here, once)."""
    _pending()
    raise KeyboardInterrupt
